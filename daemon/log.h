/*
 * log.h - one line per event on stderr: time, level, module, message.
 * The level is checked before formatting. _errno variants append
 * strerror(errno). Never pass tokens or passwords.
 */
#ifndef DAGD_LOG_H
#define DAGD_LOG_H

#include "util.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level lvl);
/* Parse "error", "warn", "info", "debug"; 0 or DAGD_EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
bool log_enabled(enum log_level lvl);
void log_msg(enum log_level lvl, const char *mod, int with_errno, const char *fmt, ...)
	DAGD_PRINTF(4, 5);

#define log_error(mod, ...) log_msg(LOG_ERROR, mod, 0, __VA_ARGS__)
#define log_error_errno(mod, ...) log_msg(LOG_ERROR, mod, 1, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, 0, __VA_ARGS__)
#define log_warn_errno(mod, ...) log_msg(LOG_WARN, mod, 1, __VA_ARGS__)
#define log_info(mod, ...) \
	do { if (log_enabled(LOG_INFO)) log_msg(LOG_INFO, mod, 0, __VA_ARGS__); } while (0)
#define log_debug(mod, ...) \
	do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, mod, 0, __VA_ARGS__); } while (0)

#endif
