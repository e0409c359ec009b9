/*
 * cli_client.h - what the client commands share: cli_client.c's plumbing
 * (arguments, finding the daemon and the token, calls and their errors),
 * used by the commands there and in cli_client_logs.c, and the human
 * output of cli_client_fmt.c (aligned tables, the printers of the API's
 * JSON answers of DESIGN.md section 6, which talk no HTTP).
 */
#ifndef DAGD_CLI_CLIENT_H
#define DAGD_CLI_CLIENT_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "http_client.h"
#include "util.h"

/* How often `trigger --wait` and `logs -f` (before the try starts) ask again. */
#define CLIENT_POLL_MS 200

/* getopt_long codes of the long options. */
enum {
	OPT_URL = 256, OPT_TOKEN_FILE, OPT_CONFIG, OPT_JSON, OPT_CONF, OPT_DATE, OPT_WAIT,
	OPT_STATE, OPT_LIMIT, OPT_DOWNSTREAM, OPT_FAILED_ONLY, OPT_TRY, OPT_DRY_RUN,
};

/* Marks "go on" where the argument parser returns an exit code otherwise. */
#define CLIENT_CONTINUE (-1)

/* The options every client command takes, first in its struct option table. */
#define COMMON_OPTS                                              \
	{"url", required_argument, NULL, OPT_URL},               \
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE}, \
	{"config", required_argument, NULL, OPT_CONFIG},         \
	{"json", no_argument, NULL, OPT_JSON},                   \
	{"help", no_argument, NULL, 'h'}

#define COMMON_USAGE "       options: --url URL, --token-file FILE, --config FILE, --json\n"

/* One command's connection settings; client_parse_args() fills the options. */
struct client {
	const char *url_opt, *token_file, *config;
	bool json;
	char *url_text; /* the daemon's URL, for messages */
	struct http_url url;
	char *token;    /* never printed */
};

/* One answer: the HTTP response and its body parsed as JSON. */
struct answer {
	struct http_response http;
	json_t *json;
};

/*
 * Parse argv with opts (COMMON_OPTS plus the command's own) into cl (zeroed
 * first); the command's options go to cmd_opt (0 taken, CLIENT_CONTINUE
 * unknown, else an exit code). Then min_pos..max_pos positionals (max_pos
 * < 0: no limit) must remain, the first at argv[*first]. Returns
 * CLIENT_CONTINUE to go on, else the exit code (0 after --help, 2 usage).
 */
int client_parse_args(struct client *cl, int argc, char **argv, const struct option *opts,
		      const char *shortopts, const char *usage,
		      int (*cmd_opt)(void *ctx, int c, const char *arg), void *ctx, int min_pos,
		      int max_pos, int *first);
/* "dagd: " + the message, then usage; returns EXIT_USAGE. */
int client_bad_value(const char *usage, const char *fmt, ...) DAGD_PRINTF(2, 3);
/* Find the daemon's URL and the token; 0, or 1 with a message printed. */
int client_open(struct client *cl);
/* Free what client_open() set (the token wiped first); cl is zeroed. */
void client_release(struct client *cl);

/* "/api/v1/dags/", dag, "/runs/", run, ..., NULL: literals and segments
 * (percent-encoded) alternate. Returns a new string; cannot fail. */
char *client_path(const char *lit, ...);
/*
 * Send req (cl's token added); 0 on a 2xx answer in *r (release it),
 * else 1 with the reason printed: "cannot reach dagd at URL: ..." or the
 * JSON error as "dagd: error: detail", and *r released.
 */
int client_call_raw(const struct client *cl, struct http_request *req, struct http_response *r);
/* Print a non-2xx answer's JSON error (or its status) to stderr. */
void client_http_error(const struct client *cl, const struct http_response *r);
/* A JSON call: body (borrowed, may be NULL); 0 with *a set, else 1 as above. */
int client_call(const struct client *cl, const char *method, const char *path,
		const json_t *body, struct answer *a);
void client_answer_release(struct answer *a);
/* --json: the server's JSON as is, on one line of stdout. */
void client_print_raw(const struct answer *a);

/* Is a run's JSON in a final state (success or failed)? */
bool client_run_ended(const json_t *run);
/* Wall time in milliseconds; sleep (blocking is fine in the CLI). */
int64_t client_now_ms(void);
void client_sleep_ms(int ms);

/* A table of text cells printed with aligned columns, two spaces apart. */
struct cli_table {
	size_t ncols;
	size_t nrows; /* the header row included */
	char **cells; /* nrows * ncols, owned */
};

/* Start a table with the header row headers[0..ncols); cannot fail. */
void cli_table_init(struct cli_table *t, size_t ncols, const char *const *headers);
/* Append a row of ncols cells (copied; NULL prints as "-"). */
void cli_table_add(struct cli_table *t, const char *const *cells);
/* Print the table; the last column is not padded. */
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_release(struct cli_table *t);

/*
 * An API time ("2026-01-10T03:00:00.123Z") without its fraction, as
 * "2026-01-10T03:00:00Z"; "-" for JSON null or a non-string. buf needs 32
 * bytes.
 */
void cli_fmt_time(const json_t *t, char *buf, size_t len);
/* Milliseconds since the epoch of an API time; -1 if it is not one. */
int64_t cli_fmt_time_ms(const json_t *t);
/*
 * The time from start to end (to now_ms while end is null) as "0.4s",
 * "12.0s", "3m04s", "1h02m" or "2d03h"; "-" without a start.
 */
void cli_fmt_duration(const json_t *start, const json_t *end, int64_t now_ms, char *buf,
		      size_t len);

/* Human forms of the API's answers, to f. now_ms: for running durations. */
void cli_fmt_dags(const json_t *list, FILE *f);
void cli_fmt_runs(const json_t *list, int64_t now_ms, FILE *f);
void cli_fmt_tasks(const json_t *run, int64_t now_ms, FILE *f);
void cli_fmt_backfill(const json_t *answer, FILE *f);

#endif
