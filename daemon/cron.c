/*
 * cron.c - schedules: parse 5-field Vixie cron, the @ presets, "every
 * DURATION" and "none", and find the fire time after or before an instant,
 * evaluated in a zone with the DST policy of DESIGN.md section 7. Pure: no
 * clock, no I/O. Fire times are searched on local calendar fields with bit
 * masks (months and days are skipped whole), never minute by minute; the
 * Gregorian calendar repeats every 400 years, so a static check settles
 * "never" and the search horizon is 401 years. Results lie in years 1-9999.
 * Called by dag_parse (validation), cli_next and the scheduler.
 */
#include "cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "duration.h"
#include "tz.h"
#include "util.h"

#define CRON_YEARS 401                      /* search horizon, years */
#define CRON_MIN_SECS INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define CRON_MAX_SECS INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define CRON_ZONE_SPAN (2 * 26 * 3600)      /* walls further back cannot matter */
#define CRON_SEGMENTS_MAX 4096              /* offset segments walked per search */
#define CRON_RETRY_MAX 64                   /* candidates tried in odd zones */
#define CRON_FIELDS 5

#define MINUTES_ALL ((UINT64_C(1) << 60) - 1)
#define HOURS_ALL ((UINT32_C(1) << 24) - 1)
#define MDAYS_ALL (UINT32_C(0xFFFFFFFE))
#define MONTHS_ALL ((uint16_t)0x1FFE)
#define WDAYS_ALL ((uint8_t)0x7F)

/*
 * Decisions where DESIGN.md is silent:
 * - day-of-month/day-of-week "restricted" means the field does not start
 *   with '*' (Vixie's DOM_STAR/DOW_STAR), so "0 0 *\/2 * 5" is odd days
 *   that are Fridays, while "0 0 1-31 * 5" is every day;
 * - hour_star ("every real hour" DST policy) needs '*' or '*\/1' as the
 *   hour field; "0-23" and "*\/2" keep the fixed-time policy;
 * - "N/STEP" is refused as in Vixie (with a hint), so are reversed ranges
 *   and steps above the field's span; names are the 3-letter ones only;
 * - keywords (none, every, presets, names) ignore case;
 * - "every" takes whole seconds >= 1s; its grid extends before the anchor.
 */

/* ---- parsing ---- */

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
static const char *const wday_names[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* value lo + i is names[i] */
	int nnames;
};

static const struct field fields[CRON_FIELDS] = {
	{ "minute", 0, 59, NULL, 0 },
	{ "hour", 0, 23, NULL, 0 },
	{ "day-of-month", 1, 31, NULL, 0 },
	{ "month", 1, 12, month_names, 12 },
	{ "day-of-week", 0, 7, wday_names, 7 }, /* 7 is Sunday too */
};

static const struct {
	const char *name, *expr;
} presets[] = {
	{ "@hourly", "0 * * * *" },  { "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" }, { "@weekly", "0 0 * * 0" },
	{ "@monthly", "0 0 1 * *" }, { "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

struct pctx {
	const char *text; /* the whole expression, for messages and offsets */
	const char *what; /* "cron expression" or "schedule" */
	char *err;
	size_t errlen;
	size_t *err_off;
};

static int perr(struct pctx *c, const char *at, const char *fmt, ...) DAGD_PRINTF(3, 4);

static int perr(struct pctx *c, const char *at, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "bad %s '%s': %s", c->what, c->text, detail);
	*c->err_off = (size_t)(at - c->text);
	return DAGD_EINVAL;
}

static bool is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* One number or name at *p (inside [*p, end)); advances *p past it. */
static int parse_value(struct pctx *c, const struct field *f, const char **p,
		       const char *end, const char *ftext, int flen, int *v)
{
	const char *s = *p, *q = s;

	if (q < end && isdigit((unsigned char)*q)) {
		long val = 0;
		while (q < end && isdigit((unsigned char)*q)) {
			if (val < 1000000)
				val = val * 10 + (*q - '0');
			q++;
		}
		if (val < f->lo || val > f->hi)
			return perr(c, s, "%s value %.*s out of range %d-%d", f->name,
				    (int)(q - s), s, f->lo, f->hi);
		*v = (int)val;
		*p = q;
		return 0;
	}
	if (q < end && isalpha((unsigned char)*q)) {
		while (q < end && isalnum((unsigned char)*q))
			q++;
		for (int i = 0; i < f->nnames; i++) {
			if (q - s == 3 && strncasecmp(s, f->names[i], 3) == 0) {
				*v = f->lo + i;
				*p = q;
				return 0;
			}
		}
		if (!f->names)
			return perr(c, s, "%s value '%.*s' is not a number", f->name,
				    (int)(q - s), s);
		return perr(c, s, "%s value '%.*s' is not a number or a name (%s-%s)",
			    f->name, (int)(q - s), s, f->names[0], f->names[f->nnames - 1]);
	}
	if (q == end)
		return perr(c, s, "missing value in %s field '%.*s'", f->name, flen, ftext);
	if (!isprint((unsigned char)*q))
		return perr(c, s, "unexpected byte 0x%02x in %s field", (unsigned char)*q,
			    f->name);
	return perr(c, s, "unexpected '%c' in %s field '%.*s'", *q, f->name, flen, ftext);
}

/* One list element in [s, e): "*", "N", "N-M", each optionally "/STEP". */
static int parse_elem(struct pctx *c, const struct field *f, const char *s,
		      const char *e, const char *ftext, int flen, uint64_t *bits)
{
	const char *p = s;
	int a, b, step = 1, rc;
	bool star = false, range = false;

	if (p < e && *p == '*') {
		a = f->lo;
		b = f->hi;
		p++;
		star = true;
	} else {
		rc = parse_value(c, f, &p, e, ftext, flen, &a);
		if (rc != 0)
			return rc;
		b = a;
		if (p < e && *p == '-') {
			p++;
			rc = parse_value(c, f, &p, e, ftext, flen, &b);
			if (rc != 0)
				return rc;
			if (a > b)
				return perr(c, s, "%s range '%.*s' goes backwards", f->name,
					    (int)(p - s), s);
			range = true;
		}
	}
	if (p < e && *p == '/') {
		const char *n = ++p;
		long val = 0;

		if (!star && !range)
			return perr(c, s, "%s step needs a range or '*': '%.*s' (did you mean '%d-%d/%.*s'?)",
				    f->name, (int)(e - s), s, a, f->hi, (int)(e - n), n);
		while (p < e && isdigit((unsigned char)*p)) {
			if (val < 1000000)
				val = val * 10 + (*p - '0');
			p++;
		}
		if (p == n)
			return perr(c, n, "missing step after '/' in %s field '%.*s'", f->name,
				    flen, ftext);
		if (val < 1 || val > f->hi - f->lo + 1)
			return perr(c, n, "%s step %.*s out of range 1-%d", f->name,
				    (int)(p - n), n, f->hi - f->lo + 1);
		step = (int)val;
	}
	if (p < e) {
		if (!isprint((unsigned char)*p))
			return perr(c, p, "unexpected byte 0x%02x in %s field",
				    (unsigned char)*p, f->name);
		return perr(c, p, "unexpected '%c' in %s field '%.*s'", *p, f->name, flen,
			    ftext);
	}
	for (int v = a; v <= b; v += step)
		*bits |= UINT64_C(1) << v;
	return 0;
}

static int parse_field(struct pctx *c, const struct field *f, const char *s,
		       const char *e, uint64_t *bits)
{
	int flen = (int)(e - s);

	*bits = 0;
	for (const char *p = s;;) {
		const char *comma = memchr(p, ',', (size_t)(e - p));
		const char *ee = comma ? comma : e;
		int rc;

		if (ee == p)
			return perr(c, p, "empty element in %s field '%.*s'", f->name, flen, s);
		rc = parse_elem(c, f, p, ee, s, flen, bits);
		if (rc != 0)
			return rc;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse_fields(struct pctx *c, const char *p, const char *end,
			struct schedule *s)
{
	const char *fs[CRON_FIELDS + 1], *fe[CRON_FIELDS];
	uint64_t bits[CRON_FIELDS];
	int n = 0;

	while (p < end) {
		while (p < end && is_sep(*p))
			p++;
		if (p == end)
			break;
		if (n == CRON_FIELDS)
			return perr(c, p, "expected 5 fields (minute hour day-of-month month day-of-week), found more");
		fs[n] = p;
		while (p < end && !is_sep(*p))
			p++;
		fe[n++] = p;
	}
	if (n != CRON_FIELDS)
		return perr(c, end, "expected 5 fields (minute hour day-of-month month day-of-week), found %d", n);
	for (int i = 0; i < CRON_FIELDS; i++) {
		int rc = parse_field(c, &fields[i], fs[i], fe[i], &bits[i]);
		if (rc != 0)
			return rc;
	}
	if (bits[4] & (UINT64_C(1) << 7))
		bits[4] = (bits[4] | 1) & WDAYS_ALL;
	s->kind = SCHED_CRON;
	s->minutes = bits[0];
	s->hours = (uint32_t)bits[1];
	s->mdays = (uint32_t)bits[2];
	s->months = (uint16_t)bits[3];
	s->wdays = (uint8_t)bits[4];
	s->mday_star = *fs[2] == '*';
	s->wday_star = *fs[4] == '*';
	/* "every real hour" needs the wildcard itself: '*' or '*' + '/1' */
	s->hour_star = *fs[1] == '*' && s->hours == HOURS_ALL;
	return 0;
}

static int parse_every(struct pctx *c, const char *p, const char *end,
		       struct schedule *s)
{
	char *dur;
	int64_t ms;
	int rc;

	while (p < end && is_sep(*p))
		p++;
	if (p == end)
		return perr(c, p, "missing duration after 'every' (such as 'every 15m')");
	dur = xstrndup(p, (size_t)(end - p));
	rc = duration_parse(dur, false, &ms);
	free(dur);
	if (rc != 0)
		return perr(c, p, "'%.*s' is not a duration (such as 30s, 15m, 2h or 1d)",
			    (int)(end - p), p);
	if (ms < 1000)
		return perr(c, p, "period '%.*s' is shorter than 1s", (int)(end - p), p);
	if (ms % 1000 != 0)
		return perr(c, p, "period '%.*s' is not a whole number of seconds",
			    (int)(end - p), p);
	s->kind = SCHED_EVERY;
	s->every_ms = ms;
	return 0;
}

int cron_parse(const char *text, struct schedule *out, char *err, size_t errlen,
	       size_t *err_off)
{
	struct schedule s = { .kind = SCHED_NONE };
	size_t off_dummy;
	struct pctx c = { text ? text : "", "schedule", err, errlen,
			  err_off ? err_off : &off_dummy };
	const char *p = c.text, *end = p + strlen(p), *w;
	int rc;

	*c.err_off = 0;
	if (err && errlen)
		err[0] = '\0';
	while (p < end && is_sep(*p))
		p++;
	while (end > p && is_sep(end[-1]))
		end--;
	if (p == end)
		return perr(&c, p, "empty schedule");
	for (w = p; w < end && !is_sep(*w);)
		w++;
	if (w - p == 4 && strncasecmp(p, "none", 4) == 0) {
		if (w != end)
			return perr(&c, w, "unexpected text after 'none'");
		rc = 0;
	} else if (w - p == 5 && strncasecmp(p, "every", 5) == 0) {
		rc = parse_every(&c, w, end, &s);
	} else if (*p == '@') {
		size_t i;
		for (i = 0; i < ARRAY_LEN(presets); i++)
			if (strlen(presets[i].name) == (size_t)(w - p) &&
			    strncasecmp(p, presets[i].name, (size_t)(w - p)) == 0)
				break;
		if (i == ARRAY_LEN(presets))
			return perr(&c, p, "unknown preset '%.*s' (known: @hourly @daily @midnight @weekly @monthly @yearly @annually)",
				    (int)(w - p), p);
		if (w != end)
			return perr(&c, w, "unexpected text after '%s'", presets[i].name);
		c.text = presets[i].expr;
		rc = parse_fields(&c, c.text, c.text + strlen(c.text), &s);
	} else {
		c.what = "cron expression";
		rc = parse_fields(&c, p, end, &s);
	}
	if (rc == 0)
		*out = s;
	return rc;
}

/* ---- local calendar search ---- */

static int lowest_from(uint64_t mask, int i)
{
	if (i < 0)
		i = 0;
	if (i > 63)
		return -1;
	mask &= ~UINT64_C(0) << i;
	return mask ? __builtin_ctzll(mask) : -1;
}

static int highest_upto(uint64_t mask, int i)
{
	if (i < 0)
		return -1;
	if (i < 63)
		mask &= (UINT64_C(1) << (i + 1)) - 1;
	return mask ? 63 - __builtin_clzll(mask) : -1;
}

/* Days of month m of year y (bits 1-31) that match, with Vixie's OR rule. */
static uint32_t day_mask(const struct schedule *s, int y, int m)
{
	int dim = days_in_month(y, m);
	uint32_t valid = (uint32_t)(((UINT64_C(1) << (dim + 1)) - 1) & ~UINT64_C(1));
	int w1 = (int)(((days_from_civil(y, m, 1) + 4) % 7 + 7) % 7);
	uint64_t rot = 0, pat;
	uint32_t dom = s->mdays & valid, dow;

	for (int k = 0; k < 7; k++) /* bit k: weekday of day k+1 allowed */
		if (s->wdays >> ((w1 + k) % 7) & 1)
			rot |= UINT64_C(1) << k;
	pat = rot | rot << 7 | rot << 14 | rot << 21 | rot << 28;
	dow = (uint32_t)(pat << 1) & valid;
	if (s->mday_star || s->wday_star)
		return dom & dow;
	return dom | dow;
}

/* The first matching local minute at or after local seconds x. */
static bool local_next(const struct schedule *s, int64_t x, int64_t *out)
{
	struct civil c;
	int64_t mins = x / 60 + (x % 60 > 0);
	int y, mo, d, h, mi, ylimit;

	civil_from_secs(mins * 60, &c);
	y = c.year, mo = c.month, d = c.day, h = c.hour, mi = c.min;
	ylimit = y + CRON_YEARS;
	while (y <= ylimit) {
		int v = lowest_from(s->months, mo);
		if (v < 0) {
			y++, mo = 1, d = 1, h = 0, mi = 0;
			continue;
		}
		if (v != mo)
			mo = v, d = 1, h = 0, mi = 0;
		v = lowest_from(day_mask(s, y, mo), d);
		if (v < 0) {
			mo++, d = 1, h = 0, mi = 0;
			continue;
		}
		if (v != d)
			d = v, h = 0, mi = 0;
		v = lowest_from(s->hours, h);
		if (v < 0) {
			d++, h = 0, mi = 0;
			continue;
		}
		if (v != h)
			h = v, mi = 0;
		v = lowest_from(s->minutes, mi);
		if (v < 0) {
			h++, mi = 0;
			continue;
		}
		*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + v * 60;
		return true;
	}
	return false;
}

/* The last matching local minute at or before local seconds x. */
static bool local_prev(const struct schedule *s, int64_t x, int64_t *out)
{
	struct civil c;
	int64_t mins = x / 60 - (x % 60 < 0);
	int y, mo, d, h, mi, ylimit;

	civil_from_secs(mins * 60, &c);
	y = c.year, mo = c.month, d = c.day, h = c.hour, mi = c.min;
	ylimit = y - CRON_YEARS;
	while (y >= ylimit) {
		int v = highest_upto(s->months, mo);
		if (v < 0) {
			y--, mo = 12, d = 31, h = 23, mi = 59;
			continue;
		}
		if (v != mo)
			mo = v, d = 31, h = 23, mi = 59;
		v = highest_upto(day_mask(s, y, mo), d);
		if (v < 0) {
			mo--, d = 31, h = 23, mi = 59;
			continue;
		}
		if (v != d)
			d = v, h = 23, mi = 59;
		v = highest_upto(s->hours, h);
		if (v < 0) {
			d--, h = 23, mi = 59;
			continue;
		}
		if (v != h)
			h = v, mi = 59;
		v = highest_upto(s->minutes, mi);
		if (v < 0) {
			h--, mi = 59;
			continue;
		}
		*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + v * 60;
		return true;
	}
	return false;
}

/*
 * Whether any calendar day can match. With the OR rule some weekday always
 * does; with AND, a (month, day) pair must exist (February has a 29th), and
 * then every weekday falls on it in some year.
 */
static bool static_can_fire(const struct schedule *s)
{
	if (!s->minutes || !s->hours || !s->months || !s->wdays)
		return false;
	if (!s->mday_star && !s->wday_star)
		return true;
	for (int m = 1; m <= 12; m++) {
		int maxd = m == 2 ? 29 : days_in_month(2001, m);
		uint32_t valid = (uint32_t)(((UINT64_C(1) << (maxd + 1)) - 1) & ~UINT64_C(1));
		if ((s->months >> m & 1) && (s->mdays & valid))
			return true;
	}
	return false;
}

/* ---- zones: the two DST policies ---- */

/* Where wall time L lands: its first occurrence, or the end of its gap. */
static int64_t resolve(const struct tz *z, int64_t local)
{
	int64_t inst[2], gap = 0;

	if (tz_local_to_utc(z, local, inst, &gap) > 0)
		return inst[0];
	return gap;
}

/* The latest wall time shown at or before instant at. */
static int64_t wall_high(const struct tz *z, int64_t at)
{
	int64_t w = at + tz_offset(z, at), t = at, ch;

	for (int i = 0; i < 8 && tz_prev_change(z, t, &ch) == 1 && ch > at - CRON_ZONE_SPAN; i++) {
		int64_t wb = ch - 1 + tz_offset(z, ch - 1);
		if (wb > w)
			w = wb;
		t = ch - 1;
	}
	return w;
}

/*
 * Fixed local times: a matching wall time L fires at resolve(L). That map
 * is non-decreasing, so the first fire after `after` comes from the first
 * matching L above the highest wall time shown by then.
 */
static int fixed_next(const struct schedule *s, const struct tz *z, int64_t after,
		      int64_t *out)
{
	int64_t x = wall_high(z, after) + 1, l, r;

	for (int i = 0; i < CRON_RETRY_MAX; i++) {
		if (!local_next(s, x, &l))
			return DAGD_ENEVER;
		r = resolve(z, l);
		if (r > after) {
			*out = r;
			return 0;
		}
		x = l + 60; /* only in zones with transitions days apart */
	}
	return DAGD_ENEVER;
}

static int fixed_prev(const struct schedule *s, const struct tz *z, int64_t at,
		      int64_t *out)
{
	int64_t x = wall_high(z, at), l, r;

	for (int i = 0; i < CRON_RETRY_MAX; i++) {
		if (!local_prev(s, x, &l))
			return DAGD_ENEVER;
		r = resolve(z, l);
		if (r <= at) {
			*out = r;
			return 0;
		}
		x = l - 60;
	}
	return DAGD_ENEVER;
}

/* Wildcard hours: every instant whose wall time matches, segment by segment. */
static int star_next(const struct schedule *s, const struct tz *z, int64_t after,
		     int64_t *out)
{
	int64_t t = after + 1, ch = 0, l;

	for (int i = 0; i < CRON_SEGMENTS_MAX; i++) {
		int32_t off = tz_offset(z, t);
		bool more = tz_next_change(z, t, &ch) == 1;

		if (!local_next(s, t + off, &l))
			return DAGD_ENEVER;
		if (!more || l - off < ch) {
			*out = l - off;
			return 0;
		}
		t = ch;
	}
	return DAGD_ENEVER;
}

static int star_prev(const struct schedule *s, const struct tz *z, int64_t at,
		     int64_t *out)
{
	int64_t t = at, ch = 0, l;

	for (int i = 0; i < CRON_SEGMENTS_MAX; i++) {
		int32_t off = tz_offset(z, t);
		bool more = tz_prev_change(z, t, &ch) == 1;

		if (!local_prev(s, t + off, &l))
			return DAGD_ENEVER;
		if (!more || l - off >= ch) {
			*out = l - off;
			return 0;
		}
		t = ch - 1;
	}
	return DAGD_ENEVER;
}

/* ---- every DURATION: UTC arithmetic from the anchor ---- */

static int every_at(const struct schedule *s, int64_t t, int64_t bump, int64_t *out)
{
	int64_t p = s->every_ms / 1000, d, k, r;

	if (p < 1 || __builtin_sub_overflow(t, s->anchor, &d))
		return DAGD_ENEVER;
	k = d / p - (d % p < 0) + bump; /* floor((t - anchor) / p) + bump */
	if (__builtin_mul_overflow(k, p, &r) || __builtin_add_overflow(r, s->anchor, &r))
		return DAGD_ENEVER;
	*out = r;
	return 0;
}

/* A copy without stray bits, so a hand-made schedule cannot misbehave. */
static void sanitize(const struct schedule *in, struct schedule *s)
{
	*s = *in;
	s->minutes &= MINUTES_ALL;
	s->hours &= HOURS_ALL;
	s->mdays &= MDAYS_ALL;
	s->months &= MONTHS_ALL;
	s->wdays &= WDAYS_ALL;
}

int cron_next(const struct schedule *in, const struct tz *z, int64_t after,
	      int64_t *out)
{
	struct schedule s;
	int64_t r = 0;
	int rc;

	if (!in || in->kind == SCHED_NONE)
		return DAGD_ENEVER;
	if (after >= CRON_MAX_SECS)
		return DAGD_ENEVER;
	if (after < CRON_MIN_SECS - 1)
		after = CRON_MIN_SECS - 1;
	sanitize(in, &s);
	if (!z)
		z = tz_utc();
	if (s.kind == SCHED_EVERY)
		rc = every_at(&s, after, 1, &r);
	else if (!static_can_fire(&s))
		rc = DAGD_ENEVER;
	else if (s.hour_star)
		rc = star_next(&s, z, after, &r);
	else
		rc = fixed_next(&s, z, after, &r);
	if (rc != 0 || r > CRON_MAX_SECS || r <= after)
		return DAGD_ENEVER;
	*out = r;
	return 0;
}

int cron_prev(const struct schedule *in, const struct tz *z, int64_t at, int64_t *out)
{
	struct schedule s;
	int64_t r = 0;
	int rc;

	if (!in || in->kind == SCHED_NONE)
		return DAGD_ENEVER;
	if (at < CRON_MIN_SECS)
		return DAGD_ENEVER;
	if (at > CRON_MAX_SECS)
		at = CRON_MAX_SECS;
	sanitize(in, &s);
	if (!z)
		z = tz_utc();
	if (s.kind == SCHED_EVERY)
		rc = every_at(&s, at, 0, &r);
	else if (!static_can_fire(&s))
		rc = DAGD_ENEVER;
	else if (s.hour_star)
		rc = star_prev(&s, z, at, &r);
	else
		rc = fixed_prev(&s, z, at, &r);
	if (rc != 0 || r < CRON_MIN_SECS || r > at)
		return DAGD_ENEVER;
	*out = r;
	return 0;
}

/*
 * Exact without searching: the calendar repeats every 400 years, and a
 * zone never removes every fire (a fixed time in a gap fires at its end).
 * An "every" grid fires forever, even when its period outlasts year 9999.
 */
bool cron_can_fire(const struct schedule *in, const struct tz *z)
{
	struct schedule s;

	(void)z;
	if (!in)
		return false;
	sanitize(in, &s);
	if (s.kind == SCHED_EVERY)
		return s.every_ms >= 1000;
	return s.kind == SCHED_CRON && static_can_fire(&s);
}
