/*
 * router.c - matches a method and a raw request path against a route
 * table (see router.h for the rules). The path is split on '/' before
 * anything is decoded, every segment is then decoded and checked once into
 * one buffer owned by the match, and params point into that buffer, so an
 * encoded '/' or a dot-segment can never reach a handler. Pure: no MHD,
 * no loop, no clock; api*.c calls it per request, tests and the fuzzer
 * call it directly.
 */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct methods remembered for one Allow list. */
#define ALLOW_METHODS_MAX 16

size_t router_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 overlong lead, or > 0xf4 */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0; /* overlong */
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k = router_utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode s[0..n) into out (room for n bytes). Returns the decoded length,
 * or -1 with *why set on a bad escape or a decoded NUL.
 */
static long decode_into(const char *s, size_t n, char *out, const char **why)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n) {
				*why = "bad percent escape";
				return -1;
			}
			int hi = hexval(s[i + 1]);
			int lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0) {
				*why = "bad percent escape";
				return -1;
			}
			c = (char)(hi << 4 | lo);
			if (c == '\0') {
				*why = "an escape decodes to NUL";
				return -1;
			}
			i += 2;
		}
		out[w++] = c;
	}
	return (long)w;
}

int router_decode(const char *s, size_t n, char **out, size_t *outlen, const char **why)
{
	char *buf = xmalloc(n + 1);
	long len = decode_into(s, n, buf, why);

	*out = NULL;
	if (len >= 0 && !utf8_valid(buf, (size_t)len)) {
		*why = "invalid UTF-8";
		len = -1;
	}
	if (len < 0) {
		free(buf);
		return DAGD_EINVAL;
	}
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = (size_t)len;
	return 0;
}

/* Check and decode one raw path segment into out; its length or -1. */
static long decode_segment(const char *s, size_t n, char *out, const char **why)
{
	long len = decode_into(s, n, out, why);

	if (len < 0)
		return -1;
	for (long i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == '/') {
			*why = "a path segment holds an encoded '/'";
			return -1;
		}
		if (c < 0x20 || c == 0x7f) {
			*why = "a path segment holds a control character";
			return -1;
		}
	}
	if ((len == 1 && out[0] == '.') || (len == 2 && out[0] == '.' && out[1] == '.')) {
		*why = "'.' and '..' are not allowed as path segments";
		return -1;
	}
	if (!utf8_valid(out, (size_t)len)) {
		*why = "a path segment is not valid UTF-8";
		return -1;
	}
	return len;
}

/* Length of the pattern segment starting at p (up to '/' or the end). */
static size_t seg_len(const char *p)
{
	return strcspn(p, "/");
}

static bool is_param(const char *p, size_t len)
{
	return len >= 2 && p[0] == '{' && p[len - 1] == '}';
}

/*
 * Does pattern match the decoded segments? When m is not NULL, the
 * parameters are captured into it.
 */
static bool pattern_match(const char *pattern, const char *const *segs, size_t nseg,
			  struct route_match *m)
{
	const char *p = pattern + 1;
	size_t k = 0;

	if (pattern[1] == '\0')
		return nseg == 0;
	for (;;) {
		size_t len = seg_len(p);
		if (k >= nseg)
			return false;
		if (is_param(p, len)) {
			if (m && m->nparams < ROUTER_MAX_PARAMS) {
				struct route_param *rp = &m->params[m->nparams++];
				rp->name = p + 1;
				rp->name_len = len - 2;
				rp->value = segs[k];
			}
		} else if (strlen(segs[k]) != len || memcmp(segs[k], p, len) != 0) {
			return false;
		}
		k++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return k == nseg;
}

/* Join methods into m->allow, with HEAD right after GET unless listed. */
static void build_allow(struct route_match *m, const char *const *methods, size_t n)
{
	bool has_head = false;
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		has_head |= strcmp(methods[i], "HEAD") == 0;
	m->allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		for (int pass = 0; pass < 2; pass++) {
			const char *meth = pass == 0 ? methods[i] : "HEAD";
			if (pass == 1 && (strcmp(methods[i], "GET") != 0 || has_head))
				break;
			size_t len = strlen(meth);
			size_t need = (w ? 2 : 0) + len;
			if (w + need >= sizeof(m->allow))
				return; /* a longer list is cut; tables are far smaller */
			if (w) {
				memcpy(m->allow + w, ", ", 2);
				w += 2;
			}
			memcpy(m->allow + w, meth, len);
			w += len;
			m->allow[w] = '\0';
		}
	}
}

/* Split and decode path[0..plen) into m->buf; ROUTER_MATCH when fine. */
static enum router_result split_path(const char *path, size_t plen, struct route_match *m,
				     const char **segs, size_t *nseg, bool *has_empty)
{
	size_t w = 0, pos = 1;

	*nseg = 0;
	*has_empty = false;
	m->buf = xmalloc(plen + 1);
	if (plen == 1)
		return ROUTER_MATCH;
	for (;;) {
		const char *s = path + pos;
		size_t len = 0;
		while (pos + len < plen && s[len] != '/')
			len++;
		long dlen = decode_segment(s, len, m->buf + w, &m->detail);
		if (dlen < 0)
			return ROUTER_BAD_PATH;
		if (dlen == 0)
			*has_empty = true;
		if (*nseg < ROUTER_MAX_SEGS)
			segs[*nseg] = m->buf + w;
		(*nseg)++;
		w += (size_t)dlen;
		m->buf[w++] = '\0';
		pos += len;
		if (pos >= plen)
			break;
		pos++; /* the '/' */
		if (pos == plen) { /* trailing slash: one more, empty segment */
			*has_empty = true;
			(*nseg)++;
			break;
		}
	}
	return ROUTER_MATCH;
}

enum router_result router_match(const struct route *table, size_t n, const char *method,
				const char *raw_path, struct route_match *m)
{
	const char *segs[ROUTER_MAX_SEGS];
	const char *methods[ALLOW_METHODS_MAX];
	const struct route *hit = NULL, *get_hit = NULL;
	size_t plen, nseg, nmeth = 0;
	bool has_empty;
	enum router_result res;

	memset(m, 0, sizeof(*m));
	if (!method)
		method = "";
	plen = strcspn(raw_path, "?");
	if (plen == 0 || raw_path[0] != '/') {
		m->detail = "the path must start with '/'";
		return ROUTER_BAD_PATH;
	}
	for (size_t i = 0; i < plen; i++) {
		unsigned char c = (unsigned char)raw_path[i];
		if (c <= 0x20 || c == 0x7f) {
			m->detail = "the path holds a space or a control character";
			return ROUTER_BAD_PATH;
		}
	}
	res = split_path(raw_path, plen, m, segs, &nseg, &has_empty);
	if (res != ROUTER_MATCH)
		return res;
	if (has_empty || nseg > ROUTER_MAX_SEGS)
		return ROUTER_NOT_FOUND;

	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];
		bool seen = false;
		if (!pattern_match(r->pattern, segs, nseg, NULL))
			continue;
		for (size_t j = 0; j < nmeth; j++)
			seen |= strcmp(methods[j], r->method) == 0;
		if (!seen && nmeth < ALLOW_METHODS_MAX)
			methods[nmeth++] = r->method;
		if (!hit && strcmp(r->method, method) == 0)
			hit = r;
		if (!get_hit && strcmp(r->method, "GET") == 0)
			get_hit = r;
	}
	if (!hit && strcmp(method, "HEAD") == 0)
		hit = get_hit;
	if (hit) {
		m->route = hit;
		(void)pattern_match(hit->pattern, segs, nseg, m); /* known to match */
		return ROUTER_MATCH;
	}
	if (nmeth) {
		build_allow(m, methods, nmeth);
		return ROUTER_METHOD_NOT_ALLOWED;
	}
	return ROUTER_NOT_FOUND;
}

const char *route_param(const struct route_match *m, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < m->nparams; i++)
		if (m->params[i].name_len == len && memcmp(m->params[i].name, name, len) == 0)
			return m->params[i].value;
	return NULL;
}

void route_match_release(struct route_match *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

int router_http_status(enum router_result r)
{
	switch (r) {
	case ROUTER_MATCH:
		return 200;
	case ROUTER_NOT_FOUND:
		return 404;
	case ROUTER_METHOD_NOT_ALLOWED:
		return 405;
	case ROUTER_BAD_PATH:
		return 400;
	}
	return 500;
}

static bool is_tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Check one pattern; NULL when fine, else what is wrong. */
static const char *check_pattern(const char *pattern)
{
	const char *p;
	size_t nseg = 0, nparam = 0;
	const char *names[ROUTER_MAX_PARAMS];
	size_t lens[ROUTER_MAX_PARAMS];

	if (!pattern || pattern[0] != '/')
		return "pattern must start with '/'";
	if (pattern[1] == '\0')
		return NULL;
	for (p = pattern + 1;; p += seg_len(p) + 1) {
		size_t len = seg_len(p);
		if (len == 0)
			return "empty segment";
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "dot segment";
		if (++nseg > ROUTER_MAX_SEGS)
			return "too many segments";
		if (is_param(p, len)) {
			if (len == 2)
				return "empty parameter name";
			for (size_t i = 1; i + 1 < len; i++)
				if (p[i] == '{' || p[i] == '}')
					return "brace inside a parameter name";
			if (nparam == ROUTER_MAX_PARAMS)
				return "too many parameters";
			for (size_t i = 0; i < nparam; i++)
				if (lens[i] == len - 2 && memcmp(names[i], p + 1, len - 2) == 0)
					return "duplicate parameter name";
			names[nparam] = p + 1;
			lens[nparam++] = len - 2;
		} else {
			for (size_t i = 0; i < len; i++) {
				unsigned char c = (unsigned char)p[i];
				if (c == '{' || c == '}' || c == '?' || c == '%' || c <= 0x20 || c == 0x7f)
					return "bad character in a literal segment";
			}
		}
		if (p[len] == '\0')
			break;
	}
	return NULL;
}

int router_check_table(const struct route *table, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];
		const char *why = NULL;
		if (!r->method || !r->method[0])
			why = "empty method";
		for (const char *c = r->method; !why && *c; c++)
			if (!is_tchar(*c))
				why = "method is not a token";
		if (!why)
			why = check_pattern(r->pattern);
		if (why) {
			snprintf(err, errlen, "route %zu '%s %s': %s", i,
				 r->method ? r->method : "(null)",
				 r->pattern ? r->pattern : "(null)", why);
			return DAGD_EINVAL;
		}
	}
	return 0;
}
