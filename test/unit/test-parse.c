// SPDX-License-Identifier: Apache-2.0
/* Checked number parsing (shared/parse.c) and errno names (shared/errno_name.c). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "errno_name.h"
#include "parse.h"
#include "test.h"

static void test_u64(void)
{
	uint64_t v = 0;
	uint32_t u = 0;

	CHECK_INT_EQ(safe_atou64("0", &v), 0);
	CHECK(v == 0);
	CHECK_INT_EQ(safe_atou64("18446744073709551615", &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_INT_EQ(safe_atou64("18446744073709551616", &v), -ERANGE);
	CHECK_INT_EQ(safe_atou64("-1", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64("+1", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64(" 1", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64("1 ", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64("1x", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64("", &v), -EINVAL);
	CHECK_INT_EQ(safe_atou64(NULL, &v), -EINVAL);

	CHECK_INT_EQ(safe_atou32("4294967295", &u), 0);
	CHECK(u == UINT32_MAX);
	CHECK_INT_EQ(safe_atou32("4294967296", &u), -ERANGE);
	CHECK_INT_EQ(safe_atou32("12abc", &u), -EINVAL);
	u = 7;
	CHECK_INT_EQ(safe_atou32("nope", &u), -EINVAL);
	CHECK_INT_EQ(u, 7); /* untouched on failure */
}

static void test_i64(void)
{
	int64_t v = 0;
	int32_t i = 0;

	CHECK_INT_EQ(safe_atoi64("-9223372036854775808", &v), 0);
	CHECK(v == INT64_MIN);
	CHECK_INT_EQ(safe_atoi64("9223372036854775807", &v), 0);
	CHECK(v == INT64_MAX);
	CHECK_INT_EQ(safe_atoi64("9223372036854775808", &v), -ERANGE);
	CHECK_INT_EQ(safe_atoi64("-9223372036854775809", &v), -ERANGE);
	CHECK_INT_EQ(safe_atoi64("-", &v), -EINVAL);
	CHECK_INT_EQ(safe_atoi64("", &v), -EINVAL);
	CHECK_INT_EQ(safe_atoi64(" -1", &v), -EINVAL);
	CHECK_INT_EQ(safe_atoi64(NULL, &v), -EINVAL);

	CHECK_INT_EQ(safe_atoi32("-2147483648", &i), 0);
	CHECK_INT_EQ(i, INT32_MIN);
	CHECK_INT_EQ(safe_atoi32("2147483647", &i), 0);
	CHECK_INT_EQ(i, INT32_MAX);
	CHECK_INT_EQ(safe_atoi32("2147483648", &i), -ERANGE);
	CHECK_INT_EQ(safe_atoi32("-2147483649", &i), -ERANGE);
	CHECK_INT_EQ(safe_atoi32("0x10", &i), -EINVAL);
}

static void test_size(void)
{
	uint64_t v = 0;

	CHECK_INT_EQ(parse_size("12", &v), 0);
	CHECK(v == 12);
	CHECK_INT_EQ(parse_size("64k", &v), 0);
	CHECK(v == 65536);
	CHECK_INT_EQ(parse_size("64K", &v), 0);
	CHECK(v == 65536);
	CHECK_INT_EQ(parse_size("8M", &v), 0);
	CHECK(v == 8u << 20);
	CHECK_INT_EQ(parse_size("8MiB", &v), 0);
	CHECK(v == 8u << 20);
	CHECK_INT_EQ(parse_size("8MB", &v), 0);
	CHECK(v == 8u << 20);
	CHECK_INT_EQ(parse_size("1G", &v), 0);
	CHECK(v == 1u << 30);
	CHECK_INT_EQ(parse_size("17179869183G", &v), 0);
	CHECK(v == 17179869183ull << 30);
	CHECK_INT_EQ(parse_size("17179869184G", &v), -ERANGE);
	CHECK_INT_EQ(parse_size("99999999999999999999", &v), -ERANGE);
	CHECK_INT_EQ(parse_size("1T", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("1MX", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("M", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("-1", &v), -EINVAL);
	CHECK_INT_EQ(parse_size(" 1", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("", &v), -EINVAL);
	CHECK_INT_EQ(parse_size(NULL, &v), -EINVAL);
	CHECK_INT_EQ(parse_size("12i", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("12iB", &v), -EINVAL);
	CHECK_INT_EQ(parse_size("12B", &v), 0);
	CHECK_INT_EQ(v, 12);
}

/* The same names as glibc's strerrorname_np(), for every number it knows, and NULL past them. */
static void test_errno_name(void)
{
	int known = 0;

	CHECK(errno_name(0) == NULL);
	CHECK(errno_name(-1) == NULL);
	CHECK(errno_name(4095) == NULL);
	CHECK_STR_EQ(errno_name(EPERM), "EPERM");
	CHECK_STR_EQ(errno_name(EAGAIN), "EAGAIN");
	CHECK_STR_EQ(errno_name(EOPNOTSUPP), "EOPNOTSUPP");
#ifdef __GLIBC__
	for (int e = 1; e < 4096; e++) {
		const char *g = strerrorname_np(e), *o = errno_name(e);

		if (!g) {
			CHECK(o == NULL);
			continue;
		}
		known++;
		CHECK(o && strcmp(o, g) == 0);
		if (!o || strcmp(o, g) != 0)
			fprintf(stderr, "errno %d: glibc '%s', osprey '%s'\n", e, g, o ? o : "(null)");
	}
	CHECK(known > 120);
#endif
}

int main(void)
{
	test_errno_name();
	test_u64();
	test_i64();
	test_size();
	return test_finish("test-parse");
}
