/*
 * load_jparse.c - one JSON record of a jsonl or json load: checks it as
 * RFC 8259 JSON (nesting up to JSON_DEPTH_MAX) that is one object and lists
 * its top-level members with the text of their values; and decodes a JSON
 * string body, escaped for COPY text format or not. Pure: no I/O, no libpq.
 */
#include "load.h"

#include <string.h>

/* Deepest nesting a record may have. */
#define JSON_DEPTH_MAX 512

struct jp {
	const char *p;
	size_t n, i;
	const char *err; /* static message */
};

static bool jfail(struct jp *j, const char *msg)
{
	if (!j->err)
		j->err = msg;
	return false;
}

static void jws(struct jp *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
			       j->p[j->i] == '\r'))
		j->i++;
}

static bool hex4(const char *p)
{
	int k;

	for (k = 0; k < 4; k++) {
		char c = p[k];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* At '"': past the closing quote; *esc when it had escapes. */
static bool jstring(struct jp *j, bool *esc)
{
	j->i++;
	while (j->i < j->n) {
		unsigned char c = (unsigned char)j->p[j->i];
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return jfail(j, "control character in a string");
		if (c != '\\') {
			j->i++;
			continue;
		}
		*esc = true;
		if (j->i + 1 >= j->n)
			break;
		c = (unsigned char)j->p[j->i + 1];
		if (c == 'u') {
			if (j->i + 6 > j->n || !hex4(j->p + j->i + 2))
				return jfail(j, "bad \\u escape");
			j->i += 6;
		} else if (strchr("\"\\/bfnrt", c) && c) {
			j->i += 2;
		} else {
			return jfail(j, "bad escape in a string");
		}
	}
	return jfail(j, "unterminated string");
}

static bool jvalue(struct jp *j, int depth, enum jtype *t, bool *esc);

static bool jliteral(struct jp *j, const char *word, enum jtype type, enum jtype *t)
{
	size_t n = strlen(word);

	if (j->n - j->i < n || memcmp(j->p + j->i, word, n) != 0)
		return jfail(j, "unexpected character");
	j->i += n;
	*t = type;
	return true;
}

static bool jnumber(struct jp *j)
{
	size_t s = j->i;

	while (j->i < j->n && strchr("+-.eE0123456789", j->p[j->i]) && j->p[j->i])
		j->i++;
	if (!sql_is_json_number(j->p + s, j->i - s))
		return jfail(j, "bad number");
	return true;
}

/* An object or array at '{' / '['. */
static bool jcontainer(struct jp *j, int depth)
{
	char close = j->p[j->i] == '{' ? '}' : ']';
	bool obj = close == '}', esc;
	enum jtype t;

	if (depth >= JSON_DEPTH_MAX)
		return jfail(j, "nested too deep");
	j->i++;
	jws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++;
		return true;
	}
	for (;;) {
		if (obj) {
			jws(j);
			if (j->i >= j->n || j->p[j->i] != '"')
				return jfail(j, "expected a key");
			if (!jstring(j, &esc))
				return false;
			jws(j);
			if (j->i >= j->n || j->p[j->i] != ':')
				return jfail(j, "expected ':'");
			j->i++;
		}
		if (!jvalue(j, depth + 1, &t, &esc))
			return false;
		jws(j);
		if (j->i < j->n && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->p[j->i] == close) {
			j->i++;
			return true;
		}
		return jfail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool jvalue(struct jp *j, int depth, enum jtype *t, bool *esc)
{
	char c;

	jws(j);
	if (j->i >= j->n)
		return jfail(j, "expected a value");
	c = j->p[j->i];
	*esc = false;
	switch (c) {
	case '{': *t = J_OBJ; return jcontainer(j, depth);
	case '[': *t = J_ARR; return jcontainer(j, depth);
	case '"': *t = J_STR; return jstring(j, esc);
	case 't': return jliteral(j, "true", J_TRUE, t);
	case 'f': return jliteral(j, "false", J_FALSE, t);
	case 'n': return jliteral(j, "null", J_NULL, t);
	default:
		*t = J_NUM;
		if (c == '-' || (c >= '0' && c <= '9'))
			return jnumber(j);
		return jfail(j, "unexpected character");
	}
}

/* Check rec as one object and list its top-level members into *mv. */
static bool parse_record(struct jp *j, struct jmember **mv, size_t *nm, size_t *am)
{
	*nm = 0;
	jws(j);
	if (j->i >= j->n || j->p[j->i] != '{')
		return jfail(j, "expected a JSON object");
	j->i++;
	jws(j);
	if (j->i < j->n && j->p[j->i] == '}') {
		j->i++;
		goto end;
	}
	for (;;) {
		struct jmember m;
		size_t s;
		jws(j);
		if (j->i >= j->n || j->p[j->i] != '"')
			return jfail(j, "expected a key");
		s = j->i;
		m.kesc = false;
		if (!jstring(j, &m.kesc))
			return false;
		m.k = j->p + s + 1;
		m.klen = j->i - s - 2;
		jws(j);
		if (j->i >= j->n || j->p[j->i] != ':')
			return jfail(j, "expected ':'");
		j->i++;
		jws(j);
		s = j->i;
		if (!jvalue(j, 1, &m.type, &m.vesc))
			return false;
		m.v = j->p + s;
		m.vlen = j->i - s;
		if (m.type == J_STR) {
			m.v++;
			m.vlen -= 2;
		}
		if (*nm == *am) {
			*am = *am ? *am * 2 : 16;
			*mv = sql_xrealloc(*mv, sizeof(**mv) * *am);
		}
		(*mv)[(*nm)++] = m;
		jws(j);
		if (j->i < j->n && j->p[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->n && j->p[j->i] == '}') {
			j->i++;
			break;
		}
		return jfail(j, "expected ',' or '}'");
	}
end:
	jws(j);
	if (j->i != j->n)
		return jfail(j, "data after the object");
	return true;
}

static unsigned hexval(const char *p)
{
	unsigned v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		char c = p[k];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static void put_utf8(struct sbuf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	}
	sbuf_add(b, u, n);
}

const char *jstr_decode(struct sbuf *b, const char *s, size_t n, bool copy)
{
	size_t i = 0;

	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - s) - i : n - i;
		unsigned cp;
		char c;
		sbuf_add(b, s + i, run);
		i += run;
		if (i >= n)
			break;
		c = s[i + 1];
		i += 2;
		switch (c) {
		case 'n': sbuf_add(b, copy ? "\\n" : "\n", copy ? 2 : 1); continue;
		case 'r': sbuf_add(b, copy ? "\\r" : "\r", copy ? 2 : 1); continue;
		case 't': sbuf_add(b, copy ? "\\t" : "\t", copy ? 2 : 1); continue;
		case 'b': sbuf_addc(b, '\b'); continue;
		case 'f': sbuf_addc(b, '\f'); continue;
		case '\\': sbuf_add(b, "\\\\", copy ? 2 : 1); continue;
		case 'u': break;
		default: sbuf_addc(b, c); continue; /* " and / */
		}
		cp = hexval(s + i);
		i += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
			unsigned lo = hexval(s + i + 2);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			}
		}
		if (cp == 0)
			return "\\u0000 cannot be stored in a text value";
		if (cp >= 0xD800 && cp <= 0xDFFF)
			cp = 0xFFFD; /* a lone surrogate */
		if (copy && (cp == '\\' || cp == '\n' || cp == '\r' || cp == '\t')) {
			const char *e = cp == '\\' ? "\\\\" : cp == '\n' ? "\\n" : cp == '\r' ? "\\r" :
									     "\\t";
			sbuf_add(b, e, 2);
		} else {
			put_utf8(b, cp);
		}
	}
	return NULL;
}

bool jrec_parse(const char *rec, size_t n, struct jmember **mv, size_t *nm, size_t *am,
		const char **err, size_t *err_off)
{
	struct jp j = {rec, n, 0, NULL};

	if (parse_record(&j, mv, nm, am))
		return true;
	*err = j.err ? j.err : "bad JSON";
	*err_off = j.i;
	return false;
}
