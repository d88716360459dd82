// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "k8saudit.h"
#include "log.h"
#include "macro.h"
#include "osprey_config.h"
#include "sources.h"

static const char *syscall_unavailable(const struct osprey_config *c)
{
	return c->engine.kind == ENGINE_NODRIVER ? "engine.kind is nodriver (set engine.kind, or "
						   "--driver, to read system calls)"
						 : NULL;
}

static const char *k8s_audit_unavailable(const struct osprey_config *c)
{
	return config_plugin_loaded(c, "k8saudit")
		       ? NULL
		       : "no plugins: entry named k8saudit is loaded (add one, with open_params an "
			 "audit log file, e.g. -o plugins[0].name=k8saudit "
			 "-o plugins[0].open_params=FILE; see docs/k8s-audit.md)";
}

static const struct event_source sources[] = {
	[SOURCE_SYSCALL] = {"syscall",
			    "system calls and process events from the eBPF probe or the kernel "
			    "module",
			    field_source_syscall, syscall_unavailable},
	[SOURCE_K8S_AUDIT] = {K8SAUDIT_SOURCE,
			      "Kubernetes audit events from the API server's audit log",
			      k8saudit_field_source, k8s_audit_unavailable},
};

_Static_assert(ARRAY_SIZE(sources) == _SOURCE_MAX, "one row per source");
_Static_assert(ARRAY_SIZE(sources) <= SOURCES_MAX, "raise SOURCES_MAX");

size_t sources_count(void)
{
	return ARRAY_SIZE(sources);
}

const struct event_source *sources_get(size_t i)
{
	return i < ARRAY_SIZE(sources) ? &sources[i] : NULL;
}

const struct event_source *sources_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (strcmp(sources[i].name, name) == 0)
			return &sources[i];
	return NULL;
}

/* "a, b": the names of the sources whose bit is set in mask, for messages. */
static const char *names_of(unsigned mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(sources) && len < size; i++) {
		int n;

		if (!(mask & (1u << i)))
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", sources[i].name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

const char *sources_names(void)
{
	static char buf[256];

	if (!buf[0])
		names_of((1u << ARRAY_SIZE(sources)) - 1, buf, sizeof(buf));
	return buf;
}

int sources_register(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
		const struct field_source *fs = sources[i].fields();
		int r = field_source_register(fs);

		if (r < 0)
			return log_error_errno(
				r, "Cannot register the fields of event source '%s': %m",
				sources[i].name);
	}
	return 0;
}

static int index_of(const char *name, const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (strcmp(sources[i].name, name) == 0)
			return (int)i;
	return log_error_errno(-EINVAL, "Unknown event source '%s' in %s: Osprey's sources are %s.",
			       name, opt, sources_names());
}

/* "k8s_audit: why; ..." for the sources c does not provide, or "". */
static const char *why_not(const struct osprey_config *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(sources) && len < size; i++) {
		const char *why = sources[i].unavailable(c);
		int n;

		if (!why)
			continue;
		n = snprintf(buf + len, size - len, "%s%s: %s", len ? "; " : "", sources[i].name,
			     why);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

int sources_select(const struct osprey_config *c, const char *const *enable, size_t n_enable,
		   const char *const *disable, size_t n_disable, bool ret_enabled[SOURCES_MAX])
{
	char names[256], why[1024];
	unsigned provided = 0, on = 0;
	int k;

	for (size_t i = 0; i < ARRAY_SIZE(sources); i++)
		if (!sources[i].unavailable(c))
			provided |= 1u << i;
	on = n_enable ? 0 : provided;
	for (size_t i = 0; i < n_enable; i++) {
		const char *no;

		k = index_of(enable[i], "--enable-source");
		if (k < 0)
			return k;
		no = sources[k].unavailable(c);
		if (no)
			return log_error_errno(-EINVAL,
					       "Cannot enable event source '%s' (--enable-source): "
					       "%s.",
					       enable[i], no);
		on |= 1u << k;
	}
	for (size_t i = 0; i < n_disable; i++) {
		k = index_of(disable[i], "--disable-source");
		if (k < 0)
			return k;
		on &= ~(1u << k);
	}
	for (size_t i = 0; i < SOURCES_MAX; i++)
		ret_enabled[i] = on & (1u << i);
	if (on)
		return 0;
	why_not(c, why, sizeof(why));
	if (n_disable && provided)
		return log_error_errno(-EINVAL,
				       "No event source left enabled (--disable-source): enable "
				       "at least one of %s%s%s%s.",
				       names_of(provided, names, sizeof(names)),
				       why[0] ? " (not provided: " : "", why, why[0] ? ")" : "");
	return log_error_errno(-EINVAL, "No event source to run: %s.", why);
}
