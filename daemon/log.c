/*
 * log.c - stderr logger: "2026-01-10T03:00:00.123Z info sched: message".
 * Single-threaded; one write(2) per line so lines from the daemon and its
 * children never interleave mid-line.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level cur_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return DAGD_EINVAL;
}

bool log_enabled(enum log_level lvl)
{
	return lvl <= cur_level;
}

void log_msg(enum log_level lvl, const char *mod, int with_errno, const char *fmt, ...)
{
	int saved = errno;
	char line[2048];
	struct timeval tv;
	struct tm tm;
	size_t off;
	va_list ap;
	int n;

	if (!log_enabled(lvl))
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line + off, sizeof(line) - off, ".%03dZ %s %s: ",
		     (int)(tv.tv_usec / 1000), level_names[lvl], mod);
	if (n > 0)
		off += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	va_end(ap);
	if (n > 0)
		off += (size_t)n;
	if (off >= sizeof(line) - 2)
		off = sizeof(line) - 2;
	if (with_errno) {
		n = snprintf(line + off, sizeof(line) - off, ": %s", strerror(saved));
		if (n > 0)
			off += (size_t)n;
		if (off >= sizeof(line) - 2)
			off = sizeof(line) - 2;
	}
	line[off++] = '\n';
	(void)!write(STDERR_FILENO, line, off); /* nowhere to report a failed log write */
	errno = saved;
}
