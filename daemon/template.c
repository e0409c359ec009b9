/*
 * template.c - the {{ ... }} renderer of DAG files (DESIGN.md section 3).
 * One parser serves template_scan() (syntax only, visits every expression;
 * `dagd check` uses it to check names) and template_render() (scans first,
 * so syntax errors win, then resolves names through the caller's lookup,
 * applies filters and appends to a capped sbuf). Pure: no I/O, no clock, no
 * locale; dates go through the civil and zone helpers of tz.h. Text outside
 * "{{" ... "}}" is copied byte for byte, a lone "}}" included.
 */
#include "template.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

/* Bytes of a source span or value quoted in an error message. */
#define SHOW_MAX 48
/* Room for show(): every byte may become \xNN, plus "..." and NUL. */
#define SHOW_BUF (SHOW_MAX * 4 + 4)

/* Conversions strftime() accepts; see fmt_conv(). */
static const char strftime_convs[] = "aAbBCdDeFgGhHIjklmMnpPRsStTuUVwWyYzZ%";

static const char *const filter_names[] = {
	[TF_ADD_DAYS] = "add_days",
	[TF_STRFTIME] = "strftime",
	[TF_SQL] = "sql",
	[TF_SH] = "sh",
};

static int fail(struct tpl_error *err, size_t off, const char *fmt, ...) DAGD_PRINTF(3, 4);

static int fail(struct tpl_error *err, size_t off, const char *fmt, ...)
{
	va_list ap;

	err->off = off;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return DAGD_EINVAL;
}

/* s[0..n) for a message: printable ASCII as is, other bytes as \xNN,
 * cut at SHOW_MAX bytes with "...". Returns buf (SHOW_BUF bytes). */
static const char *show(char *buf, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t k = 0; k < n && k < SHOW_MAX; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (n > SHOW_MAX) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

static bool at_close(const char *s, size_t len, size_t i)
{
	return i + 1 < len && s[i] == '}' && s[i + 1] == '}';
}

/* Index of the first "cc" at or after from, or SIZE_MAX. */
static size_t find_pair(const char *s, size_t len, size_t from, char c)
{
	for (size_t i = from; i + 1 < len; i++)
		if (s[i] == c && s[i + 1] == c)
			return i;
	return SIZE_MAX;
}

/* End of the word at i: stops at white space, '|', "}}", the end, and at
 * '(' when paren is set. */
static size_t word_end(const char *s, size_t len, size_t i, bool paren)
{
	while (i < len && !is_ws(s[i]) && s[i] != '|' && !at_close(s, len, i) &&
	       !(paren && s[i] == '('))
		i++;
	return i;
}

static void expr_release(struct tpl_expr *e)
{
	free(e->name);
	free(e->literal);
	for (size_t k = 0; k < e->nfilters; k++)
		free(e->filters[k].format);
	e->name = e->literal = NULL;
	e->nfilters = 0;
}

/* The quoted string at s[*i] ('...' or "...", no escapes, no newline). */
static int parse_quoted(const char *s, size_t len, size_t *i, char **out, struct tpl_error *err)
{
	char q = s[*i];
	size_t j = *i + 1;

	while (j < len && s[j] != q && s[j] != '\n') {
		if (s[j] == '\0')
			return fail(err, j, "NUL byte in quoted string");
		j++;
	}
	if (j >= len || s[j] != q)
		return fail(err, *i, "unterminated quoted string");
	*out = xstrndup(s + *i + 1, j - *i - 1);
	*i = j + 1;
	return 0;
}

/*
 * The dotted name at s[*i]: a first segment [A-Za-z_][A-Za-z0-9_]*, then
 * '.'-separated segments of [A-Za-z0-9_-] (task ids may hold '-' and '.').
 * No empty segment.
 */
static int parse_name(const char *s, size_t len, size_t *i, char **out, struct tpl_error *err)
{
	size_t start = *i, end = word_end(s, len, *i, false);
	bool first = true, empty = true;
	char b[SHOW_BUF];

	if (end == start)
		return fail(err, start, "missing name before '|'");
	if (!is_alpha(s[start]))
		return fail(err, start, "bad name '%s' (names start with a letter or '_')",
			    show(b, s + start, end - start));
	for (size_t k = start; k < end; k++) {
		char c = s[k];
		if (c == '.') {
			if (empty)
				return fail(err, k, "empty segment in name '%s'",
					    show(b, s + start, end - start));
			first = false;
			empty = true;
			continue;
		}
		if (is_alpha(c) || is_digit(c) || (!first && c == '-')) {
			empty = false;
			continue;
		}
		char cb[SHOW_BUF];
		return fail(err, k, "bad character '%s' in name '%s'", show(cb, s + k, 1),
			    show(b, s + start, end - start));
	}
	if (empty)
		return fail(err, end, "empty segment in name '%s'",
			    show(b, s + start, end - start));
	*out = xstrndup(s + start, end - start);
	*i = end;
	return 0;
}

/* "(N)" after add_days; *i is just past the filter name. */
static int parse_days_arg(const char *s, size_t len, size_t *i, struct tpl_filter *f,
			  struct tpl_error *err)
{
	size_t j = skip_ws(s, len, *i), k, d;
	int64_t v = 0;
	bool neg = false, big = false;
	char b[SHOW_BUF];

	if (j >= len || s[j] != '(')
		return fail(err, f->off, "add_days needs an integer argument");
	k = skip_ws(s, len, j + 1);
	d = k;
	if (d < len && (s[d] == '-' || s[d] == '+'))
		neg = s[d++] == '-';
	if (d >= len || !is_digit(s[d]))
		return fail(err, k, "add_days needs an integer argument");
	for (; d < len && is_digit(s[d]); d++) {
		v = v * 10 + (s[d] - '0');
		if (v > TPL_MAX_DAYS) {
			big = true;
			v = TPL_MAX_DAYS;
		}
	}
	j = skip_ws(s, len, d);
	if (j >= len || s[j] != ')')
		return fail(err, k, "add_days needs an integer argument");
	if (big)
		return fail(err, k, "add_days: '%s' is out of range (at most %d days)",
			    show(b, s + k, d - k), TPL_MAX_DAYS);
	f->days = neg ? -v : v;
	*i = j + 1;
	return 0;
}

/* Every '%' of a strftime format must start a known conversion; fmt_off
 * is the source offset of fmt[0]. */
static int check_format(const char *fmt, size_t fmt_off, struct tpl_error *err)
{
	char b[SHOW_BUF];

	for (size_t k = 0; fmt[k]; k++) {
		if (fmt[k] != '%')
			continue;
		if (!fmt[k + 1])
			return fail(err, fmt_off + k, "strftime: format ends with '%%'");
		if (!strchr(strftime_convs, fmt[k + 1]))
			return fail(err, fmt_off + k, "strftime: unsupported conversion '%%%s'",
				    show(b, fmt + k + 1, 1));
		k++;
	}
	return 0;
}

/* "("FMT")" after strftime; *i is just past the filter name. */
static int parse_format_arg(const char *s, size_t len, size_t *i, struct tpl_filter *f,
			    struct tpl_error *err)
{
	size_t j = skip_ws(s, len, *i), k, q;
	int rc;

	if (j >= len || s[j] != '(')
		return fail(err, f->off, "strftime needs a quoted format argument");
	k = skip_ws(s, len, j + 1);
	if (k >= len || (s[k] != '"' && s[k] != '\''))
		return fail(err, k, "strftime needs a quoted format argument");
	q = k;
	rc = parse_quoted(s, len, &q, &f->format, err);
	if (rc)
		return rc;
	rc = check_format(f->format, k + 1, err);
	if (rc)
		return rc;
	j = skip_ws(s, len, q);
	if (j >= len || s[j] != ')')
		return fail(err, k, "strftime needs a quoted format argument");
	*i = j + 1;
	return 0;
}

/* One "| filter[(arg)]"; s[*i] is the '|'. */
static int parse_filter(const char *s, size_t len, size_t *i, struct tpl_expr *e,
			struct tpl_error *err)
{
	struct tpl_filter *f;
	size_t start, end, j;
	const char *hint;
	char *word;
	char b[SHOW_BUF];
	int kind = -1;

	if (e->nfilters == TPL_MAX_FILTERS)
		return fail(err, *i, "too many filters (at most %d)", TPL_MAX_FILTERS);
	start = skip_ws(s, len, *i + 1);
	end = word_end(s, len, start, true);
	if (end == start)
		return fail(err, start, "missing filter name after '|'");
	for (size_t k = 0; k < ARRAY_LEN(filter_names); k++)
		if (strlen(filter_names[k]) == end - start &&
		    memcmp(filter_names[k], s + start, end - start) == 0)
			kind = (int)k;
	if (kind < 0) {
		word = xstrndup(s + start, end - start);
		hint = memchr(word, '\0', end - start)
			       ? NULL
			       : closest_word(word, filter_names, ARRAY_LEN(filter_names));
		free(word);
		if (hint)
			return fail(err, start, "unknown filter '%s' (did you mean '%s'?)",
				    show(b, s + start, end - start), hint);
		return fail(err, start, "unknown filter '%s' (filters: add_days, strftime, sql, sh)",
			    show(b, s + start, end - start));
	}
	f = &e->filters[e->nfilters++];
	memset(f, 0, sizeof(*f));
	f->kind = (enum tpl_filter_kind)kind;
	f->off = start;
	*i = end;
	switch (f->kind) {
	case TF_ADD_DAYS:
		return parse_days_arg(s, len, i, f, err);
	case TF_STRFTIME:
		return parse_format_arg(s, len, i, f, err);
	case TF_SQL:
	case TF_SH:
		j = skip_ws(s, len, end);
		if (j < len && s[j] == '(')
			return fail(err, j, "%s takes no argument", filter_names[kind]);
		return 0;
	}
	return 0;
}

/* The expression whose "{{" is at src[at]. On failure *e holds nothing. */
static int parse_expr(const char *s, size_t len, size_t at, struct tpl_expr *e,
		      struct tpl_error *err)
{
	size_t i;
	int rc;
	char b[SHOW_BUF];

	memset(e, 0, sizeof(*e));
	e->off = at;
	if (find_pair(s, len, at + 2, '}') == SIZE_MAX)
		return fail(err, at, "unclosed '{{'");
	i = skip_ws(s, len, at + 2);
	if (at_close(s, len, i))
		return fail(err, at, "empty expression");
	e->name_off = i;
	if (s[i] == '\'' || s[i] == '"')
		rc = parse_quoted(s, len, &i, &e->literal, err);
	else
		rc = parse_name(s, len, &i, &e->name, err);
	while (rc == 0) {
		i = skip_ws(s, len, i);
		if (i >= len) {
			rc = fail(err, at, "unclosed '{{'");
		} else if (at_close(s, len, i)) {
			e->len = i + 2 - at;
			return 0;
		} else if (s[i] == '|') {
			rc = parse_filter(s, len, &i, e, err);
		} else {
			size_t end = word_end(s, len, i, false);
			if (end == i) /* only a lone '}' stops no word */
				end = i + 1;
			rc = fail(err, i, "unexpected '%s' (expected '|' or '}}')",
				  show(b, s + i, end - i));
		}
	}
	expr_release(e);
	return rc;
}

/* Date and time values of add_days and strftime. */

/* A parsed "YYYY-MM-DD" or RFC 3339 timestamp. */
struct tval {
	bool is_date;
	bool zulu;        /* ended in 'Z' (else a numeric offset) */
	int64_t days;     /* dates: days since 1970-01-01 */
	int64_t utc;      /* timestamps: the instant */
	const char *frac; /* timestamps: ".123" as written, or "" */
	size_t frac_len;
};

/* Exactly n digits at s (a C string, so a NUL stops it). */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int k = 0; k < n; k++) {
		if (!is_digit(s[k]))
			return false;
		v = v * 10 + (s[k] - '0');
	}
	*out = v;
	return true;
}

/*
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)", strictly
 * (upper-case 'T' and 'Z', no leap second). false for anything else.
 */
static bool parse_tval(const char *s, struct tval *t)
{
	int y, mo, d, h, mi, se, oh, om;
	size_t i = 19;
	int64_t secs;

	memset(t, 0, sizeof(*t));
	t->frac = "";
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	t->days = days_from_civil(y, mo, d);
	if (s[10] == '\0') {
		t->is_date = true;
		return true;
	}
	if (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &se))
		return false;
	if (h > 23 || mi > 59 || se > 59)
		return false;
	if (s[i] == '.') {
		size_t k = i + 1;
		while (is_digit(s[k]))
			k++;
		if (k == i + 1)
			return false;
		t->frac = s + i;
		t->frac_len = k - i;
		i = k;
	}
	secs = t->days * 86400 + h * 3600 + mi * 60 + se;
	if (s[i] == 'Z' && s[i + 1] == '\0') {
		t->zulu = true;
		t->utc = secs;
		return true;
	}
	if ((s[i] != '+' && s[i] != '-') || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
	    !digits(s + i + 4, 2, &om) || s[i + 6] != '\0' || oh > 23 || om > 59)
		return false;
	t->utc = secs - (s[i] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	return true;
}

/* UTC offset of zone z (NULL = UTC) at utc, in whole minutes: RFC 3339
 * has no seconds, and pre-1900 local mean time offsets have some. */
static int offset_min(const struct tz *z, int64_t utc)
{
	return z ? (int)(tz_offset(z, utc) / 60) : 0;
}

/* The wall clock of utc at offset off_min; false outside years 0-9999. */
static bool wall_clock(int64_t utc, int off_min, struct civil *c)
{
	civil_from_secs(utc + (int64_t)off_min * 60, c);
	return c->year >= 0 && c->year <= 9999;
}

static void add_offset(struct sbuf *out, int off_min, bool colon)
{
	int a = off_min < 0 ? -off_min : off_min;

	sbuf_addf(out, colon ? "%c%02d:%02d" : "%c%02d%02d", off_min < 0 ? '-' : '+', a / 60,
		  a % 60);
}

static int apply_add_days(const struct tpl_filter *f, const char *v, const struct tz *z,
			  struct sbuf *out, struct tpl_error *err)
{
	struct tval t;
	struct civil c;
	char b[SHOW_BUF];
	int64_t utc;
	int off;

	if (!parse_tval(v, &t))
		return fail(err, f->off, "add_days: '%s' is not a date or timestamp",
			    show(b, v, strlen(v)));
	if (t.is_date) {
		if (!wall_clock((t.days + f->days) * 86400, 0, &c))
			return fail(err, f->off, "add_days: result out of range");
		sbuf_addf(out, "%04d-%02d-%02d", c.year, c.month, c.day);
		return 0;
	}
	utc = t.utc + f->days * 86400;
	off = t.zulu ? 0 : offset_min(z, utc);
	if (!wall_clock(utc, off, &c))
		return fail(err, f->off, "add_days: result out of range");
	sbuf_addf(out, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.min,
		  c.sec);
	sbuf_addn(out, t.frac, t.frac_len);
	if (t.zulu)
		sbuf_addc(out, 'Z');
	else
		add_offset(out, off, true);
	return 0;
}

/* What strftime conversions read. */
struct when {
	struct civil c; /* wall clock in the zone */
	int yday;       /* 0-365 */
	int off_min;
	int64_t utc;
	const struct tz *z;
};

static const char *const wday_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
					  "Thursday", "Friday", "Saturday"};
static const char *const month_names[12] = {"January", "February", "March",     "April",
					    "May",     "June",     "July",      "August",
					    "September", "October", "November", "December"};

/* ISO 8601 week-based year has 53 weeks: January 1 is a Thursday, or a
 * Wednesday in a leap year. */
static int iso_weeks(int y)
{
	int64_t d = days_from_civil(y, 1, 1);
	int wd = (int)(((d + 3) % 7 + 7) % 7); /* Monday 0; 1970-01-01 was a Thursday */

	return wd == 3 || (wd == 2 && days_in_month(y, 2) == 29) ? 53 : 52;
}

static void iso_week(const struct when *w, int *year, int *week)
{
	int wd = (w->c.wday + 6) % 7;
	int n = (w->yday - wd + 10) / 7;

	*year = w->c.year;
	if (n < 1) {
		*year = w->c.year - 1;
		n = iso_weeks(*year);
	} else if (n > iso_weeks(w->c.year)) {
		*year = w->c.year + 1;
		n = 1;
	}
	*week = n;
}

static int hour12(int h)
{
	return h % 12 == 0 ? 12 : h % 12;
}

/* One conversion (a char of strftime_convs), locale-free (C locale names). */
static void fmt_conv(struct sbuf *out, char conv, const struct when *w)
{
	const struct civil *c = &w->c;
	int iy, iw;

	switch (conv) {
	case 'a': sbuf_addn(out, wday_names[c->wday], 3); break;
	case 'A': sbuf_adds(out, wday_names[c->wday]); break;
	case 'b':
	case 'h': sbuf_addn(out, month_names[c->month - 1], 3); break;
	case 'B': sbuf_adds(out, month_names[c->month - 1]); break;
	case 'C': sbuf_addf(out, "%02d", c->year / 100); break;
	case 'd': sbuf_addf(out, "%02d", c->day); break;
	case 'D': sbuf_addf(out, "%02d/%02d/%02d", c->month, c->day, c->year % 100); break;
	case 'e': sbuf_addf(out, "%2d", c->day); break;
	case 'F': sbuf_addf(out, "%04d-%02d-%02d", c->year, c->month, c->day); break;
	case 'g': iso_week(w, &iy, &iw); sbuf_addf(out, "%02d", (iy % 100 + 100) % 100); break;
	case 'G': iso_week(w, &iy, &iw); sbuf_addf(out, "%04d", iy); break;
	case 'H': sbuf_addf(out, "%02d", c->hour); break;
	case 'I': sbuf_addf(out, "%02d", hour12(c->hour)); break;
	case 'j': sbuf_addf(out, "%03d", w->yday + 1); break;
	case 'k': sbuf_addf(out, "%2d", c->hour); break;
	case 'l': sbuf_addf(out, "%2d", hour12(c->hour)); break;
	case 'm': sbuf_addf(out, "%02d", c->month); break;
	case 'M': sbuf_addf(out, "%02d", c->min); break;
	case 'n': sbuf_addc(out, '\n'); break;
	case 'p': sbuf_adds(out, c->hour < 12 ? "AM" : "PM"); break;
	case 'P': sbuf_adds(out, c->hour < 12 ? "am" : "pm"); break;
	case 'R': sbuf_addf(out, "%02d:%02d", c->hour, c->min); break;
	case 's': sbuf_addf(out, "%" PRId64, w->utc); break;
	case 'S': sbuf_addf(out, "%02d", c->sec); break;
	case 't': sbuf_addc(out, '\t'); break;
	case 'T': sbuf_addf(out, "%02d:%02d:%02d", c->hour, c->min, c->sec); break;
	case 'u': sbuf_addf(out, "%d", c->wday == 0 ? 7 : c->wday); break;
	case 'U': sbuf_addf(out, "%02d", (w->yday + 7 - c->wday) / 7); break;
	case 'V': iso_week(w, &iy, &iw); sbuf_addf(out, "%02d", iw); break;
	case 'w': sbuf_addf(out, "%d", c->wday); break;
	case 'W': sbuf_addf(out, "%02d", (w->yday + 7 - (c->wday + 6) % 7) / 7); break;
	case 'y': sbuf_addf(out, "%02d", c->year % 100); break;
	case 'Y': sbuf_addf(out, "%04d", c->year); break;
	case 'z': add_offset(out, w->off_min, false); break;
	case 'Z':
		/* tz.h has no abbreviations: "UTC" in UTC, else the numeric
		 * form tzdata uses for zones without letters ("+01", "+0530"). */
		if (!w->z) {
			sbuf_adds(out, "UTC");
		} else {
			int a = w->off_min < 0 ? -w->off_min : w->off_min;
			sbuf_addf(out, "%c%02d", w->off_min < 0 ? '-' : '+', a / 60);
			if (a % 60)
				sbuf_addf(out, "%02d", a % 60);
		}
		break;
	case '%': sbuf_addc(out, '%'); break;
	default: break; /* check_format() admits nothing else */
	}
}

static int apply_strftime(const struct tpl_filter *f, const char *v, const struct tz *z,
			  struct sbuf *out, struct tpl_error *err)
{
	struct tval t;
	struct when w;
	char b[SHOW_BUF];

	if (!parse_tval(v, &t))
		return fail(err, f->off, "strftime: '%s' is not a date or timestamp",
			    show(b, v, strlen(v)));
	w.utc = t.utc;
	if (t.is_date) {
		/* 00:00 in z; a gap at midnight moves to its end, a repeated
		 * midnight takes its first occurrence */
		int64_t at[2], gap_end = t.days * 86400;
		w.utc = t.days * 86400;
		if (z)
			w.utc = tz_local_to_utc(z, t.days * 86400, at, &gap_end) ? at[0] : gap_end;
	}
	w.z = z;
	w.off_min = offset_min(z, w.utc);
	if (!wall_clock(w.utc, w.off_min, &w.c))
		return fail(err, f->off, "strftime: '%s' is out of range", show(b, v, strlen(v)));
	w.yday = (int)(days_from_civil(w.c.year, w.c.month, w.c.day) -
		       days_from_civil(w.c.year, 1, 1));
	for (const char *p = f->format; *p; p++) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			sbuf_adds(out, p);
			break;
		}
		sbuf_addn(out, p, (size_t)(pct - p));
		fmt_conv(out, pct[1], &w);
		p = pct + 1;
	}
	return 0;
}

/* Quoting. */

/* A number in JSON's grammar, safe to write into SQL as is. */
static bool is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return false;
	if (*s == '.') {
		if (!is_digit(*++s))
			return false;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

void tpl_quote_sql(struct sbuf *out, const struct tv *v)
{
	const char *s = v->s ? v->s : "";

	switch (v->type) {
	case TV_NULL:
		sbuf_adds(out, "NULL");
		return;
	case TV_NUM:
		if (is_number(s)) {
			/* "(-5)": "1-{{ n | sql }}" must not become a comment */
			if (*s == '-')
				sbuf_addf(out, "(%s)", s);
			else
				sbuf_adds(out, s);
			return;
		}
		break;
	case TV_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
			sbuf_adds(out, s);
			return;
		}
		break;
	case TV_STR:
	case TV_JSON:
		break;
	}
	/* E'...' doubles backslashes too, so the literal means the same
	 * whatever standard_conforming_strings says */
	if (strchr(s, '\\'))
		sbuf_addc(out, 'E');
	sbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sbuf_addc(out, *s);
		sbuf_addc(out, *s);
	}
	sbuf_addc(out, '\'');
}

/* Left unquoted by sh: words of these bytes that are not reserved words.
 * '=' is not among them ("A=b cmd" would be an assignment), nor '~'. */
static bool sh_plain(const char *s)
{
	static const char *const reserved[] = {
		"case", "coproc", "do",	   "done",   "elif", "else",  "esac",
		"fi",	"for",	  "function", "if",   "in",   "select", "then",
		"time", "until",  "while",
	};
	const char *p;

	for (p = s; *p; p++)
		if (!is_alpha(*p) && !is_digit(*p) && !strchr("./:,+@%-", *p))
			return false;
	for (size_t k = 0; k < ARRAY_LEN(reserved); k++)
		if (strcmp(s, reserved[k]) == 0)
			return false;
	return p != s;
}

void tpl_quote_sh(struct sbuf *out, const char *s)
{
	if (sh_plain(s)) {
		sbuf_adds(out, s);
		return;
	}
	sbuf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_adds(out, "'\\''");
		else
			sbuf_addc(out, *s);
	}
	sbuf_addc(out, '\'');
}

/* Rendering. */

struct render {
	tpl_lookup_cb lookup;
	void *ctx;
	const struct tz *z;
	struct sbuf *out;
	struct sbuf tmp[2]; /* filter results, ping-pong */
};

static int too_big(struct tpl_error *err, size_t off, size_t max)
{
	fail(err, off, "rendered text exceeds %zu bytes", max);
	return DAGD_ETOOBIG;
}

static int render_expr(struct render *r, const struct tpl_expr *e, struct tpl_error *err)
{
	struct tv v = {TV_STR, e->literal};
	int rc;

	if (e->name) {
		rc = r->lookup(r->ctx, e->name, &v);
		if (rc == DAGD_ENOENT)
			return fail(err, e->name_off, "unknown name '%s'", e->name);
		if (rc) {
			fail(err, e->name_off, "cannot resolve '%s': %s", e->name,
			     dagd_strerror(rc));
			return rc < 0 ? rc : DAGD_EINVAL;
		}
		if (!v.s)
			v.s = "";
	}
	for (size_t k = 0; k < e->nfilters; k++) {
		const struct tpl_filter *f = &e->filters[k];
		struct sbuf *dst = &r->tmp[k % 2];
		const char *text = v.type == TV_NULL ? "" : v.s;

		sbuf_reset(dst);
		rc = 0;
		switch (f->kind) {
		case TF_ADD_DAYS: rc = apply_add_days(f, text, r->z, dst, err); break;
		case TF_STRFTIME: rc = apply_strftime(f, text, r->z, dst, err); break;
		case TF_SQL: tpl_quote_sql(dst, &v); break;
		case TF_SH: tpl_quote_sh(dst, text); break;
		}
		if (rc)
			return rc;
		if (dst->overflow)
			return too_big(err, f->off, r->out->max);
		v.type = TV_STR;
		v.s = sbuf_str(dst);
	}
	if (v.type != TV_NULL)
		sbuf_adds(r->out, v.s);
	return 0;
}

/* Walk src: copy text, parse each expression, then visit or render it. */
static int walk(const char *src, size_t len, tpl_visit_cb visit, void *ctx, struct render *r,
		struct tpl_error *err)
{
	size_t pos = 0;

	while (pos < len) {
		size_t at = find_pair(src, len, pos, '{');
		size_t text_end = at == SIZE_MAX ? len : at;
		struct tpl_expr e;
		int rc;

		if (r && text_end > pos) {
			sbuf_addn(r->out, src + pos, text_end - pos);
			if (r->out->overflow)
				return too_big(err, pos, r->out->max);
		}
		if (at == SIZE_MAX)
			break;
		rc = parse_expr(src, len, at, &e, err);
		if (rc)
			return rc;
		if (r) {
			rc = render_expr(r, &e, err);
			if (rc == 0 && r->out->overflow)
				rc = too_big(err, at, r->out->max);
		} else if (visit) {
			rc = visit(ctx, &e);
		}
		expr_release(&e);
		if (rc)
			return rc;
		pos = at + e.len;
	}
	return 0;
}

int template_scan(const char *src, size_t len, tpl_visit_cb visit, void *ctx,
		  struct tpl_error *err)
{
	struct tpl_error dummy;

	return walk(src, len, visit, ctx, NULL, err ? err : &dummy);
}

int template_render(const char *src, size_t len, tpl_lookup_cb lookup, void *ctx,
		    const struct tz *z, struct sbuf *out, struct tpl_error *err)
{
	struct tpl_error dummy;
	struct render r;
	size_t start = out->len;
	bool overflow = out->overflow;
	int rc;

	if (!err)
		err = &dummy;
	rc = walk(src, len, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	r.lookup = lookup;
	r.ctx = ctx;
	r.z = z;
	r.out = out;
	sbuf_init(&r.tmp[0], out->max);
	sbuf_init(&r.tmp[1], out->max);
	out->overflow = false;
	rc = walk(src, len, NULL, NULL, &r, err);
	sbuf_release(&r.tmp[0]);
	sbuf_release(&r.tmp[1]);
	if (rc) {
		out->len = start;
		if (out->buf)
			out->buf[start] = '\0';
	}
	out->overflow = overflow;
	return rc;
}

bool template_has_expr(const char *src)
{
	return src && strstr(src, "{{") != NULL;
}
