/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader's decision, handed to the runtime through a shared volume.
 *
 * File: /var/run/osprey/driver (override with --choice-file). Written
 * atomically (temporary file + rename) so the runtime never sees half of it.
 * Format: UTF-8 text, one "key=value" per line, no quoting, no spaces around
 * '=', values end at the newline; lines starting with '#' are comments;
 * readers ignore unknown keys (new keys may be added, never renamed):
 *
 *   format=1                       this format's version
 *   driver=ebpf|kmod               which driver the runtime must open
 *   path=/root/.osprey/...ko       kmod: the module that was inserted; ebpf: empty
 *                                  (the probe is built into the runtime)
 *   module=osprey                  kmod: the module name (for /dev/<module>*)
 *   api_version=1.0.0              driver API version the loader checked against
 *   kernel_release=6.1.0-13-amd64  the running kernel (uname -r)
 *   reason=...                     one line: why this driver was chosen
 */
#pragma once

#include <stddef.h>

#define CHOICE_DEFAULT_PATH "/var/run/osprey/driver"
#define CHOICE_FORMAT 1

struct driver_choice {
	char driver[8];
	char path[4096];
	char module[64];
	char api_version[32];
	char kernel_release[256];
	char reason[512];
};

/* Writes the file atomically, creating its directory. -EINVAL if a value holds a newline. */
int choice_write(const char *path, const struct driver_choice *c);
/* Reads it back; -EBADMSG for a malformed line or a missing/unknown driver. */
int choice_read(const char *path, struct driver_choice *ret);
