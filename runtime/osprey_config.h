/* SPDX-License-Identifier: Apache-2.0 */
/*
 * osprey.yaml: the daemon's configuration, read with libyaml into a typed struct.
 *
 * Key names are Falco's (falco.yaml) wherever the feature is the same, so a user's falco.yaml
 * loads: keys of Falco features Osprey does not implement yet (plugins, grpc, webserver,
 * metrics...) are accepted with a warning that names them; any other unknown key, a value of the
 * wrong type, out of range or not one of the allowed words is an error naming the file, line,
 * column, key and what is expected. Nothing is started before the whole configuration is valid.
 *
 * The outputs part of the configuration is the outputs module's own struct outputs_config, so
 * that its defaults (outputs_config_init) are the configuration's defaults.
 *
 * Use:
 *
 *	struct osprey_config c;
 *	osprey_config_init(&c);                          built-in defaults
 *	osprey_config_load_file(&c, "osprey.yaml", &d);  keys present in the file replace defaults
 *	osprey_config_set_option(&c, "engine.kind=kmod", &d);   one call per -o, after the file
 *	...
 *	osprey_config_done(&c);
 *
 * Errors and warnings go to a diag list (see engine/diag.h); a function returns -EINVAL when it
 * added an error. (The file is osprey_config.h, not config.h: meson generates a config.h with
 * OSPREY_VERSION at the build root and a runtime/config.h would shadow it for runtime/ sources.)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "meta.h"
#include "ops/ops_config.h"
#include "outputs.h"
#include "rules_append.h"
#include "ruleset.h"

#define CONFIG_FILE_MAX		   (1u << 20) /* bytes in one configuration file */
#define CONFIG_YAML_NODES_MAX	   100000
#define CONFIG_YAML_DEPTH_MAX	   32
#define CONFIG_RULES_FILES_MAX	   RULES_FILES_MAX /* entries of rules_files */
#define CONFIG_RULE_SELECTORS_MAX  4096		   /* entries of rules: (enable/disable) */
#define CONFIG_OPTION_MAX	   4096		   /* bytes in one -o key=value */
#define CONFIG_BUF_SIZE_PRESET_MAX 10
#define CONFIG_PLUGINS_MAX	   16 /* entries of plugins: and load_plugins: */

/* One entry of Falco's "plugins:" (Osprey loads no plugin; it implements k8saudit and json). */
struct config_plugin {
	char *name;	    /* owned, "k8saudit" */
	char *library_path; /* owned, kept for messages */
	char *init_config;  /* owned; a mapping is kept as "" (no key of it is read yet) */
	char *open_params;  /* owned, "" when not set: a file path or http(s)://[host]:port/path */
	char *ssl_certificate; /* owned or NULL: a mapping init_config's sslCertificate */
};
#define CONFIG_FILES_MAX	   64   /* entries of config_files */
#define CONFIG_INCLUDED_FILES_MAX  256  /* files config_files expands to, directories read */

enum config_engine_kind {
	ENGINE_MODERN_EBPF, /* the embedded CO-RE eBPF probe */
	ENGINE_KMOD,	    /* the osprey kernel module */
	ENGINE_REPLAY,	    /* a capture file written by osprey capture -w */
	ENGINE_NODRIVER,    /* no driver, no syscalls: other sources only (k8s_audit) */
	_ENGINE_KIND_MAX,
};

enum config_rule_matching {
	RULE_MATCHING_FIRST, /* an event raises at most one alert: the first matching rule's */
	RULE_MATCHING_ALL,   /* every matching rule raises an alert */
	_RULE_MATCHING_MAX,
};

/* How a config_files file merges into what was loaded before it (Falco's strategies). */
enum config_merge {
	CONFIG_MERGE_APPEND,   /* lists are appended to, other keys replaced (the default) */
	CONFIG_MERGE_OVERRIDE, /* every key it sets is replaced, lists too */
	CONFIG_MERGE_ADD_ONLY, /* only keys no file set before are taken */
	_CONFIG_MERGE_MAX,
};

/* One entry of config_files: a file or a directory (its .yaml and .yml files in name order). */
struct config_file_entry {
	char *path; /* owned */
	enum config_merge strategy;
};

/* One entry of "rules:": enable or disable the rules with a name, or with a tag. */
struct config_rule_selector {
	bool enable; /* enable: (true) or disable: (false) */
	bool by_tag; /* tag: (true) or rule: (false) */
	char *name;  /* owned; the rule name or the tag; for rule:, '*' wildcards as in Falco */
};

/*
 * The whole configuration. Strings are owned (free with osprey_config_done()); a string that is
 * not set is "" or NULL as documented per field. Defaults (osprey_config_init) in brackets.
 */
struct osprey_config {
	/* rules_files (or the older rules_file): files or directories, in load order [none] */
	char **rules_files;
	size_t n_rules_files;

	/*
	 * Everything the alert outputs read: json_output, json_include_*_property,
	 * time_format_iso_8601, stdout_output, file_output, syslog_output, program_output,
	 * http_output, outputs {rate, max_burst}, outputs_queue (see outputs/outputs.h for each
	 * member and its default, set by outputs_config_init()). Its strings are owned here
	 * (osprey_config_done() frees them); hand &c->out to outputs_new() as it is.
	 */
	struct outputs_config out;
	enum rules_priority priority;		 /* minimum priority of a loaded rule [debug] */
	enum config_rule_matching rule_matching; /* [first] */
	bool buffered_outputs;			 /* full buffering of output streams [false] */

	struct {
		enum config_engine_kind kind; /* [modern_ebpf] */
		bool kind_set; /* engine.kind was given (file or -o): the driver choice file is not read */
		struct {
			uint32_t buf_size_preset; /* 0..10, see config_buf_size_preset_bytes [4] */
			uint32_t cpus_for_each_buffer; /* 0 = one buffer for all CPUs [1] */
		} modern_ebpf;
		struct {
			uint32_t buf_size_preset; /* [4] */
		} kmod;
		struct {
			char *capture_file; /* [NULL] required when kind is replay */
		} replay;
	} engine;

	int log_level;	 /* LOG_ERR..LOG_DEBUG (syslog.h) [LOG_INFO] */
	bool log_stderr; /* [true] */
	bool log_syslog; /* [false]; accepted and kept, the logger writes to stderr only for now */

	/* rules: enable/disable selectors, applied in order after loading the rules [none] */
	struct config_rule_selector *rules;
	size_t n_rules;

	/* plugins, load_plugins: Falco's plugin configuration [none]. -o plugins[N].KEY=VALUE sets
	 * one key of entry N (N up to the length: appends). */
	struct config_plugin *plugins;
	size_t n_plugins;
	char **load_plugins;
	size_t n_load_plugins;
	/* config_files: further files merged after this one, in order [none] */
	struct config_file_entry *config_files;
	size_t n_config_files;
	bool watch_config_files; /* reload when the config or rules files change [true] */
	uint64_t keys_set[4];	 /* private: which keys a file or -o set (add-only merges) */

	/* append_output: text and output_fields added to the matching rules (rules_append.h)
	 * [none]. -o append_output[N].extra_output=TEXT sets one key of entry N. */
	struct rules_append *append_output;
	size_t n_append_output;

	/* Osprey's own */
	char *host_root;  /* the host's / when running in a container [NULL: $HOST_ROOT or /] */
	uint32_t snaplen; /* bound for argument lists and buffers; 0 = the driver's default [0] */
	/*
	 * The file osprey-driver-loader writes its choice to (shared/choice.h), read at start when
	 * neither engine.kind nor --driver chose the driver; a plain path, not under host_root
	 * [/var/run/osprey/driver]
	 */
	char *driver_choice_file;

	/* container: metadata sources, Falco's container plugin keys (meta.h, meta_config_init) */
	struct meta_config container;

	/* webserver, metrics, syscall_event_drops, watchdog, recovery (ops/ops_config.h) */
	struct ops_config ops;
};

void osprey_config_init(struct osprey_config *c);
void osprey_config_done(struct osprey_config *c);

/*
 * Reads path and applies every key it sets over *c. A missing or unreadable file, bad YAML, an
 * unknown key or a bad value adds an error (file:line:col) and returns -EINVAL (c may then be
 * partly updated: do not start); Falco keys Osprey does not support add warnings.
 */
int osprey_config_load_file(struct osprey_config *c, const char *path, struct diag_list *diags);
/*
 * Loads the files c->config_files names (after the main file, before -o), as Falco does: each
 * entry a file or a directory (its *.yaml and *.yml files in name order), merged with the entry's
 * strategy. An included file cannot include further files (its config_files is ignored with a
 * warning); an entry that does not exist is skipped with a warning. -EINVAL with diagnostics.
 */
int osprey_config_load_includes(struct osprey_config *c, struct diag_list *diags);

/* Same, from memory; name is used in diagnostics. */
int osprey_config_load_buffer(struct osprey_config *c, const char *name, const char *buf,
			      size_t len, struct diag_list *diags);

/*
 * Applies one "-o key=value" as Falco does: key is a dotted path (engine.kind,
 * file_output.filename), list entries are addressed with [N] (rules_files[0]=/a; N equal to the
 * list's length appends) or [] (append); value is read as YAML, so "-o rules_files=[/a,/b]" and
 * "-o 'rules=[{disable: {tag: network}}]'" work. -EINVAL with a diagnostic on a bad option.
 */
int osprey_config_set_option(struct osprey_config *c, const char *option, struct diag_list *diags);

/* Checks what needs several keys (e.g. file_output.filename when file_output is enabled). */
int osprey_config_check(const struct osprey_config *c, struct diag_list *diags);

/*
 * Ring buffer bytes for a Falco buf_size_preset: 1 = 1 MiB, 2 = 2 MiB, 3 = 4 MiB, 4 = 8 MiB ...
 * 10 = 512 MiB; 0 returns 0 (the driver's default, 8 MiB).
 */
uint64_t config_buf_size_preset_bytes(uint32_t preset);

/* The plugins: entry named name that load_plugins loads (all entries when load_plugins is not
 * set, as in Falco), or NULL. */
const struct config_plugin *config_plugin_loaded(const struct osprey_config *c, const char *name);

const char *config_engine_kind_name(enum config_engine_kind k);
const char *config_rule_matching_name(enum config_rule_matching m);

/*
 * Applies the rules: selectors (in order; rule names may use '*' wildcards, as in Falco) then the
 * minimum priority (rules less severe than c->priority are disabled) to a loaded ruleset. Call
 * before ruleset_compile() so the interest set follows. Returns how many rules are enabled.
 */
size_t config_rules_select(const struct osprey_config *c, struct ruleset *rs);
