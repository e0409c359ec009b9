/*
 * api_logs.c - GET .../tasks/{task}/tries/{n}/log: the bytes of a try's log
 * from ?offset= (at most API_LOG_CHUNK per answer, the next offset in
 * X-Log-Next-Offset), or with follow=1 a chunked stream that goes on while
 * the try runs (woken by a uv_fs_event on the file) and ends after it
 * finishes. The file is found from the store's run and the DAG's task ids,
 * never from the request's text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_internal.h"
#include "config.h"
#include "daemon.h"
#include "dag.h"
#include "engine.h"
#include "log.h"
#include "store.h"

#define API_LOG_CHUNK (1u << 20)

struct follow {
	struct dagd *d;
	char *dag, *run, *task;
	int try_number;
	int fd;
	uv_fs_event_t watch;
	bool watching;
	struct http_stream *stream;
	struct follow *next, *prev; /* every live follow, to wake when a try ends */
};

static struct follow *follows;

void api_logs_wake_all(void)
{
	for (struct follow *f = follows; f; f = f->next)
		if (f->stream)
			http_stream_wake(f->stream);
}

/* Is the try still running (or about to)? */
static bool try_live(struct follow *f)
{
	struct run *r = engine_find_run(f->d->eng, f->dag, f->run);
	long i;

	if (!r)
		return false;
	i = dag_task_index(r->dag, f->task);
	if (i < 0)
		return false;
	return r->tis[i].try_number == f->try_number &&
	       (r->tis[i].state == TI_RUNNING || r->tis[i].state == TI_QUEUED);
}

static ssize_t follow_read(void *arg, char *buf, size_t max)
{
	struct follow *f = arg;
	ssize_t n = read(f->fd, buf, max);

	if (n > 0)
		return n;
	if (n < 0 && errno != EINTR && errno != EAGAIN)
		return HTTP_STREAM_ERROR;
	if (!try_live(f)) {
		/* one last read: bytes written just before the end */
		n = read(f->fd, buf, max);
		return n > 0 ? n : HTTP_STREAM_END;
	}
	return HTTP_STREAM_AGAIN;
}

static void watch_closed(uv_handle_t *h)
{
	free(h->data);
}

static void follow_free(void *arg)
{
	struct follow *f = arg;

	if (f->prev)
		f->prev->next = f->next;
	else if (follows == f)
		follows = f->next;
	if (f->next)
		f->next->prev = f->prev;
	close(f->fd);
	free(f->dag);
	free(f->run);
	free(f->task);
	if (f->watching) {
		uv_fs_event_stop(&f->watch);
		f->watch.data = f;
		uv_close((uv_handle_t *)&f->watch, watch_closed);
	} else {
		free(f);
	}
}

static void follow_event(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct follow *f = h->data;
	(void)name;
	(void)events;
	(void)status;
	if (f->stream)
		http_stream_wake(f->stream);
}

static void dummy_close(uv_handle_t *h)
{
	(void)h;
}

void api_log(struct api *a, struct http_req *req, struct dag *dag, const char *run_id,
	     const char *task, const char *try_s)
{
	struct dagd *d = api_daemon(a);
	const char *off_s = http_query(req, "offset"), *follow = http_query(req, "follow");
	int64_t try_number, offset = 0;
	json_t *run = NULL;
	char *path, buf[64];
	int fd;

	if (parse_i64(try_s, 1, 100000, &try_number) != 0) {
		http_reply_error(req, 400, "bad_request", "the try number must be a positive integer");
		return;
	}
	if (off_s && parse_i64(off_s, 0, INT64_MAX, &offset) != 0) {
		http_reply_error(req, 400, "bad_request", "offset must be a non-negative integer");
		return;
	}
	if (dag_task_index(dag, task) < 0) {
		http_reply_error(req, 404, "not_found", "no such task in this DAG");
		return;
	}
	if (store_run_get(d->st, dag->id, run_id, &run) != 0) {
		http_reply_error(req, 404, "not_found", "no such run");
		return;
	}
	path = engine_log_path(d->eng, dag->id, json_string_value(json_object_get(run, "run_id")),
			       task, (int)try_number);
	json_decref(run);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		http_reply_error(req, 404, "not_found", "this try has no log (yet)");
		free(path);
		return;
	}
	if (offset && lseek(fd, offset, SEEK_SET) < 0) {
		http_reply_error(req, 400, "bad_request", "offset is past the end");
		close(fd);
		free(path);
		return;
	}
	if (follow && strcmp(follow, "0") != 0) {
		struct follow *f = xcalloc(1, sizeof(*f));
		f->d = d;
		f->dag = xstrdup(dag->id);
		f->run = xstrdup(run_id);
		f->task = xstrdup(task);
		f->try_number = (int)try_number;
		f->fd = fd;
		if (uv_fs_event_init(d->loop, &f->watch) == 0) {
			f->watch.data = f;
			if (uv_fs_event_start(&f->watch, follow_event, path, 0) == 0)
				f->watching = true;
			else
				uv_close((uv_handle_t *)&f->watch, dummy_close);
		}
		f->next = follows;
		if (follows)
			follows->prev = f;
		follows = f;
		{
			/* on failure free_cb already ran: f is gone */
			struct http_stream *st = http_reply_stream(req, 200, "text/plain; charset=utf-8",
								   follow_read, f, follow_free);
			if (st)
				f->stream = st;
		}
		free(path);
		return;
	}
	{
		char *data = xmalloc(API_LOG_CHUNK);
		ssize_t n = read(fd, data, API_LOG_CHUNK);
		if (n < 0)
			n = 0;
		snprintf(buf, sizeof(buf), "%lld", (long long)(offset + n));
		api_header(req, "X-Log-Next-Offset", buf);
		http_reply_data(req, 200, "text/plain; charset=utf-8", data, (size_t)n, true);
		free(data);
	}
	close(fd);
	free(path);
}
