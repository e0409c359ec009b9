/*
 * duration.h - durations as written in DAG files and config: "500ms",
 * "30s", "15m", "2h", "1d", combinations like "1h30m", or a bare number of
 * seconds; a leading '-' for negative offsets. Pure.
 */
#ifndef DAGD_DURATION_H
#define DAGD_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parse into milliseconds. allow_negative permits a leading '-'.
 * 0 or DAGD_EINVAL (empty, unknown unit, overflow, negative when not allowed).
 */
int duration_parse(const char *s, bool allow_negative, int64_t *ms);
/* Write ms as the shortest form ("90s" -> "1m30s", 0 -> "0s"). */
void duration_format(int64_t ms, char *buf, size_t len);

#endif
