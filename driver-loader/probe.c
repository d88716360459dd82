// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kmod_load.h"
#include "log.h"
#include "probe.h"
#include "util.h"

const char *driver_kind_to_string(enum driver_kind k)
{
	return k == DRIVER_EBPF ? "ebpf" : "kmod";
}

_printf_(2, 0) static int libbpf_print_cb(enum libbpf_print_level level, const char *fmt,
					   va_list ap)
{
	char buf[1024];
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

/* Loads "r0 = 0; exit" as tp_btf/sys_enter: the kernel checks BTF-typed raw tracepoints work. */
static int probe_tp_btf(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int id, fd;

	if (!vmlinux)
		return -errno ? -errno : -ENOENT;
	id = btf__find_by_name_kind(vmlinux, "btf_trace_sys_enter", BTF_KIND_TYPEDEF);
	btf__free(vmlinux);
	if (id < 0)
		return -ENOENT;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = (__u32)id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "osp_probe", "GPL", insns, ARRAY_SIZE(insns),
			   &opts);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

void probe_run(struct probe_result *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	libbpf_set_print(libbpf_print_cb);
	ret->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	ret->ringbuf = r == 1;
	ret->ringbuf_error = r == 1 ? 0 : r < 0 ? r : -EOPNOTSUPP;
	if (ret->btf) {
		r = probe_tp_btf();
		ret->tp_btf = r >= 0;
		ret->tp_btf_error = r < 0 ? r : 0;
	} else {
		ret->tp_btf_error = -ENOENT;
	}
	ret->modules = kmod_kernel_has_module_support();
}

int probe_choose(const struct probe_result *p, enum driver_kind *ret, char *reason, size_t size)
{
	char why_not_bpf[192];

	if (p->btf && p->ringbuf && p->tp_btf) {
		*ret = DRIVER_EBPF;
		snprintf(reason, size, "kernel has BTF, BPF ring buffer and tp_btf programs%s",
			 p->modules ? "" : "; kernel module not possible: kernel has no loadable module support");
		return 0;
	}
	if (!p->btf)
		snprintf(why_not_bpf, sizeof(why_not_bpf), "kernel has no BTF (/sys/kernel/btf/vmlinux)");
	else if (!p->ringbuf)
		snprintf(why_not_bpf, sizeof(why_not_bpf), "BPF ring buffer unavailable (%s)",
			 strerror(-p->ringbuf_error));
	else
		snprintf(why_not_bpf, sizeof(why_not_bpf), "tp_btf programs do not load (%s)",
			 strerror(-p->tp_btf_error));
	if (p->modules) {
		*ret = DRIVER_KMOD;
		snprintf(reason, size, "eBPF probe cannot run: %s", why_not_bpf);
		return 0;
	}
	snprintf(reason, size, "eBPF probe cannot run (%s) and kernel has no loadable module support",
		 why_not_bpf);
	return -EOPNOTSUPP;
}
