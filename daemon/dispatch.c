/*
 * dispatch.c - the ready queue (priority, then age), the limits
 * (parallelism, per-DAG max_active_tasks, pools), and the workers: one
 * dagd-job process per try, started with uv_spawn in its own session and
 * process group, its stdout/stderr straight into the try's log file. An
 * exit becomes a persisted state change (success, failed, skipped,
 * up_for_retry); a timeout kills the process group (TERM, then KILL).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "dag.h"
#include "dagd_limits.h"
#include "keeper.h"

/* dagd-sql's exit code for a reschedule sensor whose condition is not met yet. */
#define SENSOR_NOT_YET 100
/* A worker sensor past its deadline gets this long to end itself. */
#define SENSOR_KILL_GRACE_MS 10000
#include "duration.h"
#include "engine_internal.h"
#include "log.h"
#include "metrics.h"
#include "proc_info.h"
#include "render.h"
#include "result.h"
#include "store.h"

extern char **environ;

struct proc {
	uv_timer_t timer;
	uv_poll_t poll; /* readable when the worker exits (its pidfd) */
	int pidfd;
	int pid;
	bool child; /* ours to reap (spawned by us, not adopted) */
	bool polling; /* poll is initialised */
	uint64_t kid; /* the keeper's id for it, 0 when not through the keeper */
	int record_waits; /* adopted: looks for a record that is being written */
	struct engine *e;
	struct ti *ti;
	const char *why; /* set when we killed it */
	bool term_sent;
	int open_handles;
	struct proc *next, *prev;
};

/* --- queue --------------------------------------------------------------- */

static int prio(const struct ti *ti)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	/* backfill runs sit below live runs */
	return t->priority - (ti->run->type == RT_BACKFILL ? 1000000 : 0);
}

static bool before(const struct ti *a, const struct ti *b)
{
	int pa = prio(a), pb = prio(b);
	if (pa != pb)
		return pa > pb;
	return a->ready_us < b->ready_us;
}

void dispatch_enqueue(struct engine *e, struct ti *ti, int64_t now_us)
{
	size_t i;

	ti->ready_us = now_us;
	if (e->n_ready == e->alloc_ready) {
		e->alloc_ready = e->alloc_ready ? e->alloc_ready * 2 : 64;
		e->ready = xrealloc(e->ready, e->alloc_ready * sizeof(*e->ready));
	}
	/* insert from the back: the common case is an append */
	i = e->n_ready;
	while (i > 0 && before(ti, e->ready[i - 1]))
		i--;
	memmove(e->ready + i + 1, e->ready + i, (e->n_ready - i) * sizeof(*e->ready));
	e->ready[i] = ti;
	e->n_ready++;
}

void dispatch_dequeue(struct engine *e, struct ti *ti)
{
	for (size_t i = 0; i < e->n_ready; i++) {
		if (e->ready[i] == ti) {
			memmove(e->ready + i, e->ready + i + 1,
				(e->n_ready - i - 1) * sizeof(*e->ready));
			e->n_ready--;
			return;
		}
	}
}

struct pool_state *dispatch_pool(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_pools; i++)
		if (strcmp(e->pools[i].name, name) == 0)
			return &e->pools[i];
	e->pools = xrealloc(e->pools, (e->n_pools + 1) * sizeof(*e->pools));
	e->pools[e->n_pools].name = xstrdup(name);
	e->pools[e->n_pools].size = config_pool_size(e->cfg, name);
	e->pools[e->n_pools].running = 0;
	return &e->pools[e->n_pools++];
}

static const char *outputs_lookup(void *ctx, const char *task, const char *name);

static void fill_values(struct run_values *rv, const struct ti *ti, struct kvlist *conf)
{
	const struct run *r = ti->run;

	memset(rv, 0, sizeof(*rv));
	rv->dag = r->dag;
	rv->data_interval_start = r->data_interval_start;
	rv->data_interval_end = r->data_interval_end;
	rv->run_id = r->run_id;
	rv->try_number = ti->try_number;
	rv->output = outputs_lookup;
	rv->output_ctx = (void *)r;
	rv->conf = conf;
}

static char *ti_pool(struct engine *e, struct ti *ti)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	struct run_values rv;
	struct sbuf sb;
	struct tpl_error err;

	if (!t->pool)
		return xstrdup("default");
	fill_values(&rv, ti, NULL);
	rv.cfg = e->cfg;
	sbuf_init(&sb, 256);
	if (render_string(&rv, t, t->pool, &sb, &err) != 0 || sb.len == 0) {
		sbuf_release(&sb);
		return xstrdup("default");
	}
	return sbuf_take(&sb);
}

static void start_try(struct engine *e, struct ti *ti, struct pool_state *ps, int64_t now_us)
{
	struct dstate *ds = sched_dstate(e, ti->run->dag_id, true);

	ti->try_number++;
	ti->start_us = now_us;
	if (ti->ready_us)
		metrics_observe(MH_START_LATENCY, now_us - ti->ready_us);
	{
		const struct task *t = &ti->run->dag->tasks[ti->task];
		int64_t last = 0;
		for (size_t i = 0; i < t->n_up; i++)
			if (ti->run->tis[t->up[i]].end_us > last)
				last = ti->run->tis[t->up[i]].end_us;
		if (last)
			metrics_observe(MH_HOP, now_us - last);
	}
	if (!ti->first_start_us)
		ti->first_start_us = now_us;
	ti->end_us = 0;
	ti->exit_code = -1;
	ti->signal = 0;
	ti->pid = 0;
	ti->pid_start = 0;
	ps->running++;
	ds->running++;
	e->running++;
	sched_ti_set(e, ti, TI_RUNNING, now_us);
	if (e->n_spawn == e->alloc_spawn) {
		e->alloc_spawn = e->alloc_spawn ? e->alloc_spawn * 2 : 64;
		e->to_spawn = xrealloc(e->to_spawn, e->alloc_spawn * sizeof(*e->to_spawn));
	}
	e->to_spawn[e->n_spawn++] = ti;
}

void dispatch_pump(struct engine *e, int64_t now_us)
{
	size_t i = 0, started = 0;

	while (i < e->n_ready && e->running < e->parallelism) {
		struct ti *ti = e->ready[i];
		struct dstate *ds = sched_dstate(e, ti->run->dag_id, true);
		struct pool_state *ps;

		if (started >= TICK_BATCH) {
			e->wake = true; /* yield; continue next turn */
			return;
		}
		if (ds->running >= ti->run->dag->max_active_tasks) {
			i++;
			continue;
		}
		if (!ti->pool)
			ti->pool = ti_pool(e, ti);
		ps = dispatch_pool(e, ti->pool);
		if (ps->size >= 0 && ps->running >= ps->size) {
			i++;
			continue;
		}
		memmove(e->ready + i, e->ready + i + 1, (e->n_ready - i - 1) * sizeof(*e->ready));
		e->n_ready--;
		start_try(e, ti, ps, now_us);
		started++;
	}
}

/* --- paths and the worker's command line -------------------------------- */

char *dispatch_try_path(const struct engine *e, const struct ti *ti, int try_number,
			const char *ext)
{
	const struct run *r = ti->run;
	return xasprintf("%s/%s/%s/%s/%d.%s", e->cfg->logs_folder, r->dag_id, r->run_id,
			 r->dag->tasks[ti->task].id, try_number, ext);
}

char *engine_log_path(const struct engine *e, const char *dag, const char *run_id,
		      const char *task, int try_number)
{
	return xasprintf("%s/%s/%s/%s/%d.log", e->cfg->logs_folder, dag, run_id, task, try_number);
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static const char *outputs_lookup(void *ctx, const char *task, const char *name)
{
	const struct run *r = ctx;
	long i = dag_task_index(r->dag, task);
	static char *last; /* valid until the next call; the renderer copies it */
	json_t *o, *v;

	if (i < 0 || !r->tis[i].outputs)
		return NULL;
	o = json_loads(r->tis[i].outputs, 0, NULL);
	if (!o)
		return NULL;
	v = json_object_get(o, name);
	free(last);
	last = NULL;
	if (json_is_string(v))
		last = xstrdup(json_string_value(v));
	else if (v)
		last = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(o);
	return last;
}

static void conf_params(const struct run *r, struct kvlist *out)
{
	json_t *o = json_loads(r->conf, 0, NULL);
	const char *k;
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	out->v = xcalloc(json_object_size(o) + 1, sizeof(*out->v));
	json_object_foreach(o, k, v) {
		const struct param *p = dag_param(r->dag, k);
		if (!p || p->type == PT_UNTYPED)
			continue;
		out->v[out->n].key = xstrdup(k);
		out->v[out->n].val = json_is_string(v) ? xstrdup(json_string_value(v))
						       : json_dumps(v, JSON_ENCODE_ANY);
		out->n++;
	}
	json_decref(o);
}

static void env_push(struct strlist *env, char *s)
{
	env->v = xrealloc(env->v, (env->n + 2) * sizeof(*env->v));
	env->v[env->n++] = s;
	env->v[env->n] = NULL;
}

/* The daemon's environment minus DAGD_* and connection secrets. */
static void base_env(const struct engine *e, struct strlist *env)
{
	for (char **p = environ; *p; p++) {
		bool drop = strncmp(*p, "DAGD_", 5) == 0;
		for (size_t i = 0; !drop && i < e->cfg->n_conns; i++) {
			const char *ue = e->cfg->conns[i].url_env;
			size_t n = ue ? strlen(ue) : 0;
			drop = ue && strncmp(*p, ue, n) == 0 && (*p)[n] == '=';
		}
		if (!drop)
			env_push(env, xstrdup(*p));
	}
}

static void outputs_env(const struct run *r, size_t task, struct strlist *env)
{
	const struct dag *dag = r->dag;

	for (size_t i = 0; i < dag->n_tasks; i++) {
		json_t *o;
		const char *k;
		json_t *v;
		if (!r->tis[i].outputs || !dag_is_ancestor(dag, i, task))
			continue;
		o = json_loads(r->tis[i].outputs, 0, NULL);
		json_object_foreach(o, k, v) {
			struct sbuf sb;
			char *val = json_is_string(v) ? xstrdup(json_string_value(v))
						      : json_dumps(v, JSON_ENCODE_ANY);
			sbuf_init(&sb, 0);
			sbuf_adds(&sb, "DAGD_OUTPUTS_");
			env_name_append(&sb, dag->tasks[i].id);
			sbuf_addc(&sb, '_');
			env_name_append(&sb, k);
			sbuf_addf(&sb, "=%s", val ? val : "");
			free(val);
			env_push(env, sbuf_take(&sb));
		}
		json_decref(o);
	}
}

/*
 * Build argv and env of the worker for ti. 0, or an error message (new
 * string) in *why when the task cannot be run.
 */
static int build_cmd(struct engine *e, struct ti *ti, const char *result, const char *output,
		     const char *run_dir, struct strlist *argv, struct strlist *env, char **why)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	struct run_values rv;
	struct kvlist conf;
	struct tpl_error err;
	struct sbuf sb;
	char code[16];
	int rc = 0;

	conf_params(ti->run, &conf);
	fill_values(&rv, ti, &conf);
	rv.cfg = e->cfg;
	rv.run_dir = run_dir;
	env_push(argv, xstrdup(e->opts.job_bin));
	env_push(argv, xstrdup("run"));
	env_push(argv, xstrdup("--result"));
	env_push(argv, xstrdup(result));
	snprintf(code, sizeof(code), "%d", t->skip_exit_code ? t->skip_exit_code : 99);
	env_push(argv, xstrdup("--skip-code"));
	env_push(argv, xstrdup(code));
	if (!e->opts.fsync_results)
		env_push(argv, xstrdup("--no-fsync"));
	env_push(argv, xstrdup("--"));
	sbuf_init(&sb, TEMPLATE_OUT_MAX);
	switch (t->kind) {
	case KIND_SHELL:
		if (render_string(&rv, t, t->shell, &sb, &err) != 0) {
			*why = xasprintf("cannot render shell: %s", err.msg);
			rc = -1;
			break;
		}
		env_push(argv, xstrdup("bash"));
		env_push(argv, xstrdup("--noprofile"));
		env_push(argv, xstrdup("--norc"));
		env_push(argv, xstrdup("-e"));
		env_push(argv, xstrdup("-o"));
		env_push(argv, xstrdup("pipefail"));
		env_push(argv, xstrdup("-c"));
		env_push(argv, sbuf_take(&sb));
		break;
	case KIND_EXEC:
		for (size_t i = 0; i < t->exec.n && rc == 0; i++) {
			sbuf_reset(&sb);
			if (render_string(&rv, t, t->exec.v[i], &sb, &err) != 0) {
				*why = xasprintf("cannot render exec[%zu]: %s", i, err.msg);
				rc = -1;
			} else {
				env_push(argv, xstrdup(sbuf_str(&sb)));
			}
		}
		break;
	case KIND_SQL:
	case KIND_LOAD:
	case KIND_SENSOR: {
		/* data tasks: dagd-sql reads a spec (and deletes it: it holds URLs) */
		char *spec = dispatch_try_path(e, ti, ti->try_number, "spec.json");
		if (dispatch_write_spec(e, ti, &rv, spec, why) != 0) {
			rc = -1;
		} else {
			env_push(argv, xstrdup(e->sql_bin));
			env_push(argv, xstrdup(spec));
		}
		free(spec);
		break;
	}
	}
	sbuf_release(&sb);
	if (rc == 0) {
		base_env(e, env);
		if (render_env(&rv, t, env, &err) != 0) {
			*why = xasprintf("cannot render env: %s", err.msg);
			rc = -1;
		}
		env_push(env, xasprintf("DAGD_OUTPUT=%s", output));
		outputs_env(ti->run, ti->task, env);
		if (env->n) /* render_env appends without the NULL terminator */
			env_push(env, NULL), env->n--;
	}
	kvlist_release(&conf);
	return rc;
}

/* --- processes ----------------------------------------------------------- */

static void proc_unlink(struct engine *e, struct proc *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else if (e->procs == p)
		e->procs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static void proc_closed_cb(uv_handle_t *h)
{
	struct proc *p = h->data;
	if (--p->open_handles == 0) {
		if (p->pidfd >= 0)
			close(p->pidfd);
		free(p);
	}
}

static void proc_close(struct proc *p)
{
	proc_unlink(p->e, p);
	if (p->ti)
		p->ti->proc = NULL;
	p->ti = NULL;
	if (!uv_is_closing((uv_handle_t *)&p->timer))
		uv_close((uv_handle_t *)&p->timer, proc_closed_cb);
	if (p->polling && !uv_is_closing((uv_handle_t *)&p->poll))
		uv_close((uv_handle_t *)&p->poll, proc_closed_cb);
}

static void append_log(const char *path, const char *fmt, const char *arg)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	char line[1024];
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), fmt, arg);
	if (n > 0)
		(void)!write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	close(fd);
}

void dispatch_settle(struct engine *e, struct ti *ti, const struct result *rec, int exit_status,
		     int term_signal, const char *why)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	struct dstate *ds = sched_dstate(e, ti->run->dag_id, true);
	struct pool_state *ps = dispatch_pool(e, ti->pool ? ti->pool : "default");
	int64_t now = engine_now_us();
	enum ti_state s;
	const char *reason = why;
	char *log = dispatch_try_path(e, ti, ti->try_number, "log");

	if (rec) {
		ti->exit_code = rec->exit_code;
		ti->signal = rec->signal;
		if (rec->start_us)
			ti->start_us = rec->start_us;
		ti->end_us = rec->end_us ? rec->end_us : now;
		free(ti->outputs);
		ti->outputs = rec->outputs ? xstrdup(rec->outputs) : NULL;
	} else {
		ti->exit_code = term_signal ? -1 : exit_status;
		ti->signal = term_signal;
		ti->end_us = now;
	}
	if (why)
		s = TI_FAILED;
	else if (rec && rec->error)
		s = TI_FAILED, reason = rec->error;
	else if (rec && rec->outputs_too_big)
		s = TI_FAILED, reason = "outputs larger than 64 KiB";
	else if (rec && rec->skipped)
		s = TI_SKIPPED;
	else if (rec && rec->exit_code == SENSOR_NOT_YET && t->kind == KIND_SENSOR &&
		 t->sensor && t->sensor->mode == SENSOR_RESCHEDULE)
		s = TI_UP_FOR_RESCHEDULE;
	else if (rec)
		s = rec->exit_code == 0 ? TI_SUCCESS : TI_FAILED;
	else if (exit_status == JOB_EXIT_NOSTART)
		s = TI_FAILED, reason = "the worker could not start the task";
	else
		s = TI_FAILED, reason = "the worker left no result record";
	if (reason)
		append_log(log, "dagd: %s\n", reason);
	if (t->kind == KIND_SQL || t->kind == KIND_LOAD || t->kind == KIND_SENSOR) {
		/* dagd-sql deletes its spec (it holds URLs); if it never ran, we do */
		char *spec = dispatch_try_path(e, ti, ti->try_number, "spec.json");
		(void)unlink(spec);
		free(spec);
	}
	if (s == TI_UP_FOR_RESCHEDULE) {
		/* a poke, not a try: it gives its slot back and comes again */
		ti->next_us = now + t->sensor->poke_interval_ms * 1000;
		ti->try_number--;
		if (ps->running > 0)
			ps->running--;
		if (ds->running > 0)
			ds->running--;
		if (e->running > 0)
			e->running--;
		ti->pid = 0;
		sched_ti_set(e, ti, s, now);
		free(log);
		engine_wakeup(e);
		return;
	}
	/* the try's own outcome goes to the history; the instance may retry */
	ti->state = s;
	metrics_try_ended(s);
	if (store_try_insert(e->st, ti) != 0)
		log_error("dispatch", "task=%s try history not stored", t->id);
	if (s == TI_FAILED && ti->try_number <= t->retries && ti->run->state == RUN_RUNNING &&
	    !(ti->run->dag->run_timeout_ms && why && strstr(why, "run_timeout"))) {
		int64_t delay = sched_retry_delay_ms(t, ti->try_number);
		ti->next_us = now + delay * 1000;
		s = TI_UP_FOR_RETRY;
	}
	if (ps->running > 0)
		ps->running--;
	if (ds->running > 0)
		ds->running--;
	if (e->running > 0)
		e->running--;
	ti->pid = 0;
	log_info("dispatch", "dag=%s run=%s task=%s try=%d %s%s%s", ti->run->dag_id,
		 ti->run->run_id, t->id, ti->try_number, ti_state_name(s), reason ? ": " : "",
		 reason ? reason : "");
	sched_ti_set(e, ti, s, now);
	free(log);
	engine_wakeup(e);
}

static void settle_from_record_ti(struct engine *e, struct ti *ti)
{
	char *path = dispatch_try_path(e, ti, ti->try_number, "result");
	struct result rec;

	result_init(&rec);
	dispatch_settle(e, ti, result_read(path, &rec) == 0 ? &rec : NULL, -1, 0, NULL);
	result_release(&rec);
	free(path);
}

static void settle_from_record(struct proc *p, int64_t exit_status, int term_signal)
{
	struct engine *e = p->e;
	struct ti *ti = p->ti;
	struct result rec;
	char *path;
	int rc;

	if (!ti)
		return;
	path = dispatch_try_path(e, ti, ti->try_number, "result");
	result_init(&rec);
	rc = result_read(path, &rec);
	dispatch_settle(e, ti, rc == 0 ? &rec : NULL, (int)exit_status, term_signal, p->why);
	result_release(&rec);
	free(path);
}

/* An adopted worker's record is awaited this many times, this far apart. */
#define RECORD_WAITS 100
#define RECORD_WAIT_MS 20

static void exited_cb(uv_poll_t *h, int status, int events);

static void record_wait_cb(uv_timer_t *t)
{
	struct proc *p = t->data;
	exited_cb(&p->poll, 0, 0);
}

/*
 * The worker's pidfd became readable: it exited. Our own child is reaped
 * here (waitid on the pidfd, which cannot block now); an adopted one was
 * a child of the daemon before us and is reaped by init.
 */
static void exited_cb(uv_poll_t *h, int status, int events)
{
	struct proc *p = h->data;
	int64_t code = -1;
	int sig = 0;
	(void)status;
	(void)events;

	if (p->polling)
		uv_poll_stop(&p->poll);
	if (p->child) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PIDFD, (id_t)p->pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid) {
			if (si.si_code == CLD_EXITED)
				code = si.si_status;
			else
				sig = si.si_status;
		}
	}
	if (!p->child && p->ti) {
		/* not ours: its keeper writes the record right after reaping it */
		char *path = dispatch_try_path(p->e, p->ti, p->ti->try_number, "result");
		bool there = access(path, F_OK) == 0;
		free(path);
		if (!there && p->record_waits < RECORD_WAITS) {
			p->record_waits++;
			uv_timer_start(&p->timer, record_wait_cb, RECORD_WAIT_MS, 0);
			return;
		}
	}
	settle_from_record(p, code, sig);
	proc_close(p);
}

static void kill_timer_cb(uv_timer_t *t)
{
	struct proc *p = t->data;
	int pid = p->pid;

	if (!p->term_sent) {
		p->term_sent = true;
		(void)uv_kill(-pid, SIGTERM);
		uv_timer_start(&p->timer, kill_timer_cb, KILL_GRACE_MS, 0);
		return;
	}
	(void)uv_kill(-pid, SIGKILL);
}

static void timeout_cb(uv_timer_t *t)
{
	struct proc *p = t->data;
	char d[32];

	if (!p->ti)
		return;
	duration_format(p->ti->run->dag->tasks[p->ti->task].timeout_ms, d, sizeof(d));
	p->why = "timed out";
	log_warn("dispatch", "dag=%s run=%s task=%s try=%d timed out after %s: killing",
		 p->ti->run->dag_id, p->ti->run->run_id, p->ti->run->dag->tasks[p->ti->task].id,
		 p->ti->try_number, d);
	kill_timer_cb(t);
}

void dispatch_kill(struct engine *e, struct ti *ti, const char *why)
{
	struct proc *p = ti->proc;
	(void)e;

	if (!p || p->term_sent)
		return;
	p->why = why;
	uv_timer_stop(&p->timer);
	kill_timer_cb(&p->timer);
}

static struct proc *proc_new(struct engine *e, struct ti *ti)
{
	struct proc *p = xcalloc(1, sizeof(*p));

	p->e = e;
	p->ti = ti;
	p->pidfd = -1;
	uv_timer_init(e->loop, &p->timer);
	p->timer.data = p;
	p->open_handles = 1;
	p->next = e->procs;
	if (e->procs)
		e->procs->prev = p;
	e->procs = p;
	ti->proc = p;
	return p;
}

static void arm_timeout(struct proc *p)
{
	const struct task *t = &p->ti->run->dag->tasks[p->ti->task];
	int64_t left;

	if (!t->timeout_ms)
		return;
	left = t->timeout_ms - (engine_now_us() - p->ti->start_us) / 1000;
	if (t->kind == KIND_SENSOR) /* the sensor ends itself at its deadline */
		left = t->timeout_ms + SENSOR_KILL_GRACE_MS -
		       (engine_now_us() - p->ti->first_start_us) / 1000;
	uv_timer_start(&p->timer, timeout_cb, (uint64_t)(left > 0 ? left : 0), 0);
}

static int watch_pid(struct engine *e, struct ti *ti, int pid, bool child);

/*
 * Start the worker with posix_spawn (glibc: clone with CLONE_VFORK, so the
 * daemon's address space is not copied as libuv 1.44's fork-based
 * uv_spawn does) in a new session, default signals, an empty mask, stdin
 * from /dev/null and stdout/stderr on the log. Returns the pid, or -1 with
 * a message in *why.
 */
static int start_worker(struct engine *e, char **argv, char **envp, const char *cwd, int log_fd,
			char **why)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	pid_t pid = -1;
	int rc;

	(void)e;
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, argv[0], &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		*why = xasprintf("cannot start %s in %s: %s", argv[0], cwd, strerror(rc));
		return -1;
	}
	return pid;
}

/* Start the try through the keeper: 0, or -1 to start a worker instead. */
static int via_keeper(struct engine *e, struct ti *ti, const struct strlist *argv,
		      const struct strlist *env, const char *result, const char *log,
		      const char *output, int log_fd)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	struct keeper_req q;
	struct proc *p;
	size_t i = 0;

	while (i < argv->n && strcmp(argv->v[i], "--") != 0)
		i++;
	if (i + 1 >= argv->n)
		return -1;
	memset(&q, 0, sizeof(q));
	q.id = ++e->next_kid;
	q.result = result;
	q.log = log;
	q.output = output;
	q.skip_code = t->skip_exit_code ? t->skip_exit_code : 99;
	q.fsync = e->opts.fsync_results;
	q.cwd = t->cwd;
	q.argv = argv->v + i + 1;
	q.envp = env->v;
	if (klink_send(e, &q, log_fd) != 0)
		return -1;
	p = proc_new(e, ti);
	p->kid = q.id;
	arm_timeout(p);
	return 0;
}

static void spawn_try(struct engine *e, struct ti *ti)
{
	const struct task *t = &ti->run->dag->tasks[ti->task];
	char *log = dispatch_try_path(e, ti, ti->try_number, "log");
	char *result = dispatch_try_path(e, ti, ti->try_number, "result");
	char *output = dispatch_try_path(e, ti, ti->try_number, "output.json");
	char *dir = xstrdup(log), *run_dir;
	struct strlist argv = {0}, env = {0};
	char *why = NULL;
	int fd = -1, rc, pid;

	*strrchr(dir, '/') = '\0';
	run_dir = xasprintf("%s/%s/%s/.run", e->cfg->logs_folder, ti->run->dag_id,
			    ti->run->run_id);
	if ((rc = mkdirs(dir)) != 0 || (rc = mkdirs(run_dir)) != 0) {
		why = xasprintf("cannot create %s: %s", dir, strerror(-rc));
		goto fail;
	}
	(void)unlink(result);
	(void)unlink(output);
	/* a sensor's pokes share one try's log; any other try starts it anew */
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
			       (t->kind == KIND_SENSOR ? 0 : O_TRUNC),
		  0644);
	if (fd < 0) {
		why = xasprintf("cannot open log %s: %s", log, strerror(errno));
		goto fail;
	}
	if (build_cmd(e, ti, result, output, run_dir, &argv, &env, &why) != 0)
		goto fail;
	if (!e->no_keeper && via_keeper(e, ti, &argv, &env, result, log, output, fd) == 0)
		goto out;
	pid = start_worker(e, argv.v, env.v, t->cwd, fd, &why);
	if (pid <= 0)
		goto fail;
	if (watch_pid(e, ti, pid, true) != 0) {
		/* cannot watch it: kill it rather than lose track of it */
		(void)kill(-pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		why = xasprintf("cannot watch the worker: %s", strerror(errno));
		goto fail;
	}
	ti->pid = pid;
	ti->pid_start = proc_start_time(pid);
	if (store_ti_update(e->st, ti) != 0)
		log_error("dispatch", "task=%s pid not stored", t->id);
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	fd = -1;
	append_log(log, "dagd: %s\n", why);
	dispatch_settle(e, ti, NULL, JOB_EXIT_NOSTART, 0, why);
out:
	if (fd >= 0)
		close(fd);
	free(why);
	strlist_release(&argv);
	for (size_t i = 0; i < env.n; i++)
		free(env.v[i]);
	free(env.v);
	free(log);
	free(result);
	free(output);
	free(dir);
	free(run_dir);
}

void dispatch_spawn_pending(struct engine *e)
{
	/* spawning may settle a try (and queue more): take the list first */
	size_t n = e->n_spawn;
	struct ti **list = e->to_spawn;

	e->to_spawn = NULL;
	e->n_spawn = e->alloc_spawn = 0;
	for (size_t i = 0; i < n; i++)
		spawn_try(e, list[i]);
	free(list);
}

/* Watch pid through a pidfd; child: we must reap it. 0 or -1 (errno). */
static int watch_pid(struct engine *e, struct ti *ti, int pid, bool child)
{
	int fd = proc_pidfd_open(pid);
	struct proc *p;

	if (fd < 0)
		return -1;
	p = proc_new(e, ti);
	p->pidfd = fd;
	p->pid = pid;
	p->child = child;
	uv_poll_init(e->loop, &p->poll, fd);
	p->polling = true;
	p->open_handles++;
	p->poll.data = p;
	uv_poll_start(&p->poll, UV_READABLE, exited_cb);
	arm_timeout(p);
	return 0;
}

int dispatch_adopt(struct engine *e, struct ti *ti)
{
	return watch_pid(e, ti, (int)ti->pid, false);
}

static struct proc *by_kid(struct engine *e, uint64_t id)
{
	for (struct proc *p = e->procs; p; p = p->next)
		if (p->kid == id)
			return p;
	return NULL;
}

void dispatch_keeper_started(struct engine *e, uint64_t id, int pid)
{
	struct proc *p = by_kid(e, id);

	if (!p || !p->ti)
		return;
	p->pid = pid;
	p->ti->pid = pid;
	p->ti->pid_start = proc_start_time(pid);
	if (store_ti_update(e->st, p->ti) != 0)
		log_error("dispatch", "task=%s pid not stored", p->ti->run->dag->tasks[p->ti->task].id);
	engine_wakeup(e); /* commit it soon */
	if (p->why && !p->term_sent)
		kill_timer_cb(&p->timer); /* killed before we knew its pid */
}

void dispatch_keeper_finished(struct engine *e, uint64_t id)
{
	struct proc *p = by_kid(e, id);

	if (!p)
		return;
	settle_from_record(p, -1, 0);
	proc_close(p);
}

void dispatch_keeper_lost(struct engine *e)
{
	struct proc *p, *next;

	for (p = e->procs; p; p = next) {
		next = p->next;
		if (!p->kid || !p->ti)
			continue;
		if (p->pid > 0) {
			struct ti *ti = p->ti;
			proc_close(p);
			if (watch_pid(e, ti, (int)ti->pid, false) == 0)
				continue;
			settle_from_record_ti(e, ti);
		} else {
			settle_from_record(p, -1, 0);
			proc_close(p);
		}
	}
}

void engine_pool_stats(struct engine *e,
		       void (*cb)(void *arg, const char *pool, int size, int running, int queued),
		       void *arg)
{
	for (size_t i = 0; i < e->n_pools; i++) {
		int queued = 0;
		for (size_t j = 0; j < e->n_ready; j++)
			queued += strcmp(e->ready[j]->pool ? e->ready[j]->pool : "default",
					 e->pools[i].name) == 0;
		cb(arg, e->pools[i].name, e->pools[i].size, e->pools[i].running, queued);
	}
}

void dispatch_close_all(struct engine *e)
{
	while (e->procs)
		proc_close(e->procs);
}
