/*
 * test_http.c - daemon/http.c on a real uv_loop_t in this process, on
 * 127.0.0.1 port 0, with a handler routing a few test paths (router.h) and
 * a client of plain blocking sockets in a second thread. Checks status
 * lines, Content-Type and Allow, the JSON error body of every error we
 * make (404, 405, 400, 413, 500), the raw path and decoded query, a
 * chunked stream woken three times by a uv_timer, deferred replies,
 * clients that leave while their request sleeps, stopping with sleeping
 * requests, idle timeouts, huge headers, the counters, and that the loop
 * closes with nothing left open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "router.h"

#define MAX_RESP 8
#define WATCHDOG_MS 20000

enum {
	T_JSON, T_ERROR, T_ECHO, T_QUERY, T_RAW, T_STREAM, T_FOREVER, T_DEFER, T_DEFER_FOREVER,
	T_NOREPLY, T_HEADERS, T_DOUBLE, T_DATA,
};

static const struct route routes[] = {
	{"GET", "/json", T_JSON},
	{"GET", "/error", T_ERROR},
	{"POST", "/echo", T_ECHO},
	{"PUT", "/echo", T_ECHO},
	{"GET", "/query", T_QUERY},
	{"GET", "/raw/{x}", T_RAW},
	{"GET", "/stream", T_STREAM},
	{"GET", "/forever", T_FOREVER},
	{"GET", "/defer", T_DEFER},
	{"GET", "/defer-forever", T_DEFER_FOREVER},
	{"GET", "/noreply", T_NOREPLY},
	{"GET", "/headers", T_HEADERS},
	{"GET", "/double", T_DOUBLE},
	{"GET", "/data", T_DATA},
};

struct fixture;
typedef void (*client_fn)(struct fixture *fx);

struct fixture {
	uv_loop_t loop;
	struct http_server *srv;
	int port;
	uv_async_t done;
	uv_timer_t watchdog;
	bool timed_out;
	pthread_t th;
	client_fn client;
	/* filled by the client thread, read after the join */
	char *raw[MAX_RESP];
	size_t rawlen[MAX_RESP];
	int keep_fd[2];
	double elapsed_s;
	/* counted on the loop, polled by the client */
	atomic_int handled;
	atomic_int echo_calls;
	atomic_int stream_again;
	atomic_int stream_wakes;
	atomic_int stream_frees;
	atomic_int forever_reads;
	atomic_int cancels;
	atomic_int defer_started;
	int header_rc[5];
	struct http_req *deferred;
	uv_timer_t defer_timer;
	bool defer_timer_on;
};

/* --- the server side: runs on the loop --- */

struct chunky {
	struct fixture *fx;
	uv_timer_t tick;
	int produced, consumed;
	struct http_stream *s;
};

static ssize_t chunky_read(void *arg, char *buf, size_t max)
{
	struct chunky *c = arg;

	if (c->consumed < c->produced) {
		int n = snprintf(buf, max, "chunk %d\n", ++c->consumed);
		return n;
	}
	if (c->consumed == 3)
		return HTTP_STREAM_END;
	atomic_fetch_add(&c->fx->stream_again, 1);
	return HTTP_STREAM_AGAIN;
}

static void chunky_tick(uv_timer_t *t)
{
	struct chunky *c = t->data;

	c->produced++;
	atomic_fetch_add(&c->fx->stream_wakes, 1);
	http_stream_wake(c->s);
	if (c->produced == 3)
		uv_timer_stop(t);
}

static void chunky_closed(uv_handle_t *h)
{
	free(h->data);
}

static void chunky_free(void *arg)
{
	struct chunky *c = arg;

	atomic_fetch_add(&c->fx->stream_frees, 1);
	uv_close((uv_handle_t *)&c->tick, chunky_closed);
}

static ssize_t forever_read(void *arg, char *buf, size_t max)
{
	struct fixture *fx = arg;

	(void)buf;
	(void)max;
	atomic_fetch_add(&fx->forever_reads, 1);
	return HTTP_STREAM_AGAIN;
}

static void forever_free(void *arg)
{
	struct fixture *fx = arg;

	atomic_fetch_add(&fx->stream_frees, 1);
}

static void defer_cancel(void *arg)
{
	struct fixture *fx = arg;

	atomic_fetch_add(&fx->cancels, 1);
	fx->deferred = NULL;
}

static void defer_fire(uv_timer_t *t)
{
	struct fixture *fx = t->data;
	struct http_req *req = fx->deferred;

	fx->deferred = NULL;
	if (!req)
		return;
	if (http_add_header(req, "X-Deferred", "yes") != 0)
		fail_msg("X-Deferred refused");
	http_reply_json(req, 202, json_pack("{s:b}", "deferred", 1));
}

static void reply_query(struct http_req *req)
{
	json_t *o = json_object();
	const char *names[] = {"limit", "name", "flag", "missing", "k y"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = http_query(req, names[i]);
		json_object_set_new(o, names[i], v ? json_string(v) : json_null());
	}
	http_reply_json(req, 200, o);
}

static void handler(void *ctx, struct http_req *req)
{
	struct fixture *fx = ctx;
	struct route_match m;
	enum router_result res;
	char label[96];

	atomic_fetch_add(&fx->handled, 1);
	res = router_match(routes, sizeof(routes) / sizeof(routes[0]), http_method(req),
			   http_path(req), &m);
	if (res != ROUTER_MATCH) {
		int st = router_http_status(res);
		if (res == ROUTER_METHOD_NOT_ALLOWED && http_add_header(req, "Allow", m.allow) != 0)
			fail_msg("Allow refused");
		http_reply_error(req, st, st == 404 ? "not_found" : st == 405 ? "method_not_allowed"
								      : "bad_request",
				 m.detail ? m.detail : "no such route");
		route_match_release(&m);
		return;
	}
	snprintf(label, sizeof(label), "%s %s", m.route->method, m.route->pattern);
	http_set_route_label(req, label);
	switch (m.route->id) {
	case T_JSON:
		http_reply_json(req, 200, json_pack("{s:b, s:s}", "ok", 1, "method",
						    http_method(req)));
		break;
	case T_ERROR:
		http_reply_error(req, 409, "conflict", "bad \xff byte");
		break;
	case T_ECHO: {
		size_t len;
		const char *b = http_body(req, &len);
		atomic_fetch_add(&fx->echo_calls, 1);
		http_reply_data(req, 200, "application/octet-stream", b, len, true);
		break;
	}
	case T_QUERY:
		reply_query(req);
		break;
	case T_RAW:
		http_reply_json(req, 200, json_pack("{s:s, s:s}", "path", http_path(req), "x",
						    route_param(&m, "x")));
		break;
	case T_STREAM: {
		struct chunky *c = xcalloc(1, sizeof(*c));
		c->fx = fx;
		uv_timer_init(&fx->loop, &c->tick);
		c->tick.data = c;
		c->s = http_reply_stream(req, 200, "text/plain; charset=utf-8", chunky_read, c,
					 chunky_free);
		assert_non_null(c->s);
		uv_timer_start(&c->tick, chunky_tick, 30, 30);
		break;
	}
	case T_FOREVER:
		assert_non_null(http_reply_stream(req, 200, "text/plain", forever_read, fx,
						  forever_free));
		break;
	case T_DEFER:
		http_defer(req, defer_cancel, fx);
		fx->deferred = req;
		uv_timer_start(&fx->defer_timer, defer_fire, 20, 0);
		break;
	case T_DEFER_FOREVER:
		http_defer(req, defer_cancel, fx);
		fx->deferred = req;
		atomic_fetch_add(&fx->defer_started, 1);
		break;
	case T_NOREPLY:
		break;
	case T_HEADERS:
		fx->header_rc[0] = http_add_header(req, "Cache-Control", "no-store");
		fx->header_rc[1] = http_add_header(req, "content-type", "text/html");
		fx->header_rc[2] = http_add_header(req, "Bad Name", "x");
		fx->header_rc[3] = http_add_header(req, "X-Split", "a\r\nX-Evil: 1");
		http_reply_json(req, 200, json_object());
		fx->header_rc[4] = http_add_header(req, "ETag", "\"v1\"");
		break;
	case T_DOUBLE:
		http_reply_json(req, 201, json_pack("{s:i}", "first", 1));
		http_reply_error(req, 500, "internal", "second");
		assert_null(http_reply_stream(req, 200, "text/plain", forever_read, fx,
					      forever_free));
		break;
	case T_DATA:
		http_reply_data(req, 200, "text/css", "body{}", 6, false);
		break;
	}
	route_match_release(&m);
}

/* --- the client side: runs in its own thread, no cmocka calls --- */

static int dial(int port)
{
	struct sockaddr_in a = {0};
	struct timeval tv = {5, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/* Read until EOF (or the receive timeout); a NUL-terminated buffer. */
static char *read_all(int fd, size_t *len)
{
	size_t n = 0, alloc = 4096;
	char *buf = malloc(alloc);

	for (;;) {
		if (alloc - n < 2048)
			buf = realloc(buf, alloc *= 2);
		ssize_t k = recv(fd, buf + n, alloc - n - 1, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Read until the end of the response head; 0 when it arrived. */
static int read_head(int fd)
{
	char buf[4096];
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		ssize_t k = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);
		if (k <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

/* One request on its own connection; the whole answer into raw[i]. */
static void req_raw(struct fixture *fx, int i, const char *req, size_t len)
{
	int fd = dial(fx->port);

	if (fd < 0)
		return;
	send_all(fd, req, len);
	fx->raw[i] = read_all(fd, &fx->rawlen[i]);
	close(fd);
}

static void req_str(struct fixture *fx, int i, const char *req)
{
	req_raw(fx, i, req, strlen(req));
}

static void req_get(struct fixture *fx, int i, const char *method, const char *target)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		 method, target);
	req_str(fx, i, buf);
}

/* Wait (up to 3 s) until *v reaches want. */
static void wait_for(atomic_int *v, int want)
{
	for (int i = 0; i < 300 && atomic_load(v) < want; i++)
		usleep(10000);
}

static void *client_main(void *arg)
{
	struct fixture *fx = arg;

	fx->client(fx);
	uv_async_send(&fx->done);
	return NULL;
}

/* --- fixture --- */

static void done_cb(uv_async_t *a)
{
	uv_stop(a->loop);
}

static void watchdog_cb(uv_timer_t *t)
{
	struct fixture *fx = t->data;

	fx->timed_out = true;
	uv_stop(t->loop);
}

static struct fixture *fx_start(const struct http_opts *opts)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[256] = "";

	assert_int_equal(uv_loop_init(&fx->loop), 0);
	if (http_start(&fx->loop, "127.0.0.1:0", opts, handler, fx, &fx->srv, err,
		       sizeof(err)) != 0)
		fail_msg("http_start: %s", err);
	fx->port = http_port(fx->srv);
	assert_true(fx->port > 0 && fx->port < 65536);
	assert_int_equal(uv_async_init(&fx->loop, &fx->done, done_cb), 0);
	uv_timer_init(&fx->loop, &fx->watchdog);
	fx->watchdog.data = fx;
	uv_timer_init(&fx->loop, &fx->defer_timer);
	fx->defer_timer.data = fx;
	fx->keep_fd[0] = fx->keep_fd[1] = -1;
	return fx;
}

static void fx_run(struct fixture *fx, client_fn fn)
{
	fx->client = fn;
	uv_timer_start(&fx->watchdog, watchdog_cb, WATCHDOG_MS, 0);
	assert_int_equal(pthread_create(&fx->th, NULL, client_main, fx), 0);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(pthread_join(fx->th, NULL), 0);
	uv_timer_stop(&fx->watchdog);
	assert_false(fx->timed_out);
}

/* Forget the answers of the last run. */
static void fx_clear(struct fixture *fx)
{
	for (int i = 0; i < MAX_RESP; i++) {
		free(fx->raw[i]);
		fx->raw[i] = NULL;
		fx->rawlen[i] = 0;
	}
}

/* Stop the server, close everything, check the loop has nothing left. */
static void fx_finish(struct fixture *fx)
{
	http_stop(fx->srv);
	uv_close((uv_handle_t *)&fx->done, NULL);
	uv_close((uv_handle_t *)&fx->watchdog, NULL);
	uv_close((uv_handle_t *)&fx->defer_timer, NULL);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&fx->loop), 0);
	fx_clear(fx);
	for (int i = 0; i < 2; i++)
		if (fx->keep_fd[i] >= 0)
			close(fx->keep_fd[i]);
	free(fx);
}

/* --- parsing answers (main thread) --- */

struct resp {
	int status;
	char head[8192];
	char *body;
	size_t body_len;
	int nchunks; /* data chunks of a chunked body, else -1 */
};

/* Parse raw (one response; HEAD answers have head_only). */
static void parse(const char *raw, size_t len, bool head_only, struct resp *r)
{
	const char *end;
	size_t hlen;

	memset(r, 0, sizeof(*r));
	r->nchunks = -1;
	assert_non_null(raw);
	end = strstr(raw, "\r\n\r\n");
	if (!end)
		fail_msg("no response head in '%.200s'", raw);
	hlen = (size_t)(end - raw) + 2;
	assert_true(hlen < sizeof(r->head));
	memcpy(r->head, raw, hlen);
	r->head[hlen] = '\0';
	if (sscanf(raw, "HTTP/1.1 %d ", &r->status) != 1)
		fail_msg("bad status line '%.60s'", raw);
	const char *b = end + 4;
	size_t blen = len - (size_t)(b - raw);
	r->body = calloc(1, blen + 1);
	if (head_only)
		return;
	if (strcasestr(r->head, "\r\nTransfer-Encoding: chunked\r\n")) {
		r->nchunks = 0;
		for (;;) {
			char *e;
			unsigned long n = strtoul(b, &e, 16);
			if (e == b || strncmp(e, "\r\n", 2) != 0)
				fail_msg("bad chunk header '%.20s'", b);
			b = e + 2;
			if (n == 0)
				break;
			assert_true((size_t)(b - raw) + n + 2 <= len);
			memcpy(r->body + r->body_len, b, n);
			r->body_len += n;
			r->nchunks++;
			b += n;
			assert_memory_equal(b, "\r\n", 2);
			b += 2;
		}
		return;
	}
	memcpy(r->body, b, blen);
	r->body_len = blen;
}

static void resp_release(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* The value of header name in r, or NULL (a static buffer). */
static const char *header(const struct resp *r, const char *name)
{
	static char val[1024];
	size_t n = strlen(name);
	const char *p = r->head;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
			return val;
		}
	}
	return NULL;
}

/* Parse answer i, check status and Content-Type. */
static void expect(struct fixture *fx, int i, int status, const char *ctype, struct resp *r)
{
	if (!fx->raw[i])
		fail_msg("no answer %d", i);
	parse(fx->raw[i], fx->rawlen[i], false, r);
	if (r->status != status)
		fail_msg("answer %d: status %d, want %d: %s", i, r->status, status, fx->raw[i]);
	const char *ct = header(r, "Content-Type");
	if (!ct || strcmp(ct, ctype) != 0)
		fail_msg("answer %d: Content-Type '%s', want '%s'", i, ct ? ct : "(none)", ctype);
}

/* The answer is exactly {"error": error, "detail": <contains detail>}. */
static void expect_error(struct fixture *fx, int i, int status, const char *error,
			 const char *detail)
{
	struct resp r;
	json_error_t je;
	json_t *j;

	expect(fx, i, status, "application/json", &r);
	j = json_loadb(r.body, r.body_len, 0, &je);
	if (!j)
		fail_msg("answer %d: not JSON: %s", i, r.body);
	assert_int_equal(json_object_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(j, "error")), error);
	const char *d = json_string_value(json_object_get(j, "detail"));
	assert_non_null(d);
	if (!strstr(d, detail))
		fail_msg("answer %d: detail '%s' lacks '%s'", i, d, detail);
	json_decref(j);
	resp_release(&r);
}

static void expect_body(struct fixture *fx, int i, int status, const char *ctype,
			const char *body)
{
	struct resp r;

	expect(fx, i, status, ctype, &r);
	if (r.body_len != strlen(body) || memcmp(r.body, body, r.body_len) != 0)
		fail_msg("answer %d: body '%s', want '%s'", i, r.body, body);
	resp_release(&r);
}

/* --- tests --- */

static void c_basic(struct fixture *fx)
{
	req_get(fx, 0, "GET", "/json");
	req_get(fx, 1, "GET", "/error");
	req_get(fx, 2, "GET", "/nope");
	req_get(fx, 3, "DELETE", "/echo");
	req_get(fx, 4, "GET", "/raw/a%2Fb");
	req_get(fx, 5, "GET", "/noreply");
	req_get(fx, 6, "GET", "/raw/a%20b%C3%A9");
	req_get(fx, 7, "HEAD", "/json");
}

static void test_basic(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct resp r;

	(void)state;
	fx_run(fx, c_basic);
	expect_body(fx, 0, 200, "application/json", "{\"ok\":true,\"method\":\"GET\"}");
	expect_error(fx, 1, 409, "conflict", "bad ? byte");
	expect_error(fx, 2, 404, "not_found", "no such route");
	expect_error(fx, 3, 405, "method_not_allowed", "no such route");
	expect(fx, 3, 405, "application/json", &r);
	assert_string_equal(header(&r, "Allow"), "POST, PUT");
	assert_null(header(&r, "Access-Control-Allow-Origin"));
	resp_release(&r);
	expect_error(fx, 4, 400, "bad_request", "encoded '/'");
	expect_error(fx, 5, 500, "internal", "not answered");
	expect_body(fx, 6, 200, "application/json",
		    "{\"path\":\"/raw/a%20b%C3%A9\",\"x\":\"a b\xc3\xa9\"}");
	parse(fx->raw[7], fx->rawlen[7], true, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	assert_int_equal(fx->rawlen[7], strlen(r.head) + 2); /* no body */
	resp_release(&r);
	fx_finish(fx);
}

static void c_query(struct fixture *fx)
{
	req_get(fx, 0, "GET", "/query?limit=10&name=a%20b+c&flag&k+y=%E2%82%AC&limit=11");
	req_get(fx, 1, "GET", "/query?x=%zz");
	req_get(fx, 2, "GET", "/query?x=%C3");
	req_get(fx, 3, "GET", "/query?x=a%00b");
	req_get(fx, 4, "GET", "/query");
}

static void test_query(void **state)
{
	struct fixture *fx = fx_start(NULL);

	(void)state;
	fx_run(fx, c_query);
	expect_body(fx, 0, 200, "application/json",
		    "{\"limit\":\"10\",\"name\":\"a b c\",\"flag\":\"\",\"missing\":null,"
		    "\"k y\":\"\xe2\x82\xac\"}");
	expect_error(fx, 1, 400, "bad_request", "query string: bad percent escape");
	expect_error(fx, 2, 400, "bad_request", "UTF-8");
	expect_error(fx, 3, 400, "bad_request", "NUL");
	expect_body(fx, 4, 200, "application/json",
		    "{\"limit\":null,\"name\":null,\"flag\":null,\"missing\":null,\"k y\":null}");
	/* the bad queries never reached the handler: 5 requests, 2 handled */
	assert_int_equal(atomic_load(&fx->handled), 2);
	fx_finish(fx);
}

static void c_bodies(struct fixture *fx)
{
	char big[5000];
	char req[8192];
	int n;

	/* exactly at the cap */
	memset(big, 'x', 1000);
	n = snprintf(req, sizeof(req),
		     "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		     "Content-Length: 1000\r\n\r\n%.1000s", big);
	req_raw(fx, 0, req, (size_t)n);
	/* one byte over, announced: refused before the body is read */
	req_str(fx, 1, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		       "Content-Length: 1001\r\nExpect: 100-continue\r\n\r\n");
	/* chunked, over the cap: read, dropped, refused at the end */
	n = snprintf(req, sizeof(req),
		     "PUT /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		     "Transfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 3; i++)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "258\r\n%.600s\r\n", big);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "0\r\n\r\n");
	req_raw(fx, 2, req, (size_t)n);
	/* chunked, under the cap */
	req_str(fx, 3, "PUT /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		       "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
	/* empty body */
	req_str(fx, 4, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		       "Content-Length: 0\r\n\r\n");
}

static void test_bodies(void **state)
{
	struct http_opts o = {.body_max = 1000};
	struct fixture *fx = fx_start(&o);
	struct resp r;

	(void)state;
	fx_run(fx, c_bodies);
	expect(fx, 0, 200, "application/octet-stream", &r);
	assert_int_equal(r.body_len, 1000);
	resp_release(&r);
	expect_error(fx, 1, 413, "too_large", "larger than 1000 bytes");
	expect_error(fx, 2, 413, "too_large", "larger than 1000 bytes");
	expect_body(fx, 3, 200, "application/octet-stream", "hello world");
	expect_body(fx, 4, 200, "application/octet-stream", "");
	assert_int_equal(atomic_load(&fx->echo_calls), 3);
	fx_finish(fx);
}

static void c_default_cap(struct fixture *fx)
{
	req_str(fx, 0, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		       "Content-Length: 1048577\r\n\r\n");
	req_str(fx, 1, "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
		       "Content-Length: 99999999999999999999999\r\n\r\n");
}

static void test_default_cap(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct resp r;

	(void)state;
	fx_run(fx, c_default_cap);
	expect_error(fx, 0, 413, "too_large", "larger than 1048576 bytes");
	/* a Content-Length that does not fit is MHD's to refuse */
	parse(fx->raw[1], fx->rawlen[1], false, &r);
	assert_true(r.status == 400 || r.status == 413);
	resp_release(&r);
	assert_int_equal(atomic_load(&fx->echo_calls), 0);
	fx_finish(fx);
}

static void c_stream(struct fixture *fx)
{
	req_get(fx, 0, "GET", "/stream");
}

static void test_stream(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct resp r;

	(void)state;
	fx_run(fx, c_stream);
	expect(fx, 0, 200, "text/plain; charset=utf-8", &r);
	assert_string_equal(header(&r, "Transfer-Encoding"), "chunked");
	assert_null(header(&r, "Content-Length"));
	assert_string_equal(r.body, "chunk 1\nchunk 2\nchunk 3\n");
	assert_int_equal(r.nchunks, 3);
	resp_release(&r);
	/* it slept before each chunk: three AGAINs, three wakes, one free */
	assert_int_equal(atomic_load(&fx->stream_again), 3);
	assert_int_equal(atomic_load(&fx->stream_wakes), 3);
	assert_int_equal(atomic_load(&fx->stream_frees), 1);
	fx_finish(fx);
}

static void c_defer(struct fixture *fx)
{
	int fd;

	req_get(fx, 0, "GET", "/defer");
	/* a client that leaves while its deferred request sleeps */
	fd = dial(fx->port);
	send_str(fd, "GET /defer-forever HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&fx->defer_started, 1);
	close(fd);
	wait_for(&fx->cancels, 1);
	/* and one whose stream sleeps */
	fd = dial(fx->port);
	send_str(fd, "GET /forever HTTP/1.1\r\nHost: t\r\n\r\n");
	if (read_head(fd) == 0)
		wait_for(&fx->forever_reads, 1);
	close(fd);
	wait_for(&fx->stream_frees, 1);
}

static void test_defer_and_leave(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct resp r;

	(void)state;
	fx_run(fx, c_defer);
	expect(fx, 0, 202, "application/json", &r);
	assert_string_equal(r.body, "{\"deferred\":true}");
	assert_string_equal(header(&r, "X-Deferred"), "yes");
	resp_release(&r);
	/* noticed while the server still ran, not at http_stop */
	assert_int_equal(atomic_load(&fx->defer_started), 1);
	assert_int_equal(atomic_load(&fx->cancels), 1);
	assert_int_equal(atomic_load(&fx->forever_reads), 1);
	assert_int_equal(atomic_load(&fx->stream_frees), 1);
	fx_finish(fx);
}

static void c_stop_sleeping(struct fixture *fx)
{
	fx->keep_fd[0] = dial(fx->port);
	send_str(fx->keep_fd[0], "GET /forever HTTP/1.1\r\nHost: t\r\n\r\n");
	if (read_head(fx->keep_fd[0]) == 0)
		wait_for(&fx->forever_reads, 1);
	fx->keep_fd[1] = dial(fx->port);
	send_str(fx->keep_fd[1], "GET /defer-forever HTTP/1.1\r\nHost: t\r\n\r\n");
	wait_for(&fx->defer_started, 1);
}

static void test_stop_while_sleeping(void **state)
{
	struct fixture *fx = fx_start(NULL);

	(void)state;
	fx_run(fx, c_stop_sleeping);
	assert_int_equal(atomic_load(&fx->forever_reads), 1);
	assert_int_equal(atomic_load(&fx->defer_started), 1);
	assert_int_equal(atomic_load(&fx->stream_frees), 0);
	assert_int_equal(atomic_load(&fx->cancels), 0);
	http_stop(fx->srv);
	/* both ended inside http_stop, once each */
	assert_int_equal(atomic_load(&fx->stream_frees), 1);
	assert_int_equal(atomic_load(&fx->cancels), 1);
	fx->srv = NULL; /* fx_finish's http_stop(NULL) is a no-op */
	fx_finish(fx);
}

static void c_misc(struct fixture *fx)
{
	char *big = malloc(70000);
	int n;

	req_get(fx, 0, "GET", "/headers");
	req_get(fx, 1, "GET", "/double");
	req_get(fx, 2, "GET", "/data");
	/* two pipelined requests on one connection */
	req_str(fx, 3, "GET /json HTTP/1.1\r\nHost: t\r\n\r\n"
		       "GET /json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	/* 64 KiB of headers: MHD's own 431, no crash */
	n = snprintf(big, 70000, "GET /json HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(big + n, 'a', 65536);
	n += 65536;
	n += snprintf(big + n, (size_t)(70000 - n), "\r\nConnection: close\r\n\r\n");
	req_raw(fx, 4, big, (size_t)n);
	free(big);
	/* a method token MHD passes on: routed, so a JSON 405 */
	req_get(fx, 5, "BREW", "/json");
	/* garbage: MHD hangs up; HTTP/1.1 without Host: MHD's own 400 */
	req_str(fx, 6, "GARBAGE\r\n\r\n");
	req_str(fx, 7, "GET /json HTTP/1.1\r\nConnection: close\r\n\r\n");
}

static void test_misc(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct resp r;
	const char *second;

	(void)state;
	fx_run(fx, c_misc);
	expect_body(fx, 0, 200, "application/json", "{}");
	expect(fx, 0, 200, "application/json", &r);
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	assert_string_equal(header(&r, "ETag"), "\"v1\"");
	assert_null(header(&r, "X-Evil"));
	resp_release(&r);
	assert_int_equal(fx->header_rc[0], 0);
	assert_int_equal(fx->header_rc[1], DAGD_EINVAL);
	assert_int_equal(fx->header_rc[2], DAGD_EINVAL);
	assert_int_equal(fx->header_rc[3], DAGD_EINVAL);
	assert_int_equal(fx->header_rc[4], 0);
	expect_body(fx, 1, 201, "application/json", "{\"first\":1}");
	expect_body(fx, 2, 200, "text/css", "body{}");
	/* pipelined: two complete answers */
	expect(fx, 3, 200, "application/json", &r);
	resp_release(&r);
	second = strstr(fx->raw[3] + 1, "HTTP/1.1 200");
	assert_non_null(second);
	assert_non_null(strstr(second, "{\"ok\":true,\"method\":\"GET\"}"));
	parse(fx->raw[4], fx->rawlen[4], false, &r);
	assert_true(r.status == 431 || r.status == 413);
	resp_release(&r);
	expect_error(fx, 5, 405, "method_not_allowed", "no such route");
	assert_int_equal(fx->rawlen[6], 0);
	parse(fx->raw[7], fx->rawlen[7], false, &r);
	assert_int_equal(r.status, 400);
	resp_release(&r);
	/* still serving after all that */
	fx_clear(fx);
	fx_run(fx, c_basic);
	expect_body(fx, 0, 200, "application/json", "{\"ok\":true,\"method\":\"GET\"}");
	fx_finish(fx);
}

static void c_idle(struct fixture *fx)
{
	struct timespec a, b;
	char c;
	int fd = dial(fx->port);

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (fd >= 0) {
		(void)recv(fd, &c, 1, 0); /* 0 when the server hangs up */
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	fx->elapsed_s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void test_idle_timeout(void **state)
{
	struct http_opts o = {.conn_timeout_s = 1};
	struct fixture *fx = fx_start(&o);

	(void)state;
	fx_run(fx, c_idle);
	/* closed by MHD's timeout, driven by our uv_timer; recv would wait 5 s */
	if (fx->elapsed_s < 0.5 || fx->elapsed_s > 3.0)
		fail_msg("idle connection closed after %.2f s, want about 1", fx->elapsed_s);
	fx_finish(fx);
}

struct seen {
	char text[512];
};

static void counter_cb(void *arg, const char *label, int status, uint64_t count)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s %d=%llu;", label, status,
		 (unsigned long long)count);
}

static void c_counters(struct fixture *fx)
{
	req_get(fx, 0, "GET", "/json");
	req_get(fx, 1, "GET", "/json");
	req_get(fx, 2, "GET", "/nope");
	req_get(fx, 3, "GET", "/query?x=%zz");
	req_get(fx, 4, "GET", "/error");
}

static void test_counters(void **state)
{
	struct fixture *fx = fx_start(NULL);
	struct seen s = {""};

	(void)state;
	fx_run(fx, c_counters);
	http_counters_each(fx->srv, counter_cb, &s);
	assert_string_equal(s.text, "GET /json 200=2;unrouted 404=1;unrouted 400=1;"
				    "GET /error 409=1;");
	fx_finish(fx);
}

static void test_listen(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x",
		"::1:80", "[::1]80", "[::1", "example.com:80", ":80", "999.1.1.1:80",
	};
	uv_loop_t loop;
	struct http_server *a = NULL, *b = NULL;
	char err[256], where[64];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(http_start(&loop, bad[i], NULL, handler, NULL, &a, err,
					    sizeof(err)), DAGD_EINVAL);
		assert_null(a);
		if (!strstr(err, bad[i]))
			fail_msg("'%s': message '%s' does not name it", bad[i], err);
	}
	assert_int_equal(http_start(&loop, "localhost:0", NULL, handler, NULL, &a, err,
				    sizeof(err)), 0);
	snprintf(where, sizeof(where), "127.0.0.1:%d", http_port(a));
	assert_int_equal(http_start(&loop, where, NULL, handler, NULL, &b, err, sizeof(err)),
			 DAGD_ESYS);
	assert_null(b);
	assert_non_null(strstr(err, where));
	http_stop(a);
	if (http_start(&loop, "[::1]:0", NULL, handler, NULL, &b, err, sizeof(err)) == 0) {
		assert_true(http_port(b) > 0);
		http_stop(b);
	} else {
		print_message("no IPv6 loopback here: %s\n", err);
	}
	http_stop(NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_default_cap),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_defer_and_leave),
		cmocka_unit_test(test_stop_while_sleeping),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_listen),
	};

	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
