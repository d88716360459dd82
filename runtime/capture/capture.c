// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "macro.h"
#include "proc_snapshot.h"
#include "source.h"

struct capture {
	const struct source_ops *ops;
	struct source *src;
	struct proc_snapshot *snapshot; /* non-NULL while the snapshot is being played */
	struct capture_stats stats;     /* consumer-side counts */
	char error[512];
};

static const struct source_ops *source_ops_of(enum capture_source kind)
{
	switch (kind) {
	case CAPTURE_SOURCE_BPF:
		return &source_bpf_ops;
	case CAPTURE_SOURCE_KMOD:
#ifdef HAVE_SOURCE_KMOD
		return &source_kmod_ops;
#else
		return NULL;
#endif
	case CAPTURE_SOURCE_FILE:
		return &source_file_ops;
	}
	return NULL;
}

int capture_open(const struct capture_opts *opts, struct capture **ret, const char **ret_error)
{
	static __thread char open_error[512];
	struct capture *c;
	const char *why = NULL;
	int r;

	if (ret_error)
		*ret_error = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ops = source_ops_of(opts->source);
	if (!c->ops) {
		free(c);
		if (ret_error)
			*ret_error = "unknown capture source";
		return -EINVAL;
	}

	/* Attach first, snapshot second: whatever starts in between is seen by both, never by neither. */
	r = c->ops->open(opts, &c->src, &why);
	if (r < 0) {
		snprintf(open_error, sizeof(open_error), "%s", why ? why : strerror(-r));
		if (ret_error)
			*ret_error = open_error;
		free(c);
		return r;
	}

	if (opts->source != CAPTURE_SOURCE_FILE && !opts->no_snapshot) {
		r = proc_snapshot_open(opts->host_root, opts->snaplen, &c->snapshot);
		if (r < 0) {
			snprintf(open_error, sizeof(open_error),
				 "cannot read the process table under '%s/proc': %s",
				 opts->host_root ? opts->host_root : "", strerror(-r));
			if (ret_error)
				*ret_error = open_error;
			capture_close(c);
			return r;
		}
	}
	*ret = c;
	return 0;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	proc_snapshot_free(c->snapshot);
	if (c->src)
		c->ops->close(c->src);
	free(c);
}

/* Decodes one raw record; counts and reports what cannot be used. */
static int decode_counted(struct capture *c, const void *buf, size_t size, struct event *ret)
{
	int r = event_decode(buf, size, ret);

	if (r == -EBADMSG)
		c->stats.malformed++;
	else if (r == -ENOMSG)
		c->stats.unknown++;
	return r;
}

int capture_next(struct capture *c, struct event *ret)
{
	const void *buf;
	size_t size;
	int r;

	while (c->snapshot) {
		r = proc_snapshot_next(c->snapshot, &buf, &size);
		if (r == -ENODATA) {
			proc_snapshot_free(c->snapshot);
			c->snapshot = NULL;
			break;
		}
		if (r < 0)
			return r;
		if (decode_counted(c, buf, size, ret) < 0)
			continue;
		c->stats.events++;
		c->stats.snapshot++;
		return 0;
	}

	for (;;) {
		r = c->ops->next(c->src, &buf, &size, &c->stats.malformed);
		if (r < 0)
			return r;
		if (decode_counted(c, buf, size, ret) < 0)
			continue;
		c->stats.events++;
		return 0;
	}
}

int capture_wait(struct capture *c, int timeout_ms)
{
	if (c->snapshot)
		return 1;
	return c->ops->wait(c->src, timeout_ms);
}

int capture_get_fd(struct capture *c)
{
	return c->ops->get_fd ? c->ops->get_fd(c->src) : -EOPNOTSUPP;
}

int capture_poll_interval_ms(struct capture *c)
{
	return c->ops->poll_interval_ms;
}

int capture_set_interest(struct capture *c, const uint8_t *interest)
{
	return c->ops->set_interest ? c->ops->set_interest(c->src, interest) : -EOPNOTSUPP;
}

int capture_get_stats(struct capture *c, struct capture_stats *ret)
{
	*ret = c->stats;
	return c->ops->get_stats(c->src, ret);
}

const struct capture_machine *capture_get_machine(struct capture *c)
{
	return c->ops->get_machine(c->src);
}

int capture_source_from_name(const char *name, enum capture_source *ret)
{
	if (strcmp(name, "ebpf") == 0 || strcmp(name, "bpf") == 0 ||
	    strcmp(name, "modern_ebpf") == 0)
		*ret = CAPTURE_SOURCE_BPF;
	else if (strcmp(name, "kmod") == 0)
		*ret = CAPTURE_SOURCE_KMOD;
	else
		return -EINVAL;
	return 0;
}

const char *capture_error(struct capture *c)
{
	const char *e = c->ops->get_error ? c->ops->get_error(c->src) : NULL;

	return e && *e ? e : NULL;
}
