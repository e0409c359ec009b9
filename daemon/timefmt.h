/*
 * timefmt.h - microsecond instants (the _us fields of model.h) as RFC 3339
 * UTC text with milliseconds, "2026-01-10T03:00:00.123Z", for the API and
 * the store's JSON reads. Whole seconds use tz_format_rfc3339(NULL, ...).
 * Pure: no clock, no allocation.
 */
#ifndef DAGD_TIMEFMT_H
#define DAGD_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text timefmt_us() writes, with its NUL. */
#define TIMEFMT_US_LEN 32

/*
 * Format us (microseconds since the epoch, UTC) as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", truncating to the millisecond (towards the
 * past, also before 1970). buf needs TIMEFMT_US_LEN bytes; cannot fail.
 */
void timefmt_us(int64_t us, char *buf, size_t len);

#endif
