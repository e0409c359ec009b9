/*
 * timefmt.c - RFC 3339 text of microsecond instants, in UTC with
 * milliseconds (see timefmt.h). Uses the civil-date helpers of tz.c; no
 * time zone is involved.
 */
#include "timefmt.h"

#include <stdio.h>

#include "tz.h"

void timefmt_us(int64_t us, char *buf, size_t len)
{
	/* floor division, so -1 us is 1969-12-31T23:59:59.999Z */
	int64_t secs = us / 1000000;
	int64_t rem = us % 1000000;
	struct civil c;

	if (!buf || len == 0)
		return;
	if (rem < 0) {
		rem += 1000000;
		secs--;
	}
	civil_from_secs(secs, &c);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
		 c.hour, c.min, c.sec, (int)(rem / 1000));
}
