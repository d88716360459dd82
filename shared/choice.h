/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader's decision, handed to the runtime through a shared volume.
 *
 * Written by osprey-driver-loader (--choice-file), read by osprey at start
 * (--driver-choice, config key driver_choice_file); both default to
 * /var/run/osprey/driver, a volume shared by the two containers. Written
 * atomically (temporary file + rename) so the runtime never sees half of it.
 * Format: UTF-8 text, one "key=value" per line, no quoting, no spaces around
 * '=', values end at the newline; lines starting with '#' are comments;
 * readers ignore unknown keys (new keys may be added, never renamed):
 *
 *   format=1                       this format's version
 *   driver=ebpf|kmod               which driver the runtime must open
 *   path=/root/.osprey/...ko       kmod: the module that was inserted; ebpf: empty
 *                                  (the probe is built into the runtime)
 *   module=osprey                  kmod: the module name (devices /dev/<module><cpu>)
 *   dev_dir=/dev                   kmod: the directory holding those devices
 *   api_version=1.0.0              driver API version the loader checked against
 *   kernel_release=6.1.0-13-amd64  the running kernel (uname -r)
 *   reason=...                     one line: why this driver was chosen
 */
#pragma once

#include <stddef.h>

#define CHOICE_DEFAULT_PATH "/var/run/osprey/driver"
#define CHOICE_FORMAT	    1
#define CHOICE_FILE_MAX	    16384 /* bytes; a larger file is not a choice file */

struct driver_choice {
	char driver[8];
	char path[4096];
	char module[64];
	char dev_dir[4096];
	char api_version[32];
	char kernel_release[256];
	char reason[512];
};

/*
 * choice_write() - writes the file atomically, creating its directory.
 * Returns 0, -EINVAL if the driver is not ebpf/kmod or a value holds a newline, or -errno.
 */
int choice_write(const char *path, const struct driver_choice *c);

/*
 * choice_read() - reads a choice file into *ret.
 * Returns 0; -ENOENT when there is none; -EFBIG when it is larger than CHOICE_FILE_MAX;
 * -EBADMSG for a line without '=', a value too long for its field, or a missing or unknown
 * driver (*ret_line, if not NULL, is then the line at fault, or 0 for the driver); -errno.
 */
int choice_read(const char *path, struct driver_choice *ret, unsigned *ret_line);

/*
 * choice_api_major() - the major number of an "X.Y.Z" api_version.
 * Returns 0 and *ret, or -EINVAL when the value does not start with a number and a dot.
 */
int choice_api_major(const char *api_version, unsigned *ret);
