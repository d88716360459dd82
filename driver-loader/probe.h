/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Feature probe: what the running kernel can do, tested by asking it (BTF
 * present, a BPF ring buffer map created, a tp_btf program loaded), not by
 * comparing version numbers. Decides eBPF or kernel module in `auto`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct probe_result {
	bool btf;	/* /sys/kernel/btf/vmlinux */
	bool ringbuf;	/* BPF_MAP_TYPE_RINGBUF */
	bool tp_btf;	/* BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP on btf_trace_sys_enter */
	bool modules;	/* loadable module support */
	int ringbuf_error, tp_btf_error; /* -errno when the probe failed */
};

enum driver_kind {
	DRIVER_EBPF,
	DRIVER_KMOD,
};

const char *driver_kind_to_string(enum driver_kind k);

/* Runs all probes (needs CAP_BPF or root for the BPF ones; failures are recorded, not fatal). */
void probe_run(struct probe_result *ret);

/*
 * Picks the driver for `auto`: eBPF when BTF, ring buffer and tp_btf all work,
 * else the kernel module when modules are supported. Writes a one-line reason.
 * -EOPNOTSUPP when neither can work (reason says why).
 */
int probe_choose(const struct probe_result *p, enum driver_kind *ret, char *reason, size_t size);
