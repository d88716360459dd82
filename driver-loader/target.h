/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Target detection: which prebuilt driver fits the node. Reads the host's
 * os-release and kernel identity under a host-root prefix and applies the
 * per-distribution fix-ups that make the names match Falco's driver
 * repositories: osprey_<target>_<kernel release>_<kernel version>.ko
 */
#pragma once

#include <stddef.h>

#define TARGET_FIELD_MAX 256

struct target {
	char id[TARGET_FIELD_MAX];		/* os-release ID (lowercase), or "" */
	char version_id[TARGET_FIELD_MAX];	/* os-release VERSION_ID */
	char target[TARGET_FIELD_MAX];		/* target name used in artifact names */
	char kernel_release[TARGET_FIELD_MAX];	/* after fix-ups (uname -r like) */
	char kernel_version[TARGET_FIELD_MAX];	/* after fix-ups ("1", "83", "1_1.26.0") */
	char build_release[TARGET_FIELD_MAX];	/* release before fix-ups (option or running): headers */
	char running_release[TARGET_FIELD_MAX];	/* the running kernel, never overridden: vermagic */
	char arch[64];				/* uname -m: x86_64, aarch64 */
	const char *fixup;			/* which fix-up applied (static string) */
};

/* Inputs; NULL fields mean "detect". */
struct target_opts {
	const char *host_root;		/* "" or NULL for "/" */
	const char *kernel_release;	/* overrides $HOST_ROOT/proc/sys/kernel/osrelease and uname */
	const char *kernel_version;	/* full `uname -v` text, overrides .../kernel/version */
	const char *arch;
	const char *target;		/* force the target name, no fix-ups of it */
};

/*
 * Detects the target. Kernel release and version come from opts, else from
 * $HOST_ROOT/proc/sys/kernel/{osrelease,version}, else uname(2). The options
 * change the artifact names and the headers looked for, not running_release. Returns 0 or
 * -errno (-EINVAL for unusable values, naming them in a debug log).
 */
int target_detect(const struct target_opts *opts, struct target *ret);

/* Applies the fix-ups to an already filled struct (os-release fields, raw uname strings). Exposed for tests. */
int target_fixup(struct target *t, const char *host_root, const char *os_variant_id,
		 const char *os_build_id, const char *uname_v);

/* "<name>_<target>_<release>_<version>.ko" into buf (unescaped). -ENAMETOOLONG if it does not fit. */
int target_artifact_name(const struct target *t, const char *driver_name, const char *suffix,
			 char *buf, size_t size);

/* Reads KEY=value (quotes removed) from an os-release file. Returns 0, -ENOENT if absent, -errno. */
int os_release_get(const char *path, const char *key, char *buf, size_t size);
