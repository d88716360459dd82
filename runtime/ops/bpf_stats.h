/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.libbpf_stats_enabled: the kernel's run count and run time of osprey's own BPF
 * programs. The kernel counts only while someone holds a BPF_ENABLE_STATS fd (each program run
 * then reads the clock twice, some 20 ns: that is why it is off by default). The programs are
 * found through this process' BPF link fds (/proc/self/fdinfo: prog_id), so nothing in the
 * capture library changes; bpf_stats_refresh() after the source was reopened.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define BPF_STATS_PROGS_MAX 32

struct bpf_prog_stat {
	uint32_t id;
	char name[16];	 /* the program's name, as the kernel keeps it */
	char attach[32]; /* the tracepoint, from the link: "sys_exit"... "" when unknown */
	uint64_t run_cnt, run_time_ns, recursion_misses;
};

struct bpf_stats {
	int stats_fd; /* BPF_ENABLE_STATS, -1 when not enabled */
	struct bpf_prog_stat progs[BPF_STATS_PROGS_MAX];
	size_t n;
};

/* Turns the kernel's statistics on and finds the programs. -errno (stats_fd stays -1). */
int bpf_stats_open(struct bpf_stats *s);
void bpf_stats_close(struct bpf_stats *s);
/* Finds the programs again (after a reopen). */
void bpf_stats_refresh(struct bpf_stats *s);
/* Reads every program's counters; those that are gone read 0. */
void bpf_stats_read(struct bpf_stats *s);
