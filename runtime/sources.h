/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event sources osprey knows, one table: what --list SOURCE, --enable-source and
 * --disable-source accept (Falco's names), each source's fields for the rules, and whether the
 * configuration lets it run. Which sources run is decided here, as Falco does it: every source
 * the configuration provides (syscall unless engine.kind is nodriver; k8s_audit when a plugins:
 * entry named k8saudit is loaded), narrowed by --enable-source or --disable-source.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct field_source;
struct osprey_config;

struct event_source {
	const char *name;			    /* Falco's name: syscall, k8s_audit */
	const char *desc;			    /* one line, for messages */
	const struct field_source *(*fields)(void); /* its fields (--list, the rules' source:) */
	/* NULL when the configuration provides the source, else why it does not and how to */
	const char *(*unavailable)(const struct osprey_config *c);
};

enum {
	SOURCE_SYSCALL,
	SOURCE_K8S_AUDIT,
	_SOURCE_MAX,
};

#define SOURCES_MAX 8

size_t sources_count(void);
const struct event_source *sources_get(size_t i);
/* NULL if no source has that name. */
const struct event_source *sources_find(const char *name);
/* "syscall, k8s_audit": every name, for messages. */
const char *sources_names(void);

/* Registers every source's fields with the rules engine (fields.h), so that rules with
 * source: k8s_audit compile. Call once, before rules are loaded. -errno (logged). */
int sources_register(void);

/*
 * Falco's --enable-source / --disable-source over the sources c provides: with enable, only
 * those (each must be provided); with disable, all provided but those (not both: the command
 * line refuses that). ret_enabled[i] is source i's state. An unknown name, enabling a source
 * the configuration does not provide, or no source left, is logged and returns -EINVAL.
 */
int sources_select(const struct osprey_config *c, const char *const *enable, size_t n_enable,
		   const char *const *disable, size_t n_disable, bool ret_enabled[SOURCES_MAX]);
