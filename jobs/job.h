/*
 * job.h - interfaces between the modules of dagd-job, the worker that runs
 * one task try (job_main.c drives: job_proc.c, job_run.c, job_outputs.c,
 * with job_omap.c, job_json.c and job_util.c under them). Internal to
 * jobs/: the daemon shares only result.h with the worker.
 */
#ifndef DAGD_JOB_H
#define DAGD_JOB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define JOB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define JOB_WUR __attribute__((warn_unused_result))

/* --- job_util.c --- */

/* malloc/realloc that cannot fail: on out of memory they say so on stderr
 * and exit JOB_EXIT_NOSTART (no record: the daemon fails the try). */
void *job_xmalloc(size_t n);
void *job_xrealloc(void *p, size_t n);

/* Growable byte buffer, not NUL-terminated; {0} is empty. Cannot fail. */
struct jbuf {
	char *p;
	size_t len, cap;
};
void jbuf_add(struct jbuf *b, const char *s, size_t n);
void jbuf_addc(struct jbuf *b, char c);
void jbuf_release(struct jbuf *b);

/* "dagd-job: MESSAGE\n" on stderr (the try's log), one write(2). */
void job_msg(const char *fmt, ...) JOB_PRINTF(1, 2);
/* Set r->error (replacing an earlier one) to the formatted message,
 * truncated to RESULT_ERROR_MAX bytes, invalid UTF-8 as '?', and log it
 * with job_msg(). */
void job_fail(struct result *r, const char *fmt, ...) JOB_PRINTF(2, 3);

/* Length of the valid UTF-8 sequence at s[0..n) (1-4), or 0 when s does
 * not start with one (overlong, surrogate, above U+10FFFF, truncated). */
size_t job_utf8_len(const unsigned char *s, size_t n);

/* --- job_json.c --- */

/* Append s[0..n) as a JSON string with its quotes: '"', '\\' and control
 * characters escaped, invalid UTF-8 bytes as \ufffd. */
void job_json_str(struct jbuf *b, const char *s, size_t n);

/* Called for each top-level member: key is its name re-encoded as a
 * canonical JSON string (quotes included), val the member's value as it
 * stands in the text. Returns 0 to go on. */
typedef int (*job_member_fn)(void *ctx, const char *key, size_t klen, const char *val,
			     size_t vlen);
/*
 * Check that text[0..n) is exactly one JSON object (RFC 8259, UTF-8, plus
 * what jansson refuses: \u0000, integers outside int64, reals that
 * overflow a double, nesting over 512) and call fn (if not NULL) for each
 * member in order. 0, or -1 with *msg (static text) and *off (byte offset
 * of the problem); fn's non-zero return is passed through.
 */
int job_json_object(const char *text, size_t n, job_member_fn fn, void *ctx,
		    const char **msg, size_t *off) JOB_WUR;

/* --- job_omap.c: the outputs being collected, later names win --- */

struct omember;
struct omap {
	struct omember *v;
	size_t n, alloc;
	uint32_t *slot; /* hash of key -> index + 1; 0 is free */
	size_t nslot;
	size_t held;    /* bytes of member text held */
	bool too_big;   /* sticky: the outputs cannot fit any more */
};
void omap_init(struct omap *m);
void omap_release(struct omap *m);
/* Set member key (a JSON string text) to val (JSON value text); a new key
 * goes last, an existing one keeps its place. */
void omap_set(struct omap *m, const char *key, size_t klen, const char *val, size_t vlen);
/* The object text "{...}" in a new string, NULL when there are no members
 * or they exceed RESULT_OUTPUTS_MAX (then *too_big is set). */
char *omap_render(const struct omap *m, bool *too_big);

/* --- job_proc.c --- */

/* Signals the worker ignores (SIGTERM, SIGINT, SIGHUP, SIGPIPE), which the
 * task gets back at their default. */
void job_ignored_signals(sigset_t *set);
/* Make fds 0-2 open, close every fd above 2, reset every signal to its
 * default and unblock all, then ignore job_ignored_signals(). */
void job_proc_init(void);

/* --- job_run.c --- */

/*
 * Run argv (argv[0] searched in PATH) to completion in the worker's process
 * group, filling r's times, exit_code, signal and rusage. 0 when it ran;
 * -1 when it could not start (r->error set, r->exit_code JOB_EXIT_NOSTART).
 */
int job_run(char *const argv[], struct result *r) JOB_WUR;
/* Spawn attributes for a task: all signals default, none blocked, and a
 * new session when new_session. 0 or an errno value. */
#include <spawn.h>
int job_spawn_attr(posix_spawnattr_t *attr, bool new_session) JOB_WUR;
int64_t job_now_us(void);

/* --- job_keeper.c --- */

/* `dagd-job keeper`: serve start requests on fd 3 until the daemon goes
 * away and every task it started has ended. Returns the exit code. */
int job_keeper_main(void);

/* --- job_outputs.c --- */

/* After the task: collect ::set-output lines from fd 1 (when it is a
 * regular file) and the members of the $DAGD_OUTPUT file into r->outputs,
 * or set r->outputs_too_big, or r->error for a malformed file. */
void job_outputs_collect(struct result *r);
/* The same for a task the keeper ran: the log at log_path, the outputs
 * file at output_path (may be NULL). */
void job_outputs_collect_at(struct result *r, const char *log_path, const char *output_path);

#endif
