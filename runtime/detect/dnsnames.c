// SPDX-License-Identifier: Apache-2.0
/* Domain names of the fd.*ip.name fields: a resolver thread for the names the rules use. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ast.h"
#include "dnsnames.h"

struct dns_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
};

struct dns_entry {
	char name[DNSNAMES_NAME_MAX];
	uint32_t n_addrs;
	struct dns_addr addrs[DNSNAMES_ADDRS_MAX];
};

struct dnsnames {
	pthread_mutex_t lock; /* n_addrs and addrs of every entry; refs; stop */
	pthread_cond_t wake;
	unsigned refs; /* the owner, and the thread while it runs */
	bool stop;
	bool started;
	size_t dropped; /* operands not added: past DNSNAMES_MAX, or not a name */
	size_t n;
	struct dns_entry entries[DNSNAMES_MAX];
};

int dnsnames_new(struct dnsnames **ret)
{
	struct dnsnames *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	d->refs = 1;
	*ret = d;
	return 0;
}

static void dnsnames_unref(struct dnsnames *d)
{
	bool last;

	pthread_mutex_lock(&d->lock);
	last = --d->refs == 0;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void dnsnames_free(struct dnsnames *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	dnsnames_unref(d);
}

int dnsnames_add(struct dnsnames *d, const char *name)
{
	size_t len = strlen(name);

	if (d->started)
		return -EBUSY;
	if (!len || len >= DNSNAMES_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->entries[i].name, name) == 0)
			return 0;
	if (d->n >= DNSNAMES_MAX)
		return -E2BIG;
	memcpy(d->entries[d->n].name, name, len + 1);
	d->n++;
	return 0;
}

size_t dnsnames_count(const struct dnsnames *d)
{
	return d->n;
}

static bool is_name_field(const struct ast_fieldexpr *f)
{
	if (!f->ref.info || f->n_xf)
		return false;
	switch (f->ref.info->id) {
	case FIELD_FD_CIP_NAME:
	case FIELD_FD_SIP_NAME:
	case FIELD_FD_LIP_NAME:
	case FIELD_FD_RIP_NAME:
		return true;
	default:
		return false;
	}
}

static int add_from_node(struct dnsnames *d, const struct ast_node *n)
{
	int added = 0, r;

	if (!n)
		return 0;
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		for (size_t i = 0; i < n->bin.n; i++) {
			r = add_from_node(d, n->bin.kids[i]);
			if (r < 0)
				return r;
			added += r;
		}
		return added;
	case AST_NOT:
		return add_from_node(d, n->kid);
	case AST_CMP:
		if (!is_name_field(&n->cmp.lhs) || n->cmp.rhs_field)
			return 0;
		if (n->cmp.op != OP_EQ && n->cmp.op != OP_NE && n->cmp.op != OP_IN)
			return 0;
		for (size_t i = 0; i < n->cmp.n_vals; i++) {
			size_t before = d->n;

			/* past the cap, or not a name: that operand matches nothing, as an
			 * unresolvable name */
			if (dnsnames_add(d, n->cmp.vals[i].text) < 0)
				d->dropped++;
			added += d->n > before;
		}
		return added;
	default:
		return 0;
	}
}

int dnsnames_add_from_ruleset(struct dnsnames *d, const struct ruleset *rs)
{
	int added = 0;

	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *rule = rs->rules[i];
		int r;

		if (!rule->enabled || !rule->compiled)
			continue;
		r = add_from_node(d, rule->ast);
		if (r < 0)
			return r;
		added += r;
	}
	return added;
}

/* Resolves entry i into a local set, then publishes it under the lock. */
static void resolve_one(struct dnsnames *d, size_t i)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct dns_addr found[DNSNAMES_ADDRS_MAX];
	struct addrinfo *res = NULL;
	uint32_t n = 0;

	/* the name is fixed once started: read without the lock */
	if (getaddrinfo(d->entries[i].name, NULL, &hints, &res) == 0) {
		for (struct addrinfo *a = res; a && n < DNSNAMES_ADDRS_MAX; a = a->ai_next) {
			struct dns_addr x = {0};

			if (a->ai_family == AF_INET) {
				x.family = 4;
				memcpy(x.addr, &((struct sockaddr_in *)a->ai_addr)->sin_addr, 4);
			} else if (a->ai_family == AF_INET6) {
				x.family = 6;
				memcpy(x.addr, &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, 16);
			} else {
				continue;
			}
			found[n++] = x;
		}
		freeaddrinfo(res);
	}
	/* a failed resolution keeps the last answer, as Falco's manager does until it expires */
	if (!n)
		return;
	pthread_mutex_lock(&d->lock);
	memcpy(d->entries[i].addrs, found, n * sizeof(found[0]));
	d->entries[i].n_addrs = n;
	pthread_mutex_unlock(&d->lock);
}

void dnsnames_resolve_all(struct dnsnames *d)
{
	for (size_t i = 0; i < d->n; i++) {
		bool stop;

		pthread_mutex_lock(&d->lock);
		stop = d->stop;
		pthread_mutex_unlock(&d->lock);
		if (stop)
			return;
		resolve_one(d, i);
	}
}

static void *resolver(void *arg)
{
	struct dnsnames *d = arg;

	for (;;) {
		struct timespec until;
		bool stop;

		dnsnames_resolve_all(d);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += DNSNAMES_REFRESH_S;
		pthread_mutex_lock(&d->lock);
		while (!d->stop && pthread_cond_timedwait(&d->wake, &d->lock, &until) == 0)
			;
		stop = d->stop;
		pthread_mutex_unlock(&d->lock);
		if (stop)
			break;
	}
	dnsnames_unref(d);
	return NULL;
}

int dnsnames_start(struct dnsnames *d)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int r;

	if (d->started || !d->n)
		return 0;
	d->started = true;
	pthread_mutex_lock(&d->lock);
	d->refs++;
	pthread_mutex_unlock(&d->lock);
	/* no signal for this thread: the main loop reads them from a signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = -pthread_create(&th, &attr, resolver, d);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		pthread_mutex_lock(&d->lock);
		d->refs--;
		pthread_mutex_unlock(&d->lock);
	}
	return r;
}

size_t dnsnames_lookup(struct dnsnames *d, uint8_t family, const uint8_t *addr, const char **names,
		       size_t max)
{
	size_t len = family == 6 ? 16 : 4, found = 0;

	if (!d->n)
		return 0;
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->n && found < max; i++) {
		const struct dns_entry *e = &d->entries[i];

		for (uint32_t k = 0; k < e->n_addrs; k++)
			if (e->addrs[k].family == family &&
			    memcmp(e->addrs[k].addr, addr, len) == 0) {
				names[found++] = e->name;
				break;
			}
	}
	pthread_mutex_unlock(&d->lock);
	return found;
}
