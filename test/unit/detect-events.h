/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builders of synthetic event sequences for the detection tests (test-extract, test-eval,
 * test-golden): each builds one schema record with record_builder and decodes it into ev.
 * The caller feeds ev to the state or the detector.
 */
#pragma once

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "record.h"
#include "test.h"

#define ID64	   "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define AT_FDCWD_K (-100)
#define TS_BASE	   1000000000ull

static uint8_t tb_buf[OSP_EVENT_MAX_LEN];
static struct record_builder tb;
static struct event ev;
static uint64_t tb_ts = TS_BASE;

static inline void tb_begin(uint16_t type, uint32_t tid, uint32_t pid)
{
	record_begin(&tb, tb_buf, sizeof(tb_buf), type, tb_ts, tid, pid, event_info(type)->nparams);
	tb_ts += 1000;
}

static inline const struct event *tb_end(void)
{
	int r = record_end(&tb);

	CHECK(r > 0);
	if (r <= 0)
		return NULL;
	r = event_decode(tb_buf, (size_t)r, &ev);
	CHECK_INT_EQ(r, 0);
	return r < 0 ? NULL : &ev;
}

struct tb_proc {
	const char *exe, *cwd, *comm, *cgroup;
	const char *args; /* NUL-separated argv, args_len bytes */
	size_t args_len;
	const char *env;
	size_t env_len;
	uint32_t ppid, vpid, sid, uid, gid, loginuid, tty, exe_flags;
	uint64_t caps;
};

/* PROC_EXEC (or PROC_SNAPSHOT) describing tid/pid. */
static inline const struct event *tb_exec(uint16_t type, uint32_t tid, uint32_t pid,
					  const struct tb_proc *d)
{
	tb_begin(type, tid, pid);
	record_add_str(&tb, d->exe, OSP_STR_MAX);
	record_add_str(&tb, d->exe, OSP_STR_MAX);
	record_add_bytes(&tb, d->args, d->args_len, OSP_SNAPLEN_DEFAULT);
	record_add_str(&tb, d->cwd ? d->cwd : "/", OSP_STR_MAX);
	record_add_bytes(&tb, d->env, d->env_len, OSP_SNAPLEN_DEFAULT);
	record_add_str(&tb, d->comm, OSP_COMM_LEN + 1);
	record_add_s64(&tb, d->ppid);
	record_add_s64(&tb, d->vpid ? d->vpid : tid);
	record_add_s64(&tb, d->vpid ? d->vpid : pid);
	record_add_s64(&tb, d->sid);
	record_add_u32(&tb, d->uid);
	record_add_u32(&tb, d->gid);
	record_add_u32(&tb, d->uid);
	record_add_u32(&tb, d->gid);
	record_add_u32(&tb, d->loginuid);
	record_add_u32(&tb, d->tty);
	record_add_str(&tb, d->cgroup ? d->cgroup : "/", OSP_STR_MAX);
	record_add_u64(&tb, 4242);
	record_add_u32(&tb, 0x800001);
	record_add_u32(&tb, d->exe_flags);
	record_add_u64(&tb, 0);
	record_add_u64(&tb, d->caps);
	record_add_u64(&tb, d->caps);
	record_add_u64(&tb, tb_ts);
	record_add_u32(&tb, 4026531836u);
	record_add_s64(&tb, tid);
	return tb_end();
}

static inline const struct event *tb_fork(uint32_t tid, uint32_t pid, uint32_t ptid, uint32_t ppid)
{
	tb_begin(OSP_EVT_PROC_FORK, tid, pid);
	record_add_s64(&tb, ptid);
	record_add_s64(&tb, ppid);
	record_add_s64(&tb, tid);
	record_add_s64(&tb, pid);
	record_add_u32(&tb, 0x11); /* SIGCHLD */
	record_add_u32(&tb, 4026531836u);
	return tb_end();
}

static inline const struct event *tb_exit(uint32_t tid)
{
	tb_begin(OSP_EVT_PROC_EXIT, tid, tid);
	record_add_u32(&tb, 0);
	record_add_u32(&tb, 0);
	return tb_end();
}

static inline const struct event *tb_openat(uint32_t tid, int64_t res, int64_t dirfd,
					    const char *name, uint32_t flags, uint32_t mode)
{
	tb_begin(OSP_EVT_OPENAT, tid, tid);
	record_add_s64(&tb, res);
	record_add_s64(&tb, dirfd);
	record_add_str(&tb, name, OSP_STR_MAX);
	record_add_u32(&tb, flags);
	record_add_u32(&tb, mode);
	return tb_end();
}

static inline const struct event *tb_creat(uint32_t tid, int64_t res, const char *name,
					   uint32_t mode)
{
	tb_begin(OSP_EVT_CREAT, tid, tid);
	record_add_s64(&tb, res);
	record_add_str(&tb, name, OSP_STR_MAX);
	record_add_u32(&tb, mode);
	return tb_end();
}

static inline const struct event *tb_fchmodat(uint32_t tid, int64_t res, const char *name,
					      uint32_t mode)
{
	tb_begin(OSP_EVT_FCHMODAT, tid, tid);
	record_add_s64(&tb, res);
	record_add_s64(&tb, AT_FDCWD_K);
	record_add_str(&tb, name, OSP_STR_MAX);
	record_add_u32(&tb, mode);
	return tb_end();
}

static inline const struct event *tb_socket(uint32_t tid, int64_t fd, uint32_t domain,
					    uint32_t type)
{
	tb_begin(OSP_EVT_SOCKET, tid, tid);
	record_add_s64(&tb, fd);
	record_add_u32(&tb, domain);
	record_add_u32(&tb, type);
	record_add_u32(&tb, 0);
	return tb_end();
}

/* connect of an IPv4 socket: local a:lp -> remote b:rp (dotted quads). */
static inline const struct event *tb_connect4(uint32_t tid, int64_t res, int64_t fd, const char *a,
					      uint16_t lp, const char *bb, uint16_t rp)
{
	uint8_t t[13];

	t[0] = OSP_AF_INET;
	inet_pton(AF_INET, a, t + 1);
	memcpy(t + 5, &lp, 2);
	inet_pton(AF_INET, bb, t + 7);
	memcpy(t + 11, &rp, 2);
	tb_begin(OSP_EVT_CONNECT, tid, tid);
	record_add_s64(&tb, res);
	record_add_s64(&tb, fd);
	record_add_bytes(&tb, t, sizeof(t), sizeof(t));
	return tb_end();
}

static inline const struct event *tb_dup2(uint32_t tid, int64_t res, int64_t oldfd, int64_t newfd)
{
	tb_begin(OSP_EVT_DUP2, tid, tid);
	record_add_s64(&tb, res);
	record_add_s64(&tb, oldfd);
	record_add_s64(&tb, newfd);
	return tb_end();
}

static inline const struct event *tb_memfd(uint32_t tid, int64_t fd, const char *name)
{
	tb_begin(OSP_EVT_MEMFD_CREATE, tid, tid);
	record_add_s64(&tb, fd);
	record_add_str(&tb, name, 256);
	record_add_u32(&tb, 1);
	return tb_end();
}

static inline const struct event *tb_ptrace(uint32_t tid, int64_t res, uint32_t request,
					    int64_t pid)
{
	tb_begin(OSP_EVT_PTRACE, tid, tid);
	record_add_s64(&tb, res);
	record_add_u32(&tb, request);
	record_add_s64(&tb, pid);
	return tb_end();
}

static inline const struct event *tb_symlinkat(uint32_t tid, int64_t res, const char *target,
					       const char *linkpath)
{
	tb_begin(OSP_EVT_SYMLINKAT, tid, tid);
	record_add_s64(&tb, res);
	record_add_str(&tb, target, OSP_STR_MAX);
	record_add_s64(&tb, AT_FDCWD_K);
	record_add_str(&tb, linkpath, OSP_STR_MAX);
	return tb_end();
}

static inline const struct event *tb_unlinkat(uint32_t tid, int64_t res, const char *name)
{
	tb_begin(OSP_EVT_UNLINKAT, tid, tid);
	record_add_s64(&tb, res);
	record_add_s64(&tb, AT_FDCWD_K);
	record_add_str(&tb, name, OSP_STR_MAX);
	record_add_u32(&tb, 0);
	return tb_end();
}

#define ARGS(s) .args = (s), .args_len = sizeof(s)
