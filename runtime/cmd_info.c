// SPDX-License-Identifier: Apache-2.0
/*
 * osprey -L, -l, --list, --list-events, --support (cmd_info.h). The JSON shapes follow Falco's:
 * -L/-l with json_output print {"required_engine_version", "required_plugin_versions", "lists",
 * "macros", "rules": [{"info": {...}}]}; --support prints {"version", "engine_info",
 * "system_info", "cmdline", "config", "rules_files": [{"name", "variants": [{"content"}]}]},
 * with each rules file's sha256 added.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmd_info.h"
#include "config.h"
#include "event.h"
#include "fields.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "osprey_schema.h"
#include "sources.h"

#define INFO_CONFIG_MAX (1u << 20) /* bytes of the configuration file quoted by --support */

static void json_freep(struct json_object **j)
{
	json_object_put(*j);
}

/* Adds v under key; json-c's object_add steals the reference to v. */
static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void json_print(FILE *f, struct json_object *j)
{
	fprintf(f, "%s\n",
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The description on one line: runs of white space become one space. */
static void print_flat(FILE *f, const char *s)
{
	bool space = false;

	for (; s && *s; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			space = true;
			continue;
		}
		if (space)
			fputc(' ', f);
		space = false;
		fputc(*s, f);
	}
}

static struct json_object *rule_json(const struct rules_rule *r)
{
	struct json_object *info = json_object_new_object(), *tags = json_object_new_array();
	struct json_object *o = json_object_new_object();

	jadd(info, "name", json_object_new_string(r->name));
	jadd(info, "condition", json_object_new_string(r->cond ? r->cond->text : ""));
	jadd(info, "output", json_object_new_string(r->output ? r->output : ""));
	jadd(info, "description", json_object_new_string(r->desc ? r->desc : ""));
	jadd(info, "priority", json_object_new_string(rules_priority_name(r->priority)));
	jadd(info, "source", json_object_new_string(r->source ? r->source : "syscall"));
	jadd(info, "enabled", json_object_new_boolean(r->enabled));
	for (size_t i = 0; i < r->n_tags; i++)
		json_object_array_add(tags, json_object_new_string(r->tags[i]));
	jadd(info, "tags", tags);
	jadd(o, "info", info);
	return o;
}

/* Falco's rules document; rule = NULL for every rule. */
static struct json_object *rules_json(const struct ruleset *rs, const struct rules_rule *rule)
{
	struct json_object *o = json_object_new_object(), *lists = json_object_new_array();
	struct json_object *macros = json_object_new_array(), *rules = json_object_new_array();

	jadd(o, "required_engine_version", json_object_new_string(RULES_ENGINE_VERSION));
	jadd(o, "required_plugin_versions", json_object_new_array());
	if (!rule) {
		for (size_t i = 0; i < rs->n_lists; i++) {
			struct json_object *l = json_object_new_object();
			struct json_object *info = json_object_new_object();
			struct json_object *items = json_object_new_array();

			jadd(info, "name", json_object_new_string(rs->lists[i]->name));
			for (size_t k = 0; k < rs->lists[i]->n_items; k++)
				json_object_array_add(items,
						      json_object_new_string(rs->lists[i]->items[k]));
			jadd(info, "items", items);
			jadd(l, "info", info);
			json_object_array_add(lists, l);
		}
		for (size_t i = 0; i < rs->n_macros; i++) {
			struct json_object *m = json_object_new_object();
			struct json_object *info = json_object_new_object();
			const struct rules_macro *mac = rs->macros[i];

			jadd(info, "name", json_object_new_string(mac->name));
			jadd(info, "condition",
			     json_object_new_string(mac->cond ? mac->cond->text : ""));
			jadd(m, "info", info);
			json_object_array_add(macros, m);
		}
		for (size_t i = 0; i < rs->n_rules; i++)
			json_object_array_add(rules, rule_json(rs->rules[i]));
	} else
		json_object_array_add(rules, rule_json(rule));
	jadd(o, "lists", lists);
	jadd(o, "macros", macros);
	jadd(o, "rules", rules);
	return o;
}

void info_rules_print(FILE *f, const struct ruleset *rs, bool json)
{
	if (json) {
		_cleanup_(json_freep) struct json_object *j = rules_json(rs, NULL);

		json_print(f, j);
		return;
	}
	fprintf(f, "%-60s %-13s %s\n", "Rule", "Priority", "Description");
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *r = rs->rules[i];

		fprintf(f, "%-60s %-13s ", r->name, rules_priority_name(r->priority));
		print_flat(f, r->desc);
		if (!r->enabled)
			fputs(" [disabled]", f);
		fputc('\n', f);
	}
}

int info_rule_describe(FILE *f, const struct ruleset *rs, const char *name, bool json)
{
	const struct rules_rule *r = NULL;

	for (size_t i = 0; i < rs->n_rules && !r; i++)
		if (strcmp(rs->rules[i]->name, name) == 0)
			r = rs->rules[i];
	if (!r)
		return -ENOENT;
	if (json) {
		_cleanup_(json_freep) struct json_object *j = rules_json(rs, r);

		json_print(f, j);
		return 0;
	}
	fprintf(f, "Rule: %s\nPriority: %s\nSource: %s\nEnabled: %s\nTags:", r->name,
		rules_priority_name(r->priority), r->source ? r->source : "syscall",
		r->enabled ? "true" : "false");
	for (size_t i = 0; i < r->n_tags; i++)
		fprintf(f, "%s%s", i ? ", " : " ", r->tags[i]);
	fputs("\nDescription: ", f);
	print_flat(f, r->desc);
	fputs("\nCondition: ", f);
	print_flat(f, r->cond ? r->cond->text : "");
	fputs("\nOutput: ", f);
	print_flat(f, r->output);
	fputc('\n', f);
	return 0;
}

static void fields_print(FILE *f, const struct field_source *src, bool names_only, bool markdown,
			 bool verbose)
{
	const char *last = NULL;

	if (!names_only && !markdown) {
		fields_list_print_source(f, src, verbose);
		return;
	}
	for (size_t i = 0; i < src->n_fields; i++) {
		const struct field_info *fi = &src->fields[i];
		const char *desc, *cls = field_source_class_of(src, fi, &desc);

		if (!field_is_supported(fi))
			continue; /* refused at load time: not listed (docs/rules.md) */
		if (names_only) {
			fprintf(f, "%s\n", fi->name);
			continue;
		}
		if (!last || strcmp(cls, last) != 0) {
			fprintf(f, "%s## Field Class: %s\n\nEvent Sources: %s\n\n"
				   "Name | Type | Description\n:----|:-----|:-----------\n",
				last ? "\n" : "", cls, src->name);
			last = cls;
		}
		fprintf(f, "`%s%s` | %s%s | %s\n", fi->name, field_arg_suffix(fi->arg),
			field_type_name(fi->type), fi->flags & FF_LIST ? " (list)" : "", fi->desc);
	}
}

int info_fields_print(FILE *f, const char *source, bool names_only, bool markdown, bool verbose)
{
	const struct event_source *only = source ? sources_find(source) : NULL;
	bool first = true;

	if (source && !only)
		return -ENOENT;
	for (size_t i = 0; i < sources_count(); i++) {
		const struct event_source *es = sources_get(i);

		if (only && es != only)
			continue;
		if (!first && !names_only)
			fputc('\n', f);
		fields_print(f, es->fields(), names_only, markdown, verbose);
		first = false;
	}
	return 0;
}

static const char *param_type_name(uint8_t t)
{
	static const char *const names[OSP_PT_TYPE_COUNT] = {
		[OSP_PT_NONE] = "none",		 [OSP_PT_INT8] = "int8",
		[OSP_PT_INT16] = "int16",	 [OSP_PT_INT32] = "int32",
		[OSP_PT_INT64] = "int64",	 [OSP_PT_UINT8] = "uint8",
		[OSP_PT_UINT16] = "uint16",	 [OSP_PT_UINT32] = "uint32",
		[OSP_PT_UINT64] = "uint64",	 [OSP_PT_ERRNO] = "errno",
		[OSP_PT_FD] = "fd",		 [OSP_PT_DIRFD] = "dirfd",
		[OSP_PT_PID] = "pid",		 [OSP_PT_UID] = "uid",
		[OSP_PT_GID] = "gid",		 [OSP_PT_MODE] = "mode",
		[OSP_PT_FLAGS32] = "flags32",	 [OSP_PT_FLAGS64] = "flags64",
		[OSP_PT_ENUM32] = "enum32",	 [OSP_PT_SIGNAL] = "signo",
		[OSP_PT_CAPS] = "caps",		 [OSP_PT_DEV] = "dev",
		[OSP_PT_ABSTIME] = "abstime",	 [OSP_PT_CHARBUF] = "charbuf",
		[OSP_PT_PATH] = "fspath",	 [OSP_PT_FSRELPATH] = "fsrelpath",
		[OSP_PT_BYTEBUF] = "bytebuf",	 [OSP_PT_CHARBUF_ARRAY] = "charbuf_array",
		[OSP_PT_SOCKADDR] = "sockaddr",	 [OSP_PT_SOCKTUPLE] = "socktuple",
	};

	return t < OSP_PT_TYPE_COUNT && names[t] ? names[t] : "unknown";
}

void info_events_print(FILE *f, bool markdown)
{
	if (markdown)
		fprintf(f, "Osprey | Dir | Event\n:------|:----|:-----\n");
	for (unsigned t = 0; t < OSP_EVT_COUNT; t++) {
		const struct osp_event_info *e = event_info((uint16_t)t);

		if (!e || !e->name[0] || e->category == OSP_CAT_STATE)
			continue; /* the /proc snapshot's records are Osprey's own, not events */
		/* events are emitted at a syscall's exit, or once per process event: '<' */
		if (markdown)
			fprintf(f, "Yes | < | **%s**(", e->name);
		else
			fprintf(f, "< %s(", e->name);
		for (unsigned k = 0; k < e->nparams && k < OSP_MAX_PARAMS; k++)
			fprintf(f, "%s%s %s", k ? ", " : "", param_type_name(e->params[k].type),
				e->params[k].name);
		fputs(")\n", f);
	}
}

/* The sha256 of buf as 64 hex digits. */
static int sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Reads a whole file of at most max bytes; caller owns *ret (NUL-terminated). */
static int read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	n = read_full(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	*ret_len = (size_t)n;
	*ret = TAKE_PTR(buf);
	return 0;
}

int info_support_print(FILE *f, const struct info_support *s)
{
	_cleanup_(json_freep) struct json_object *o = json_object_new_object();
	struct json_object *sys = json_object_new_object(), *eng = json_object_new_object();
	struct json_object *files = json_object_new_array();
	_cleanup_free_ char *config = NULL, *cmdline = NULL;
	size_t config_len = 0, cmdline_len = 0;
	struct utsname u;
	char ver[64];
	FILE *m;
	int r;

	if (uname(&u) < 0)
		return log_error_errno(-errno, "Cannot read the system's name (uname): %m");
	jadd(o, "version", json_object_new_string(OSPREY_VERSION));
	jadd(eng, "engine_version", json_object_new_string(RULES_ENGINE_VERSION));
	snprintf(ver, sizeof(ver), "%u.%u.%u", OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR,
		 OSP_API_VERSION_PATCH);
	jadd(eng, "driver_api_version", json_object_new_string(ver));
	snprintf(ver, sizeof(ver), "%u.%u.%u", OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,
		 OSP_SCHEMA_VERSION_PATCH);
	jadd(eng, "driver_schema_version", json_object_new_string(ver));
	jadd(o, "engine_info", eng);
	jadd(sys, "sysname", json_object_new_string(u.sysname));
	jadd(sys, "nodename", json_object_new_string(u.nodename));
	jadd(sys, "release", json_object_new_string(u.release));
	jadd(sys, "version", json_object_new_string(u.version));
	jadd(sys, "machine", json_object_new_string(u.machine));
	jadd(o, "system_info", sys);

	m = open_memstream(&cmdline, &cmdline_len);
	if (!m)
		return log_error_errno(-ENOMEM, "Out of memory.");
	for (int i = 0; i < s->argc; i++)
		fprintf(m, "%s%s", i ? " " : "", s->argv[i]);
	fclose(m);
	jadd(o, "cmdline", json_object_new_string(cmdline ? cmdline : ""));

	if (s->config_path) {
		r = read_file(s->config_path, INFO_CONFIG_MAX, &config, &config_len);
		if (r < 0)
			return log_error_errno(r, "Cannot read the configuration file '%s': %m",
					       s->config_path);
	}
	jadd(o, "config_file", s->config_path ? json_object_new_string(s->config_path) : NULL);
	jadd(o, "config", json_object_new_string_len(config ? config : "", (int)config_len));

	jadd(o, "rules_files", files);
	for (size_t i = 0; i < s->n_rules_files; i++) {
		_cleanup_free_ char *buf = NULL;
		struct json_object *fo, *variants, *v;
		char hex[65];
		size_t len = 0;

		r = read_file(s->rules_files[i], RULES_FILE_MAX, &buf, &len);
		if (r < 0)
			return log_error_errno(r, "Cannot read the rules file '%s': %m",
					       s->rules_files[i]);
		if (sha256_hex(buf, len, hex) < 0)
			return log_error_errno(-EIO, "Cannot compute a sha256 (OpenSSL failed).");
		fo = json_object_new_object();
		variants = json_object_new_array();
		v = json_object_new_object();
		jadd(fo, "name", json_object_new_string(s->rules_files[i]));
		jadd(fo, "sha256", json_object_new_string(hex));
		jadd(fo, "size", json_object_new_int64((int64_t)len));
		jadd(v, "content", json_object_new_string_len(buf, (int)len));
		json_object_array_add(variants, v);
		jadd(fo, "variants", variants);
		json_object_array_add(files, fo);
	}
	json_print(f, o);
	return 0;
}
