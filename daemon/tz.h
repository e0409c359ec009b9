/*
 * tz.h - IANA time zones read from the system tz database (TZif files under
 * $TZDIR or /usr/share/zoneinfo, including the POSIX TZ footer rule for
 * instants after the last transition). Pure after loading: conversions take
 * the instant as a parameter and never look at the clock or $TZ.
 * Instants are int64 seconds since the Unix epoch (UTC). "Local seconds" are
 * the wall clock read as if it were UTC (local_secs = utc + offset).
 * Arguments beyond +-2^55 s (about a billion years) are clamped to it.
 * A NULL zone means UTC wherever a zone is read.
 */
#ifndef DAGD_TZ_H
#define DAGD_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/*
 * Load zone NAME ("UTC", "Europe/Berlin"). Names with "..", a leading '/',
 * or characters outside [A-Za-z0-9_+/-] are rejected. Returns 0 and a new
 * zone in *out, or DAGD_ENOENT / DAGD_EINVAL with a message in err.
 */
int tz_load(const char *name, struct tz **out, char *err, size_t errlen);
/* Parse a TZif image from memory (used by tz_load and the fuzzer). */
int tz_parse(const char *name, const unsigned char *buf, size_t len,
	     struct tz **out, char *err, size_t errlen);
/* The UTC zone; static, never fails, must not be freed. */
const struct tz *tz_utc(void);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* UTC offset in seconds in effect at instant utc (cannot fail). */
int32_t tz_offset(const struct tz *z, int64_t utc);

/*
 * The first instant strictly after utc at which the UTC offset changes
 * (transitions that keep the offset, such as a change of abbreviation only,
 * do not count). Returns 1 and sets *next, or 0 if it never changes again
 * (within the rule's reach). Used by cron to walk the zone's real hours.
 */
int tz_next_change(const struct tz *z, int64_t utc, int64_t *next);
/* The last instant at or before utc at which the offset changed; 1 or 0. */
int tz_prev_change(const struct tz *z, int64_t utc, int64_t *prev);

/*
 * Instants whose local wall time is local_secs. Returns how many (0, 1 or
 * 2, ascending in out[]). 0 means local_secs falls in a gap (spring
 * forward); then *gap_end, if not NULL, is the first instant after the gap.
 */
int tz_local_to_utc(const struct tz *z, int64_t local_secs, int64_t out[2],
		    int64_t *gap_end);

/* Broken-down civil time helpers (proleptic Gregorian, no time zones). */
struct civil {
	int year, month, day; /* month 1-12, day 1-31 */
	int hour, min, sec;
	int wday; /* 0 = Sunday; filled by civil_from_secs */
};
void civil_from_secs(int64_t secs, struct civil *c);
int64_t civil_to_secs(const struct civil *c);
int64_t days_from_civil(int y, int m, int d);
int days_in_month(int y, int m);

/*
 * Format instant utc as RFC 3339: in UTC with 'Z' when z is NULL, else in
 * zone z with its numeric offset. buf needs 26 bytes.
 */
void tz_format_rfc3339(const struct tz *z, int64_t utc, char *buf, size_t len);
/*
 * Parse "YYYY-MM-DD" (00:00 in zone z), "YYYY-MM-DDTHH:MM[:SS]" (local in
 * z), or RFC 3339 with Z or an offset (fractions ignored). 0 or DAGD_EINVAL.
 * A local time in a gap resolves to the gap end, a repeated one to its first
 * occurrence.
 */
int tz_parse_time(const struct tz *z, const char *s, int64_t *out);

#endif
