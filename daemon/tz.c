/*
 * tz.c - IANA time zones read from TZif files (RFC 8536; versions 1 to 4,
 * the 64-bit block when there is one) plus the POSIX TZ footer that extends a
 * zone past its last transition; civil-date arithmetic; RFC 3339 text.
 * A zone is a sorted list of offset changes that holds before `rule_from`,
 * and the footer rule, evaluated per year on demand, from there on. Reads
 * only the file tz_load names: never $TZ, localtime() or mktime(). Pure once
 * loaded. Leap-second ("right/") zones are refused: their clock is not UTC.
 */
#include "tz.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define TZ_FILE_MAX (1024 * 1024)      /* larger TZif files are refused */
#define TZ_SECS_LIMIT (INT64_C(1) << 55) /* inputs are clamped to +-this */
#define TZ_OFF_MAX 93599               /* RFC 8536: |utoff| <= 25:59:59 */
#define TZ_RULE_HOURS_MAX 167          /* TZif v3: rule times within +-167h */
#define TZ_WINDOW (TZ_OFF_MAX + 1)     /* a wall time lies this close to its instants */
#define TZ_SCAN_MAX 4096               /* offset changes walked per conversion */
#define TZ_HEADER 44                   /* "TZif", version, 15 unused, 6 counts */
#define SECS_PER_DAY 86400

enum rule_kind { RULE_J1, RULE_J0, RULE_MWD }; /* Jn, n, Mm.w.d */

struct rule_date {
	enum rule_kind kind;
	int n, m, w, d;
	int32_t time; /* local seconds after midnight; may be < 0 or > 24h */
};

struct tz_rule {
	int32_t std_off, dst_off; /* local = utc + off (POSIX signs flipped) */
	bool has_dst;
	struct rule_date start, end;
};

struct tz {
	char *name;
	size_t n;          /* offset changes before rule_from */
	int64_t *at;       /* strictly ascending */
	int32_t *off;      /* offset from at[i] on */
	int32_t first_off; /* offset before at[0] (time type 0) */
	bool has_rule;
	int64_t rule_from; /* the footer rule holds for utc >= rule_from */
	struct tz_rule rule;
};

struct rtrans {
	int64_t at;
	int32_t off;
};

static struct tz utc_zone = { .name = "UTC" };

static int64_t clamp_secs(int64_t t)
{
	if (t > TZ_SECS_LIMIT)
		return TZ_SECS_LIMIT;
	if (t < -TZ_SECS_LIMIT)
		return -TZ_SECS_LIMIT;
	return t;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ---- civil dates (Howard Hinnant's algorithms, proleptic Gregorian) ---- */

static int64_t days_from_civil64(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y += floor_div(m - 1, 12);
	m = floor_mod(m - 1, 12) + 1;
	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t days_from_civil(int y, int m, int d)
{
	return days_from_civil64(y, m, d);
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t year_of(int64_t secs)
{
	int64_t y;
	int m, d;

	civil_from_days(floor_div(clamp_secs(secs), SECS_PER_DAY), &y, &m, &d);
	return y;
}

void civil_from_secs(int64_t secs, struct civil *c)
{
	int64_t days, rem, y;

	secs = clamp_secs(secs);
	days = floor_div(secs, SECS_PER_DAY);
	rem = secs - days * SECS_PER_DAY;
	civil_from_days(days, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	c->wday = (int)floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
}

int64_t civil_to_secs(const struct civil *c)
{
	return days_from_civil64(c->year, c->month, c->day) * SECS_PER_DAY +
	       (int64_t)c->hour * 3600 + (int64_t)c->min * 60 + c->sec;
}

static int days_in_month64(int64_t y, int64_t m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	y += floor_div(m - 1, 12);
	m = floor_mod(m - 1, 12) + 1;
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Months outside 1-12 carry into the year, so this never returns 0. */
int days_in_month(int y, int m)
{
	return days_in_month64(y, m);
}

/* ---- the POSIX TZ rule ---- */

static int64_t rule_day(const struct rule_date *rd, int64_t y)
{
	int64_t first, day;

	switch (rd->kind) {
	case RULE_J1: /* 1-365, February 29 never counted */
		return days_from_civil64(y, 1, 1) + rd->n - 1 +
		       (is_leap(y) && rd->n >= 60 ? 1 : 0);
	case RULE_J0: /* 0-365, February 29 counted */
		return days_from_civil64(y, 1, 1) + rd->n;
	case RULE_MWD:
	default:
		first = days_from_civil64(y, rd->m, 1);
		day = first + floor_mod(rd->d - floor_mod(first + 4, 7), 7) +
		      7 * (rd->w - 1);
		if (day >= first + days_in_month64(y, rd->m))
			day -= 7; /* week 5 means the last one */
		return day;
	}
}

/*
 * The rule's transitions in year y, in order: 2, or 0 when DST covers the
 * whole year (as tzcode's localtime.c decides it).
 */
static int rule_year(const struct tz_rule *r, int64_t y, struct rtrans out[2])
{
	int64_t s = rule_day(&r->start, y) * SECS_PER_DAY + r->start.time - r->std_off;
	int64_t e = rule_day(&r->end, y) * SECS_PER_DAY + r->end.time - r->dst_off;
	int64_t ysecs = (is_leap(y) ? 366 : 365) * (int64_t)SECS_PER_DAY;

	if (e < s) {
		out[0] = (struct rtrans){ e, r->std_off };
		out[1] = (struct rtrans){ s, r->dst_off };
		return 2;
	}
	if (s < e && e - s < ysecs) {
		out[0] = (struct rtrans){ s, r->dst_off };
		out[1] = (struct rtrans){ e, r->std_off };
		return 2;
	}
	return 0;
}

/* Transitions of years y0..y0+3, sorted; out holds 8. */
static size_t rule_window(const struct tz_rule *r, int64_t y0, struct rtrans out[8])
{
	size_t n = 0;

	for (int64_t y = y0; y < y0 + 4; y++)
		n += (size_t)rule_year(r, y, out + n);
	for (size_t i = 1; i < n; i++) { /* insertion sort, stable */
		struct rtrans v = out[i];
		size_t j = i;
		while (j > 0 && out[j - 1].at > v.at) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = v;
	}
	return n;
}

static int32_t rule_offset(const struct tz_rule *r, int64_t t)
{
	struct rtrans tr[8];
	size_t n;
	int32_t off;

	if (!r->has_dst)
		return r->std_off;
	n = rule_window(r, year_of(t + r->std_off) - 2, tr);
	if (n == 0)
		return r->dst_off; /* perpetual DST */
	off = tr[0].off == r->dst_off ? r->std_off : r->dst_off;
	for (size_t i = 0; i < n && tr[i].at <= t; i++)
		off = tr[i].off;
	return off;
}

static bool rule_moves(const struct tz *z)
{
	return z->has_rule && z->rule.has_dst && z->rule.std_off != z->rule.dst_off;
}

/* ---- offsets and their changes ---- */

/* Number of z->at[] entries <= t. */
static size_t count_le(const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int32_t tz_offset(const struct tz *z, int64_t utc)
{
	size_t i;

	if (!z)
		return 0;
	utc = clamp_secs(utc);
	if (z->has_rule && utc >= z->rule_from)
		return rule_offset(&z->rule, utc);
	i = count_le(z, utc);
	return i ? z->off[i - 1] : z->first_off;
}

int tz_next_change(const struct tz *z, int64_t utc, int64_t *next)
{
	struct rtrans tr[8];
	size_t i, n;
	int64_t from;

	if (!z || utc >= TZ_SECS_LIMIT)
		return 0;
	utc = clamp_secs(utc);
	i = count_le(z, utc);
	if (i < z->n) {
		*next = z->at[i];
		return 1;
	}
	if (!rule_moves(z))
		return 0;
	from = utc > z->rule_from ? utc : z->rule_from;
	n = rule_window(&z->rule, year_of(from + z->rule.std_off) - 1, tr);
	for (i = 0; i < n; i++) {
		int64_t t = tr[i].at;
		if (t > from && rule_offset(&z->rule, t) != rule_offset(&z->rule, t - 1)) {
			*next = t;
			return 1;
		}
	}
	return 0;
}

int tz_prev_change(const struct tz *z, int64_t utc, int64_t *prev)
{
	struct rtrans tr[8];
	size_t i, n;

	if (!z || utc < -TZ_SECS_LIMIT)
		return 0;
	utc = clamp_secs(utc);
	if (rule_moves(z) && utc > z->rule_from) {
		n = rule_window(&z->rule, year_of(utc + z->rule.std_off) - 2, tr);
		for (i = n; i-- > 0;) {
			int64_t t = tr[i].at;
			if (t <= utc && t > z->rule_from &&
			    rule_offset(&z->rule, t) != rule_offset(&z->rule, t - 1)) {
				*prev = t;
				return 1;
			}
		}
	}
	i = count_le(z, utc);
	if (i == 0)
		return 0;
	*prev = z->at[i - 1];
	return 1;
}

int tz_local_to_utc(const struct tz *z, int64_t local_secs, int64_t out[2],
		    int64_t *gap_end)
{
	int64_t t, change = 0, gap = 0, seg_start;
	int32_t off, off2;
	int n = 0;
	bool in_gap = false;

	local_secs = clamp_secs(local_secs);
	/* Every instant showing local_secs lies within TZ_WINDOW of it. */
	t = local_secs - TZ_WINDOW;
	seg_start = t;
	off = tz_offset(z, t);
	for (int i = 0; i < TZ_SCAN_MAX; i++) {
		bool more = tz_next_change(z, t, &change) == 1 &&
			    change <= local_secs + TZ_WINDOW;
		int64_t cand = local_secs - off;

		if (cand >= seg_start && (!more || cand < change) && n < 2)
			out[n++] = cand;
		if (!more)
			break;
		off2 = tz_offset(z, change);
		if (!in_gap && change + off <= local_secs && local_secs < change + off2) {
			in_gap = true;
			gap = change;
		}
		seg_start = change;
		off = off2;
		t = change;
	}
	if (n == 0 && gap_end)
		*gap_end = in_gap ? gap : local_secs - tz_offset(z, local_secs);
	return n;
}

/* ---- POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3") ---- */

struct pz {
	const char *s, *end;
};

static bool pz_at(const struct pz *p, char c)
{
	return p->s < p->end && *p->s == c;
}

static bool pz_name(struct pz *p)
{
	const char *start;

	if (pz_at(p, '<')) {
		start = ++p->s;
		while (p->s < p->end && *p->s != '>') {
			unsigned char c = (unsigned char)*p->s;
			if (!isalnum(c) && c != '+' && c != '-')
				return false;
			p->s++;
		}
		if (p->s >= p->end || p->s - start < 3)
			return false;
		p->s++;
		return true;
	}
	start = p->s;
	while (p->s < p->end && isalpha((unsigned char)*p->s))
		p->s++;
	return p->s - start >= 3;
}

/* 1 to maxdigits decimal digits, value <= max. */
static bool pz_num(struct pz *p, int maxdigits, int max, int *v)
{
	int n = 0, val = 0;

	while (p->s < p->end && isdigit((unsigned char)*p->s) && n < maxdigits) {
		val = val * 10 + (*p->s - '0');
		p->s++;
		n++;
	}
	if (n == 0 || val > max || (p->s < p->end && isdigit((unsigned char)*p->s)))
		return false;
	*v = val;
	return true;
}

/* [+-]hh[:mm[:ss]] with hh <= hmax; seconds, signed. */
static bool pz_hms(struct pz *p, int hmax, int32_t *secs)
{
	int h, m = 0, s = 0;
	bool neg = false;

	if (pz_at(p, '+') || pz_at(p, '-'))
		neg = *p->s++ == '-';
	if (!pz_num(p, 3, hmax, &h))
		return false;
	if (pz_at(p, ':')) {
		p->s++;
		if (!pz_num(p, 2, 59, &m))
			return false;
		if (pz_at(p, ':')) {
			p->s++;
			if (!pz_num(p, 2, 59, &s))
				return false;
		}
	}
	*secs = (int32_t)(h * 3600 + m * 60 + s);
	if (neg)
		*secs = -*secs;
	return true;
}

static bool pz_date(struct pz *p, struct rule_date *rd)
{
	rd->time = 7200; /* 02:00 unless given */
	if (pz_at(p, 'J')) {
		p->s++;
		rd->kind = RULE_J1;
		if (!pz_num(p, 3, 365, &rd->n) || rd->n < 1)
			return false;
	} else if (pz_at(p, 'M')) {
		p->s++;
		rd->kind = RULE_MWD;
		if (!pz_num(p, 2, 12, &rd->m) || rd->m < 1 || !pz_at(p, '.'))
			return false;
		p->s++;
		if (!pz_num(p, 1, 5, &rd->w) || rd->w < 1 || !pz_at(p, '.'))
			return false;
		p->s++;
		if (!pz_num(p, 1, 6, &rd->d))
			return false;
	} else {
		rd->kind = RULE_J0;
		if (!pz_num(p, 3, 365, &rd->n))
			return false;
	}
	if (pz_at(p, '/')) {
		p->s++;
		if (!pz_hms(p, TZ_RULE_HOURS_MAX, &rd->time))
			return false;
	}
	return true;
}

/*
 * Parse a POSIX TZ string. A DST name without rules gets the US rules
 * (M3.2.0,M11.1.0), as glibc and tzcode do.
 */
static bool posix_parse(const char *s, size_t len, struct tz_rule *r)
{
	struct pz p = { s, s + len };
	int32_t v;

	memset(r, 0, sizeof(*r));
	if (!pz_name(&p) || !pz_hms(&p, 24, &v))
		return false;
	r->std_off = -v;
	if (p.s == p.end)
		return true;
	if (!pz_name(&p))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (p.s < p.end && *p.s != ',') {
		if (!pz_hms(&p, 24, &v))
			return false;
		r->dst_off = -v;
	}
	if (p.s == p.end) {
		r->start = (struct rule_date){ .kind = RULE_MWD, .m = 3, .w = 2, .time = 7200 };
		r->end = (struct rule_date){ .kind = RULE_MWD, .m = 11, .w = 1, .time = 7200 };
		return true;
	}
	if (!pz_at(&p, ','))
		return false;
	p.s++;
	if (!pz_date(&p, &r->start) || !pz_at(&p, ','))
		return false;
	p.s++;
	return pz_date(&p, &r->end) && p.s == p.end;
}

/* ---- TZif files ---- */

struct tzif_hdr {
	unsigned char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool tzif_header(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < TZ_HEADER || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return h->version == 0 || h->version >= '2';
}

static uint64_t tzif_block_size(const struct tzif_hdr *h, unsigned timesize)
{
	return (uint64_t)h->timecnt * (timesize + 1) + (uint64_t)h->typecnt * 6 +
	       h->charcnt + (uint64_t)h->leapcnt * (timesize + 4) + h->isstdcnt +
	       h->isutcnt;
}

static int tzif_fail(const char *name, char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "bad time zone file for '%s': %s", name, why);
	return DAGD_EINVAL;
}

/* Fill z->at/off/first_off from one data block; z->rule must be set. */
static int tzif_block(struct tz *z, const unsigned char *p, const struct tzif_hdr *h,
		      unsigned timesize, char *err, size_t errlen)
{
	const unsigned char *idx = p + (size_t)h->timecnt * timesize;
	const unsigned char *types = idx + h->timecnt;
	int32_t offs[256];
	int32_t prev;

	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0)
		return tzif_fail(z->name, err, errlen, "bad type or character count");
	if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt))
		return tzif_fail(z->name, err, errlen, "bad indicator count");
	if (h->leapcnt != 0)
		return tzif_fail(z->name, err, errlen, "leap-second zones are not supported");
	for (uint32_t i = 0; i < h->typecnt; i++) {
		int32_t o = (int32_t)be32(types + 6 * i);
		if (o < -TZ_OFF_MAX || o > TZ_OFF_MAX || types[6 * i + 4] > 1 ||
		    types[6 * i + 5] >= h->charcnt)
			return tzif_fail(z->name, err, errlen, "bad local time type");
		offs[i] = o;
	}
	z->at = xcalloc(h->timecnt ? h->timecnt : 1, sizeof(*z->at));
	z->off = xcalloc(h->timecnt ? h->timecnt : 1, sizeof(*z->off));
	z->first_off = prev = offs[0];
	for (uint32_t i = 0; i < h->timecnt; i++) {
		int64_t t = timesize == 8 ? be64(p + 8 * (size_t)i)
					  : (int32_t)be32(p + 4 * (size_t)i);
		int32_t o;

		if (idx[i] >= h->typecnt)
			return tzif_fail(z->name, err, errlen, "bad transition type");
		if (i > 0 && t <= z->rule_from)
			return tzif_fail(z->name, err, errlen, "transitions out of order");
		z->rule_from = t;
		o = offs[idx[i]];
		if (z->has_rule && i + 1 == h->timecnt)
			o = rule_offset(&z->rule, t); /* the footer rules from here on */
		if (o != prev) {
			z->at[z->n] = t;
			z->off[z->n++] = o;
			prev = o;
		}
	}
	if (h->timecnt == 0)
		z->rule_from = INT64_MIN;
	return 0;
}

int tz_parse(const char *name, const unsigned char *buf, size_t len,
	     struct tz **out, char *err, size_t errlen)
{
	struct tzif_hdr h1, h2;
	const unsigned char *data, *foot, *nl;
	uint64_t size;
	struct tz *z;
	size_t rest;
	int rc;

	*out = NULL;
	if (!name)
		name = "";
	if (len > TZ_FILE_MAX)
		return tzif_fail(name, err, errlen, "larger than 1 MiB");
	if (!buf || !tzif_header(buf, len, &h1))
		return tzif_fail(name, err, errlen, "not a TZif file");
	size = tzif_block_size(&h1, 4);
	if (size > len - TZ_HEADER)
		return tzif_fail(name, err, errlen, "truncated");
	z = xcalloc(1, sizeof(*z));
	z->name = xstrdup(name);
	if (h1.version == 0) {
		if (size != len - TZ_HEADER) {
			rc = tzif_fail(name, err, errlen, "trailing data");
			goto fail;
		}
		rc = tzif_block(z, buf + TZ_HEADER, &h1, 4, err, errlen);
		if (rc != 0)
			goto fail;
		*out = z;
		return 0;
	}
	data = buf + TZ_HEADER + size;
	rest = len - TZ_HEADER - (size_t)size;
	if (!tzif_header(data, rest, &h2) || h2.version < '2') {
		rc = tzif_fail(name, err, errlen, "missing 64-bit header");
		goto fail;
	}
	size = tzif_block_size(&h2, 8);
	if (size >= rest - TZ_HEADER) {
		rc = tzif_fail(name, err, errlen, "truncated");
		goto fail;
	}
	foot = data + TZ_HEADER + size;
	rest -= TZ_HEADER + (size_t)size;
	nl = rest > 1 ? memchr(foot + 1, '\n', rest - 1) : NULL;
	if (foot[0] != '\n' || !nl || (size_t)(nl - foot) + 1 != rest) {
		rc = tzif_fail(name, err, errlen, "bad footer");
		goto fail;
	}
	if (nl > foot + 1) {
		if (!posix_parse((const char *)foot + 1, (size_t)(nl - foot - 1), &z->rule)) {
			rc = tzif_fail(name, err, errlen, "bad TZ rule in footer");
			goto fail;
		}
		z->has_rule = true;
	}
	rc = tzif_block(z, data + TZ_HEADER, &h2, 8, err, errlen);
	if (rc != 0)
		goto fail;
	*out = z;
	return 0;
fail:
	tz_free(z);
	return rc;
}

static bool valid_zone_name(const char *s)
{
	size_t n = 0;

	if (!s || !*s || *s == '/')
		return false;
	for (const char *p = s; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;
		if (!isalnum(c) && c != '_' && c != '+' && c != '-' && c != '/')
			return false;
		if (c == '/' && (p[1] == '/' || p[1] == '\0'))
			return false;
	}
	return n <= 255; /* '.' is not allowed at all, so ".." cannot occur */
}

/* The zone or link name of dir's tzdata.zi nearest to name, for a "did you
 * mean" (new string), or NULL. Read only when a name is unknown. */
static char *nearest_zone(const char *dir, const char *name)
{
	char *path = xasprintf("%s/tzdata.zi", dir), *buf, *hit = NULL;
	const char **names = NULL;
	size_t len, n = 0, alloc = 0;

	if (read_file(path, 4 * TZ_FILE_MAX, &buf, &len) != 0) {
		free(path);
		return NULL;
	}
	free(path);
	/* "Z NAME ..." is a zone, "L TARGET NAME" a link */
	for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		char *f[3] = {NULL, NULL, NULL};
		size_t k = 0;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if ((line[0] != 'Z' && line[0] != 'L') || line[1] != ' ')
			continue;
		char *save = NULL;
		for (char *t = strtok_r(line + 2, " \t", &save); t && k < 3;
		     t = strtok_r(NULL, " \t", &save))
			f[k++] = t;
		if (!f[0] || (line[0] == 'L' && !f[1]))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 512;
			names = xrealloc(names, alloc * sizeof(*names));
		}
		names[n++] = line[0] == 'Z' ? f[0] : f[1];
	}
	{
		/* two edits at most: no prefix guess ('Europe' is not a zone) */
		int best_d = 3;
		for (size_t i = 0; i < n; i++) {
			int d = edit_distance(name, names[i]);
			if (d < best_d) {
				best_d = d;
				free(hit);
				hit = xstrdup(names[i]);
			}
		}
	}
	free(names);
	free(buf);
	return hit;
}

int tz_load(const char *name, struct tz **out, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char *path, *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (!valid_zone_name(name)) {
		snprintf(err, errlen, "invalid time zone name '%s'", name ? name : "");
		return DAGD_EINVAL;
	}
	if (strcmp(name, "UTC") == 0) { /* needs no file */
		struct tz *z = xcalloc(1, sizeof(*z));
		z->name = xstrdup(name);
		*out = z;
		return 0;
	}
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	path = xasprintf("%s/%s", dir, name);
	rc = read_file(path, TZ_FILE_MAX, &buf, &len);
	free(path);
	if (rc == DAGD_ETOOBIG)
		return tzif_fail(name, err, errlen, "larger than 1 MiB");
	if (rc != 0) {
		char *near = nearest_zone(dir, name);
		snprintf(err, errlen, "unknown time zone '%s'%s%s%s", name, near ? " (did you mean '" : "",
			 near ? near : "", near ? "'?)" : "");
		free(near);
		return DAGD_ENOENT;
	}
	rc = tz_parse(name, (const unsigned char *)buf, len, out, err, errlen);
	free(buf);
	return rc;
}

const struct tz *tz_utc(void)
{
	return &utc_zone;
}

void tz_free(struct tz *z)
{
	if (!z || z == &utc_zone)
		return;
	free(z->name);
	free(z->at);
	free(z->off);
	free(z);
}

const char *tz_name(const struct tz *z)
{
	return z ? z->name : "UTC";
}

/* ---- RFC 3339 ---- */

void tz_format_rfc3339(const struct tz *z, int64_t utc, char *buf, size_t len)
{
	int32_t off = z ? tz_offset(z, utc) : 0;
	struct civil c;

	if (!buf || len == 0)
		return;
	utc = clamp_secs(utc);
	if (off % 60 != 0)
		z = NULL; /* RFC 3339 offsets have no seconds: say it in UTC */
	if (!z)
		off = 0;
	civil_from_secs(utc + off, &c);
	if (!z) {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month,
			 c.day, c.hour, c.min, c.sec);
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year,
		 c.month, c.day, c.hour, c.min, c.sec, off < 0 ? '-' : '+',
		 abs(off) / 3600, abs(off) / 60 % 60);
}

/* Exactly n digits at *s; advances. */
static bool digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

static int64_t resolve_local(const struct tz *z, int64_t local)
{
	int64_t inst[2], gap = 0;

	if (tz_local_to_utc(z, local, inst, &gap) > 0)
		return inst[0];
	return gap;
}

int tz_parse_time(const struct tz *z, const char *s, int64_t *out)
{
	struct civil c = { 0 };
	int oh, om;
	int32_t off;

	if (!s || !digits(&s, 4, &c.year) || !expect(&s, '-') ||
	    !digits(&s, 2, &c.month) || !expect(&s, '-') || !digits(&s, 2, &c.day))
		return DAGD_EINVAL;
	if (c.month < 1 || c.month > 12 || c.day < 1 ||
	    c.day > days_in_month(c.year, c.month))
		return DAGD_EINVAL;
	if (*s == '\0') {
		*out = resolve_local(z, civil_to_secs(&c));
		return 0;
	}
	if (*s != 'T' && *s != 't' && *s != ' ')
		return DAGD_EINVAL;
	s++;
	if (!digits(&s, 2, &c.hour) || !expect(&s, ':') || !digits(&s, 2, &c.min))
		return DAGD_EINVAL;
	if (*s == ':') {
		s++;
		if (!digits(&s, 2, &c.sec))
			return DAGD_EINVAL;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return DAGD_EINVAL;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (c.hour > 23 || c.min > 59 || c.sec > 59) /* no leap seconds */
		return DAGD_EINVAL;
	if (*s == '\0') {
		*out = resolve_local(z, civil_to_secs(&c));
		return 0;
	}
	if (*s == 'Z' || *s == 'z') {
		off = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		bool neg = *s++ == '-';
		if (!digits(&s, 2, &oh) || !expect(&s, ':') || !digits(&s, 2, &om) ||
		    oh > 23 || om > 59)
			return DAGD_EINVAL;
		off = (int32_t)(oh * 3600 + om * 60);
		if (neg)
			off = -off;
	} else {
		return DAGD_EINVAL;
	}
	if (*s != '\0')
		return DAGD_EINVAL;
	*out = civil_to_secs(&c) - off;
	return 0;
}
