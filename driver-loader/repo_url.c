// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repo_url.h"
#include "util.h"

int repo_list_add(struct repo_list *l, const char *url)
{
	size_t len = strlen(url);
	char *u;

	if (!startswith(url, "file://") && !startswith(url, "http://") &&
	    !startswith(url, "https://"))
		return -EINVAL;
	if (l->n >= REPO_MAX)
		return -E2BIG;
	while (len > 0 && url[len - 1] == '/')
		len--;
	u = strndup(url, len);
	if (!u)
		return -ENOMEM;
	l->urls[l->n++] = u;
	return 0;
}

int repo_list_add_many(struct repo_list *l, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, ";");
		char part[2048];

		if (len >= sizeof(part))
			return -ENAMETOOLONG;
		memcpy(part, s, len);
		part[len] = '\0';
		if (len > 0) {
			int r = repo_list_add(l, part);
			if (r < 0)
				return r;
		}
		s += len;
		if (*s == ';')
			s++;
	}
	return 0;
}

void repo_list_free(struct repo_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->urls[i]);
	l->n = 0;
}

/* Appends s to buf at *pos with '+' escaped as %2B. */
static int append_escaped(char *buf, size_t size, size_t *pos, const char *s)
{
	for (; *s; s++) {
		const char *piece = *s == '+' ? "%2B" : NULL;
		size_t plen = piece ? 3 : 1;

		if (*pos + plen >= size)
			return -ENAMETOOLONG;
		if (piece)
			memcpy(buf + *pos, piece, 3);
		else
			buf[*pos] = *s;
		*pos += plen;
	}
	buf[*pos] = '\0';
	return 0;
}

int repo_url_build(const char *repo, const char *driver_version, const char *arch, const char *name,
		   char *buf, size_t size)
{
	size_t pos = strlen(repo);
	int r;

	if (pos + 1 >= size)
		return -ENAMETOOLONG;
	memcpy(buf, repo, pos + 1);
	const char *parts[] = { driver_version, arch, name };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		if (pos + 1 >= size)
			return -ENAMETOOLONG;
		buf[pos++] = '/';
		buf[pos] = '\0';
		r = append_escaped(buf, size, &pos, parts[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
