/*
 * http_internal.h - what daemon/http.c (the loop and MHD's callbacks) and
 * daemon/http_reply.c (the calls handlers make) share: the server, request
 * and stream structs and two loop helpers. Not for other modules; only
 * http*.c include it, as it pulls in microhttpd.h.
 */
#ifndef DAGD_HTTP_INTERNAL_H
#define DAGD_HTTP_INTERNAL_H

#include <microhttpd.h>

#include "http.h"

#define MOD "http"

/* Sent when even an error reply cannot be built. */
#define HTTP_FALLBACK_JSON "{\"error\":\"internal\",\"detail\":\"cannot build the reply\"}"

struct hdr {
	struct hdr *next;
	char *name;
	char *value;
};

struct qparam {
	char *key;
	char *value;
};

struct counter {
	char *label;
	int status;
	uint64_t n;
};

enum req_state {
	REQ_BODY,     /* headers in, body arriving; internal replies only */
	REQ_HANDLER,  /* inside the handler */
	REQ_DEFERRED, /* the handler returned without a reply */
	REQ_REPLIED,  /* a response waits to be queued */
	REQ_QUEUED,   /* handed to MHD */
};

/* Watches a suspended connection's socket for the client going away. */
struct watch {
	uv_poll_t h;
	struct http_req *req; /* NULL once stopped */
};

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	struct sbuf body;
	uint64_t discarded;
	bool too_big;
	enum req_state state;
	struct MHD_Response *resp;
	int status;
	struct hdr *hdrs;
	char *label;
	struct qparam *q;
	size_t nq;
	/* suspension */
	bool suspended;
	bool wake;
	bool gone;
	struct http_req *sprev, *snext;
	struct watch *watch;
	void (*cancel_cb)(void *arg);
	void *cancel_arg;
	struct http_stream *stream;
	uint64_t start_ms;
};

struct http_stream {
	struct http_req *req; /* NULL once the request ended */
	http_stream_fn read_cb;
	void *arg;
	void (*free_cb)(void *arg);
};

struct http_server {
	uv_loop_t *loop;
	struct MHD_Daemon *mhd;
	uv_poll_t poll;
	uv_timer_t timer;
	int open_handles;
	http_handler_fn fn;
	void *ctx;
	struct http_opts opts;
	int port;
	bool kicked;
	bool stopping;
	bool starting;
	struct http_req *sleeping; /* suspended requests */
	struct counter *counters;
	size_t ncounters, acounters;
	char last_log[256];
};

/* Ask for an MHD run on the next loop turn (wake-ups are processed there). */
void http__kick(struct http_server *srv);
/* Suspend req's connection and watch its socket; only inside an MHD callback. */
void http__sleep(struct http_req *req);

#endif
