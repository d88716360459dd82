// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The floor for bench-overhead: the cheapest possible syscall tracer, an empty
 * tp_btf/sys_enter + tp_btf/sys_exit pair. Whatever a real probe costs above
 * this is the probe's own work (filtering, filling, ring buffer).
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_sys_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
