/*
 * http.c - libmicrohttpd inside the libuv loop. MHD runs in external
 * epoll mode with no thread of its own: one uv_poll_t watches MHD's epoll
 * fd, one uv_timer_t fires at MHD_get_timeout() (or at once, to process
 * wake-ups), and every callback calls MHD_run() and re-arms the timer.
 * A request lives from MHD's first access-handler call to its completion
 * callback; its body is collected under a cap before the handler runs.
 * Streams and deferred replies suspend the connection (no busy polling);
 * while suspended, a second uv_poll_t on the client socket notices a
 * client that went away. Only queued replies are counted per route label.
 * What handlers call (replies, streams, accessors) is in http_reply.c.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "dagd_limits.h"
#include "http_internal.h"
#include "log.h"
#include "router.h"

static void timer_cb(uv_timer_t *t);
static void srv_close_cb(uv_handle_t *h);

/* --- the loop side --- */

void http__kick(struct http_server *srv)
{
	if (srv->stopping)
		return;
	srv->kicked = true;
	uv_timer_start(&srv->timer, timer_cb, 0, 0);
}

static void watch_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void watch_cb(uv_poll_t *h, int status, int events)
{
	struct watch *w = h->data;
	struct http_req *req = w->req;

	if (!req)
		return;
	if (status < 0 || (events & UV_DISCONNECT)) {
		log_debug(MOD, "client left '%s %s' while it slept", req->method, req->path);
		req->gone = true;
		uv_poll_stop(h);
		http__kick(req->srv);
	}
}

static void watch_start(struct http_req *req)
{
	const union MHD_ConnectionInfo *ci;
	struct watch *w;
	int rc;

	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	w = xcalloc(1, sizeof(*w));
	rc = uv_poll_init(req->srv->loop, &w->h, ci->connect_fd);
	if (rc != 0) {
		/* Not fatal: the request still ends when it is woken or the
		 * server stops; only an early goodbye goes unnoticed. */
		log_warn(MOD, "cannot watch a sleeping connection: %s", uv_strerror(rc));
		free(w);
		return;
	}
	w->h.data = w;
	w->req = req;
	rc = uv_poll_start(&w->h, UV_DISCONNECT, watch_cb);
	if (rc != 0)
		log_warn(MOD, "cannot watch a sleeping connection: %s", uv_strerror(rc));
	req->watch = w;
}

static void watch_stop(struct http_req *req)
{
	if (!req->watch)
		return;
	req->watch->req = NULL;
	uv_close((uv_handle_t *)&req->watch->h, watch_close_cb);
	req->watch = NULL;
}

void http__sleep(struct http_req *req)
{
	struct http_server *srv = req->srv;

	MHD_suspend_connection(req->conn);
	req->suspended = true;
	req->sprev = NULL;
	req->snext = srv->sleeping;
	if (srv->sleeping)
		srv->sleeping->sprev = req;
	srv->sleeping = req;
	watch_start(req);
}

static void unsleep_req(struct http_req *req)
{
	struct http_server *srv = req->srv;

	watch_stop(req);
	if (req->sprev)
		req->sprev->snext = req->snext;
	else
		srv->sleeping = req->snext;
	if (req->snext)
		req->snext->sprev = req->sprev;
	req->sprev = req->snext = NULL;
	req->suspended = false;
	req->wake = false;
	MHD_resume_connection(req->conn);
}

static void process_wakes(struct http_server *srv)
{
	struct http_req *req = srv->sleeping, *next;

	for (; req; req = next) {
		next = req->snext;
		if (req->wake || req->gone)
			unsleep_req(req);
	}
}

static void rearm(struct http_server *srv)
{
	MHD_UNSIGNED_LONG_LONG t = 0;
	uint64_t ms;

	if (srv->stopping)
		return;
	if (srv->kicked) {
		ms = 0;
	} else if (MHD_get_timeout(srv->mhd, &t) == MHD_YES) {
		ms = (uint64_t)t;
	} else {
		uv_timer_stop(&srv->timer);
		return;
	}
	uv_timer_start(&srv->timer, timer_cb, ms, 0);
}

static void run_mhd(struct http_server *srv)
{
	if (srv->stopping)
		return;
	srv->kicked = false;
	process_wakes(srv);
	if (MHD_run(srv->mhd) != MHD_YES)
		log_warn(MOD, "MHD_run failed");
	rearm(srv);
}

static void timer_cb(uv_timer_t *t)
{
	run_mhd(t->data);
}

static void poll_cb(uv_poll_t *p, int status, int events)
{
	struct http_server *srv = p->data;

	(void)events;
	if (status < 0)
		log_warn(MOD, "polling MHD's epoll fd: %s", uv_strerror(status));
	run_mhd(srv);
}

/* --- requests --- */

static struct http_req *req_new(struct http_server *srv, struct MHD_Connection *conn,
				const char *url, const char *method)
{
	struct http_req *req = xcalloc(1, sizeof(*req));

	req->srv = srv;
	req->conn = conn;
	req->method = method;
	req->path = url;
	sbuf_init(&req->body, srv->opts.body_max);
	req->state = REQ_BODY;
	req->start_ms = uv_now(srv->loop);
	return req;
}

static void req_free(struct http_req *req)
{
	struct hdr *h, *next;

	for (h = req->hdrs; h; h = next) {
		next = h->next;
		free(h->name);
		free(h->value);
		free(h);
	}
	for (size_t i = 0; i < req->nq; i++) {
		free(req->q[i].key);
		free(req->q[i].value);
	}
	free(req->q);
	free(req->label);
	sbuf_release(&req->body);
	free(req);
}

static void count_reply(struct http_server *srv, const char *label, int status)
{
	struct counter *c;

	for (size_t i = 0; i < srv->ncounters; i++) {
		c = &srv->counters[i];
		if (c->status == status && strcmp(c->label, label) == 0) {
			c->n++;
			return;
		}
	}
	if (srv->ncounters == srv->acounters) {
		srv->acounters = srv->acounters ? 2 * srv->acounters : 16;
		srv->counters = xrealloc(srv->counters, srv->acounters * sizeof(*srv->counters));
	}
	c = &srv->counters[srv->ncounters++];
	c->label = xstrdup(label);
	c->status = status;
	c->n = 1;
}

/* Queue the prepared response; from inside the access handler only. */
static enum MHD_Result queue_now(struct http_req *req)
{
	struct MHD_Response *resp = req->resp;
	enum MHD_Result ret;

	req->resp = NULL;
	req->state = REQ_QUEUED;
	for (struct hdr *h = req->hdrs; h; h = h->next)
		if (MHD_add_response_header(resp, h->name, h->value) != MHD_YES)
			log_warn(MOD, "dropped response header '%s'", h->name);
	ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	if (ret != MHD_YES) {
		log_error(MOD, "cannot queue the reply to '%s %s'", req->method, req->path);
		return MHD_NO;
	}
	count_reply(req->srv, req->label ? req->label : "unrouted", req->status);
	log_debug(MOD, "%s %s %d %llums", req->method, req->path, req->status,
		  (unsigned long long)(uv_now(req->srv->loop) - req->start_ms));
	return MHD_YES;
}

/* --- the access handler --- */

struct qstate {
	struct http_req *req;
	size_t alloc;
	const char *why;
};

/* MHD has split the query on '&' and '=' and turned '+' into ' '. */
static enum MHD_Result query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct qstate *qs = cls;
	struct http_req *req = qs->req;
	char *k = NULL, *v = NULL;

	(void)kind;
	if (router_decode(key, strlen(key), &k, NULL, &qs->why) != 0)
		return MHD_NO;
	if (router_decode(value ? value : "", value ? strlen(value) : 0, &v, NULL, &qs->why) != 0) {
		free(k);
		return MHD_NO;
	}
	if (req->nq == qs->alloc) {
		qs->alloc = qs->alloc ? 2 * qs->alloc : 8;
		req->q = xrealloc(req->q, qs->alloc * sizeof(*req->q));
	}
	req->q[req->nq].key = k;
	req->q[req->nq].value = v;
	req->nq++;
	return MHD_YES;
}

static void reply_too_big(struct http_req *req)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "the request body is larger than %zu bytes",
		 req->srv->opts.body_max);
	http_reply_error(req, 413, "too_large", detail);
}

/* First call: headers are in. Refuse early what the handler won't see. */
static enum MHD_Result on_headers(struct http_req *req)
{
	const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct qstate qs = {req, 0, NULL};

	if (cl) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		/* MHD has already refused a malformed Content-Length. */
		if (errno == 0 && end != cl && n > req->srv->opts.body_max) {
			req->too_big = true;
			reply_too_big(req);
			return queue_now(req);
		}
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_cb, &qs);
	if (qs.why) {
		char detail[96];
		snprintf(detail, sizeof(detail), "query string: %s", qs.why);
		http_reply_error(req, 400, "bad_request", detail);
		return queue_now(req);
	}
	return MHD_YES;
}

static enum MHD_Result on_body(struct http_req *req, const char *data, size_t n)
{
	if (req->state != REQ_BODY)
		return MHD_YES; /* a refused body: MHD discards it */
	if (!req->too_big) {
		sbuf_addn(&req->body, data, n);
		if (!req->body.overflow)
			return MHD_YES;
		req->too_big = true;
		sbuf_release(&req->body);
		sbuf_init(&req->body, 1);
	}
	req->discarded += n;
	if (req->discarded > HTTP_BODY_DISCARD_MAX) {
		log_info(MOD, "cut '%s %s': body far over the cap", req->method, req->path);
		return MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result on_complete(struct http_req *req)
{
	struct http_server *srv = req->srv;

	switch (req->state) {
	case REQ_BODY:
		if (req->too_big) {
			reply_too_big(req);
			break;
		}
		req->state = REQ_HANDLER;
		srv->fn(srv->ctx, req);
		if (req->state == REQ_HANDLER) {
			log_error(MOD, "the handler of '%s %s' did not reply", req->method,
				  req->path);
			http_reply_error(req, 500, "internal", "the request was not answered");
		}
		break;
	case REQ_DEFERRED:
		if (req->gone)
			return MHD_NO; /* the completion callback cancels it */
		break;
	case REQ_REPLIED:
		break;
	case REQ_HANDLER:
	case REQ_QUEUED:
		return MHD_NO; /* not reached: MHD does not call again */
	}
	if (req->state == REQ_DEFERRED) {
		http__sleep(req);
		return MHD_YES;
	}
	return queue_now(req);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct http_req *req = *con_cls;

	(void)version;
	if (!req) {
		req = req_new(cls, conn, url, method);
		*con_cls = req;
		return on_headers(req);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		return on_body(req, upload_data, n);
	}
	return on_complete(req);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_req *req = *con_cls;

	(void)cls;
	(void)conn;
	if (!req)
		return;
	*con_cls = NULL;
	if (req->suspended) { /* not reached: MHD ends only running requests */
		req->gone = true;
		unsleep_req(req);
	}
	watch_stop(req);
	if (req->stream) {
		req->stream->req = NULL;
		req->stream = NULL;
	}
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_debug(MOD, "'%s %s' ended early (%d)", req->method, req->path, (int)toe);
	if (req->state == REQ_DEFERRED && req->cancel_cb)
		req->cancel_cb(req->cancel_arg);
	if (req->resp)
		MHD_destroy_response(req->resp);
	req_free(req);
}

/* Keep the path raw (router.c decodes it per segment) and query values
 * encoded (query_cb decodes and checks them). */
static size_t unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void logger_cb(void *cls, const char *fmt, va_list ap)
{
	struct http_server *srv = cls;
	size_t n;

	vsnprintf(srv->last_log, sizeof(srv->last_log), fmt, ap);
	n = strlen(srv->last_log);
	while (n && (srv->last_log[n - 1] == '\n' || srv->last_log[n - 1] == '.'))
		srv->last_log[--n] = '\0';
	if (srv->starting)
		return; /* a start failure goes into http_start()'s message */
	/* Broken requests and clients that hang up are the client's
	 * business: debug. The rest (the connection limit, epoll or socket
	 * failures) matters: info. */
	if (strncmp(srv->last_log, "Error processing request", 24) == 0 ||
	    strncmp(srv->last_log, "Closing connection", 18) == 0)
		log_debug(MOD, "%s", srv->last_log);
	else
		log_info(MOD, "%s", srv->last_log);
}

/* --- start and stop --- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, char *err,
			size_t errlen)
{
	const char *colon, *host, *port_s;
	size_t hlen;
	int64_t port;
	char *h;
	int ok;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');
		if (!rb || rb[1] != ':') {
			snprintf(err, errlen, "listen address '%s': expected [IPV6]:PORT", listen);
			return DAGD_EINVAL;
		}
		host = listen + 1;
		hlen = (size_t)(rb - host);
		port_s = rb + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || memchr(listen, ':', (size_t)(colon - listen))) {
			snprintf(err, errlen, "listen address '%s': expected HOST:PORT "
				 "(IPv6 in brackets)", listen);
			return DAGD_EINVAL;
		}
		host = listen;
		hlen = (size_t)(colon - listen);
		port_s = colon + 1;
	}
	if (parse_i64(port_s, 0, 65535, &port) != 0) {
		snprintf(err, errlen, "listen address '%s': bad port '%s'", listen, port_s);
		return DAGD_EINVAL;
	}
	h = xstrndup(host, hlen);
	if (strcmp(h, "localhost") == 0) {
		free(h);
		h = xstrdup("127.0.0.1");
	}
	if (listen[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		ok = inet_pton(AF_INET6, h, &a6->sin6_addr);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		ok = inet_pton(AF_INET, h, &a4->sin_addr);
	}
	free(h);
	if (ok != 1) {
		snprintf(err, errlen, "listen address '%s': host must be a numeric IP address "
			 "or localhost", listen);
		return DAGD_EINVAL;
	}
	return 0;
}

static int bound_port(struct MHD_Daemon *mhd)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_LISTEN_FD);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!di || getsockname(di->listen_fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void apply_defaults(struct http_opts *o, const struct http_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->body_max)
		o->body_max = HTTP_BODY_MAX;
	if (!o->conn_timeout_s)
		o->conn_timeout_s = HTTP_CONN_TIMEOUT_S;
	if (!o->conn_limit)
		o->conn_limit = HTTP_CONN_LIMIT;
	if (!o->conn_memory)
		o->conn_memory = HTTP_CONN_MEMORY;
}

int http_start(uv_loop_t *loop, const char *listen, const struct http_opts *opts,
	       http_handler_fn fn, void *ctx, struct http_server **out, char *err,
	       size_t errlen)
{
	struct sockaddr_storage ss;
	struct http_server *srv;
	const union MHD_DaemonInfo *di;
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int rc;

	*out = NULL;
	rc = parse_listen(listen, &ss, err, errlen);
	if (rc != 0)
		return rc;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) != MHD_YES) {
		snprintf(err, errlen, "libmicrohttpd was built without epoll support");
		return DAGD_ESYS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv = xcalloc(1, sizeof(*srv));
	srv->loop = loop;
	srv->fn = fn;
	srv->ctx = ctx;
	apply_defaults(&srv->opts, opts);
	srv->starting = true;
	errno = 0;
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, access_cb, srv,
		MHD_OPTION_EXTERNAL_LOGGER, logger_cb, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_TIMEOUT, srv->opts.conn_timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, srv->opts.conn_limit,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->opts.conn_memory,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, srv,
		MHD_OPTION_STRICT_FOR_CLIENT, 1,
		MHD_OPTION_END);
	if (!srv->mhd) {
		snprintf(err, errlen, "cannot listen on '%s': %s", listen,
			 srv->last_log[0] ? srv->last_log
					  : errno ? strerror(errno) : "unknown error");
		free(srv);
		return DAGD_ESYS;
	}
	srv->starting = false;
	srv->port = bound_port(srv->mhd);
	di = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	rc = di ? uv_poll_init(loop, &srv->poll, di->epoll_fd) : UV_EINVAL;
	if (rc != 0) {
		snprintf(err, errlen, "cannot poll the HTTP server of '%s': %s", listen,
			 uv_strerror(rc));
		MHD_stop_daemon(srv->mhd);
		free(srv);
		return DAGD_ESYS;
	}
	srv->poll.data = srv;
	rc = uv_poll_start(&srv->poll, UV_READABLE, poll_cb);
	if (rc != 0) {
		snprintf(err, errlen, "cannot poll the HTTP server of '%s': %s", listen,
			 uv_strerror(rc));
		srv->open_handles = 1; /* srv is freed in the close callback */
		uv_close((uv_handle_t *)&srv->poll, srv_close_cb);
		MHD_stop_daemon(srv->mhd);
		return DAGD_ESYS;
	}
	uv_timer_init(loop, &srv->timer);
	srv->timer.data = srv;
	srv->open_handles = 2;
	rearm(srv);
	log_info(MOD, "listening on %s (port %d)", listen, srv->port);
	*out = srv;
	return 0;
}

int http_port(const struct http_server *srv)
{
	return srv->port;
}

static void srv_close_cb(uv_handle_t *h)
{
	struct http_server *srv = h->data;

	if (--srv->open_handles > 0)
		return;
	for (size_t i = 0; i < srv->ncounters; i++)
		free(srv->counters[i].label);
	free(srv->counters);
	free(srv);
}

void http_stop(struct http_server *srv)
{
	if (!srv || srv->stopping)
		return;
	srv->stopping = true;
	uv_timer_stop(&srv->timer);
	/* Stop polling MHD's epoll fd before MHD closes it. */
	uv_close((uv_handle_t *)&srv->poll, srv_close_cb);
	/* MHD_stop_daemon() panics on suspended connections: wake them all,
	 * marked gone so streams end at once. */
	while (srv->sleeping) {
		struct http_req *req = srv->sleeping;
		req->gone = true;
		unsleep_req(req);
	}
	MHD_stop_daemon(srv->mhd);
	srv->mhd = NULL;
	uv_close((uv_handle_t *)&srv->timer, srv_close_cb);
}

void http_counters_each(const struct http_server *srv,
			void (*cb)(void *arg, const char *label, int status, uint64_t count),
			void *arg)
{
	for (size_t i = 0; i < srv->ncounters; i++)
		cb(arg, srv->counters[i].label, srv->counters[i].status, srv->counters[i].n);
}
