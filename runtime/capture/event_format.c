// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "errno_name.h"
#include "event_format.h"
#include "flag_names.h"
#include "macro.h"

/* A bounded output buffer that counts what did not fit, as snprintf() does. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_mem(struct out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size) {
		size_t k = MIN(n, o->size - o->len - 1);

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = '\0';
	}
	o->len += n;
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_chr(struct out *o, char c)
{
	out_mem(o, &c, 1);
}

/*
 * v in base 8, 10 or 16 (lowercase), zero-padded to min_digits: what printf's %u, %o and %x
 * print. Every event has numbers; vsnprintf() was a third of the time it took to format one.
 */
static inline void out_uint(struct out *o, uint64_t v, unsigned base, unsigned min_digits)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24]; /* 22 octal digits for 64 bits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	while (sizeof(tmp) - i < min_digits && i > 0)
		tmp[--i] = '0';
	out_mem(o, tmp + i, sizeof(tmp) - i);
}

static void out_dec(struct out *o, uint64_t v)
{
	out_uint(o, v, 10, 1);
}

static void out_sdec(struct out *o, int64_t v)
{
	if (v < 0)
		out_chr(o, '-');
	out_dec(o, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* printf's %#o and %#x: "0" for zero, else the prefix ("0", "0x") and the digits. */
static void out_alt(struct out *o, uint64_t v, unsigned base)
{
	if (!v) {
		out_chr(o, '0');
		return;
	}
	out_str(o, base == 16 ? "0x" : "0");
	out_uint(o, v, base, 1);
}

/* " (name)" without the space: "(EPERM)". */
static void out_paren(struct out *o, const char *name)
{
	out_chr(o, '(');
	out_str(o, name);
	out_chr(o, ')');
}

/* Bytes as text: printable ASCII as-is, everything else (and '\') as \xNN. */
static void out_escaped(struct out *o, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		char esc[4];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			continue;
		out_mem(o, (const char *)p + run, i - run);
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		out_mem(o, esc, 4);
		run = i + 1;
	}
	out_mem(o, (const char *)p + run, n - run);
}

/* A stored string: its bytes up to the NUL the decoder guaranteed (or the length). */
static void out_string(struct out *o, const uint8_t *v, size_t len)
{
	const uint8_t *nul = memchr(v, '\0', len);

	out_escaped(o, v, nul ? (size_t)(nul - v) : len);
}

/* NUL-separated words (argv, envp), space-joined. */
static void out_string_array(struct out *o, const uint8_t *v, size_t len)
{
	size_t i = 0;
	bool first = true;

	while (i < len) {
		const uint8_t *nul = memchr(v + i, '\0', len - i);
		size_t n = nul ? (size_t)(nul - (v + i)) : len - i;

		if (!first)
			out_chr(o, ' ');
		first = false;
		out_escaped(o, v + i, n);
		i += n + 1;
	}
}

static void out_errno(struct out *o, int64_t v)
{
	out_sdec(o, v);
	if (v < 0 && v > -4096) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
		const char *name = errno_name((int)-v);

		if (name)
			out_paren(o, name);
#endif
	}
}

static void out_ipv4(struct out *o, const uint8_t *a, uint16_t port)
{
	for (unsigned i = 0; i < 4; i++) {
		out_dec(o, a[i]);
		out_chr(o, i < 3 ? '.' : ':');
	}
	out_dec(o, port);
}

static void out_ipv6(struct out *o, const uint8_t *a, uint16_t port)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, a, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	out_chr(o, '[');
	out_str(o, s);
	out_str(o, "]:");
	out_dec(o, port);
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void out_family(struct out *o, uint8_t family)
{
	char name[32];

	flag_names_format(OSP_FT_SOCKET_FAMILY, family, true, name, sizeof(name));
	out_str(o, name);
}

/* OSP_PT_SOCKADDR: family byte, then the address (osprey_schema.h). */
static void out_sockaddr(struct out *o, const uint8_t *v, size_t len)
{
	switch (v[0]) {
	case OSP_AF_INET:
		if (len != OSP_SOCKADDR_INET_LEN)
			break;
		out_ipv4(o, v + 1, get_u16(v + 5));
		return;
	case OSP_AF_INET6:
		if (len != OSP_SOCKADDR_INET6_LEN)
			break;
		out_ipv6(o, v + 1, get_u16(v + 17));
		return;
	case OSP_AF_UNIX:
		out_string(o, v + 1, len - 1);
		return;
	default:
		out_family(o, v[0]);
		return;
	}
	out_str(o, "<malformed>");
}

static void out_socktuple(struct out *o, const uint8_t *v, size_t len)
{
	switch (v[0]) {
	case OSP_AF_INET:
		if (len != OSP_SOCKTUPLE_INET_LEN)
			break;
		out_ipv4(o, v + 1, get_u16(v + 5));
		out_str(o, "->");
		out_ipv4(o, v + 7, get_u16(v + 11));
		return;
	case OSP_AF_INET6:
		if (len != OSP_SOCKTUPLE_INET6_LEN)
			break;
		out_ipv6(o, v + 1, get_u16(v + 17));
		out_str(o, "->");
		out_ipv6(o, v + 19, get_u16(v + 35));
		return;
	case OSP_AF_UNIX:
		out_string(o, v + 1, len - 1);
		return;
	default:
		out_family(o, v[0]);
		return;
	}
	out_str(o, "<malformed>");
}

static void out_flags(struct out *o, uint8_t table, uint64_t value, bool is_enum)
{
	char tmp[512];
	int n = flag_names_format(table, value, is_enum, tmp, sizeof(tmp));

	if (n < 0)
		return;
	out_mem(o, tmp, MIN((size_t)n, sizeof(tmp) - 1));
}

/*
 * One parameter's value. The decoder checked fixed sizes and string NULs. A syscall's result
 * (is_result) that is negative is an error whatever its type: -2(ENOENT).
 */
static void out_value(struct out *o, const struct event *ev, unsigned i, bool is_result)
{
	const struct osp_param_info *p = &ev->info->params[i];
	const uint8_t *v = i < ev->nparams ? ev->val[i] : NULL;
	size_t len = v ? ev->len[i] : 0;
	int64_t s;
	uint64_t u;

	if (!v || len == 0) {
		out_str(o, "<NA>");
		return;
	}
	switch (p->type) {
	case OSP_PT_FD:
	case OSP_PT_PID:
		if (!event_get_s64(ev, i, &s))
			break;
		if (is_result)
			out_errno(o, s);
		else
			out_sdec(o, s);
		break;
	case OSP_PT_INT8:
	case OSP_PT_INT16:
	case OSP_PT_INT32:
	case OSP_PT_INT64:
		if (event_get_s64(ev, i, &s))
			out_sdec(o, s);
		break;
	case OSP_PT_ERRNO:
		if (event_get_s64(ev, i, &s))
			out_errno(o, s);
		break;
	case OSP_PT_DIRFD:
		if (!event_get_s64(ev, i, &s))
			break;
		if (s == -100)
			out_str(o, "AT_FDCWD");
		else
			out_sdec(o, s);
		break;
	case OSP_PT_UINT8:
	case OSP_PT_UINT16:
	case OSP_PT_UINT32:
	case OSP_PT_UINT64:
	case OSP_PT_UID:
	case OSP_PT_GID:
	case OSP_PT_ABSTIME:
		if (event_get_u64(ev, i, &u))
			out_dec(o, u);
		break;
	case OSP_PT_MODE:
		if (event_get_u64(ev, i, &u))
			out_alt(o, u, 8);
		break;
	case OSP_PT_FLAGS32:
	case OSP_PT_FLAGS64:
	case OSP_PT_ENUM32:
		if (event_get_u64(ev, i, &u))
			out_flags(o, p->aux, u, p->type == OSP_PT_ENUM32);
		break;
	case OSP_PT_SIGNAL:
		if (event_get_u64(ev, i, &u)) {
			const char *name = flag_names_signal((uint32_t)u);

			out_dec(o, u);
			if (name)
				out_paren(o, name);
		}
		break;
	case OSP_PT_CAPS:
		if (event_get_u64(ev, i, &u))
			out_alt(o, u, 16);
		break;
	case OSP_PT_DEV:
		if (event_get_u64(ev, i, &u)) {
			out_dec(o, u >> 20);
			out_chr(o, ':');
			out_dec(o, u & 0xfffff);
		}
		break;
	case OSP_PT_CHARBUF:
	case OSP_PT_PATH:
	case OSP_PT_FSRELPATH:
		out_string(o, v, len);
		break;
	case OSP_PT_CHARBUF_ARRAY:
		out_string_array(o, v, len);
		break;
	case OSP_PT_SOCKADDR:
		out_sockaddr(o, v, len);
		break;
	case OSP_PT_SOCKTUPLE:
		out_socktuple(o, v, len);
		break;
	case OSP_PT_BYTEBUF:
	default:
		out_escaped(o, v, len);
		break;
	}
	if (event_param_truncated(ev, i))
		out_str(o, "...");
}

static void out_time(struct format_ctx *ctx, struct out *o, uint64_t ts_ns)
{
	uint64_t wall = ctx->boot_time_ns + ts_ns;
	time_t sec = (time_t)(wall / 1000000000u);
	unsigned usec = (unsigned)(wall % 1000000000u / 1000u);

	if (sec != ctx->cached_sec || !ctx->cached_hms[0]) {
		struct tm tm;

		if (localtime_r(&sec, &tm))
			snprintf(ctx->cached_hms, sizeof(ctx->cached_hms), "%02d:%02d:%02d",
				 tm.tm_hour, tm.tm_min, tm.tm_sec);
		else
			snprintf(ctx->cached_hms, sizeof(ctx->cached_hms), "%lld", (long long)sec);
		ctx->cached_sec = sec;
	}
	out_str(o, ctx->cached_hms);
	out_chr(o, '.');
	out_uint(o, usec, 10, 6);
}

int event_format(struct format_ctx *ctx, const struct event *ev, char *buf, size_t size)
{
	struct out o = {.buf = buf, .size = size};
	const struct osp_event_info *info = ev->info;
	bool syscall = info->flags & OSP_EF_SYSCALL;
	const char *comm = event_format_comm(ctx, ev->hdr->tid);

	if (size)
		buf[0] = '\0';
	out_time(ctx, &o, ev->hdr->ts_ns);
	out_chr(&o, ' ');
	if (comm)
		out_escaped(&o, (const uint8_t *)comm, strlen(comm));
	else
		out_chr(&o, '?');
	out_chr(&o, '(');
	out_dec(&o, ev->hdr->tid);
	out_str(&o, ") ");
	out_str(&o, info->name);

	for (unsigned i = syscall ? 1 : 0; i < info->nparams && i < OSP_MAX_PARAMS; i++) {
		out_chr(&o, ' ');
		out_str(&o, info->params[i].name);
		out_chr(&o, '=');
		out_value(&o, ev, i, false);
	}
	if (syscall && info->nparams > 0) {
		out_str(&o, " res=");
		out_value(&o, ev, OSP_SYSCALL_P_RES, true);
	}
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

static unsigned slot_of(uint32_t tid)
{
	/* Fibonacci hashing: consecutive tids spread over the whole table. */
	return (uint32_t)(tid * 2654435761u) % FORMAT_COMM_SLOTS;
}

void event_format_init(struct format_ctx *ctx, uint64_t boot_time_ns)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->boot_time_ns = boot_time_ns;
}

const char *event_format_comm(const struct format_ctx *ctx, uint32_t tid)
{
	const struct format_comm *s = &ctx->comm[slot_of(tid)];

	return tid && s->tid == tid ? s->comm : NULL;
}

static void comm_set(struct format_ctx *ctx, uint32_t tid, const char *comm)
{
	struct format_comm *s = &ctx->comm[slot_of(tid)];

	if (!tid || !comm)
		return;
	s->tid = tid;
	snprintf(s->comm, sizeof(s->comm), "%s", comm);
}

static void comm_forget(struct format_ctx *ctx, uint32_t tid)
{
	struct format_comm *s = &ctx->comm[slot_of(tid)];

	if (tid && s->tid == tid)
		memset(s, 0, sizeof(*s));
}

void event_format_update(struct format_ctx *ctx, const struct event *ev)
{
	uint32_t tid = ev->hdr->tid;
	int64_t v;

	switch (ev->hdr->type) {
	case OSP_EVT_PROC_SNAPSHOT:
	case OSP_EVT_PROC_EXEC:
		/* An exec from a non-leader thread takes over the leader's tid: the old one is
		 * gone. */
		if (event_get_s64(ev, OSP_EXEC_P_OLD_TID, &v) && v > 0 && (uint64_t)v != tid)
			comm_forget(ctx, (uint32_t)v);
		comm_set(ctx, tid, event_get_str(ev, OSP_EXEC_P_COMM));
		break;
	case OSP_EVT_PROC_FORK: {
		const char *parent = NULL;

		if (event_get_s64(ev, OSP_FORK_P_PTID, &v) && v > 0 && v <= UINT32_MAX)
			parent = event_format_comm(ctx, (uint32_t)v);
		if (!parent && event_get_s64(ev, OSP_FORK_P_PPID, &v) && v > 0 && v <= UINT32_MAX)
			parent = event_format_comm(ctx, (uint32_t)v);
		if (parent) {
			char copy[OSP_COMM_LEN];

			/* The parent's slot may be the child's: copy before writing. */
			snprintf(copy, sizeof(copy), "%s", parent);
			comm_set(ctx, tid, copy);
		} else {
			comm_forget(ctx, tid);
		}
		break;
	}
	case OSP_EVT_PROC_EXIT:
		comm_forget(ctx, tid);
		break;
	case OSP_EVT_PRCTL: {
		uint64_t option;
		int64_t res;

		/* prctl(PR_SET_NAME) renames the calling thread. */
		if (event_get_res(ev, &res) && res == 0 && event_get_u64(ev, 1, &option) &&
		    option == 15)
			comm_set(ctx, tid, event_get_str(ev, 2));
		break;
	}
	default:
		break;
	}
}
