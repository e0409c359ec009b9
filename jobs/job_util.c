/*
 * job_util.c - the worker's small helpers: allocation that exits on out of
 * memory, a growable byte buffer, messages to the try's log (stderr, one
 * unbuffered write each, no stdio), setting the record's error, and UTF-8
 * validation. libc only, like the rest of jobs/.
 */
#include "job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(void)
{
	static const char msg[] = "dagd-job: out of memory\n";

	/* nothing else to do: the daemon sees exit 125 and no record */
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(JOB_EXIT_NOSTART);
}

void *job_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *job_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

void jbuf_add(struct jbuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2)
				oom();
			cap *= 2;
		}
		b->p = job_xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
}

void jbuf_addc(struct jbuf *b, char c)
{
	jbuf_add(b, &c, 1);
}

void jbuf_release(struct jbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static void vmsg(const char *fmt, va_list ap) JOB_PRINTF(1, 0);
static void vmsg(const char *fmt, va_list ap)
{
	char buf[RESULT_ERROR_MAX + 64];
	size_t n = sizeof("dagd-job: ") - 1;
	int w;

	memcpy(buf, "dagd-job: ", n);
	w = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (w < 0)
		return;
	n += (size_t)w < sizeof(buf) - n - 1 ? (size_t)w : sizeof(buf) - n - 2;
	buf[n++] = '\n';
	/* the log is the only place this can go */
	(void)!write(2, buf, n);
}

void job_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void job_fail(struct result *r, const char *fmt, ...)
{
	char buf[RESULT_ERROR_MAX + 1];
	va_list ap;
	size_t n, i;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (w < 0) {
		memcpy(buf, "error message could not be formatted", 37);
		w = 36;
	}
	n = (size_t)w < sizeof(buf) ? (size_t)w : sizeof(buf) - 1;
	if ((size_t)w > n) {
		/* vsnprintf may have cut the last character: drop its bytes */
		size_t s = n;
		while (s && ((unsigned char)buf[s - 1] & 0xc0) == 0x80)
			s--;
		if (s && (unsigned char)buf[s - 1] >= 0xc0 &&
		    job_utf8_len((const unsigned char *)buf + s - 1, n - s + 1) != n - s + 1)
			n = s - 1;
	}
	for (i = 0; i < n;) {
		size_t k = job_utf8_len((const unsigned char *)buf + i, n - i);
		if (k == 0) {
			buf[i] = '?';
			k = 1;
		}
		i += k;
	}
	buf[n] = '\0';
	free(r->error);
	r->error = job_xmalloc(n + 1);
	memcpy(r->error, buf, n + 1);
	job_msg("%s", r->error);
}

size_t job_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c;
	uint32_t cp;
	size_t k;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0; /* continuation byte, or overlong 2-byte lead */
	if (c < 0xe0) {
		k = 2;
		cp = c & 0x1f;
	} else if (c < 0xf0) {
		k = 3;
		cp = c & 0x0f;
	} else if (c < 0xf5) {
		k = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}
