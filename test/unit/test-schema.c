// SPDX-License-Identifier: Apache-2.0
/* The schema: version files, and every entry of the event and syscall tables is sane. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "flag_names.h"
#include "osprey_schema.h"
#include "syscall_map.h"
#include "test.h"

static void check_version_file(const char *name, unsigned maj, unsigned min, unsigned pat)
{
	char path[1024], buf[64], want[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/driver/schema/%s", OSPREY_SOURCE_ROOT, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(want, sizeof(want), "%u.%u.%u", maj, min, pat);
	CHECK_STR_EQ(buf, want);
}

static void test_versions(void)
{
	check_version_file("API_VERSION", OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR,
			   OSP_API_VERSION_PATCH);
	check_version_file("SCHEMA_VERSION", OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,
			   OSP_SCHEMA_VERSION_PATCH);
	CHECK_INT_EQ(OSP_VERSION_MAJOR(OSP_API_VERSION), OSP_API_VERSION_MAJOR);
	CHECK_INT_EQ(OSP_VERSION_MINOR(OSP_API_VERSION), OSP_API_VERSION_MINOR);
	CHECK_INT_EQ(OSP_VERSION_PATCH(OSP_API_VERSION), OSP_API_VERSION_PATCH);
	CHECK_INT_EQ(OSP_VERSION_MAJOR(OSP_SCHEMA_VERSION), OSP_SCHEMA_VERSION_MAJOR);
	CHECK_INT_EQ(OSP_VERSION_MINOR(OSP_SCHEMA_VERSION), OSP_SCHEMA_VERSION_MINOR);
}

static void test_layout(void)
{
	CHECK_INT_EQ(sizeof(struct osp_event_hdr), 24);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, ts_ns), 0);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, tid), 8);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, pid), 12);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, len), 16);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, type), 20);
	CHECK_INT_EQ(offsetof(struct osp_event_hdr, nparams), 22);
	CHECK_INT_EQ(sizeof(struct osp_param_info), 20);
	CHECK_INT_EQ(offsetof(struct osp_param_info, type), 16);
	CHECK_INT_EQ(offsetof(struct osp_param_info, source), 17);
	CHECK_INT_EQ(offsetof(struct osp_param_info, aux), 18);
	CHECK_INT_EQ(sizeof(struct osp_event_info), OSP_NAME_MAX + 4 + OSP_MAX_PARAMS * 20);
	CHECK_INT_EQ(offsetof(struct osp_event_info, params), OSP_NAME_MAX + 4);
	CHECK_INT_EQ(sizeof(struct osp_counters), 64);
	CHECK_INT_EQ(offsetof(struct osp_counters, truncations), 32);
	CHECK(OSP_MAX_PARAMS <= 32);
	CHECK(OSP_EVENT_MAX_LEN % 8 == 0);
	CHECK(OSP_STR_MAX <= OSP_PARAM_LEN_MASK && OSP_SNAPLEN_MAX <= OSP_PARAM_LEN_MASK);
	CHECK_INT_EQ(OSP_ALIGN8(0), 0);
	CHECK_INT_EQ(OSP_ALIGN8(1), 8);
	CHECK_INT_EQ(OSP_ALIGN8(24), 24);
}

static void test_type_sizes(void)
{
	static const struct {
		uint8_t type;
		uint32_t size;
	} sizes[] = {
		{OSP_PT_NONE, 0},	   {OSP_PT_INT8, 1},	  {OSP_PT_INT16, 2},
		{OSP_PT_INT32, 4},	   {OSP_PT_INT64, 8},	  {OSP_PT_UINT8, 1},
		{OSP_PT_UINT16, 2},	   {OSP_PT_UINT32, 4},	  {OSP_PT_UINT64, 8},
		{OSP_PT_ERRNO, 8},	   {OSP_PT_FD, 8},	  {OSP_PT_DIRFD, 8},
		{OSP_PT_PID, 8},	   {OSP_PT_UID, 4},	  {OSP_PT_GID, 4},
		{OSP_PT_MODE, 4},	   {OSP_PT_FLAGS32, 4},	  {OSP_PT_FLAGS64, 8},
		{OSP_PT_ENUM32, 4},	   {OSP_PT_SIGNAL, 4},	  {OSP_PT_CAPS, 8},
		{OSP_PT_DEV, 4},	   {OSP_PT_ABSTIME, 8},	  {OSP_PT_CHARBUF, 0},
		{OSP_PT_PATH, 0},	   {OSP_PT_FSRELPATH, 0}, {OSP_PT_BYTEBUF, 0},
		{OSP_PT_CHARBUF_ARRAY, 0}, {OSP_PT_SOCKADDR, 0},  {OSP_PT_SOCKTUPLE, 0},
	};

	CHECK_INT_EQ(sizeof(sizes) / sizeof(sizes[0]), OSP_PT_TYPE_COUNT);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_INT_EQ(sizes[i].type, i);
		CHECK_INT_EQ(osp_param_type_size(sizes[i].type), sizes[i].size);
	}
	CHECK_INT_EQ(osp_param_type_size(OSP_PT_TYPE_COUNT), 0);
}

static bool is_flag_type(uint8_t t)
{
	return t == OSP_PT_FLAGS32 || t == OSP_PT_FLAGS64 || t == OSP_PT_ENUM32;
}

static void check_event(uint16_t id, const struct osp_event_info *e)
{
	bool syscall = e->flags & OSP_EF_SYSCALL;

	CHECK(memchr(e->name, '\0', OSP_NAME_MAX) != NULL);
	CHECK(e->name[0] != '\0');
	CHECK_INT_EQ(event_type_from_name(e->name), id);
	CHECK(e->nparams >= 1 && e->nparams <= OSP_MAX_PARAMS);
	CHECK(e->category >= OSP_CAT_PROCESS && e->category <= OSP_CAT_STATE);
	CHECK((e->flags & ~(OSP_EF_SYSCALL | OSP_EF_CREATES_FD | OSP_EF_CLOSES_FD | OSP_EF_ALWAYS |
			    OSP_EF_CUSTOM)) == 0);
	/* Ids below 16 are lifecycle and snapshot records, syscalls start at 16. */
	CHECK(syscall == (id >= OSP_EVT_EXECVE));

	if (syscall) {
		const struct osp_param_info *res = &e->params[OSP_SYSCALL_P_RES];

		CHECK(strcmp(res->name, "res") == 0 || strcmp(res->name, "fd") == 0 ||
		      strcmp(res->name, "res_or_fd") == 0);
		CHECK_INT_EQ(res->source, OSP_SRC_RET);
		CHECK(res->type == OSP_PT_ERRNO || res->type == OSP_PT_FD ||
		      res->type == OSP_PT_PID);
	}

	for (unsigned i = 0; i < e->nparams; i++) {
		const struct osp_param_info *p = &e->params[i];

		CHECK(memchr(p->name, '\0', OSP_PARAM_NAME_MAX) != NULL);
		CHECK(p->name[0] != '\0');
		CHECK(p->type > OSP_PT_NONE && p->type < OSP_PT_TYPE_COUNT);
		CHECK(p->source <= OSP_SRC_CUSTOM);
		CHECK_INT_EQ(p->pad, 0);
		CHECK_INT_EQ(event_info_param_index(e, p->name), i);
		/* Only a syscall's result comes from the return value, and only at position 0. */
		CHECK((p->source == OSP_SRC_RET) == (syscall && i == OSP_SYSCALL_P_RES));
		/* Lifecycle and snapshot records are filled by custom code. */
		if (!syscall)
			CHECK_INT_EQ(p->source, OSP_SRC_CUSTOM);

		if (is_flag_type(p->type)) {
			CHECK(p->aux > OSP_FT_NONE && p->aux < OSP_FT_COUNT);
			CHECK(flag_names_count(p->aux) > 0);
			CHECK(flag_names_is_enum(p->aux) == (p->type == OSP_PT_ENUM32) ||
			      p->aux == OSP_FT_SOCKET_TYPE);
		} else if (p->type == OSP_PT_FSRELPATH) {
			CHECK(p->aux < i);
			if (p->aux < i)
				CHECK_INT_EQ(e->params[p->aux].type, OSP_PT_DIRFD);
		} else if (p->type == OSP_PT_SOCKADDR) {
			CHECK(p->aux == 0 || (p->aux >= OSP_SRC_ARG0 && p->aux <= OSP_SRC_ARG5));
			if (p->source != OSP_SRC_CUSTOM)
				CHECK(p->aux != 0 && p->aux != p->source);
		} else {
			CHECK_INT_EQ(p->aux, 0);
		}
	}
}

static void test_event_table(void)
{
	unsigned events = 0;

	CHECK(event_info(OSP_EVT_UNKNOWN) == NULL);
	CHECK(event_info(OSP_EVT_COUNT) == NULL);
	CHECK(event_info(UINT16_MAX) == NULL);
	for (uint16_t id = 1; id < OSP_EVT_COUNT; id++) {
		const struct osp_event_info *e = event_info(id);

		if (!e) {
			/* 6..15 are reserved for lifecycle records to come. */
			CHECK(id > OSP_EVT_PROC_EXIT && id < OSP_EVT_EXECVE);
			continue;
		}
		events++;
		check_event(id, e);
		for (uint16_t other = 1; other < id; other++)
			if (event_info(other))
				CHECK(strcmp(event_info(other)->name, e->name) != 0);
	}
	CHECK_INT_EQ(events, OSP_EVT_COUNT - OSP_EVT_EXECVE + 5);
	CHECK_INT_EQ(event_type_from_name("no_such_event"), -ENOENT);
}

/* The named positions of osprey_schema.h agree with the table. */
static void check_pos(uint16_t id, unsigned pos, const char *name, uint8_t type)
{
	const struct osp_event_info *e = event_info(id);

	CHECK(e && pos < e->nparams);
	if (!e || pos >= e->nparams)
		return;
	CHECK_STR_EQ(e->params[pos].name, name);
	CHECK_INT_EQ(e->params[pos].type, type);
}

static void test_positions(void)
{
	static const uint16_t proc[] = {OSP_EVT_PROC_EXEC, OSP_EVT_PROC_SNAPSHOT};

	for (size_t k = 0; k < 2; k++) {
		CHECK_INT_EQ(event_info(proc[k])->nparams, OSP_EXEC_NPARAMS);
		check_pos(proc[k], OSP_EXEC_P_EXE, "exe", OSP_PT_PATH);
		check_pos(proc[k], OSP_EXEC_P_ARGS, "args", OSP_PT_CHARBUF_ARRAY);
		check_pos(proc[k], OSP_EXEC_P_COMM, "comm", OSP_PT_CHARBUF);
		check_pos(proc[k], OSP_EXEC_P_PPID, "ppid", OSP_PT_PID);
		check_pos(proc[k], OSP_EXEC_P_UID, "uid", OSP_PT_UID);
		check_pos(proc[k], OSP_EXEC_P_LOGINUID, "loginuid", OSP_PT_UID);
		check_pos(proc[k], OSP_EXEC_P_TTY, "tty", OSP_PT_DEV);
		check_pos(proc[k], OSP_EXEC_P_CGROUP, "cgroup", OSP_PT_PATH);
		check_pos(proc[k], OSP_EXEC_P_EXE_FLAGS, "exe_flags", OSP_PT_FLAGS32);
		check_pos(proc[k], OSP_EXEC_P_CAP_EFF, "cap_effective", OSP_PT_CAPS);
		check_pos(proc[k], OSP_EXEC_P_START_TS, "start_ts", OSP_PT_ABSTIME);
		check_pos(proc[k], OSP_EXEC_P_PIDNS, "pidns", OSP_PT_UINT32);
		check_pos(proc[k], OSP_EXEC_P_OLD_TID, "old_tid", OSP_PT_PID);
	}
	CHECK_INT_EQ(event_info(OSP_EVT_PROC_FORK)->nparams, OSP_FORK_NPARAMS);
	check_pos(OSP_EVT_PROC_FORK, OSP_FORK_P_PTID, "ptid", OSP_PT_PID);
	check_pos(OSP_EVT_PROC_FORK, OSP_FORK_P_FLAGS, "flags", OSP_PT_FLAGS32);
	check_pos(OSP_EVT_PROC_FORK, OSP_FORK_P_PIDNS, "pidns", OSP_PT_UINT32);
	CHECK_INT_EQ(event_info(OSP_EVT_PROC_EXIT)->nparams, OSP_EXIT_NPARAMS);
	check_pos(OSP_EVT_PROC_EXIT, OSP_EXIT_P_STATUS, "status", OSP_PT_INT32);
	check_pos(OSP_EVT_PROC_EXIT, OSP_EXIT_P_FLAGS, "flags", OSP_PT_FLAGS32);
	CHECK_INT_EQ(event_info(OSP_EVT_FD_SNAPSHOT)->nparams, OSP_FDSNAP_NPARAMS);
	check_pos(OSP_EVT_FD_SNAPSHOT, OSP_FDSNAP_P_FD, "fd", OSP_PT_FD);
	check_pos(OSP_EVT_FD_SNAPSHOT, OSP_FDSNAP_P_TYPE, "type", OSP_PT_ENUM32);
	check_pos(OSP_EVT_FD_SNAPSHOT, OSP_FDSNAP_P_NAME, "name", OSP_PT_PATH);
	check_pos(OSP_EVT_FD_SNAPSHOT, OSP_FDSNAP_P_TUPLE, "tuple", OSP_PT_SOCKTUPLE);
	check_pos(OSP_EVT_FD_SNAPSHOT, OSP_FDSNAP_P_INO, "ino", OSP_PT_UINT64);
}

static void test_syscall_table(void)
{
	bool seen[OSP_EVT_COUNT] = {false};

	for (unsigned nr = 0; nr < OSP_SYSCALL_MAX; nr++) {
		uint16_t id = osp_syscall_to_event[nr];
		const struct osp_event_info *e;

		if (id == OSP_EVT_UNKNOWN)
			continue;
		CHECK(id < OSP_EVT_COUNT);
		e = event_info(id);
		CHECK(e != NULL);
		if (!e)
			continue;
		CHECK(e->flags & OSP_EF_SYSCALL);
		seen[id] = true;
	}
	/* Every syscall event is produced by at least one syscall of this architecture. */
	for (uint16_t id = OSP_EVT_EXECVE; id < OSP_EVT_COUNT; id++) {
		CHECK(seen[id]);
		if (!seen[id])
			fprintf(stderr, "event %s has no syscall number\n", event_info(id)->name);
	}
}

int main(void)
{
	test_versions();
	test_layout();
	test_type_sizes();
	test_event_table();
	test_positions();
	test_syscall_table();
	return test_finish("test-schema");
}
