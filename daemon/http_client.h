/*
 * http_client.h - a small blocking HTTP/1.1 client for the command line
 * client (cli_client.c): one request per connection ("Connection: close")
 * over a plain TCP socket, bodies framed by Content-Length, chunked
 * transfer encoding or the end of the connection. Blocking is fine here:
 * it runs in the CLI process, never in the daemon's loop. The pure parts
 * (URL parsing, percent-encoding, the head parser, the chunked decoder)
 * are exposed so tests drive them directly.
 */
#ifndef DAGD_HTTP_CLIENT_H
#define DAGD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Connecting (each address getaddrinfo gives) may take this long. */
#define HTTPC_CONNECT_TIMEOUT_MS 5000
/* Silence on an open connection longer than this fails a request. */
#define HTTPC_READ_TIMEOUT_MS 30000
/* A buffered answer's body: API answers are small, a log page is 1 MiB. */
#define HTTPC_BODY_MAX (64u << 20)
/* The status line and headers of an answer, together. */
#define HTTPC_HEAD_MAX (64u << 10)
/* Headers in one answer. */
#define HTTPC_HEADERS_MAX 100
/* One chunk-size line (hex size, extensions) or trailer line. */
#define HTTPC_CHUNK_LINE_MAX 4096

/* An http:// URL: host (IPv6 without brackets), port, base path. */
struct http_url {
	char *host;
	int port;
	char *base; /* path prefix without a trailing '/': "" or "/dagd" */
};

/*
 * Parse "http://HOST[:PORT][/BASE]" (also without "http://"); HOST is a
 * name, an IPv4 address or [IPv6]; PORT defaults to 80. 0, or DAGD_EINVAL
 * with a message in err (https is refused with a hint). On success *u
 * owns its strings: release with http_url_release().
 */
int http_url_parse(const char *url, struct http_url *u, char *err, size_t errlen) DAGD_WUR;
/* Free u's strings; u may be zeroed or released already. */
void http_url_release(struct http_url *u);

/*
 * Append s percent-encoded for a path segment or a query value: every
 * byte but A-Z a-z 0-9 - . _ ~ becomes %XX (so ':', '+', '/', ' ' are
 * encoded). Cannot fail.
 */
void http_pct_encode(struct sbuf *sb, const char *s);

struct http_header {
	char *name;
	char *value; /* optional whitespace around it removed */
};

/* An answer. body is NUL-terminated (the NUL not counted in body_len),
 * empty when the body went to a body_cb. */
struct http_response {
	int status;
	char *reason;
	struct http_header *headers;
	size_t n_headers;
	char *body;
	size_t body_len;
};

/* Free the contents of r and zero it; harmless on a zeroed response. */
void http_response_release(struct http_response *r);
/* The value of the first header called name (any case), or NULL. */
const char *http_response_header(const struct http_response *r, const char *name);

/*
 * Parse a response head (status line, headers; the final empty line may
 * be included or not) into r, which must be zeroed. Lines end in CRLF or
 * LF. 0, or DAGD_EINVAL with a message in err (bad status line, a header
 * without ':', folded lines, more than HTTPC_HEADERS_MAX headers).
 */
int http_response_parse_head(const char *head, size_t len, struct http_response *r, char *err,
			     size_t errlen) DAGD_WUR;

/* Where body bytes go when not buffered; nonzero stops the request. */
typedef int (*http_body_cb)(void *arg, const char *data, size_t len);

/* The decoder of a chunked body; zero it (or http_chunked_init) first. */
struct http_chunked {
	int state;        /* private */
	size_t left;      /* bytes left in the current chunk */
	char line[HTTPC_CHUNK_LINE_MAX];
	size_t line_len;
};
void http_chunked_init(struct http_chunked *c);

/*
 * Feed in[0..len) to the decoder, passing chunk data to cb. *used gets the
 * bytes consumed: all of them unless the body ended within in (bytes after
 * it are left alone). Returns 1 when the last chunk and trailers are
 * complete, 0 when more input is needed, DAGD_EINVAL on bad framing (err
 * says why) and DAGD_EIO when cb returned nonzero.
 */
int http_chunked_feed(struct http_chunked *c, const char *in, size_t len, size_t *used,
		      http_body_cb cb, void *arg, char *err, size_t errlen) DAGD_WUR;

/* A request. path is already encoded and includes any query string. */
struct http_request {
	const char *method;
	const char *path;
	const char *token;        /* Authorization: Bearer TOKEN, or NULL */
	const char *content_type; /* with a body; NULL: application/json */
	const char *body;         /* NULL: none (no Content-Length unless POST/PATCH/PUT) */
	size_t body_len;
	int read_timeout_ms;      /* 0: HTTPC_READ_TIMEOUT_MS; -1: wait forever */
	size_t body_max;          /* 0: HTTPC_BODY_MAX */
	http_body_cb body_cb;     /* set: a 2xx answer's body streams here, unbuffered
				   * and uncapped (other answers are buffered) */
	void *body_arg;
};

/*
 * Send req on the connected socket fd and read the answer into *r (zeroed
 * first). fd is made non-blocking (every wait is a poll with a deadline)
 * and left open. Returns 0 (any HTTP status), or with a message
 * in err: DAGD_EIO (send or receive failed, the peer closed early, a read
 * timed out), DAGD_EINVAL (not an HTTP/1.x answer), DAGD_ETOOBIG (head or
 * buffered body over its cap).
 */
int http_exchange(int fd, const struct http_url *u, const struct http_request *req,
		  struct http_response *r, char *err, size_t errlen) DAGD_WUR;

/*
 * Connect to u (every address of its host in turn, HTTPC_CONNECT_TIMEOUT_MS
 * each) and run http_exchange(). DAGD_ESYS when no connection could be made
 * (err: "connection refused", the resolver's message, "timed out"), else as
 * http_exchange().
 */
int http_client_request(const struct http_url *u, const struct http_request *req,
			struct http_response *r, char *err, size_t errlen) DAGD_WUR;

#endif
