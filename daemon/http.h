/*
 * http.h - the daemon's HTTP server: libmicrohttpd driven by the libuv
 * loop (no threads of its own), with request bodies collected under a cap,
 * JSON replies and errors, streaming replies that sleep until woken, and
 * per-route request counters for /metrics. It knows nothing of DAGs: one
 * handler function gets every request (api*.c routes it with router.h).
 * Only http*.c and api*.c include microhttpd.h; this header does not.
 *
 * Everything here runs on the loop thread and nothing blocks.
 */
#ifndef DAGD_HTTP_H
#define DAGD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "util.h"

struct http_server;
struct http_req;
struct http_stream;

/*
 * Called once per request, on the loop, when the whole body has arrived
 * (and only if it fit the cap and the query string decoded). Before it
 * returns, the handler must reply with one http_reply_*() call or call
 * http_defer(); otherwise http.c answers 500. req is valid until the reply
 * is sent (for a deferred request: until the reply or its cancel_cb).
 */
typedef void (*http_handler_fn)(void *ctx, struct http_req *req);

/* Server tunables; a zero field takes its default from dagd_limits.h. */
struct http_opts {
	size_t body_max;            /* request body cap, bytes (HTTP_BODY_MAX) */
	unsigned conn_timeout_s;    /* idle connection timeout (HTTP_CONN_TIMEOUT_S) */
	unsigned conn_limit;        /* concurrent connections (HTTP_CONN_LIMIT) */
	size_t conn_memory;         /* per-connection buffer for headers (HTTP_CONN_MEMORY) */
};

/*
 * Start serving on listen: "HOST:PORT" where HOST is a numeric IPv4
 * address, "[IPv6]" or "localhost" (127.0.0.1; no name lookups), and PORT
 * is 0..65535 (0: any free port, see http_port()). opts may be NULL (all
 * defaults). fn(ctx, req) answers requests. On success *out is the server
 * and 0 is returned; otherwise DAGD_EINVAL (bad listen string) or
 * DAGD_ESYS (socket, bind, epoll failed) with a message in err.
 */
int http_start(uv_loop_t *loop, const char *listen, const struct http_opts *opts,
	       http_handler_fn fn, void *ctx, struct http_server **out, char *err,
	       size_t errlen) DAGD_WUR;

/* The bound TCP port (useful when listen asked for port 0); cannot fail. */
int http_port(const struct http_server *srv);

/*
 * Stop: closes the listening socket and every connection at once (pending
 * streams get their free_cb, deferred requests their cancel_cb, before this
 * returns), then closes the uv handles; the server's memory is freed in
 * their close callbacks, so run the loop afterwards. Must not be called
 * from a handler or a stream callback. NULL is a no-op.
 */
void http_stop(struct http_server *srv);

/* --- the request; all strings are borrowed and live as long as req --- */

/* The method token as sent ("GET"). */
const char *http_method(const struct http_req *req);
/* The path as sent, still percent-encoded, without the query string. */
const char *http_path(const struct http_req *req);
/*
 * The decoded value of query parameter name ('+' and %XX decoded); ""
 * for "?name" without '='; NULL when absent. With a repeated name, the
 * first. (A query that does not decode to UTF-8 without NUL never reaches
 * the handler: it is answered 400.)
 */
const char *http_query(const struct http_req *req, const char *name);
/* A request header, name compared case-insensitively; NULL when absent. */
const char *http_header(const struct http_req *req, const char *name);
/* The body (NUL-terminated, "" when none); its length in *len if not NULL. */
const char *http_body(const struct http_req *req, size_t *len);

/*
 * Name the route for the request counters ("GET /api/v1/dags/{dag}");
 * copied. Requests without a label count as "unrouted". Call any time
 * before the reply is sent.
 */
void http_set_route_label(struct http_req *req, const char *label);

/* --- replies: exactly one per request --- */

/*
 * Add a response header (Allow, ETag, Cache-Control, Location, ...) to the
 * coming reply; call before or right after the http_reply_*() call, in the
 * same handler (or deferred) turn. Returns DAGD_EINVAL for an empty name,
 * a name that is not a token, CR, LF or NUL in the value, or a header that
 * http.c or MHD own (Content-Type, Content-Length, Transfer-Encoding,
 * Connection, Date).
 */
int http_add_header(struct http_req *req, const char *name, const char *value) DAGD_WUR;

/*
 * Reply with body serialised as compact JSON, Content-Type
 * application/json. Takes ownership of body (a NULL body answers 500, so
 * json_*() results may be passed unchecked). status is 200..599.
 * A 200 answer to GET or HEAD gets an ETag header (http_etag_of() of the
 * body); when the request's If-None-Match names that tag, the reply is
 * 304 Not Modified with no body instead (conditional polling).
 */
void http_reply_json(struct http_req *req, int status, json_t *body);

/* Length of an entity tag written by http_etag_of(), with its NUL. */
#define HTTP_ETAG_LEN 20
/* The strong entity tag ("\"<16 hex digits>\"") of len bytes of buf: a
 * 64-bit FNV-1a hash. Cannot fail. */
void http_etag_of(const void *buf, size_t len, char out[HTTP_ETAG_LEN]);
/* true when the request's If-None-Match is "*" or lists etag (weak or not). */
bool http_etag_match(const struct http_req *req, const char *etag);
/*
 * For a GET or HEAD: add ETag (http_etag_of(buf, len)) to the coming reply
 * and, when If-None-Match names that tag, reply 304 Not Modified (no body;
 * content_type as the full answer would have) and return true: req is
 * answered. Otherwise return false and reply as usual (http_etag.c).
 */
bool http_reply_if_unchanged(struct http_req *req, const void *buf, size_t len,
			     const char *content_type);

/*
 * Reply {"error": error, "detail": detail} (detail NULL: ""). Invalid
 * UTF-8 in either is replaced by '?'. Keep error a short snake_case code
 * ("not_found", "bad_request") and detail a sentence a person reads; a 5xx
 * detail must not carry SQL or secrets.
 */
void http_reply_error(struct http_req *req, int status, const char *error,
		      const char *detail);

/*
 * Reply with len bytes of buf as content_type. With copy, buf is copied
 * now; without, buf must stay valid and unchanged until the server stops
 * (static or embedded data such as web assets). status is 200..599, or
 * 304 (with len 0; see http_reply_if_unchanged()).
 */
void http_reply_data(struct http_req *req, int status, const char *content_type,
		     const void *buf, size_t len, bool copy);

/*
 * Reply with len bytes of buf that the caller shares between replies
 * (a cache): release(arg) runs once when this reply is done with them,
 * so the caller counts a reference per reply. Nothing is copied.
 */
void http_reply_shared(struct http_req *req, int status, const char *content_type,
		       const void *buf, size_t len, void (*release)(void *arg), void *arg);

/* What a stream's read_cb returns besides a byte count > 0. */
#define HTTP_STREAM_AGAIN 0   /* nothing now: sleep until http_stream_wake() */
#define HTTP_STREAM_END (-1)  /* done: the reply ends properly */
#define HTTP_STREAM_ERROR (-2) /* abort: the connection is cut mid-reply */

/* Fill buf with at most max bytes; returns a count or HTTP_STREAM_*. */
typedef ssize_t (*http_stream_fn)(void *arg, char *buf, size_t max);

/*
 * Reply with a body of unknown length, sent with chunked transfer
 * encoding as read_cb produces it. When read_cb returns HTTP_STREAM_AGAIN
 * the connection sleeps (no polling, no timeout) until the owner calls
 * http_stream_wake(), or the client goes away. Takes ownership of arg:
 * free_cb(arg) (if not NULL) is called exactly once, when the stream ends
 * for any reason (end, error, client gone, server stopped, or right away
 * when the reply cannot be made). Returns the stream handle, valid until
 * free_cb runs, or NULL when the reply failed (free_cb already ran).
 */
struct http_stream *http_reply_stream(struct http_req *req, int status,
				      const char *content_type, http_stream_fn read_cb,
				      void *arg, void (*free_cb)(void *arg));

/*
 * Tell a sleeping stream that data may be there: read_cb runs again soon,
 * on a later loop turn. Safe from any loop callback, including read_cb;
 * a no-op when the stream is not sleeping. Never after free_cb ran.
 */
void http_stream_wake(struct http_stream *stream);

/*
 * Reply later: the handler returns without replying and any http_reply_*()
 * on req comes later from another loop callback (a store query finishing).
 * If the request dies first (client gone, server stopped), cancel_cb(arg)
 * runs instead and req is gone: never reply after it. Exactly one of the
 * two happens. cancel_cb may be NULL (then a reply after the end of req is
 * a use after free: only for requests whose owner outlives the server).
 */
void http_defer(struct http_req *req, void (*cancel_cb)(void *arg), void *arg);

/* --- counters --- */

/*
 * Call cb once per (route label, status) pair with the number of replies
 * sent so far, in first-seen order. Replies MHD makes on its own for
 * broken requests (400, 413/431 for huge headers, 505) are not counted.
 */
void http_counters_each(const struct http_server *srv,
			void (*cb)(void *arg, const char *label, int status, uint64_t count),
			void *arg);

#endif
