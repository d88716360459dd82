// SPDX-License-Identifier: Apache-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "index.h"
#include "locate.h"
#include "log.h"
#include "unpack.h"
#include "util.h"

const char *const locate_suffixes[] = { ".ko", ".ko.tar.gz", ".ko.tar.xz", ".ko.tar.zst", NULL };

static int cache_dir(const struct locate_opts *o, char *buf, size_t size)
{
	return path_join(buf, size, "%s/%s/%s", o->cache_dir, o->driver_version, o->target->arch);
}

/* A cached module is used when its recorded hash still matches (a torn or edited file is dropped). */
static bool cache_hit(const char *ko)
{
	char shafile[PATH_MAX_LEN], hex[SHA256_HEX_LEN + 1];
	_cleanup_free_ char *want = NULL;

	if (access(ko, R_OK) < 0 || path_join(shafile, sizeof(shafile), "%s.sha256", ko) < 0)
		return false;
	if (read_file_full(shafile, 256, &want, NULL) < 0 || sha256_file(ko, hex, NULL) < 0)
		return false;
	if (strncmp(want, hex, SHA256_HEX_LEN) != 0) {
		log_warning("Cached '%s' does not match its recorded SHA-256: removing it", ko);
		unlink(ko);
		unlink(shafile);
		return false;
	}
	return true;
}

int locate_fetch_index(const struct locate_opts *o, const char *dir_url, char **ret_data,
		       size_t *ret_size, char **ret_sig, size_t *ret_sig_size, char *reason,
		       size_t reason_size)
{
	_cleanup_free_ char *data = NULL, *sig = NULL;
	struct fetch_result res;
	char url[PATH_MAX_LEN];
	size_t len = 0, siglen = 0;
	int r;

	r = path_join(url, sizeof(url), "%s/index.json", dir_url);
	if (r < 0)
		return r;
	r = fetch_to_memory(o->fetch, url, INDEX_MAX_BYTES, &data, &len, &res);
	if (r < 0) {
		snprintf(reason, reason_size, "%s: %s", url, res.error);
		return r;
	}
	if (o->policy != VERIFY_OFF && o->public_key) {
		r = path_join(url, sizeof(url), "%s/index.json.sig", dir_url);
		if (r < 0)
			return r;
		r = fetch_to_memory(o->fetch, url, 1024, &sig, &siglen, &res);
		if (r == -ENOENT) {
			if (o->policy == VERIFY_REQUIRED) {
				snprintf(reason, reason_size,
					 "%s is missing and the policy is 'required': index.json is not signed",
					 url);
				return -EBADMSG;
			}
			log_warning("%s is missing: using the unsigned index (policy if-signed)", url);
		} else if (r < 0) {
			snprintf(reason, reason_size, "%s: %s", url, res.error);
			return r;
		} else if (sig_verify(o->public_key, data, len, (const uint8_t *)sig, siglen) < 0) {
			snprintf(reason, reason_size,
				 "%s/index.json: bad signature (not signed by the configured key)",
				 dir_url);
			return -EBADMSG;
		}
	}
	*ret_data = TAKE_PTR(data);
	*ret_size = len;
	*ret_sig = TAKE_PTR(sig);
	*ret_sig_size = siglen;
	return 0;
}

int locate_download_verified(const struct locate_opts *o, const char *url, const char *dst,
			     uint64_t size, const char *sha256, char *reason, size_t reason_size)
{
	struct fetch_opts fo = *o->fetch;
	char tmp[PATH_MAX_LEN], hex[SHA256_HEX_LEN + 1];
	_cleanup_close_ int fd = -EBADF;
	struct fetch_result res;
	uint64_t got = 0;
	int r;

	r = path_join(tmp, sizeof(tmp), "%s.partXXXXXX", dst);
	if (r < 0)
		return r;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	/* Never accept more than the index says (plus one byte, to tell "oversized"). */
	if (size != UINT64_MAX)
		fo.max_size = fo.max_size ? MIN(fo.max_size, size + 1) : size + 1;
	r = fetch_to_fd(&fo, url, fd, &res);
	if (r < 0) {
		if (r == -EFBIG)
			snprintf(reason, reason_size, "%s: oversized: %s", url, res.error);
		else if (r == -EPIPE)
			snprintf(reason, reason_size, "%s: truncated body: %s", url, res.error);
		else
			snprintf(reason, reason_size, "%s: %s", url, res.error);
		unlink(tmp);
		return r == -EFBIG || r == -EPIPE ? -EBADMSG : r;
	}
	r = sha256_file(tmp, hex, &got);
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	if (size != UINT64_MAX && got != size) {
		snprintf(reason, reason_size, "%s: truncated or oversized: %llu bytes, index says %llu",
			 url, (unsigned long long)got, (unsigned long long)size);
		unlink(tmp);
		return -EBADMSG;
	}
	if (sha256 && !streq(hex, sha256)) {
		snprintf(reason, reason_size, "%s: SHA-256 mismatch (tampered?): got %s, expected %s",
			 url, hex, sha256);
		unlink(tmp);
		return -EBADMSG;
	}
	if (fchmod(fd, 0644) < 0 || rename(tmp, dst) < 0) {
		r = negative_errno();
		unlink(tmp);
		return r;
	}
	return 0;
}

/* Moves a verified artifact into the cache as <base>.ko (unpacking archives safely) and records its hash. */
static int cache_install(const char *downloaded, const char *suffix, const char *ko,
			 char *reason, size_t reason_size)
{
	char hex[SHA256_HEX_LEN + 1], shafile[PATH_MAX_LEN], line[SHA256_HEX_LEN + 2];
	int r;

	if (!streq(suffix, ".ko")) {
		char dir[PATH_MAX_LEN], inner[PATH_MAX_LEN];
		const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;

		r = path_join(dir, sizeof(dir), "%s.unpackXXXXXX", ko);
		if (r < 0)
			return r;
		if (!mkdtemp(dir))
			return negative_errno();
		r = unpack_archive(downloaded, dir, NULL, reason, reason_size);
		unlink(downloaded);
		if (r >= 0) {
			r = path_join(inner, sizeof(inner), "%s/%s", dir, base);
			if (r >= 0 && access(inner, R_OK) < 0) {
				snprintf(reason, reason_size, "archive does not contain '%.900s'", base);
				r = -EBADMSG;
			}
			if (r >= 0 && rename(inner, ko) < 0)
				r = negative_errno();
		}
		rm_rf(dir);
		if (r < 0)
			return r == -EPERM || r == -EFBIG ? -EBADMSG : r;
	}
	r = sha256_file(ko, hex, NULL);
	if (r < 0)
		return r;
	r = path_join(shafile, sizeof(shafile), "%s.sha256", ko);
	if (r < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", hex);
	return write_file_atomic(shafile, line, strlen(line), 0644);
}

/* Parses a "<hex>  <name>" or "<hex>" .sha256 body. */
static bool parse_sha256_file(const char *data, char hex[static SHA256_HEX_LEN + 1])
{
	for (size_t i = 0; i < SHA256_HEX_LEN; i++) {
		char c = data[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		hex[i] = c;
	}
	hex[SHA256_HEX_LEN] = '\0';
	return data[SHA256_HEX_LEN] == '\0' || strchr(" \t\r\n", data[SHA256_HEX_LEN]);
}

/* Tries one repository. 0 found, -ENOENT not there, -EBADMSG rejected, other -errno: transport. */
static int try_repo(const struct locate_opts *o, const char *repo, const char *base,
		    const char *ko, char *source, size_t source_size)
{
	char dir_url[PATH_MAX_LEN], url[PATH_MAX_LEN], name[PATH_MAX_LEN], dl[PATH_MAX_LEN];
	char reason[1024] = "";
	_cleanup_free_ char *data = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	struct index idx = {};
	const char *why = NULL;
	int r;

	r = repo_url_build(repo, o->driver_version, o->target->arch, "", dir_url, sizeof(dir_url));
	if (r < 0)
		return r;
	dir_url[strlen(dir_url) - 1] = '\0'; /* drop the trailing '/' */

	r = locate_fetch_index(o, dir_url, &data, &len, &sig, &siglen, reason, sizeof(reason));
	if (r == -ENOENT) {
		if (o->public_key && o->policy == VERIFY_REQUIRED) {
			log_info("%s/index.json: not found (a signed index is required)", dir_url);
			return -ENOENT;
		}
		log_debug("%s/index.json: not found, trying the artifacts directly", dir_url);
	} else if (r < 0) {
		log_warning("%s", reason);
		return r;
	} else {
		r = index_parse(data, len, &idx, &why);
		if (r < 0) {
			log_warning("%s/index.json: %s", dir_url, why);
			return -EBADMSG;
		}
		if (!streq(idx.driver_version, o->driver_version) || !streq(idx.arch, o->target->arch)) {
			log_warning("%s/index.json is for %s/%s, not %s/%s", dir_url,
				    idx.driver_version, idx.arch, o->driver_version, o->target->arch);
			index_done(&idx);
			return -EBADMSG;
		}
	}

	for (size_t i = 0; locate_suffixes[i]; i++) {
		const struct index_entry *e = NULL;
		char hex[SHA256_HEX_LEN + 1];
		const char *sha = NULL;
		uint64_t size = UINT64_MAX;

		r = path_join(name, sizeof(name), "%s%s", base, locate_suffixes[i]);
		if (r < 0)
			break;
		r = repo_url_build(repo, o->driver_version, o->target->arch, name, url, sizeof(url));
		if (r < 0)
			break;
		if (data) {
			e = index_find(&idx, name);
			if (!e)
				continue;
			size = e->size;
			sha = e->sha256;
		} else {
			/* No index: a <file>.sha256 beside the artifact. */
			_cleanup_free_ char *body = NULL;
			struct fetch_result res;
			char shaurl[PATH_MAX_LEN + 8];

			r = path_join(shaurl, sizeof(shaurl), "%s.sha256", url);
			if (r < 0)
				break;
			r = fetch_to_memory(o->fetch, shaurl, 4096, &body, NULL, &res);
			if (r == -ENOENT) {
				if (o->policy != VERIFY_OFF) {
					if (i == 0)
						log_info("%s: no index.json and no .sha256 beside it: not tried (publish a signed index, or --verify off)",
							 url);
					continue;
				}
				log_warning("%s: no index.json and no .sha256: not verified (policy off)", url);
			} else if (r < 0) {
				log_warning("%s: %s", shaurl, res.error);
				break;
			} else if (!parse_sha256_file(body, hex)) {
				log_warning("%s: not a SHA-256 checksum file", shaurl);
				r = -EBADMSG;
				break;
			} else {
				sha = hex;
			}
		}
		r = path_join(dl, sizeof(dl), "%s.download%s", ko, locate_suffixes[i]);
		if (r < 0)
			break;
		r = locate_download_verified(o, url, streq(locate_suffixes[i], ".ko") ? ko : dl,
					     size, sha, reason, sizeof(reason));
		if (r == -ENOENT && !data)
			continue; /* unindexed repo without this packing: try the next */
		if (r < 0) {
			log_warning("%s", reason);
			if (r == -ENOENT)
				r = -EBADMSG; /* listed in the index but missing: a broken mirror */
			break;
		}
		r = cache_install(streq(locate_suffixes[i], ".ko") ? ko : dl, locate_suffixes[i], ko,
				  reason, sizeof(reason));
		if (r < 0) {
			log_warning("%s: %s", url, reason);
			unlink(ko);
			break;
		}
		snprintf(source, source_size, "%s", url);
		index_done(&idx);
		return 0;
	}
	if (r >= 0 || r == -ENOENT) {
		if (data)
			log_warning("%s/index.json does not list %s.ko (or a packed variant)", dir_url,
				    base);
		else
			log_info("%s/%s.ko: not found", dir_url, base);
		r = -ENOENT;
	}
	index_done(&idx);
	return r;
}

int locate_driver(const struct locate_opts *o, char *ret_path, size_t size, char *ret_source,
		  size_t source_size)
{
	char dir[PATH_MAX_LEN], base[PATH_MAX_LEN], ko[PATH_MAX_LEN];
	bool rejected = false;
	int r;

	r = target_artifact_name(o->target, o->driver_name, "", base, sizeof(base));
	if (r < 0)
		return r;
	r = cache_dir(o, dir, sizeof(dir));
	if (r < 0)
		return r;
	r = path_join(ko, sizeof(ko), "%s/%s.ko", dir, base);
	if (r < 0)
		return r;
	if (!o->skip_cache && cache_hit(ko)) {
		snprintf(ret_source, source_size, "cache");
		return path_join(ret_path, size, "%s", ko);
	}
	r = mkdir_p(dir);
	if (r < 0)
		return log_error_errno(r, "Failed to create cache directory '%s': %m", dir);
	for (size_t i = 0; i < o->repos->n; i++) {
		r = try_repo(o, o->repos->urls[i], base, ko, ret_source, source_size);
		if (r >= 0)
			return path_join(ret_path, size, "%s", ko);
		if (r == -EBADMSG)
			rejected = true;
	}
	return rejected ? -EBADMSG : -ENOENT;
}
