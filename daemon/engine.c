/*
 * engine.c - the engine's life cycle and its once-per-turn rhythm: a
 * uv_prepare handle runs the scheduling pass when work was asked for
 * (engine_wakeup), commits the turn's writes in one transaction, and only
 * then spawns the tries the pass started. One timer is armed for the
 * earliest due work (a cron interval end, a retry); nothing polls.
 * Also: manual triggers, clear (rerun), pause, drain on SIGTERM.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "dag.h"
#include "engine_internal.h"
#include "interval.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "tz.h"

int64_t engine_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void drain_finish(struct engine *e);

static void timer_cb(uv_timer_t *t)
{
	struct engine *e = t->data;
	if (e->timer_due_ms)
		metrics_observe(MH_LOOP_LAG, ((int64_t)uv_now(e->loop) - e->timer_due_ms) * 1000);
	e->timer_due_ms = 0;
	engine_wakeup(e);
}

static void idle_cb(uv_idle_t *h)
{
	(void)h; /* only keeps the loop from blocking while work is pending */
}

static void arm_timer(struct engine *e)
{
	int64_t now = engine_now_us(), due = e->next_wake_us, ms;

	if (!due) {
		uv_timer_stop(&e->timer);
		e->timer_due_ms = 0;
		return;
	}
	ms = (due - now + 999) / 1000;
	if (ms < 0)
		ms = 0;
	uv_timer_start(&e->timer, timer_cb, (uint64_t)ms, 0);
	e->timer_due_ms = (int64_t)uv_now(e->loop) + ms;
}

static void prepare_cb(uv_prepare_t *h)
{
	struct engine *e = h->data;
	int rc;

	if (e->wake) {
		e->wake = false;
		sched_pass(e, engine_now_us());
		arm_timer(e);
	}
	if (store_pending(e->st)) {
		if ((rc = store_commit(e->st)) != 0)
			log_error("engine", "commit failed: %s", dagd_strerror(rc));
		else
			metrics_observe(MH_COMMIT, store_last_commit_us(e->st));
	}
	if (e->n_spawn)
		dispatch_spawn_pending(e); /* writes pids: committed next turn */
	if (e->draining && e->drain_done && e->running == 0 && !store_pending(e->st))
		drain_finish(e);
	if (e->wake || store_pending(e->st))
		uv_idle_start(&e->idle, idle_cb);
	else
		uv_idle_stop(&e->idle);
}

void engine_wakeup(struct engine *e)
{
	e->wake = true;
	uv_idle_start(&e->idle, idle_cb);
}

int engine_new(uv_loop_t *loop, const struct config *cfg, struct store *st,
	       const struct engine_opts *opts, const struct engine_hooks *hooks,
	       struct engine **out)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->loop = loop;
	e->cfg = cfg;
	e->st = st;
	e->opts = *opts;
	if (hooks)
		e->hooks = *hooks;
	e->parallelism = opts->parallelism > 0 ? opts->parallelism : cfg->parallelism;
	e->kfd = e->kpidfd = -1;
	e->no_keeper = getenv("DAGD_NO_KEEPER") != NULL;
	if (getenv("DAGD_SQL_BIN") && *getenv("DAGD_SQL_BIN")) {
		e->sql_bin = xstrdup(getenv("DAGD_SQL_BIN"));
	} else {
		const char *slash = strrchr(opts->job_bin, '/');
		e->sql_bin = slash ? xasprintf("%.*s/dagd-sql", (int)(slash - opts->job_bin),
					       opts->job_bin)
				   : xstrdup("dagd-sql");
	}
	uv_prepare_init(loop, &e->prepare);
	uv_timer_init(loop, &e->timer);
	uv_idle_init(loop, &e->idle);
	uv_timer_init(loop, &e->drain_timer);
	e->prepare.data = e->timer.data = e->idle.data = e->drain_timer.data = e;
	uv_prepare_start(&e->prepare, prepare_cb);
	uv_unref((uv_handle_t *)&e->prepare);
	*out = e;
	return 0;
}

static void closed_cb(uv_handle_t *h)
{
	struct engine *e = h->data;
	if (--e->closing == 0)
		free(e);
}

void engine_free(struct engine *e)
{
	struct run *r, *next;
	struct dstate *d, *dn;

	if (!e)
		return;
	if (store_pending(e->st))
		(void)store_commit(e->st);
	dispatch_close_all(e);
	klink_stop(e);
	for (r = e->runs; r; r = next) {
		next = r->next;
		sched_run_free(r);
	}
	for (d = e->dags; d; d = dn) {
		dn = d->next;
		dag_unref(d->dag);
		free(d->id);
		free(d);
	}
	for (size_t i = 0; i < e->n_pools; i++)
		free(e->pools[i].name);
	free(e->pools);
	free(e->ready);
	free(e->to_spawn);
	free(e->sql_bin);
	e->closing = 4;
	uv_close((uv_handle_t *)&e->prepare, closed_cb);
	uv_close((uv_handle_t *)&e->timer, closed_cb);
	uv_close((uv_handle_t *)&e->idle, closed_cb);
	uv_close((uv_handle_t *)&e->drain_timer, closed_cb);
}

void engine_dag_changed(struct engine *e, const char *id, struct dag *dag)
{
	struct dstate *ds = sched_dstate(e, id, true);
	bool paused = dag ? dag->paused : false;

	dag_unref(ds->dag);
	ds->dag = dag ? dag_ref(dag) : NULL;
	e->version++;
	if (dag) {
		if (store_dag_upsert(e->st, id, dag->paused, &paused) != 0)
			log_error("engine", "dag=%s cannot be stored", id);
		ds->paused = paused;
		if (!ds->have_last &&
		    store_last_logical(e->st, id, &ds->last_logical, &ds->have_last) != 0)
			log_error("engine", "dag=%s last run unknown", id);
	}
	engine_wakeup(e);
}

struct dag *engine_dag(struct engine *e, const char *id)
{
	struct dstate *ds = sched_dstate(e, id, false);
	return ds ? ds->dag : NULL;
}

int engine_set_paused(struct engine *e, const char *dag, bool paused)
{
	struct dstate *ds = sched_dstate(e, dag, false);
	int rc;

	if (!ds || !ds->dag)
		return DAGD_ENOENT;
	rc = store_dag_set_paused(e->st, dag, paused);
	if (rc == 0) {
		ds->paused = paused;
		e->version++;
		log_info("engine", "dag=%s %s", dag, paused ? "paused" : "unpaused");
		engine_wakeup(e);
	}
	return rc;
}

bool engine_paused(struct engine *e, const char *dag)
{
	struct dstate *ds = sched_dstate(e, dag, false);
	return ds && ds->paused;
}

int64_t engine_next_due(struct engine *e, const char *dag)
{
	struct dstate *ds = sched_dstate(e, dag, false);
	return ds ? ds->next_due : 0;
}

uint64_t engine_version(const struct engine *e)
{
	return e->version;
}

int64_t engine_clock_us(void)
{
	return engine_now_us();
}

int engine_running(const struct engine *e)
{
	return e->running;
}

struct run *engine_find_run(struct engine *e, const char *dag, const char *run_id)
{
	for (struct run *r = e->runs; r; r = r->next)
		if (strcmp(r->dag_id, dag) == 0 && strcmp(r->run_id, run_id) == 0)
			return r;
	return NULL;
}

/* Validate conf against the DAG's typed params; NULL or a message. */
char *engine_check_conf(const struct dag *dag, json_t *conf)
{
	const char *k;
	json_t *v;

	if (!conf)
		return NULL;
	if (!json_is_object(conf))
		return xstrdup("conf must be a JSON object");
	json_object_foreach(conf, k, v) {
		const struct param *p = dag_param(dag, k);
		const char *why;
		char *text;
		if (!p)
			return xasprintf("unknown param '%s'", k);
		if (json_is_object(v) || json_is_array(v))
			return xasprintf("param '%s' must be a scalar", k);
		text = json_is_string(v) ? xstrdup(json_string_value(v))
					 : json_dumps(v, JSON_ENCODE_ANY);
		why = dag_param_check(p, text);
		if (why) {
			char *msg = xasprintf("param '%s' %s (got '%s')", k, why, text);
			free(text);
			return msg;
		}
		free(text);
	}
	return NULL;
}

int engine_trigger(struct engine *e, const char *dag_id, const char *logical, json_t *conf,
		   struct run **out, char *err, size_t errlen)
{
	struct dag *dag = engine_dag(e, dag_id);
	struct interval iv;
	struct run *r;
	char *why, *conf_text;
	int64_t when;
	int rc;

	*out = NULL;
	if (!dag) {
		snprintf(err, errlen, "no DAG '%s'", dag_id);
		return DAGD_ENOENT;
	}
	if ((why = engine_check_conf(dag, conf)) != NULL) {
		snprintf(err, errlen, "%s", why);
		free(why);
		return DAGD_EINVAL;
	}
	if (logical) {
		if (tz_parse_time(dag->tz, logical, &when) != 0) {
			snprintf(err, errlen, "bad logical_date '%s' (use YYYY-MM-DD or RFC 3339)",
				 logical);
			return DAGD_EINVAL;
		}
		rc = interval_for_date(dag, when, &iv);
	} else {
		rc = interval_last_complete(dag, engine_now_us() / 1000000, &iv);
	}
	if (rc != 0) {
		snprintf(err, errlen, "DAG '%s' has no interval there", dag_id);
		return DAGD_EINVAL;
	}
	conf_text = conf ? json_dumps(conf, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	r = sched_run_new(e, dag, RT_MANUAL, iv.start, iv.end, conf_text);
	free(conf_text);
	if (!r) {
		snprintf(err, errlen, "the run could not be stored");
		return DAGD_ESTORE;
	}
	sched_run_add(e, r);
	engine_wakeup(e);
	*out = r;
	return 0;
}

static void drain_finish(struct engine *e)
{
	void (*done)(void *) = e->drain_done;

	e->drain_done = NULL;
	uv_timer_stop(&e->drain_timer);
	if (done)
		done(e->drain_ctx);
}

static void drain_timer_cb(uv_timer_t *t)
{
	struct engine *e = t->data;
	log_info("engine", "shutdown grace over: leaving %d running tr%s to be adopted",
		 e->running, e->running == 1 ? "y" : "ies");
	drain_finish(e);
}

void engine_drain(struct engine *e, int64_t grace_ms, void (*done)(void *), void *ctx)
{
	e->draining = true;
	e->drain_done = done;
	e->drain_ctx = ctx;
	log_info("engine", "draining: no new tries; %d running", e->running);
	uv_timer_start(&e->drain_timer, drain_timer_cb, (uint64_t)(grace_ms > 0 ? grace_ms : 0), 0);
	engine_wakeup(e);
}
