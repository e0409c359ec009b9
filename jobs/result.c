/*
 * result.c - the result record (format in result.h): formats it, writes it
 * atomically (tmp file, fsync, rename), reads and parses it. Linked into
 * both dagd-job, which writes records, and the daemon, which reads them, so
 * it uses libc only: no xmalloc, no logging, no daemon/ header. The parser
 * is strict (canonical numbers, known escapes, every field present and
 * consistent) and all-or-nothing: on failure r is left empty.
 */
#include "result.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESULT_MAGIC "dagd-result 1\n"
#define RESULT_MAGIC_LEN (sizeof(RESULT_MAGIC) - 1)

/* The keys, in the order they are written. */
enum rkey {
	K_PID,
	K_START_US,
	K_END_US,
	K_EXIT_CODE,
	K_SIGNAL,
	K_MAX_RSS_KB,
	K_USER_US,
	K_SYS_US,
	K_SKIPPED,
	K_OUTPUTS_TOO_BIG,
	K_ERROR,
	K_OUTPUTS,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"pid",     "start_us", "end_us",  "exit_code",       "signal", "max_rss_kb",
	"user_us", "sys_us",   "skipped", "outputs_too_big", "error",  "outputs",
};

/* Keys every record has (error and outputs are optional). */
#define REQUIRED_KEYS ((1u << K_ERROR) - 1u)

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
}

void result_release(struct result *r)
{
	if (!r)
		return;
	free(r->error);
	free(r->outputs);
	result_init(r);
}

static int check(const struct result *r)
{
	size_t n;

	if (r->pid <= 0 || r->start_us < 0 || r->end_us < 0 || r->max_rss_kb < 0 ||
	    r->user_us < 0 || r->sys_us < 0)
		return -EINVAL;
	if (r->exit_code < -1 || r->exit_code > 255 || r->signal < 0 ||
	    r->signal > RESULT_SIGNAL_MAX || (r->exit_code == -1) != (r->signal != 0))
		return -EINVAL;
	if (r->error && strlen(r->error) > RESULT_ERROR_MAX)
		return -EINVAL;
	if (r->outputs) {
		n = strlen(r->outputs);
		if (r->outputs_too_big || n < 2 || n > RESULT_OUTPUTS_MAX ||
		    r->outputs[0] != '{' || r->outputs[n - 1] != '}')
			return -EINVAL;
	}
	return 0;
}

/* --- formatting: the size is known up front, so one allocation --- */

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_key(char *p, enum rkey k)
{
	p = put(p, key_names[k], strlen(key_names[k]));
	*p++ = '=';
	return p;
}

static char *put_i64(char *p, enum rkey k, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	/* work on the magnitude as unsigned so INT64_MIN is fine */
	uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--i] = (char)('0' + (int)(u % 10u));
		u /= 10u;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	p = put_key(p, k);
	p = put(p, tmp + i, sizeof(tmp) - i);
	*p++ = '\n';
	return p;
}

static char *put_bool(char *p, enum rkey k, bool v)
{
	p = put_key(p, k);
	p = v ? put(p, "true\n", 5) : put(p, "false\n", 6);
	return p;
}

static char *put_str(char *p, enum rkey k, const char *s)
{
	p = put_key(p, k);
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			p = put(p, "\\\\", 2);
			break;
		case '\n':
			p = put(p, "\\n", 2);
			break;
		case '\r':
			p = put(p, "\\r", 2);
			break;
		default:
			*p++ = *s;
		}
	}
	*p++ = '\n';
	return p;
}

int result_format(const struct result *r, char **out, size_t *len)
{
	/* each key line: name, '=', at most 20 digits and a sign, '\n' */
	size_t cap = RESULT_MAGIC_LEN + K_COUNT * 48u + 1u;
	char *buf, *p;

	*out = NULL;
	*len = 0;
	if (check(r))
		return -EINVAL;
	if (r->error)
		cap += 2 * strlen(r->error);
	if (r->outputs)
		cap += 2 * strlen(r->outputs);
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	p = put(buf, RESULT_MAGIC, RESULT_MAGIC_LEN);
	p = put_i64(p, K_PID, r->pid);
	p = put_i64(p, K_START_US, r->start_us);
	p = put_i64(p, K_END_US, r->end_us);
	p = put_i64(p, K_EXIT_CODE, r->exit_code);
	p = put_i64(p, K_SIGNAL, r->signal);
	p = put_i64(p, K_MAX_RSS_KB, r->max_rss_kb);
	p = put_i64(p, K_USER_US, r->user_us);
	p = put_i64(p, K_SYS_US, r->sys_us);
	p = put_bool(p, K_SKIPPED, r->skipped);
	p = put_bool(p, K_OUTPUTS_TOO_BIG, r->outputs_too_big);
	if (r->error)
		p = put_str(p, K_ERROR, r->error);
	if (r->outputs)
		p = put_str(p, K_OUTPUTS, r->outputs);
	*p = '\0';
	*out = buf;
	*len = (size_t)(p - buf);
	return 0;
}

/* --- writing and reading --- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so the rename survives a crash */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash) {
		dir = strdup(".");
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		dir = strndup(path, n);
	}
	if (!dir)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return;
	/* best effort: the record is already in place, and some file systems
	 * refuse fsync on a directory */
	(void)fsync(fd);
	(void)close(fd);
}

int result_write(const char *path, const struct result *r, bool do_fsync)
{
	size_t plen = strlen(path), len;
	char *text = NULL, *tmp = NULL;
	int fd = -1, rc;

	rc = result_format(r, &text, &len);
	if (rc)
		return rc;
	tmp = malloc(plen + 5);
	if (!tmp) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, text, len);
	if (!rc && do_fsync && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	fd = -1;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		(void)unlink(tmp); /* the error we report is rc, not this */
	else if (do_fsync)
		sync_dir(path);
out:
	free(tmp);
	free(text);
	return rc;
}

int result_read(const char *path, struct result *r)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, rc;

	result_init(r);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)RESULT_RECORD_MAX) {
		rc = -EINVAL;
		goto out;
	}
	/* one byte more than the limit, to notice a file that grew */
	buf = malloc(RESULT_RECORD_MAX + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t got = read(fd, buf + n, RESULT_RECORD_MAX + 1 - n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > RESULT_RECORD_MAX) {
			rc = -EINVAL;
			goto out;
		}
	}
	rc = result_parse(buf, n, r);
out:
	free(buf);
	(void)close(fd); /* read-only: nothing to lose */
	return rc;
}

/* --- parsing --- */

/* A canonical decimal: "0", or an optional '-' and digits not starting
 * with 0; in int64 range. */
static int parse_i64(const char *s, size_t n, int64_t *out)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
	size_t i = neg ? 1 : 0;

	if (i == n || (s[i] == '0' && (n - i > 1 || neg)))
		return -EINVAL;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - (unsigned)'0';
		if (d > 9 || v > (lim - d) / 10u)
			return -EINVAL;
		v = v * 10u + d;
	}
	*out = neg ? (int64_t)(0u - v) : (int64_t)v;
	return 0;
}

static int parse_int(const char *s, size_t n, int *out)
{
	int64_t v;

	if (parse_i64(s, n, &v) || v < -1000 || v > 1000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_bool(const char *s, size_t n, bool *out)
{
	if (n == 4 && memcmp(s, "true", 4) == 0)
		*out = true;
	else if (n == 5 && memcmp(s, "false", 5) == 0)
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* Unescape s[0..n) into a new string: \\ \n \r are the only escapes, and
 * a raw CR or NUL is never written, so both are corruption. */
static int parse_str(const char *s, size_t n, char **out)
{
	char *d = malloc(n + 1), *p = d;

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\0' || c == '\r')
			goto bad;
		if (c == '\\') {
			if (++i == n)
				goto bad;
			c = s[i];
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c != '\\')
				goto bad;
		}
		*p++ = c;
	}
	*p = '\0';
	*out = d;
	return 0;
bad:
	free(d);
	return -EINVAL;
}

static int parse_field(struct result *r, enum rkey k, const char *v, size_t n)
{
	switch (k) {
	case K_PID:
		return parse_i64(v, n, &r->pid);
	case K_START_US:
		return parse_i64(v, n, &r->start_us);
	case K_END_US:
		return parse_i64(v, n, &r->end_us);
	case K_EXIT_CODE:
		return parse_int(v, n, &r->exit_code);
	case K_SIGNAL:
		return parse_int(v, n, &r->signal);
	case K_MAX_RSS_KB:
		return parse_i64(v, n, &r->max_rss_kb);
	case K_USER_US:
		return parse_i64(v, n, &r->user_us);
	case K_SYS_US:
		return parse_i64(v, n, &r->sys_us);
	case K_SKIPPED:
		return parse_bool(v, n, &r->skipped);
	case K_OUTPUTS_TOO_BIG:
		return parse_bool(v, n, &r->outputs_too_big);
	case K_ERROR:
		return parse_str(v, n, &r->error);
	case K_OUTPUTS:
		return parse_str(v, n, &r->outputs);
	case K_COUNT:
		break;
	}
	return -EINVAL;
}

/* The key named s[0..n), or K_COUNT for one this version does not know;
 * -1 when s is not a key at all ([a-z0-9_]+). */
static int find_key(const char *s, size_t n)
{
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return -1;
	}
	for (int k = 0; k < K_COUNT; k++)
		if (strlen(key_names[k]) == n && memcmp(key_names[k], s, n) == 0)
			return k;
	return K_COUNT;
}

int result_parse(const char *buf, size_t len, struct result *r)
{
	const char *p = buf, *end = buf + len;
	unsigned seen = 0;
	int rc = -EINVAL;

	result_init(r);
	if (len < RESULT_MAGIC_LEN || memcmp(buf, RESULT_MAGIC, RESULT_MAGIC_LEN) != 0)
		return -EINVAL;
	p += RESULT_MAGIC_LEN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq;
		int k;

		if (!nl)
			goto fail; /* every line ends in '\n' */
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq)
			goto fail;
		k = find_key(p, (size_t)(eq - p));
		if (k < 0)
			goto fail;
		if (k < K_COUNT) {
			if (seen & (1u << k))
				goto fail;
			seen |= 1u << k;
			rc = parse_field(r, (enum rkey)k, eq + 1, (size_t)(nl - eq - 1));
			if (rc)
				goto fail;
		}
		p = nl + 1;
	}
	rc = -EINVAL;
	if ((seen & REQUIRED_KEYS) != REQUIRED_KEYS || check(r))
		goto fail;
	return 0;
fail:
	result_release(r);
	return rc ? rc : -EINVAL;
}
