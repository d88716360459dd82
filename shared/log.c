// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

static int max_level = LOG_INFO;
static enum log_format log_format = LOG_FORMAT_TEXT;
static const char *program = "osprey";

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

void log_set_format(enum log_format format)
{
	log_format = format;
}

void log_set_program(const char *name)
{
	program = name;
}

int log_level_from_string(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "emergency", LOG_EMERG }, { "alert", LOG_ALERT },   { "critical", LOG_CRIT },
		{ "error", LOG_ERR },	    { "err", LOG_ERR },	      { "warning", LOG_WARNING },
		{ "warn", LOG_WARNING },    { "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].level;
	return -EINVAL;
}

static const char *level_name(int level)
{
	static const char *const names[] = { "emergency", "alert",  "critical", "error",
					     "warning",	  "notice", "info",	"debug" };
	return level >= 0 && level < (int)ARRAY_SIZE(names) ? names[level] : "debug";
}

/* Writes s as a JSON string body (without quotes), escaping what JSON requires. */
static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

int log_internalv(int level, int error, const char *file, int line, const char *func,
		  const char *format, va_list ap)
{
	char buf[2048];
	int saved_errno = errno;

	if (error < 0)
		error = -error;
	/* "%m" in the format prints the error we were given. */
	errno = error;
	if (vsnprintf(buf, sizeof(buf), format, ap) >= (int)sizeof(buf))
		/* a cut line says so (the caller should have quoted less of a long value) */
		memcpy(buf + sizeof(buf) - sizeof("...[cut]"), "...[cut]", sizeof("...[cut]"));
	errno = saved_errno;

	if (log_format == LOG_FORMAT_JSON) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "{\"time\":%lld.%06ld,\"level\":\"%s\",\"program\":\"",
			(long long)ts.tv_sec, ts.tv_nsec / 1000, level_name(level));
		json_escape(stderr, program);
		fputs("\",\"message\":\"", stderr);
		json_escape(stderr, buf);
		fputc('"', stderr);
		if (max_level >= LOG_DEBUG)
			fprintf(stderr, ",\"code\":\"%s:%d %s\"", file, line, func);
		fputs("}\n", stderr);
	} else {
		if (max_level >= LOG_DEBUG)
			fprintf(stderr, "%s: [%s:%d %s] %s\n", program, file, line, func, buf);
		else
			fprintf(stderr, "%s: %s\n", program, buf);
	}
	return -error;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
		 const char *format, ...)
{
	va_list ap;
	int r;

	va_start(ap, format);
	r = log_internalv(level, error, file, line, func, format, ap);
	va_end(ap);
	return r;
}
