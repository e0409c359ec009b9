/*
 * job_json.c - just enough JSON for outputs, without a JSON library:
 * encoding a byte string as a JSON string, and a validating scanner for a
 * $DAGD_OUTPUT file that checks it is one object and hands each top-level
 * member (name canonicalised, value as raw text) to a callback. It accepts
 * only what jansson in the daemon will load too, so a record's outputs
 * always parse there.
 */
#include "job.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 512 /* jansson's own limit is 2048 */

void job_json_str(struct jbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	jbuf_addc(b, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k;

		/* copy plain ASCII in one go */
		for (run = i; run < n; run++) {
			c = (unsigned char)s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
		}
		jbuf_add(b, s + i, run - i);
		i = run;
		if (i == n)
			break;
		if (c >= 0x80) {
			k = job_utf8_len((const unsigned char *)s + i, n - i);
			if (k == 0) {
				jbuf_add(b, "\\ufffd", 6);
				k = 1;
			} else {
				jbuf_add(b, s + i, k);
			}
			i += k;
			continue;
		}
		jbuf_addc(b, '\\');
		switch (c) {
		case '"':
		case '\\':
			jbuf_addc(b, (char)c);
			break;
		case '\b':
			jbuf_addc(b, 'b');
			break;
		case '\f':
			jbuf_addc(b, 'f');
			break;
		case '\n':
			jbuf_addc(b, 'n');
			break;
		case '\r':
			jbuf_addc(b, 'r');
			break;
		case '\t':
			jbuf_addc(b, 't');
			break;
		default: {
			char u[5] = {'u', '0', '0', hex[c >> 4], hex[c & 15]};
			jbuf_add(b, u, 5);
		}
		}
		i++;
	}
	jbuf_addc(b, '"');
}

struct scan {
	const unsigned char *s;
	size_t n, i;
	const char *msg; /* first problem */
	size_t off;
	int depth;
};

static bool bad(struct scan *j, const char *msg)
{
	j->msg = msg;
	j->off = j->i;
	return false;
}

static void skip_ws(struct scan *j)
{
	while (j->i < j->n) {
		unsigned char c = j->s[j->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		j->i++;
	}
}

static int hex4(const unsigned char *s)
{
	int v = 0;

	for (int k = 0; k < 4; k++) {
		unsigned char c = s[k];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void put_utf8(struct jbuf *b, uint32_t cp)
{
	char u[4];
	size_t k;

	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	jbuf_add(b, u, k);
}

/* \uXXXX at j->i (after the backslash and 'u'), with a low surrogate
 * following a high one; the code point goes to *cp. */
static bool unicode_escape(struct scan *j, uint32_t *cp)
{
	int hi, lo;

	if (j->n - j->i < 4 || (hi = hex4(j->s + j->i)) < 0)
		return bad(j, "invalid \\u escape");
	if (hi == 0)
		return bad(j, "\\u0000 is not allowed");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return bad(j, "lone low surrogate in \\u escape");
	j->i += 4;
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = (uint32_t)hi;
		return true;
	}
	if (j->n - j->i < 6 || j->s[j->i] != '\\' || j->s[j->i + 1] != 'u' ||
	    (lo = hex4(j->s + j->i + 2)) < 0xdc00 || lo > 0xdfff)
		return bad(j, "high surrogate without a low one in \\u escape");
	j->i += 6;
	*cp = 0x10000u + (((uint32_t)hi - 0xd800u) << 10) + ((uint32_t)lo - 0xdc00u);
	return true;
}

/* A string at j->i (on its opening quote); decoded into out if not NULL. */
static bool string(struct scan *j, struct jbuf *out)
{
	j->i++;
	for (;;) {
		size_t start = j->i, esc;
		unsigned char c = 0;
		uint32_t cp;

		while (j->i < j->n) {
			c = j->s[j->i];
			if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
				break;
			j->i++;
		}
		if (out)
			jbuf_add(out, (const char *)j->s + start, j->i - start);
		if (j->i == j->n)
			return bad(j, "unterminated string");
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return bad(j, "control character in string");
		if (c >= 0x80) {
			size_t k = job_utf8_len(j->s + j->i, j->n - j->i);
			if (k == 0)
				return bad(j, "invalid UTF-8");
			if (out)
				jbuf_add(out, (const char *)j->s + j->i, k);
			j->i += k;
			continue;
		}
		/* a backslash: errors in an escape point at it */
		esc = j->i;
		if (++j->i == j->n)
			return bad(j, "unterminated string");
		c = j->s[j->i];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			cp = c;
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			j->i++;
			if (!unicode_escape(j, &cp)) {
				j->off = esc;
				return false;
			}
			j->i--; /* the common j->i++ below */
			break;
		default:
			j->i = esc;
			return bad(j, "invalid escape in string");
		}
		j->i++;
		if (out)
			put_utf8(out, cp);
	}
}

static bool digits(struct scan *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

/* An integer must fit int64 and a real must not overflow a double, or
 * jansson refuses the whole text. */
static bool number(struct scan *j)
{
	size_t start = j->i, intstart;
	bool real = false, neg = false;

	if (j->s[j->i] == '-') {
		neg = true;
		j->i++;
	}
	intstart = j->i;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (!digits(j))
		return bad(j, "invalid number");
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		real = true;
		if (!digits(j))
			return bad(j, "invalid number");
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		real = true;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!digits(j))
			return bad(j, "invalid number");
	}
	if (!real) {
		uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
		for (size_t k = intstart; k < j->i; k++) {
			unsigned d = j->s[k] - (unsigned)'0';
			if (v > (lim - d) / 10u) {
				j->i = start;
				return bad(j, "integer out of range");
			}
			v = v * 10u + d;
		}
	} else {
		char small[64], *text = small;
		size_t len = j->i - start;
		double d;
		if (len >= sizeof(small))
			text = job_xmalloc(len + 1);
		memcpy(text, j->s + start, len);
		text[len] = '\0';
		errno = 0;
		d = strtod(text, NULL);
		if (text != small)
			free(text);
		if (errno == ERANGE && isinf(d)) {
			j->i = start;
			return bad(j, "number out of range");
		}
	}
	return true;
}

static bool literal(struct scan *j, const char *word)
{
	size_t n = strlen(word);

	if (j->n - j->i < n || memcmp(j->s + j->i, word, n) != 0)
		return bad(j, "expected a value");
	j->i += n;
	return true;
}

static bool value(struct scan *j);

/* An array or object at j->i (on its bracket); members checked only. */
static bool container(struct scan *j, unsigned char close)
{
	if (++j->depth > JSON_DEPTH_MAX)
		return bad(j, "nested too deeply");
	j->i++;
	skip_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (j->i == j->n || j->s[j->i] != '"')
				return bad(j, "expected a string key");
			if (!string(j, NULL))
				return false;
			skip_ws(j);
			if (j->i == j->n || j->s[j->i] != ':')
				return bad(j, "expected ':'");
			j->i++;
			skip_ws(j);
		}
		if (!value(j))
			return false;
		skip_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			j->i++;
			skip_ws(j);
			continue;
		}
		if (j->i < j->n && j->s[j->i] == close) {
			j->i++;
			j->depth--;
			return true;
		}
		return bad(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool value(struct scan *j)
{
	if (j->i == j->n)
		return bad(j, "expected a value");
	switch (j->s[j->i]) {
	case '{':
		return container(j, '}');
	case '[':
		return container(j, ']');
	case '"':
		return string(j, NULL);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		if (j->s[j->i] == '-' || (j->s[j->i] >= '0' && j->s[j->i] <= '9'))
			return number(j);
		return bad(j, "expected a value");
	}
}

int job_json_object(const char *text, size_t n, job_member_fn fn, void *ctx,
		    const char **msg, size_t *off)
{
	struct scan j = {(const unsigned char *)text, n, 0, NULL, 0, 1};
	struct jbuf key = {0}, canon = {0};
	int rc = -1;

	skip_ws(&j);
	if (j.i == j.n || j.s[j.i] != '{') {
		bad(&j, "expected '{'");
		goto out;
	}
	j.i++;
	skip_ws(&j);
	if (j.i < j.n && j.s[j.i] == '}') {
		j.i++;
		goto end;
	}
	for (;;) {
		size_t vstart;

		if (j.i == j.n || j.s[j.i] != '"') {
			bad(&j, "expected a string key");
			goto out;
		}
		key.len = 0;
		if (!string(&j, &key))
			goto out;
		skip_ws(&j);
		if (j.i == j.n || j.s[j.i] != ':') {
			bad(&j, "expected ':'");
			goto out;
		}
		j.i++;
		skip_ws(&j);
		vstart = j.i;
		if (!value(&j))
			goto out;
		if (fn) {
			canon.len = 0;
			job_json_str(&canon, key.p, key.len);
			rc = fn(ctx, canon.p, canon.len, text + vstart, j.i - vstart);
			if (rc)
				goto out;
			rc = -1;
		}
		skip_ws(&j);
		if (j.i < j.n && j.s[j.i] == ',') {
			j.i++;
			skip_ws(&j);
			continue;
		}
		if (j.i < j.n && j.s[j.i] == '}') {
			j.i++;
			break;
		}
		bad(&j, "expected ',' or '}'");
		goto out;
	}
end:
	skip_ws(&j);
	if (j.i != j.n) {
		bad(&j, "text after the object");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		*msg = j.msg;
		*off = j.off;
	}
	jbuf_release(&key);
	jbuf_release(&canon);
	return rc;
}
