/*
 * keeper_proto.c - encoding of the daemon's start requests to the keeper:
 * "R", id, result, log, output, skip code, fsync, cwd, argc, argv..., envc,
 * env..., each field NUL-terminated. Pure libc, linked into both sides.
 */
#include "keeper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct enc {
	char *buf;
	size_t len, off;
	bool full;
};

static void put(struct enc *e, const char *s)
{
	size_t n = strlen(s) + 1;

	if (e->full || n > e->len - e->off) {
		e->full = true;
		return;
	}
	memcpy(e->buf + e->off, s, n);
	e->off += n;
}

static void put_num(struct enc *e, unsigned long long v)
{
	char num[32];
	snprintf(num, sizeof(num), "%llu", v);
	put(e, num);
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

size_t keeper_req_encode(const struct keeper_req *r, char *buf, size_t len)
{
	struct enc e = {.buf = buf, .len = len};
	size_t argc = count(r->argv), envc = count(r->envp);

	put(&e, "R");
	put_num(&e, r->id);
	put(&e, r->result);
	put(&e, r->log);
	put(&e, r->output ? r->output : "");
	put_num(&e, (unsigned long long)r->skip_code);
	put(&e, r->fsync ? "1" : "0");
	put(&e, r->cwd);
	put_num(&e, argc);
	for (size_t i = 0; i < argc; i++)
		put(&e, r->argv[i]);
	put_num(&e, envc);
	for (size_t i = 0; i < envc; i++)
		put(&e, r->envp[i]);
	return e.full ? 0 : e.off;
}

struct dec {
	char *buf;
	size_t len, off;
	bool bad;
};

static char *get(struct dec *d)
{
	char *s, *nul;

	if (d->bad || d->off >= d->len) {
		d->bad = true;
		return NULL;
	}
	s = d->buf + d->off;
	nul = memchr(s, '\0', d->len - d->off);
	if (!nul) {
		d->bad = true;
		return NULL;
	}
	d->off += (size_t)(nul - s) + 1;
	return s;
}

static int get_num(struct dec *d, unsigned long long max, unsigned long long *out)
{
	char *s = get(d), *end;
	unsigned long long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static char **get_list(struct dec *d)
{
	unsigned long long n;
	char **v;

	if (get_num(d, 1u << 16, &n) != 0)
		return NULL;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		v[i] = get(d);
		if (!v[i]) {
			free(v);
			return NULL;
		}
	}
	return v;
}

int keeper_req_decode(char *buf, size_t len, struct keeper_req *r)
{
	struct dec d = {.buf = buf, .len = len};
	unsigned long long id, skip;
	char *tag, *fs;

	memset(r, 0, sizeof(*r));
	tag = get(&d);
	if (!tag || strcmp(tag, "R") != 0 || get_num(&d, ~0ull, &id) != 0)
		return -1;
	r->id = id;
	r->result = get(&d);
	r->log = get(&d);
	r->output = get(&d);
	if (get_num(&d, 255, &skip) != 0)
		return -1;
	r->skip_code = (int)skip;
	fs = get(&d);
	r->cwd = get(&d);
	if (d.bad || !fs || !*r->result || !*r->log || !*r->cwd)
		return -1;
	r->fsync = strcmp(fs, "1") == 0;
	r->argv = get_list(&d);
	if (!r->argv || !r->argv[0]) {
		free(r->argv);
		r->argv = NULL;
		return -1;
	}
	r->envp = get_list(&d);
	if (!r->envp || d.off != d.len) {
		free(r->argv);
		free(r->envp);
		r->argv = r->envp = NULL;
		return -1;
	}
	return 0;
}
