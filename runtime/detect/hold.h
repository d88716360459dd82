/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Holding back a starting container's events until its metadata is known, so that the
 * entrypoint's first actions already say which container, image and pod they come from.
 *
 * When an exec lands in a container the metadata layer has never seen (it is starting), that
 * thread's events, and those of the threads it creates, are copied aside instead of being
 * processed; the rest of the node goes on. They are processed, in their order, as soon as the
 * lookup is done (described or not) or after HOLD_MAX_MS, whichever comes first. Bounded: at
 * most HOLD_GROUPS_MAX containers held at once, HOLD_BYTES_MAX bytes of records each (a group
 * that fills up is processed at once); what could not wait is counted.
 *
 * Used by detect.c on the event thread only.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "meta.h"
#include "state.h"

#define HOLD_MAX_MS	250	   /* longest a container's first events wait */
#define HOLD_GROUPS_MAX 16	   /* containers held at once */
#define HOLD_TIDS_MAX	64	   /* threads held per container */
#define HOLD_BYTES_MAX	(1u << 20) /* bytes of records held per container */

struct hold_stats {
	uint64_t containers;	 /* containers whose start was held */
	uint64_t events;	 /* events held */
	uint64_t late;		 /* held events processed at the time limit, metadata still unknown */
	uint64_t not_held;	 /* container starts not held: every group busy */
	uint64_t overflow;	 /* groups processed early: bytes or threads full */
};

struct hold;

/* Holds on behalf of m (borrowed). Caller owns *ret. */
int hold_new(struct meta *m, struct hold **ret);
void hold_free(struct hold *h);

/* Whether anything is held (one load: the per-event check). */
bool hold_active(const struct hold *h);

/* True when ev was taken (copied): it is processed later through hold_release(). */
bool hold_take(struct hold *h, const struct event *ev);

typedef void (*hold_fn)(const struct event *ev, void *userdata);
/*
 * Hands the held events of every container whose lookup is done or whose time is up (all: every
 * container) to fn, in their order, and forgets them. fn may call hold_take(): those threads
 * are no longer held.
 */
void hold_release(struct hold *h, bool all, hold_fn fn, void *userdata);

void hold_get_stats(const struct hold *h, struct hold_stats *ret);
