/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The interface of the osprey kernel module: /dev/osprey<cpu> character
 * devices, their ioctls and the layout of their mmap'd ring buffers.
 *
 * One device per possible CPU. A consumer (a process, identified by its
 * thread group) opens every device; the settings below (interest set,
 * snaplen, filtered tgid, running) belong to the consumer and may be set
 * through any one of its devices. Up to the module's max_consumers
 * processes can capture at the same time, each with its own ring buffers.
 *
 * Each device maps as two areas:
 *
 *   mmap(NULL, OSP_KMOD_CTRL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 *        OSP_KMOD_MMAP_CTRL)                    the control page
 *   mmap(NULL, 2 * data_size, PROT_READ, MAP_SHARED, fd,
 *        OSP_KMOD_MMAP_DATA)                    the data area, mapped twice
 *
 * The data area is data_size bytes (a power of two) mapped twice back to
 * back, so a record that wraps past the end is contiguous in memory.
 * head and tail are byte counts since capture start that only grow; a
 * record starts at data + (tail & (data_size - 1)). The producer writes a
 * record, then publishes head with a release store; the consumer loads head
 * with acquire, reads records up to it, then publishes tail with a release
 * store. head - tail <= data_size always holds for a well-behaved consumer.
 * When a record does not fit, the producer drops it and counts
 * drops_buffer; it never blocks and never overwrites unread data.
 *
 * Only fixed-width types; sizes are pinned below and in the module.
 */
#ifndef OSPREY_KMOD_ABI_H
#define OSPREY_KMOD_ABI_H

#include "osprey_schema.h"

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define OSP_KMOD_NAME "osprey"         /* module, class and device name prefix */
#define OSP_KMOD_CTRL_MAGIC 0x4f535052u /* "OSPR" */
#define OSP_KMOD_CTRL_SIZE 4096u       /* the control page; the module needs 4 KiB pages */

/* mmap offsets (bytes). */
#define OSP_KMOD_MMAP_CTRL 0ull
#define OSP_KMOD_MMAP_DATA 4096ull

/* Allowed sizes of one data area (module parameter buffer_bytes_per_cpu). */
#define OSP_KMOD_BUFFER_MIN (64u << 10)
#define OSP_KMOD_BUFFER_MAX (256u << 20)
#define OSP_KMOD_BUFFER_DEFAULT (8u << 20)
#define OSP_KMOD_CONSUMERS_MAX 16u

/* osp_kmod_interest.proc_events bits. */
#define OSP_KMOD_PROC_FORK 0x1u
#define OSP_KMOD_PROC_EXEC 0x2u
#define OSP_KMOD_PROC_EXIT 0x4u
#define OSP_KMOD_PROC_ALL 0x7u

/*
 * The control page. The producer writes head, counters and the fields in
 * the "module" block; the consumer writes tail only. Each index sits on
 * its own cache line.
 */
struct osp_kmod_ctrl {
	__u64 head;         /* producer: bytes published */
	__u64 pad_head[7];
	__u64 tail;         /* consumer: bytes consumed */
	__u64 pad_tail[7];
	/* module: constant while the device is open */
	__u32 magic;        /* OSP_KMOD_CTRL_MAGIC */
	__u32 api_version;  /* OSP_VERSION_ENCODE form */
	__u32 schema_version;
	__u32 cpu;          /* the CPU this buffer belongs to */
	__u64 data_size;    /* bytes in one copy of the data area */
	__u64 reserved[5];
	struct osp_counters counters; /* this CPU's counts for this consumer */
};

/* OSP_KMOD_IOC_GET_INFO */
struct osp_kmod_info {
	__u32 api_version;
	__u32 schema_version;
	__u32 ndevices;     /* /dev/osprey0..ndevices-1; CPUs never possible have none */
	__u32 cpu;          /* the CPU of this device */
	__u64 data_size;    /* bytes in one data area */
	__u32 max_consumers;
	__u32 snaplen_max;  /* OSP_SNAPLEN_MAX */
};

/* OSP_KMOD_IOC_SET_INTEREST: a non-zero syscalls[nr] traces system call nr. */
struct osp_kmod_interest {
	__u8 syscalls[OSP_SYSCALL_MAX];
	__u32 proc_events;  /* OSP_KMOD_PROC_* */
	__u32 reserved;     /* must be 0 */
};

#define OSP_KMOD_IOC_MAGIC 0xb7
/* Versions and geometry; usable before anything else, never fails on a valid pointer. */
#define OSP_KMOD_IOC_GET_INFO _IOR(OSP_KMOD_IOC_MAGIC, 0x01, struct osp_kmod_info)
/* Starts and stops producing for the calling consumer (idempotent). */
#define OSP_KMOD_IOC_START _IO(OSP_KMOD_IOC_MAGIC, 0x02)
#define OSP_KMOD_IOC_STOP _IO(OSP_KMOD_IOC_MAGIC, 0x03)
#define OSP_KMOD_IOC_SET_INTEREST _IOW(OSP_KMOD_IOC_MAGIC, 0x04, struct osp_kmod_interest)
/* 1..OSP_SNAPLEN_MAX bytes for argument/env arrays and byte buffers; else -EINVAL. */
#define OSP_KMOD_IOC_SET_SNAPLEN _IOW(OSP_KMOD_IOC_MAGIC, 0x05, __u32)
/* This device's (CPU's) counters for the calling consumer. */
#define OSP_KMOD_IOC_GET_STATS _IOR(OSP_KMOD_IOC_MAGIC, 0x06, struct osp_counters)
/* Events of this thread group are not produced (the consumer's own); 0 = filter nothing. */
#define OSP_KMOD_IOC_SET_IGNORE_TGID _IOW(OSP_KMOD_IOC_MAGIC, 0x07, __u32)

#ifndef __KERNEL__
_Static_assert(sizeof(struct osp_kmod_ctrl) == 256, "control block is 256 bytes");
_Static_assert(__builtin_offsetof(struct osp_kmod_ctrl, tail) == 64, "tail at 64");
_Static_assert(__builtin_offsetof(struct osp_kmod_ctrl, magic) == 128, "magic at 128");
_Static_assert(__builtin_offsetof(struct osp_kmod_ctrl, counters) == 192, "counters at 192");
_Static_assert(sizeof(struct osp_kmod_info) == 32, "info is 32 bytes");
_Static_assert(sizeof(struct osp_kmod_interest) == OSP_SYSCALL_MAX + 8, "interest size");
#endif

#endif /* OSPREY_KMOD_ABI_H */
