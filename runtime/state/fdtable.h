/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A process' fd table: an open-addressing hash (linear probing, backward-shift
 * deletion) from fd number to struct state_fd, O(1) on average, grown by
 * doubling. The fd objects come from the state's bounded free list; this
 * module only indexes them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct state_fd;

struct fd_table {
	struct state_fd **slots; /* NULL = empty */
	int64_t *nums;		 /* nums[i] = slots[i]->num: probes compare without a deref */
	uint32_t mask;		 /* slots - 1; 0 when nothing is allocated */
	uint32_t count;
};

struct state_fd *fd_table_get(const struct fd_table *t, int64_t num);
/* Inserts fd (its num must not be present). -ENOMEM if the table cannot grow. */
int fd_table_insert(struct fd_table *t, struct state_fd *fd);
/* Unlinks and returns the fd with that number, or NULL. */
struct state_fd *fd_table_remove(struct fd_table *t, int64_t num);
/* Frees the index only (the caller releases the fds first, see fd_table_for_each). */
void fd_table_done(struct fd_table *t);

/* Iteration over the occupied slots: for (i = 0; i <= t->mask; i++) if (t->slots[i]) ... */
static inline uint32_t fd_table_size(const struct fd_table *t)
{
	return t->slots ? t->mask + 1 : 0;
}
