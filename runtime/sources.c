// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "sources.h"

static const struct event_source sources[] = {
	{"syscall", "system calls and process events from the eBPF probe or the kernel module"},
};

_Static_assert(ARRAY_SIZE(sources) <= SOURCES_MAX, "raise SOURCES_MAX");

size_t sources_count(void)
{
	return ARRAY_SIZE(sources);
}

const struct event_source *sources_get(size_t i)
{
	return i < ARRAY_SIZE(sources) ? &sources[i] : NULL;
}

const struct event_source *sources_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (strcmp(sources[i].name, name) == 0)
			return &sources[i];
	return NULL;
}

const char *sources_names(void)
{
	static char buf[256];
	size_t len = 0;

	if (buf[0])
		return buf;
	for (size_t i = 0; i < ARRAY_SIZE(sources) && len < sizeof(buf); i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
				 sources[i].name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

static int index_of(const char *name, const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (strcmp(sources[i].name, name) == 0)
			return (int)i;
	return log_error_errno(-EINVAL, "Unknown event source '%s' in %s: Osprey's sources are %s.",
			       name, opt, sources_names());
}

int sources_select(const char *const *enable, size_t n_enable, const char *const *disable,
		   size_t n_disable, bool ret_enabled[SOURCES_MAX])
{
	size_t n_on = 0;
	int k;

	for (size_t i = 0; i < SOURCES_MAX; i++)
		ret_enabled[i] = i < ARRAY_SIZE(sources) && n_enable == 0;
	for (size_t i = 0; i < n_enable; i++) {
		k = index_of(enable[i], "--enable-source");
		if (k < 0)
			return k;
		ret_enabled[k] = true;
	}
	for (size_t i = 0; i < n_disable; i++) {
		k = index_of(disable[i], "--disable-source");
		if (k < 0)
			return k;
		ret_enabled[k] = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		n_on += ret_enabled[i];
	if (n_on == 0)
		return log_error_errno(-EINVAL,
				       "No event source left enabled (--disable-source): enable "
				       "at least one of %s.",
				       sources_names());
	return 0;
}
