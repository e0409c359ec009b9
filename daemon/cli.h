/*
 * cli.h - the dagd command line (DESIGN.md section 7). cli_main() picks the
 * command; each command lives in its own cli_*.c. Exit codes: 0 ok, 1
 * failure, 2 usage.
 */
#ifndef DAGD_CLI_H
#define DAGD_CLI_H

#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "config.h"
#include "dag.h"

#define EXIT_USAGE 2

int cli_main(int argc, char **argv);

int cli_check(int argc, char **argv);
int cli_next(int argc, char **argv);
int cli_render(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_serve(int argc, char **argv);
/* Client commands over the HTTP API (cli_client.c, cli_client_logs.c). */
int cli_dags(int argc, char **argv);
int cli_trigger(int argc, char **argv);
int cli_runs(int argc, char **argv);
int cli_rerun(int argc, char **argv);
int cli_logs(int argc, char **argv);
int cli_backfill(int argc, char **argv);
int cli_pause(int argc, char **argv);
int cli_unpause(int argc, char **argv);
int cli_mark(int argc, char **argv);

/* Print "usage: dagd CMD ..." to stderr and return EXIT_USAGE. */
int cli_usage(const char *text);

/*
 * Load the config: path, else config_default_path(), else defaults.
 * Prints problems; NULL on failure.
 */
struct config *cli_config(const char *path);

/*
 * Find a DAG by file path or id (searching cfg->dags_folder). Prints
 * import errors of that file; NULL if not found or broken.
 */
struct dag *cli_find_dag(const struct config *cfg, const char *arg);

/* Parse a --after / DATE argument in zone z ("now" allowed); 0 or -1. */
int cli_parse_time(const struct dag *dag, const char *s, int64_t *out);

struct engine;
struct store;
/* Free the engine, close every handle left on loop, close the store. */
void cli_engine_close(uv_loop_t *loop, struct engine *eng, struct store *st);
/* --conf TEXT as a JSON object (new reference), or NULL with why filled in
 * (where the JSON breaks, or what it is instead of an object). */
json_t *cli_parse_conf(const char *text, char *why, size_t len);
/* Remove dir and all below it (links not followed); 0 or -1 with errno. */
int cli_remove_tree(const char *dir);

/* Current UTC time in seconds. */
int64_t cli_now(void);

#endif
