/*
 * sql_log.c - what dagd-sql writes to the try's log: "dagd-sql: ..." lines
 * on stdout, warnings and errors on stderr, each message one write(2) so
 * the two streams interleave in order in the one log file. Continuation
 * lines of a message are indented (no logged text can start a line with
 * "::set-output"), and every registered password is replaced by *** in
 * everything written; sql_redact() hides the password of a URL we name.
 */
#include "sql.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Passwords to hide: one per connection, a load from: has two. */
#define SECRETS_MAX 8
/* Shorter "passwords" are not scrubbed: they would mangle every message. */
#define SECRET_MIN_LEN 3

static char *secrets[SECRETS_MAX];
static size_t n_secrets;

void sql_secret_add(const char *s)
{
	size_t i;

	if (!s || strlen(s) < SECRET_MIN_LEN || n_secrets == SECRETS_MAX)
		return;
	for (i = 0; i < n_secrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	secrets[n_secrets++] = sql_xstrdup(s);
}

/* Replace every secret in b by ***. */
static void scrub(struct sbuf *b)
{
	size_t i;

	for (i = 0; i < n_secrets; i++) {
		size_t sl = strlen(secrets[i]);
		char *hit;
		if (!b->len || !memmem(b->p, b->len, secrets[i], sl))
			continue;
		struct sbuf out = {0};
		const char *p = b->p, *end = b->p + b->len;
		while ((hit = memmem(p, (size_t)(end - p), secrets[i], sl))) {
			sbuf_add(&out, p, (size_t)(hit - p));
			sbuf_add(&out, "***", 3);
			p = hit + sl;
		}
		sbuf_add(&out, p, (size_t)(end - p));
		sbuf_release(b);
		*b = out;
	}
}

/* In s, from the value after "password" "=" at or after from, replace it
 * by ***: quoted ('...' with \' escapes) or up to a space or '&'. */
static void hide_kv_passwords(struct sbuf *out, const char *s)
{
	const char *p = s;

	for (;;) {
		const char *k = strstr(p, "password"), *v;
		if (!k)
			break;
		v = k + 8;
		while (*v == ' ')
			v++;
		if (*v != '=' || (k > s && (k[-1] == '_' || (k[-1] >= 'a' && k[-1] <= 'z')))) {
			sbuf_add(out, p, (size_t)(k + 8 - p));
			p = k + 8;
			continue;
		}
		v++;
		while (*v == ' ')
			v++;
		sbuf_add(out, p, (size_t)(v - p));
		sbuf_add(out, "***", 3);
		if (*v == '\'') {
			for (v++; *v && *v != '\''; v++)
				if (*v == '\\' && v[1])
					v++;
			if (*v)
				v++;
		} else {
			while (*v && *v != ' ' && *v != '&')
				v++;
		}
		p = v;
	}
	sbuf_adds(out, p);
}

char *sql_redact(const char *ci)
{
	struct sbuf out = {0}, tmp = {0};
	const char *rest = NULL;

	if (strncmp(ci, "postgresql://", 13) == 0)
		rest = ci + 13;
	else if (strncmp(ci, "postgres://", 11) == 0)
		rest = ci + 11;
	if (rest) {
		size_t end = strcspn(rest, "/?");
		const char *at = NULL, *colon, *p;
		for (p = rest; p < rest + end; p++)
			if (*p == '@')
				at = p;
		colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
		if (colon) {
			sbuf_add(&tmp, ci, (size_t)(colon + 1 - ci));
			sbuf_add(&tmp, "***", 3);
			sbuf_adds(&tmp, at);
		} else {
			sbuf_adds(&tmp, ci);
		}
		hide_kv_passwords(&out, sbuf_str(&tmp));
		sbuf_release(&tmp);
	} else {
		hide_kv_passwords(&out, ci);
	}
	scrub(&out);
	return sbuf_take(&out);
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

static void emit(int fd, const char *prefix, const char *fmt, va_list ap)
{
	struct sbuf raw = {0}, m = {0};
	va_list ap2;
	size_t i;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0) {
		(void)sbuf_room(&raw, (size_t)n);
		(void)vsnprintf(raw.p, (size_t)n + 1, fmt, ap2); /* fits */
		raw.len = (size_t)n;
	}
	va_end(ap2);
	while (raw.len && (raw.p[raw.len - 1] == '\n' || raw.p[raw.len - 1] == ' '))
		raw.len--;
	sbuf_adds(&m, "dagd-sql: ");
	sbuf_adds(&m, prefix);
	for (i = 0; i < raw.len; i++) {
		sbuf_addc(&m, raw.p[i]);
		if (raw.p[i] == '\n')
			sbuf_add(&m, "    ", 4);
	}
	sbuf_addc(&m, '\n');
	scrub(&m);
	/* the log is all we have: a failed write cannot be reported */
	(void)write_all(fd, m.p, m.len);
	sbuf_release(&raw);
	sbuf_release(&m);
}

void sql_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(1, "", fmt, ap);
	va_end(ap);
}

void sql_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(2, "warning: ", fmt, ap);
	va_end(ap);
}

void sql_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(2, "error: ", fmt, ap);
	va_end(ap);
}

void sql_print(const char *s, size_t n)
{
	struct sbuf m = {0};

	sbuf_add(&m, s, n);
	scrub(&m);
	(void)write_all(1, m.p, m.len); /* as in emit() */
	sbuf_release(&m);
}
