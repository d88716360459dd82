/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Repository URLs in Falco's driver repository layout:
 *   <repo>/<driver version>/<arch>/<artifact name>   ('+' escaped as %2B)
 * Repositories are file://, http:// or https:// URLs.
 */
#pragma once

#include <stddef.h>

#define REPO_MAX 16

struct repo_list {
	char *urls[REPO_MAX]; /* owned */
	size_t n;
};

/* Appends one repository URL (trailing '/' removed). -EINVAL for an unsupported scheme, -E2BIG when full. */
int repo_list_add(struct repo_list *l, const char *url);
/* Appends each ';'-separated URL of s (empty parts are skipped). */
int repo_list_add_many(struct repo_list *l, const char *s);
void repo_list_free(struct repo_list *l);

/* Builds <repo>/<version>/<arch>/<name>, escaping '+' in each component. -ENAMETOOLONG. */
int repo_url_build(const char *repo, const char *driver_version, const char *arch, const char *name,
		   char *buf, size_t size);
