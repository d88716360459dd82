/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading the kernel module with libkmod: check vermagic and ELF machine
 * against the running kernel first, unload an older module, insert with
 * parameters, and explain the kernel's refusals in one line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The kernel can load modules (/proc/modules exists; CONFIG_MODULES=y). */
bool kmod_kernel_has_module_support(void);

/* The vermagic string of a .ko file ("6.1.0-13-amd64 SMP preempt mod_unload modversions "). */
int kmod_file_vermagic(const char *path, char *buf, size_t size);

/*
 * Checks that the module at path fits the running kernel: -ENOEXEC with
 * *ret_reason set (static or in reason buf) when vermagic's release or the ELF
 * machine differ. release is the running `uname -r`.
 */
int kmod_check_compat(const char *path, const char *release, char *reason, size_t reason_size);

/*
 * Unloads module `name` if loaded, retrying up to `retries` times (0.5 s
 * apart) while it is busy. 0 when it is not loaded (any more), -EBUSY, -errno.
 */
int kmod_unload(const char *name, unsigned retries);

/* Inserts the module at path with params ("a=1 b=2" or NULL). -errno as the kernel said. */
int kmod_insert(const char *path, const char *params);

/* One line saying why the kernel refused a module with error r (negative errno). */
const char *kmod_explain(int r);
