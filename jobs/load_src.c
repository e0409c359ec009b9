/*
 * load_src.c - reads one input file of a load in chunks into a buffer the
 * format modules scan; a name ending in .gz is gunzipped on the fly. zlib
 * (libz, Debian zlib1g-dev, pkg-config zlib) is the one extra library: it
 * is on every system that has libpq, and reading in-process keeps errors
 * exact (a truncated archive fails the load) where a `gzip -dc` pipe would
 * need a second process to supervise. Only this file includes zlib.h.
 * A UTF-8 byte order mark at the start of a file is skipped.
 */
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

static bool is_gz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

int src_open(struct src *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		sql_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (is_gz(path)) {
		s->gz = gzdopen(s->fd, "rb");
		if (!s->gz) {
			sql_error("%s: cannot read: out of memory", path);
			(void)close(s->fd); /* read-only */
			return -1;
		}
		s->fd = -1; /* gzclose closes it */
		(void)gzbuffer(s->gz, LOAD_CHUNK); /* before the first read: cannot fail */
	}
	s->cap = LOAD_CHUNK;
	s->buf = sql_xmalloc(s->cap);
	if (src_more(s, LOAD_CHUNK) < 0) {
		src_close(s);
		return -1;
	}
	/* a UTF-8 byte order mark (spreadsheet exports) is not data */
	if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
		s->pos = 3;
	return 0;
}

/* Read up to n bytes at p: the count, 0 at the end, -1 on error (logged). */
static long read_some(struct src *s, char *p, size_t n)
{
	if (s->gz) {
		int got;
		if (n > INT_MAX)
			n = INT_MAX;
		got = gzread(s->gz, p, (unsigned)n);
		if (got < 0) {
			int zerr;
			const char *msg = gzerror(s->gz, &zerr);
			sql_error("%s: cannot read: %s", s->path,
				  zerr == Z_ERRNO ? strerror(errno) : msg);
			return -1;
		}
		if (got == 0) {
			int zerr;
			const char *msg = gzerror(s->gz, &zerr);
			if (zerr != Z_OK && zerr != Z_STREAM_END) {
				sql_error("%s: cannot read: %s", s->path, msg);
				return -1;
			}
		}
		return got;
	}
	for (;;) {
		ssize_t got = read(s->fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			sql_error("%s: cannot read: %s", s->path, strerror(errno));
			return -1;
		}
		return (long)got;
	}
}

int src_more(struct src *s, size_t max)
{
	long got;

	if (s->eof)
		return 0;
	if (s->pos) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len == s->cap) {
		if (s->cap >= max)
			return -2;
		s->cap = s->cap * 2 > max ? max : s->cap * 2;
		s->buf = sql_xrealloc(s->buf, s->cap);
	}
	got = read_some(s, s->buf + s->len, s->cap - s->len);
	if (got < 0)
		return -1;
	if (got == 0) {
		s->eof = true;
		return 0;
	}
	s->len += (size_t)got;
	return 1;
}

void src_close(struct src *s)
{
	if (s->gz)
		(void)gzclose(s->gz); /* read-only: nothing to lose */
	else if (s->fd >= 0)
		(void)close(s->fd); /* read-only */
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
