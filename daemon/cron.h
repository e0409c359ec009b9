/*
 * cron.h - schedules: 5-field Vixie cron, presets, "every DURATION" and
 * "none", evaluated in a time zone with the DST policy of DESIGN.md section 7.
 * Pure: no clock, no I/O; "now" is always a parameter.
 */
#ifndef DAGD_CRON_H
#define DAGD_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tz;

enum sched_kind { SCHED_NONE, SCHED_CRON, SCHED_EVERY };

struct schedule {
	enum sched_kind kind;
	/* cron: bit i set = value i allowed */
	uint64_t minutes; /* 0-59 */
	uint32_t hours;   /* 0-23 */
	uint32_t mdays;   /* 1-31 */
	uint16_t months;  /* 1-12 */
	uint8_t wdays;    /* 0-6, 0 = Sunday (7 folded into 0) */
	bool mday_star, wday_star, hour_star;
	/* every: period and the anchor it counts from (UTC seconds) */
	int64_t every_ms;
	int64_t anchor;
};

/*
 * Parse TEXT: "m h dom mon dow", @hourly @daily @midnight @weekly @monthly
 * @yearly @annually, "every 15m" (period >= 1s), or "none". On error returns
 * DAGD_EINVAL and writes a message (naming the field and value) into err;
 * *err_off is the byte offset of the bad part in text.
 */
int cron_parse(const char *text, struct schedule *out, char *err, size_t errlen,
	       size_t *err_off);

/*
 * The first fire time strictly after `after` (UTC seconds), in zone z.
 * 0 with *out set, or DAGD_ENEVER when there is none within the search
 * horizon (such as "0 0 30 2 *") or for SCHED_NONE.
 */
int cron_next(const struct schedule *s, const struct tz *z, int64_t after,
	      int64_t *out);
/* The last fire time at or before `at`; 0 or DAGD_ENEVER. */
int cron_prev(const struct schedule *s, const struct tz *z, int64_t at,
	      int64_t *out);
/*
 * true if the schedule fires at least once (cron: an exact calendar check,
 * the calendar repeating every 400 years; every: a period of at least 1s).
 */
bool cron_can_fire(const struct schedule *s, const struct tz *z);

#endif
