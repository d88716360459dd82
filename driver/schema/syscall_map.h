/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/* Selects the syscall -> event table of the architecture being built for. */
#ifndef OSPREY_SYSCALL_MAP_H
#define OSPREY_SYSCALL_MAP_H

#if defined(__TARGET_ARCH_x86) || defined(__x86_64__) || defined(CONFIG_X86_64)
#include "syscalls_x86_64.h"
#else
#error "Osprey has no syscall table for this architecture: add driver/schema/syscalls_<arch>.h"
#endif

#endif /* OSPREY_SYSCALL_MAP_H */
