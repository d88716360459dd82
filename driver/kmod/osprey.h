/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the osprey kernel module.
 *
 *   osprey_main.c  module parameters, load/unload, /dev/osprey<cpu>, ioctls, mmap
 *   ring.c         per-CPU ring buffers (control page + double-mapped data area)
 *   probes.c       tracepoint probes: sys_exit, sched_process_fork/exec/exit
 *   fill.c         the record builder and the table-driven syscall filler
 *   proc.c         PROC_FORK, PROC_EXEC and PROC_EXIT records
 */
#ifndef OSPREY_KMOD_H
#define OSPREY_KMOD_H

#include <linux/types.h>
#include <linux/mutex.h>

#include "osprey_schema.h"
#include "osprey_kmod_abi.h"

#define OSP_DRIVER_VERSION "0.1.0"

struct page;
struct task_struct;
struct linux_binprm;
struct pt_regs;

/* One CPU's buffer for one consumer. */
struct osp_ring {
	struct osp_kmod_ctrl *ctrl; /* the control page (page_address of ctrl_page) */
	struct page *ctrl_page;
	struct page **pages;        /* npages data pages */
	unsigned long npages;
	u8 *data;                   /* vmap of pages twice back to back */
	u64 size;                   /* npages * PAGE_SIZE, a power of two */
	unsigned int cpu;
};

/*
 * A consumer: one process reading all CPUs' buffers. Settings are written
 * under osp_consumers_lock and read locklessly by the probes (READ_ONCE);
 * the interest array is only changed while the consumer is stopped, or
 * byte by byte, which a probe may see half-updated: harmless.
 */
struct osp_consumer {
	pid_t owner;                 /* tgid of the process holding it; 0 = free */
	unsigned int nopen;          /* open files of the owner */
	int running;
	u32 snaplen;
	pid_t ignore_tgid;
	u32 proc_events;             /* OSP_KMOD_PROC_* */
	u8 interest[OSP_SYSCALL_MAX];
	struct osp_ring **rings;     /* indexed by CPU, NULL for impossible CPUs */
};

extern struct osp_consumer *osp_consumers;
extern unsigned int osp_nconsumers;
extern struct mutex osp_consumers_lock;

/* ring.c */
int osp_ring_alloc(unsigned int cpu, u64 size, struct osp_ring **ret);
void osp_ring_free(struct osp_ring *ring);
void osp_ring_reset(struct osp_ring *ring);
/* Copies a finished record (hdr.len bytes) into the ring, or counts a drop. Preemption off. */
void osp_ring_commit(struct osp_ring *ring, const void *rec, u32 len);

/* probes.c */
/* Finds the tracepoints, allocates per-CPU scratch (load); osp_probes_exit() frees it. */
int osp_probes_init(void);
void osp_probes_exit(void);
/* Attaches and detaches the probes; detaching waits for probes in flight. */
int osp_probes_register(void);
void osp_probes_unregister(void);
/* Waits until no probe still runs with settings read before this call. */
void osp_probes_sync(void);

/* fill.c: the record builder over a per-CPU scratch buffer. */
struct osp_rec {
	u8 *buf;                     /* OSP_EVENT_MAX_LEN bytes */
	u32 pos;                     /* end of the values written so far */
	u16 nparams;
	u16 idx;                     /* next parameter */
	u32 snaplen;
	int error;                   /* -E2BIG when the record cannot hold a value */
	struct osp_counters *cnt;    /* faults and truncations go here */
	char *tmp;                   /* OSP_STR_MAX bytes of per-CPU scratch for paths */
};

void osp_rec_begin(struct osp_rec *r, u16 type, u16 nparams, u32 tid, u32 pid);
/* Finishes the record: pads to 8, fills len; returns the length or -E2BIG. */
int osp_rec_end(struct osp_rec *r);
void osp_rec_put(struct osp_rec *r, const void *val, u32 len);
void osp_rec_put_u32(struct osp_rec *r, u32 v);
void osp_rec_put_u64(struct osp_rec *r, u64 v);
void osp_rec_put_s64(struct osp_rec *r, s64 v);
void osp_rec_put_empty(struct osp_rec *r);
/* A kernel string, cut at max bytes (NUL included) and flagged if longer. */
void osp_rec_put_kstr(struct osp_rec *r, const char *s, u32 max);
/* A user string, cut at max bytes (NUL included); a fault leaves the value empty. */
void osp_rec_put_ustr(struct osp_rec *r, const char __user *s, u32 max);
/* User bytes [start, end), cut at max. */
void osp_rec_put_ubytes(struct osp_rec *r, unsigned long start, unsigned long end, u32 max);

/*
 * Fills a syscall event for the current task at sys_exit. Returns the
 * record length, 0 when the event is not produced (filtered by its
 * semantics: a successful execve, fcntl other than F_DUPFD...), or -errno.
 */
int osp_fill_syscall(struct osp_rec *r, u16 type, struct pt_regs *regs, long ret);

/* proc.c */
int osp_fill_fork(struct osp_rec *r, struct task_struct *parent, struct task_struct *child);
int osp_fill_exec(struct osp_rec *r, struct task_struct *p, pid_t old_pid,
		  struct linux_binprm *bprm);
int osp_fill_exit(struct osp_rec *r, struct task_struct *p);

#endif /* OSPREY_KMOD_H */
