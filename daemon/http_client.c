/*
 * http_client.c - the blocking HTTP/1.1 client of http_client.h: URL
 * parsing, percent-encoding, connecting with a timeout, sending one request
 * and reading its answer (Content-Length, chunked or until close) with a
 * read timeout and a size cap. Used by the CLI process only: it blocks, so
 * nothing in the daemon's loop may call it. Sockets are non-blocking and
 * every wait is a poll() with a deadline, so a silent peer cannot hang us.
 */
#include "http_client.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Bytes read from the socket at a time. */
#define HTTPC_READ_BLOCK (16u << 10)

/* --- URLs and percent-encoding --------------------------------------------- */

void http_url_release(struct http_url *u)
{
	free(u->host);
	free(u->base);
	u->host = NULL;
	u->base = NULL;
	u->port = 0;
}

int http_url_parse(const char *url, struct http_url *u, char *err, size_t errlen)
{
	const char *p = url, *auth_end, *host, *host_end, *port_s = NULL, *sep;
	int64_t port = 80;
	size_t blen;

	memset(u, 0, sizeof(*u));
	sep = strstr(p, "://");
	if (sep) {
		if (sep - p == 5 && strncasecmp(p, "https", 5) == 0) {
			snprintf(err, errlen, "'%s': https is not supported; use http:// "
					      "(through an SSH tunnel for a remote daemon)", url);
			return DAGD_EINVAL;
		}
		if (sep - p != 4 || strncasecmp(p, "http", 4) != 0) {
			snprintf(err, errlen, "'%s': the URL must start with http://", url);
			return DAGD_EINVAL;
		}
		p = sep + 3;
	}
	if (strpbrk(p, "?# \t\r\n")) {
		snprintf(err, errlen, "'%s': the URL may not hold a query, a fragment or spaces",
			 url);
		return DAGD_EINVAL;
	}
	auth_end = p + strcspn(p, "/");
	if (memchr(p, '@', (size_t)(auth_end - p))) {
		snprintf(err, errlen, "'%s': user names in the URL are not supported "
				      "(use --token-file or DAGD_TOKEN)", url);
		return DAGD_EINVAL;
	}
	if (*p == '[') {
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end || (host_end + 1 != auth_end && host_end[1] != ':')) {
			snprintf(err, errlen, "'%s': expected [IPV6] or [IPV6]:PORT", url);
			return DAGD_EINVAL;
		}
		if (host_end[1] == ':')
			port_s = host_end + 2;
	} else {
		const char *colon = memchr(p, ':', (size_t)(auth_end - p));
		host = p;
		host_end = colon ? colon : auth_end;
		if (colon && memchr(colon + 1, ':', (size_t)(auth_end - colon - 1))) {
			snprintf(err, errlen, "'%s': put an IPv6 address in brackets", url);
			return DAGD_EINVAL;
		}
		if (colon)
			port_s = colon + 1;
	}
	if (host_end == host) {
		snprintf(err, errlen, "'%s': no host", url);
		return DAGD_EINVAL;
	}
	if (port_s) {
		char *ps = xstrndup(port_s, (size_t)(auth_end - port_s));
		int bad = parse_i64(ps, 1, 65535, &port);
		free(ps);
		if (bad) {
			snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535",
				 url);
			return DAGD_EINVAL;
		}
	}
	u->host = xstrndup(host, (size_t)(host_end - host));
	u->port = (int)port;
	blen = strlen(auth_end);
	while (blen > 0 && auth_end[blen - 1] == '/')
		blen--;
	u->base = xstrndup(auth_end, blen);
	return 0;
}

void http_pct_encode(struct sbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			sbuf_addc(sb, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			sbuf_addn(sb, e, 3);
		}
	}
}

/* --- responses --------------------------------------------------------------- */

void http_response_release(struct http_response *r)
{
	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->reason);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static bool is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The next line of [*p, end): its length without CR LF; advances *p. */
static size_t next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl : end;
	size_t n;

	*line = *p;
	n = (size_t)(stop - *p);
	if (n > 0 && (*p)[n - 1] == '\r')
		n--;
	*p = nl ? nl + 1 : end;
	return n;
}

static int parse_status_line(const char *l, size_t n, struct http_response *r, char *err,
			     size_t errlen)
{
	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)l[7]) ||
	    l[8] != ' ' || !isdigit((unsigned char)l[9]) || !isdigit((unsigned char)l[10]) ||
	    !isdigit((unsigned char)l[11]) || (n > 12 && l[12] != ' ')) {
		snprintf(err, errlen, "not an HTTP/1.x status line: '%.*s'", (int)(n > 60 ? 60 : n),
			 l);
		return DAGD_EINVAL;
	}
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (r->status < 100) {
		snprintf(err, errlen, "bad HTTP status %d", r->status);
		return DAGD_EINVAL;
	}
	r->reason = n > 13 ? xstrndup(l + 13, n - 13) : xstrdup("");
	return 0;
}

static int parse_header_line(const char *l, size_t n, struct http_response *r, char *err,
			     size_t errlen)
{
	const char *colon = memchr(l, ':', n), *v, *vend = l + n;
	size_t nlen;

	if (l[0] == ' ' || l[0] == '\t') {
		snprintf(err, errlen, "folded header lines are not supported");
		return DAGD_EINVAL;
	}
	if (!colon || colon == l) {
		snprintf(err, errlen, "header line without a name and ':': '%.*s'",
			 (int)(n > 60 ? 60 : n), l);
		return DAGD_EINVAL;
	}
	nlen = (size_t)(colon - l);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)l[i])) {
			snprintf(err, errlen, "bad header name '%.*s'",
				 (int)(nlen > 60 ? 60 : nlen), l);
			return DAGD_EINVAL;
		}
	if (r->n_headers >= HTTPC_HEADERS_MAX) {
		snprintf(err, errlen, "more than %d headers", HTTPC_HEADERS_MAX);
		return DAGD_EINVAL;
	}
	v = colon + 1;
	while (v < vend && (*v == ' ' || *v == '\t'))
		v++;
	while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
		vend--;
	r->headers = xrealloc(r->headers, (r->n_headers + 1) * sizeof(*r->headers));
	r->headers[r->n_headers].name = xstrndup(l, nlen);
	r->headers[r->n_headers].value = xstrndup(v, (size_t)(vend - v));
	r->n_headers++;
	return 0;
}

int http_response_parse_head(const char *head, size_t len, struct http_response *r, char *err,
			     size_t errlen)
{
	const char *p = head, *end = head + len, *l;
	size_t n;
	int rc;

	n = next_line(&p, end, &l);
	if ((rc = parse_status_line(l, n, r, err, errlen)) != 0)
		return rc;
	while (p < end) {
		n = next_line(&p, end, &l);
		if (n == 0)
			break; /* the empty line ending the head */
		if (memchr(l, '\0', n)) {
			snprintf(err, errlen, "NUL byte in a header");
			return DAGD_EINVAL;
		}
		if ((rc = parse_header_line(l, n, r, err, errlen)) != 0)
			return rc;
	}
	return 0;
}

/* --- chunked bodies ------------------------------------------------------------ */

enum { CH_SIZE, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_DONE };

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CH_SIZE;
}

static int chunk_size(struct http_chunked *c, char *err, size_t errlen)
{
	size_t n = c->line_len, i = 0, size = 0;

	if (n > 0 && c->line[n - 1] == '\r')
		n--;
	for (; i < n && isxdigit((unsigned char)c->line[i]); i++) {
		int d = isdigit((unsigned char)c->line[i])
				? c->line[i] - '0'
				: (tolower((unsigned char)c->line[i]) - 'a' + 10);
		if (size > (SIZE_MAX >> 4)) {
			snprintf(err, errlen, "chunk size overflows");
			return DAGD_EINVAL;
		}
		size = size * 16 + (size_t)d;
	}
	while (i < n && (c->line[i] == ' ' || c->line[i] == '\t'))
		i++;
	if (i == 0 || (i < n && c->line[i] != ';')) {
		snprintf(err, errlen, "bad chunk size line '%.*s'", (int)(n > 40 ? 40 : n),
			 c->line);
		return DAGD_EINVAL;
	}
	c->left = size;
	c->state = size ? CH_DATA : CH_TRAILER;
	return 0;
}

/* Collect one line into c->line; true when it is complete (LF seen). */
static int take_line(struct http_chunked *c, const char *in, size_t len, size_t *i, bool *done,
		     char *err, size_t errlen)
{
	*done = false;
	while (*i < len) {
		char ch = in[(*i)++];
		if (ch == '\n') {
			*done = true;
			return 0;
		}
		if (c->line_len >= sizeof(c->line)) {
			snprintf(err, errlen, "chunk line longer than %d bytes",
				 HTTPC_CHUNK_LINE_MAX);
			return DAGD_EINVAL;
		}
		c->line[c->line_len++] = ch;
	}
	return 0;
}

int http_chunked_feed(struct http_chunked *c, const char *in, size_t len, size_t *used,
		      http_body_cb cb, void *arg, char *err, size_t errlen)
{
	size_t i = 0;
	bool done;
	int rc = 0;

	while (rc == 0 && c->state != CH_DONE && i < len) {
		switch (c->state) {
		case CH_SIZE:
			if ((rc = take_line(c, in, len, &i, &done, err, errlen)) == 0 && done) {
				rc = chunk_size(c, err, errlen);
				c->line_len = 0;
			}
			break;
		case CH_DATA: {
			size_t n = len - i < c->left ? len - i : c->left;
			if (cb(arg, in + i, n) != 0) {
				snprintf(err, errlen, "the body could not be written");
				rc = DAGD_EIO;
				break;
			}
			i += n;
			c->left -= n;
			if (c->left == 0)
				c->state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR:
		case CH_DATA_LF:
			if (in[i] == '\r' && c->state == CH_DATA_CR) {
				c->state = CH_DATA_LF;
			} else if (in[i] == '\n') {
				c->state = CH_SIZE;
			} else {
				snprintf(err, errlen, "chunk data not followed by CRLF");
				rc = DAGD_EINVAL;
				break;
			}
			i++;
			break;
		case CH_TRAILER:
			if ((rc = take_line(c, in, len, &i, &done, err, errlen)) == 0 && done) {
				size_t n = c->line_len;
				if (n > 0 && c->line[n - 1] == '\r')
					n--;
				if (n == 0)
					c->state = CH_DONE;
				c->line_len = 0; /* a trailer field: ignored */
			}
			break;
		}
	}
	*used = i;
	if (rc != 0)
		return rc;
	return c->state == CH_DONE ? 1 : 0;
}

/* --- I/O with deadlines ------------------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd; 1 ready, 0 timed out, -1 error (errno). */
static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t deadline = timeout_ms < 0 ? 0 : mono_ms() + timeout_ms;

	for (;;) {
		int left = timeout_ms < 0 ? -1 : (int)(deadline - mono_ms());
		int n;
		if (timeout_ms >= 0 && left < 0)
			left = 0;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int send_all(int fd, const char *p, size_t n, int timeout_ms, char *err, size_t errlen)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int ready = wait_fd(fd, POLLOUT, timeout_ms);
			if (ready > 0)
				continue;
			snprintf(err, errlen, "sending the request: %s",
				 ready == 0 ? "timed out" : strerror(errno));
			return DAGD_EIO;
		}
		snprintf(err, errlen, "sending the request: %s", strerror(errno));
		return DAGD_EIO;
	}
	return 0;
}

/* Bytes received and not yet consumed. */
struct reader {
	int fd;
	int timeout_ms;
	char *buf;
	size_t start, end, cap;
};

/* Read more into r->buf; >0 bytes, 0 at the end of the stream, <0 error. */
static int reader_fill(struct reader *r, char *err, size_t errlen)
{
	if (r->start > 0 && r->start == r->end)
		r->start = r->end = 0;
	if (r->end == r->cap) {
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		} else {
			r->cap *= 2;
			r->buf = xrealloc(r->buf, r->cap);
		}
	}
	for (;;) {
		ssize_t n = recv(r->fd, r->buf + r->end, r->cap - r->end, 0);
		int ready;
		if (n >= 0) {
			r->end += (size_t)n;
			return (int)(n > 0);
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(err, errlen, "reading the answer: %s", strerror(errno));
			return DAGD_EIO;
		}
		ready = wait_fd(r->fd, POLLIN, r->timeout_ms);
		if (ready == 0) {
			if (r->timeout_ms % 1000)
				snprintf(err, errlen, "the server sent nothing for %d ms",
					 r->timeout_ms);
			else
				snprintf(err, errlen, "the server sent nothing for %d s",
					 r->timeout_ms / 1000);
			return DAGD_EIO;
		}
		if (ready < 0) {
			snprintf(err, errlen, "reading the answer: %s", strerror(errno));
			return DAGD_EIO;
		}
	}
}

/* The length of the head at the start of buf[0..n) with its empty line
 * (CRLF CRLF, or bare LFs), or 0 when it is not complete yet. */
static size_t head_end(const char *buf, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n'))
			return i + 1;
	}
	return 0;
}

/* Read one response head; *head_len covers it with its empty line. */
static int read_head(struct reader *r, size_t *head_len, char *err, size_t errlen)
{
	for (;;) {
		int n;
		*head_len = head_end(r->buf + r->start, r->end - r->start);
		if (*head_len)
			return 0;
		if (r->end - r->start > HTTPC_HEAD_MAX) {
			snprintf(err, errlen, "the answer's headers are larger than %u KiB",
				 HTTPC_HEAD_MAX >> 10);
			return DAGD_ETOOBIG;
		}
		n = reader_fill(r, err, errlen);
		if (n < 0)
			return n;
		if (n == 0) {
			snprintf(err, errlen, "%s",
				 r->end == r->start
					 ? "the connection closed without an answer"
					 : "the connection closed inside the answer's headers");
			return DAGD_EIO;
		}
	}
}

/* Where body bytes go: the caller's callback, or a capped buffer. */
struct sink {
	const struct http_request *req;
	bool stream; /* a 2xx answer with a body_cb */
	struct sbuf buf;
	bool too_big;
};

static int sink_cb(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;

	if (len == 0)
		return 0;
	if (s->stream)
		return s->req->body_cb(s->req->body_arg, data, len);
	sbuf_addn(&s->buf, data, len);
	if (s->buf.overflow) {
		s->too_big = true;
		return -1;
	}
	return 0;
}

static int too_big(const struct sink *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "the answer is larger than %zu MiB", s->buf.max >> 20);
	return DAGD_ETOOBIG;
}

static int read_chunked(struct reader *rd, struct sink *s, char *err, size_t errlen)
{
	struct http_chunked c;

	http_chunked_init(&c);
	for (;;) {
		size_t used = 0;
		int rc = http_chunked_feed(&c, rd->buf + rd->start, rd->end - rd->start, &used,
					   sink_cb, s, err, errlen);
		rd->start += used;
		if (rc == 1)
			return 0;
		if (rc < 0)
			return s->too_big ? too_big(s, err, errlen) : rc;
		rc = reader_fill(rd, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			snprintf(err, errlen, "the connection closed inside a chunked body");
			return DAGD_EIO;
		}
	}
}

/* A body of exactly len bytes, or (len < 0) up to the end of the stream. */
static int read_plain(struct reader *rd, struct sink *s, int64_t len, char *err, size_t errlen)
{
	uint64_t left = len < 0 ? UINT64_MAX : (uint64_t)len;

	for (;;) {
		size_t avail = rd->end - rd->start;
		size_t n = (uint64_t)avail < left ? avail : (size_t)left;
		int rc;
		if (sink_cb(s, rd->buf + rd->start, n) != 0) {
			if (s->too_big)
				return too_big(s, err, errlen);
			snprintf(err, errlen, "the body could not be written");
			return DAGD_EIO;
		}
		rd->start += n;
		if (len >= 0)
			left -= n;
		if (left == 0)
			return 0;
		rc = reader_fill(rd, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (len < 0)
				return 0;
			snprintf(err, errlen,
				 "the connection closed %llu bytes before the body's end",
				 (unsigned long long)left);
			return DAGD_EIO;
		}
	}
}

/* Does the last transfer coding of value say chunked? */
static bool is_chunked(const char *te)
{
	const char *last = strrchr(te, ',');
	size_t n;

	last = last ? last + 1 : te;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strlen(last);
	while (n > 0 && (last[n - 1] == ' ' || last[n - 1] == '\t'))
		n--;
	return n == 7 && strncasecmp(last, "chunked", 7) == 0;
}

static int read_body(struct reader *rd, const struct http_request *req,
		     struct http_response *r, char *err, size_t errlen)
{
	const char *te = http_response_header(r, "Transfer-Encoding");
	const char *cl = http_response_header(r, "Content-Length");
	struct sink s = {.req = req};
	int64_t len = -1;
	int rc;

	if (strcmp(req->method, "HEAD") == 0 || r->status == 204 || r->status == 304) {
		r->body = xstrdup("");
		return 0;
	}
	s.stream = req->body_cb && r->status >= 200 && r->status < 300;
	sbuf_init(&s.buf, req->body_max ? req->body_max : HTTPC_BODY_MAX);
	if (te) {
		rc = is_chunked(te) ? read_chunked(rd, &s, err, errlen)
				    : read_plain(rd, &s, -1, err, errlen);
	} else {
		for (size_t i = 0; cl && i < r->n_headers; i++)
			if (strcasecmp(r->headers[i].name, "Content-Length") == 0 &&
			    strcmp(r->headers[i].value, cl) != 0) {
				snprintf(err, errlen, "conflicting Content-Length headers");
				sbuf_release(&s.buf);
				return DAGD_EINVAL;
			}
		if (cl && parse_i64(cl, 0, INT64_MAX, &len) != 0) {
			snprintf(err, errlen, "bad Content-Length '%.40s'", cl);
			sbuf_release(&s.buf);
			return DAGD_EINVAL;
		}
		if (!s.stream && len >= 0 && (uint64_t)len > s.buf.max) {
			rc = too_big(&s, err, errlen);
			sbuf_release(&s.buf);
			return rc;
		}
		rc = read_plain(rd, &s, len, err, errlen);
	}
	r->body_len = s.buf.len;
	r->body = sbuf_take(&s.buf);
	return rc;
}

static char *request_text(const struct http_url *u, const struct http_request *req)
{
	struct sbuf sb;
	bool v6 = strchr(u->host, ':') != NULL;
	bool send_len = req->body || strcmp(req->method, "POST") == 0 ||
			strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0;

	sbuf_init(&sb, 0);
	sbuf_addf(&sb, "%s %s%s HTTP/1.1\r\n", req->method, u->base, req->path);
	sbuf_addf(&sb, "Host: %s%s%s:%d\r\n", v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
	sbuf_adds(&sb, "User-Agent: dagd-cli\r\nAccept: */*\r\nConnection: close\r\n");
	if (req->token)
		sbuf_addf(&sb, "Authorization: Bearer %s\r\n", req->token);
	if (send_len) {
		if (req->body)
			sbuf_addf(&sb, "Content-Type: %s\r\n",
				  req->content_type ? req->content_type : "application/json");
		sbuf_addf(&sb, "Content-Length: %zu\r\n", req->body ? req->body_len : 0);
	}
	sbuf_adds(&sb, "\r\n");
	return sbuf_take(&sb);
}

int http_exchange(int fd, const struct http_url *u, const struct http_request *req,
		  struct http_response *r, char *err, size_t errlen)
{
	int timeout = req->read_timeout_ms ? req->read_timeout_ms : HTTPC_READ_TIMEOUT_MS;
	struct reader rd = {.fd = fd, .timeout_ms = timeout, .cap = HTTPC_READ_BLOCK};
	char *text;
	size_t head_len = 0;
	int rc, flags;

	memset(r, 0, sizeof(*r));
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)) {
		snprintf(err, errlen, "the socket: %s", strerror(errno));
		return DAGD_EIO;
	}
	if (strpbrk(req->path, " \r\n") || (req->token && strpbrk(req->token, "\r\n"))) {
		snprintf(err, errlen, "the request path or token holds a space or a line break");
		return DAGD_EINVAL;
	}
	text = request_text(u, req);
	rc = send_all(fd, text, strlen(text), timeout, err, errlen);
	/* the token was in text: wipe it before freeing */
	memset(text, 0, strlen(text));
	free(text);
	if (rc == 0 && req->body && req->body_len)
		rc = send_all(fd, req->body, req->body_len, timeout, err, errlen);
	if (rc != 0)
		return rc;
	rd.buf = xmalloc(rd.cap);
	for (;;) {
		if ((rc = read_head(&rd, &head_len, err, errlen)) != 0)
			break;
		rc = http_response_parse_head(rd.buf + rd.start, head_len, r, err, errlen);
		rd.start += head_len;
		if (rc != 0)
			break;
		if (r->status >= 200 || r->status == 101)
			break;
		http_response_release(r); /* 100 Continue and friends: the real one follows */
	}
	if (rc == 0)
		rc = read_body(&rd, req, r, err, errlen);
	free(rd.buf);
	if (rc != 0)
		http_response_release(r);
	return rc;
}

/* --- connecting ----------------------------------------------------------------- */

static int connect_one(const struct addrinfo *ai, char *why, size_t whylen)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int ready, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	ready = wait_fd(fd, POLLOUT, HTTPC_CONNECT_TIMEOUT_MS);
	if (ready == 0) {
		snprintf(why, whylen, "connecting timed out after %d s",
			 HTTPC_CONNECT_TIMEOUT_MS / 1000);
	} else if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
	} else if (soerr != 0) {
		snprintf(why, whylen, "%s", strerror(soerr));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

int http_client_request(const struct http_url *u, const struct http_request *req,
			struct http_response *r, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char port_s[8], why[256] = "no address";
	int fd = -1, rc;

	memset(r, 0, sizeof(*r));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port_s, sizeof(port_s), "%d", u->port);
	rc = getaddrinfo(u->host, port_s, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", u->host,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return DAGD_ESYS;
	}
	for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, why, sizeof(why));
	freeaddrinfo(res);
	if (fd < 0) {
		why[0] = (char)tolower((unsigned char)why[0]);
		snprintf(err, errlen, "%s", why);
		return DAGD_ESYS;
	}
	rc = http_exchange(fd, u, req, r, err, errlen);
	close(fd);
	return rc;
}
