/*
 * daemon.h - the context of one `dagd serve` process: the loop and the
 * modules it wires together. Passed to the API so handlers reach the
 * engine, the registry and the store through their own headers.
 */
#ifndef DAGD_DAEMON_H
#define DAGD_DAEMON_H

#include <stdint.h>
#include <uv.h>

struct config;
struct store;
struct engine;
struct registry;
struct api;

struct dagd {
	uv_loop_t *loop;
	struct config *cfg;
	struct store *st;
	struct engine *eng;
	struct registry *reg;
	struct api *api;
	char *token; /* API bearer token, or NULL (never logged) */
	int64_t started_us;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t watchdog;
	int exit_code;
	bool stopping;
};

/* `dagd serve`: returns the process exit code. */
int daemon_serve(const char *config_path);
/* Path of dagd-job: $DAGD_JOB_BIN, else next to this executable. New string. */
char *daemon_job_bin(void);

#endif
