// SPDX-License-Identifier: Apache-2.0
/*
 * syslog_output: syslog(3) with facility LOG_USER and the alert's priority as the level
 * (Falco's priorities are the syslog levels). glibc's syslog() reports no errors, so this sink
 * counts every call as sent.
 */
#include <syslog.h>

#include "sink.h"

_Static_assert(ALERT_PRIORITY_EMERGENCY == LOG_EMERG && ALERT_PRIORITY_WARNING == LOG_WARNING &&
		       ALERT_PRIORITY_DEBUG == LOG_DEBUG,
	       "alert priorities are syslog levels");

int sink_syslog_priority(enum alert_priority p)
{
	if ((unsigned)p >= _ALERT_PRIORITY_MAX)
		p = ALERT_PRIORITY_DEBUG;
	return LOG_USER | (int)p; /* ALERT_PRIORITY_EMERGENCY..DEBUG == LOG_EMERG..LOG_DEBUG */
}

static int syslog_init(struct sink *s, const struct outputs_config *c)
{
	openlog("osprey", LOG_PID, LOG_USER);
	return 0;
}

static int syslog_emit(struct sink *s, enum alert_priority priority, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	syslog(sink_syslog_priority(priority), "%.*s", (int)len, line);
	return 0;
}

static void syslog_done(struct sink *s)
{
	closelog();
}

const struct sink_ops sink_syslog_ops = {
	.name = "syslog",
	.init = syslog_init,
	.emit = syslog_emit,
	.done = syslog_done,
};
