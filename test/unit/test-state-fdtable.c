// SPDX-License-Identifier: Apache-2.0
/*
 * The fd table's open addressing with backward-shift deletion, against a plain reference
 * array: random inserts, removals and lookups over dense and sparse fd numbers.
 */
#include <stdlib.h>

#include "fdtable.h"
#include "state.h"
#include "test.h"

#define NUMS 4096

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

int main(void)
{
	static struct state_fd fds[NUMS];
	static bool present[NUMS];
	struct fd_table t = {0};
	unsigned count = 0, mismatches = 0;

	for (unsigned i = 0; i < NUMS; i++)
		/* dense low numbers and sparse high ones, as real processes have */
		fds[i].num = i < NUMS / 2 ? (int64_t)i : (int64_t)i * 977 + 1000000;

	for (unsigned step = 0; step < 400000; step++) {
		unsigned i = next_rand() % NUMS, op = next_rand() % 3;

		if (op == 0 && !present[i]) {
			CHECK_INT_EQ(fd_table_insert(&t, &fds[i]), 0);
			present[i] = true;
			count++;
		} else if (op == 1) {
			struct state_fd *r = fd_table_remove(&t, fds[i].num);

			if (r != (present[i] ? &fds[i] : NULL))
				mismatches++;
			if (present[i])
				count--;
			present[i] = false;
		} else {
			if (fd_table_get(&t, fds[i].num) != (present[i] ? &fds[i] : NULL))
				mismatches++;
		}
		if (step % 50000 == 0) {
			/* a full sweep: every member findable, every non-member absent */
			for (unsigned j = 0; j < NUMS; j++)
				if (fd_table_get(&t, fds[j].num) != (present[j] ? &fds[j] : NULL))
					mismatches++;
			CHECK_INT_EQ(t.count, count);
		}
	}
	CHECK_INT_EQ(mismatches, 0);
	CHECK(t.count == count && 2 * t.count <= fd_table_size(&t));
	/* numbers that were never there, including negative ones */
	CHECK(fd_table_get(&t, -1) == NULL);
	CHECK(fd_table_remove(&t, -100) == NULL);
	/* drain */
	for (unsigned j = 0; j < NUMS; j++)
		if (present[j])
			CHECK(fd_table_remove(&t, fds[j].num) == &fds[j]);
	CHECK_INT_EQ(t.count, 0);
	for (uint32_t i = 0; i < fd_table_size(&t); i++)
		CHECK(t.slots[i] == NULL);
	fd_table_done(&t);
	printf("fd table: 400000 random operations, final size %u\n", fd_table_size(&t));
	return test_finish("test-state-fdtable");
}
