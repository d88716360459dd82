// SPDX-License-Identifier: Apache-2.0
/*
 * Field extraction for the rules: one switch on the field id, reading the event's parameters
 * and the process state. See extract.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnsnames.h"
#include "errno_name.h"
#include "extract.h"
#include "extract_meta.h"
#include "flag_names.h"

#define AT_FDCWD_VALUE	(-100)
#define O_ACCMODE_BITS	03
#define O_WRONLY_BIT	01
#define O_RDWR_BIT	02
#define O_CREAT_BIT	0100
#define O_TRUNC_BIT	01000
#define O_DIRECTORY_BIT 0200000
#define O_TMPFILE_BITS	(020000000 | O_DIRECTORY_BIT)

/* The names the extractors look up on every event, resolved once per event id. */
enum {
	PN_FLAGS,
	PN_NAME,
	PN_OLDFD,
	PN_FD,
	PN_TUPLE,
	PN_MODE,
	PN_OLDPATH,
	PN_NEWPATH,
	PN_TARGET,
	PN_LINKPATH,
	PN_EXE_FLAGS,
	_PN_MAX
};
static const char *const pn_names[_PN_MAX] = {
	"flags",   "name",	"oldfd",  "fd",	  "tuple",     "mode",
	"oldpath", "newpath", "target", "linkpath", "exe_flags",
};
static int8_t pn_cache[OSP_EVT_COUNT][_PN_MAX];
static bool pn_cache_ready;

static void pn_cache_fill(void)
{
	for (unsigned t = 0; t < OSP_EVT_COUNT; t++) {
		const struct osp_event_info *info = event_info((uint16_t)t);

		for (unsigned k = 0; k < _PN_MAX; k++)
			pn_cache[t][k] =
				(int8_t)(info ? event_info_param_index(info, pn_names[k]) : -1);
	}
	pn_cache_ready = true;
}

/*
 * Index of the parameter named pn_names[k] in ev, or -1 (also when the event lacks it). Every
 * extraction runs on a context, and extract_ctx_new() has filled the cache.
 */
static inline int pidx(const struct event *ev, unsigned k)
{
	uint16_t type = ev->hdr->type;
	int i;

	i = type < OSP_EVT_COUNT ? pn_cache[type][k] : -1;
	return i >= 0 && i < ev->nparams ? i : -1;
}

int extract_ctx_new(struct state *st, size_t n_slots, struct extract_ctx **ret)
{
	struct extract_ctx *c;

	if (n_slots > EXTRACT_SLOTS_MAX)
		return -E2BIG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->slots = calloc(n_slots ? n_slots : 1, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	c->n_slots = n_slots;
	c->st = st;
	if (!pn_cache_ready)
		pn_cache_fill();
	*ret = c;
	return 0;
}

void extract_ctx_free(struct extract_ctx *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

void extract_begin(struct extract_ctx *c, const struct event *ev, struct state_thread *t)
{
	uint64_t ts = ev->hdr->ts_ns;

	c->ev = ev;
	c->t = t;
	c->evt_num++;
	if (!c->first_ts)
		c->first_ts = ts;
	/* unique across contexts, so results remembered per event (eval.c) never collide */
	static uint64_t generation;

	c->gen = ++generation;
	c->arena_used = 0;
	c->fd_done = false;
	c->fd_name_pending = false;
	c->oflags_state = 0;
	c->fd = NULL;
	(void)ts;
}

void *extract_alloc(struct extract_ctx *c, size_t size)
{
	size_t off = (c->arena_used + 7) & ~(size_t)7;
	void *p;

	if (off > sizeof(c->arena) || size > sizeof(c->arena) - off) {
		c->stats.arena_exhausted++;
		return NULL;
	}
	p = c->arena + off;
	c->arena_used = off + size;
	return p;
}

char *extract_strdup(struct extract_ctx *c, const char *s, size_t len)
{
	char *p;

	if (c->arena_used > sizeof(c->arena) || len >= sizeof(c->arena) - c->arena_used) {
		c->stats.arena_exhausted++;
		return NULL;
	}
	p = c->arena + c->arena_used;
	memcpy(p, s, len);
	p[len] = 0;
	c->arena_used += len + 1;
	return p;
}

/* ---- small helpers ---- */

static void set_str(struct xval *v, const char *s, size_t len)
{
	v->type = XV_STR;
	v->s = s;
	v->len = (uint32_t)len;
}

static size_t put_cstr(struct xval *v, const char *s)
{
	if (!s)
		return 0;
	set_str(v, s, strlen(s));
	return 1;
}

static size_t put_s64(struct xval *v, int64_t i)
{
	v->type = XV_S64;
	v->i = i;
	return 1;
}

static size_t put_u64(struct xval *v, uint64_t u)
{
	v->type = XV_U64;
	v->u = u;
	return 1;
}

/*
 * The state keeps a terminal as the kernel's dev_t (major << 20 | minor); proc.tty prints it as
 * proc(5)'s tty_nr (minor in bits 0-7 and 20-31, major in bits 8-19), as Falco does: /dev/pts/0
 * is 34816 in both.
 */
static uint32_t tty_nr_of(uint32_t dev)
{
	uint32_t major = dev >> 20, minor = dev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static size_t put_bool(struct xval *v, bool b)
{
	v->type = XV_BOOL;
	v->b = b;
	return 1;
}

/* A printf into the arena, as one string value. */
__attribute__((format(printf, 3, 4))) static size_t put_fmt(struct extract_ctx *c, struct xval *v,
							    const char *fmt, ...)
{
	size_t avail, off = c->arena_used;
	va_list ap;
	int n;

	if (off >= sizeof(c->arena)) {
		c->stats.arena_exhausted++;
		return 0;
	}
	avail = sizeof(c->arena) - off;
	va_start(ap, fmt);
	n = vsnprintf(c->arena + off, avail, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= avail) {
		c->stats.arena_exhausted++;
		return 0;
	}
	set_str(v, c->arena + off, (size_t)n);
	c->arena_used = off + (size_t)n + 1;
	return 1;
}

/* Reserves the rest of the arena for a string being built; commit with arena_commit(). */
static char *arena_tail(struct extract_ctx *c, size_t *ret_avail)
{
	if (c->arena_used >= sizeof(c->arena)) {
		*ret_avail = 0;
		return NULL;
	}
	*ret_avail = sizeof(c->arena) - c->arena_used;
	return c->arena + c->arena_used;
}

static size_t arena_commit(struct extract_ctx *c, struct xval *v, size_t n, size_t avail)
{
	char *p = c->arena + c->arena_used;

	if (n >= avail) {
		c->stats.arena_exhausted++;
		return 0;
	}
	p[n] = 0;
	set_str(v, p, n);
	c->arena_used += n + 1;
	return 1;
}

static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

size_t extract_caps_format(uint64_t caps, char *buf, size_t size)
{
	size_t n = 0;

	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < 64; i++) {
		char tmp[16];
		const char *name = tmp;
		int k;

		if (!(caps >> i & 1))
			continue;
		if (i < sizeof(cap_names) / sizeof(cap_names[0]))
			name = cap_names[i];
		else
			snprintf(tmp, sizeof(tmp), "CAP_%u", i);
		k = snprintf(n < size ? buf + n : NULL, n < size ? size - n : 0, "%s%s",
			     n ? " " : "", name);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

size_t extract_mode_format(uint32_t mode, char *buf, size_t size)
{
	static const char *const names[] = {
		"S_IXOTH", "S_IWOTH", "S_IROTH", "S_IXGRP", "S_IWGRP", "S_IRGRP",
		"S_IXUSR", "S_IWUSR", "S_IRUSR", "S_ISVTX", "S_ISGID", "S_ISUID",
	};
	size_t n = 0;

	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < 12; i++) {
		int k;

		if (!(mode >> i & 1))
			continue;
		k = snprintf(n < size ? buf + n : NULL, n < size ? size - n : 0, "%s%s",
			     n ? "|" : "", names[i]);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}

/* ---- paths ---- */

static const char *proc_cwd(const struct state_thread *t)
{
	return t && t->proc->cwd ? t->proc->cwd->s : "";
}

/*
 * Resolves parameter i (PATH: against the cwd; FSRELPATH: against its dirfd) into the arena, as
 * the state resolves the names of the fds it tracks (state_path_resolve()): a path relative to
 * an unknown directory is kept as given.
 */
static size_t resolve_param_path(struct extract_ctx *c, int i, struct xval *v)
{
	const struct event *ev = c->ev;
	const struct osp_param_info *pi;
	const char *path, *base = "";
	char *out;
	size_t avail, n;

	if (i < 0 || i >= ev->nparams)
		return 0;
	path = event_get_str(ev, (unsigned)i);
	if (!path)
		return 0;
	pi = &ev->info->params[i];
	if (path[0] != '/') {
		int64_t dirfd = AT_FDCWD_VALUE;

		if (pi->type == OSP_PT_FSRELPATH)
			(void)event_get_s64(ev, pi->aux, &dirfd);
		if (!c->t)
			base = dirfd == AT_FDCWD_VALUE ? "" : NULL;
		else
			base = state_dirfd_base(c->t, dirfd);
		if (!path[0] && base) /* AT_EMPTY_PATH: the dirfd itself */
			return put_cstr(v, base);
		if (!base || !base[0]) /* relative to an unknown directory: keep as given */
			return put_cstr(v, path);
	}
	out = arena_tail(c, &avail);
	if (!out || avail < 2) {
		c->stats.arena_exhausted++;
		return 0;
	}
	n = state_path_resolve(base, path, out, avail < OSP_STR_MAX ? avail : OSP_STR_MAX);
	return arena_commit(c, v, n, avail);
}

/* Index of parameter name in ev, or -1. */
static int param_index(const struct event *ev, const char *name)
{
	int i;

	for (unsigned k = 0; k < _PN_MAX; k++)
		if (strcmp(pn_names[k], name) == 0)
			return pidx(ev, k);
	i = event_info_param_index(ev->info, name);
	return i >= 0 && i < ev->nparams ? i : -1;
}

static bool is_open_event(uint16_t type)
{
	return type == OSP_EVT_OPEN || type == OSP_EVT_OPENAT || type == OSP_EVT_OPENAT2 ||
	       type == OSP_EVT_CREAT;
}

/* The open flags of an open-type event (creat: O_WRONLY|O_CREAT|O_TRUNC), once per event. */
__attribute__((noinline))
static void open_flags_fill(struct extract_ctx *c)
{
	const struct event *ev = c->ev;
	int i;

	c->oflags_state = 2;
	if (ev->hdr->type == OSP_EVT_CREAT) {
		c->oflags = O_WRONLY_BIT | O_CREAT_BIT | O_TRUNC_BIT;
		c->oflags_state = 1;
	} else if (is_open_event(ev->hdr->type) && (i = pidx(ev, PN_FLAGS)) >= 0 &&
		   event_get_u32(ev, (unsigned)i, &c->oflags))
		c->oflags_state = 1;
}

static inline bool open_flags(struct extract_ctx *c, uint32_t *ret)
{
	if (c->oflags_state == 0)
		open_flags_fill(c);
	if (c->oflags_state != 1)
		return false;
	*ret = c->oflags;
	return true;
}

static void tuple_to_fd(const uint8_t *p, size_t len, struct state_fd *fd)
{
	if (len < 1)
		return;
	fd->family = p[0];
	if (p[0] == OSP_AF_INET && len >= 13) {
		fd->type = OSP_FD_TYPE_IPV4_SOCK;
		memcpy(fd->laddr, p + 1, 4);
		memcpy(&fd->lport, p + 5, 2);
		memcpy(fd->raddr, p + 7, 4);
		memcpy(&fd->rport, p + 11, 2);
		fd->role |= STATE_FD_HAS_TUPLE | STATE_FD_CLIENT;
	} else if (p[0] == OSP_AF_INET6 && len >= 37) {
		fd->type = OSP_FD_TYPE_IPV6_SOCK;
		memcpy(fd->laddr, p + 1, 16);
		memcpy(&fd->lport, p + 17, 2);
		memcpy(fd->raddr, p + 19, 16);
		memcpy(&fd->rport, p + 35, 2);
		fd->role |= STATE_FD_HAS_TUPLE | STATE_FD_CLIENT;
	} else if (p[0] == OSP_AF_UNIX) {
		fd->type = OSP_FD_TYPE_UNIX_SOCK;
		fd->name = (const char *)p + 1;
		fd->name_len = (uint32_t)strnlen(fd->name, len - 1);
	}
}

/*
 * The fd the event is about: open-type events describe the file they opened (also when the open
 * failed: fd.num is then the error), dup* the duplicated descriptor, other events their fd
 * argument or the fd they created.
 */
__attribute__((noinline))
static struct state_fd *event_fd_fill(struct extract_ctx *c);

static inline struct state_fd *event_fd(struct extract_ctx *c)
{
	return c->fd_done ? c->fd : event_fd_fill(c);
}

static struct state_fd *event_fd_fill(struct extract_ctx *c)
{
	const struct event *ev = c->ev;
	uint16_t type = ev->hdr->type;
	struct state_fd *fd = NULL;
	int64_t num = -1;
	int i;

	c->fd_done = true;
	if (!(ev->info->flags & OSP_EF_SYSCALL))
		return NULL;
	if (is_open_event(type)) {
		struct xval v;
		uint32_t flags = 0;

		i = pidx(ev, PN_NAME);
		if (i < 0 || !event_get_str(ev, (unsigned)i))
			return NULL;
		num = 0;
		(void)event_get_res(ev, &num);
		/*
		 * A successful open: the state has just created the fd and resolved its name the
		 * same way (state_path_resolve()); resolve only when it could not track it.
		 */
		if (c->t && num >= 0 && (fd = state_fd_get(c->t, num))) {
			v.s = fd->name;
			v.len = fd->name_len;
		} else {
			/* a failed open: most rules stop at fd.num; resolve when a name is read */
			v.s = "";
			v.len = 0;
			c->fd_name_param = i;
			c->fd_name_pending = true;
		}
		memset(&c->fd_tmp, 0, offsetof(struct state_fd, name));
		c->fd_tmp.num = num;
		(void)open_flags(c, &flags);
		c->fd_tmp.flags = flags;
		c->fd_tmp.type = (flags & O_TMPFILE_BITS) == O_DIRECTORY_BIT ? OSP_FD_TYPE_DIRECTORY
									     : OSP_FD_TYPE_FILE;
		c->fd_tmp.name = v.s;
		c->fd_tmp.name_len = v.len;
		c->fd_tmp.heap_name = NULL;
		if (fd)
			c->fd_tmp.ino = fd->ino;
		c->fd = &c->fd_tmp;
		return c->fd;
	}
	if ((i = pidx(ev, PN_OLDFD)) >= 0 || (i = pidx(ev, PN_FD)) > 0)
		(void)event_get_s64(ev, (unsigned)i, &num);
	else if (ev->info->flags & OSP_EF_CREATES_FD && ev->nparams &&
		 ev->info->params[0].type == OSP_PT_FD)
		(void)event_get_res(ev, &num);
	if (num >= 0 && c->t)
		fd = state_fd_get(c->t, num);
	if (!fd && (i = pidx(ev, PN_TUPLE)) >= 0 && ev->len[i]) {
		memset(&c->fd_tmp, 0, sizeof(c->fd_tmp));
		c->fd_tmp.num = num;
		c->fd_tmp.name = "";
		tuple_to_fd(ev->val[i], ev->len[i], &c->fd_tmp);
		if (c->fd_tmp.type)
			fd = &c->fd_tmp;
	}
	c->fd = fd;
	return fd;
}

/* The event's fd, with its name resolved (event_fd() leaves a failed open's name for later). */
static struct state_fd *event_fd_named(struct extract_ctx *c)
{
	struct state_fd *fd = event_fd(c);
	struct xval v;

	if (!fd || !c->fd_name_pending)
		return fd;
	c->fd_name_pending = false;
	if (resolve_param_path(c, c->fd_name_param, &v) == 0) {
		c->fd = NULL; /* as if the fd were unknown: its name could not be resolved */
		return NULL;
	}
	c->fd_tmp.name = v.s;
	c->fd_tmp.name_len = v.len;
	return fd;
}

/* ---- rendering ---- */

size_t xval_format(const struct xval *v, char *buf, size_t size)
{
	int n = 0;

	switch (v->type) {
	case XV_STR:
	case XV_BYTES:
		n = snprintf(buf, size, "%.*s", (int)v->len, v->s);
		break;
	case XV_U64:
		n = snprintf(buf, size, "%llu", (unsigned long long)v->u);
		break;
	case XV_S64:
		n = snprintf(buf, size, "%lld", (long long)v->i);
		break;
	case XV_BOOL:
		n = snprintf(buf, size, "%s", v->b ? "true" : "false");
		break;
	case XV_IP: {
		char tmp[INET6_ADDRSTRLEN];

		if (!inet_ntop(v->family == 6 ? AF_INET6 : AF_INET, v->ip, tmp, sizeof(tmp)))
			tmp[0] = 0;
		n = snprintf(buf, size, "%s", tmp);
		break;
	}
	default:
		if (size)
			buf[0] = 0;
		break;
	}
	return n > 0 ? (size_t)n : 0;
}

static const char *res_errno_name(int64_t e)
{
	const char *s = e > 0 && e < 4096 ? errno_name((int)e) : NULL;

	return s ? s : "E?";
}

static size_t fmt_sockaddr(const uint8_t *p, size_t len, bool tuple, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint16_t pa, pb;
	int n = 0;

	if (!len) {
		if (size)
			buf[0] = 0;
		return 0;
	}
	if (p[0] == OSP_AF_INET && len >= (tuple ? 13u : 7u)) {
		inet_ntop(AF_INET, p + 1, a, sizeof(a));
		memcpy(&pa, p + 5, 2);
		if (tuple) {
			inet_ntop(AF_INET, p + 7, b, sizeof(b));
			memcpy(&pb, p + 11, 2);
			n = snprintf(buf, size, "%s:%u->%s:%u", a, pa, b, pb);
		} else
			n = snprintf(buf, size, "%s:%u", a, pa);
	} else if (p[0] == OSP_AF_INET6 && len >= (tuple ? 37u : 19u)) {
		inet_ntop(AF_INET6, p + 1, a, sizeof(a));
		memcpy(&pa, p + 17, 2);
		if (tuple) {
			inet_ntop(AF_INET6, p + 19, b, sizeof(b));
			memcpy(&pb, p + 35, 2);
			n = snprintf(buf, size, "%s:%u->%s:%u", a, pa, b, pb);
		} else
			n = snprintf(buf, size, "%s:%u", a, pa);
	} else if (p[0] == OSP_AF_UNIX) {
		n = snprintf(buf, size, "%.*s", (int)strnlen((const char *)p + 1, len - 1),
			     (const char *)p + 1);
	} else if (size)
		buf[0] = 0;
	return n > 0 ? (size_t)n : 0;
}

/* Parameter i as Falco renders evt.arg.NAME (raw: evt.rawarg.NAME, numbers as numbers). */
static size_t param_value(struct extract_ctx *c, int i, bool raw, struct xval *v)
{
	const struct event *ev = c->ev;
	const struct osp_param_info *pi;
	uint64_t u = 0;
	int64_t s = 0;
	char *out;
	size_t avail, n;

	if (i < 0 || i >= ev->nparams || !ev->len[i])
		return 0;
	pi = &ev->info->params[i];
	switch (pi->type) {
	case OSP_PT_INT8:
		return put_s64(v, *(const int8_t *)ev->val[i]);
	case OSP_PT_INT16: {
		int16_t x;

		memcpy(&x, ev->val[i], 2);
		return put_s64(v, x);
	}
	case OSP_PT_INT32: {
		int32_t x;

		memcpy(&x, ev->val[i], 4);
		return put_s64(v, x);
	}
	case OSP_PT_UINT8:
		return put_u64(v, *ev->val[i]);
	case OSP_PT_UINT16: {
		uint16_t x;

		memcpy(&x, ev->val[i], 2);
		return put_u64(v, x);
	}
	case OSP_PT_INT64:
	case OSP_PT_ERRNO:
	case OSP_PT_FD:
	case OSP_PT_DIRFD:
	case OSP_PT_PID:
		if (!event_get_s64(ev, (unsigned)i, &s))
			return 0;
		return put_s64(v, s);
	case OSP_PT_UINT32:
	case OSP_PT_UID:
	case OSP_PT_GID:
	case OSP_PT_DEV:
		if (!event_get_u64(ev, (unsigned)i, &u)) {
			uint32_t x;

			if (!event_get_u32(ev, (unsigned)i, &x))
				return 0;
			u = x;
		}
		return put_u64(v, u);
	case OSP_PT_UINT64:
	case OSP_PT_ABSTIME:
		if (!event_get_u64(ev, (unsigned)i, &u))
			return 0;
		return put_u64(v, u);
	case OSP_PT_MODE:
	case OSP_PT_FLAGS32:
	case OSP_PT_ENUM32:
	case OSP_PT_SIGNAL:
	case OSP_PT_FLAGS64:
	case OSP_PT_CAPS:
		if (pi->type == OSP_PT_FLAGS64 || pi->type == OSP_PT_CAPS) {
			if (!event_get_u64(ev, (unsigned)i, &u))
				return 0;
		} else {
			uint32_t x;

			if (!event_get_u32(ev, (unsigned)i, &x))
				return 0;
			u = x;
		}
		/* Falco's socket "type" is a plain number (PT_UINT32): no names for rules either */
		if (raw || (pi->type == OSP_PT_ENUM32 && pi->aux == OSP_FT_SOCKET_TYPE))
			return put_u64(v, u);
		out = arena_tail(c, &avail);
		if (!out)
			return 0;
		if (pi->type == OSP_PT_MODE && !u)
			n = (size_t)snprintf(out, avail, "0");
		else if (pi->type == OSP_PT_MODE)
			n = extract_mode_format((uint32_t)u, out, avail);
		else if (pi->type == OSP_PT_CAPS)
			n = extract_caps_format(u, out, avail);
		else if (pi->type == OSP_PT_SIGNAL) {
			const char *sig = flag_names_signal((uint32_t)u);

			n = sig ? (size_t)snprintf(out, avail, "%s", sig)
				: (size_t)snprintf(out, avail, "%llu", (unsigned long long)u);
		} else {
			int k = flag_names_format(pi->aux, u, pi->type == OSP_PT_ENUM32, out,
						  avail);

			n = k > 0 ? (size_t)k : 0;
		}
		return arena_commit(c, v, n, avail);
	case OSP_PT_PATH:
	case OSP_PT_FSRELPATH:
		if (raw)
			return put_cstr(v, event_get_str(ev, (unsigned)i));
		return resolve_param_path(c, i, v);
	case OSP_PT_CHARBUF:
		return put_cstr(v, event_get_str(ev, (unsigned)i));
	case OSP_PT_BYTEBUF:
		v->type = XV_BYTES;
		v->s = (const char *)ev->val[i];
		v->len = ev->len[i];
		return 1;
	case OSP_PT_CHARBUF_ARRAY: {
		size_t len = ev->len[i];

		out = extract_strdup(c, (const char *)ev->val[i], len);
		if (!out)
			return 0;
		while (len && out[len - 1] == 0)
			len--;
		for (size_t k = 0; k < len; k++)
			if (out[k] == 0)
				out[k] = ' ';
		set_str(v, out, len);
		return 1;
	}
	case OSP_PT_SOCKADDR:
	case OSP_PT_SOCKTUPLE:
		out = arena_tail(c, &avail);
		if (!out)
			return 0;
		n = fmt_sockaddr(ev->val[i], ev->len[i], pi->type == OSP_PT_SOCKTUPLE, out, avail);
		return arena_commit(c, v, n, avail);
	default:
		return 0;
	}
}

/* "name=value name=value ..." of every parameter (evt.args, evt.info). */
static size_t event_args(struct extract_ctx *c, struct xval *v)
{
	char buf[8192];
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < c->ev->nparams && n < sizeof(buf); i++) {
		struct xval pv;
		char val[4096] = "";
		int k;

		if (param_value(c, i, false, &pv))
			xval_format(&pv, val, sizeof(val));
		k = snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", n ? " " : "",
			     c->ev->info->params[i].name, val);
		if (k > 0)
			n += (size_t)k;
	}
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return (v->s = extract_strdup(c, buf, n)) ? (set_str(v, v->s, n), 1) : 0;
}

static const char *event_type_name(const struct event *ev)
{
	switch (ev->hdr->type) {
	case OSP_EVT_PROC_EXEC: {
		uint32_t f = 0;

		(void)event_get_u32(ev, OSP_EXEC_P_EXE_FLAGS, &f);
		return f & OSP_EXE_EXECVEAT ? "execveat" : "execve";
	}
	case OSP_EVT_PROC_FORK:
		return "clone";
	default:
		return ev->info->name;
	}
}

static const char *category_name(uint8_t cat)
{
	switch (cat) {
	case OSP_CAT_PROCESS:
	case OSP_CAT_NAMESPACE:
		return "process";
	case OSP_CAT_FILE:
		return "file";
	case OSP_CAT_NET:
		return "net";
	case OSP_CAT_IPC:
		return "ipc";
	case OSP_CAT_PERMISSION:
		return "user";
	case OSP_CAT_MEMORY:
		return "memory";
	case OSP_CAT_SYSTEM:
		return "system";
	case OSP_CAT_SIGNAL:
		return "signal";
	default:
		return "internal";
	}
}

/* The syscall result; PROC_EXEC and PROC_FORK (the child's view) succeeded with 0. */
static bool event_res(const struct event *ev, int64_t *ret)
{
	if (ev->info->flags & OSP_EF_SYSCALL)
		return event_get_res(ev, ret);
	if (ev->hdr->type == OSP_EVT_PROC_EXEC || ev->hdr->type == OSP_EVT_PROC_FORK) {
		*ret = 0;
		return true;
	}
	return false;
}

static size_t fmt_time(struct extract_ctx *c, struct xval *v, enum field_id id)
{
	uint64_t ns = c->ev->hdr->ts_ns + c->boot_time_ns;
	time_t sec = (time_t)(ns / 1000000000ull);
	unsigned frac = (unsigned)(ns % 1000000000ull);
	struct tm tm;
	char d[64];

	if (id == FIELD_EVT_TIME_ISO8601 ? !gmtime_r(&sec, &tm) : !localtime_r(&sec, &tm))
		return 0;
	switch (id) {
	case FIELD_EVT_TIME:
		strftime(d, sizeof(d), "%H:%M:%S", &tm);
		return put_fmt(c, v, "%s.%09u", d, frac);
	case FIELD_EVT_TIME_S:
		strftime(d, sizeof(d), "%H:%M:%S", &tm);
		return put_fmt(c, v, "%s", d);
	case FIELD_EVT_TIME_ISO8601:
		strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
		return put_fmt(c, v, "%s.%09uZ", d, frac);
	case FIELD_EVT_DATETIME:
		strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
		return put_fmt(c, v, "%s.%09u", d, frac);
	default:
		strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
		return put_fmt(c, v, "%s", d);
	}
}

/* ---- process helpers ---- */

enum pfield { P_NAME, P_EXE, P_EXEPATH, P_CMDLINE, P_PID };

static size_t proc_value(struct extract_ctx *c, struct state_thread *t, enum pfield f,
			 struct xval *v)
{
	if (!t)
		return 0;
	switch (f) {
	case P_NAME:
		return put_cstr(v, t->comm);
	case P_EXE:
		return put_cstr(v, t->proc->image->exe);
	case P_EXEPATH:
		return put_cstr(v, t->proc->image->exepath);
	case P_CMDLINE: {
		size_t avail, n;
		char *out = arena_tail(c, &avail);

		if (!out)
			return 0;
		n = state_thread_cmdline(t, out, avail);
		return arena_commit(c, v, n, avail);
	}
	case P_PID:
		return put_s64(v, t->proc->pid);
	}
	return 0;
}

/* proc.aX[N] (N = 0 the process, 1 the parent) or, without an index, every ancestor. */
static size_t ancestor_values(struct extract_ctx *c, const struct field_ref *ref, enum pfield f,
			      struct xval *out, size_t max)
{
	struct state_thread *t = c->t;
	size_t n = 0;

	if (!t)
		return 0;
	if (ref->has_arg && ref->arg_is_index) {
		if (ref->arg_index == 0)
			return proc_value(c, t, f, out);
		if (ref->arg_index > STATE_ANCESTOR_MAX)
			return 0;
		return proc_value(c, state_thread_ancestor(c->st, t, (unsigned)ref->arg_index), f,
				  out);
	}
	for (unsigned i = 1; i <= STATE_ANCESTOR_MAX && n < max; i++) {
		struct state_thread *a = state_thread_ancestor(c->st, t, i);

		if (!a)
			break;
		n += proc_value(c, a, f, &out[n]);
	}
	return n;
}

static bool is_shell(const char *comm)
{
	static const char *const shells[] = {"sh",   "bash", "zsh", "ksh",  "csh",
					     "tcsh", "dash", "ash", "fish", "mksh"};

	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(comm, shells[i]) == 0)
			return true;
	return false;
}

static size_t env_all(struct extract_ctx *c, const struct state_proc *p, struct xval *v)
{
	const struct state_image *im = p->image;
	char *out;
	size_t len = im->env_len;

	if (!im->env || !len)
		return put_cstr(v, "");
	out = extract_strdup(c, im->env, len);
	if (!out)
		return 0;
	while (len && out[len - 1] == 0)
		len--;
	for (size_t k = 0; k < len; k++)
		if (out[k] == 0)
			out[k] = ' ';
	set_str(v, out, len);
	return 1;
}

static const char *fd_type_name(const struct state_fd *fd)
{
	switch (fd->type) {
	case OSP_FD_TYPE_FILE:
		return "file";
	case OSP_FD_TYPE_DIRECTORY:
		return "directory";
	case OSP_FD_TYPE_IPV4_SOCK:
		return "ipv4";
	case OSP_FD_TYPE_IPV6_SOCK:
		return "ipv6";
	case OSP_FD_TYPE_UNIX_SOCK:
		return "unix";
	case OSP_FD_TYPE_OTHER_SOCK:
		return fd->family == OSP_AF_NETLINK ? "netlink" : "unknown";
	case OSP_FD_TYPE_PIPE:
		return "pipe";
	case OSP_FD_TYPE_MEMFD:
		return "memfd";
	case OSP_FD_TYPE_EVENT:
		return "event";
	default:
		return "unknown";
	}
}

static const char *fd_type_char(const struct state_fd *fd)
{
	switch (fd->type) {
	case OSP_FD_TYPE_FILE:
		return "f";
	case OSP_FD_TYPE_DIRECTORY:
		return "d";
	case OSP_FD_TYPE_IPV4_SOCK:
		return "4";
	case OSP_FD_TYPE_IPV6_SOCK:
		return "6";
	case OSP_FD_TYPE_UNIX_SOCK:
		return "u";
	case OSP_FD_TYPE_OTHER_SOCK:
		return fd->family == OSP_AF_NETLINK ? "n" : "o";
	case OSP_FD_TYPE_PIPE:
		return "p";
	case OSP_FD_TYPE_MEMFD:
		return "m";
	case OSP_FD_TYPE_EVENT:
		return "e";
	default:
		return "o";
	}
}

static bool fd_is_inet(const struct state_fd *fd)
{
	return (fd->type == OSP_FD_TYPE_IPV4_SOCK || fd->type == OSP_FD_TYPE_IPV6_SOCK) &&
	       fd->role & STATE_FD_HAS_TUPLE;
}

static size_t put_ip(struct xval *v, const struct state_fd *fd, bool local)
{
	v->type = XV_IP;
	v->family = fd->type == OSP_FD_TYPE_IPV6_SOCK ? 6 : 4;
	memset(v->ip, 0, sizeof(v->ip));
	memcpy(v->ip, local ? fd->laddr : fd->raddr, v->family == 6 ? 16 : 4);
	return 1;
}

static size_t fd_name_value(struct extract_ctx *c, const struct state_fd *fd, struct xval *v)
{
	size_t avail, n;
	char *out;

	if (fd->type == OSP_FD_TYPE_FILE || fd->type == OSP_FD_TYPE_DIRECTORY) {
		if (!fd->name)
			return put_cstr(v, "");
		set_str(v, fd->name, fd->name_len);
		return 1;
	}
	out = arena_tail(c, &avail);
	if (!out)
		return 0;
	n = state_fd_format_name(fd, out, avail);
	return arena_commit(c, v, n, avail);
}

static size_t stdio_value(struct extract_ctx *c, int64_t num, bool name, struct xval *v)
{
	struct state_fd *fd = c->t ? state_fd_get(c->t, num) : NULL;

	if (!fd)
		return 0;
	return name ? fd_name_value(c, fd, v) : put_cstr(v, fd_type_name(fd));
}

/* fd.directory and fd.filename of the event's fd (a file or a directory). */
static size_t fd_dir_or_file(struct extract_ctx *c, enum field_id id, struct xval *v)
{
	struct state_fd *fd = event_fd_named(c);
	const char *slash, *dir;
	size_t dir_len;

	if (!fd || (fd->type != OSP_FD_TYPE_FILE && fd->type != OSP_FD_TYPE_DIRECTORY) ||
	    !fd->name)
		return 0;
	if (fd->type == OSP_FD_TYPE_DIRECTORY && id == FIELD_FD_DIRECTORY)
		return put_cstr(v, fd->name);
	slash = strrchr(fd->name, '/');
	if (!slash)
		return id == FIELD_FD_FILENAME ? put_cstr(v, fd->name) : 0;
	if (id == FIELD_FD_FILENAME)
		return put_cstr(v, slash + 1);
	if (slash == fd->name)
		return put_cstr(v, "/");
	/* the directory is a prefix of the name: a NUL-terminated copy in the arena */
	dir_len = (size_t)(slash - fd->name);
	dir = extract_strdup(c, fd->name, dir_len);
	if (!dir)
		return 0;
	set_str(v, dir, dir_len);
	return 1;
}

/*
 * fd.nameraw: for the open family, the path as the process passed it (Falco's m_name_raw: not
 * made absolute, "." and ".." kept, only repeated slashes folded), so that "/etc/../etc/shadow"
 * stays as it was written. The state keeps only the resolved name of an fd, so other events
 * read that (docs/rules.md).
 */
static size_t fd_nameraw_value(struct extract_ctx *c, struct xval *v)
{
	const struct event *ev = c->ev;
	struct state_fd *fd;

	if ((ev->info->flags & OSP_EF_SYSCALL) && is_open_event(ev->hdr->type)) {
		int i = pidx(ev, PN_NAME);
		const char *raw = i >= 0 ? event_get_str(ev, (unsigned)i) : NULL;
		size_t avail, n = 0;
		char *out;

		if (!raw)
			return 0;
		if (!strstr(raw, "//"))
			return put_cstr(v, raw);
		out = arena_tail(c, &avail);
		if (!out)
			return 0;
		for (const char *p = raw; *p && n < avail; p++)
			if (!(p[0] == '/' && n && out[n - 1] == '/'))
				out[n++] = *p;
		return arena_commit(c, v, n, avail);
	}
	fd = event_fd_named(c);
	return fd ? fd_name_value(c, fd, v) : 0;
}

/* fd.types: the distinct types of the process' fds, or of fd N alone (fd.types[N]). */
static size_t fd_types_values(struct extract_ctx *c, const struct field_ref *ref,
			      struct xval *out, size_t max)
{
	const struct fd_table *tab;
	size_t n = 0;

	if (!c->t || !event_fd(c))
		return 0;
	if (ref->has_arg) {
		struct state_fd *fd = state_fd_get(c->t, (int64_t)ref->arg_index);

		return fd && max ? put_cstr(out, fd_type_name(fd)) : 0;
	}
	tab = &c->t->proc->fds;
	for (uint32_t i = 0; i < fd_table_size(tab) && n < max; i++) {
		const char *name;
		size_t k;

		if (!tab->slots[i])
			continue;
		name = fd_type_name(tab->slots[i]);
		for (k = 0; k < n && out[k].s != name; k++)
			;
		if (k == n)
			n += put_cstr(&out[n], name);
	}
	return n;
}

/* The port of one end of an inet socket fd, as fd.cproto & co print it (Falco, without its
 * optional port-to-service resolution): the number as a string. */
static size_t put_port_str(struct extract_ctx *c, struct xval *v, uint16_t port)
{
	return put_fmt(c, v, "%u", port);
}

/* fs.path.*: the single path of a path event, or the source/target of a two-path one. */
static int fs_path_param(const struct event *ev, enum field_id id)
{
	switch (ev->hdr->type) {
	case OSP_EVT_RENAME:
	case OSP_EVT_RENAMEAT:
	case OSP_EVT_RENAMEAT2:
	case OSP_EVT_LINK:
	case OSP_EVT_LINKAT:
		if (id == FIELD_FS_PATH_SOURCE || id == FIELD_FS_PATH_SOURCERAW)
			return pidx(ev, PN_OLDPATH);
		if (id == FIELD_FS_PATH_TARGET || id == FIELD_FS_PATH_TARGETRAW)
			return pidx(ev, PN_NEWPATH);
		return -1;
	case OSP_EVT_SYMLINK:
	case OSP_EVT_SYMLINKAT:
		if (id == FIELD_FS_PATH_SOURCE || id == FIELD_FS_PATH_SOURCERAW)
			return pidx(ev, PN_TARGET);
		if (id == FIELD_FS_PATH_TARGET || id == FIELD_FS_PATH_TARGETRAW)
			return pidx(ev, PN_LINKPATH);
		return -1;
	default:
		if (id != FIELD_FS_PATH_NAME && id != FIELD_FS_PATH_NAMERAW)
			return -1;
		if (!(ev->info->flags & OSP_EF_SYSCALL))
			return -1;
		for (int i = 1; i < ev->nparams; i++)
			if (ev->info->params[i].type == OSP_PT_PATH ||
			    ev->info->params[i].type == OSP_PT_FSRELPATH)
				return i;
		return -1;
	}
}

static size_t fs_path_value(struct extract_ctx *c, enum field_id id, struct xval *v)
{
	const struct event *ev = c->ev;
	int i = fs_path_param(ev, id);
	bool raw = id == FIELD_FS_PATH_NAMERAW || id == FIELD_FS_PATH_SOURCERAW ||
		   id == FIELD_FS_PATH_TARGETRAW;

	if (i < 0) {
		/* fd-based file events (fchmod, fchown...): the fd's path */
		if (id == FIELD_FS_PATH_NAME || id == FIELD_FS_PATH_NAMERAW) {
			struct state_fd *fd = event_fd_named(c);

			if (fd &&
			    (fd->type == OSP_FD_TYPE_FILE || fd->type == OSP_FD_TYPE_DIRECTORY))
				return put_cstr(v, fd->name);
		}
		return 0;
	}
	if (raw || ev->info->params[i].type == OSP_PT_CHARBUF) {
		const char *s = event_get_str(ev, (unsigned)i);

		if (!raw && s && s[0] != '/') { /* a symlink target: relative to the link's dir */
			return put_cstr(v, s);
		}
		return put_cstr(v, s);
	}
	return resolve_param_path(c, i, v);
}

static int64_t s32_ext(uint32_t u)
{
	return (int64_t)(int32_t)u;
}

/* The parameter evt.arg[N] or evt.arg.NAME reads, or -1. */
static int arg_param(const struct event *ev, const struct field_ref *ref)
{
	int i = ref->arg_is_index ? (ref->arg_index < ev->nparams ? (int)ref->arg_index : -1)
				  : param_index(ev, ref->arg);

	/* Falco's execve exit event calls the exe flags "flags" */
	if (i < 0 && !ref->arg_is_index && strcmp(ref->arg, "flags") == 0 &&
	    (ev->hdr->type == OSP_EVT_PROC_EXEC || ev->hdr->type == OSP_EVT_PROC_SNAPSHOT))
		i = pidx(ev, PN_EXE_FLAGS);
	return i;
}

bool extract_arg_flags(struct extract_ctx *c, const struct field_ref *ref, uint8_t *ret_table,
		       uint64_t *ret_value)
{
	const struct event *ev = c->ev;
	int i = arg_param(ev, ref);
	uint32_t x;

	if (i < 0 || i >= ev->nparams || !ev->len[i])
		return false;
	switch (ev->info->params[i].type) {
	case OSP_PT_FLAGS32:
		if (!event_get_u32(ev, (unsigned)i, &x))
			return false;
		*ret_value = x;
		break;
	case OSP_PT_FLAGS64:
		if (!event_get_u64(ev, (unsigned)i, ret_value))
			return false;
		break;
	default:
		return false;
	}
	*ret_table = ev->info->params[i].aux;
	return true;
}

/* ---- the switch ---- */

/* The scalar fields' values (extract_scalar()). */
static inline bool scalar_of(struct extract_ctx *c, enum field_id id, int64_t *ret)
{
	struct state_fd *fd;
	uint32_t flags = 0;

	switch (id) {
	case FIELD_EVT_IS_OPEN_READ:
		*ret = open_flags(c, &flags) && (flags & O_ACCMODE_BITS) != O_WRONLY_BIT;
		return true;
	case FIELD_EVT_IS_OPEN_WRITE:
		*ret = open_flags(c, &flags) && ((flags & O_ACCMODE_BITS) == O_WRONLY_BIT ||
						 (flags & O_ACCMODE_BITS) == O_RDWR_BIT);
		return true;
	case FIELD_FD_NUM:
		fd = event_fd(c);
		if (!fd)
			return false;
		*ret = fd->num;
		return true;
	case FIELD_FD_TYPECHAR:
		fd = event_fd(c);
		if (!fd)
			return false;
		*ret = (unsigned char)fd_type_char(fd)[0];
		return true;
	case FIELD_EVT_RAWRES:
		return event_res(c->ev, ret);
	default:
		return false;
	}
}

bool extract_is_scalar(enum field_id id)
{
	switch (id) {
	case FIELD_EVT_IS_OPEN_READ:
	case FIELD_EVT_IS_OPEN_WRITE:
	case FIELD_FD_NUM:
	case FIELD_FD_TYPECHAR:
	case FIELD_EVT_RAWRES:
		return true;
	default:
		return false;
	}
}

bool extract_scalar(struct extract_ctx *c, enum field_id id, int64_t *ret)
{
	return scalar_of(c, id, ret);
}

/*
 * The fields every open event asks for, without extract_cold()'s big frame: extract_fill() and
 * extract_raw() try this first. Returns SIZE_MAX for the other fields.
 */
static inline size_t extract_hot(struct extract_ctx *c, enum field_id id, struct xval *v)
{
	struct state_fd *fd;
	int64_t i = 0;

	switch (id) {
	case FIELD_EVT_IS_OPEN_READ:
	case FIELD_EVT_IS_OPEN_WRITE:
		(void)scalar_of(c, id, &i);
		return put_bool(v, i != 0);
	case FIELD_FD_NUM:
		return scalar_of(c, id, &i) ? put_s64(v, i) : 0;
	case FIELD_FD_TYPECHAR:
		fd = event_fd(c);
		return fd ? put_cstr(v, fd_type_char(fd)) : 0;
	case FIELD_PROC_NAME:
		return c->t ? put_cstr(v, c->t->comm) : 0;
	case FIELD_FD_NAME:
		fd = event_fd_named(c);
		return fd ? fd_name_value(c, fd, v) : 0;
	case FIELD_FD_NAMERAW:
		return fd_nameraw_value(c, v);
	case FIELD_FD_DIRECTORY:
	case FIELD_FD_FILENAME:
		return fd_dir_or_file(c, id, v);
	default:
		return SIZE_MAX;
	}
}

/* The fields extract_hot() does not serve. */
static size_t extract_cold(struct extract_ctx *c, const struct field_ref *ref, struct xval *out,
			   size_t max)
{
	const struct event *ev = c->ev;
	struct state_thread *t = c->t;
	struct state_thread *p;
	const struct state_image *im = t ? t->proc->image : NULL;
	enum field_id id = ref->info->id;
	struct xval *v = out;
	struct state_fd *fd;
	int64_t res;
	uint32_t flags;

	switch (id) {
	case FIELD_EVT_NUM:
		return put_u64(v, c->evt_num);
	case FIELD_EVT_TIME:
	case FIELD_EVT_TIME_S:
	case FIELD_EVT_TIME_ISO8601:
	case FIELD_EVT_DATETIME:
	case FIELD_EVT_DATETIME_S:
		return fmt_time(c, v, id);
	case FIELD_EVT_RAWTIME:
	case FIELD_EVT_OUTPUTTIME:
		return put_u64(v, ev->hdr->ts_ns + c->boot_time_ns);
	case FIELD_EVT_RAWTIME_S:
		return put_u64(v, (ev->hdr->ts_ns + c->boot_time_ns) / 1000000000ull);
	case FIELD_EVT_RAWTIME_NS:
		return put_u64(v, (ev->hdr->ts_ns + c->boot_time_ns) % 1000000000ull);
	case FIELD_EVT_RELTIME:
		return put_u64(v, ev->hdr->ts_ns - c->first_ts);
	case FIELD_EVT_RELTIME_S:
		return put_u64(v, (ev->hdr->ts_ns - c->first_ts) / 1000000000ull);
	case FIELD_EVT_RELTIME_NS:
		return put_u64(v, (ev->hdr->ts_ns - c->first_ts) % 1000000000ull);
	case FIELD_EVT_DELTATIME:
		return put_u64(v, c->prev_ts ? ev->hdr->ts_ns - c->prev_ts : 0);
	case FIELD_EVT_DELTATIME_S:
		return put_u64(v, (c->prev_ts ? ev->hdr->ts_ns - c->prev_ts : 0) / 1000000000ull);
	case FIELD_EVT_DELTATIME_NS:
		return put_u64(v, (c->prev_ts ? ev->hdr->ts_ns - c->prev_ts : 0) % 1000000000ull);
	case FIELD_EVT_DIR:
		return put_cstr(v, "<");
	case FIELD_EVT_TYPE:
		return put_cstr(v, event_type_name(ev));
	case FIELD_EVT_TYPE_IS:
		return put_bool(v, strcmp(event_type_name(ev), ref->arg) == 0);
	case FIELD_SYSCALL_TYPE:
		if (!(ev->info->flags & OSP_EF_SYSCALL) && ev->hdr->type != OSP_EVT_PROC_EXEC &&
		    ev->hdr->type != OSP_EVT_PROC_FORK)
			return 0;
		return put_cstr(v, event_type_name(ev));
	case FIELD_EVT_CATEGORY:
		return put_cstr(v, category_name(ev->info->category));
	case FIELD_EVT_ARGS:
	case FIELD_EVT_INFO:
		return event_args(c, v);
	case FIELD_EVT_ARG:
	case FIELD_EVT_RAWARG:
		return param_value(c, arg_param(ev, ref), id == FIELD_EVT_RAWARG, v);
	case FIELD_EVT_RES:
		if (!event_res(ev, &res))
			return 0;
		return put_cstr(v, res < 0 ? res_errno_name(-res) : "SUCCESS");
	case FIELD_EVT_RAWRES:
		return scalar_of(c, id, &res) ? put_s64(v, res) : 0;
	case FIELD_EVT_FAILED:
		return put_bool(v, event_res(ev, &res) && res < 0);
	case FIELD_EVT_IS_IO:
	case FIELD_EVT_IS_IO_READ:
	case FIELD_EVT_IS_IO_WRITE:
		return put_bool(v,
				ev->hdr->type == OSP_EVT_SENDTO || ev->hdr->type == OSP_EVT_SENDMSG
					? id != FIELD_EVT_IS_IO_READ
					: false);
	case FIELD_EVT_IO_DIR:
		if (ev->hdr->type == OSP_EVT_SENDTO || ev->hdr->type == OSP_EVT_SENDMSG)
			return put_cstr(v, "w");
		return 0;
	case FIELD_EVT_IS_WAIT:	 /* Osprey captures no waiting system call */
	case FIELD_EVT_IS_ASYNC: /* nor asynchronous (non system call) events */
		return put_bool(v, false);
	case FIELD_EVT_IS_SYSLOG:
		/* Falco: a write to an fd whose name has /dev/log (syslog(3) sends to it) */
		if (ev->hdr->type != OSP_EVT_SENDTO && ev->hdr->type != OSP_EVT_SENDMSG)
			return put_bool(v, false);
		fd = event_fd(c);
		return put_bool(v, fd && fd->type == OSP_FD_TYPE_UNIX_SOCK && fd->name &&
					   strstr(fd->name, "/dev/log"));
	case FIELD_EVT_ABSPATH:
		return fs_path_value(c, FIELD_FS_PATH_NAME, v);
	case FIELD_EVT_ABSPATH_SRC:
		return fs_path_value(c, FIELD_FS_PATH_SOURCE, v);
	case FIELD_EVT_ABSPATH_DST:
		return fs_path_value(c, FIELD_FS_PATH_TARGET, v);
	case FIELD_EVT_IS_OPEN_CREATE:
		flags = 0;
		return put_bool(v, open_flags(c, &flags) && flags & O_CREAT_BIT);
	case FIELD_EVT_IS_OPEN_EXEC: {
		int i = pidx(ev, PN_MODE);
		uint32_t mode = 0;

		flags = 0;
		if (!open_flags(c, &flags) || !(flags & O_CREAT_BIT) || i < 0 ||
		    !event_get_u32(ev, (unsigned)i, &mode))
			return put_bool(v, false);
		return put_bool(v, (mode & 0111) != 0);
	}
	case FIELD_EVT_HOSTNAME:
		return put_cstr(v, c->hostname);
	case FIELD_EVT_SOURCE:
		return put_cstr(v, "syscall");
	case FIELD_EVT_PLUGINNAME:
		return put_cstr(v, "");

	/* process */
	case FIELD_PROC_EXE:
		return proc_value(c, t, P_EXE, v);
	case FIELD_PROC_PEXE:
		return t ? proc_value(c, state_thread_parent(c->st, t), P_EXE, v) : 0;
	case FIELD_PROC_AEXE:
		return ancestor_values(c, ref, P_EXE, out, max);
	case FIELD_PROC_EXEPATH:
		return proc_value(c, t, P_EXEPATH, v);
	case FIELD_PROC_PEXEPATH:
		return t ? proc_value(c, state_thread_parent(c->st, t), P_EXEPATH, v) : 0;
	case FIELD_PROC_AEXEPATH:
		return ancestor_values(c, ref, P_EXEPATH, out, max);
	case FIELD_PROC_PNAME:
		return t ? proc_value(c, state_thread_parent(c->st, t), P_NAME, v) : 0;
	case FIELD_PROC_ANAME:
		return ancestor_values(c, ref, P_NAME, out, max);
	case FIELD_PROC_ARGS:
		return im ? put_cstr(v, im->args) : 0;
	case FIELD_PROC_CMDLINE:
		return proc_value(c, t, P_CMDLINE, v);
	case FIELD_PROC_PCMDLINE:
		return t ? proc_value(c, state_thread_parent(c->st, t), P_CMDLINE, v) : 0;
	case FIELD_PROC_ACMDLINE:
		return ancestor_values(c, ref, P_CMDLINE, out, max);
	case FIELD_PROC_CMDNARGS:
		return im ? put_u64(v, im->argc ? im->argc - 1 : 0) : 0;
	case FIELD_PROC_CMDLENARGS: {
		uint64_t n = 0;

		if (!im)
			return 0;
		for (const char *s = im->args; s && *s; s++)
			n += *s != ' ';
		return put_u64(v, n);
	}
	case FIELD_PROC_EXELINE:
		if (!im)
			return 0;
		return im->args && im->args[0] ? put_fmt(c, v, "%s %s", im->exe, im->args)
					       : put_cstr(v, im->exe);
	case FIELD_PROC_ENV:
	case FIELD_PROC_AENV:
		if (!t)
			return 0;
		if (!ref->has_arg)
			return env_all(c, t->proc, v);
		for (p = t; p; p = id == FIELD_PROC_AENV ? state_thread_parent(c->st, p) : NULL) {
			uint32_t len = 0;
			const char *s = state_proc_env(p->proc, ref->arg, &len);

			if (s) {
				set_str(v, s, len);
				return 1;
			}
		}
		return 0;
	case FIELD_PROC_CWD: {
		/* as Falco keeps it: with a trailing slash ("/root/") */
		const char *cwd = t ? proc_cwd(t) : NULL;
		size_t len = cwd ? strlen(cwd) : 0;

		if (!t)
			return 0;
		return len && cwd[len - 1] != '/' ? put_fmt(c, v, "%s/", cwd) : put_cstr(v, cwd);
	}
	case FIELD_PROC_LOGINSHELLID: {
		int64_t pid = -1;

		if (!t)
			return 0;
		p = t;
		for (unsigned i = 0; p && i <= STATE_ANCESTOR_MAX; i++) {
			if (is_shell(p->comm))
				pid = p->proc->pid;
			p = state_thread_parent(c->st, p);
		}
		return pid >= 0 ? put_s64(v, pid) : 0;
	}
	case FIELD_PROC_TTY:
		return t ? put_u64(v, tty_nr_of(t->proc->tty)) : 0;
	case FIELD_PROC_PID:
		return t ? put_s64(v, t->proc->pid) : 0;
	case FIELD_PROC_PPID:
		return t ? put_s64(v, t->proc->ppid) : 0;
	case FIELD_PROC_APID:
		return ancestor_values(c, ref, P_PID, out, max);
	case FIELD_PROC_VPID:
		return t ? put_s64(v, t->proc->vpid) : 0;
	case FIELD_PROC_PVPID:
		p = t ? state_thread_parent(c->st, t) : NULL;
		return p ? put_s64(v, p->proc->vpid) : 0;
	case FIELD_PROC_SID:
		return t ? put_s64(v, t->proc->sid) : 0;
	case FIELD_PROC_SNAME:
	case FIELD_PROC_SID_EXE:
	case FIELD_PROC_SID_EXEPATH:
		if (!t)
			return 0;
		/* sid is in the process' namespace: the leader is the ancestor with that vpid */
		for (p = t; p; p = state_thread_parent(c->st, p))
			if (p->proc->vpid == t->proc->sid)
				break;
		if (!p)
			return 0;
		return proc_value(c, p,
				  id == FIELD_PROC_SNAME     ? P_NAME
				  : id == FIELD_PROC_SID_EXE ? P_EXE
							     : P_EXEPATH,
				  v);
	case FIELD_PROC_IS_SID_LEADER:
		return t ? put_bool(v, t->proc->sid == t->proc->vpid) : 0;
	case FIELD_PROC_DURATION:
		return t && t->proc->start_ts ? put_u64(v, ev->hdr->ts_ns - t->proc->start_ts) : 0;
	case FIELD_PROC_PPID_DURATION:
		p = t ? state_thread_parent(c->st, t) : NULL;
		return p && p->proc->start_ts ? put_u64(v, ev->hdr->ts_ns - p->proc->start_ts) : 0;
	case FIELD_PROC_PID_TS:
		return t ? put_u64(v, t->proc->start_ts + c->boot_time_ns) : 0;
	case FIELD_PROC_PPID_TS:
		p = t ? state_thread_parent(c->st, t) : NULL;
		return p ? put_u64(v, p->proc->start_ts + c->boot_time_ns) : 0;
	case FIELD_PROC_IS_EXE_WRITABLE:
		return im ? put_bool(v, im->exe_flags & OSP_EXE_WRITABLE) : 0;
	case FIELD_PROC_IS_EXE_UPPER_LAYER:
		return im ? put_bool(v, im->exe_flags & OSP_EXE_UPPER_LAYER) : 0;
	case FIELD_PROC_IS_EXE_FROM_MEMFD:
		return im ? put_bool(v, im->exe_flags & OSP_EXE_FROM_MEMFD) : 0;
	case FIELD_PROC_EXE_INO:
		return im ? put_s64(v, (int64_t)im->exe_ino) : 0;
	case FIELD_PROC_EXE_INO_CTIME:
	case FIELD_PROC_EXE_INO_MTIME:
	case FIELD_PROC_EXE_INO_CTIME_DURATION_PROC_START: {
		uint64_t ctime, mtime, start;

		if (!t || !state_image_exe_times(c->st, t, &ctime, &mtime))
			return 0;
		if (id == FIELD_PROC_EXE_INO_CTIME)
			return put_u64(v, ctime);
		if (id == FIELD_PROC_EXE_INO_MTIME)
			return put_u64(v, mtime);
		/* Falco: the process' start (clone) minus the exe's ctime, when positive */
		start = t->proc->start_ts + c->boot_time_ns;
		return t->proc->start_ts && start > ctime ? put_u64(v, start - ctime) : 0;
	}
	case FIELD_PROC_VPGID:
	case FIELD_PROC_VPGID_NAME:
	case FIELD_PROC_VPGID_EXE:
	case FIELD_PROC_VPGID_EXEPATH:
	case FIELD_PROC_IS_VPGID_LEADER: {
		struct state_thread *leader = NULL;
		uint32_t pgid, vpgid;

		if (!t || !state_proc_pgid(c->st, t, &pgid, &vpgid, &leader))
			return 0;
		if (id == FIELD_PROC_VPGID)
			return put_s64(v, vpgid);
		if (id == FIELD_PROC_IS_VPGID_LEADER)
			return put_bool(v, pgid == t->proc->pid);
		return proc_value(c, leader,
				  id == FIELD_PROC_VPGID_NAME  ? P_NAME
				  : id == FIELD_PROC_VPGID_EXE ? P_EXE
							       : P_EXEPATH,
				  v);
	}
	case FIELD_PROC_VMSIZE:
	case FIELD_PROC_VMRSS:
	case FIELD_PROC_VMSWAP: {
		uint32_t size, rss, swap;

		if (!t || !state_proc_limits(c->st, t, &size, &rss, &swap, NULL))
			return 0;
		return put_u64(v, id == FIELD_PROC_VMSIZE  ? size
				  : id == FIELD_PROC_VMRSS ? rss
							   : swap);
	}
	case FIELD_PROC_FDLIMIT: {
		int64_t lim;

		if (!t || !state_proc_limits(c->st, t, NULL, NULL, NULL, &lim))
			return 0;
		return put_s64(v, lim);
	}
	case FIELD_PROC_NCHILDS:
		return t ? put_u64(v, state_proc_nchilds(c->st, t)) : 0;
	case FIELD_PROC_FDOPENCOUNT:
		return t ? put_u64(v, t->proc->fds.count) : 0;
	case FIELD_PROC_NTHREADS:
		return t ? put_u64(v, state_proc_nthreads(t->proc)) : 0;
	case FIELD_PROC_IS_CONTAINER_HEALTHCHECK:
		return put_bool(v, false);
	case FIELD_PROC_STDIN_TYPE:
	case FIELD_PROC_STDOUT_TYPE:
	case FIELD_PROC_STDERR_TYPE:
		return stdio_value(c, id - FIELD_PROC_STDIN_TYPE, false, v);
	case FIELD_PROC_STDIN_NAME:
	case FIELD_PROC_STDOUT_NAME:
	case FIELD_PROC_STDERR_NAME:
		return stdio_value(c, id - FIELD_PROC_STDIN_NAME, true, v);
	case FIELD_THREAD_TID:
		return t ? put_s64(v, t->tid) : 0;
	case FIELD_THREAD_VTID:
		return t ? put_s64(v, t->vtid) : 0;
	case FIELD_THREAD_ISMAIN:
		return t ? put_bool(v, t->tid == t->pid) : 0;
	case FIELD_THREAD_CGROUPS:
	case FIELD_THREAD_CGROUP:
		return im && im->cgroup[0] ? put_cstr(v, im->cgroup) : 0;
	case FIELD_THREAD_NAMETID:
		return t ? put_fmt(c, v, "%s-%u", t->comm, t->tid) : 0;
	case FIELD_THREAD_CAP_PERMITTED:
	case FIELD_THREAD_CAP_INHERITABLE:
	case FIELD_THREAD_CAP_EFFECTIVE: {
		size_t avail, n;
		char *o;

		if (!t || !(o = arena_tail(c, &avail)))
			return 0;
		n = extract_caps_format(id == FIELD_THREAD_CAP_PERMITTED     ? t->cap_prm
					: id == FIELD_THREAD_CAP_INHERITABLE ? t->cap_inh
									     : t->cap_eff,
					o, avail);
		return arena_commit(c, v, n, avail);
	}

	/* user, group */
	case FIELD_USER_UID:
		return t ? put_u64(v, t->euid) : 0;
	case FIELD_USER_NAME:
		return t ? put_cstr(v, state_user_name(c->st, t, t->euid)) : 0;
	case FIELD_USER_HOMEDIR:
		return t ? put_cstr(v, state_user_home(c->st, t, t->euid)) : 0;
	case FIELD_USER_SHELL:
		return t ? put_cstr(v, state_user_shell(c->st, t, t->euid)) : 0;
	case FIELD_USER_LOGINUID:
		return t ? put_s64(v, s32_ext(t->proc->loginuid)) : 0;
	case FIELD_USER_LOGINNAME:
		if (!t || t->proc->loginuid == UINT32_MAX)
			return 0;
		return put_cstr(v, state_user_name(c->st, t, t->proc->loginuid));
	case FIELD_GROUP_GID:
		return t ? put_u64(v, t->egid) : 0;
	case FIELD_GROUP_NAME:
		return t ? put_cstr(v, state_group_name(c->st, t, t->egid)) : 0;

	/* fd */
	case FIELD_FD_TYPE:
		fd = event_fd(c);
		return fd ? put_cstr(v, fd_type_name(fd)) : 0;
	case FIELD_FD_IP:
	case FIELD_FD_NET:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd) || max < 2)
			return 0;
		put_ip(&out[0], fd, true);
		put_ip(&out[1], fd, false);
		return 2;
	case FIELD_FD_CIP:
	case FIELD_FD_CNET:
	case FIELD_FD_SIP:
	case FIELD_FD_SNET: {
		bool server_end = id == FIELD_FD_SIP || id == FIELD_FD_SNET;
		bool is_server;

		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		is_server = fd->role & STATE_FD_SERVER;
		/* the local end is the server's for a server fd, the client's otherwise */
		return put_ip(v, fd, server_end == is_server);
	}
	case FIELD_FD_CIP_NAME:
	case FIELD_FD_SIP_NAME:
	case FIELD_FD_LIP_NAME:
	case FIELD_FD_RIP_NAME: {
		const char *names[EXTRACT_VALUES_MAX];
		bool local;
		size_t n;
		struct xval a;

		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd) || !c->dns)
			return 0;
		if (id == FIELD_FD_CIP_NAME || id == FIELD_FD_SIP_NAME)
			local = (id == FIELD_FD_SIP_NAME) == !!(fd->role & STATE_FD_SERVER);
		else
			local = id == FIELD_FD_LIP_NAME;
		put_ip(&a, fd, local);
		n = dnsnames_lookup(c->dns, a.family, a.ip, names, MIN(max, EXTRACT_VALUES_MAX));
		for (size_t k = 0; k < n; k++)
			put_cstr(&out[k], names[k]);
		return n;
	}
	case FIELD_FD_LIP:
	case FIELD_FD_LNET:
	case FIELD_FD_RIP:
	case FIELD_FD_RNET:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		return put_ip(v, fd, id == FIELD_FD_LIP || id == FIELD_FD_LNET);
	case FIELD_FD_PORT:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd) || max < 2)
			return 0;
		put_u64(&out[0], fd->lport);
		put_u64(&out[1], fd->rport);
		return 2;
	case FIELD_FD_CPORT:
	case FIELD_FD_SPORT: {
		bool local;

		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		local = (id == FIELD_FD_SPORT) == !!(fd->role & STATE_FD_SERVER);
		return put_u64(v, local ? fd->lport : fd->rport);
	}
	case FIELD_FD_LPORT:
	case FIELD_FD_RPORT:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		return put_u64(v, id == FIELD_FD_LPORT ? fd->lport : fd->rport);
	case FIELD_FD_PROTO:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd) || max < 2)
			return 0;
		put_u64(&out[0], fd->lport);
		put_u64(&out[1], fd->rport);
		return 2;
	case FIELD_FD_CPROTO:
	case FIELD_FD_SPROTO: {
		bool local;

		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		local = (id == FIELD_FD_SPROTO) == !!(fd->role & STATE_FD_SERVER);
		return put_port_str(c, v, local ? fd->lport : fd->rport);
	}
	case FIELD_FD_LPROTO:
	case FIELD_FD_RPROTO:
		fd = event_fd(c);
		if (!fd || !fd_is_inet(fd))
			return 0;
		return put_port_str(c, v, id == FIELD_FD_LPROTO ? fd->lport : fd->rport);
	case FIELD_FD_TYPES:
		return fd_types_values(c, ref, out, max);
	case FIELD_FD_L4PROTO:
		fd = event_fd(c);
		return fd ? put_cstr(v, state_fd_l4proto(fd)) : 0;
	case FIELD_FD_SOCKFAMILY:
		fd = event_fd(c);
		if (!fd)
			return 0;
		if (fd->type == OSP_FD_TYPE_IPV4_SOCK || fd->type == OSP_FD_TYPE_IPV6_SOCK)
			return put_cstr(v, "ip");
		if (fd->type == OSP_FD_TYPE_UNIX_SOCK)
			return put_cstr(v, "unix");
		return 0;
	case FIELD_FD_IS_SERVER:
		fd = event_fd(c);
		return fd ? put_bool(v, fd->role & STATE_FD_SERVER) : 0;
	case FIELD_FD_CONNECTED:
		fd = event_fd(c);
		return fd ? put_bool(v, fd->role & STATE_FD_CONNECTED) : 0;
	case FIELD_FD_NAME_CHANGED:
		return put_bool(v, ev->hdr->type == OSP_EVT_CONNECT);
	case FIELD_FD_UID:
		fd = event_fd(c);
		/* Falco: the thread id, then the fd number */
		return fd && t ? put_fmt(c, v, "%u%lld", t->tid, (long long)fd->num) : 0;
	case FIELD_FD_CONTAINERNAME:
	case FIELD_FD_CONTAINERDIRECTORY: {
		struct xval n;
		size_t k;

		fd = event_fd_named(c);
		if (!fd || !im)
			return 0;
		k = id == FIELD_FD_CONTAINERNAME ? fd_name_value(c, fd, &n)
						 : fd_dir_or_file(c, FIELD_FD_DIRECTORY, &n);
		return k ? put_fmt(c, v, "%s:%.*s", im->container_id, (int)n.len, n.s) : 0;
	}
	case FIELD_FD_INO:
		fd = event_fd(c);
		return fd && fd->ino ? put_s64(v, (int64_t)fd->ino) : 0;

	/* fs.path */
	case FIELD_FS_PATH_NAME:
	case FIELD_FS_PATH_NAMERAW:
	case FIELD_FS_PATH_SOURCE:
	case FIELD_FS_PATH_SOURCERAW:
	case FIELD_FS_PATH_TARGET:
	case FIELD_FS_PATH_TARGETRAW:
		return fs_path_value(c, id, v);

	default: {
		/*
		 * container.* and k8s.* (extract_meta.c); the fields the registry refuses
		 * (field_unsupported_reason()) never reach here: no rule compiles against them
		 */
		size_t n = extract_container_field(c, ref, out, max);

		return n != SIZE_MAX ? n : 0;
	}
	}
}

/* Every field: the values of ref for the current event, at most max of them, into out. */
static size_t extract_raw(struct extract_ctx *c, const struct field_ref *ref, struct xval *out,
			  size_t max)
{
	size_t n = extract_hot(c, ref->info->id, out);

	return n != SIZE_MAX ? n : extract_cold(c, ref, out, max);
}

/* The first n values of the scratch (c->tmp) copied into the arena, hashes unset; NULL and
 * *n = 0 when the arena is full. */
static struct xval *tmp_to_arena(struct extract_ctx *c, size_t *n)
{
	struct xval *vals = extract_alloc(c, *n * sizeof(*vals));

	if (!vals) {
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++) {
		vals[i] = c->tmp[i];
		vals[i].has_hash = false;
	}
	return vals;
}

struct extract_slot *extract_fill(struct extract_ctx *c, struct extract_slot *s,
				  const struct field_ref *ref)
{
	size_t n = extract_hot(c, ref->info->id, &s->one);
	struct xval *vals = NULL;

	if (n != SIZE_MAX) {
		s->one.has_hash = false;
		s->gen = c->gen;
		s->n = (uint32_t)n;
		s->v = n ? &s->one : NULL;
		return s;
	}
	n = extract_cold(c, ref, c->tmp, EXTRACT_VALUES_MAX);
	if (n == 1) {
		/* the common case: one value, kept in the slot itself */
		s->one = c->tmp[0];
		s->one.has_hash = false;
		vals = &s->one;
	} else if (n) {
		vals = tmp_to_arena(c, &n);
	}
	s->gen = c->gen;
	s->n = (uint32_t)n;
	s->v = vals;
	return s;
}

size_t extract_field(struct extract_ctx *c, size_t slot, const struct field_ref *ref,
		     const struct xval **ret)
{
	const struct extract_slot *s;
	size_t n;

	if (slot < c->n_slots) {
		s = extract_slot_get(c, slot, ref);
		*ret = s->v;
		return s->n;
	}
	/* uncached: the values go to the arena */
	n = extract_raw(c, ref, c->tmp, EXTRACT_VALUES_MAX);
	*ret = n ? tmp_to_arena(c, &n) : NULL;
	return n;
}

int extract_render(struct extract_ctx *c, const struct field_ref *ref, char *buf, size_t size)
{
	return extract_render_slot(c, SIZE_MAX, ref, buf, size);
}

int extract_render_slot(struct extract_ctx *c, size_t slot, const struct field_ref *ref, char *buf,
			size_t size)
{
	const struct xval *v;
	size_t n = extract_field(c, slot, ref, &v), used = 0;
	bool list = ref->info->flags & FF_LIST; /* Falco prints a list as "(a,b)" */

	if (n == 0)
		return -ENODATA;
	if (size)
		buf[0] = 0;
	if (list && size > 1) {
		buf[used++] = '(';
		buf[used] = 0;
	}
	for (size_t i = 0; i < n && used < size; i++) {
		if (i) {
			if (used + 1 >= size)
				break;
			buf[used++] = list ? ',' : ' ';
			buf[used] = 0;
		}
		used += xval_format(&v[i], buf + used, size - used);
	}
	if (list && used + 1 < size) {
		buf[used++] = ')';
		buf[used] = 0;
	}
	return 0;
}
