/*
 * util.h - small helpers every module uses: allocation that aborts on
 * out-of-memory, a growable string buffer with a cap, error codes and
 * checked number parsing. Nothing here touches the loop, the store or a
 * clock, so pure modules (cron, template, dag_parse) may use it freely.
 */
#ifndef DAGD_UTIL_H
#define DAGD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DAGD_WUR __attribute__((warn_unused_result))
#define DAGD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Error codes: 0 is success, failures are negative. */
#define DAGD_ERRORS(X)                                   \
	X(DAGD_OK, 0, "success")                         \
	X(DAGD_EINVAL, -1, "invalid input")              \
	X(DAGD_ENOENT, -2, "not found")                  \
	X(DAGD_EIO, -3, "input/output error")            \
	X(DAGD_ETOOBIG, -4, "too large")                 \
	X(DAGD_ECONFLICT, -5, "conflicting state")       \
	X(DAGD_ESTORE, -6, "state store error")          \
	X(DAGD_ENEVER, -7, "schedule never fires")       \
	X(DAGD_ESYS, -8, "system call failed")

enum dagd_err {
#define X(name, val, text) name = val,
	DAGD_ERRORS(X)
#undef X
};

/* Text for a DAGD_E* code; never NULL. */
const char *dagd_strerror(int err);

/* Allocation: these log and abort on out of memory, so they cannot fail. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) DAGD_PRINTF(1, 2);

/*
 * Growable NUL-terminated buffer. sbuf_init() allocates nothing; max is a
 * cap on len (0: no cap). Appending past the cap sets overflow and keeps
 * the buffer as it was, so callers check once at the end.
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
	bool overflow;
};
void sbuf_init(struct sbuf *sb, size_t max);
void sbuf_release(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
void sbuf_addn(struct sbuf *sb, const char *s, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) DAGD_PRINTF(2, 3);
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) DAGD_PRINTF(2, 0);
/* Returns the buffer (never NULL, "" when empty); the caller frees it. */
char *sbuf_take(struct sbuf *sb);
/* Current contents, "" when empty; borrowed. */
const char *sbuf_str(const struct sbuf *sb);

/* Parse a whole decimal integer with bounds; 0 or DAGD_EINVAL. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out) DAGD_WUR;

/* Levenshtein distance, capped at 100; for "did you mean" hints. */
int edit_distance(const char *a, const char *b);
/* The candidate closest to word (distance <= 2, or a prefix); NULL if none. */
const char *closest_word(const char *word, const char *const *cands, size_t n);

/* Read a whole file, at most max bytes; 0, DAGD_ENOENT, DAGD_EIO, DAGD_ETOOBIG. */
int read_file(const char *path, size_t max, char **out, size_t *len) DAGD_WUR;

/* true if s matches [A-Za-z0-9_.-]+ and does not start with '.' (DAG and
 * task ids, which become path segments). */
bool valid_id(const char *s);

/* Upper-case s, with every char outside [A-Z0-9_] as '_' (env names). */
void env_name_append(struct sbuf *sb, const char *s);

#endif
