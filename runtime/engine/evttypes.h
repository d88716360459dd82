/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco event type names (the values of evt.type: every x86_64 syscall name plus Falco's
 * non-syscall events such as container, procexit, signaldeliver) and fixed-size sets of them.
 * Rules are indexed by these names; mapping them to Osprey event ids is the engine's job.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define EVTTYPE_COUNT 383
#define EVTSET_WORDS  ((EVTTYPE_COUNT + 63) / 64)

struct evtset {
	uint64_t bits[EVTSET_WORDS];
};

/* Index of a Falco event name, or -ENOENT. */
int evttype_from_name(const char *name);
const char *evttype_name(unsigned idx);

void evtset_clear(struct evtset *s);
void evtset_fill(struct evtset *s); /* every known event type */
void evtset_add(struct evtset *s, unsigned idx);
bool evtset_has(const struct evtset *s, unsigned idx);
void evtset_union(struct evtset *dst, const struct evtset *src);
void evtset_intersect(struct evtset *dst, const struct evtset *src);
void evtset_complement(struct evtset *s);
unsigned evtset_count(const struct evtset *s);
bool evtset_is_full(const struct evtset *s);
/* Writes the names, comma-separated, or "(all)" / "(none)"; output truncated to size. */
void evtset_format(const struct evtset *s, char *buf, size_t size);
