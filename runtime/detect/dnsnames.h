/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain names for fd.cip.name, fd.sip.name, fd.lip.name and fd.rip.name, as Falco's DNS
 * manager gives them: the names that the rules compare those fields with are resolved off the
 * event thread (getaddrinfo(), again every DNSNAMES_REFRESH_S seconds), and a field's values are
 * the names among those whose addresses include the socket's address. So
 * `fd.sip.name = "example.com"` is true when the server address is one of example.com's, as in
 * Falco; a name not resolved yet (or not resolvable) has no address.
 *
 *	dnsnames_new(&d);
 *	dnsnames_add_from_ruleset(d, rs);     or dnsnames_add(d, "example.com")
 *	dnsnames_start(d);                    the resolver thread (nothing to do: no thread)
 *	per event: dnsnames_lookup(d, 4, addr, names, max);
 *
 * Threads: the resolver's own, detached; dnsnames_free() stops it without waiting for a
 * resolution under way (the last of the two to let go frees). Bounded: DNSNAMES_MAX names,
 * DNSNAMES_ADDRS_MAX addresses each.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ruleset.h"

#define DNSNAMES_MAX	   64
#define DNSNAMES_ADDRS_MAX 16
#define DNSNAMES_NAME_MAX  254 /* longest domain name, with its NUL */
#define DNSNAMES_REFRESH_S 10

struct dnsnames;

int dnsnames_new(struct dnsnames **ret);
/* Stops the resolver (if started) and lets go of d. Accepts NULL. */
void dnsnames_free(struct dnsnames *d);

/* Adds a name to resolve (before dnsnames_start()). 0, or -E2BIG past DNSNAMES_MAX names,
 * -EINVAL for an empty or over-long name, -EBUSY once started. A name already there is kept once.
 */
int dnsnames_add(struct dnsnames *d, const char *name);
/* The operands of every fd.*ip.name comparison in the compiled, enabled rules of rs (those past
 * DNSNAMES_MAX are left out: they match nothing). Returns the number of names added. */
int dnsnames_add_from_ruleset(struct dnsnames *d, const struct ruleset *rs);
size_t dnsnames_count(const struct dnsnames *d);

/* Starts the resolver thread when there are names. 0 or -errno. */
int dnsnames_start(struct dnsnames *d);
/* One pass over every name on the caller's thread (tests; the thread does this periodically). */
void dnsnames_resolve_all(struct dnsnames *d);

/*
 * The names whose last resolution included addr (family 4 or 6; addr in network order, 4 or 16
 * bytes), at most max of them, into names (valid while d lives). Returns how many.
 */
size_t dnsnames_lookup(struct dnsnames *d, uint8_t family, const uint8_t *addr, const char **names,
		       size_t max);
