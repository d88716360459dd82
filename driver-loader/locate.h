/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding a prebuilt driver: the local cache first, then each repository in
 * order, verifying what is downloaded (index.json signature, size, SHA-256)
 * before it is moved into the cache. The index and signature a download was
 * verified against are kept beside it in the cache, and a cache hit is
 * verified with them exactly as the download was; a cached file that fails is
 * removed and fetched again. Nothing unverified is used from the cache.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "repo_url.h"
#include "target.h"
#include "verify.h"

#define LOCATE_DEFAULT_CACHE "/root/.osprey"

struct locate_opts {
	const struct target *target;
	const char *driver_name;	/* "osprey" */
	const char *driver_version;
	const char *cache_dir;		/* <cache>/<driver version>/<arch>/ */
	const struct repo_list *repos;
	const struct fetch_opts *fetch;
	EVP_PKEY *public_key;		/* NULL: no signature checks possible */
	enum verify_policy policy;
	bool skip_cache;
};

/* Suffixes tried, in order, for "<name>_<target>_<release>_<version>". */
extern const char *const locate_suffixes[];

/*
 * Finds the .ko for the target. On success *ret_path (of size) is the cached
 * module and *ret_source says where it came from ("cache" or the URL).
 * Returns 0; -ENOENT when no source has it; -EBADMSG when at least one source
 * had it but it failed verification (each failure is logged as one line).
 */
int locate_driver(const struct locate_opts *o, char *ret_path, size_t size, char *ret_source,
		  size_t source_size);

/*
 * Stores a module built here (src) as the cache entry <dir>/<base>.ko, replacing the whole
 * entry (a stale signed record included), with only its SHA-256 as record: with a key and
 * policy 'required' such an entry is not trusted later (it is rebuilt). 0 or -errno.
 */
int locate_cache_store(const char *dir, const char *base, const char *src);

/*
 * Fetches and checks <dir_url>/index.json (and .sig per policy). 0 with the
 * index and signature bytes returned (caller frees both; the signature is
 * NULL when unsigned and allowed), -ENOENT when there is no index, -EBADMSG with reason otherwise.
 */
int locate_fetch_index(const struct locate_opts *o, const char *dir_url, char **ret_data,
		       size_t *ret_size, char **ret_sig, size_t *ret_sig_size, char *reason,
		       size_t reason_size);

/*
 * Downloads url into a temporary file next to dst and, when it has exactly
 * `size` bytes and the SHA-256 hex, renames it to dst. Else removes it and
 * returns -EBADMSG with reason. max_size caps the download when size is unknown (UINT64_MAX).
 */
int locate_download_verified(const struct locate_opts *o, const char *url, const char *dst,
			     uint64_t size, const char *sha256, char *reason, size_t reason_size);
