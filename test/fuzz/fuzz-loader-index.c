// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the driver loader's index.json parser (an HTTP body
 * from a repository): index_parse() must reject or accept any input without
 * crashing, and what it accepts must survive a write/parse round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index idx, back;
	const char *why = NULL;
	char *json = NULL;
	size_t len = 0;

	if (index_parse((const char *)data, size, &idx, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	for (size_t i = 0; i < idx.n; i++)
		if (!index_name_is_valid(idx.entries[i].name) ||
		    index_find(&idx, idx.entries[i].name) == NULL)
			abort();
	if (index_to_json(&idx, &json, &len) < 0)
		abort();
	if (index_parse(json, len, &back, &why) < 0 || back.n != idx.n)
		abort();
	for (size_t i = 0; i < idx.n; i++)
		if (strcmp(back.entries[i].name, idx.entries[i].name) != 0 ||
		    back.entries[i].size != idx.entries[i].size ||
		    strcmp(back.entries[i].sha256, idx.entries[i].sha256) != 0)
			abort();
	free(json);
	index_done(&back);
	index_done(&idx);
	return 0;
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static const char *const seeds[] = {
		"{\"format\":1,\"driver_version\":\"0.1.0\",\"arch\":\"x86_64\",\"artifacts\":[]}",
		"{ \"format\": 1, \"driver_version\": \"7.0.0+driver\", \"arch\": \"aarch64\",\n"
		"  \"artifacts\": [ { \"name\": \"osprey_debian_6.1.55-1-amd64_1.ko\", \"size\": 123456,"
		" \"sha256\": \"" H64 "\" },\n { \"name\": \"osprey_cos_5.15.107+_17162.40.56.ko.tar.zst\","
		" \"size\": 0, \"sha256\": \"" H64 "\", \"extra\": [1, 2.5, null, true] } ] }\n",
		"{\"format\":1,\"driver_version\":\"1\",\"arch\":\"x\",\"artifacts\":[{\"name\":\"a\\u0000b\","
		"\"size\":9223372036854775807,\"sha256\":\"" H64 "\"}]}",
		"[[[[[[[[[[{\"format\":1}]]]]]]]]]]",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}

#include "fuzz-main.h"
