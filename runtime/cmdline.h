/* SPDX-License-Identifier: Apache-2.0 */
/*
 * osprey's command line: one getopt_long table with Falco's flag names (-c, -r, -o, -V, -L, -l,
 * --list, -e, -M, -P, -U, --support, --dry-run...) and Osprey's own (--driver, --snaplen...).
 * cmdline_parse() fills struct cmdline_args and leaves every other decision to main.c.
 * The strings point into argv (not owned).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_LIST_MAX 256 /* -r, -o, -V, --enable-source... given on one command line */

struct cmdline_args {
	const char *config; /* -c */
	const char *rules[CMDLINE_LIST_MAX];
	size_t n_rules;
	const char *options[CMDLINE_LIST_MAX]; /* -o KEY=VALUE, in order */
	size_t n_options;
	const char *validate[CMDLINE_LIST_MAX];
	size_t n_validate;
	bool list_rules;	  /* -L */
	const char *describe_rule; /* -l RULE */
	bool list_fields;	  /* --list */
	const char *list_source;  /* --list SOURCE, or NULL */
	bool list_names_only;	  /* -N */
	bool markdown;		  /* --markdown */
	bool list_events;	  /* --list-events */
	bool dry_run;		  /* --dry-run */
	bool support;		  /* --support */
	bool unbuffered;	  /* -U */
	bool accept_damaged;	  /* --accept-damaged */
	const char *pidfile;	  /* -P */
	const char *enable_sources[CMDLINE_LIST_MAX];
	size_t n_enable_sources;
	const char *disable_sources[CMDLINE_LIST_MAX];
	size_t n_disable_sources;
	const char *replay; /* -e */
	uint64_t duration_usec;
	uint32_t snaplen;
	uint32_t buffer_bytes;
	uint32_t cpus_per_buffer;
	bool cpus_per_buffer_set;
	int driver; /* enum config_engine_kind, -1 = from the config */
	const char *host_root;
	const char *dev_dir;
	const char *driver_choice;
	int log_level; /* -1 = from the config */
	/* the whole command line, for --support */
	int argc;
	char **argv;
};

/*
 * Parses argv into *ret (zeroed first). --help and --version print and return 0; a bad option
 * is logged, naming itself, and returns -EINVAL; otherwise returns 1: go on.
 */
int cmdline_parse(int argc, char *argv[], const char *config_path, struct cmdline_args *ret);
