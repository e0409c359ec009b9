/*
 * result.h - the result record a worker (dagd-job) writes next to a try's
 * log, and the daemon reads to settle the try: shared by daemon/ and jobs/.
 * Format: text lines "key=value", values escaped (\\ \n \r as \\, \n, \r),
 * first line "dagd-result 1". Written to PATH.tmp, fsynced, renamed to PATH,
 * so a reader sees a whole record or none.
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

void result_init(struct result *r);
void result_release(struct result *r);

/* Write r atomically to path (tmp + fsync + rename). 0 or -errno. */
int result_write(const char *path, const struct result *r, bool do_fsync);
/*
 * Read the record at path. 0; -ENOENT when there is none; -EINVAL when it
 * is malformed (a torn write cannot happen, so this means corruption).
 */
int result_read(const char *path, struct result *r);
/* Parse a record from memory (used by result_read and the fuzzer). */
int result_parse(const char *buf, size_t len, struct result *r);

#endif
