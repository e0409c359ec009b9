/*
 * duration.c - parse and format durations ("500ms 30s 15m 2h 1d", sums such
 * as "1h30m", bare seconds). Pure.
 */
#include "duration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define DURATION_MAX_MS (INT64_C(1) << 53)

static int unit_ms(const char *u, size_t n, int64_t *ms)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
	};

	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0) {
			*ms = units[i].ms;
			return 0;
		}
	}
	return DAGD_EINVAL;
}

int duration_parse(const char *s, bool allow_negative, int64_t *ms)
{
	bool neg = false;
	int64_t total = 0;
	bool any = false;

	if (!s)
		return DAGD_EINVAL;
	if (*s == '-') {
		if (!allow_negative)
			return DAGD_EINVAL;
		neg = true;
		s++;
	}
	if (!*s)
		return DAGD_EINVAL;
	while (*s) {
		int64_t num = 0, unit;
		const char *u;

		if (!isdigit((unsigned char)*s))
			return DAGD_EINVAL;
		while (isdigit((unsigned char)*s)) {
			num = num * 10 + (*s - '0');
			if (num > DURATION_MAX_MS)
				return DAGD_EINVAL;
			s++;
		}
		u = s;
		while (isalpha((unsigned char)*s))
			s++;
		if (s == u) {
			/* a bare number is seconds, and only alone */
			if (any || *s)
				return DAGD_EINVAL;
			unit = 1000;
		} else if (unit_ms(u, (size_t)(s - u), &unit) != 0) {
			return DAGD_EINVAL;
		}
		if (num > DURATION_MAX_MS / unit)
			return DAGD_EINVAL;
		total += num * unit;
		if (total > DURATION_MAX_MS)
			return DAGD_EINVAL;
		any = true;
	}
	*ms = neg ? -total : total;
	return 0;
}

void duration_format(int64_t ms, char *buf, size_t len)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {
		{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
	};
	size_t off = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (ms == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	if (ms < 0) {
		off += (size_t)snprintf(buf, len, "-");
		ms = -ms;
	}
	for (size_t i = 0; i < ARRAY_LEN(units) && ms > 0 && off < len; i++) {
		if (ms >= units[i].ms) {
			int w = snprintf(buf + off, len - off, "%lld%s",
					 (long long)(ms / units[i].ms), units[i].name);
			if (w < 0)
				return;
			off += (size_t)w;
			ms %= units[i].ms;
		}
	}
}
