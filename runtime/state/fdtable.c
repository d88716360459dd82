// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>

#include "fdtable.h"
#include "state.h"

#define FD_TABLE_MIN 16u

static inline uint32_t slot_of(const struct fd_table *t, int64_t num)
{
	/* fds are small dense integers: a multiplicative hash spreads neighbours. */
	return (uint32_t)(((uint64_t)num * 0x9E3779B97F4A7C15ull) >> 32) & t->mask;
}

struct state_fd *fd_table_get(const struct fd_table *t, int64_t num)
{
	if (!t->slots)
		return NULL;
	for (uint32_t i = slot_of(t, num);; i = (i + 1) & t->mask) {
		struct state_fd *fd = t->slots[i];

		if (!fd)
			return NULL;
		if (t->nums[i] == num)
			return fd;
	}
}

static void put(struct fd_table *t, struct state_fd *fd)
{
	uint32_t i = slot_of(t, fd->num);

	while (t->slots[i])
		i = (i + 1) & t->mask;
	t->slots[i] = fd;
	t->nums[i] = fd->num;
}

static int grow(struct fd_table *t)
{
	uint32_t size = t->slots ? 2 * (t->mask + 1) : FD_TABLE_MIN;
	struct fd_table n = {.mask = size - 1, .count = t->count};

	/* one block: the pointers, then the numbers */
	n.slots = calloc(size, sizeof(*n.slots) + sizeof(*n.nums));
	if (!n.slots)
		return -ENOMEM;
	n.nums = (int64_t *)(n.slots + size);
	for (uint32_t i = 0; i < fd_table_size(t); i++)
		if (t->slots[i])
			put(&n, t->slots[i]);
	free(t->slots);
	*t = n;
	return 0;
}

int fd_table_insert(struct fd_table *t, struct state_fd *fd)
{
	/* Load factor at most 1/2 keeps probe sequences short. */
	if (!t->slots || 2 * (t->count + 1) > t->mask + 1) {
		int r = grow(t);

		if (r < 0)
			return r;
	}
	put(t, fd);
	t->count++;
	return 0;
}

struct state_fd *fd_table_remove(struct fd_table *t, int64_t num)
{
	struct state_fd *found;
	uint32_t i, j;

	if (!t->slots)
		return NULL;
	for (i = slot_of(t, num);; i = (i + 1) & t->mask) {
		if (!t->slots[i])
			return NULL;
		if (t->nums[i] == num)
			break;
	}
	found = t->slots[i];
	t->slots[i] = NULL;
	t->count--;
	/* Backward-shift: move later members of the run into the hole when their home allows. */
	for (j = (i + 1) & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
		uint32_t home = slot_of(t, t->nums[j]);

		/* Movable iff home is not cyclically within (i, j]. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			t->nums[i] = t->nums[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
	return found;
}

void fd_table_done(struct fd_table *t)
{
	free(t->slots);
	*t = (struct fd_table){};
}
