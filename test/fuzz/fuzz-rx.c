// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzzes rx.h (RE2 syntax on PCRE2): the input is a pattern, a NUL byte, then a value. Properties:
 * a refused pattern has a message and an offset inside the pattern; an accepted one matches the
 * value with an answer of 1, 0 or RX_LIMIT (never anything else), and the same answer twice.
 * The limits keep every case bounded, whatever the input.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rx_matcher *m;
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	const char *val = nul ? (const char *)nul + 1 : "";
	size_t vlen = nul ? size - plen - 1 : 0;
	struct rx *re = NULL;
	struct rx_error err;
	int r, a, b;

	if (!m && rx_matcher_new(&m) < 0)
		abort();
	r = rx_compile((const char *)data, plen, true, &re, &err);
	if (r < 0) {
		if (r == -ENOMEM)
			return 0;
		if (!err.msg[0] || err.off > plen)
			abort();
		return 0;
	}
	a = rx_match(re, m, val, vlen);
	b = rx_match(re, m, val, vlen);
	if ((a != 0 && a != 1 && a != RX_LIMIT) || a != b)
		abort();
	rx_free(re);
	return 0;
}

__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const struct {
		const char *pat, *val;
	} seeds[] = {
		{"(.* )?-[iUF][[:alpha:]]*( .*)?", "rpm -ivh x.rpm"},
		{"(?i)curl.*?\\d+", "CURL 42"},
		{"(a|aa)*[cd]", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
		{"(?P<u>[a-z]+)@(?<h>[^@]+)\\z", "root@example.org"},
		{"\\Qa.b\\E[\\x41-\\x{5a}]{2,3}\\pL", "a.bAZé"},
		{"((a{10}){10}){10}", "a"},
		{"[^]a-c\\v][[:^digit:]]", "x!"},
		{"echo (a*)(a*)(a*)\\3\\2", "echo aab"},
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t pl = strlen(seeds[i].pat), vl = strlen(seeds[i].val);
		uint8_t buf[256];

		memcpy(buf, seeds[i].pat, pl);
		buf[pl] = 0;
		memcpy(buf + pl + 1, seeds[i].val, vl);
		emit(buf, pl + 1 + vl);
	}
}

#include "fuzz-main.h"
