// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record builder and the table-driven syscall filler.
 *
 * Probes run with preemption disabled, so user memory is read with the
 * *_nofault helpers only: a value whose pages are not resident is left
 * empty and counted in the faults counter, never waited for. Every value is
 * bounded (OSP_STR_MAX for strings, the consumer's snaplen for argument
 * arrays) and by the record's room; a cut value is flagged truncated.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mman.h>
#include <linux/net.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/un.h>
#include <linux/version.h>
#include <net/af_unix.h>
#include <linux/stddef.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <asm/syscall.h>
#include <uapi/linux/io_uring.h>
#include <uapi/linux/sched.h>

#include "osprey.h"
#include "event_table.h"

#define OSP_HDR_SIZE ((u32)sizeof(struct osp_event_hdr))
#define OSP_ARGV_MAX 4096 /* argv entries read from user memory, at most */

/*
 * strncpy_from_user_nofault() with its semantics (length including the NUL,
 * count when cut, -EFAULT), which Linux exports only from 6.x on: the same
 * strncpy_from_user() with page faults disabled, so a missing page fails
 * instead of sleeping.
 */
static long osp_strncpy_from_user_nofault(char *dst, const char __user *src, long count)
{
	long ret;

	if (count <= 0 || !access_ok(src, 1))
		return -EFAULT;
	pagefault_disable();
	ret = strncpy_from_user(dst, src, count);
	pagefault_enable();
	if (ret >= count) {
		ret = count;
		dst[ret - 1] = '\0';
	} else if (ret > 0) {
		ret++;
	}
	return ret;
}

static inline __u16 *osp_rec_lens(struct osp_rec *r)
{
	return (__u16 *)(r->buf + OSP_HDR_SIZE);
}

/* Bytes a value may still take, keeping room for the padding. */
static inline u32 osp_rec_room(const struct osp_rec *r)
{
	u32 end = OSP_EVENT_MAX_LEN - 8;

	return r->pos < end ? end - r->pos : 0;
}

void osp_rec_begin(struct osp_rec *r, u16 type, u16 nparams, u32 tid, u32 pid)
{
	struct osp_event_hdr *h = (struct osp_event_hdr *)r->buf;

	h->ts_ns = ktime_get_boottime_ns();
	h->tid = tid;
	h->pid = pid;
	h->len = 0;
	h->type = type;
	h->nparams = nparams;
	r->nparams = nparams;
	r->idx = 0;
	r->error = 0;
	r->pos = OSP_HDR_SIZE + 2u * nparams;
}

/* Records the length of the next value, whose bytes are already at r->pos. */
static void osp_rec_commit_value(struct osp_rec *r, u32 len, bool truncated)
{
	if (r->idx >= r->nparams) {
		r->error = -EINVAL;
		return;
	}
	osp_rec_lens(r)[r->idx++] = (u16)len | (truncated ? OSP_PARAM_TRUNCATED : 0);
	r->pos += len;
	if (truncated)
		r->cnt->truncations++;
}

void osp_rec_put(struct osp_rec *r, const void *val, u32 len)
{
	if (len > osp_rec_room(r)) {
		r->error = -E2BIG;
		osp_rec_commit_value(r, 0, false);
		return;
	}
	memcpy(r->buf + r->pos, val, len);
	osp_rec_commit_value(r, len, false);
}

void osp_rec_put_u32(struct osp_rec *r, u32 v)
{
	osp_rec_put(r, &v, sizeof(v));
}

void osp_rec_put_u64(struct osp_rec *r, u64 v)
{
	osp_rec_put(r, &v, sizeof(v));
}

void osp_rec_put_s64(struct osp_rec *r, s64 v)
{
	osp_rec_put(r, &v, sizeof(v));
}

void osp_rec_put_empty(struct osp_rec *r)
{
	osp_rec_commit_value(r, 0, false);
}

static u32 osp_rec_bound(struct osp_rec *r, u32 max)
{
	u32 room = osp_rec_room(r);

	return max < room ? max : room;
}

void osp_rec_put_kstr(struct osp_rec *r, const char *s, u32 max)
{
	u32 bound = osp_rec_bound(r, max);
	size_t n;

	if (!s || bound == 0) {
		osp_rec_put_empty(r);
		return;
	}
	n = strnlen(s, bound);
	if (n == bound) {
		memcpy(r->buf + r->pos, s, bound - 1);
		r->buf[r->pos + bound - 1] = '\0';
		osp_rec_commit_value(r, bound, true);
		return;
	}
	memcpy(r->buf + r->pos, s, n + 1);
	osp_rec_commit_value(r, n + 1, false);
}

void osp_rec_put_ustr(struct osp_rec *r, const char __user *s, u32 max)
{
	u32 bound = osp_rec_bound(r, max);
	char *dst = r->buf + r->pos;
	long n;

	if (!s || bound == 0) {
		osp_rec_put_empty(r);
		return;
	}
	/*
	 * One byte more than the bound tells a string of exactly bound - 1
	 * characters from a longer one; the scratch buffer has that byte.
	 */
	n = osp_strncpy_from_user_nofault(dst, s, bound + 1);
	if (n < 0) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	if (n == 0) { /* the empty string */
		dst[0] = '\0';
		osp_rec_commit_value(r, 1, false);
		return;
	}
	if (n > bound) {
		dst[bound - 1] = '\0';
		osp_rec_commit_value(r, bound, true);
		return;
	}
	osp_rec_commit_value(r, n, false);
}

void osp_rec_put_ubytes(struct osp_rec *r, unsigned long start, unsigned long end, u32 max)
{
	u32 bound = osp_rec_bound(r, max);
	unsigned long len;
	bool truncated = false;

	if (!start || end <= start) {
		osp_rec_put_empty(r);
		return;
	}
	len = end - start;
	if (len > bound) {
		len = bound;
		truncated = true;
	}
	if (len == 0) {
		osp_rec_put_empty(r);
		return;
	}
	if (copy_from_user_nofault(r->buf + r->pos, (const void __user *)start, len)) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	/* The block ends in a string terminator, also when it was cut. */
	r->buf[r->pos + len - 1] = '\0';
	osp_rec_commit_value(r, len, truncated);
}

int osp_rec_end(struct osp_rec *r)
{
	struct osp_event_hdr *h = (struct osp_event_hdr *)r->buf;
	u32 len = OSP_ALIGN8(r->pos);

	if (r->error)
		return r->error;
	if (r->idx != r->nparams)
		return -EINVAL;
	memset(r->buf + r->pos, 0, len - r->pos);
	h->len = len;
	return len;
}

/* argv/envp from a user array of string pointers, NUL-separated, bounded by snaplen. */
static void osp_rec_put_uargv(struct osp_rec *r, unsigned long uptr)
{
	const char __user *const __user *argv = (const char __user *const __user *)uptr;
	u32 bound = osp_rec_bound(r, r->snaplen);
	u8 *dst = r->buf + r->pos;
	bool truncated = false;
	u32 len = 0;
	int i;

	if (!argv) {
		osp_rec_put_empty(r);
		return;
	}
	for (i = 0; i < OSP_ARGV_MAX; i++) {
		const char __user *p;
		long n;

		if (copy_from_user_nofault(&p, &argv[i], sizeof(p))) {
			r->cnt->faults++;
			break;
		}
		if (!p)
			break;
		if (len >= bound) {
			truncated = true;
			break;
		}
		/* bound - len + 1: see osp_rec_put_ustr(); the scratch has the extra byte. */
		n = osp_strncpy_from_user_nofault(dst + len, p, bound - len + 1);
		if (n < 0) {
			r->cnt->faults++;
			break;
		}
		if (n == 0) {
			dst[len++] = '\0';
			continue;
		}
		if (n > bound - len) {
			dst[bound - 1] = '\0';
			len = bound;
			truncated = true;
			break;
		}
		len += n;
	}
	osp_rec_commit_value(r, len, truncated);
}

/*
 * A unix socket path of plen bytes as the schema stores it: an abstract name
 * (leading NUL) as '@' followed by the name with its NULs shown as '@'; a
 * pathname up to its NUL. Returns the bytes written to out, NUL included.
 */
static u32 osp_unix_path_encode(const char *path, int plen, u8 *out)
{
	bool abstract = plen > 0 && path[0] == '\0';
	u32 n = 0;
	int i;

	if (plen > OSP_UNIX_PATH_MAX)
		plen = OSP_UNIX_PATH_MAX;
	for (i = 0; i < plen; i++) {
		if (path[i] == '\0' && !abstract)
			break;
		out[n++] = path[i] ? path[i] : '@';
	}
	out[n++] = '\0';
	return n;
}

/* OSP_PT_SOCKADDR from a kernel copy of a sockaddr of len bytes. */
static void osp_rec_put_sockaddr(struct osp_rec *r, const struct sockaddr_storage *ss, int len)
{
	u8 out[1 + OSP_UNIX_PATH_MAX + 2];
	u32 n = 1;
	u16 port;

	if (len < (int)sizeof(ss->ss_family)) {
		osp_rec_put_empty(r);
		return;
	}
	out[0] = (u8)ss->ss_family;
	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		/* family, port, address: the first 8 bytes */
		if (len < (int)offsetofend(struct sockaddr_in, sin_addr))
			break;
		memcpy(out + 1, &sin->sin_addr.s_addr, 4);
		port = ntohs(sin->sin_port);
		memcpy(out + 5, &port, 2);
		n = OSP_SOCKADDR_INET_LEN;
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		if (len < (int)offsetofend(struct sockaddr_in6, sin6_addr))
			break;
		memcpy(out + 1, &sin6->sin6_addr, 16);
		port = ntohs(sin6->sin6_port);
		memcpy(out + 17, &port, 2);
		n = OSP_SOCKADDR_INET6_LEN;
		break;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		int plen = len - (int)offsetof(struct sockaddr_un, sun_path);

		if (plen <= 0) /* unnamed: only the family */
			break;
		n = 1 + osp_unix_path_encode(sun->sun_path, plen, out + 1);
		break;
	}
	default:
		break;
	}
	osp_rec_put(r, out, n);
}

static void osp_rec_put_usockaddr(struct osp_rec *r, unsigned long uaddr, long ulen)
{
	struct sockaddr_storage ss;
	int len;

	if (!uaddr || ulen <= 0) {
		osp_rec_put_empty(r);
		return;
	}
	len = ulen > (long)sizeof(ss) ? (int)sizeof(ss) : (int)ulen;
	if (copy_from_user_nofault(&ss, (const void __user *)uaddr, len)) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_sockaddr(r, &ss, len);
}

/* The destination of sendmsg: msg_name of the user's msghdr. */
static void osp_rec_put_msghdr_addr(struct osp_rec *r, unsigned long umsg)
{
	struct user_msghdr msg;

	if (!umsg) {
		osp_rec_put_empty(r);
		return;
	}
	if (copy_from_user_nofault(&msg, (const void __user *)umsg, sizeof(msg))) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_usockaddr(r, (unsigned long)msg.msg_name, msg.msg_namelen);
}

/* The path bound to a unix socket (for an accepted one, the listener's). */
static u32 osp_unix_sock_path(struct sock *sk, u8 *out)
{
	const struct unix_address *addr;
	u32 n;

	unix_state_lock(sk);
	addr = smp_load_acquire(&unix_sk(sk)->addr);
	if (addr)
		n = osp_unix_path_encode(addr->name->sun_path,
					 addr->len - (int)offsetof(struct sockaddr_un, sun_path),
					 out);
	unix_state_unlock(sk);
	if (!addr) {
		out[0] = '\0';
		n = 1;
	}
	return n;
}

/*
 * OSP_PT_SOCKTUPLE of the socket behind fd of the current task: the local
 * end from the kernel socket, the remote end from the kernel socket or, for
 * connect, from the address the caller asked for (uaddr, ulen: known even
 * when the connection fails). fget()/fput() are fine with preemption
 * disabled: the fd table holds the file, a last fput() is deferred.
 */
static void osp_rec_put_socktuple(struct osp_rec *r, int fd, unsigned long uaddr, long ulen)
{
	u8 out[1 + OSP_SOCKTUPLE_INET6_LEN + OSP_UNIX_PATH_MAX + 2];
	struct sockaddr_storage ss;
	struct socket *sock;
	struct file *file;
	struct sock *sk;
	u16 lport, rport;
	int sslen = 0;
	u32 n = 0;

	if (fd < 0)
		goto out;
	if (uaddr && ulen >= (long)sizeof(ss.ss_family)) {
		sslen = ulen > (long)sizeof(ss) ? (int)sizeof(ss) : (int)ulen;
		if (copy_from_user_nofault(&ss, (const void __user *)uaddr, sslen)) {
			r->cnt->faults++;
			sslen = 0;
		}
	}
	file = fget(fd);
	if (!file)
		goto out;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
	sock = sock_from_file(file);
#else
	{
		int err;

		sock = sock_from_file(file, &err);
	}
#endif
	sk = sock ? sock->sk : NULL;
	if (!sk)
		goto out_fput;
	if (sslen && ss.ss_family != sk->sk_family)
		sslen = 0;

	out[0] = (u8)sk->sk_family;
	switch (sk->sk_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
		__be32 raddr = sk->sk_daddr;

		/* inet_sport, as getsockname(): inet_num is cleared when a connect fails */
		lport = ntohs(inet_sk(sk)->inet_sport);
		rport = ntohs(sk->sk_dport);
		if (sslen >= (int)offsetofend(struct sockaddr_in, sin_addr)) {
			raddr = sin->sin_addr.s_addr;
			rport = ntohs(sin->sin_port);
		}
		memcpy(out + 1, &sk->sk_rcv_saddr, 4);
		memcpy(out + 5, &lport, 2);
		memcpy(out + 7, &raddr, 4);
		memcpy(out + 11, &rport, 2);
		n = OSP_SOCKTUPLE_INET_LEN;
		break;
	}
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		lport = ntohs(inet_sk(sk)->inet_sport);
		rport = ntohs(sk->sk_dport);
		memcpy(out + 1, &sk->sk_v6_rcv_saddr, 16);
		memcpy(out + 17, &lport, 2);
		if (sslen >= (int)offsetofend(struct sockaddr_in6, sin6_addr)) {
			memcpy(out + 19, &sin6->sin6_addr, 16);
			rport = ntohs(sin6->sin6_port);
		} else {
			memcpy(out + 19, &sk->sk_v6_daddr, 16);
		}
		memcpy(out + 35, &rport, 2);
		n = OSP_SOCKTUPLE_INET6_LEN;
		break;
	}
#endif
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&ss;
		int plen = sslen - (int)offsetof(struct sockaddr_un, sun_path);

		if (plen > 0) /* connect: the path asked for */
			n = 1 + osp_unix_path_encode(sun->sun_path, plen, out + 1);
		else
			n = 1 + osp_unix_sock_path(sk, out + 1);
		break;
	}
	default:
		n = 1;
		break;
	}
out_fput:
	fput(file);
out:
	if (n)
		osp_rec_put(r, out, n);
	else
		osp_rec_put_empty(r);
}

static void osp_rec_put_ufd_pair(struct osp_rec *r, unsigned long uptr, long ret, int which)
{
	int fds[2];

	if (ret != 0 || !uptr) {
		osp_rec_put_empty(r);
		return;
	}
	if (copy_from_user_nofault(fds, (const void __user *)uptr, sizeof(fds))) {
		r->cnt->faults++;
		osp_rec_put_empty(r);
		return;
	}
	osp_rec_put_s64(r, fds[which]);
}

/* A __u64 field at offset off of a user struct of usize bytes (clone_args, open_how). */
static int osp_read_ufield(struct osp_rec *r, unsigned long uptr, unsigned long usize, size_t off,
			   size_t size, void *ret)
{
	if (!uptr || usize < off + size)
		return -EINVAL;
	if (copy_from_user_nofault(ret, (const void __user *)(uptr + off), size)) {
		r->cnt->faults++;
		return -EFAULT;
	}
	return 0;
}

static u64 osp_cap_u64(kernel_cap_t c)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return c.val;
#else
	return (u64)c.cap[0] | ((u64)c.cap[1] << 32);
#endif
}

/* OSP_SRC_CUSTOM parameters of syscall events. */
static void osp_fill_custom(struct osp_rec *r, u16 type, unsigned int idx,
			    const unsigned long *args, long ret)
{
	const struct cred *cred;
	u64 v64;

	switch (type) {
	case OSP_EVT_EXECVE:
		osp_rec_put_uargv(r, args[1]);
		return;
	case OSP_EVT_EXECVEAT:
		osp_rec_put_uargv(r, args[2]);
		return;
	case OSP_EVT_CLONE3:
		if (osp_read_ufield(r, args[0], args[1], offsetof(struct clone_args, flags), 8,
				    &v64) < 0)
			break;
		osp_rec_put_u64(r, v64);
		return;
	case OSP_EVT_OPENAT2: {
		static const size_t off[] = { offsetof(struct open_how, flags),
					      offsetof(struct open_how, mode),
					      offsetof(struct open_how, resolve) };

		/* params 3, 4, 5: flags, mode, resolve: __u64s of open_how, stored as 32 bits */
		if (idx < 3 || idx > 5 ||
		    osp_read_ufield(r, args[2], args[3], off[idx - 3], 8, &v64) < 0)
			break;
		osp_rec_put_u32(r, (u32)v64);
		return;
	}
	case OSP_EVT_SOCKETPAIR:
		osp_rec_put_ufd_pair(r, args[3], ret, idx == 4 ? 0 : 1);
		return;
	case OSP_EVT_PIPE:
	case OSP_EVT_PIPE2:
		osp_rec_put_ufd_pair(r, args[0], ret, idx == 1 ? 0 : 1);
		return;
	case OSP_EVT_CONNECT:
		osp_rec_put_socktuple(r, (int)args[0], args[1], (long)(int)args[2]);
		return;
	case OSP_EVT_ACCEPT:
	case OSP_EVT_ACCEPT4:
		if (ret < 0)
			break;
		osp_rec_put_socktuple(r, (int)ret, 0, 0);
		return;
	case OSP_EVT_SENDMSG:
		osp_rec_put_msghdr_addr(r, args[1]);
		return;
	case OSP_EVT_CAPSET:
		/* At exit the task's credentials are the ones capset installed (or kept). */
		cred = current_cred();
		if (idx == 1)
			osp_rec_put_u64(r, osp_cap_u64(cred->cap_inheritable));
		else if (idx == 2)
			osp_rec_put_u64(r, osp_cap_u64(cred->cap_permitted));
		else
			osp_rec_put_u64(r, osp_cap_u64(cred->cap_effective));
		return;
	case OSP_EVT_PRCTL:
		if (args[0] != PR_SET_NAME)
			break;
		osp_rec_put_ustr(r, (const char __user *)args[1], OSP_COMM_LEN);
		return;
	case OSP_EVT_IO_URING_SETUP: {
		u32 flags;

		if (osp_read_ufield(r, args[1], sizeof(struct io_uring_params),
				    offsetof(struct io_uring_params, flags), 4, &flags) < 0)
			break;
		osp_rec_put_u32(r, flags);
		return;
	}
	default:
		break;
	}
	osp_rec_put_empty(r);
}

/* A parameter whose value is an argument register or the return value. */
static void osp_fill_value(struct osp_rec *r, const struct osp_param_info *p, unsigned long v,
			   const unsigned long *args)
{
	bool from_ret = p->source == OSP_SRC_RET;

	switch (p->type) {
	case OSP_PT_INT8:
	case OSP_PT_UINT8: {
		u8 b = (u8)v;

		osp_rec_put(r, &b, 1);
		return;
	}
	case OSP_PT_INT16:
	case OSP_PT_UINT16: {
		u16 h = (u16)v;

		osp_rec_put(r, &h, 2);
		return;
	}
	case OSP_PT_INT32:
	case OSP_PT_UINT32:
	case OSP_PT_UID:
	case OSP_PT_GID:
	case OSP_PT_MODE:
	case OSP_PT_FLAGS32:
	case OSP_PT_ENUM32:
	case OSP_PT_SIGNAL:
	case OSP_PT_DEV:
		osp_rec_put_u32(r, (u32)v);
		return;
	case OSP_PT_ERRNO:
	case OSP_PT_FD:
	case OSP_PT_DIRFD:
	case OSP_PT_PID:
		/* The return value is a long; fd, dirfd and pid arguments are C ints. */
		osp_rec_put_s64(r, from_ret ? (s64)(long)v : (s64)(int)v);
		return;
	case OSP_PT_INT64:
	case OSP_PT_UINT64:
	case OSP_PT_FLAGS64:
	case OSP_PT_CAPS:
	case OSP_PT_ABSTIME:
		osp_rec_put_u64(r, v);
		return;
	case OSP_PT_CHARBUF:
	case OSP_PT_PATH:
	case OSP_PT_FSRELPATH:
		osp_rec_put_ustr(r, (const char __user *)v, OSP_STR_MAX);
		return;
	case OSP_PT_SOCKADDR:
		/* aux names the argument holding the address length */
		osp_rec_put_usockaddr(r, v, p->aux <= OSP_SRC_ARG5 ? (long)(int)args[p->aux] : 0);
		return;
	default:
		/* No generic source for byte buffers, arrays and tuples. */
		osp_rec_put_empty(r);
		return;
	}
}

int osp_fill_syscall(struct osp_rec *r, u16 type, struct pt_regs *regs, long ret)
{
	const struct osp_event_info *info;
	unsigned long args[6];
	unsigned int i;

	if (type >= OSP_EVT_COUNT)
		return 0;
	info = &osp_event_table[type];
	if (!(info->flags & OSP_EF_SYSCALL) || info->nparams > OSP_MAX_PARAMS)
		return 0;
	syscall_get_arguments(current, regs, args);

	/* Events the schema defines narrower than the syscall. */
	switch (type) {
	case OSP_EVT_EXECVE:
	case OSP_EVT_EXECVEAT:
		if (ret == 0) /* success is PROC_EXEC */
			return 0;
		break;
	case OSP_EVT_FCNTL:
		if ((unsigned int)args[1] != F_DUPFD && (unsigned int)args[1] != F_DUPFD_CLOEXEC)
			return 0;
		break;
	case OSP_EVT_MPROTECT:
		if (!(args[2] & PROT_EXEC))
			return 0;
		break;
	default:
		break;
	}

	osp_rec_begin(r, type, info->nparams, current->pid, current->tgid);
	for (i = 0; i < info->nparams; i++) {
		const struct osp_param_info *p = &info->params[i];

		if (p->source == OSP_SRC_CUSTOM)
			osp_fill_custom(r, type, i, args, ret);
		else if (p->source == OSP_SRC_RET)
			osp_fill_value(r, p, (unsigned long)ret, args);
		else if (p->source <= OSP_SRC_ARG5)
			osp_fill_value(r, p, args[p->source], args);
		else
			osp_rec_put_empty(r);
	}
	return osp_rec_end(r);
}
