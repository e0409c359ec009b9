/*
 * result.h - the result record a worker (dagd-job) writes next to a try's
 * log, and the daemon reads to settle the try: shared by daemon/ and jobs/.
 * Format: text lines "key=value", values escaped (\\ \n \r as \\, \n, \r),
 * first line "dagd-result 1". Written to PATH.tmp, fsynced, renamed to PATH,
 * so a reader sees a whole record or none.
 *
 * A record, in this order (error and outputs only when not NULL):
 *
 *   dagd-result 1
 *   pid=4242
 *   start_us=1767236400000000
 *   end_us=1767236400012345
 *   exit_code=3
 *   signal=0
 *   max_rss_kb=1536
 *   user_us=800
 *   sys_us=1200
 *   skipped=false
 *   outputs_too_big=false
 *   error=DAGD_OUTPUT file is not a JSON object: expected ',' or '}' ...
 *   outputs={"n_rows":"42"}
 *
 * Integers are decimal with no sign but '-', no leading zeros; booleans are
 * "true" or "false"; every line ends in '\n'. A reader ignores a key it does
 * not know (later versions may add some) but rejects a known key twice.
 *
 * How the daemon settles a try from a record: the try failed when error is
 * set, when outputs_too_big is set, or when exit_code is not 0 and the try
 * was not skipped; it was skipped when skipped is set and error is not;
 * otherwise it succeeded.
 */
#ifndef DAGD_RESULT_H
#define DAGD_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit code of dagd-job when the task could not be started at all
 * (bad arguments, exec failure, cannot write the record). */
#define JOB_EXIT_NOSTART 125

/* Outputs of one try are capped (DESIGN.md section 3). */
#define RESULT_OUTPUTS_MAX (64u * 1024u)
/* An error message is at most this many bytes (dagd-job truncates). */
#define RESULT_ERROR_MAX 4096u
/* Largest record result_read() accepts: escaping at most doubles error and
 * outputs, and the rest is a few hundred bytes. */
#define RESULT_RECORD_MAX (256u * 1024u)
/* Largest signal number a record may carry. */
#define RESULT_SIGNAL_MAX 127

struct result {
	int64_t pid;          /* the worker's pid */
	int64_t start_us;     /* wall clock, microseconds since the epoch */
	int64_t end_us;
	int exit_code;        /* -1 when killed by a signal */
	int signal;           /* 0 unless killed by a signal */
	int64_t max_rss_kb;   /* of the task process tree (ru_maxrss of children) */
	int64_t user_us, sys_us;
	bool skipped;         /* exit code was the skip code, skip_if held, soft_fail */
	char *error;          /* why the task could not run or failed inside the worker */
	char *outputs;        /* a JSON object text, or NULL */
	bool outputs_too_big; /* outputs exceeded RESULT_OUTPUTS_MAX (the try fails) */
};
/*
 * Field rules, checked by result_format() and result_parse():
 * - pid > 0; start_us, end_us, max_rss_kb, user_us, sys_us >= 0 (end_us may
 *   be below start_us if the wall clock stepped back).
 * - exit_code is 0..255, or -1 exactly when signal is 1..RESULT_SIGNAL_MAX.
 *   When the task never started, exit_code is JOB_EXIT_NOSTART, the times
 *   are the attempt's, rusage is 0 and error says why.
 * - error: NULL, or a NUL-free message of at most RESULT_ERROR_MAX bytes.
 *   Set means the try failed, whatever exit_code says: the task could not
 *   be started, or the worker failed after it ran (a malformed DAGD_OUTPUT
 *   file, an unreadable log).
 * - outputs: NULL (the task set none), or the text of one JSON object of at
 *   most RESULT_OUTPUTS_MAX bytes; only its first and last characters ('{'
 *   and '}') are checked here, dagd-job produces valid JSON (UTF-8, no NUL).
 * - outputs_too_big implies outputs == NULL.
 */

/* Zero every field (pointers NULL). Cannot fail, allocates nothing. */
void result_init(struct result *r);
/* Free error and outputs and zero r again; r == NULL is a no-op. */
void result_release(struct result *r);

/* Write r atomically to path (tmp + fsync + rename). 0 or -errno.
 * The temp file is path + ".tmp" and is removed on failure; with do_fsync
 * the file is fsynced before the rename and its directory after it (best
 * effort: the record is in place by then). -EINVAL when r breaks the
 * field rules above, -ENOMEM, else the errno of open/write/fsync/rename. */
int result_write(const char *path, const struct result *r, bool do_fsync);
/*
 * Read the record at path. 0; -ENOENT when there is none; -EINVAL when it
 * is malformed (a torn write cannot happen, so this means corruption).
 * A file over RESULT_RECORD_MAX is malformed; other failures are the errno
 * of open/read. r need not be initialised and its old contents are not
 * freed; on failure it is left as after result_init().
 */
int result_read(const char *path, struct result *r);
/* Parse a record from memory (used by result_read and the fuzzer).
 * 0, -EINVAL or -ENOMEM; r as for result_read(). */
int result_parse(const char *buf, size_t len, struct result *r);

/*
 * Format r as record text: *out is a new NUL-terminated buffer the caller
 * frees, *len its length. 0, -EINVAL when r breaks the field rules, or
 * -ENOMEM. result_parse() of the text gives r back.
 */
int result_format(const struct result *r, char **out, size_t *len);

#endif
