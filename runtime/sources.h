/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event sources osprey knows, one table: what --list SOURCE, --enable-source and
 * --disable-source accept (Falco's names). A new source (k8s_audit...) adds a row.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct event_source {
	const char *name; /* Falco's name: syscall */
	const char *desc; /* one line, for messages */
};

#define SOURCES_MAX 8

size_t sources_count(void);
const struct event_source *sources_get(size_t i);
/* NULL if no source has that name. */
const struct event_source *sources_find(const char *name);
/* "syscall, k8s_audit": every name, for messages. */
const char *sources_names(void);

/*
 * Falco's --enable-source / --disable-source: with enable, only those; with disable, all but
 * those (not both: the command line refuses that). ret_enabled[i] is source i's state. An unknown
 * name, or no source left, is logged and returns -EINVAL.
 */
int sources_select(const char *const *enable, size_t n_enable, const char *const *disable,
		   size_t n_disable, bool ret_enabled[SOURCES_MAX]);
