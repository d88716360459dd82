// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracepoint probes. The tracepoints are found at load with
 * for_each_kernel_tracepoint() (they are not exported symbols) and the
 * probes are attached while at least one consumer captures.
 *
 * A probe builds each record in a per-CPU scratch buffer, then copies it
 * into the running consumers' ring of this CPU. Probes run with preemption
 * disabled (taken explicitly: newer kernels call syscall tracepoints
 * preemptible) and never nest on one CPU, so a ring has one producer.
 */
#include <linux/compat.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <asm/syscall.h>

#include "osprey.h"
#include "syscall_map.h"

struct osp_scratch {
	int busy;
	u8 rec[OSP_EVENT_MAX_LEN + 16]; /* +16: strncpy_from_user_nofault()'s extra byte */
	char path[OSP_STR_MAX];
};

enum osp_probe_kind {
	OSP_PROBE_SYSCALL,
	OSP_PROBE_FORK,
	OSP_PROBE_EXEC,
	OSP_PROBE_EXIT,
};

/* What one probe saw, handed to the filler of each consumer. */
struct osp_probe_ctx {
	enum osp_probe_kind kind;
	u16 type;                   /* OSP_PROBE_SYSCALL: the event id */
	u32 nr;                     /* OSP_PROBE_SYSCALL: the syscall number */
	long ret;
	struct pt_regs *regs;
	struct task_struct *task;   /* FORK: the parent; EXEC, EXIT: the task */
	struct task_struct *child;  /* FORK */
	pid_t old_pid;              /* EXEC */
	struct linux_binprm *bprm;  /* EXEC */
	pid_t tgid;                 /* the thread group acting (FORK: the parent's) */
};

static struct osp_scratch **osp_scratch;

static bool osp_consumer_wants(const struct osp_consumer *c, const struct osp_probe_ctx *ctx)
{
	pid_t ignore = READ_ONCE(c->ignore_tgid);

	if (ignore && ignore == ctx->tgid)
		return false;
	switch (ctx->kind) {
	case OSP_PROBE_SYSCALL:
		return READ_ONCE(c->interest[ctx->nr]);
	case OSP_PROBE_FORK:
		return READ_ONCE(c->proc_events) & OSP_KMOD_PROC_FORK;
	case OSP_PROBE_EXEC:
		return READ_ONCE(c->proc_events) & OSP_KMOD_PROC_EXEC;
	case OSP_PROBE_EXIT:
		return READ_ONCE(c->proc_events) & OSP_KMOD_PROC_EXIT;
	}
	return false;
}

static int osp_probe_fill(struct osp_rec *r, const struct osp_probe_ctx *ctx)
{
	switch (ctx->kind) {
	case OSP_PROBE_SYSCALL:
		return osp_fill_syscall(r, ctx->type, ctx->regs, ctx->ret);
	case OSP_PROBE_FORK:
		return osp_fill_fork(r, ctx->task, ctx->child);
	case OSP_PROBE_EXEC:
		return osp_fill_exec(r, ctx->task, ctx->old_pid, ctx->bprm);
	case OSP_PROBE_EXIT:
		return osp_fill_exit(r, ctx->task);
	}
	return 0;
}

static void osp_dispatch(const struct osp_probe_ctx *ctx)
{
	struct osp_scratch *s;
	unsigned int cpu, i;

	preempt_disable_notrace();
	cpu = smp_processor_id();
	s = osp_scratch[cpu];
	if (!s || s->busy)
		goto out;
	s->busy = 1;
	for (i = 0; i < osp_nconsumers; i++) {
		struct osp_consumer *c = &osp_consumers[i];
		struct osp_ring *ring;
		struct osp_rec r;
		int len;

		if (!READ_ONCE(c->running) || !osp_consumer_wants(c, ctx))
			continue;
		ring = c->rings[cpu];
		if (!ring)
			continue;
		r.buf = s->rec;
		r.tmp = s->path;
		r.snaplen = READ_ONCE(c->snaplen);
		r.cnt = &ring->ctrl->counters;
		len = osp_probe_fill(&r, ctx);
		if (len > 0)
			osp_ring_commit(ring, s->rec, len);
		else if (len == -E2BIG)
			ring->ctrl->counters.drops_too_big++;
	}
	s->busy = 0;
out:
	preempt_enable_notrace();
}

static void osp_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct osp_probe_ctx ctx = { .kind = OSP_PROBE_SYSCALL, .regs = regs, .ret = ret };
	long nr;

	/* The syscall map is the native one: 32-bit compat calls are not traced. */
	if (in_compat_syscall())
		return;
	nr = syscall_get_nr(current, regs);
	if (nr < 0 || nr >= OSP_SYSCALL_MAX || !osp_syscall_to_event[nr])
		return;
	ctx.nr = nr;
	ctx.type = osp_syscall_to_event[nr];
	ctx.tgid = current->tgid;
	osp_dispatch(&ctx);
}

static void osp_probe_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct osp_probe_ctx ctx = {
		.kind = OSP_PROBE_FORK, .task = parent, .child = child, .tgid = parent->tgid,
	};

	osp_dispatch(&ctx);
}

static void osp_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			   struct linux_binprm *bprm)
{
	struct osp_probe_ctx ctx = {
		.kind = OSP_PROBE_EXEC, .task = p, .old_pid = old_pid, .bprm = bprm,
		.tgid = p->tgid,
	};

	osp_dispatch(&ctx);
}

static void osp_probe_exit(void *data, struct task_struct *p)
{
	struct osp_probe_ctx ctx = { .kind = OSP_PROBE_EXIT, .task = p, .tgid = p->tgid };

	osp_dispatch(&ctx);
}

struct osp_tracepoint {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct osp_tracepoint osp_tracepoints[] = {
	{ .name = "sys_exit", .probe = osp_probe_sys_exit },
	{ .name = "sched_process_fork", .probe = osp_probe_fork },
	{ .name = "sched_process_exec", .probe = osp_probe_exec },
	{ .name = "sched_process_exit", .probe = osp_probe_exit },
};

static void osp_tracepoint_match(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(osp_tracepoints); i++)
		if (!strcmp(tp->name, osp_tracepoints[i].name))
			osp_tracepoints[i].tp = tp;
}

/* Finds the tracepoints and allocates the per-CPU scratch buffers (module load). */
int osp_probes_init(void)
{
	unsigned int i, cpu;

	for_each_kernel_tracepoint(osp_tracepoint_match, NULL);
	for (i = 0; i < ARRAY_SIZE(osp_tracepoints); i++) {
		if (!osp_tracepoints[i].tp) {
			pr_err("osprey: kernel tracepoint '%s' not found (needs CONFIG_FTRACE_SYSCALLS and CONFIG_TRACEPOINTS)\n",
			       osp_tracepoints[i].name);
			return -ENOENT;
		}
	}

	osp_scratch = kcalloc(nr_cpu_ids, sizeof(*osp_scratch), GFP_KERNEL);
	if (!osp_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		osp_scratch[cpu] = vzalloc_node(sizeof(struct osp_scratch), cpu_to_node(cpu));
		if (!osp_scratch[cpu]) {
			osp_probes_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* Frees what osp_probes_init() allocated; the probes are detached by then. */
void osp_probes_exit(void)
{
	unsigned int cpu;

	if (!osp_scratch)
		return;
	for_each_possible_cpu(cpu)
		vfree(osp_scratch[cpu]);
	kfree(osp_scratch);
	osp_scratch = NULL;
}

void osp_probes_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(osp_tracepoints); i++) {
		if (!osp_tracepoints[i].registered)
			continue;
		tracepoint_probe_unregister(osp_tracepoints[i].tp, osp_tracepoints[i].probe, NULL);
		osp_tracepoints[i].registered = false;
	}
	tracepoint_synchronize_unregister();
}

int osp_probes_register(void)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(osp_tracepoints); i++) {
		struct osp_tracepoint *t = &osp_tracepoints[i];

		r = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (r < 0) {
			pr_err("osprey: cannot attach to tracepoint '%s': %d\n", t->name, r);
			osp_probes_unregister();
			return r;
		}
		t->registered = true;
	}
	return 0;
}

void osp_probes_sync(void)
{
	tracepoint_synchronize_unregister();
}
