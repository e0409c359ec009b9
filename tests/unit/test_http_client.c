/*
 * test_http_client.c - the CLI's HTTP client (daemon/http_client.c): URL
 * parsing and percent-encoding tables, the response head parser, the
 * chunked decoder fed whole and byte by byte, and whole exchanges against a
 * tiny server thread on a socketpair (canned answers written in pieces:
 * Content-Length, chunked, until close, 1xx, caps, early close, read
 * timeout) and on a real TCP port (connect, localhost, refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_client.h"

/* --- URLs ---------------------------------------------------------------------- */

struct url_row {
	const char *in;
	const char *host; /* NULL: an error whose message contains base */
	int port;
	const char *base;
};

static const struct url_row url_rows[] = {
	{"http://127.0.0.1:8080", "127.0.0.1", 8080, ""},
	{"http://127.0.0.1:8080/", "127.0.0.1", 8080, ""},
	{"HTTP://localhost", "localhost", 80, ""},
	{"127.0.0.1:9", "127.0.0.1", 9, ""},
	{"http://[::1]:8080/", "::1", 8080, ""},
	{"http://[::1]", "::1", 80, ""},
	{"http://h:1/dagd//", "h", 1, "/dagd"},
	{"http://h/a/b", "h", 80, "/a/b"},
	{"https://h", NULL, 0, "https is not supported"},
	{"ftp://h", NULL, 0, "must start with http://"},
	{"http://", NULL, 0, "no host"},
	{"http://:80", NULL, 0, "no host"},
	{"http://h:0", NULL, 0, "port"},
	{"http://h:65536", NULL, 0, "port"},
	{"http://h:", NULL, 0, "port"},
	{"http://h:8x", NULL, 0, "port"},
	{"http://::1:80", NULL, 0, "brackets"},
	{"http://[::1", NULL, 0, "[IPV6]"},
	{"http://[::1]x", NULL, 0, "[IPV6]"},
	{"http://u:p@h", NULL, 0, "user names"},
	{"http://h/?q=1", NULL, 0, "query"},
	{"http://h/#x", NULL, 0, "fragment"},
	{"http://h /", NULL, 0, "spaces"},
};

static void test_url_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(url_rows); i++) {
		const struct url_row *row = &url_rows[i];
		struct http_url u;
		char err[256] = "";
		int rc = http_url_parse(row->in, &u, err, sizeof(err));
		if (row->host) {
			if (rc != 0)
				fail_msg("%s: %s", row->in, err);
			assert_string_equal(u.host, row->host);
			assert_int_equal(u.port, row->port);
			assert_string_equal(u.base, row->base);
			http_url_release(&u);
			http_url_release(&u); /* harmless twice */
		} else {
			if (rc != DAGD_EINVAL)
				fail_msg("%s: parsed, expected an error", row->in);
			if (!strstr(err, row->base))
				fail_msg("%s: message '%s' lacks '%s'", row->in, err, row->base);
		}
	}
}

static void test_pct_encode(void **state)
{
	static const char *const rows[][2] = {
		{"manual__2026-01-10T00:00:00+00:00", "manual__2026-01-10T00%3A00%3A00%2B00%3A00"},
		{"a b/c?d#e&f=g%", "a%20b%2Fc%3Fd%23e%26f%3Dg%25"},
		{"AZaz09-._~", "AZaz09-._~"},
		{"caf\xc3\xa9", "caf%C3%A9"},
		{"", ""},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct sbuf sb;
		sbuf_init(&sb, 0);
		sbuf_adds(&sb, "/x/");
		http_pct_encode(&sb, rows[i][0]);
		assert_string_equal(sbuf_str(&sb) + 3, rows[i][1]);
		sbuf_release(&sb);
	}
}

/* --- heads ------------------------------------------------------------------------- */

static void test_head_parse(void **state)
{
	static const char head[] =
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		"X-Log-Next-Offset:  42 \r\nX-Empty:\r\nx-dup: 1\r\nX-Dup: 2\r\n\r\n";
	struct http_response r;
	char err[256];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_response_parse_head(head, strlen(head), &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.reason, "OK");
	assert_int_equal(r.n_headers, 5);
	assert_string_equal(http_response_header(&r, "content-type"), "application/json");
	assert_string_equal(http_response_header(&r, "X-LOG-NEXT-OFFSET"), "42");
	assert_string_equal(http_response_header(&r, "X-Empty"), "");
	assert_string_equal(http_response_header(&r, "X-Dup"), "1"); /* the first one */
	assert_null(http_response_header(&r, "Content-Length"));
	http_response_release(&r);
	assert_int_equal(r.n_headers, 0);

	/* bare LF lines, HTTP/1.0, no reason, no final empty line */
	assert_int_equal(http_response_parse_head("HTTP/1.0 404\nA: b\n", 18, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.reason, "");
	assert_string_equal(http_response_header(&r, "a"), "b");
	http_response_release(&r);

	assert_int_equal(http_response_parse_head("HTTP/1.1 401 Unauthorized Now\r\n\r\n", 33, &r,
						  err, sizeof(err)), 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.reason, "Unauthorized Now");
	http_response_release(&r);
}

static void test_head_errors(void **state)
{
	static const char *const rows[][2] = {
		{"HTTP/2 200 OK\r\n\r\n", "status line"},
		{"HTTP/1.1 20 OK\r\n\r\n", "status line"},
		{"HTTP/1.1 200OK\r\n\r\n", "status line"},
		{"HTTP/1.1 099 Low\r\n\r\n", "bad HTTP status"},
		{"SSH-2.0-OpenSSH\r\n\r\n", "status line"},
		{"", "status line"},
		{"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "without a name"},
		{"HTTP/1.1 200 OK\r\n: v\r\n\r\n", "without a name"},
		{"HTTP/1.1 200 OK\r\nA B: v\r\n\r\n", "bad header name"},
		{"HTTP/1.1 200 OK\r\nA: v\r\n  folded\r\n\r\n", "folded"},
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct http_response r;
		memset(&r, 0, sizeof(r));
		err[0] = '\0';
		if (http_response_parse_head(rows[i][0], strlen(rows[i][0]), &r, err,
					     sizeof(err)) != DAGD_EINVAL)
			fail_msg("row %zu parsed", i);
		if (!strstr(err, rows[i][1]))
			fail_msg("row %zu: '%s' lacks '%s'", i, err, rows[i][1]);
		http_response_release(&r);
	}
	{
		/* one header more than the cap */
		struct sbuf sb;
		struct http_response r;
		memset(&r, 0, sizeof(r));
		sbuf_init(&sb, 0);
		sbuf_adds(&sb, "HTTP/1.1 200 OK\r\n");
		for (int i = 0; i <= HTTPC_HEADERS_MAX; i++)
			sbuf_addf(&sb, "H%d: v\r\n", i);
		assert_int_equal(http_response_parse_head(sb.buf, sb.len, &r, err, sizeof(err)),
				 DAGD_EINVAL);
		assert_non_null(strstr(err, "more than 100 headers"));
		http_response_release(&r);
		sbuf_release(&sb);
	}
}

/* --- chunked ------------------------------------------------------------------------- */

static int collect_cb(void *arg, const char *data, size_t len)
{
	sbuf_addn(arg, data, len);
	return 0;
}

static int refuse_cb(void *arg, const char *data, size_t len)
{
	(void)arg;
	(void)data;
	(void)len;
	return -1;
}

struct chunk_row {
	const char *in;
	int want;            /* 1 complete, 0 needs more, DAGD_E* */
	const char *out;     /* decoded, or a message fragment for errors */
	size_t used_from_end; /* bytes left unconsumed after the end */
};

static const struct chunk_row chunk_rows[] = {
	{"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 1, "hello world", 0},
	{"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", 1, "0123456789abcdefghij", 0},
	{"5;name=value\r\nhello\r\n0;x\r\n\r\n", 1, "hello", 0},
	{"5  \r\nhello\r\n0\r\n\r\n", 1, "hello", 0},
	{"3\nabc\n0\n\n", 1, "abc", 0},
	{"3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n", 1, "abc", 0},
	{"0\r\n\r\n", 1, "", 0},
	{"2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK", 1, "ok", 15},
	{"5\r\nhel", 0, "hel", 0},
	{"5\r\nhello\r\n0\r\n", 0, "hello", 0},
	{"zz\r\n", DAGD_EINVAL, "bad chunk size", 0},
	{"\r\n", DAGD_EINVAL, "bad chunk size", 0},
	{"5 x\r\nhello", DAGD_EINVAL, "bad chunk size", 0},
	{"-5\r\n", DAGD_EINVAL, "bad chunk size", 0},
	{"5\r\nhelloXX", DAGD_EINVAL, "not followed by CRLF", 0},
	{"5\r\nhello\rX", DAGD_EINVAL, "not followed by CRLF", 0},
	{"FFFFFFFFFFFFFFFFF\r\n", DAGD_EINVAL, "overflows", 0},
};

static void check_chunk_row(const struct chunk_row *row, size_t step)
{
	struct http_chunked c;
	struct sbuf out;
	size_t len = strlen(row->in), off = 0;
	char err[256] = "";
	int rc = 0;

	http_chunked_init(&c);
	sbuf_init(&out, 0);
	while (off < len && rc == 0) {
		size_t n = step && len - off > step ? step : len - off, used = 0;
		rc = http_chunked_feed(&c, row->in + off, n, &used, collect_cb, &out, err,
				       sizeof(err));
		if (rc == 0 && used != n)
			fail_msg("'%s' step %zu: used %zu of %zu without ending", row->in, step,
				 used, n);
		off += used;
	}
	if (rc != row->want)
		fail_msg("'%s' step %zu: rc %d, want %d (%s)", row->in, step, rc, row->want, err);
	if (rc >= 0) {
		assert_string_equal(sbuf_str(&out), row->out);
		assert_int_equal(len - off, row->used_from_end);
	} else if (!strstr(err, row->out)) {
		fail_msg("'%s': message '%s' lacks '%s'", row->in, err, row->out);
	}
	sbuf_release(&out);
}

static void test_chunked_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(chunk_rows); i++) {
		check_chunk_row(&chunk_rows[i], 0); /* whole */
		check_chunk_row(&chunk_rows[i], 1); /* byte by byte */
		check_chunk_row(&chunk_rows[i], 3);
	}
}

static void test_chunked_limits(void **state)
{
	struct http_chunked c;
	char err[256];
	size_t used;
	char *line = xmalloc(HTTPC_CHUNK_LINE_MAX + 2);

	(void)state;
	/* a size line past the cap */
	memset(line, '0', HTTPC_CHUNK_LINE_MAX + 1);
	line[HTTPC_CHUNK_LINE_MAX + 1] = '\0';
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, line, strlen(line), &used, collect_cb, NULL, err,
					   sizeof(err)),
			 DAGD_EINVAL);
	assert_non_null(strstr(err, "longer than"));
	free(line);

	/* the sink refuses: DAGD_EIO */
	http_chunked_init(&c);
	assert_int_equal(http_chunked_feed(&c, "3\r\nabc\r\n", 8, &used, refuse_cb, NULL, err,
					   sizeof(err)),
			 DAGD_EIO);
}

/* --- a tiny server ----------------------------------------------------------------------- */

struct srv {
	int fd;
	const char *reply;   /* written in pieces of piece bytes, pause_ms apart */
	size_t reply_len;
	size_t piece;
	int pause_ms;
	int hold_ms;         /* before closing (after replying) */
	bool accept_first;   /* fd is a listener: accept one connection */
	char req[16384];     /* the request head and body as received */
	size_t req_len;
};

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Read the request: its head, then Content-Length bytes of body. */
static void srv_read_request(struct srv *s, int fd)
{
	size_t want = 0;
	char *end;

	for (;;) {
		ssize_t n = recv(fd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len, 0);
		if (n <= 0)
			return;
		s->req_len += (size_t)n;
		s->req[s->req_len] = '\0';
		end = strstr(s->req, "\r\n\r\n");
		if (end && !want) {
			const char *cl = strstr(s->req, "Content-Length: ");
			want = (size_t)(end + 4 - s->req) +
			       (cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0);
		}
		if (want && s->req_len >= want)
			return;
	}
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	int fd = s->fd;

	if (s->accept_first) {
		fd = accept(s->fd, NULL, NULL);
		if (fd < 0)
			return NULL;
	}
	srv_read_request(s, fd);
	for (size_t off = 0; s->reply && off < s->reply_len;) {
		size_t n =
			s->piece && s->reply_len - off > s->piece ? s->piece : s->reply_len - off;
		if (send(fd, s->reply + off, n, MSG_NOSIGNAL) < 0)
			break;
		off += n;
		if (s->pause_ms && off < s->reply_len)
			sleep_ms(s->pause_ms);
	}
	if (s->hold_ms)
		sleep_ms(s->hold_ms);
	close(fd);
	return NULL;
}

static const struct http_url test_url = {.host = "127.0.0.1", .port = 8080, .base = ""};

/* Run req against a server thread that answers reply over a socketpair. */
static int exchange(struct srv *s, const struct http_request *req, struct http_response *r,
		    char *err, size_t errlen)
{
	int sv[2], rc;
	pthread_t th;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->fd = sv[1];
	if (s->reply && !s->reply_len)
		s->reply_len = strlen(s->reply);
	assert_int_equal(pthread_create(&th, NULL, srv_main, s), 0);
	rc = http_exchange(sv[0], &test_url, req, r, err, errlen);
	close(sv[0]);
	pthread_join(th, NULL);
	return rc;
}

static void test_exchange_request_text(void **state)
{
	struct srv s = {.reply = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"};
	struct http_request req = {.method = "POST", .path = "/api/v1/dags/d/runs",
				   .token = "s3cret-token-0123", .body = "{\"conf\":{}}",
				   .body_len = 11};
	struct http_response r;
	char err[256];

	(void)state;
	assert_int_equal(exchange(&s, &req, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body, "{}");
	assert_int_equal(r.body_len, 2);
	assert_non_null(strstr(s.req, "POST /api/v1/dags/d/runs HTTP/1.1\r\n"));
	assert_non_null(strstr(s.req, "\r\nHost: 127.0.0.1:8080\r\n"));
	assert_non_null(strstr(s.req, "\r\nConnection: close\r\n"));
	assert_non_null(strstr(s.req, "\r\nAuthorization: Bearer s3cret-token-0123\r\n"));
	assert_non_null(strstr(s.req, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(s.req, "\r\nContent-Length: 11\r\n"));
	assert_string_equal(strstr(s.req, "\r\n\r\n") + 4, "{\"conf\":{}}");
	http_response_release(&r);

	/* GET: no body headers, no token header; a base path and IPv6 Host */
	{
		struct http_url u6 = {.host = "::1", .port = 81, .base = "/dagd"};
		struct srv s2 = {.reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"};
		struct http_request get = {.method = "GET", .path = "/api/v1/dags"};
		int sv[2];
		pthread_t th;
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		s2.fd = sv[1];
		s2.reply_len = strlen(s2.reply);
		assert_int_equal(pthread_create(&th, NULL, srv_main, &s2), 0);
		assert_int_equal(http_exchange(sv[0], &u6, &get, &r, err, sizeof(err)), 0);
		close(sv[0]);
		pthread_join(th, NULL);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.body_len, 0);
		assert_string_equal(r.body, "");
		assert_non_null(
			strstr(s2.req, "GET /dagd/api/v1/dags HTTP/1.1\r\nHost: [::1]:81\r\n"));
		assert_null(strstr(s2.req, "Content-Length"));
		assert_null(strstr(s2.req, "Authorization"));
		http_response_release(&r);
	}
}

static void test_exchange_framings(void **state)
{
	static const struct {
		const char *reply;
		const char *method;
		int status;
		const char *body;
	} rows[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "GET", 200, "hello"},
		{"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabcEXTRA", "GET", 200, "abc"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "4\r\nlog \r\n5\r\nlines\r\n0\r\n\r\n",
		 "GET", 200, "log lines"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
		 "2\r\nok\r\n0\r\n\r\n",
		 "GET", 200, "ok"},
		{"HTTP/1.0 200 OK\r\n\r\nuntil the end", "GET", 200, "until the end"},
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: "
		 "2\r\n\r\nno",
		 "GET", 404, "no"},
		{"HTTP/1.1 204 No Content\r\n\r\n", "DELETE", 204, ""},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", "HEAD", 200, ""},
		{"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", "GET", 200, "hi"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		for (size_t piece = 0; piece <= 1; piece++) {
			struct srv s = {.reply = rows[i].reply, .piece = piece};
			struct http_request req = {.method = rows[i].method, .path = "/"};
			struct http_response r;
			char err[256] = "";
			if (exchange(&s, &req, &r, err, sizeof(err)) != 0)
				fail_msg("row %zu piece %zu: %s", i, piece, err);
			assert_int_equal(r.status, rows[i].status);
			assert_string_equal(r.body, rows[i].body);
			assert_int_equal(r.body_len, strlen(rows[i].body));
			http_response_release(&r);
		}
	}
}

static void test_exchange_errors(void **state)
{
	static const struct {
		const char *reply;
		size_t body_max;
		int want;
		const char *msg;
	} rows[] = {
		{"", 0, DAGD_EIO, "closed without an answer"},
		{"HTTP/1.1 200 OK\r\nContent-", 0, DAGD_EIO, "inside the answer's headers"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 0, DAGD_EIO,
		 "5 bytes before the body's end"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, DAGD_EIO,
		 "inside a chunked body"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 0, DAGD_EINVAL,
		 "bad chunk size"},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, DAGD_EINVAL,
		 "bad Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", 0,
		 DAGD_EINVAL, "conflicting"},
		{"ICY 200 OK\r\n\r\n", 0, DAGD_EINVAL, "status line"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 10, DAGD_ETOOBIG, "larger than"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n",
		 10, DAGD_ETOOBIG, "larger than"},
		{"HTTP/1.0 200 OK\r\n\r\n0123456789ABCDEF", 10, DAGD_ETOOBIG, "larger than"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct srv s = {.reply = rows[i].reply, .reply_len = strlen(rows[i].reply)};
		struct http_request req = {
			.method = "GET", .path = "/", .body_max = rows[i].body_max};
		struct http_response r;
		char err[256] = "";
		int rc = exchange(&s, &req, &r, err, sizeof(err));
		if (rc != rows[i].want)
			fail_msg("row %zu: rc %d, want %d (%s)", i, rc, rows[i].want, err);
		if (!strstr(err, rows[i].msg))
			fail_msg("row %zu: '%s' lacks '%s'", i, err, rows[i].msg);
		assert_null(r.body); /* released on failure */
		assert_int_equal(r.n_headers, 0);
	}
}

static void test_exchange_head_cap(void **state)
{
	struct sbuf sb;
	struct http_request req = {.method = "GET", .path = "/"};
	struct http_response r;
	char err[256];

	(void)state;
	sbuf_init(&sb, 0);
	sbuf_adds(&sb, "HTTP/1.1 200 OK\r\n");
	while (sb.len <= HTTPC_HEAD_MAX + 100)
		sbuf_adds(&sb,
			  "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	{
		struct srv s = {.reply = sb.buf, .reply_len = sb.len};
		assert_int_equal(exchange(&s, &req, &r, err, sizeof(err)), DAGD_ETOOBIG);
		assert_non_null(strstr(err, "headers are larger than 64 KiB"));
	}
	sbuf_release(&sb);
}

static void test_exchange_path_checked(void **state)
{
	struct http_request req = {.method = "GET", .path = "/a b"};
	struct http_response r;
	char err[256];

	(void)state;
	/* refused before anything is sent: no server needed */
	assert_int_equal(http_exchange(-1, &test_url, &req, &r, err, sizeof(err)), DAGD_EIO);
	{
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(http_exchange(sv[0], &test_url, &req, &r, err, sizeof(err)),
				 DAGD_EINVAL);
		assert_non_null(strstr(err, "space or a line break"));
		req.path = "/ok";
		req.token = "bad\r\nX-Injected: 1";
		assert_int_equal(http_exchange(sv[0], &test_url, &req, &r, err, sizeof(err)),
				 DAGD_EINVAL);
		close(sv[0]);
		close(sv[1]);
	}
}

struct streamed {
	struct sbuf data;
	int calls;
};

static int stream_cb(void *arg, const char *data, size_t len)
{
	struct streamed *st = arg;
	sbuf_addn(&st->data, data, len);
	st->calls++;
	return 0;
}

static void test_exchange_stream(void **state)
{
	static const char chunked[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				      "6\r\ntick1\n\r\n6\r\ntick2\n\r\n6\r\ntick3\n\r\n0\r\n\r\n";
	struct srv s = {.reply = chunked, .piece = 19, .pause_ms = 50};
	struct streamed st = {.calls = 0};
	struct http_request req = {.method = "GET", .path = "/log?follow=1", .read_timeout_ms = -1,
				   .body_cb = stream_cb, .body_arg = &st};
	struct http_response r;
	char err[256];

	(void)state;
	sbuf_init(&st.data, 0);
	assert_int_equal(exchange(&s, &req, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(sbuf_str(&st.data), "tick1\ntick2\ntick3\n");
	assert_true(st.calls >= 3); /* delivered as it came, not at the end */
	assert_string_equal(r.body, ""); /* not buffered */
	http_response_release(&r);
	sbuf_release(&st.data);

	/* an error answer is buffered, not streamed */
	{
		struct srv s2 = {.reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"};
		sbuf_init(&st.data, 0);
		st.calls = 0;
		assert_int_equal(exchange(&s2, &req, &r, err, sizeof(err)), 0);
		assert_int_equal(r.status, 404);
		assert_string_equal(r.body, "{}");
		assert_int_equal(st.calls, 0);
		http_response_release(&r);
		sbuf_release(&st.data);
	}
}

static void test_exchange_read_timeout(void **state)
{
	struct srv s = {.reply = NULL, .hold_ms = 1000};
	struct http_request req = {.method = "GET", .path = "/", .read_timeout_ms = 100};
	struct http_response r;
	struct timespec a, b;
	char err[256];
	int sv[2];
	long ms;
	pthread_t th;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.fd = sv[1];
	assert_int_equal(pthread_create(&th, NULL, srv_main, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(http_exchange(sv[0], &test_url, &req, &r, err, sizeof(err)), DAGD_EIO);
	clock_gettime(CLOCK_MONOTONIC, &b);
	close(sv[0]);
	pthread_join(th, NULL);
	assert_string_equal(err, "the server sent nothing for 100 ms");
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 95 && ms < 800); /* gave up at the timeout, not at the close */
}

/* --- over TCP ------------------------------------------------------------------------------ */

static int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_client_tcp(void **state)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost"};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		int port, lfd = listen_any(&port);
		struct srv s = {.fd = lfd, .accept_first = true,
				.reply = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong"};
		struct http_url u = {.host = (char *)hosts[i], .port = port, .base = ""};
		struct http_request req = {.method = "GET", .path = "/healthz"};
		struct http_response r;
		char err[256] = "";
		pthread_t th;

		s.reply_len = strlen(s.reply);
		assert_int_equal(pthread_create(&th, NULL, srv_main, &s), 0);
		if (http_client_request(&u, &req, &r, err, sizeof(err)) != 0)
			fail_msg("%s: %s", hosts[i], err);
		pthread_join(th, NULL);
		close(lfd);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.body, "pong");
		assert_non_null(strstr(s.req, "GET /healthz HTTP/1.1\r\n"));
		http_response_release(&r);
	}
}

static void test_client_refused(void **state)
{
	int port, lfd = listen_any(&port);
	struct http_url u = {.host = "127.0.0.1", .base = ""};
	struct http_request req = {.method = "GET", .path = "/"};
	struct http_response r;
	char err[256] = "";

	(void)state;
	close(lfd); /* nobody listens there now */
	u.port = port;
	assert_int_equal(http_client_request(&u, &req, &r, err, sizeof(err)), DAGD_ESYS);
	assert_string_equal(err, "connection refused");
	assert_null(r.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_pct_encode),
		cmocka_unit_test(test_head_parse),
		cmocka_unit_test(test_head_errors),
		cmocka_unit_test(test_chunked_table),
		cmocka_unit_test(test_chunked_limits),
		cmocka_unit_test(test_exchange_request_text),
		cmocka_unit_test(test_exchange_framings),
		cmocka_unit_test(test_exchange_errors),
		cmocka_unit_test(test_exchange_head_cap),
		cmocka_unit_test(test_exchange_path_checked),
		cmocka_unit_test(test_exchange_stream),
		cmocka_unit_test(test_exchange_read_timeout),
		cmocka_unit_test(test_client_tcp),
		cmocka_unit_test(test_client_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
