/*
 * serve.c - `dagd serve`: opens the config and the store, loads the DAGs,
 * recovers unfinished runs (adopting live workers), starts the API, and
 * runs the loop until SIGTERM/SIGINT, which stop new tries, wait
 * shutdown_grace for running ones, and exit leaving the rest to be
 * adopted by the next start. SIGHUP reloads the DAGs. With systemd
 * (NOTIFY_SOCKET) it sends READY=1, RELOADING=1 and READY=1 around a
 * SIGHUP reload, STOPPING=1 on SIGTERM, and WATCHDOG=1 from the loop every
 * half $WATCHDOG_USEC (systemd/dagd.service).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "daemon.h"
#include "engine.h"
#include "log.h"
#include "registry.h"
#include "store.h"

char *daemon_job_bin(void)
{
	const char *env = getenv("DAGD_JOB_BIN");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return xstrdup("dagd-job");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	return xasprintf("%s/dagd-job", self);
}

/*
 * sd_notify without libsystemd: one datagram to $NOTIFY_SOCKET. The socket
 * and the watchdog settings are read once, at start, and removed from the
 * environment (as sd_notify(1, ...) does), so that the keeper and the tasks
 * do not inherit them: their messages would be refused by systemd
 * (NotifyAccess=main) and a task's READY=1 must never stand for ours.
 */
static char notify_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	notify_path[0] = '\0';
	if (path && *path && strlen(path) < sizeof(notify_path))
		memcpy(notify_path, path, strlen(path) + 1);
	unsetenv("NOTIFY_SOCKET");
}

static void notify(const char *msg)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(notify_path), len;
	int fd;

	if (!n)
		return;
	memcpy(sa.sun_path, notify_path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + n;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	(void)!sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		      (socklen_t)len);
	close(fd);
}

/* The watchdog period in ms (half of $WATCHDOG_USEC, as sd_watchdog_enabled
 * and systemd.service(5) advise), or 0 when there is no watchdog or it is
 * meant for another process ($WATCHDOG_PID). */
static uint64_t watchdog_init(void)
{
	const char *usec_s = getenv("WATCHDOG_USEC"), *pid_s = getenv("WATCHDOG_PID");
	int64_t usec = 0, pid = 0;
	uint64_t ms = 0;

	if (usec_s && parse_i64(usec_s, 1, INT64_MAX, &usec) == 0 &&
	    (!pid_s || (parse_i64(pid_s, 1, INT_MAX, &pid) == 0 && pid == (int64_t)getpid()))) {
		ms = (uint64_t)(usec / 2000);
		if (ms == 0)
			ms = 1;
	}
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return ms;
}

static void registry_cb(void *ctx, const char *id, struct dag *dag)
{
	struct dagd *d = ctx;
	engine_dag_changed(d->eng, id, dag);
}

static void ti_changed_cb(void *ctx, const struct run *r, const struct ti *ti)
{
	(void)ctx;
	(void)r;
	(void)ti;
	api_logs_wake_all();
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void drained_cb(void *ctx)
{
	struct dagd *d = ctx;

	log_info("serve", "stopping");
	api_stop(d->api);
	d->api = NULL;
	registry_free(d->reg);
	d->reg = NULL;
	engine_free(d->eng);
	d->eng = NULL;
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->watchdog, NULL);
}

static void stop_cb(uv_signal_t *s, int signum)
{
	struct dagd *d = s->data;

	if (d->stopping) {
		log_warn("serve", "signal %d again: exiting now", signum);
		drained_cb(d);
		return;
	}
	d->stopping = true;
	notify("STOPPING=1");
	log_info("serve", "signal %d: draining for up to %lld ms", signum,
		 (long long)d->cfg->shutdown_grace_ms);
	engine_drain(d->eng, d->cfg->shutdown_grace_ms, drained_cb, d);
}

static void hup_cb(uv_signal_t *s, int signum)
{
	struct dagd *d = s->data;
	(void)signum;
	log_info("serve", "SIGHUP: reloading DAGs");
	{
		/* MONOTONIC_USEC lets systemd >= 253 match this reload to its request */
		struct timespec ts;
		char msg[64];
		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
			 (unsigned long long)ts.tv_sec * 1000000ULL +
				 (unsigned long long)ts.tv_nsec / 1000ULL);
		notify(msg);
	}
	registry_reload(d->reg);
	notify("READY=1");
}

static void watchdog_cb(uv_timer_t *t)
{
	(void)t;
	notify("WATCHDOG=1");
}

static int read_token(struct dagd *d)
{
	char *buf;
	size_t len;

	if (!d->cfg->api_token_file)
		return 0;
	if (read_file(d->cfg->api_token_file, 4096, &buf, &len) != 0) {
		log_error("serve", "cannot read api_token_file %s", d->cfg->api_token_file);
		return -1;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (len < 16) {
		log_error("serve", "the API token in %s is shorter than 16 characters",
			  d->cfg->api_token_file);
		free(buf);
		return -1;
	}
	d->token = buf;
	return 0;
}

static bool loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "localhost:", 10) == 0 ||
	       strncmp(listen, "[::1]:", 6) == 0;
}

int daemon_serve(const char *config_path)
{
	struct dagd d = {0};
	struct diags dg;
	struct engine_opts eo = {.schedule = true, .fsync_results = true};
	char err[256];
	char *job_bin = NULL;
	enum log_level lvl;
	uint64_t watchdog_ms;
	int rc;

	/* before anything is spawned: the keeper inherits our environment */
	notify_init();
	watchdog_ms = watchdog_init();
	diags_init(&dg);
	if (!config_path)
		config_path = config_default_path();
	if (config_load(config_path, &d.cfg, &dg) != 0) {
		diags_print(&dg, stderr);
		diags_release(&dg);
		return 1;
	}
	diags_release(&dg);
	if (log_level_parse(d.cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
	if (read_token(&d) != 0)
		goto fail;
	if (!loopback(d.cfg->listen) && !d.token) {
		log_error("serve", "refusing to listen on %s without api_token_file", d.cfg->listen);
		goto fail;
	}
	d.loop = uv_default_loop();
	d.started_us = 0;
	if (store_open(d.cfg->state, &d.st, err, sizeof(err)) != 0) {
		log_error("serve", "cannot open the state store: %s", err);
		goto fail;
	}
	job_bin = daemon_job_bin();
	eo.job_bin = job_bin;
	/* result records are as durable as the store: fsynced only with
	 * DAGD_STORE_SYNC=full (a process crash loses neither; a power loss
	 * may lose the last turn of both, and such a try runs again) */
	eo.fsync_results = getenv("DAGD_STORE_SYNC") && strcmp(getenv("DAGD_STORE_SYNC"), "full") == 0;
	{
		struct engine_hooks hooks = {.ctx = &d, .ti_changed = ti_changed_cb};
		engine_new(d.loop, d.cfg, d.st, &eo, &hooks, &d.eng);
	}
	registry_new(d.loop, d.cfg, registry_cb, &d, &d.reg);
	registry_reload(d.reg);
	if ((rc = registry_watch(d.reg)) != 0)
		log_warn("serve", "not watching %s: %s (use SIGHUP to reload)", d.cfg->dags_folder,
			 uv_strerror(rc));
	if (engine_recover(d.eng) != 0)
		log_error("serve", "recovery from the store failed");
	if (api_start(&d, &d.api, err, sizeof(err)) != 0) {
		log_error("serve", "cannot listen on %s: %s", d.cfg->listen, err);
		engine_free(d.eng);
		registry_free(d.reg);
		uv_walk(d.loop, close_walk_cb, NULL);
		uv_run(d.loop, UV_RUN_DEFAULT);
		store_close(d.st);
		goto fail;
	}
	uv_signal_init(d.loop, &d.sig_term);
	uv_signal_init(d.loop, &d.sig_int);
	uv_signal_init(d.loop, &d.sig_hup);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	uv_signal_start(&d.sig_term, stop_cb, SIGTERM);
	uv_signal_start(&d.sig_int, stop_cb, SIGINT);
	uv_signal_start(&d.sig_hup, hup_cb, SIGHUP);
	uv_timer_init(d.loop, &d.watchdog);
	if (watchdog_ms)
		uv_timer_start(&d.watchdog, watchdog_cb, watchdog_ms, watchdog_ms);
	log_info("serve", "listening on http://%s (%zu DAGs, state %s)", d.cfg->listen,
		 registry_count(d.reg), strncmp(d.cfg->state, "sqlite://", 9) == 0 ? d.cfg->state
										: "postgresql");
	notify("READY=1");
	uv_run(d.loop, UV_RUN_DEFAULT);
	store_close(d.st);
	(void)uv_loop_close(d.loop);
	free(job_bin);
	free(d.token);
	config_free(d.cfg);
	return 0;
fail:
	free(job_bin);
	free(d.token);
	config_free(d.cfg);
	return 1;
}
