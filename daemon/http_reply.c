/*
 * http_reply.c - the request side of daemon/http.c that handlers call:
 * reading a request (method, raw path, decoded query, headers, body),
 * building its one reply (JSON, {"error", "detail"}, bytes, a stream),
 * extra headers, route labels and deferral. A reply is only prepared
 * here; http.c queues it from MHD's access handler.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "dagd_limits.h"
#include "http_internal.h"
#include "log.h"
#include "router.h"

/* Install resp as req's reply (takes it); logs and drops a second reply. */
static void set_reply(struct http_req *req, int status, struct MHD_Response *resp,
		      const char *content_type)
{
	bool was_deferred = req->state == REQ_DEFERRED;

	if (!resp) {
		/* out of memory, or a NULL buffer with a length */
		log_error(MOD, "cannot build the reply to '%s %s'", req->method, req->path);
		status = 500;
		content_type = "application/json";
		resp = MHD_create_response_from_buffer(sizeof(HTTP_FALLBACK_JSON) - 1,
						       (void *)HTTP_FALLBACK_JSON,
						       MHD_RESPMEM_PERSISTENT);
		if (!resp) {
			log_error(MOD, "out of memory");
			abort();
		}
	}
	if (req->state != REQ_BODY && req->state != REQ_HANDLER && req->state != REQ_DEFERRED) {
		log_error(MOD, "second reply to '%s %s' dropped (status %d)", req->method,
			  req->path, status);
		MHD_destroy_response(resp);
		return;
	}
	if ((status < 200 || status > 599) && status != 304) { /* 304: http_etag.c */
		log_error(MOD, "bad status %d for '%s %s'; sending 500", status, req->method,
			  req->path);
		status = 500;
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) != MHD_YES)
		log_warn(MOD, "bad content type '%s'", content_type);
	req->resp = resp;
	req->status = status;
	req->state = REQ_REPLIED;
	if (was_deferred && req->suspended) {
		req->wake = true;
		http__kick(req->srv);
	}
}

static void reply_buf(struct http_req *req, int status, const char *ct, const void *buf,
		      size_t len, enum MHD_ResponseMemoryMode mode)
{
	set_reply(req, status, MHD_create_response_from_buffer(len, (void *)buf, mode), ct);
}

void http_reply_shared(struct http_req *req, int status, const char *content_type,
		       const void *buf, size_t len, void (*release)(void *arg), void *arg)
{
	set_reply(req, status,
		  MHD_create_response_from_buffer_with_free_callback_cls(
			  len, (void *)(uintptr_t)buf, release, arg), /* MHD only reads it */
		  content_type);
}

static void jansson_free(void *p)
{
	json_free_t f = NULL;

	json_get_alloc_funcs(NULL, &f);
	f(p);
}

/* true when the handler added header name itself (its ETag wins). */
static bool has_header(const struct http_req *req, const char *name)
{
	for (const struct hdr *h = req->hdrs; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return true;
	return false;
}

void http_reply_json(struct http_req *req, int status, json_t *body)
{
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (!s) {
		log_error(MOD, "cannot serialise the JSON reply to '%s %s'", req->method,
			  req->path);
		reply_buf(req, 500, "application/json", HTTP_FALLBACK_JSON, sizeof(HTTP_FALLBACK_JSON) - 1,
			  MHD_RESPMEM_PERSISTENT);
		return;
	}
	if (status == 200 && !has_header(req, "ETag") &&
	    http_reply_if_unchanged(req, s, strlen(s), "application/json")) {
		jansson_free(s); /* 304: the client has this body already */
		return;
	}
	set_reply(req, status,
		  MHD_create_response_from_buffer_with_free_callback(strlen(s), s, jansson_free),
		  "application/json");
}

/* s with invalid UTF-8 bytes replaced by '?'; the caller frees it. */
static char *utf8_clean(const char *s)
{
	size_t n = strlen(s);
	char *out = xstrndup(s, n);

	for (size_t i = 0; i < n;) {
		size_t k = router_utf8_seq((const unsigned char *)out + i, n - i);
		if (k == 0) {
			out[i] = '?';
			k = 1;
		}
		i += k;
	}
	return out;
}

void http_reply_error(struct http_req *req, int status, const char *error, const char *detail)
{
	char *e = utf8_clean(error ? error : "error");
	char *d = utf8_clean(detail ? detail : "");

	http_reply_json(req, status, json_pack("{s:s, s:s}", "error", e, "detail", d));
	free(e);
	free(d);
}

void http_reply_data(struct http_req *req, int status, const char *content_type,
		     const void *buf, size_t len, bool copy)
{
	reply_buf(req, status, content_type, buf, len,
		  copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *s = cls;
	struct http_req *req = s->req;
	ssize_t n;

	(void)pos;
	if (!req || req->gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	req->wake = false;
	n = s->read_cb(s->arg, buf, max);
	if (n > 0)
		return (size_t)n > max ? (ssize_t)max : n;
	if (n == HTTP_STREAM_AGAIN) {
		/* A wake from inside read_cb leaves req->wake set and the
		 * timer kicked: the next turn resumes it right away. */
		http__sleep(req);
		return 0;
	}
	return n == HTTP_STREAM_END ? MHD_CONTENT_READER_END_OF_STREAM
				    : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls)
{
	struct http_stream *s = cls;

	if (s->req)
		s->req->stream = NULL;
	if (s->free_cb)
		s->free_cb(s->arg);
	free(s);
}

struct http_stream *http_reply_stream(struct http_req *req, int status,
				      const char *content_type, http_stream_fn read_cb,
				      void *arg, void (*free_cb)(void *arg))
{
	struct http_stream *s;
	struct MHD_Response *resp;

	if (req->state != REQ_HANDLER && req->state != REQ_DEFERRED) {
		log_error(MOD, "second reply to '%s %s' dropped (stream)", req->method, req->path);
		if (free_cb)
			free_cb(arg);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->read_cb = read_cb;
	s->arg = arg;
	s->free_cb = free_cb;
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK,
						 stream_read, s, stream_free);
	if (!resp) {
		log_error(MOD, "out of memory building a stream reply");
		abort();
	}
	s->req = req;
	req->stream = s;
	set_reply(req, status, resp, content_type);
	return s;
}

void http_stream_wake(struct http_stream *s)
{
	if (!s || !s->req)
		return;
	s->req->wake = true;
	http__kick(s->req->srv);
}

void http_defer(struct http_req *req, void (*cancel_cb)(void *arg), void *arg)
{
	if (req->state != REQ_HANDLER) {
		log_error(MOD, "http_defer outside the handler of '%s %s' ignored", req->method,
			  req->path);
		return;
	}
	req->state = REQ_DEFERRED;
	req->cancel_cb = cancel_cb;
	req->cancel_arg = arg;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", c)))
			return false;
	}
	return true;
}

int http_add_header(struct http_req *req, const char *name, const char *value)
{
	static const char *const owned[] = {"Content-Type", "Content-Length",
					    "Transfer-Encoding", "Connection", "Date"};
	struct hdr *h, **tail;

	if (req->state == REQ_QUEUED || !is_token(name) || strpbrk(value, "\r\n"))
		return DAGD_EINVAL;
	for (size_t i = 0; i < ARRAY_LEN(owned); i++)
		if (strcasecmp(name, owned[i]) == 0)
			return DAGD_EINVAL;
	/* one ETag: the handler's own replaces the automatic one */
	for (h = req->hdrs; h && strcasecmp(name, "ETag") == 0; h = h->next) {
		if (strcasecmp(h->name, "ETag") == 0) {
			free(h->value);
			h->value = xstrdup(value);
			return 0;
		}
	}
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	h->value = xstrdup(value);
	for (tail = &req->hdrs; *tail; tail = &(*tail)->next)
		;
	*tail = h;
	return 0;
}

void http_set_route_label(struct http_req *req, const char *label)
{
	free(req->label);
	req->label = xstrdup(label);
}

const char *http_method(const struct http_req *req)
{
	return req->method;
}

const char *http_path(const struct http_req *req)
{
	return req->path;
}

const char *http_query(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->nq; i++)
		if (strcmp(req->q[i].key, name) == 0)
			return req->q[i].value;
	return NULL;
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_body(const struct http_req *req, size_t *len)
{
	if (len)
		*len = req->body.len;
	return sbuf_str(&req->body);
}
