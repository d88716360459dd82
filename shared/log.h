/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics for the daemon and tools (never alerts: alerts have their own
 * outputs). Lines go to stderr as "osprey: message" or as one JSON object per
 * line. The *_errno() variants set errno from their error argument, so "%m"
 * prints it, and return the negative error, so callers can write
 * "return log_error_errno(r, "Failed to ...: %m");".
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

enum log_format {
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON,
};

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_format(enum log_format format);
void log_set_program(const char *name); /* static string, not copied */
/* Parses "error", "warning", "info", "debug" (or syslog names); returns the level or -EINVAL. */
int log_level_from_string(const char *s);

int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *format, ...) _printf_(6, 7);
int log_internalv(int level, int error, const char *file, int line, const char *func,
		  const char *format, va_list ap) _printf_(6, 0);

#define log_full_errno(level, error, ...)                                                          \
	({                                                                                         \
		int _l = (level), _e = (error);                                                    \
		(log_get_max_level() >= _l)                                                        \
			? log_internal(_l, _e, __FILE__, __LINE__, __func__, __VA_ARGS__)          \
			: -(_e < 0 ? -_e : _e);                                                    \
	})
#define log_full(level, ...) (void)log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, e, __VA_ARGS__)
