// SPDX-License-Identifier: Apache-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "index.h"
#include "log.h"
#include "util.h"

static void json_object_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

bool index_name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= INDEX_NAME_MAX || name[0] == '.')
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._+~-", *c)))
			return false;
	return true;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != SHA256_HEX_LEN)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct index_entry *)a)->name, ((const struct index_entry *)b)->name);
}

/* Gets a string member; false when absent, not a string or too long. */
static bool get_str(struct json_object *o, const char *key, char *buf, size_t size)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= size || strlen(s) != (size_t)json_object_get_string_len(v))
		return false;
	memcpy(buf, s, strlen(s) + 1);
	return true;
}

int index_parse(const char *data, size_t size, struct index *ret, const char **ret_reason)
{
	_cleanup_json_ struct json_object *root = NULL;
	struct json_tokener *tok;
	struct json_object *v, *arts;
	struct index idx = {};
	const char *reason = NULL;
	size_t n;

#define FAIL(msg)                                                                                  \
	do {                                                                                       \
		reason = (msg);                                                                    \
		goto fail;                                                                         \
	} while (0)

	if (size > INDEX_MAX_BYTES)
		FAIL("index is larger than 4 MiB");
	tok = json_tokener_new_ex(8);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, data, (int)size);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != size) {
		/* Trailing whitespace is fine. */
		size_t end = root ? json_tokener_get_parse_end(tok) : 0;
		bool only_ws = root != NULL;
		for (size_t i = end; only_ws && i < size; i++)
			if (!strchr(" \t\r\n", data[i]))
				only_ws = false;
		json_tokener_free(tok);
		if (!only_ws)
			FAIL("index is not valid JSON");
	} else {
		json_tokener_free(tok);
	}
	if (!json_object_is_type(root, json_type_object))
		FAIL("index is not a JSON object");
	if (!json_object_object_get_ex(root, "format", &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != INDEX_FORMAT)
		FAIL("index \"format\" is missing or not 1");
	if (!get_str(root, "driver_version", idx.driver_version, sizeof(idx.driver_version)))
		FAIL("index \"driver_version\" is missing or not a string");
	if (!get_str(root, "arch", idx.arch, sizeof(idx.arch)))
		FAIL("index \"arch\" is missing or not a string");
	if (!json_object_object_get_ex(root, "artifacts", &arts) ||
	    !json_object_is_type(arts, json_type_array))
		FAIL("index \"artifacts\" is missing or not an array");
	n = json_object_array_length(arts);
	if (n > INDEX_MAX_ENTRIES)
		FAIL("index lists more than 65536 artifacts");
	if (n > 0) {
		idx.entries = calloc(n, sizeof(*idx.entries));
		if (!idx.entries)
			return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(arts, i);
		struct index_entry *e = &idx.entries[i];
		int64_t sz;

		if (!json_object_is_type(a, json_type_object))
			FAIL("index artifact is not an object");
		if (!get_str(a, "name", e->name, sizeof(e->name)) || !index_name_is_valid(e->name))
			FAIL("index artifact \"name\" is missing or not a plain file name");
		if (!get_str(a, "sha256", e->sha256, sizeof(e->sha256)) || !is_hex64(e->sha256))
			FAIL("index artifact \"sha256\" is not 64 lowercase hex digits");
		if (!json_object_object_get_ex(a, "size", &v) ||
		    !json_object_is_type(v, json_type_int))
			FAIL("index artifact \"size\" is missing or not an integer");
		errno = 0;
		sz = json_object_get_int64(v);
		if (sz < 0 || errno != 0)
			FAIL("index artifact \"size\" is negative or out of range");
		e->size = (uint64_t)sz;
		idx.n++;
	}
	if (idx.n > 0)
		qsort(idx.entries, idx.n, sizeof(*idx.entries), entry_cmp);
	for (size_t i = 1; i < idx.n; i++)
		if (streq(idx.entries[i - 1].name, idx.entries[i].name))
			FAIL("index lists the same artifact twice");
	*ret = idx;
	return 0;
fail:
#undef FAIL
	index_done(&idx);
	if (ret_reason)
		*ret_reason = reason;
	return -EBADMSG;
}

void index_done(struct index *idx)
{
	free(idx->entries);
	idx->entries = NULL;
	idx->n = 0;
}

const struct index_entry *index_find(const struct index *idx, const char *name)
{
	struct index_entry key;

	if (strlen(name) >= sizeof(key.name) || idx->n == 0)
		return NULL;
	memcpy(key.name, name, strlen(name) + 1);
	return bsearch(&key, idx->entries, idx->n, sizeof(*idx->entries), entry_cmp);
}

static bool is_artifact_name(const char *name)
{
	return index_name_is_valid(name) && !startswith(name, "index.json") &&
	       !endswith(name, ".sha256") && !strstr(name, ".tmp");
}

int index_build_dir(const char *dir, const char *driver_version, const char *arch,
		    struct index *ret)
{
	DIR *d = opendir(dir);
	struct index idx = {};
	size_t cap = 0;
	struct dirent *de;
	int r = 0;

	if (!d)
		return negative_errno();
	if (path_join(idx.driver_version, sizeof(idx.driver_version), "%s", driver_version) < 0 ||
	    path_join(idx.arch, sizeof(idx.arch), "%s", arch) < 0) {
		closedir(d);
		return -ENAMETOOLONG;
	}
	while ((de = readdir(d))) {
		char p[PATH_MAX_LEN];
		struct stat st;
		struct index_entry *e;

		if (!is_artifact_name(de->d_name))
			continue;
		r = path_join(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (r < 0)
			break;
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (idx.n >= INDEX_MAX_ENTRIES) {
			r = -E2BIG;
			break;
		}
		if (idx.n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct index_entry *ne = realloc(idx.entries, ncap * sizeof(*ne));
			if (!ne) {
				r = -ENOMEM;
				break;
			}
			idx.entries = ne;
			cap = ncap;
		}
		e = &idx.entries[idx.n];
		memset(e, 0, sizeof(*e));
		memcpy(e->name, de->d_name, strlen(de->d_name) + 1);
		r = sha256_file(p, e->sha256, &e->size);
		if (r < 0)
			break;
		idx.n++;
	}
	closedir(d);
	if (r < 0) {
		index_done(&idx);
		return r;
	}
	if (idx.n > 0)
		qsort(idx.entries, idx.n, sizeof(*idx.entries), entry_cmp);
	*ret = idx;
	return 0;
}

int index_to_json(const struct index *idx, char **ret, size_t *ret_size)
{
	_cleanup_json_ struct json_object *root = json_object_new_object();
	struct json_object *arts = json_object_new_array();
	const char *s;
	size_t len;

	if (!root || !arts) {
		json_object_put(arts);
		return -ENOMEM;
	}
	/* json_object_object_add() steals the reference of the value in every call below. */
	json_object_object_add(root, "format", json_object_new_int(INDEX_FORMAT));
	json_object_object_add(root, "driver_version", json_object_new_string(idx->driver_version));
	json_object_object_add(root, "arch", json_object_new_string(idx->arch));
	json_object_object_add(root, "artifacts", arts);
	for (size_t i = 0; i < idx->n; i++) {
		struct json_object *a = json_object_new_object();
		if (!a)
			return -ENOMEM;
		json_object_object_add(a, "name", json_object_new_string(idx->entries[i].name));
		json_object_object_add(a, "size", json_object_new_int64((int64_t)idx->entries[i].size));
		json_object_object_add(a, "sha256", json_object_new_string(idx->entries[i].sha256));
		json_object_array_add(arts, a); /* steals a */
	}
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	*ret = malloc(len + 2);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, s, len);
	(*ret)[len] = '\n';
	(*ret)[len + 1] = '\0';
	if (ret_size)
		*ret_size = len + 1;
	return 0;
}
