// SPDX-License-Identifier: Apache-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bpf_stats.h"

int bpf_stats_open(struct bpf_stats *s)
{
	int fd;

	*s = (struct bpf_stats){.stats_fd = -1};
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return fd;
	s->stats_fd = fd;
	bpf_stats_refresh(s);
	return 0;
}

void bpf_stats_close(struct bpf_stats *s)
{
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	s->stats_fd = -1;
	s->n = 0;
}

/* The prog_id of a BPF link fd's fdinfo, 0 if it is not a link. */
static uint32_t link_prog_id(int dfd, const char *name, char *attach, size_t size)
{
	char buf[1024];
	unsigned long v = 0;
	bool link = false;
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	attach[0] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "link_id:", 8) == 0)
			link = true;
		else if (sscanf(line, "prog_id: %lu", &v) == 1)
			;
		else if (strncmp(line, "tp_name:", 8) == 0) {
			const char *t = line + 8;

			while (*t == ' ' || *t == '\t')
				t++;
			snprintf(attach, size, "%s", t);
		}
	}
	return link ? (uint32_t)v : 0;
}

void bpf_stats_refresh(struct bpf_stats *s)
{
	DIR *d = opendir("/proc/self/fdinfo");
	struct dirent *de;

	s->n = 0;
	if (!d)
		return;
	while ((de = readdir(d)) && s->n < BPF_STATS_PROGS_MAX) {
		char attach[32];
		uint32_t id;
		bool dup = false;

		if (de->d_name[0] == '.')
			continue;
		id = link_prog_id(dirfd(d), de->d_name, attach, sizeof(attach));
		for (size_t i = 0; i < s->n && !dup; i++)
			dup = s->progs[i].id == id;
		if (!id || dup)
			continue;
		s->progs[s->n] = (struct bpf_prog_stat){.id = id};
		snprintf(s->progs[s->n].attach, sizeof(s->progs[s->n].attach), "%s", attach);
		s->n++;
	}
	closedir(d);
	bpf_stats_read(s);
}

void bpf_stats_read(struct bpf_stats *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct bpf_prog_stat *p = &s->progs[i];
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(p->id);

		p->run_cnt = p->run_time_ns = p->recursion_misses = 0;
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			p->run_cnt = info.run_cnt;
			p->run_time_ns = info.run_time_ns;
			p->recursion_misses = info.recursion_misses;
			snprintf(p->name, sizeof(p->name), "%s", info.name);
		}
		close(fd);
	}
}
