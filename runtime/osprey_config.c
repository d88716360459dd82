// SPDX-License-Identifier: Apache-2.0
/*
 * osprey.yaml: a table of every key (dotted path, type, where it goes in struct osprey_config)
 * drives both the file loader and -o key=value, so the two accept exactly the same things and
 * report errors the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <yaml.h>

#include "capture.h"
#include "choice.h"
#include "fields.h"
#include "log.h"
#include "macro.h"
#include "osprey_config.h"
#include "parse.h"
#include "yaml_doc.h"

#define KEY_PATH_MAX 256
#define CONFIG_OPTION_QUOTE_MAX 80 /* bytes of a -o quoted in its diagnostics */

enum vtype {
	V_SECTION, /* a mapping of further keys */
	V_BOOL,
	V_U32,
	V_DOUBLE, /* a finite number >= 0 */
	V_STR,
	V_STRLIST, /* a sequence of strings (a single string is a one-entry list) */
	V_ENUM,	   /* one word of a table, stored as an int-sized enum */
	V_PRIORITY,
	V_LOGLEVEL,
	V_RULESEL, /* the rules: enable/disable list */
	V_PLUGINS, /* plugins: entries */
	V_NAMES,   /* load_plugins: a list of names */
	V_WORDSET, /* a list of words of a table, stored as a uint32_t of bits */
	V_DURATION, /* "1h", "15m", "30s", "250ms": uint64_t milliseconds >= min */
	V_CONFIGFILES, /* config_files: paths, or {path, strategy} */
	V_APPEND,  /* append_output: entries (rules_append.h) */
};

struct key_def {
	const char *path;
	enum vtype type;
	size_t off;
	uint32_t min, max;	  /* V_U32 */
	size_t off_n;		  /* V_STRLIST: its count (0: rules_files') */
	const char *const *words; /* V_ENUM: NULL-terminated */
};

static const char *const engine_kinds[] = {"modern_ebpf", "kmod", "replay", "nodriver", NULL};
static const char *const rule_matchings[] = {"first", "all", NULL};

#define OFF(m) offsetof(struct osprey_config, m)
/* clang-format off */
#define SECTION(p) { .path = p, .type = V_SECTION }
#define BOOL(p, m) { .path = p, .type = V_BOOL, .off = OFF(m) }
#define STR(p, m) { .path = p, .type = V_STR, .off = OFF(m) }
#define U32(p, m, lo, hi) { .path = p, .type = V_U32, .off = OFF(m), .min = lo, .max = hi }
#define CENGINE(name, e) \
	SECTION("container.engines." name), \
	BOOL("container.engines." name ".enabled", container.engines[e].enabled), \
	{ .path = "container.engines." name ".sockets", .type = V_STRLIST, \
	  .off = OFF(container.engines[e].sockets), .off_n = OFF(container.engines[e].n_sockets) }
/* clang-format on */

static const struct key_def keys[] = {
	{.path = "rules_files", .type = V_STRLIST, .off = OFF(rules_files)},
	{.path = "rules_file", .type = V_STRLIST, .off = OFF(rules_files)},
	BOOL("json_output", out.json_output),
	BOOL("json_include_output_property", out.json_include_output_property),
	BOOL("json_include_tags_property", out.json_include_tags_property),
	BOOL("json_include_message_property", out.json_include_message_property),
	BOOL("json_include_output_fields_property", out.json_include_output_fields_property),
	BOOL("time_format_iso_8601", out.time_format_iso_8601),
	{.path = "priority", .type = V_PRIORITY, .off = OFF(priority)},
	{.path = "rule_matching",
	 .type = V_ENUM,
	 .off = OFF(rule_matching),
	 .words = rule_matchings},
	BOOL("buffered_outputs", buffered_outputs),
	SECTION("outputs"),
	{.path = "outputs.rate", .type = V_DOUBLE, .off = OFF(out.outputs.rate)},
	U32("outputs.max_burst", out.outputs.max_burst, 0, UINT32_MAX),
	SECTION("outputs_queue"),
	U32("outputs_queue.capacity", out.outputs_queue.capacity, 0, OUTPUTS_QUEUE_CAPACITY_MAX),
	U32("outputs_queue.bytes", out.outputs_queue.bytes, 0, OUTPUTS_QUEUE_BYTES_MAX),
	SECTION("stdout_output"),
	BOOL("stdout_output.enabled", out.stdout_output.enabled),
	SECTION("file_output"),
	BOOL("file_output.enabled", out.file_output.enabled),
	BOOL("file_output.keep_alive", out.file_output.keep_alive),
	STR("file_output.filename", out.file_output.filename),
	SECTION("syslog_output"),
	BOOL("syslog_output.enabled", out.syslog_output.enabled),
	SECTION("program_output"),
	BOOL("program_output.enabled", out.program_output.enabled),
	BOOL("program_output.keep_alive", out.program_output.keep_alive),
	STR("program_output.program", out.program_output.program),
	U32("program_output.timeout_ms", out.program_output.timeout_ms, 1, OUTPUTS_TIMEOUT_MAX_MS),
	SECTION("http_output"),
	BOOL("http_output.enabled", out.http_output.enabled),
	STR("http_output.url", out.http_output.url),
	STR("http_output.user_agent", out.http_output.user_agent),
	BOOL("http_output.insecure", out.http_output.insecure),
	STR("http_output.ca_cert", out.http_output.ca_cert),
	STR("http_output.ca_bundle", out.http_output.ca_bundle),
	STR("http_output.ca_path", out.http_output.ca_path),
	BOOL("http_output.mtls", out.http_output.mtls),
	STR("http_output.client_cert", out.http_output.client_cert),
	STR("http_output.client_key", out.http_output.client_key),
	BOOL("http_output.echo", out.http_output.echo),
	BOOL("http_output.compress_uploads", out.http_output.compress_uploads),
	BOOL("http_output.keep_alive", out.http_output.keep_alive),
	U32("http_output.connect_timeout_ms", out.http_output.connect_timeout_ms, 1,
	    OUTPUTS_TIMEOUT_MAX_MS),
	U32("http_output.timeout_ms", out.http_output.timeout_ms, 1, OUTPUTS_TIMEOUT_MAX_MS),
	U32("http_output.max_retries", out.http_output.max_retries, 0, OUTPUTS_RETRIES_MAX),
	SECTION("engine"),
	{.path = "engine.kind", .type = V_ENUM, .off = OFF(engine.kind), .words = engine_kinds},
	SECTION("engine.modern_ebpf"),
	U32("engine.modern_ebpf.buf_size_preset", engine.modern_ebpf.buf_size_preset, 0,
	    CONFIG_BUF_SIZE_PRESET_MAX),
	U32("engine.modern_ebpf.cpus_for_each_buffer", engine.modern_ebpf.cpus_for_each_buffer, 0,
	    4096),
	SECTION("engine.kmod"),
	U32("engine.kmod.buf_size_preset", engine.kmod.buf_size_preset, 0,
	    CONFIG_BUF_SIZE_PRESET_MAX),
	SECTION("engine.replay"),
	STR("engine.replay.capture_file", engine.replay.capture_file),
	{.path = "log_level", .type = V_LOGLEVEL, .off = OFF(log_level)},
	BOOL("log_stderr", log_stderr),
	BOOL("log_syslog", log_syslog),
	{.path = "rules", .type = V_RULESEL, .off = OFF(rules)},
	{.path = "plugins", .type = V_PLUGINS, .off = OFF(plugins)},
	{.path = "load_plugins", .type = V_NAMES, .off = OFF(load_plugins)},
	{.path = "append_output", .type = V_APPEND, .off = OFF(append_output)},
	STR("host_root", host_root),
	U32("snaplen", snaplen, 1, OSP_SNAPLEN_MAX),
	STR("driver_choice_file", driver_choice_file),
	/* container metadata: Falco's container plugin init_config (runtime/meta/meta.h) */
	SECTION("container"),
	BOOL("container.enabled", container.enabled),
	U32("container.label_max_len", container.label_max_len, 0, META_STR_MAX),
	U32("container.timeout_ms", container.timeout_ms, 1, 60000),
	SECTION("container.engines"),
	CENGINE("docker", META_ENGINE_DOCKER),
	CENGINE("podman", META_ENGINE_PODMAN),
	CENGINE("containerd", META_ENGINE_CONTAINERD),
	CENGINE("cri", META_ENGINE_CRI),
	CENGINE("bundle", META_ENGINE_BUNDLE),
	/* ops/ops_config.h: Falco's webserver, metrics, syscall_event_drops; Osprey's watchdog */
	SECTION("webserver"),
	BOOL("webserver.enabled", ops.webserver.enabled),
	STR("webserver.listen_address", ops.webserver.listen_address),
	U32("webserver.listen_port", ops.webserver.listen_port, 0, 65535),
	STR("webserver.k8s_healthz_endpoint", ops.webserver.k8s_healthz_endpoint),
	BOOL("webserver.prometheus_metrics_enabled", ops.webserver.prometheus_metrics_enabled),
	BOOL("webserver.ssl_enabled", ops.webserver.ssl_enabled),
	STR("webserver.ssl_certificate", ops.webserver.ssl_certificate),
	STR("webserver.ssl_client_ca", ops.webserver.ssl_client_ca),
	U32("webserver.threadiness", ops.webserver.threadiness, 0, 16),
	U32("webserver.max_connections", ops.webserver.max_connections, 1, 100000),
	SECTION("metrics"),
	BOOL("metrics.enabled", ops.metrics.enabled),
	{.path = "metrics.interval", .type = V_DURATION, .off = OFF(ops.metrics.interval_ms),
	 .min = 100},
	BOOL("metrics.output_rule", ops.metrics.output_rule),
	STR("metrics.output_file", ops.metrics.output_file),
	BOOL("metrics.rules_counters_enabled", ops.metrics.rules_counters_enabled),
	BOOL("metrics.resource_utilization_enabled", ops.metrics.resource_utilization_enabled),
	BOOL("metrics.state_counters_enabled", ops.metrics.state_counters_enabled),
	BOOL("metrics.kernel_event_counters_enabled", ops.metrics.kernel_event_counters_enabled),
	BOOL("metrics.kernel_event_counters_per_cpu_enabled",
	     ops.metrics.kernel_event_counters_per_cpu_enabled),
	BOOL("metrics.libbpf_stats_enabled", ops.metrics.libbpf_stats_enabled),
	BOOL("metrics.convert_memory_to_mb", ops.metrics.convert_memory_to_mb),
	BOOL("metrics.include_empty_values", ops.metrics.include_empty_values),
	BOOL("metrics.rules_timing_enabled", ops.metrics.rules_timing_enabled),
	SECTION("syscall_event_drops"),
	{.path = "syscall_event_drops.threshold", .type = V_DOUBLE,
	 .off = OFF(ops.syscall_event_drops.threshold)},
	{.path = "syscall_event_drops.actions", .type = V_WORDSET,
	 .off = OFF(ops.syscall_event_drops.actions), .words = ops_drop_action_words},
	{.path = "syscall_event_drops.rate", .type = V_DOUBLE,
	 .off = OFF(ops.syscall_event_drops.rate)},
	U32("syscall_event_drops.max_burst", ops.syscall_event_drops.max_burst, 0, 1000000),
	BOOL("syscall_event_drops.simulate_drops", ops.syscall_event_drops.simulate_drops),
	SECTION("watchdog"),
	BOOL("watchdog.enabled", ops.watchdog.enabled),
	{.path = "watchdog.interval", .type = V_DURATION, .off = OFF(ops.watchdog.interval_ms),
	 .min = 100},
	{.path = "watchdog.timeout", .type = V_DURATION, .off = OFF(ops.watchdog.timeout_ms),
	 .min = 100},
	{.path = "watchdog.actions", .type = V_WORDSET, .off = OFF(ops.watchdog.actions),
	 .words = ops_watchdog_action_words},
	SECTION("recovery"),
	U32("recovery.max_errors", ops.recovery.max_errors, 1, 1000000),
	U32("recovery.max_reopens", ops.recovery.max_reopens, 0, 1000),
	{.path = "recovery.backoff", .type = V_DURATION, .off = OFF(ops.recovery.backoff_ms),
	 .min = 1},
	{.path = "recovery.backoff_max", .type = V_DURATION,
	 .off = OFF(ops.recovery.backoff_max_ms), .min = 1},
	{.path = "config_files", .type = V_CONFIGFILES, .off = OFF(config_files)},
	BOOL("watch_config_files", watch_config_files),
};
_Static_assert(ARRAY_SIZE(keys) <= 64 * ARRAY_SIZE(((struct osprey_config *)0)->keys_set),
	       "keys_set is too small for the key table");

/*
 * Falco settings Osprey does not implement (yet): accepted with a warning, whole subtree
 * ignored, so that a user's falco.yaml loads.
 */
static const char *const falco_unsupported[] = {
	"buffer_format_base64",
	"static_fields",
	"plugins_hostinfo",
	"libs_logger",
	"output_timeout",
	"syscall_event_timeouts",
	"syscall_buf_size_preset",
	"syscall_drop_failed_exit",
	"modern_bpf",
	"base_syscalls",
	"falco_libs",
	"grpc",
	"grpc_output",
	"container_engines",
	"capture",
	"engine.ebpf",
	"engine.gvisor",
	"engine.modern_ebpf.drop_failed_exit",
	"engine.modern_ebpf.disable_iterators",
	"engine.kmod.drop_failed_exit",
	"http_output.max_consecutive_timeouts",
	"file_output.format",
};

/* Where a value came from, for diagnostics. */
struct ctx {
	struct osprey_config *c;
	struct diag_list *diags;
	const char *file;   /* file name, or "-o" */
	const char *option; /* the -o text, or NULL for a file */
	enum config_merge merge; /* a config_files file's strategy */
	bool included;		 /* a config_files file: no further config_files */
	int r;		    /* -ENOMEM once it happened */
};

static void adiag(struct ctx *x, enum diag_severity sev, const struct ynode *n, const char *hint,
		  const char *fmt, ...) _printf_(5, 6);

static void adiag(struct ctx *x, enum diag_severity sev, const struct ynode *n, const char *hint,
		  const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->option && strlen(x->option) > CONFIG_OPTION_QUOTE_MAX)
		/* quote the start of a long -o, so that the reason stays on a readable line */
		r = diag_add(x->diags, sev, x->file, 0, 0, hint, "%.*s... (%zu bytes): %s",
			     CONFIG_OPTION_QUOTE_MAX, x->option, strlen(x->option), msg);
	else if (x->option)
		r = diag_add(x->diags, sev, x->file, 0, 0, hint, "%s: %s", x->option, msg);
	else
		r = diag_add(x->diags, sev, x->file, n ? n->line : 0, n ? n->col : 0, hint, "%s",
			     msg);
	if (r < 0)
		x->r = r;
}

#define aerr(x, n, hint, ...)  adiag(x, DIAG_ERROR, n, hint, __VA_ARGS__)
#define awarn(x, n, hint, ...) adiag(x, DIAG_WARNING, n, hint, __VA_ARGS__)

static const struct key_def *key_find(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

static bool is_unsupported(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(falco_unsupported); i++)
		if (strcmp(falco_unsupported[i], path) == 0)
			return true;
	return false;
}

/* The known key closest to path, for "did you mean". */
static const char *key_suggest(const char *path)
{
	const char *best = NULL;
	size_t best_d = 4;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t d = edit_distance(path, keys[i].path, 3);

		if (d < best_d) {
			best_d = d;
			best = keys[i].path;
		}
	}
	return best;
}

static const char *vtype_expect(const struct key_def *k, char *buf, size_t size)
{
	switch (k->type) {
	case V_SECTION:
		return "a mapping of keys";
	case V_BOOL:
		return "true or false";
	case V_U32:
		snprintf(buf, size, "a whole number from %u to %u", k->min, k->max);
		return buf;
	case V_DOUBLE:
		return "a number >= 0";
	case V_STR:
		return "a string";
	case V_STRLIST:
		return "a list of strings";
	case V_ENUM: {
		size_t o = 0;

		buf[0] = 0;
		for (size_t i = 0; k->words[i] && o < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "one of ",
					      k->words[i]);
		return buf;
	}
	case V_PRIORITY:
		return "one of emergency, alert, critical, error, warning, notice, informational, "
		       "debug";
	case V_LOGLEVEL:
		return "one of emergency, alert, critical, error, warning, notice, info, debug";
	case V_RULESEL:
		return "a list of {enable: {rule: NAME}}, {disable: {tag: TAG}}...";
	case V_PLUGINS:
		return "a list of {name: ..., library_path: ..., init_config: ..., open_params: ...}";
	case V_NAMES:
		return "a list of plugin names, e.g. [k8saudit, json]";
	case V_WORDSET: {
		size_t o = 0;

		buf[0] = 0;
		for (size_t i = 0; k->words[i] && o < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "a list of ",
					      k->words[i]);
		return buf;
	}
	case V_DURATION:
		return "a duration such as 30s, 15m, 1h or 250ms";
	case V_CONFIGFILES:
		return "a list of paths or {path: PATH, strategy: append|override|add-only}";
	case V_APPEND:
		return "a list of {match: {source, tags, rule}, extra_output, extra_fields}";
	}
	return "?";
}

static void *field_ptr(struct ctx *x, const struct key_def *k)
{
	return (char *)x->c + k->off;
}

static int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"true", "yes", "on", "y"};
	static const char *const no[] = {"false", "no", "off", "n"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	return -EINVAL;
}

static void bad_value(struct ctx *x, const struct key_def *k, const struct ynode *v)
{
	char buf[256];
	const char *what = v->kind == YN_MAP ? "a mapping" : v->kind == YN_SEQ ? "a list" : NULL;

	if (what)
		aerr(x, v, NULL, "invalid value for '%s': expected %s, got %s", k->path,
		     vtype_expect(k, buf, sizeof(buf)), what);
	else
		aerr(x, v, NULL, "invalid value for '%s': expected %s, got '%s'", k->path,
		     vtype_expect(k, buf, sizeof(buf)), v->val);
}

static int set_str(struct ctx *x, char **dst, const char *s)
{
	char *n = strdup(s);

	if (!n)
		return x->r = -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static void strlist_clear(char ***l, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*l)[i]);
	free(*l);
	*l = NULL;
	*n = 0;
}

/* Sets entry idx of the list (idx == *n appends). */
static int strlist_set(struct ctx *x, const struct key_def *k, char ***l, size_t *n, size_t idx,
		       const struct ynode *v)
{
	if (v->kind != YN_SCALAR || ynode_is_null(v)) {
		aerr(x, v, "write each entry as a string",
		     "invalid entry in '%s': expected a "
		     "string, got %s",
		     k->path,
		     v->kind == YN_SCALAR ? "nothing"
		     : v->kind == YN_MAP  ? "a mapping"
					  : "a list");
		return -EINVAL;
	}
	if (idx < *n)
		return set_str(x, &(*l)[idx], v->val);
	if (*n >= CONFIG_RULES_FILES_MAX) {
		aerr(x, v, NULL, "too many entries in '%s' (at most %u)", k->path,
		     CONFIG_RULES_FILES_MAX);
		return -EINVAL;
	}
	char **nl = realloc(*l, (*n + 1) * sizeof(char *));

	if (!nl)
		return x->r = -ENOMEM;
	*l = nl;
	nl[*n] = strdup(v->val);
	if (!nl[*n])
		return x->r = -ENOMEM;
	(*n)++;
	return 0;
}

static void rulesel_clear(struct osprey_config *c)
{
	for (size_t i = 0; i < c->n_rules; i++)
		free(c->rules[i].name);
	free(c->rules);
	c->rules = NULL;
	c->n_rules = 0;
}

/* One "- enable: {rule: NAME}" / "- disable: {tag: TAG}" entry into slot idx (idx == n appends). */
static int rulesel_set(struct ctx *x, size_t idx, const struct ynode *v)
{
	const char *hint = "write '- disable: {rule: NAME}' or '- enable: {tag: TAG}'";
	struct osprey_config *c = x->c;
	struct config_rule_selector s = {};
	const struct ynode *inner, *val;

	if (v->kind != YN_MAP || v->n != 2) {
		aerr(x, v, hint,
		     "invalid entry in 'rules': expected one 'enable' or 'disable' key");
		return -EINVAL;
	}
	if (strcmp(v->kids[0]->val, "enable") == 0)
		s.enable = true;
	else if (strcmp(v->kids[0]->val, "disable") != 0) {
		aerr(x, v->kids[0], hint, "unknown key 'rules[].%s': expected enable or disable",
		     v->kids[0]->val);
		return -EINVAL;
	}
	inner = v->kids[1];
	if (inner->kind != YN_MAP || inner->n != 2) {
		aerr(x, inner, hint,
		     "invalid value for 'rules[].%s': expected one 'rule' or "
		     "'tag' key",
		     v->kids[0]->val);
		return -EINVAL;
	}
	if (strcmp(inner->kids[0]->val, "tag") == 0)
		s.by_tag = true;
	else if (strcmp(inner->kids[0]->val, "rule") != 0) {
		aerr(x, inner->kids[0], hint, "unknown key 'rules[].%s.%s': expected rule or tag",
		     v->kids[0]->val, inner->kids[0]->val);
		return -EINVAL;
	}
	val = inner->kids[1];
	if (val->kind != YN_SCALAR || ynode_is_null(val) || !val->val[0]) {
		aerr(x, val, hint, "invalid value for 'rules[].%s.%s': expected a %s name",
		     v->kids[0]->val, inner->kids[0]->val, s.by_tag ? "tag" : "rule");
		return -EINVAL;
	}
	if (idx >= c->n_rules && c->n_rules >= CONFIG_RULE_SELECTORS_MAX) {
		aerr(x, v, NULL, "too many entries in 'rules' (at most %u)",
		     CONFIG_RULE_SELECTORS_MAX);
		return -EINVAL;
	}
	s.name = strdup(val->val);
	if (!s.name)
		return x->r = -ENOMEM;
	if (idx < c->n_rules) {
		free(c->rules[idx].name);
		c->rules[idx] = s;
		return 0;
	}
	struct config_rule_selector *nr = realloc(c->rules, (c->n_rules + 1) * sizeof(*nr));

	if (!nr) {
		free(s.name);
		return x->r = -ENOMEM;
	}
	c->rules = nr;
	nr[c->n_rules++] = s;
	return 0;
}

static const char *const merge_names[] = {"append", "override", "add-only", NULL};

static void configfiles_clear(struct osprey_config *c)
{
	for (size_t i = 0; i < c->n_config_files; i++)
		free(c->config_files[i].path);
	free(c->config_files);
	c->config_files = NULL;
	c->n_config_files = 0;
}

/* config_files: each entry "PATH" or {path: PATH, strategy: append|override|add-only}. */
static int configfiles_set(struct ctx *x, const struct key_def *k, const struct ynode *v)
{
	const char *hint = "write '- /etc/osprey/config.d' or '- {path: FILE, strategy: override}'";
	struct osprey_config *c = x->c;

	if (x->included) {
		awarn(x, v, "list every file in the main configuration's config_files",
		      "config_files in an included file is ignored (no nested includes, as in "
		      "Falco)");
		return 0;
	}
	configfiles_clear(c);
	if (v->kind == YN_SCALAR && ynode_is_null(v))
		return 0;
	if (v->kind != YN_SEQ && v->kind != YN_SCALAR) {
		bad_value(x, k, v);
		return -EINVAL;
	}
	for (size_t i = 0; i < (v->kind == YN_SEQ ? v->n : 1); i++) {
		const struct ynode *e = v->kind == YN_SEQ ? v->kids[i] : v;
		struct config_file_entry ent = {.strategy = CONFIG_MERGE_APPEND};
		const char *path = NULL;

		if (e->kind == YN_SCALAR && !ynode_is_null(e) && e->val[0])
			path = e->val;
		else if (e->kind == YN_MAP) {
			for (size_t j = 0; j + 1 < e->n; j += 2) {
				const struct ynode *ek = e->kids[j], *ev = e->kids[j + 1];
				int m = -1;

				if (strcmp(ek->val, "path") == 0 && ev->kind == YN_SCALAR &&
				    !ynode_is_null(ev) && ev->val[0]) {
					path = ev->val;
					continue;
				}
				for (int w = 0; ev->kind == YN_SCALAR && merge_names[w]; w++)
					if (strcmp(ev->val, merge_names[w]) == 0)
						m = w;
				if (strcmp(ek->val, "strategy") == 0 && m >= 0) {
					ent.strategy = (enum config_merge)m;
					continue;
				}
				if (strcmp(ek->val, "strategy") == 0 || strcmp(ek->val, "path") == 0)
					aerr(x, ev, hint,
					     "invalid %s '%s' in a config_files entry: expected %s",
					     ek->val, ev->kind == YN_SCALAR ? ev->val : "(not a word)",
					     ek->val[0] == 's' ? "append, override or add-only"
							       : "a path");
				else
					aerr(x, ek, hint,
					     "unknown key '%s' in a config_files entry: expected "
					     "path or strategy",
					     ek->val);
				return -EINVAL;
			}
		}
		if (!path) {
			aerr(x, e, hint, "invalid entry in 'config_files': expected a path");
			return -EINVAL;
		}
		if (c->n_config_files >= CONFIG_FILES_MAX) {
			aerr(x, e, NULL, "too many entries in 'config_files' (at most %u)",
			     CONFIG_FILES_MAX);
			return -EINVAL;
		}
		struct config_file_entry *nl =
			realloc(c->config_files, (c->n_config_files + 1) * sizeof(*nl));

		if (!nl)
			return x->r = -ENOMEM;
		c->config_files = nl;
		ent.path = strdup(path);
		if (!ent.path)
			return x->r = -ENOMEM;
		nl[c->n_config_files++] = ent;
	}
	return 0;
}

static int apply_map(struct ctx *x, const char *prefix, const struct ynode *map);

static void plugins_clear(struct osprey_config *c)
{
	for (size_t i = 0; i < c->n_plugins; i++) {
		free(c->plugins[i].name);
		free(c->plugins[i].library_path);
		free(c->plugins[i].init_config);
		free(c->plugins[i].open_params);
		free(c->plugins[i].ssl_certificate);
	}
	free(c->plugins);
	c->plugins = NULL;
	c->n_plugins = 0;
}

/* Sets key of the existing entry plugins[idx]. */
static int plugin_set(struct ctx *x, size_t idx, const char *key, const struct ynode *v)
{
	struct config_plugin *p = &x->c->plugins[idx];
	char **dst;

	if (strcmp(key, "name") == 0)
		dst = &p->name;
	else if (strcmp(key, "library_path") == 0)
		dst = &p->library_path;
	else if (strcmp(key, "init_config") == 0)
		dst = &p->init_config;
	else if (strcmp(key, "open_params") == 0)
		dst = &p->open_params;
	else {
		aerr(x, v, "a plugin entry has name, library_path, init_config and open_params",
		     "unknown key 'plugins[].%s'", key);
		return -EINVAL;
	}
	if (v->kind == YN_MAP && dst == &p->init_config) {
		/* Falco accepts a mapping here; of the k8saudit plugin's keys, sslCertificate is read */
		const struct ynode *sc = ynode_get(v, "sslCertificate");

		if (sc && sc->kind == YN_SCALAR && !ynode_is_null(sc) &&
		    set_str(x, &p->ssl_certificate, sc->val) < 0)
			return -ENOMEM;
		return set_str(x, dst, "");
	}
	if (v->kind != YN_SCALAR) {
		aerr(x, v, NULL, "invalid value for 'plugins[].%s': expected a string", key);
		return -EINVAL;
	}
	return set_str(x, dst, ynode_is_null(v) ? "" : v->val);
}

/*
 * Merges the keys of the mapping v into plugins[idx]; idx == the length appends an entry. The
 * file's entries, -o plugins[N]={...} and -o plugins[N].KEY=VALUE (v = {KEY: VALUE}) all come
 * here.
 */
static int plugin_entry_merge(struct ctx *x, size_t idx, const struct ynode *v)
{
	struct osprey_config *c = x->c;
	int ret = 0;

	if (v->kind != YN_MAP) {
		aerr(x, v, "e.g. {name: k8saudit, open_params: /var/log/audit.log}",
		     "invalid entry in 'plugins': expected a mapping");
		return -EINVAL;
	}
	if (idx > c->n_plugins) {
		aerr(x, v, "use an index up to the list's length, or [] to append",
		     "index %zu out of range: 'plugins' has %zu entries", idx, c->n_plugins);
		return -EINVAL;
	}
	if (idx == c->n_plugins) {
		struct config_plugin *p;

		if (c->n_plugins >= CONFIG_PLUGINS_MAX) {
			aerr(x, v, NULL, "too many entries in 'plugins' (at most %u)",
			     CONFIG_PLUGINS_MAX);
			return -EINVAL;
		}
		p = reallocarray(c->plugins, c->n_plugins + 1, sizeof(*p));
		if (!p)
			return x->r = -ENOMEM;
		c->plugins = p;
		c->plugins[c->n_plugins++] = (struct config_plugin){};
	}
	for (size_t j = 0; j + 1 < v->n; j += 2) {
		if (v->kids[j]->kind != YN_SCALAR) {
			aerr(x, v->kids[j], NULL,
			     "a key of a 'plugins' entry must be a plain word");
			ret = -EINVAL;
		} else if (plugin_set(x, idx, v->kids[j]->val, v->kids[j + 1]) < 0)
			ret = -EINVAL;
		if (x->r < 0)
			return x->r;
	}
	return ret;
}

static int plugins_apply(struct ctx *x, const struct ynode *v)
{
	int ret = 0;

	plugins_clear(x->c);
	if (v->kind == YN_SCALAR && ynode_is_null(v))
		return 0;
	if (v->kind != YN_SEQ) {
		aerr(x, v, "e.g. plugins: [{name: k8saudit, library_path: libk8saudit.so}]",
		     "invalid value for 'plugins': expected a list of plugin entries");
		return -EINVAL;
	}
	for (size_t i = 0; i < v->n && x->r == 0; i++)
		if (plugin_entry_merge(x, x->c->n_plugins, v->kids[i]) < 0)
			ret = -EINVAL;
	return x->r < 0 ? x->r : ret;
}

static void append_clear(struct osprey_config *c)
{
	for (size_t i = 0; i < c->n_append_output; i++)
		rules_append_done(&c->append_output[i]);
	free(c->append_output);
	c->append_output = NULL;
	c->n_append_output = 0;
}

/* Merges the mapping v into append_output[idx] (idx == the length appends), rules_append.h. */
static int append_entry_merge(struct ctx *x, size_t idx, const struct ynode *v)
{
	struct osprey_config *c = x->c;
	const struct ynode *at;
	const char *hint;
	char msg[512];
	int r;

	if (idx > c->n_append_output) {
		aerr(x, v, "use an index up to the list's length, or [] to append",
		     "index %zu out of range: 'append_output' has %zu entries", idx,
		     c->n_append_output);
		return -EINVAL;
	}
	if (idx == c->n_append_output) {
		struct rules_append *p;

		if (c->n_append_output >= RULES_APPEND_MAX) {
			aerr(x, v, NULL, "too many entries in 'append_output' (at most %u)",
			     RULES_APPEND_MAX);
			return -EINVAL;
		}
		p = reallocarray(c->append_output, c->n_append_output + 1, sizeof(*p));
		if (!p)
			return x->r = -ENOMEM;
		c->append_output = p;
		c->append_output[c->n_append_output++] = (struct rules_append){};
	}
	r = rules_append_merge(&c->append_output[idx], v, msg, sizeof(msg), &hint, &at);
	if (r == -ENOMEM)
		return x->r = r;
	if (r < 0)
		aerr(x, at, hint && hint[0] ? hint : NULL, "%s", msg);
	return r;
}

static int append_apply(struct ctx *x, const struct ynode *v)
{
	int ret = 0;

	append_clear(x->c);
	if (v->kind == YN_SCALAR && ynode_is_null(v))
		return 0;
	if (v->kind != YN_SEQ) {
		aerr(x, v, "e.g. append_output: [{match: {source: syscall}, extra_fields: [container.id]}]",
		     "invalid value for 'append_output': expected a list of entries");
		return -EINVAL;
	}
	for (size_t i = 0; i < v->n && x->r == 0; i++)
		if (append_entry_merge(x, x->c->n_append_output, v->kids[i]) < 0)
			ret = -EINVAL;
	return x->r < 0 ? x->r : ret;
}

const struct config_plugin *config_plugin_loaded(const struct osprey_config *c, const char *name)
{
	bool loaded = c->n_load_plugins == 0 && !c->load_plugins;

	for (size_t i = 0; i < c->n_load_plugins && !loaded; i++)
		loaded = strcmp(c->load_plugins[i], name) == 0;
	if (!loaded)
		return NULL;
	for (size_t i = 0; i < c->n_plugins; i++)
		if (c->plugins[i].name && strcmp(c->plugins[i].name, name) == 0)
			return &c->plugins[i];
	return NULL;
}

/* Applies the whole value v to key k. */
static int apply_value(struct ctx *x, const struct key_def *k, const struct ynode *v)
{
	void *p = field_ptr(x, k);
	bool is_scalar = v->kind == YN_SCALAR;
	int r;

	switch (k->type) {
	case V_SECTION:
		if (is_scalar && ynode_is_null(v))
			return 0; /* "file_output:" with nothing under it */
		if (v->kind != YN_MAP) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		return apply_map(x, k->path, v);
	case V_BOOL:
		if (!is_scalar || parse_bool(v->val, p) < 0) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		return 0;
	case V_U32: {
		uint32_t u;

		if (!is_scalar || safe_atou32(v->val, &u) < 0 || u < k->min || u > k->max) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		*(uint32_t *)p = u;
		return 0;
	}
	case V_DOUBLE: {
		char *end = NULL;
		double dv;

		errno = 0;
		dv = is_scalar && v->val[0] ? strtod(v->val, &end) : -1;
		if (!is_scalar || !end || *end || errno || !isfinite(dv) || dv < 0) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		*(double *)p = dv;
		return 0;
	}
	case V_STR:
		if (!is_scalar) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		return set_str(x, p, ynode_is_null(v) ? "" : v->val);
	case V_STRLIST: {
		char ***l = p;
		size_t *n = (size_t *)((char *)x->c + (k->off_n ? k->off_n : OFF(n_rules_files)));

		if (x->merge != CONFIG_MERGE_APPEND || !x->included)
			strlist_clear(l, n);
		if (is_scalar)
			return ynode_is_null(v) ? 0 : strlist_set(x, k, l, n, 0, v);
		if (v->kind != YN_SEQ) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		for (size_t i = 0; i < v->n; i++) {
			r = strlist_set(x, k, l, n, *n, v->kids[i]);
			if (r < 0)
				return r;
		}
		return 0;
	}
	case V_ENUM:
		if (is_scalar)
			for (int i = 0; k->words[i]; i++)
				if (strcmp(v->val, k->words[i]) == 0) {
					*(int *)p = i;
					if (strcmp(k->path, "engine.kind") == 0)
						x->c->engine.kind_set = true;
					return 0;
				}
		if (is_scalar && strcmp(k->path, "engine.kind") == 0 &&
		    (strcmp(v->val, "ebpf") == 0 || strcmp(v->val, "gvisor") == 0)) {
			aerr(x, v, "use modern_ebpf (the embedded eBPF probe), kmod, replay or nodriver",
			     "engine.kind '%s' is a Falco engine Osprey does not support", v->val);
			return -EINVAL;
		}
		bad_value(x, k, v);
		return -EINVAL;
	case V_PRIORITY:
		r = is_scalar ? rules_priority_from_string(v->val) : -EINVAL;
		if (r < 0) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		*(enum rules_priority *)p = (enum rules_priority)r;
		return 0;
	case V_LOGLEVEL:
		r = is_scalar ? log_level_from_string(v->val) : -EINVAL;
		if (r < 0) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		*(int *)p = r;
		return 0;
	case V_PLUGINS:
		return plugins_apply(x, v);
	case V_APPEND:
		return append_apply(x, v);
	case V_NAMES:
		strlist_clear(&x->c->load_plugins, &x->c->n_load_plugins);
		if (is_scalar && ynode_is_null(v))
			return 0;
		if (v->kind != YN_SEQ || v->n > CONFIG_PLUGINS_MAX) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		x->c->load_plugins = calloc(v->n ? v->n : 1, sizeof(char *));
		if (!x->c->load_plugins)
			return x->r = -ENOMEM;
		for (size_t i = 0; i < v->n; i++) {
			if (v->kids[i]->kind != YN_SCALAR) {
				bad_value(x, k, v);
				return -EINVAL;
			}
			x->c->load_plugins[i] = strdup(v->kids[i]->val);
			if (!x->c->load_plugins[i])
				return x->r = -ENOMEM;
			x->c->n_load_plugins++;
		}
		return 0;
	case V_WORDSET: {
		uint32_t bits = 0;

		for (size_t i = 0; i < (is_scalar ? !ynode_is_null(v) : v->n); i++) {
			const struct ynode *w = is_scalar ? v : v->kids[i];
			int j;

			if (w->kind != YN_SCALAR || (v->kind != YN_SEQ && !is_scalar)) {
				bad_value(x, k, v);
				return -EINVAL;
			}
			for (j = 0; k->words[j] && strcmp(k->words[j], w->val) != 0; j++)
				;
			if (!k->words[j]) {
				bad_value(x, k, w);
				return -EINVAL;
			}
			bits |= 1u << j;
		}
		*(uint32_t *)p = bits;
		return 0;
	}
	case V_DURATION: {
		uint64_t ms;

		if (!is_scalar || ops_duration_parse(v->val, &ms) < 0 || ms < k->min) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		*(uint64_t *)p = ms;
		return 0;
	}
	case V_CONFIGFILES:
		return configfiles_set(x, k, v);
	case V_RULESEL:
		if (x->merge != CONFIG_MERGE_APPEND || !x->included)
			rulesel_clear(x->c);
		if (is_scalar && ynode_is_null(v))
			return 0;
		if (v->kind != YN_SEQ) {
			bad_value(x, k, v);
			return -EINVAL;
		}
		for (size_t i = 0; i < v->n; i++) {
			r = rulesel_set(x, x->c->n_rules, v->kids[i]);
			if (r < 0)
				return r;
		}
		return 0;
	}
	return -EINVAL;
}

static int join_path(struct ctx *x, const struct ynode *at, const char *prefix, const char *key,
		     char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);

	if (n < 0 || (size_t)n >= size) {
		aerr(x, at, NULL, "key too long (at most %zu bytes)", size - 1);
		return -EINVAL;
	}
	return 0;
}

/* Applies every key of a mapping; prefix is the mapping's dotted path (NULL at the top). */
static int apply_map(struct ctx *x, const char *prefix, const struct ynode *map)
{
	int ret = 0;

	for (size_t i = 0; i + 1 < map->n && x->r == 0; i += 2) {
		const struct ynode *kn = map->kids[i], *v = map->kids[i + 1];
		char path[KEY_PATH_MAX];
		const struct key_def *k;

		if (kn->kind != YN_SCALAR) {
			aerr(x, kn, NULL, "a key must be a plain word%s%s", prefix ? " in " : "",
			     prefix ? prefix : "");
			ret = -EINVAL;
			continue;
		}
		for (size_t j = 0; j < i; j += 2)
			if (map->kids[j]->kind == YN_SCALAR &&
			    strcmp(map->kids[j]->val, kn->val) == 0) {
				aerr(x, kn, "remove one of them",
				     "key '%s%s%s' given twice (first on line %u)",
				     prefix ? prefix : "", prefix ? "." : "", kn->val,
				     map->kids[j]->line);
				ret = -EINVAL;
			}
		if (join_path(x, kn, prefix, kn->val, path, sizeof(path)) < 0) {
			ret = -EINVAL;
			continue;
		}
		k = key_find(path);
		if (!k) {
			if (is_unsupported(path)) {
				awarn(x, kn, "it is ignored; see docs/configuration.md",
				      "'%s' is a Falco setting Osprey does not support yet", path);
				continue;
			}
			const char *s = key_suggest(path);
			char hint[KEY_PATH_MAX + 32];

			if (s)
				snprintf(hint, sizeof(hint), "did you mean '%s'?", s);
			aerr(x, kn, s ? hint : "see docs/configuration.md for the keys",
			     "unknown key '%s'", path);
			ret = -EINVAL;
			continue;
		}
		size_t ki = (size_t)(k - keys);
		bool was_set = x->c->keys_set[ki / 64] & (1ull << (ki % 64));

		if (k->type != V_SECTION && x->merge == CONFIG_MERGE_ADD_ONLY && x->included &&
		    was_set)
			continue; /* add-only: a key set before stays */
		if (apply_value(x, k, v) < 0)
			ret = -EINVAL;
		x->c->keys_set[ki / 64] |= 1ull << (ki % 64);
	}
	return x->r < 0 ? x->r : ret;
}

static int line_starts_of(const char *buf, size_t len, size_t **ret, size_t *ret_n)
{
	size_t n = 1, *ls;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	ls = calloc(n, sizeof(size_t));
	if (!ls)
		return -ENOMEM;
	n = 1;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			ls[n++] = i + 1;
	*ret = ls;
	*ret_n = n;
	return 0;
}

/* Parses buf as one YAML document; *ret_root is NULL for an empty document. */
static int parse_doc(struct ctx *x, const char *buf, size_t len, struct ydoc *doc,
		     const struct ynode **ret_root)
{
	_cleanup_free_ size_t *ls = NULL;
	struct yaml_error ye = {};
	size_t n_ls;
	int r;

	r = line_starts_of(buf, len, &ls, &n_ls);
	if (r < 0)
		return x->r = r;
	r = ydoc_parse(buf, len, ls, n_ls, CONFIG_YAML_NODES_MAX, CONFIG_YAML_DEPTH_MAX, doc, &ye);
	if (r == -ENOMEM)
		return x->r = r;
	if (r < 0) {
		if (x->option)
			aerr(x, NULL, ye.hint[0] ? ye.hint : NULL, "bad YAML value: %s", ye.msg);
		else {
			if (diag_add(x->diags, DIAG_ERROR, x->file, ye.line, ye.col,
				     ye.hint[0] ? ye.hint : NULL, "bad YAML: %s", ye.msg) < 0)
				return x->r = -ENOMEM;
		}
		return -EINVAL;
	}
	if (doc->n_roots > 1) {
		aerr(x, doc->roots[1], "keep one document per file (remove the '---')",
		     "more than one YAML document");
		return -EINVAL;
	}
	*ret_root = doc->n_roots ? doc->roots[0] : NULL;
	return 0;
}

static int load_buffer(struct osprey_config *c, const char *name, const char *buf, size_t len,
		       struct diag_list *diags, bool included, enum config_merge merge)
{
	struct ctx x = {.c = c, .diags = diags, .file = name, .included = included, .merge = merge};
	struct ydoc doc = {};
	const struct ynode *root;
	int r;

	r = parse_doc(&x, buf, len, &doc, &root);
	if (r < 0)
		goto out;
	if (!root || ynode_is_null(root))
		goto out; /* an empty file changes nothing */
	if (root->kind != YN_MAP) {
		aerr(&x, root, "write 'key: value' lines, e.g. 'json_output: true'",
		     "the configuration must be a mapping of keys");
		r = -EINVAL;
		goto out;
	}
	r = apply_map(&x, NULL, root);
out:
	ydoc_done(&doc);
	return r;
}

int osprey_config_load_buffer(struct osprey_config *c, const char *name, const char *buf,
			      size_t len, struct diag_list *diags)
{
	return load_buffer(c, name, buf, len, diags, false, CONFIG_MERGE_OVERRIDE);
}

static int load_file(struct osprey_config *c, const char *path, struct diag_list *diags,
		     bool included, enum config_merge merge)
{
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (diag_add(diags, DIAG_ERROR, path, 0, 0,
			     r == -ENOENT ? "check the path given with -c" : NULL,
			     "cannot open the configuration file: %s", strerror(-r)) < 0)
			return -ENOMEM;
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		if (diag_add(diags, DIAG_ERROR, path, 0, 0, NULL, "%s",
			     !S_ISREG(st.st_mode)
				     ? "not a regular file"
				     : "configuration file too large (at most 1 MiB)") < 0)
			return -ENOMEM;
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			if (diag_add(diags, DIAG_ERROR, path, 0, 0, NULL,
				     "cannot read the configuration file: %s", strerror(-r)) < 0)
				return -ENOMEM;
			return -EINVAL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	return load_buffer(c, path, buf, len, diags, included, merge);
}

int osprey_config_load_file(struct osprey_config *c, const char *path, struct diag_list *diags)
{
	return load_file(c, path, diags, false, CONFIG_MERGE_OVERRIDE);
}

static int yaml_name_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && ((n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0) ||
					(n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0));
}

static int dirent_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int osprey_config_load_includes(struct osprey_config *c, struct diag_list *diags)
{
	/* an included file cannot change c->config_files (configfiles_set) */
	struct config_file_entry *ents = c->config_files;
	size_t n_ents = c->n_config_files, n_read = 0;
	bool over = false;
	int ret = 0, r;

	for (size_t i = 0; i < n_ents && ret != -ENOMEM; i++) {
		const struct config_file_entry *e = &ents[i];
		struct dirent **de = NULL;
		struct stat st;
		int n;

		if (stat(e->path, &st) < 0) {
			if (diag_add(diags, DIAG_WARNING, e->path, 0, 0,
				     "create it, or remove it from config_files",
				     "config_files entry skipped: %s", strerror(errno)) < 0)
				ret = -ENOMEM;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (++n_read > CONFIG_INCLUDED_FILES_MAX)
				goto too_many;
			r = load_file(c, e->path, diags, true, e->strategy);
			if (r < 0)
				ret = r == -ENOMEM ? r : -EINVAL;
			continue;
		}
		n = scandir(e->path, &de, yaml_name_filter, dirent_name_cmp);
		if (n < 0) {
			if (diag_add(diags, DIAG_ERROR, e->path, 0, 0, NULL,
				     "cannot read the config_files directory: %s",
				     strerror(errno)) < 0)
				return -ENOMEM;
			ret = -EINVAL;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char full[4096];
			struct stat fst;

			if (ret != -ENOMEM && !over &&
			    snprintf(full, sizeof(full), "%s/%s", e->path, de[k]->d_name) <
				    (int)sizeof(full) &&
			    stat(full, &fst) == 0 && S_ISREG(fst.st_mode) &&
			    !(over = ++n_read > CONFIG_INCLUDED_FILES_MAX)) {
				r = load_file(c, full, diags, true, e->strategy);
				if (r < 0)
					ret = r == -ENOMEM ? r : -EINVAL;
			}
			free(de[k]);
		}
		free(de);
		if (over)
			goto too_many;
	}
	return ret;
too_many:
	if (diag_add(diags, DIAG_ERROR, NULL, 0, 0, "merge some of the files",
		     "config_files names more than %u files", CONFIG_INCLUDED_FILES_MAX) < 0)
		return -ENOMEM;
	return -EINVAL;
}

static int split_index(const char *seg, char *name, size_t size, bool *ret_has_idx,
		       bool *ret_append, size_t *ret_idx);

/* split_index() on path up to and including close (its ']'). */
static int split_index_at(const char *path, const char *close, char *name, size_t size,
			  bool *ret_has_idx, bool *ret_append, size_t *ret_idx)
{
	char seg[KEY_PATH_MAX];
	size_t len = (size_t)(close - path) + 1;

	if (len >= sizeof(seg))
		return -EINVAL;
	memcpy(seg, path, len);
	seg[len] = '\0';
	return split_index(seg, name, size, ret_has_idx, ret_append, ret_idx);
}

/* "name" or "name[N]" or "name[]": splits off the index. */
static int split_index(const char *seg, char *name, size_t size, bool *ret_has_idx,
		       bool *ret_append, size_t *ret_idx)
{
	const char *br = strchr(seg, '[');
	size_t nl = br ? (size_t)(br - seg) : strlen(seg);

	if (nl == 0 || nl >= size)
		return -EINVAL;
	memcpy(name, seg, nl);
	name[nl] = 0;
	*ret_has_idx = br != NULL;
	*ret_append = false;
	*ret_idx = 0;
	if (!br)
		return 0;
	if (strcmp(br, "[]") == 0) {
		*ret_append = true;
		return 0;
	}
	char num[24];
	const char *end = strchr(br, ']');
	uint32_t u;

	if (!end || end[1] || (size_t)(end - br - 1) >= sizeof(num) || end == br + 1)
		return -EINVAL;
	memcpy(num, br + 1, (size_t)(end - br - 1));
	num[end - br - 1] = 0;
	if (safe_atou32(num, &u) < 0)
		return -EINVAL;
	*ret_idx = u;
	return 0;
}

/* The key without its [..] parts: "plugins[0].open_params" -> "plugins.open_params". */
static void strip_indexes(const char *path, char *out, size_t size)
{
	size_t o = 0;
	bool in = false;

	for (const char *p = path; *p && o + 1 < size; p++) {
		if (*p == '[')
			in = true;
		else if (*p == ']')
			in = false;
		else if (!in)
			out[o++] = *p;
	}
	out[o] = '\0';
}

/* The unsupported Falco setting that path is, or is under (NULL if none); copied into buf. */
static const char *unsupported_prefix(const char *path, char *buf, size_t size)
{
	size_t len = strlen(path);

	for (size_t i = 0; i <= len && i < size; i++) {
		if (path[i] != '.' && path[i] != 0)
			continue;
		memcpy(buf, path, i);
		buf[i] = 0;
		if (is_unsupported(buf))
			return buf;
	}
	return NULL;
}

#define OPTION_DEPTH_MAX 8 /* keys after the [N] of a -o */

/* The list keys whose entries are mappings, which -o KEY[N].SUB=VALUE can address. */
static bool list_entries_have_keys(const struct key_def *k)
{
	return k->type == V_RULESEL || k->type == V_PLUGINS || k->type == V_APPEND;
}

/* The number of entries of list key k (rules_files, rules, plugins). */
static size_t list_len(const struct osprey_config *c, const struct key_def *k)
{
	switch (k->type) {
	case V_STRLIST:
		return c->n_rules_files;
	case V_RULESEL:
		return c->n_rules;
	case V_PLUGINS:
		return c->n_plugins;
	case V_APPEND:
		return c->n_append_output;
	default:
		return 0;
	}
}

/*
 * Sets entry idx (idx == the length appends) of list key k from the mapping v that
 * -o KEY[N].SUB.KEY=VALUE spells ({SUB: {KEY: VALUE}}). A "rules" entry is whole in one key, so
 * the entry is replaced; a list type whose entries have several keys merges v into the entry.
 */
static int list_entry_set(struct ctx *x, const struct key_def *k, size_t idx,
			  const struct ynode *v)
{
	switch (k->type) {
	case V_RULESEL:
		return rulesel_set(x, idx, v);
	case V_PLUGINS:
		return plugin_entry_merge(x, idx, v);
	case V_APPEND:
		return append_entry_merge(x, idx, v);
	default:
		return -EINVAL;
	}
}

/*
 * -o KEY[N].SUB.KEY=VALUE: sets the key SUB.KEY of entry N of list KEY, as a Falco user writes
 * -o plugins[0].open_params=... . Keys under a Falco setting Osprey does not support warn (they
 * are ignored, like the whole setting in a file); "rules" and "plugins" entries are set; other
 * keys are not lists of mappings: an error says so.
 */
static int set_option_inner_index(struct ctx *x, const char *path, const char *value)
{
	char plain[KEY_PATH_MAX], pre[KEY_PATH_MAX], head[KEY_PATH_MAX], rest[KEY_PATH_MAX];
	const char *br = strchr(path, '['), *close = br ? strchr(br, ']') : NULL;
	struct ynode maps[OPTION_DEPTH_MAX], knodes[OPTION_DEPTH_MAX], leaf;
	struct ynode *kids[OPTION_DEPTH_MAX][2];
	const struct key_def *k;
	size_t idx, n = 0;
	bool has_idx, append;
	char *seg, *save = NULL;

	strip_indexes(path, plain, sizeof(plain));
	if (unsupported_prefix(plain, pre, sizeof(pre))) {
		awarn(x, NULL, "it is ignored; see docs/configuration.md",
		      "'%s' is a Falco setting Osprey does not support yet", pre);
		return 0;
	}
	if (!close || close[1] != '.' || !close[2] ||
	    split_index_at(path, close, head, sizeof(head), &has_idx, &append, &idx) < 0) {
		aerr(x, NULL, "write KEY[N].SUBKEY=VALUE, e.g. -o rules[0].disable.rule=NAME",
		     "bad key '%s'", path);
		return -EINVAL;
	}
	k = key_find(head);
	if (!k || !list_entries_have_keys(k)) {
		aerr(x, NULL,
		     "'rules' and 'plugins' are lists of mappings: e.g. rules[N].disable.rule=NAME, "
		     "plugins[N].open_params=FILE",
		     "'%s' has no entries with keys: remove the part after [..]", head);
		return -EINVAL;
	}
	snprintf(rest, sizeof(rest), "%s", close + 2);
	if (append)
		idx = list_len(x->c, k);
	if (idx > list_len(x->c, k)) {
		aerr(x, NULL, "use an index up to the list's length, or [] to append",
		     "index %zu out of range: '%s' has %zu entries", idx, k->path,
		     list_len(x->c, k));
		return -EINVAL;
	}
	/* rest "disable.rule" and the value become {disable: {rule: VALUE}} */
	leaf = (struct ynode){.kind = YN_SCALAR, .style = YAML_PLAIN_SCALAR_STYLE, .line = 1,
			      .col = 1, .val = (char *)value, .len = strlen(value)};
	for (seg = strtok_r(rest, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
		if (n >= OPTION_DEPTH_MAX) {
			aerr(x, NULL, NULL, "key '%s' is too deep", path);
			return -EINVAL;
		}
		knodes[n] = (struct ynode){.kind = YN_SCALAR, .line = 1, .col = 1, .val = seg,
					 .len = strlen(seg)};
		maps[n] = (struct ynode){.kind = YN_MAP, .line = 1, .col = 1, .kids = kids[n],
					 .n = 2};
		kids[n][0] = &knodes[n];
		if (n > 0)
			kids[n - 1][1] = &maps[n];
		n++;
	}
	if (n == 0) {
		aerr(x, NULL, NULL, "bad key '%s'", path);
		return -EINVAL;
	}
	kids[n - 1][1] = &leaf;
	if (k->type == V_APPEND && (value[0] == '[' || value[0] == '{')) {
		/* append_output[0].extra_fields=[a, {k: v}]: a YAML list or mapping */
		struct ydoc doc = {};
		const struct ynode *root = NULL;
		int r = parse_doc(x, value, strlen(value), &doc, &root);

		if (r >= 0 && root)
			kids[n - 1][1] = (struct ynode *)root;
		if (r >= 0)
			r = list_entry_set(x, k, idx, &maps[0]);
		ydoc_done(&doc);
		return r < 0 ? -EINVAL : 0;
	}
	return list_entry_set(x, k, idx, &maps[0]) < 0 ? -EINVAL : 0;
}

int osprey_config_set_option(struct osprey_config *c, const char *option, struct diag_list *diags)
{
	struct ctx x = {.c = c, .diags = diags, .file = "-o", .option = option};
	const char *hint = "write -o key=value, e.g. -o json_output=true or -o engine.kind=kmod";
	char path[KEY_PATH_MAX], name[KEY_PATH_MAX];
	const char *eq = strchr(option, '=');
	const struct key_def *k;
	bool has_idx, append;
	size_t idx, klen;
	struct ydoc doc = {};
	const struct ynode *root = NULL;
	int r;

	if (strlen(option) >= CONFIG_OPTION_MAX) {
		aerr(&x, NULL, NULL, "option too long (at most %u bytes)", CONFIG_OPTION_MAX - 1);
		return -EINVAL;
	}
	klen = eq ? (size_t)(eq - option) : 0;
	if (!eq || klen == 0 || klen >= sizeof(path)) {
		aerr(&x, NULL, hint, "expected key=value");
		return -EINVAL;
	}
	memcpy(path, option, klen);
	path[klen] = 0;
	/* An index inside the key: an entry of a list of mappings (rules[0].disable.rule=NAME),
	 * plugins[0].open_params=FILE, or a key under an unsupported Falco setting. */
	const char *last = strrchr(path, '.');
	const char *lastseg = last ? last + 1 : path;

	if (strchr(path, '[') && strchr(path, '[') < lastseg)
		return set_option_inner_index(&x, path, eq + 1);
	if (split_index(lastseg, name, sizeof(name), &has_idx, &append, &idx) < 0) {
		aerr(&x, NULL, "use key[N] (N = 0, 1, ...) or key[] to append", "bad key '%s'",
		     path);
		return -EINVAL;
	}
	path[lastseg - path] = 0;
	if (strlen(path) + strlen(name) >= sizeof(path)) {
		aerr(&x, NULL, NULL, "key too long");
		return -EINVAL;
	}
	strncat(path, name, sizeof(path) - strlen(path) - 1);

	k = key_find(path);
	if (!k) {
		/* an unsupported Falco key, or something under one */
		char pre[KEY_PATH_MAX];

		for (size_t i = 0; i <= strlen(path); i++) {
			if (path[i] != '.' && path[i] != 0)
				continue;
			memcpy(pre, path, i);
			pre[i] = 0;
			if (is_unsupported(pre)) {
				awarn(&x, NULL, "it is ignored; see docs/configuration.md",
				      "'%s' is a Falco setting Osprey does not support yet", pre);
				return 0;
			}
		}
		const char *s = key_suggest(path);
		char h[KEY_PATH_MAX + 32];

		if (s)
			snprintf(h, sizeof(h), "did you mean '%s'?", s);
		aerr(&x, NULL, s ? h : "see docs/configuration.md for the keys", "unknown key '%s'",
		     path);
		return -EINVAL;
	}
	if (has_idx && k->type != V_STRLIST && !list_entries_have_keys(k)) {
		aerr(&x, NULL, NULL, "'%s' is not a list: remove the [..]", k->path);
		return -EINVAL;
	}

	/* Scalars take the text as it is; lists, sections and rules entries are YAML. */
	const char *val = eq + 1;
	bool yaml = k->type == V_SECTION || k->type == V_RULESEL || k->type == V_NAMES ||
		    k->type == V_PLUGINS || k->type == V_APPEND ||
		    ((k->type == V_STRLIST || k->type == V_WORDSET) && !has_idx && val[0] == '[');
	/* a plain scalar, so that an empty value reads as "not set" (an empty list, "") */
	struct ynode scalar = {
		.kind = YN_SCALAR,
		.style = YAML_PLAIN_SCALAR_STYLE,
		.line = 1,
		.col = 1,
		.val = (char *)val,
		.len = strlen(val),
	};

	if (yaml) {
		r = parse_doc(&x, val, strlen(val), &doc, &root);
		if (r < 0)
			goto out;
		if (!root) {
			scalar.val = (char *)"";
			scalar.len = 0;
			root = &scalar;
		}
	} else
		root = &scalar;

	if (!has_idx) {
		r = apply_value(&x, k, root);
		goto out;
	}
	char ***sl = (char ***)((char *)c + k->off);
	size_t *sn = (size_t *)((char *)c + (k->off_n ? k->off_n : OFF(n_rules_files)));
	size_t n = k->type == V_STRLIST ? *sn : list_len(c, k);

	if (append)
		idx = n;
	if (idx > n) {
		aerr(&x, NULL, "use an index up to the list's length, or [] to append",
		     "index %zu out of range: '%s' has %zu entries", idx, k->path, n);
		r = -EINVAL;
		goto out;
	}
	if (k->type == V_STRLIST)
		r = strlist_set(&x, k, sl, sn, idx, root);
	else
		r = list_entry_set(&x, k, idx, root);
out:
	ydoc_done(&doc);
	if (x.r < 0)
		return x.r;
	return r < 0 ? -EINVAL : 0;
}

int osprey_config_check(const struct osprey_config *c, struct diag_list *diags)
{
	size_t before = diags->n_errors;

#define REQUIRE(cond, key, why)                                                                    \
	do {                                                                                       \
		if (cond &&                                                                        \
		    diag_add(diags, DIAG_ERROR, NULL, 0, 0, "set it, or disable the output",       \
			     "'%s' is required %s", key, why) < 0)                                 \
			return -ENOMEM;                                                            \
	} while (0)

	REQUIRE(c->out.file_output.enabled &&
			(!c->out.file_output.filename || !c->out.file_output.filename[0]),
		"file_output.filename", "when file_output is enabled");
	REQUIRE(c->out.program_output.enabled &&
			(!c->out.program_output.program || !c->out.program_output.program[0]),
		"program_output.program", "when program_output is enabled");
	REQUIRE(c->out.http_output.enabled &&
			(!c->out.http_output.url || !c->out.http_output.url[0]),
		"http_output.url", "when http_output is enabled");
#undef REQUIRE
	if (c->out.http_output.enabled && c->out.http_output.url && c->out.http_output.url[0] &&
	    strncmp(c->out.http_output.url, "http://", 7) != 0 &&
	    strncmp(c->out.http_output.url, "https://", 8) != 0 &&
	    diag_add(diags, DIAG_ERROR, NULL, 0, 0, "e.g. https://collector.example:2801/",
		     "http_output.url '%s' must start with http:// or https://",
		     c->out.http_output.url) < 0)
		return -ENOMEM;
	if (c->engine.kind == ENGINE_REPLAY &&
	    (!c->engine.replay.capture_file || !c->engine.replay.capture_file[0]) &&
	    diag_add(diags, DIAG_ERROR, NULL, 0, 0,
		     "set engine.replay.capture_file, or use -e FILE",
		     "engine.kind is replay but no capture file is given") < 0)
		return -ENOMEM;
	return diags->n_errors > before ? -EINVAL : 0;
}

/* The string members of struct outputs_config, owned by struct osprey_config. */
static const char **out_strings(struct osprey_config *c, size_t i)
{
	const char **tab[] = {
		&c->out.file_output.filename,	&c->out.program_output.program,
		&c->out.http_output.url,	&c->out.http_output.user_agent,
		&c->out.http_output.ca_cert,	&c->out.http_output.ca_bundle,
		&c->out.http_output.ca_path,	&c->out.http_output.client_cert,
		&c->out.http_output.client_key,
	};

	return i < ARRAY_SIZE(tab) ? tab[i] : NULL;
}

void osprey_config_init(struct osprey_config *c)
{
	const char **sp;

	*c = (struct osprey_config){
		.priority = PRIORITY_DEBUG,
		.rule_matching = RULE_MATCHING_FIRST,
		.engine =
			{
				.kind = ENGINE_MODERN_EBPF,
				.modern_ebpf = {.buf_size_preset = 4, .cpus_for_each_buffer = 1},
				.kmod = {.buf_size_preset = 4},
			},
		.log_level = LOG_INFO,
		.log_stderr = true,
		.watch_config_files = true,
	};
	outputs_config_init(&c->out);
	meta_config_init(&c->container);
	ops_config_init(&c->ops);
	c->driver_choice_file = strdup(CHOICE_DEFAULT_PATH);
	/* own every default string; strdup failing leaves NULL, which reads as "not set" */
	for (size_t i = 0; (sp = out_strings(c, i)); i++)
		if (*sp)
			*sp = strdup(*sp);
}

void osprey_config_done(struct osprey_config *c)
{
	const char **sp;

	strlist_clear(&c->rules_files, &c->n_rules_files);
	rulesel_clear(c);
	plugins_clear(c);
	strlist_clear(&c->load_plugins, &c->n_load_plugins);
	configfiles_clear(c);
	append_clear(c);
	for (size_t i = 0; (sp = out_strings(c, i)); i++)
		free((char *)*sp);
	free(c->engine.replay.capture_file);
	free(c->host_root);
	free(c->driver_choice_file);
	meta_config_done(&c->container);
	ops_config_done(&c->ops);
	*c = (struct osprey_config){};
}

uint64_t config_buf_size_preset_bytes(uint32_t preset)
{
	if (preset == 0 || preset > CONFIG_BUF_SIZE_PRESET_MAX)
		return 0;
	return (uint64_t)1 << (20 + preset - 1);
}

const char *config_engine_kind_name(enum config_engine_kind k)
{
	return k < _ENGINE_KIND_MAX ? engine_kinds[k] : "?";
}

const char *config_rule_matching_name(enum config_rule_matching m)
{
	return m < _RULE_MATCHING_MAX ? rule_matchings[m] : "?";
}

size_t config_rules_select(const struct osprey_config *c, struct ruleset *rs)
{
	size_t n_enabled = 0;

	for (size_t i = 0; i < rs->n_rules; i++) {
		struct rules_rule *rule = rs->rules[i];

		for (size_t j = 0; j < c->n_rules; j++) {
			const struct config_rule_selector *s = &c->rules[j];
			bool match = false;

			if (s->by_tag) {
				for (size_t t = 0; t < rule->n_tags && !match; t++)
					match = strcmp(rule->tags[t], s->name) == 0;
			} else
				match = fnmatch(s->name, rule->name, 0) == 0;
			if (match)
				rule->enabled = s->enable;
		}
		if (rule->priority > c->priority)
			rule->enabled = false;
		n_enabled += rule->enabled;
	}
	return n_enabled;
}
