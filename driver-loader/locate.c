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

/*
 * The cache, per artifact base name B in <cache>/<driver version>/<arch>/:
 *   B.ko                 the module that is loaded
 *   B.ko.tar.gz|xz|zst   the packed artifact as downloaded, when that is what the index listed
 *   B.ko.index.json      the repository's index.json the download was verified against, byte for
 *   B.ko.index.json.sig  byte, and its signature: the signed record the cache hit is checked with
 *   B.ko.sha256          SHA-256 of B.ko (the only record for a build or an unindexed download)
 * Only this loader writes there, but anyone with write access to the directory could too: a
 * cache hit is verified exactly as a download is (cache_verify()).
 */
static const char *const cache_record_suffixes[] = { ".ko.index.json", ".ko.index.json.sig",
						     ".ko.sha256", NULL };

static void cache_remove(const char *dir, const char *base)
{
	const char *const *lists[] = { locate_suffixes, cache_record_suffixes };
	char p[PATH_MAX_LEN];

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; lists[l][i]; i++)
			if (path_join(p, sizeof(p), "%s/%s%s", dir, base, lists[l][i]) >= 0)
				(void)unlink(p);
}

/* Unpacks the one module <base>.ko out of archive into ko (atomically replacing it). */
static int unpack_module(const char *archive, const char *ko, char *reason, size_t reason_size)
{
	char dir[PATH_MAX_LEN], inner[PATH_MAX_LEN];
	const char *base = strrchr(ko, '/') ? strrchr(ko, '/') + 1 : ko;
	int r;

	r = path_join(dir, sizeof(dir), "%s.unpackXXXXXX", ko);
	if (r < 0)
		return r;
	if (!mkdtemp(dir))
		return negative_errno();
	r = unpack_archive(archive, dir, NULL, reason, reason_size);
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
	return r == -EPERM || r == -EFBIG ? -EBADMSG : r;
}

/* Writes B.ko.sha256 for ko. */
static int cache_write_sha256(const char *ko)
{
	char hex[SHA256_HEX_LEN + 1], shafile[PATH_MAX_LEN], line[SHA256_HEX_LEN + 2];
	int r;

	r = sha256_file(ko, hex, NULL);
	if (r < 0)
		return r;
	r = path_join(shafile, sizeof(shafile), "%s.sha256", ko);
	if (r < 0)
		return r;
	snprintf(line, sizeof(line), "%s\n", hex);
	return write_file_atomic(shafile, line, strlen(line), 0644);
}

/*
 * Checks the cached B.ko with its signed record, as try_repo() checks a download with the
 * repository's index: the recorded index.json's signature (with a key, unless the policy is off;
 * required unless the policy is if-signed), its driver version and arch, then the size and
 * SHA-256 of the artifact it lists (a packed one is unpacked again into B.ko). Without a recorded
 * index, B.ko.sha256 stands in for the .sha256 an unindexed repository serves, which is not enough
 * when a key and policy 'required' are set. 0: verified; -ENOENT: nothing cached; -EBADMSG with
 * the reason otherwise.
 */
static int cache_verify(const struct locate_opts *o, const char *dir, const char *base,
			const char *ko, char *reason, size_t reason_size)
{
	_cleanup_free_ char *data = NULL, *sig = NULL, *want = NULL;
	char p[PATH_MAX_LEN], hex[SHA256_HEX_LEN + 1];
	size_t len = 0, siglen = 0;
	struct index idx = {};
	const char *why = NULL;
	bool any = false;
	uint64_t got;
	int r;

	r = path_join(p, sizeof(p), "%s/%s.ko.index.json", dir, base);
	if (r < 0)
		return r;
	r = read_file_full(p, INDEX_MAX_BYTES, &data, &len);
	if (r < 0 && r != -ENOENT) {
		snprintf(reason, reason_size, "cannot read its recorded index.json: %s", strerror(-r));
		return -EBADMSG;
	}
	if (!data) {
		/* No signed record: a build, an unindexed download, an older loader, or by hand. */
		if (access(ko, F_OK) < 0)
			return -ENOENT;
		if (o->public_key && o->policy == VERIFY_REQUIRED) {
			snprintf(reason, reason_size,
				 "no signed record (index.json and its signature) beside it, and the policy is 'required'");
			return -EBADMSG;
		}
		r = path_join(p, sizeof(p), "%s.sha256", ko);
		if (r < 0)
			return r;
		if (read_file_full(p, 256, &want, NULL) < 0) {
			snprintf(reason, reason_size, "no recorded SHA-256 (%.900s.ko.sha256) beside it", base);
			return -EBADMSG;
		}
		r = sha256_file(ko, hex, NULL);
		if (r < 0)
			return r;
		if (strlen(want) < SHA256_HEX_LEN || strncmp(want, hex, SHA256_HEX_LEN) != 0) {
			snprintf(reason, reason_size, "does not match its recorded SHA-256");
			return -EBADMSG;
		}
		return 0;
	}

	if (o->public_key && o->policy != VERIFY_OFF) {
		r = path_join(p, sizeof(p), "%s/%s.ko.index.json.sig", dir, base);
		if (r < 0)
			return r;
		r = read_file_full(p, 1024, &sig, &siglen);
		if (r == -ENOENT && o->policy == VERIFY_REQUIRED) {
			snprintf(reason, reason_size,
				 "its recorded index.json is not signed and the policy is 'required'");
			return -EBADMSG;
		} else if (r == -ENOENT) {
			log_warning("Cached '%s': its recorded index.json is not signed: using it unsigned (policy if-signed)",
				    ko);
		} else if (r < 0 || sig_verify(o->public_key, data, len, (const uint8_t *)sig, siglen) < 0) {
			snprintf(reason, reason_size,
				 "bad signature on its recorded index.json (not signed by the configured key)");
			return -EBADMSG;
		}
	}
	if (index_parse(data, len, &idx, &why) < 0) {
		snprintf(reason, reason_size, "its recorded index.json: %s", why);
		return -EBADMSG;
	}
	if (!streq(idx.driver_version, o->driver_version) || !streq(idx.arch, o->target->arch)) {
		snprintf(reason, reason_size, "its recorded index.json is for %.100s/%.60s",
			 idx.driver_version, idx.arch);
		index_done(&idx);
		return -EBADMSG;
	}
	r = -ENOENT;
	for (size_t i = 0; locate_suffixes[i]; i++) {
		char name[PATH_MAX_LEN];
		const struct index_entry *e;

		if (path_join(name, sizeof(name), "%s%s", base, locate_suffixes[i]) < 0 ||
		    !(e = index_find(&idx, name)) ||
		    path_join(p, sizeof(p), "%s/%s", dir, name) < 0 || access(p, F_OK) < 0)
			continue;
		any = true;
		r = sha256_file(p, hex, &got);
		if (r < 0)
			break;
		if (got != e->size || !streq(hex, e->sha256)) {
			snprintf(reason, reason_size,
				 "%.300s (%llu bytes, SHA-256 %s) does not match its recorded index.json",
				 name, (unsigned long long)got, hex);
			r = -EBADMSG;
			break;
		}
		/* The module inside a packed artifact is taken out again: B.ko itself is not signed. */
		if (!streq(locate_suffixes[i], ".ko"))
			r = unpack_module(p, ko, reason, reason_size);
		break;
	}
	index_done(&idx);
	if (!any && r == -ENOENT) {
		snprintf(reason, reason_size, "no artifact its recorded index.json lists is in the cache");
		return -EBADMSG;
	}
	if (r == -EBADMSG)
		return r;
	if (r < 0) {
		snprintf(reason, reason_size, "%s", strerror(-r));
		return -EBADMSG;
	}
	return 0;
}

int locate_cache_store(const char *dir, const char *base, const char *src)
{
	char ko[PATH_MAX_LEN];
	int r;

	r = path_join(ko, sizeof(ko), "%s/%s.ko", dir, base);
	if (r < 0)
		return r;
	r = util_mkdir_p(dir);
	if (r < 0)
		return r;
	cache_remove(dir, base);
	r = copy_file_atomic(src, ko, 0644);
	if (r >= 0)
		r = cache_write_sha256(ko);
	if (r < 0)
		cache_remove(dir, base);
	return r;
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
		return r == -EFBIG ? -EBADMSG : r; /* an oversized index is a rejected repository */
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
			return r == -EFBIG ? -EBADMSG : r;
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

/*
 * Makes a verified download (at downloaded, artifact <base><suffix>) the cache entry of base,
 * replacing what was there: the artifact, the index and signature it was verified against (the
 * signed record; NULL when the repository had no index), B.ko (unpacked from a packed artifact)
 * and B.ko.sha256. On failure nothing of the entry is left.
 */
static int cache_install(const char *dir, const char *base, const char *downloaded,
			 const char *suffix, const char *index, size_t index_len, const char *sig,
			 size_t sig_len, char *reason, size_t reason_size)
{
	char ko[PATH_MAX_LEN], artifact[PATH_MAX_LEN], p[PATH_MAX_LEN];
	int r;

	if (path_join(ko, sizeof(ko), "%s/%s.ko", dir, base) < 0 ||
	    path_join(artifact, sizeof(artifact), "%s/%s%s", dir, base, suffix) < 0) {
		unlink(downloaded);
		return -ENAMETOOLONG;
	}
	cache_remove(dir, base);
	r = rename(downloaded, artifact) < 0 ? negative_errno() : 0;
	if (r >= 0 && index) {
		r = path_join(p, sizeof(p), "%s/%s.ko.index.json", dir, base);
		if (r >= 0)
			r = write_file_atomic(p, index, index_len, 0644);
		if (r >= 0 && sig) {
			r = path_join(p, sizeof(p), "%s/%s.ko.index.json.sig", dir, base);
			if (r >= 0)
				r = write_file_atomic(p, sig, sig_len, 0644);
		}
	}
	if (r >= 0 && !streq(suffix, ".ko")) {
		r = unpack_module(artifact, ko, reason, reason_size);
		/* Without an index the archive is checked by nothing later: B.ko.sha256 is the record. */
		if (!index)
			unlink(artifact);
	}
	if (r >= 0)
		r = cache_write_sha256(ko);
	if (r < 0) {
		unlink(downloaded);
		cache_remove(dir, base);
	}
	return r;
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
static int try_repo(const struct locate_opts *o, const char *repo, const char *dir,
		    const char *base, char *source, size_t source_size)
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
				if (r == -EFBIG)
					r = -EBADMSG;
				break;
			} else if (!parse_sha256_file(body, hex)) {
				log_warning("%s: not a SHA-256 checksum file", shaurl);
				r = -EBADMSG;
				break;
			} else {
				sha = hex;
			}
		}
		r = path_join(dl, sizeof(dl), "%s/%s.download%s", dir, base, locate_suffixes[i]);
		if (r < 0)
			break;
		r = locate_download_verified(o, url, dl, size, sha, reason, sizeof(reason));
		if (r == -ENOENT && !data)
			continue; /* unindexed repo without this packing: try the next */
		if (r < 0) {
			log_warning("%s", reason);
			if (r == -ENOENT)
				r = -EBADMSG; /* listed in the index but missing: a broken mirror */
			break;
		}
		r = cache_install(dir, base, dl, locate_suffixes[i], data, len, sig, siglen, reason,
				  sizeof(reason));
		if (r < 0) {
			if (r != -EBADMSG)
				snprintf(reason, sizeof(reason), "cannot write the cache in %.900s: %s", dir,
					 strerror(-r));
			log_warning("%s: %s", url, reason);
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
	char dir[PATH_MAX_LEN], base[PATH_MAX_LEN], ko[PATH_MAX_LEN], reason[1024] = "";
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
	if (!o->skip_cache) {
		r = cache_verify(o, dir, base, ko, reason, sizeof(reason));
		if (r >= 0) {
			snprintf(ret_source, source_size, "cache");
			return path_join(ret_path, size, "%s", ko);
		}
		/* Whatever is there failed: it goes, and the module is fetched as if it never was. */
		if (r != -ENOENT)
			log_warning("Cached %s failed verification: %s: removing it and fetching it again",
				    ko, r == -EBADMSG ? reason : strerror(-r));
		cache_remove(dir, base);
	}
	r = util_mkdir_p(dir);
	if (r < 0)
		return log_error_errno(r, "Failed to create cache directory '%s': %m", dir);
	for (size_t i = 0; i < o->repos->n; i++) {
		r = try_repo(o, o->repos->urls[i], dir, base, ret_source, source_size);
		if (r >= 0)
			return path_join(ret_path, size, "%s", ko);
		if (r == -EBADMSG)
			rejected = true;
	}
	return rejected ? -EBADMSG : -ENOENT;
}
