/*
 * router.h - a pure path router for the HTTP API: a table of {method,
 * pattern, id} matched against a request's method and raw (still
 * percent-encoded) path. No MHD, no loop, no allocation beyond the match's
 * own buffer, so tests and the fuzzer drive it directly. api*.c owns the
 * real table; http.c only borrows the percent decoder for query strings.
 */
#ifndef DAGD_ROUTER_H
#define DAGD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Deepest path a route may have; longer paths are 404 without a scan. */
#define ROUTER_MAX_SEGS 32
/* Parameters ({name} segments) in one pattern. */
#define ROUTER_MAX_PARAMS 8
/* Room for the Allow list of one path ("GET, HEAD, PATCH, POST, ..."). */
#define ROUTER_ALLOW_MAX 96

/*
 * One route. method is an HTTP method token, compared case-sensitively;
 * pattern is '/'-separated literal segments and whole-segment parameters
 * such as "/api/v1/dags/{dag}/runs/{run}" ("/" alone is the root). The
 * table and its strings are borrowed for as long as matches are used.
 */
struct route {
	const char *method;
	const char *pattern;
	int id;
};

/* A captured parameter: name points into the pattern (not terminated). */
struct route_param {
	const char *name;
	size_t name_len;
	const char *value; /* decoded, NUL-terminated, owned by the match */
};

enum router_result {
	ROUTER_MATCH = 0,       /* route and params are set */
	ROUTER_NOT_FOUND,       /* 404: no pattern has this path */
	ROUTER_METHOD_NOT_ALLOWED, /* 405: allow lists the methods that match */
	ROUTER_BAD_PATH,        /* 400: detail says why */
};

/*
 * The result of router_match(). Fields are valid until
 * route_match_release(); a match must be released whatever the result.
 */
struct route_match {
	const struct route *route; /* the matched entry, or NULL */
	size_t nparams;
	struct route_param params[ROUTER_MAX_PARAMS];
	char allow[ROUTER_ALLOW_MAX]; /* "GET, HEAD, PATCH" for ROUTER_METHOD_NOT_ALLOWED */
	const char *detail;           /* static text for ROUTER_BAD_PATH, else NULL */
	char *buf;                    /* decoded segments; private */
};

/*
 * Check a table once at start-up: every pattern starts with '/', has no
 * empty, "." or ".." segment, at most ROUTER_MAX_SEGS segments and
 * ROUTER_MAX_PARAMS parameters, parameters are whole segments "{name}"
 * with a non-empty name, and methods are non-empty tokens. Returns 0, or
 * DAGD_EINVAL with a message naming the entry in err.
 */
int router_check_table(const struct route *table, size_t n, char *err, size_t errlen) DAGD_WUR;

/*
 * Match method and raw_path against table (checked by router_check_table).
 * raw_path is the request target as received: anything from the first '?'
 * on is the query and ignored. Rules, in order:
 *  - the path must start with '/' and hold no raw control byte or space,
 *    else ROUTER_BAD_PATH;
 *  - it is split on '/' first, then each segment is percent-decoded, so
 *    "%2F" never makes a segment boundary; a bad escape, a segment that
 *    decodes to "." or "..", or that contains NUL, '/' or another control
 *    byte, or invalid UTF-8 is ROUTER_BAD_PATH (the whole path is checked
 *    before any matching, so the answer does not depend on the table);
 *  - an empty segment (a trailing slash, "//") matches no pattern: the
 *    router does not strip or redirect, "/api/v1/dags/" is 404;
 *  - literal segments compare after decoding ("/api/v1/%64ags" is
 *    "/api/v1/dags"); the first route in table order whose pattern and
 *    method match wins;
 *  - HEAD matches a GET route unless a HEAD route matches the path;
 *  - a path that some pattern matches, with no route for the method, is
 *    ROUTER_METHOD_NOT_ALLOWED with allow set (HEAD listed after GET).
 * Cannot fail otherwise; m is always initialised.
 */
enum router_result router_match(const struct route *table, size_t n, const char *method,
				const char *raw_path, struct route_match *m);

/* The decoded value of parameter name, or NULL when the route has none. */
const char *route_param(const struct route_match *m, const char *name);

/* Free what the match holds; the match may then be reused. */
void route_match_release(struct route_match *m);

/* The HTTP status for a result: 200, 404, 405 or 400. */
int router_http_status(enum router_result r);

/*
 * Percent-decode s[0..n) into a new NUL-terminated string (*out, the caller
 * frees it; *outlen its length when outlen is not NULL). Fails with
 * DAGD_EINVAL, *out NULL and *why set to static text, on a bad escape, a
 * decoded NUL or invalid UTF-8. '+' is left alone.
 */
int router_decode(const char *s, size_t n, char **out, size_t *outlen, const char **why) DAGD_WUR;

/*
 * Length (1-4) of the well-formed UTF-8 sequence at s[0..n), or 0 when
 * s starts with an invalid one (overlong, surrogate, above U+10FFFF,
 * truncated). n must be at least 1.
 */
size_t router_utf8_seq(const unsigned char *s, size_t n);

#endif
