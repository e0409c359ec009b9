/*
 * sql_util.c - dagd-sql's small helpers: allocation that exits on out of
 * memory, the growable buffer with its JSON, COPY-text and CSV escapers,
 * the DESIGN.md truthiness rule (skip_if, sql sensor), clocks, mkdir -p and
 * writing the outputs object to $DAGD_OUTPUT. No libpq calls here.
 */
#include "sql.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	static const char msg[] = "dagd-sql: error: out of memory\n";

	(void)!write(2, msg, sizeof(msg) - 1); /* nothing else to do */
	_exit(SQL_EXIT_FAIL);
}

void *sql_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *sql_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *sql_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(sql_xmalloc(n), s, n);
}

char *sbuf_room(struct sbuf *b, size_t n)
{
	if (n + 1 > b->cap - b->len || !b->p) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap - b->len < n + 1) {
			if (cap > SIZE_MAX / 2)
				oom();
			cap *= 2;
		}
		b->p = sql_xrealloc(b->p, cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

void sbuf_add(struct sbuf *b, const void *s, size_t n)
{
	char *d = sbuf_room(b, n);

	if (n)
		memcpy(d, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return; /* a bad format: nothing to add */
	}
	(void)sbuf_room(b, (size_t)n);
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2); /* fits */
	va_end(ap2);
	b->len += (size_t)n;
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->p ? b->p : "";
}

char *sbuf_take(struct sbuf *b)
{
	char *p = b->p ? b->p : sql_xstrdup("");

	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void sbuf_release(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sbuf_json_str(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	sbuf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sbuf_add(b, "\\\"", 2); break;
		case '\\': sbuf_add(b, "\\\\", 2); break;
		case '\n': sbuf_add(b, "\\n", 2); break;
		case '\r': sbuf_add(b, "\\r", 2); break;
		case '\t': sbuf_add(b, "\\t", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			sbuf_add(b, u, sizeof(u));
		}
		}
	}
	sbuf_add(b, s + run, n - run);
	sbuf_addc(b, '"');
}

void sbuf_copy_text(struct sbuf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		char c = s[i], e;
		if (c == '\\')
			e = '\\';
		else if (c == '\t')
			e = 't';
		else if (c == '\n')
			e = 'n';
		else if (c == '\r')
			e = 'r';
		else
			continue;
		sbuf_add(b, s + run, i - run);
		sbuf_addc(b, '\\');
		sbuf_addc(b, e);
		run = i + 1;
	}
	sbuf_add(b, s + run, n - run);
}

void sbuf_csv_field(struct sbuf *b, const char *s, char q, char e)
{
	sbuf_addc(b, q);
	for (; *s; s++) {
		if (*s == q || (*s == e && e != q))
			sbuf_addc(b, e);
		sbuf_addc(b, *s);
	}
	sbuf_addc(b, q);
}

/* Type oids from pg_type.h (stable across PostgreSQL versions). */
#define OID_BOOL 16u
#define OID_INT8 20u
#define OID_INT2 21u
#define OID_INT4 23u
#define OID_FLOAT4 700u
#define OID_FLOAT8 701u
#define OID_NUMERIC 1700u

bool sql_truthy(const char *v, unsigned oid)
{
	static const char *const falsy[] = {"f", "false", "0", "no", "off", NULL};
	size_t i;

	if (!v || !*v)
		return false;
	if (oid == OID_BOOL)
		return v[0] == 't';
	if (oid == OID_INT2 || oid == OID_INT4 || oid == OID_INT8 || oid == OID_FLOAT4 ||
	    oid == OID_FLOAT8 || oid == OID_NUMERIC || sql_is_json_number(v, strlen(v))) {
		/* any digit other than 0 before an exponent makes it non-zero */
		for (i = 0; v[i] && v[i] != 'e' && v[i] != 'E'; i++)
			if (v[i] >= '1' && v[i] <= '9')
				return true;
		return strcasecmp(v, "NaN") == 0 || strcasecmp(v, "Infinity") == 0 ||
		       strcasecmp(v, "-Infinity") == 0;
	}
	for (i = 0; falsy[i]; i++)
		if (strcasecmp(v, falsy[i]) == 0)
			return false;
	return true;
}

bool sql_is_json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return false;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return false;
	}
	return i == n;
}

int64_t sql_now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts); /* cannot fail for this clock */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sql_mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for this clock */
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sql_write_outputs(const char *json)
{
	const char *path = getenv("DAGD_OUTPUT");
	int fd;

	sql_info("outputs: %s", json);
	if (strlen(json) > 64u * 1024u)
		sql_warn("outputs are %zu bytes, over the 64 KiB a try may have", strlen(json));
	if (!path || !*path)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		sql_error("cannot write outputs to '%s': %s", path, strerror(errno));
		return -1;
	}
	if (write_all(fd, json, strlen(json)) != 0) {
		sql_error("cannot write outputs to '%s': %s", path, strerror(errno));
		(void)close(fd); /* already failing */
		return -1;
	}
	if (close(fd) != 0) {
		sql_error("cannot write outputs to '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int sql_mkdirs_for(const char *path)
{
	char *p = sql_xstrdup(path), *s;
	int err = 0;

	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			err = errno;
			break;
		}
		*s = '/';
	}
	free(p);
	errno = err;
	return err ? -1 : 0;
}
