/*
 * fuzz_cron.c - libFuzzer harness for daemon/cron.c: parses the input as a
 * schedule; a failure must come with a message and an offset inside the
 * text. On success it asks cron_next/cron_prev in UTC and Europe/Berlin
 * from fixed instants (both 2026 DST days, a footer-only year) and one
 * derived from the input, and checks: next > t, prev <= t, the two agree
 * (nothing fires between prev(t) and next(t)), each result really matches
 * (in UTC by a brute-force field check, minute by minute over a day), and
 * cron_can_fire agrees. Run: make build/fuzz/fuzz_cron.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "tz.h"
#include "util.h"

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz_cron: check failed: %s (line %d) '%s'\n", \
				#cond, __LINE__, text);                         \
			abort();                                                \
		}                                                               \
	} while (0)

static char text[512];

/* Does local wall time w match the cron fields (Vixie's day rule)? */
static bool matches(const struct schedule *s, int64_t w)
{
	struct civil c;
	bool dom, dow;

	civil_from_secs(w, &c);
	if (c.sec != 0 || !(s->minutes >> c.min & 1) || !(s->hours >> c.hour & 1) ||
	    !(s->months >> c.month & 1))
		return false;
	dom = s->mdays >> c.day & 1;
	dow = s->wdays >> c.wday & 1;
	return (s->mday_star || s->wday_star) ? dom && dow : dom || dow;
}

static bool is_fire(const struct schedule *s, const struct tz *z, int64_t t)
{
	int64_t w = t + tz_offset(z, t);

	if (s->kind == SCHED_EVERY)
		return ((t - s->anchor) % (s->every_ms / 1000)) == 0;
	if (matches(s, w)) {
		int64_t inst[2], gap;
		/* a fixed time fires at its first occurrence only */
		return s->hour_star || (tz_local_to_utc(z, w, inst, &gap) > 0 && inst[0] == t);
	}
	/* a fixed time in a gap fires at the gap's end */
	return !s->hour_star && tz_offset(z, t) != tz_offset(z, t - 1);
}

static void check_at(const struct schedule *s, const struct tz *z, int64_t t, bool utc)
{
	int64_t n = 0, p = 0, x = 0;
	int rn = cron_next(s, z, t, &n);
	int rp = cron_prev(s, z, t, &p);

	CHECK(rn == 0 || rn == DAGD_ENEVER);
	CHECK(rp == 0 || rp == DAGD_ENEVER);
	if (s->kind == SCHED_NONE)
		CHECK(rn != 0 && rp != 0);
	if (rn == 0) {
		CHECK(n > t);
		CHECK(is_fire(s, z, n));
		CHECK(cron_prev(s, z, n, &x) == 0 && x == n);
	}
	if (rp == 0) {
		CHECK(p <= t);
		CHECK(is_fire(s, z, p));
		CHECK(cron_next(s, z, p - 1, &x) == 0 && x == p);
	}
	if (rn == 0 && rp == 0) {
		CHECK(cron_next(s, z, p, &x) == 0 && x == n);
		CHECK(cron_prev(s, z, n - 1, &x) == 0 && x == p);
	}
	if (utc && s->kind == SCHED_CRON) {
		/* nothing matches strictly between p and n, within a day of t */
		int64_t lo = rp == 0 ? p : t - 86400, hi = rn == 0 ? n : t + 86400;
		int64_t m0 = t - ((t % 60) + 60) % 60;
		for (int64_t m = m0; m > lo && m > t - 86400; m -= 60)
			CHECK(!matches(s, m));
		for (int64_t m = m0 + 60; m < hi && m < t + 86400; m += 60)
			CHECK(!matches(s, m));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tz *berlin;
	struct schedule s;
	char err[256] = "";
	size_t off = 12345;
	uint64_t h = 1469598103934665603u;
	int rc;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = cron_parse(text, &s, err, sizeof(err), &off);
	if (rc != 0) {
		CHECK(rc == DAGD_EINVAL);
		CHECK(strncmp(err, "bad ", 4) == 0);
		CHECK(off <= strlen(text));
		return 0;
	}
	if (!berlin) {
		char e[256];
		if (tz_load("Europe/Berlin", &berlin, e, sizeof(e)) != 0) {
			fprintf(stderr, "fuzz_cron: %s\n", e);
			abort();
		}
	}
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211u;
	if (s.kind == SCHED_EVERY)
		s.anchor = (int64_t)(h >> 20 & 0xFFFFFFFF) - 2000000000;
	{
		const int64_t extra = -2208988800 + (int64_t)(h % UINT64_C(9467107200)) /* 1900-2199 */;
		const int64_t at[] = { 1774744200, 1792889100, 1792892700, 1767225600,
				       4109878799 /* 2100-03-28T00:59:59Z */, extra };
		bool any = false;

		for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
			int64_t x;
			check_at(&s, tz_utc(), at[i], true);
			check_at(&s, berlin, at[i], false);
			any = any || cron_next(&s, berlin, at[i], &x) == 0;
		}
		if (any)
			CHECK(cron_can_fire(&s, berlin));
		if (!cron_can_fire(&s, berlin))
			CHECK(!any && s.kind != SCHED_EVERY);
	}
	return 0;
}
