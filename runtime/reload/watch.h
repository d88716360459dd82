/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch_config_files: inotify on the configuration and rules paths, debounced. A file is watched
 * through its directory, so that an editor's or a ConfigMap's rename over it is seen (a change
 * of "..data" in the directory counts too: Kubernetes swaps that symlink); a directory is watched
 * for any .yaml or .yml entry written, moved or removed. A burst of changes calls fn once,
 * debounce_usec after the last one, from the main loop.
 *
 *	watch_new(loop, 500000, on_change, ud, &w);
 *	watch_set_paths(w, paths, n);      again after each reload, with the new paths
 *	watch_free(w);
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

#define WATCH_PATHS_MAX 1024 /* paths watched; more are refused with -E2BIG */

struct watch;
typedef void (*watch_fn)(void *userdata);

/* Caller owns *ret. */
int watch_new(struct loop *l, uint64_t debounce_usec, watch_fn fn, void *userdata,
	      struct watch **ret);
/* Replaces the watched paths. A path that does not exist is skipped (logged at debug);
 * returns how many are watched, or -errno. */
int watch_set_paths(struct watch *w, char *const *paths, size_t n);
/* Accepts NULL. */
void watch_free(struct watch *w);
/* Frees w after its loop was freed (which freed its sources). Accepts NULL. */
void watch_forget(struct watch *w);
