// SPDX-License-Identifier: Apache-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "macro.h"

enum msg_kind {
	MSG_BLOCK = 1,
	MSG_NONE,
	MSG_CHECK,
	MSG_WANT_POST,
	MSG_END,
	MSG_SKIP,
	MSG_FAIL,
};

/* One message of a child's report; datalen bytes of data follow. */
struct exp_msg {
	uint32_t kind;
	uint32_t datalen;
	char name[OSP_NAME_MAX];
	int32_t check;
	uint32_t pid, tid;
	int64_t a, b;
};

#define MSG_DATA_MAX (16u * 1024)

/* ---- child side ---- */

static int report_fd = -1;

void exp_init(int fd)
{
	report_fd = fd;
}

static void write_all(const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = write(report_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3); /* the parent is gone or the pipe broke: nothing left to report to */
		p += w;
		n -= (size_t)w;
	}
}

static void send_msg(uint32_t kind, const char *name, int32_t check, uint32_t pid, uint32_t tid,
		     int64_t a, int64_t b, const void *data, size_t datalen)
{
	struct exp_msg m = {
		.kind = kind,
		.check = check,
		.pid = pid,
		.tid = tid,
		.a = a,
		.b = b,
	};

	if (datalen > MSG_DATA_MAX)
		datalen = MSG_DATA_MAX; /* the parent then reports a mismatch: never silently fine */
	m.datalen = (uint32_t)datalen;
	if (name)
		snprintf(m.name, sizeof(m.name), "%s", name);
	write_all(&m, sizeof(m));
	if (datalen)
		write_all(data, datalen);
}

void exp_begin(const char *event, pid_t pid, pid_t tid)
{
	send_msg(MSG_BLOCK, event, 0, (uint32_t)pid, (uint32_t)tid, 0, 0, NULL, 0);
}

void exp_none(const char *event, pid_t pid)
{
	send_msg(MSG_NONE, event, 0, (uint32_t)pid, 0, 0, 0, NULL, 0);
}

void exp_num(const char *param, int64_t v)
{
	send_msg(MSG_CHECK, param, EXP_NUM, 0, 0, v, 0, NULL, 0);
}

void exp_range(const char *param, uint64_t lo, uint64_t hi)
{
	send_msg(MSG_CHECK, param, EXP_RANGE, 0, 0, (int64_t)lo, (int64_t)hi, NULL, 0);
}

void exp_str(const char *param, const char *s)
{
	send_msg(MSG_CHECK, param, EXP_STR, 0, 0, 0, 0, s, strlen(s) + 1);
}

void exp_str_trunc(const char *param, const char *full, uint32_t stored)
{
	send_msg(MSG_CHECK, param, EXP_STR_TRUNC, 0, 0, stored, 0, full, strlen(full) + 1);
}

void exp_bytes(const char *param, const void *p, size_t n)
{
	send_msg(MSG_CHECK, param, EXP_BYTES, 0, 0, 0, 0, p, n);
}

void exp_bytes_trunc(const char *param, const void *full, size_t n, uint32_t stored)
{
	send_msg(MSG_CHECK, param, EXP_BYTES_TRUNC, 0, 0, stored, 0, full, n);
}

void exp_empty(const char *param)
{
	send_msg(MSG_CHECK, param, EXP_EMPTY, 0, 0, 0, 0, NULL, 0);
}

void exp_post_str(const char *param, unsigned line)
{
	send_msg(MSG_CHECK, param, EXP_POST_STR, 0, 0, line, 0, NULL, 0);
}

void exp_post_hex(const char *param, unsigned line)
{
	send_msg(MSG_CHECK, param, EXP_POST_HEX, 0, 0, line, 0, NULL, 0);
}

void exp_want_post(void)
{
	send_msg(MSG_WANT_POST, NULL, 0, 0, 0, 0, 0, NULL, 0);
}

void exp_end(void)
{
	send_msg(MSG_END, NULL, 0, 0, 0, 0, 0, NULL, 0);
}

static _Noreturn void send_reason(uint32_t kind, int status, const char *fmt, va_list ap)
{
	char buf[EXP_REASON_MAX];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	send_msg(kind, NULL, 0, 0, 0, 0, 0, buf, strlen(buf) + 1);
	_exit(status);
}

void exp_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_reason(MSG_SKIP, 0, fmt, ap);
}

void exp_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_reason(MSG_FAIL, 1, fmt, ap);
}

/* ---- parent side ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly n bytes before the deadline. Returns 0, -EPIPE at EOF, -ETIMEDOUT, -errno. */
static int read_full(int fd, void *buf, size_t n, int64_t deadline)
{
	uint8_t *p = buf;

	while (n > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t r;
		int k;

		if (left <= 0)
			return -ETIMEDOUT;
		k = poll(&pfd, 1, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -ETIMEDOUT;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void case_fail(struct exp_case *ec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void case_fail(struct exp_case *ec, const char *fmt, ...)
{
	va_list ap;

	if (ec->failed)
		return; /* keep the first reason */
	ec->failed = true;
	va_start(ap, fmt);
	vsnprintf(ec->reason, sizeof(ec->reason), fmt, ap);
	va_end(ap);
}

static bool is_signed_type(uint8_t type)
{
	switch (type) {
	case OSP_PT_INT8:
	case OSP_PT_INT16:
	case OSP_PT_INT32:
	case OSP_PT_INT64:
	case OSP_PT_ERRNO:
	case OSP_PT_FD:
	case OSP_PT_DIRFD:
	case OSP_PT_PID:
		return true;
	default:
		return false;
	}
}

/* Checks a finished report against the schema: the table's own bugs fail the case. */
static void validate_blocks(struct exp_case *ec)
{
	for (unsigned i = 0; i < ec->nblocks; i++) {
		struct exp_block *b = &ec->blocks[i];
		const struct osp_event_info *info = event_info(b->type);
		bool covered[OSP_MAX_PARAMS] = { false };

		if (!info)
			continue; /* reported when the block was read */
		for (unsigned k = 0; k < b->nchecks; k++) {
			int idx = event_info_param_index(info, b->checks[k].name);

			if (idx < 0) {
				case_fail(ec, "test bug: event '%s' has no parameter '%s'", info->name,
					  b->checks[k].name);
				return;
			}
			if (covered[idx]) {
				case_fail(ec, "test bug: parameter '%s' of '%s' expected twice",
					  b->checks[k].name, info->name);
				return;
			}
			covered[idx] = true;
		}
		if (b->negative)
			continue;
		for (unsigned p = 0; p < info->nparams; p++)
			if (!covered[p]) {
				case_fail(ec, "test bug: parameter '%s' of '%s' has no expectation",
					  info->params[p].name, info->name);
				return;
			}
	}
}

int expect_read_report(int fd, int timeout_ms, struct exp_case *ec)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct exp_block *cur = NULL;

	for (;;) {
		struct exp_msg m;
		int r;

		r = read_full(fd, &m, sizeof(m), deadline);
		if (r == -EPIPE && ec->ended)
			return 0; /* the child exited or exec'd after its end mark */
		if (r < 0)
			return r;
		if (m.datalen > MSG_DATA_MAX)
			return -EBADMSG;
		/* After the end mark only a late failure may come (an exec that failed). */
		if (ec->ended && m.kind != MSG_FAIL && m.kind != MSG_SKIP)
			return -EBADMSG;
		m.name[sizeof(m.name) - 1] = '\0';

		switch (m.kind) {
		case MSG_BLOCK:
		case MSG_NONE: {
			int type = event_type_from_name(m.name);

			if (m.datalen)
				return -EBADMSG;
			if (ec->nblocks >= EXP_MAX_BLOCKS) {
				case_fail(ec, "test bug: more than %d expected events", EXP_MAX_BLOCKS);
				cur = NULL;
				break;
			}
			if (type < 0) {
				case_fail(ec, "test bug: no event named '%s'", m.name);
				cur = NULL;
				break;
			}
			cur = &ec->blocks[ec->nblocks++];
			memset(cur, 0, sizeof(*cur));
			cur->type = (uint16_t)type;
			cur->negative = m.kind == MSG_NONE;
			cur->pid = m.pid;
			cur->tid = m.tid;
			cur->best = UINT32_MAX;
			break;
		}
		case MSG_CHECK: {
			struct exp_check *c;

			if (!cur || cur->negative) {
				/* Still consume the data to stay in step. */
				case_fail(ec, "test bug: parameter '%s' outside an expected event", m.name);
				cur = NULL;
			} else if (cur->nchecks >= EXP_MAX_CHECKS) {
				case_fail(ec, "test bug: more than %d parameter checks", EXP_MAX_CHECKS);
				cur = NULL;
			} else if (m.datalen > EXP_DATA_MAX - ec->used) {
				case_fail(ec, "test bug: more than %u bytes of expectations", EXP_DATA_MAX);
				cur = NULL;
			}
			if (!cur) {
				uint8_t sink[256];

				for (uint32_t left = m.datalen; left > 0;) {
					uint32_t n = MIN(left, (uint32_t)sizeof(sink));

					r = read_full(fd, sink, n, deadline);
					if (r < 0)
						return r;
					left -= n;
				}
				break;
			}
			c = &cur->checks[cur->nchecks++];
			memset(c, 0, sizeof(*c));
			if (strlen(m.name) >= sizeof(c->name)) {
				case_fail(ec, "test bug: parameter name '%s' too long", m.name);
				return -EBADMSG;
			}
			memcpy(c->name, m.name, strlen(m.name) + 1);
			c->kind = (enum exp_kind)m.check;
			c->a = m.a;
			c->b = m.b;
			c->off = ec->used;
			c->len = m.datalen;
			if (m.datalen) {
				r = read_full(fd, ec->data + ec->used, m.datalen, deadline);
				if (r < 0)
					return r;
				ec->used += m.datalen;
			}
			if ((c->kind == EXP_STR || c->kind == EXP_STR_TRUNC) &&
			    (c->len == 0 || ec->data[c->off + c->len - 1] != '\0'))
				return -EBADMSG;
			break;
		}
		case MSG_WANT_POST:
			ec->wants_post = true;
			break;
		case MSG_END:
			ec->ended = true;
			validate_blocks(ec);
			break;
		case MSG_SKIP:
		case MSG_FAIL: {
			char buf[EXP_REASON_MAX];

			if (m.datalen == 0 || m.datalen > sizeof(buf))
				return -EBADMSG;
			r = read_full(fd, buf, m.datalen, deadline);
			if (r < 0)
				return r;
			buf[m.datalen - 1] = '\0';
			if (m.kind == MSG_SKIP) {
				ec->skipped = true;
				snprintf(ec->reason, sizeof(ec->reason), "%s", buf);
			} else {
				ec->failed = false; /* the child's own reason wins */
				case_fail(ec, "trigger: %s", buf);
			}
			ec->ended = true;
			break;
		}
		default:
			return -EBADMSG;
		}
	}
}

int expect_resolve_post(struct exp_case *ec, const char *text)
{
	const char *lines[EXP_POST_LINES];
	size_t lens[EXP_POST_LINES];
	unsigned n = 0;

	for (const char *p = text; *p && n < EXP_POST_LINES;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lines[n] = p;
		lens[n++] = len;
		p += len + (nl ? 1 : 0);
	}

	for (unsigned i = 0; i < ec->nblocks; i++) {
		struct exp_block *b = &ec->blocks[i];

		for (unsigned k = 0; k < b->nchecks; k++) {
			struct exp_check *c = &b->checks[k];
			char buf[64];
			unsigned line = (unsigned)c->a;

			if (c->kind != EXP_POST_STR && c->kind != EXP_POST_HEX)
				continue;
			if (line >= n) {
				case_fail(ec, "post-exec report has %u lines, '%s' wants line %u", n,
					  c->name, line);
				return -EBADMSG;
			}
			if (c->kind == EXP_POST_STR) {
				if (lens[line] + 1 > EXP_DATA_MAX - ec->used)
					return -ENOBUFS;
				c->kind = EXP_STR;
				c->off = ec->used;
				c->len = (uint32_t)lens[line] + 1;
				memcpy(ec->data + ec->used, lines[line], lens[line]);
				ec->data[ec->used + lens[line]] = '\0';
				ec->used += c->len;
			} else {
				char *end;
				unsigned long long v;

				if (lens[line] == 0 || lens[line] >= sizeof(buf))
					return -EBADMSG;
				memcpy(buf, lines[line], lens[line]);
				buf[lens[line]] = '\0';
				errno = 0;
				v = strtoull(buf, &end, 16);
				if (errno || *end) {
					case_fail(ec, "post-exec line %u '%s' is not hexadecimal", line,
						  buf);
					return -EBADMSG;
				}
				c->kind = EXP_NUM;
				c->a = (int64_t)v;
			}
		}
	}
	return 0;
}

/* ---- formatting ---- */

static void append(char *out, size_t size, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *out, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = MIN(size - 1, *pos + (size_t)n);
}

/* Quoted, escaped, shortened to about 160 characters. */
static void append_quoted(char *out, size_t size, size_t *pos, const uint8_t *p, size_t len)
{
	size_t shown = MIN(len, (size_t)160);

	append(out, size, pos, "\"");
	for (size_t i = 0; i < shown; i++) {
		uint8_t ch = p[i];

		if (ch == '\0')
			append(out, size, pos, "\\0");
		else if (ch == '"' || ch == '\\')
			append(out, size, pos, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			append(out, size, pos, "\\x%02x", ch);
		else
			append(out, size, pos, "%c", ch);
	}
	append(out, size, pos, "\"");
	if (shown < len)
		append(out, size, pos, "...(%zu bytes)", len);
}

static void append_inet(char *out, size_t size, size_t *pos, int family, const uint8_t *addr,
			const uint8_t *port)
{
	char buf[INET6_ADDRSTRLEN];
	uint16_t po;

	memcpy(&po, port, 2);
	if (!inet_ntop(family, addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	if (family == AF_INET6)
		append(out, size, pos, "[%s]:%u", buf, po);
	else
		append(out, size, pos, "%s:%u", buf, po);
}

static void append_sock(char *out, size_t size, size_t *pos, uint8_t type, const uint8_t *p,
			size_t len)
{
	uint8_t family = p[0];

	if (type == OSP_PT_SOCKADDR && family == OSP_AF_INET && len == OSP_SOCKADDR_INET_LEN) {
		append(out, size, pos, "inet ");
		append_inet(out, size, pos, AF_INET, p + 1, p + 5);
	} else if (type == OSP_PT_SOCKADDR && family == OSP_AF_INET6 &&
		   len == OSP_SOCKADDR_INET6_LEN) {
		append(out, size, pos, "inet6 ");
		append_inet(out, size, pos, AF_INET6, p + 1, p + 17);
	} else if (type == OSP_PT_SOCKTUPLE && family == OSP_AF_INET &&
		   len == OSP_SOCKTUPLE_INET_LEN) {
		append(out, size, pos, "inet ");
		append_inet(out, size, pos, AF_INET, p + 1, p + 5);
		append(out, size, pos, "->");
		append_inet(out, size, pos, AF_INET, p + 7, p + 11);
	} else if (type == OSP_PT_SOCKTUPLE && family == OSP_AF_INET6 &&
		   len == OSP_SOCKTUPLE_INET6_LEN) {
		append(out, size, pos, "inet6 ");
		append_inet(out, size, pos, AF_INET6, p + 1, p + 17);
		append(out, size, pos, "->");
		append_inet(out, size, pos, AF_INET6, p + 19, p + 35);
	} else if (family == OSP_AF_UNIX) {
		append(out, size, pos, "unix ");
		append_quoted(out, size, pos, p + 1, len - 1);
	} else {
		append(out, size, pos, "family %u, %zu bytes ", family, len);
		append_quoted(out, size, pos, p, len);
	}
}

/* One value of a parameter type, as stored on the wire. */
static void append_value(char *out, size_t size, size_t *pos, uint8_t type, const uint8_t *p,
			 size_t len, bool truncated)
{
	uint32_t fixed = osp_param_type_size(type);

	if (len == 0) {
		append(out, size, pos, "<empty>");
	} else if (fixed && fixed == len) {
		uint64_t u = 0;
		int64_t s;

		memcpy(&u, p, len); /* little endian: the low bytes */
		switch (len) {
		case 1:
			s = (int8_t)u;
			break;
		case 2:
			s = (int16_t)u;
			break;
		case 4:
			s = (int32_t)u;
			break;
		default:
			s = (int64_t)u;
			break;
		}
		if (type == OSP_PT_ERRNO && s < 0 && s > -4096)
			append(out, size, pos, "%" PRId64 " (%s)", s,
			       strerrorname_np((int)-s) ?: "?");
		else if (is_signed_type(type))
			append(out, size, pos, "%" PRId64, s);
		else if (type == OSP_PT_MODE)
			append(out, size, pos, "0%" PRIo64, u);
		else if (type == OSP_PT_FLAGS32 || type == OSP_PT_FLAGS64 || type == OSP_PT_CAPS ||
			 type == OSP_PT_DEV)
			append(out, size, pos, "0x%" PRIx64, u);
		else
			append(out, size, pos, "%" PRIu64, u);
	} else if (type == OSP_PT_SOCKADDR || type == OSP_PT_SOCKTUPLE) {
		append_sock(out, size, pos, type, p, len);
	} else {
		append_quoted(out, size, pos, p, len);
	}
	if (truncated)
		append(out, size, pos, " [truncated]");
}

void expect_format_event(const struct event *ev, char *out, size_t size)
{
	size_t pos = 0;

	out[0] = '\0';
	append(out, size, &pos, "%s tid=%u pid=%u:", ev->info->name, ev->hdr->tid, ev->hdr->pid);
	for (unsigned i = 0; i < ev->nparams; i++) {
		append(out, size, &pos, " %s=", ev->info->params[i].name);
		append_value(out, size, &pos, ev->info->params[i].type, ev->val[i], ev->len[i],
			     event_param_truncated(ev, i));
	}
}

/* ---- comparison ---- */

static bool check_one(const struct exp_case *ec, const struct exp_check *c, const struct event *ev,
		      unsigned idx, char *why, size_t size)
{
	uint8_t type = ev->info->params[idx].type;
	const uint8_t *val = ev->val[idx];
	const uint8_t *want = ec->data + c->off;
	uint32_t len = ev->len[idx];
	bool trunc = event_param_truncated(ev, idx);
	size_t pos = 0;

	why[0] = '\0';
	switch (c->kind) {
	case EXP_NUM: {
		int64_t s;
		uint64_t u;

		if (is_signed_type(type)) {
			if (event_get_s64(ev, idx, &s) && s == c->a && !trunc)
				return true;
		} else if (event_get_u64(ev, idx, &u) && u == (uint64_t)c->a && !trunc) {
			return true;
		}
		if (is_signed_type(type) && type == OSP_PT_ERRNO && c->a < 0 && c->a > -4096)
			append(why, size, &pos, "expected %" PRId64 " (%s)", c->a,
			       strerrorname_np((int)-c->a) ?: "?");
		else if (is_signed_type(type))
			append(why, size, &pos, "expected %" PRId64, c->a);
		else if (type == OSP_PT_MODE)
			append(why, size, &pos, "expected 0%" PRIo64, (uint64_t)c->a);
		else if (type == OSP_PT_FLAGS32 || type == OSP_PT_FLAGS64 || type == OSP_PT_CAPS ||
			 type == OSP_PT_DEV)
			append(why, size, &pos, "expected 0x%" PRIx64, (uint64_t)c->a);
		else
			append(why, size, &pos, "expected %" PRIu64, (uint64_t)c->a);
		break;
	}
	case EXP_RANGE: {
		uint64_t u, hi = c->b ? (uint64_t)c->b : ev->hdr->ts_ns;

		if (event_get_u64(ev, idx, &u) && u >= (uint64_t)c->a && u <= hi && !trunc)
			return true;
		append(why, size, &pos, "expected %" PRIu64 "..%" PRIu64, (uint64_t)c->a, hi);
		break;
	}
	case EXP_STR:
	case EXP_BYTES:
		if (len == c->len && !trunc && memcmp(val, want, len) == 0)
			return true;
		append(why, size, &pos, "expected ");
		append_value(why, size, &pos, type, want, c->len, false);
		break;
	case EXP_STR_TRUNC:
	case EXP_BYTES_TRUNC:
		if (trunc && len == (uint64_t)c->a && len > 0 && len <= c->len &&
		    val[len - 1] == '\0' && memcmp(val, want, len - 1) == 0)
			return true;
		append(why, size, &pos, "expected the first %" PRId64 " bytes (NUL-ended) of ", c->a);
		append_value(why, size, &pos, type, want, c->len, false);
		append(why, size, &pos, " flagged truncated");
		break;
	case EXP_EMPTY:
		if (len == 0)
			return true;
		append(why, size, &pos, "expected <empty>");
		break;
	default:
		append(why, size, &pos, "unresolved expectation kind %d", c->kind);
		break;
	}
	append(why, size, &pos, ", got ");
	append_value(why, size, &pos, type, val, len, trunc);
	return false;
}

unsigned expect_block_eval(const struct exp_case *ec, const struct exp_block *b,
			   const struct event *ev, char *diff, size_t size)
{
	unsigned mismatches = 0;
	size_t pos = 0;

	diff[0] = '\0';
	if (ec->ts_lo) {
		struct timespec now;
		uint64_t hi;

		clock_gettime(CLOCK_BOOTTIME, &now);
		hi = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
		if (ev->hdr->ts_ns < ec->ts_lo || ev->hdr->ts_ns > hi) {
			append(diff, size, &pos,
			       "\n      ts_ns: expected CLOCK_BOOTTIME %" PRIu64 "..%" PRIu64
			       ", got %" PRIu64, ec->ts_lo, hi, (uint64_t)ev->hdr->ts_ns);
			mismatches++;
		}
	}
	if (ev->hdr->nparams != ev->info->nparams) {
		append(diff, size, &pos, "\n      record has %u parameters, the schema %u",
		       ev->hdr->nparams, ev->info->nparams);
		mismatches++;
	}
	for (unsigned k = 0; k < b->nchecks; k++) {
		const struct exp_check *c = &b->checks[k];
		int idx = event_info_param_index(ev->info, c->name);
		char why[1024];

		if (idx < 0)
			continue; /* validate_blocks() already failed the case */
		if (check_one(ec, c, ev, (unsigned)idx, why, sizeof(why)))
			continue;
		mismatches++;
		append(diff, size, &pos, "\n      %s: %s", c->name, why);
	}
	return mismatches;
}
