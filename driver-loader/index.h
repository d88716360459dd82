/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index.json: the list of artifacts of one <driver version>/<arch> directory,
 * signed as a whole (index.json.sig, raw Ed25519 signature of the exact bytes).
 *
 *   {
 *     "format": 1,
 *     "driver_version": "0.1.0",
 *     "arch": "x86_64",
 *     "artifacts": [
 *       { "name": "osprey_debian_6.1.55-1-amd64_1.ko", "size": 123456,
 *         "sha256": "<64 lowercase hex>" }
 *     ]
 *   }
 *
 * Unknown keys are ignored (forward compatible); names are plain file names.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify.h"

#define INDEX_FORMAT 1
#define INDEX_MAX_BYTES (4u << 20)
#define INDEX_MAX_ENTRIES 65536
#define INDEX_NAME_MAX 256

struct index_entry {
	char name[INDEX_NAME_MAX];
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
};

struct index {
	char driver_version[128];
	char arch[64];
	size_t n;
	struct index_entry *entries; /* owned, sorted by name */
};

/*
 * Parses index.json. -EBADMSG for anything malformed, with the reason in
 * *ret_reason (static string). On success the caller owns *ret (index_done()).
 */
int index_parse(const char *data, size_t size, struct index *ret, const char **ret_reason);
void index_done(struct index *idx);
const struct index_entry *index_find(const struct index *idx, const char *name);

/* True for names safe as a file name in a repository directory. */
bool index_name_is_valid(const char *name);

/*
 * Builds an index of the artifacts in dir (regular files; index.json*, *.sha256
 * and hidden files are skipped). Caller owns *ret.
 */
int index_build_dir(const char *dir, const char *driver_version, const char *arch,
		    struct index *ret);
/* Serializes to JSON text (caller frees *ret). */
int index_to_json(const struct index *idx, char **ret, size_t *ret_size);
