/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Socket addresses and tuples in the schema's encoding (see osprey_schema.h):
 * a family byte, then addresses in network byte order and ports in host order.
 */
#ifndef OSPREY_NET_BPF_H
#define OSPREY_NET_BPF_H

#include "task.bpf.h"

#define OSP_SOCKADDR_USER_MAX 112 /* >= sizeof(struct sockaddr_un), sizeof(struct sockaddr_in6) */

static __always_inline __u16 osp_ntohs(__u16 v)
{
	return __builtin_bswap16(v);
}

static __always_inline void put_bytes(struct filler *f, __u32 at, const void *src, __u32 len)
{
	bpf_probe_read_kernel(&f->s->event[at & OSP_POS_MASK], len & 31, src);
}

/*
 * Writes the sun_path of a raw sockaddr_un (len bytes, in the tmp area) at
 * event offset at, NUL-terminated; an abstract name (leading NUL) gets a '@'
 * and ends at its next NUL. Returns the bytes written, NUL included.
 */
static __always_inline __u32 put_unix_path(struct filler *f, __u32 at, __u8 *raw, __u32 len)
{
	long n;

	if (len <= 2) {
		f->s->event[at & OSP_POS_MASK] = 0;
		return 1;
	}
	raw[len & 127] = 0; /* the copy below stops here at the latest */
	if (raw[2] == 0) {
		f->s->event[at & OSP_POS_MASK] = '@';
		n = bpf_probe_read_kernel_str(&f->s->event[(at + 1) & OSP_POS_MASK], OSP_UNIX_PATH_MAX,
					      raw + 3);
		return n > 0 ? (__u32)n + 1 : 2;
	}
	n = bpf_probe_read_kernel_str(&f->s->event[at & OSP_POS_MASK], OSP_UNIX_PATH_MAX + 1, raw + 2);
	return n > 0 ? (__u32)n : 1;
}

/*
 * A user-space sockaddr (ptr, len) in the schema's SOCKADDR encoding. The raw
 * sockaddr is first copied into the tmp area: reading a user pointer once
 * avoids parsing a value that changes under us.
 */
static __always_inline void push_user_sockaddr(struct filler *f, const void *uaddr, __u64 ulen)
{
	__u8 *raw = &f->s->tmp[0];
	__u32 len = ulen > OSP_SOCKADDR_USER_MAX ? OSP_SOCKADDR_USER_MAX : (__u32)ulen;
	__u32 at = f->s->pos;
	__u16 family, port;

	if (!uaddr || len < 2 || filler_room(f, OSP_SOCKADDR_USER_MAX + 2) < OSP_SOCKADDR_USER_MAX + 2) {
		push_empty(f);
		return;
	}
	if (bpf_probe_read_user(raw, len & 127, uaddr)) {
		f->cnt->faults++;
		push_empty(f);
		return;
	}
	family = *(__u16 *)raw;
	switch (family) {
	case OSP_AF_INET:
		if (len < 8)
			break;
		f->s->event[at & OSP_POS_MASK] = OSP_AF_INET;
		put_bytes(f, at + 1, raw + 4, 4);
		port = osp_ntohs(*(__u16 *)(raw + 2));
		*(__u16 *)event_at(f->s, at + 5) = port;
		filler_commit(f, OSP_SOCKADDR_INET_LEN, 0);
		return;
	case OSP_AF_INET6:
		if (len < 24)
			break;
		f->s->event[at & OSP_POS_MASK] = OSP_AF_INET6;
		put_bytes(f, at + 1, raw + 8, 16);
		port = osp_ntohs(*(__u16 *)(raw + 2));
		*(__u16 *)event_at(f->s, at + 17) = port;
		filler_commit(f, OSP_SOCKADDR_INET6_LEN, 0);
		return;
	case OSP_AF_UNIX: {
		__u32 n = put_unix_path(f, at + 1, raw, len);

		f->s->event[at & OSP_POS_MASK] = OSP_AF_UNIX;
		filler_commit(f, 1 + n, 0);
		return;
	}
	default:
		break;
	}
	/* Another family, or too short: only the family is known. */
	f->s->event[at & OSP_POS_MASK] = (__u8)family;
	filler_commit(f, 1, 0);
}

/* The path bound to a unix socket (the listener's, for an accepted one), '@' for abstract. */
static __always_inline __u32 put_unix_sock_path(struct filler *f, __u32 at, struct sock *sk)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	__u8 *raw = &f->s->tmp[0];
	int alen;

	if (!addr) {
		f->s->event[at & OSP_POS_MASK] = 0;
		return 1;
	}
	alen = BPF_CORE_READ(addr, len);
	if (alen <= 2 || alen > OSP_UNIX_PATH_MAX + 2) {
		f->s->event[at & OSP_POS_MASK] = 0;
		return 1;
	}
	/* The same layout as a user sockaddr_un: family, then sun_path. */
	bpf_probe_read_kernel(raw, OSP_UNIX_PATH_MAX + 2, &addr->name[0]);
	return put_unix_path(f, at, raw, (__u32)alen);
}

/*
 * The local port: skc_num is cleared when a connect fails (the socket is
 * unhashed), but inet_sport keeps what getsockname() reports.
 */
static __always_inline __u16 sock_local_port(struct sock *sk)
{
	__u16 port = BPF_CORE_READ(sk, __sk_common.skc_num);

	if (!port)
		port = osp_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	return port;
}

/*
 * The tuple of a socket: local end from the kernel socket; remote end from the
 * kernel socket, or from the user's sockaddr when given (connect: what was asked
 * for, known even when the connection fails).
 */
static __always_inline void push_socktuple(struct filler *f, struct sock *sk, const void *uaddr,
					   __u64 ulen)
{
	__u32 at = f->s->pos;
	__u16 family, lport, rport;
	__u8 *raw = &f->s->tmp[0];
	__u32 rawlen = 0;

	if (!sk || filler_room(f, OSP_SOCKTUPLE_INET6_LEN + OSP_UNIX_PATH_MAX + 2) <
			   OSP_SOCKTUPLE_INET6_LEN + OSP_UNIX_PATH_MAX + 2) {
		push_empty(f);
		return;
	}
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (uaddr) {
		__u32 len = ulen > OSP_SOCKADDR_USER_MAX ? OSP_SOCKADDR_USER_MAX : (__u32)ulen;

		if (len < 2 || bpf_probe_read_user(raw, len & 127, uaddr))
			uaddr = NULL;
		rawlen = len;
	}
	f->s->event[at & OSP_POS_MASK] = (__u8)family;
	switch (family) {
	case OSP_AF_INET: {
		__u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		lport = sock_local_port(sk);
		rport = osp_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (uaddr && *(__u16 *)raw == OSP_AF_INET) {
			raddr = *(__u32 *)(raw + 4);
			rport = osp_ntohs(*(__u16 *)(raw + 2));
		}
		*(__u32 *)event_at(f->s, at + 1) = laddr;
		*(__u16 *)event_at(f->s, at + 5) = lport;
		*(__u32 *)event_at(f->s, at + 7) = raddr;
		*(__u16 *)event_at(f->s, at + 11) = rport;
		filler_commit(f, OSP_SOCKTUPLE_INET_LEN, 0);
		return;
	}
	case OSP_AF_INET6: {
		lport = sock_local_port(sk);
		rport = osp_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		bpf_probe_read_kernel(&f->s->event[(at + 1) & OSP_POS_MASK], 16,
				      &sk->__sk_common.skc_v6_rcv_saddr);
		if (uaddr && *(__u16 *)raw == OSP_AF_INET6) {
			put_bytes(f, at + 19, raw + 8, 16);
			rport = osp_ntohs(*(__u16 *)(raw + 2));
		} else {
			bpf_probe_read_kernel(&f->s->event[(at + 19) & OSP_POS_MASK], 16,
					      &sk->__sk_common.skc_v6_daddr);
		}
		*(__u16 *)event_at(f->s, at + 17) = lport;
		*(__u16 *)event_at(f->s, at + 35) = rport;
		filler_commit(f, OSP_SOCKTUPLE_INET6_LEN, 0);
		return;
	}
	case OSP_AF_UNIX: {
		/* connect: the path asked for; otherwise the socket's own (or listener's) path. */
		__u32 n = uaddr && *(__u16 *)raw == OSP_AF_UNIX ? put_unix_path(f, at + 1, raw, rawlen)
							       : put_unix_sock_path(f, at + 1, sk);

		filler_commit(f, 1 + n, 0);
		return;
	}
	default:
		filler_commit(f, 1, 0);
		return;
	}
}

#endif /* OSPREY_NET_BPF_H */
