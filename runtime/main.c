// SPDX-License-Identifier: Apache-2.0
/*
 * osprey: the runtime. Reads osprey.yaml (-c, -o), loads and compiles the rules (-r or
 * rules_files), then attaches to the event source (the eBPF probe, the kernel module, or a
 * capture file with -e) and runs every event through the state and the rules (detect.h), the
 * alerts going to the configured outputs. -V validates rule files, -L lists the loaded rules,
 * --list the fields. "osprey capture" records and replays capture files.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "choice.h"
#include "cmd_capture.h"
#include "config.h"
#include "detect.h"
#include "fields.h"
#include "k8saudit.h"
#include "k8saudit_run.h"
#include "log.h"
#include "osprey_config.h"
#include "parse.h"
#include "ruleset.h"

#ifndef OSPREY_CONFIG_PATH
#define OSPREY_CONFIG_PATH "/etc/osprey/osprey.yaml"
#endif

#define ARG_LIST_MAX 256 /* -r, -o, -V given on one command line */

static const char *arg_config;
static const char *arg_rules[ARG_LIST_MAX];
static size_t arg_n_rules;
static const char *arg_options[ARG_LIST_MAX];
static size_t arg_n_options;
static const char *arg_validate[ARG_LIST_MAX];
static size_t arg_n_validate;
static bool arg_list_rules;
static bool arg_list_fields;
static const char *arg_list_source;
static const char *arg_replay;
static uint64_t arg_duration_usec;
static uint32_t arg_snaplen;
static uint32_t arg_buffer_bytes;
static uint32_t arg_cpus_per_buffer;
static bool arg_cpus_per_buffer_set;
static int arg_driver = -1; /* enum config_engine_kind, -1 = from the config */
static const char *arg_host_root;
static const char *arg_dev_dir;
static const char *arg_driver_choice;
static int arg_log_level = -1; /* -1 = from the config */
static const char *arg_enable_sources[ARG_LIST_MAX];
static size_t arg_n_enable_sources;
static const char *arg_disable_sources[ARG_LIST_MAX];
static size_t arg_n_disable_sources;

static void help(void)
{
	printf("Usage: osprey [OPTIONS]\n"
	       "       osprey capture [OPTIONS]   (osprey capture --help)\n\n"
	       "Runtime security for Linux: watches system calls through the eBPF probe or the\n"
	       "kernel module, evaluates Falco-compatible rules and sends alerts to the\n"
	       "configured outputs (stdout, file, syslog, a program, HTTP).\n\n"
	       "Options (Falco's names):\n"
	       "  -c FILE                    configuration file (default: %s if it exists)\n"
	       "  -r FILE|DIR                rules file, or a directory of *.yaml files loaded in\n"
	       "                             name order; repeatable; replaces rules_files\n"
	       "  -o, --option=KEY=VALUE     set a configuration key, e.g. -o json_output=true,\n"
	       "                             -o engine.kind=kmod, -o rules_files[0]=/a.yaml,\n"
	       "                             -o rules_files[]=/more.yaml; repeatable\n"
	       "  -V, --validate=FILE|DIR    validate rules files (repeatable) and exit\n"
	       "  -L                         list the loaded rules (name, priority, description)\n"
	       "      --list[=SOURCE]        list the fields (SOURCE: syscall, k8s_audit) and exit\n"
	       "  -e FILE                    replay a capture file (osprey capture -w) instead of\n"
	       "                             live events (engine.kind=replay)\n"
	       "  -M, --duration=SECONDS     stop after SECONDS\n"
	       "      --enable-source=SOURCE run only these sources (syscall, k8s_audit); repeatable\n"
	       "      --disable-source=SOURCE do not run SOURCE; repeatable\n"
	       "      --version              print the version and exit\n"
	       "  -h, --help                 print this help and exit\n\n"
	       "Osprey's own options (they override the configuration):\n"
	       "      --driver=ebpf|kmod     event source (default: the driver choice file, else\n"
	       "                             ebpf, the embedded probe)\n"
	       "      --driver-choice=FILE   osprey-driver-loader's choice, read when neither\n"
	       "                             --driver nor engine.kind is given (default:\n"
	       "                             driver_choice_file, %s)\n"
	       "      --dev-dir=DIR          where the kernel module's devices are (default: "
	       "/dev)\n"
	       "      --snaplen=BYTES        bound for argument lists and buffers (default: %u)\n"
	       "      --buffer-size=SIZE     bytes per ring buffer, power of two (default: 8M)\n"
	       "      --cpus-per-buffer=N    CPUs sharing one ring buffer (default: 1)\n"
	       "      --host-root=DIR        the host's / when running in a container\n"
	       "                             (default: $HOST_ROOT or /)\n"
	       "      --log-level=LEVEL      error, warning, info or debug (default: info)\n"
	       "      --log-format=text|json diagnostics format on stderr\n"
	       "  -v, --verbose              same as --log-level=debug\n",
	       OSPREY_CONFIG_PATH, CHOICE_DEFAULT_PATH, OSP_SNAPLEN_DEFAULT);
}

static int parse_u32_option(const char *name, const char *value, uint32_t *ret)
{
	int r = safe_atou32(value, ret);

	if (r < 0)
		return log_error_errno(r, "Invalid %s '%s': expected a whole number.", name, value);
	return 0;
}

static int push_arg(const char **list, size_t *n, const char *opt, const char *value)
{
	if (*n >= ARG_LIST_MAX)
		return log_error_errno(-E2BIG, "Too many %s options (at most %d).", opt,
				       ARG_LIST_MAX);
	list[(*n)++] = value;
	return 0;
}

static int parse_argv(int argc, char *argv[])
{
	enum {
		ARG_DRIVER = 0x100,
		ARG_DEV_DIR,
		ARG_DRIVER_CHOICE,
		ARG_SNAPLEN,
		ARG_BUFFER_SIZE,
		ARG_CPUS_PER_BUFFER,
		ARG_HOST_ROOT,
		ARG_LOG_LEVEL,
		ARG_LOG_FORMAT,
		ARG_VERSION,
		ARG_LIST,
		ARG_ENABLE_SOURCE,
		ARG_DISABLE_SOURCE,
	};
	static const struct option options[] = {
		{"option", required_argument, NULL, 'o'},
		{"validate", required_argument, NULL, 'V'},
		{"list", optional_argument, NULL, ARG_LIST},
		{"duration", required_argument, NULL, 'M'},
		{"enable-source", required_argument, NULL, ARG_ENABLE_SOURCE},
		{"disable-source", required_argument, NULL, ARG_DISABLE_SOURCE},
		{"driver", required_argument, NULL, ARG_DRIVER},
		{"dev-dir", required_argument, NULL, ARG_DEV_DIR},
		{"driver-choice", required_argument, NULL, ARG_DRIVER_CHOICE},
		{"snaplen", required_argument, NULL, ARG_SNAPLEN},
		{"buffer-size", required_argument, NULL, ARG_BUFFER_SIZE},
		{"cpus-per-buffer", required_argument, NULL, ARG_CPUS_PER_BUFFER},
		{"host-root", required_argument, NULL, ARG_HOST_ROOT},
		{"log-level", required_argument, NULL, ARG_LOG_LEVEL},
		{"log-format", required_argument, NULL, ARG_LOG_FORMAT},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, ARG_VERSION},
		{"help", no_argument, NULL, 'h'},
		{}};
	uint64_t size;
	uint32_t seconds;
	int c, r;

	while ((c = getopt_long(argc, argv, "+c:r:o:V:Le:M:vh", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			arg_config = optarg;
			break;
		case 'r':
			r = push_arg(arg_rules, &arg_n_rules, "-r", optarg);
			if (r < 0)
				return r;
			break;
		case 'o':
			r = push_arg(arg_options, &arg_n_options, "-o", optarg);
			if (r < 0)
				return r;
			break;
		case 'V':
			r = push_arg(arg_validate, &arg_n_validate, "-V", optarg);
			if (r < 0)
				return r;
			break;
		case 'L':
			arg_list_rules = true;
			break;
		case ARG_LIST:
			arg_list_fields = true;
			/* Falco's "--list syscall": take a following word as the source */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			arg_list_source = optarg;
			break;
		case 'e':
			arg_replay = optarg;
			break;
		case ARG_ENABLE_SOURCE:
		case ARG_DISABLE_SOURCE:
			if (strcmp(optarg, "syscall") != 0 && strcmp(optarg, K8SAUDIT_SOURCE) != 0)
				return log_error_errno(-EINVAL,
						       "Unknown event source '%s': use syscall or "
						       "k8s_audit.",
						       optarg);
			r = c == ARG_ENABLE_SOURCE
				    ? push_arg(arg_enable_sources, &arg_n_enable_sources,
					       "--enable-source", optarg)
				    : push_arg(arg_disable_sources, &arg_n_disable_sources,
					       "--disable-source", optarg);
			if (r < 0)
				return r;
			break;
		case 'M':
			r = parse_u32_option("duration", optarg, &seconds);
			if (r < 0)
				return r;
			arg_duration_usec = (uint64_t)seconds * 1000000u;
			break;
		case ARG_DRIVER:
			if (strcmp(optarg, "ebpf") == 0 || strcmp(optarg, "modern_ebpf") == 0)
				arg_driver = ENGINE_MODERN_EBPF;
			else if (strcmp(optarg, "kmod") == 0)
				arg_driver = ENGINE_KMOD;
			else
				return log_error_errno(
					-EINVAL, "Unknown driver '%s': use ebpf or kmod.", optarg);
			break;
		case ARG_DEV_DIR:
			arg_dev_dir = optarg;
			break;
		case ARG_DRIVER_CHOICE:
			arg_driver_choice = optarg;
			break;
		case ARG_SNAPLEN:
			r = parse_u32_option("snaplen", optarg, &arg_snaplen);
			if (r < 0)
				return r;
			if (arg_snaplen == 0 || arg_snaplen > OSP_SNAPLEN_MAX)
				return log_error_errno(-ERANGE,
						       "Invalid snaplen %u: it must be between 1 "
						       "and %u.",
						       arg_snaplen, OSP_SNAPLEN_MAX);
			break;
		case ARG_BUFFER_SIZE:
			r = parse_size(optarg, &size);
			if (r < 0 || size > CAPTURE_BUFFER_MAX)
				return log_error_errno(r < 0 ? r : -ERANGE,
						       "Invalid buffer size '%s': "
						       "use bytes or a suffix, e.g. 8M.",
						       optarg);
			arg_buffer_bytes = (uint32_t)size;
			break;
		case ARG_CPUS_PER_BUFFER:
			r = parse_u32_option("cpus-per-buffer", optarg, &arg_cpus_per_buffer);
			if (r < 0)
				return r;
			arg_cpus_per_buffer_set = true;
			break;
		case ARG_HOST_ROOT:
			arg_host_root = optarg;
			break;
		case ARG_LOG_LEVEL:
			r = log_level_from_string(optarg);
			if (r < 0)
				return log_error_errno(
					r,
					"Unknown log level '%s': use error, warning, "
					"info or debug.",
					optarg);
			arg_log_level = r;
			log_set_max_level(r);
			break;
		case ARG_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				log_set_format(LOG_FORMAT_JSON);
			else if (strcmp(optarg, "text") == 0)
				log_set_format(LOG_FORMAT_TEXT);
			else
				return log_error_errno(-EINVAL,
						       "Unknown log format '%s': use text or "
						       "json.",
						       optarg);
			break;
		case 'v':
			arg_log_level = LOG_DEBUG;
			log_set_max_level(LOG_DEBUG);
			break;
		case ARG_VERSION:
			printf("osprey %s (driver API %u.%u.%u, schema %u.%u.%u, rules engine "
			       "%s)\n",
			       OSPREY_VERSION, OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR,
			       OSP_API_VERSION_PATCH, OSP_SCHEMA_VERSION_MAJOR,
			       OSP_SCHEMA_VERSION_MINOR, OSP_SCHEMA_VERSION_PATCH,
			       RULES_ENGINE_VERSION);
			return 0;
		case 'h':
			help();
			return 0;
		default:
			/* getopt_long already printed "unrecognized option" naming it */
			return log_error_errno(-EINVAL, "See osprey --help for the options.");
		}
	}
	if (optind < argc)
		return log_error_errno(-EINVAL, "Unexpected argument '%s' (see osprey --help).",
				       argv[optind]);
	return 1;
}

/* A growable, bounded list of rule file paths (owned). */
struct path_list {
	char **paths;
	size_t n;
};

static void path_list_done(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	*l = (struct path_list){};
}

static int path_list_add(struct path_list *l, const char *dir, const char *name)
{
	char **n;
	char *p;

	if (l->n >= RULES_FILES_MAX)
		return log_error_errno(-E2BIG, "Too many rules files (at most %u).",
				       RULES_FILES_MAX);
	if (dir) {
		if (asprintf(&p, "%s/%s", dir, name) < 0)
			return log_error_errno(-ENOMEM, "Out of memory.");
	} else {
		p = strdup(name);
		if (!p)
			return log_error_errno(-ENOMEM, "Out of memory.");
	}
	n = realloc(l->paths, (l->n + 1) * sizeof(char *));
	if (!n) {
		free(p);
		return log_error_errno(-ENOMEM, "Out of memory.");
	}
	l->paths = n;
	l->paths[l->n++] = p;
	return 0;
}

static int yaml_file_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	if (de->d_name[0] == '.')
		return 0;
	return (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Adds path, or the .yaml and .yml regular files of directory path in name order. */
static int rules_path_expand(struct path_list *l, const char *path)
{
	struct dirent **ents = NULL;
	struct stat st;
	int n, r = 0;

	if (stat(path, &st) < 0)
		return log_error_errno(-errno,
				       "Cannot read rules '%s': %m (check -r and "
				       "rules_files).",
				       path);
	if (!S_ISDIR(st.st_mode))
		return path_list_add(l, NULL, path);
	n = scandir(path, &ents, yaml_file_filter, name_cmp);
	if (n < 0)
		return log_error_errno(-errno, "Cannot read rules directory '%s': %m", path);
	for (int i = 0; i < n; i++) {
		char full[4096];
		struct stat fst;

		if (r >= 0 &&
		    snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name) <
			    (int)sizeof(full) &&
		    stat(full, &fst) == 0 && S_ISREG(fst.st_mode))
			r = path_list_add(l, path, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (r >= 0 && n == 0)
		log_warning("Rules directory '%s' has no *.yaml files.", path);
	return r;
}

/* Prints errors, and warnings when verbose or asked for, one per line. */
static void print_diags(const struct diag_list *d, FILE *f, bool warnings)
{
	char buf[2048];

	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].severity == DIAG_WARNING && !warnings)
			continue;
		diag_format(&d->items[i], buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	if (d->n_dropped)
		fprintf(f, "(%zu more diagnostics not shown)\n", d->n_dropped);
}

/* osprey -V: every file (directories expanded) into one ruleset, as Falco does. */
static int do_validate(void)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	struct path_list files = {};
	int r = 0;

	for (size_t i = 0; i < arg_n_validate && r >= 0; i++)
		r = rules_path_expand(&files, arg_validate[i]);
	if (r >= 0) {
		r = rules_validate_files(files.paths, files.n, &d);
		print_diags(&d, stdout, true);
		if (r >= 0)
			for (size_t i = 0; i < files.n; i++)
				printf("%s: Ok\n", files.paths[i]);
		else if (r == -EINVAL)
			fprintf(stderr, "Validation failed: %zu error(s), %zu warning(s).\n",
				d.n_errors, d.n_warnings);
		else
			log_error_errno(r, "Failed to validate rules: %m");
	}
	path_list_done(&files);
	return r;
}

/* The configuration: file, -o, then the flags, in that order of precedence. */
static int config_setup(struct osprey_config *c)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	const char *path = arg_config;
	int r = 0;

	osprey_config_init(c);
	if (!path && access(OSPREY_CONFIG_PATH, F_OK) == 0)
		path = OSPREY_CONFIG_PATH;
	if (path) {
		log_debug("Reading the configuration from '%s'.", path);
		if (osprey_config_load_file(c, path, &d) == -ENOMEM)
			return log_error_errno(-ENOMEM, "Out of memory.");
	}
	for (size_t i = 0; i < arg_n_options && !diag_has_errors(&d); i++)
		if (osprey_config_set_option(c, arg_options[i], &d) == -ENOMEM)
			return log_error_errno(-ENOMEM, "Out of memory.");
	if (!diag_has_errors(&d)) {
		if (arg_n_rules > 0) {
			for (size_t i = 0; i < c->n_rules_files; i++)
				free(c->rules_files[i]);
			c->n_rules_files = 0;
			for (size_t i = 0; i < arg_n_rules; i++) {
				char **n = realloc(c->rules_files, (i + 1) * sizeof(char *));

				if (!n)
					return log_error_errno(-ENOMEM, "Out of memory.");
				c->rules_files = n;
				n[i] = strdup(arg_rules[i]);
				if (!n[i])
					return log_error_errno(-ENOMEM, "Out of memory.");
				c->n_rules_files++;
			}
		}
		if (arg_replay) {
			c->engine.kind = ENGINE_REPLAY;
			free(c->engine.replay.capture_file);
			c->engine.replay.capture_file = strdup(arg_replay);
			if (!c->engine.replay.capture_file)
				return log_error_errno(-ENOMEM, "Out of memory.");
		} else if (arg_driver >= 0)
			c->engine.kind = (enum config_engine_kind)arg_driver;
		if (arg_snaplen)
			c->snaplen = arg_snaplen;
		if (arg_host_root) {
			free(c->host_root);
			c->host_root = strdup(arg_host_root);
			if (!c->host_root)
				return log_error_errno(-ENOMEM, "Out of memory.");
		}
		if (osprey_config_check(c, &d) == -ENOMEM)
			return log_error_errno(-ENOMEM, "Out of memory.");
	}
	print_diags(&d, stderr, true);
	if (diag_has_errors(&d))
		r = log_error_errno(-EINVAL, "Invalid configuration: nothing was started.");
	if (arg_log_level < 0)
		log_set_max_level(c->log_level);
	return r;
}

/* Loads, selects and compiles the configured rules. Caller owns *ret. */
static int rules_setup(const struct osprey_config *c, struct ruleset **ret, size_t *ret_files,
		       size_t *ret_enabled)
{
	_cleanup_(diag_list_clear) struct diag_list d = {};
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	struct path_list files = {};
	int r = 0;

	if (!rs)
		return log_error_errno(-ENOMEM, "Out of memory.");
	for (size_t i = 0; i < c->n_rules_files && r >= 0; i++)
		r = rules_path_expand(&files, c->rules_files[i]);
	if (r < 0) {
		path_list_done(&files);
		return r; /* logged, with the path */
	}
	for (size_t i = 0; i < files.n && r >= 0; i++) {
		log_debug("Loading rules from '%s'.", files.paths[i]);
		r = ruleset_load_file(rs, files.paths[i], &d);
		if (r == -EINVAL)
			r = 0; /* reported in d; keep going to show every file's errors */
	}
	if (r >= 0 && !diag_has_errors(&d)) {
		*ret_enabled = config_rules_select(c, rs);
		r = ruleset_compile(rs, &d);
	}
	*ret_files = files.n;
	path_list_done(&files);
	if (r < 0 && r != -EINVAL)
		return log_error_errno(r, "Failed to load rules: %m");
	print_diags(&d, stderr, log_get_max_level() >= LOG_DEBUG || diag_has_errors(&d));
	if (diag_has_errors(&d))
		return log_error_errno(-EINVAL,
				       "Invalid rules: %zu error(s); nothing was started "
				       "(osprey -V FILE shows every diagnostic).",
				       d.n_errors);
	if (d.n_warnings && log_get_max_level() < LOG_DEBUG)
		log_info("Rules loaded with %zu warning(s) (osprey -V FILE prints them).",
			 d.n_warnings);
	*ret = TAKE_PTR(rs);
	return 0;
}

/* One line per rule, like falco -L: name, priority, description on one line. */
static void print_rules(const struct ruleset *rs)
{
	printf("%-60s %-13s %s\n", "Rule", "Priority", "Description");
	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rules_rule *r = rs->rules[i];
		const char *s = r->desc ? r->desc : "";
		bool space = false;

		printf("%-60s %-13s ", r->name, rules_priority_name(r->priority));
		for (; *s; s++) {
			bool ws = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';

			if (ws) {
				space = true;
				continue;
			}
			if (space)
				putchar(' ');
			space = false;
			putchar(*s);
		}
		if (!r->enabled)
			fputs(" [disabled]", stdout);
		putchar('\n');
	}
}

/*
 * When neither the command line (--driver, -e) nor the configuration (engine.kind) chose the
 * driver, osprey-driver-loader's choice file does (shared/choice.h): driver=kmod opens the kernel
 * module's devices in its dev_dir (--dev-dir still wins), driver=ebpf the embedded probe. No file:
 * the default (modern_ebpf) stays. A file that is malformed, names an unknown driver, was written
 * for another driver API major version, or says kmod while the module's devices are missing is an
 * error naming the file and the fix: nothing starts. The path is a plain one (a volume shared
 * with the loader's container), not under host_root. dev_dir receives the device directory.
 */
static int driver_choice_apply(struct osprey_config *c, char *dev_dir, size_t size)
{
	const char *path = arg_driver_choice ? arg_driver_choice : c->driver_choice_file;
	const char *fix = "re-run osprey-driver-loader on this node to rewrite it, or choose the "
			  "driver with --driver or engine.kind";
	struct driver_choice ch;
	char dev[4096 + 80];
	unsigned line, major;
	int r;

	dev_dir[0] = '\0';
	if (arg_replay || arg_driver >= 0 || c->engine.kind_set || !path || !*path)
		return 0;
	r = choice_read(path, &ch, &line);
	if (r == -ENOENT && !arg_driver_choice) {
		log_debug("No driver choice file '%s': using engine.kind=%s.", path,
			  config_engine_kind_name(c->engine.kind));
		return 0;
	}
	if (r == -EBADMSG && line > 0)
		return log_error_errno(r,
				       "Malformed driver choice file '%s', line %u: expected "
				       "key=value with a value that fits; %s.",
				       path, line, fix);
	if (r == -EBADMSG)
		return log_error_errno(r,
				       "Driver choice file '%s' names %s driver '%s' (expected "
				       "ebpf or kmod); %s.",
				       path, ch.driver[0] ? "an unknown" : "no", ch.driver, fix);
	if (r == -EFBIG)
		return log_error_errno(r,
				       "'%s' is larger than %d bytes, not a driver choice file; "
				       "%s.",
				       path, CHOICE_FILE_MAX, fix);
	if (r < 0)
		return log_error_errno(r, "Cannot read the driver choice file '%s': %m; %s.", path,
				       fix);
	if (choice_api_major(ch.api_version, &major) < 0)
		return log_error_errno(-EBADMSG,
				       "Driver choice file '%s' has no valid api_version "
				       "('%s', expected X.Y.Z); %s.",
				       path, ch.api_version, fix);
	if (major != OSP_API_VERSION_MAJOR)
		return log_error_errno(
			-EPROTO,
			"Driver choice file '%s' was written for driver API "
			"%s, but this osprey speaks API %u.%u.%u: run the "
			"osprey-driver-loader of the same release as osprey (same image "
			"tag) and restart.",
			path, ch.api_version, OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR,
			OSP_API_VERSION_PATCH);
	if (strcmp(ch.driver, "ebpf") == 0) {
		c->engine.kind = ENGINE_MODERN_EBPF;
		log_info("Driver: ebpf, as %s says (%s).", path,
			 ch.reason[0] ? ch.reason : "no reason given");
		return 0;
	}

	c->engine.kind = ENGINE_KMOD;
	if (ch.module[0] && strcmp(ch.module, "osprey") != 0)
		return log_error_errno(-EINVAL,
				       "Driver choice file '%s' names module '%s', but "
				       "osprey reads the devices of the 'osprey' module only: run "
				       "osprey-driver-loader without --driver-name.",
				       path, ch.module);
	snprintf(dev_dir, size, "%s",
		 arg_dev_dir	 ? arg_dev_dir
		 : ch.dev_dir[0] ? ch.dev_dir
				 : "/dev");
	snprintf(dev, sizeof(dev), "%s/osprey0", dev_dir);
	if (access(dev, F_OK) < 0)
		return log_error_errno(
			-errno,
			"Driver choice file '%s' says kmod, but the kernel "
			"module's device %s is missing (%m): the module is not loaded "
			"or %s is not mounted here; re-run osprey-driver-loader (kmod) "
			"on this node.",
			path, dev, dev_dir);
	log_info("Driver: kmod, devices in %s, as %s says (%s).", dev_dir, path,
		 ch.reason[0] ? ch.reason : "no reason given");
	return 0;
}

static int run_default(const struct osprey_config *c, const struct ruleset *rs, size_t n_files,
		       size_t n_enabled, const char *dev_dir, const struct detect_hooks *hooks)
{
	struct capture_opts o = {
		.path = dev_dir && *dev_dir ? dev_dir : arg_dev_dir,
		.host_root = c->host_root ? c->host_root : getenv("HOST_ROOT"),
		.snaplen = c->snaplen,
	};
	long ncpu;

	switch (c->engine.kind) {
	case ENGINE_MODERN_EBPF:
		o.source = CAPTURE_SOURCE_BPF;
		o.buffer_bytes = (uint32_t)config_buf_size_preset_bytes(
			c->engine.modern_ebpf.buf_size_preset);
		o.cpus_per_buffer = c->engine.modern_ebpf.cpus_for_each_buffer;
		if (o.cpus_per_buffer == 0) { /* Falco: 0 = one buffer for all CPUs */
			ncpu = sysconf(_SC_NPROCESSORS_CONF);
			o.cpus_per_buffer = ncpu > 0 ? (uint32_t)ncpu : 1;
		}
		break;
	case ENGINE_KMOD:
		o.source = CAPTURE_SOURCE_KMOD;
		o.buffer_bytes =
			(uint32_t)config_buf_size_preset_bytes(c->engine.kmod.buf_size_preset);
		break;
	case ENGINE_REPLAY:
	default:
		o.source = CAPTURE_SOURCE_FILE;
		o.path = c->engine.replay.capture_file;
		break;
	}
	if (arg_buffer_bytes)
		o.buffer_bytes = arg_buffer_bytes;
	if (arg_cpus_per_buffer_set)
		o.cpus_per_buffer = arg_cpus_per_buffer;

	if (n_files == 0 && o.source != CAPTURE_SOURCE_FILE)
		log_warning("No rules files: the configuration names none (rules_files) and no -r was "
			    "given, so no alert can be raised. Pass -r FILE|DIR (the default rules are "
			    "rules/osprey_rules.yaml in the source tree) or install Osprey so that "
			    "%s names them.",
			    OSPREY_CONFIG_PATH);
	log_info("Loaded %zu rules (%zu enabled) from %zu files.", rs->n_rules, n_enabled, n_files);
	return detect_run_with(c, rs, &o, arg_duration_usec, hooks);
}

int main(int argc, char *argv[])
{
	_cleanup_(ruleset_freep) struct ruleset *rs = NULL;
	struct osprey_config c;
	char dev_dir[4096] = "";
	struct k8saudit_plan plan = {};
	size_t n_files = 0, n_enabled = 0;
	int r;

	if (argc > 1 && strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc - 1, argv + 1);

	k8saudit_register();
	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (arg_n_validate > 0)
		return do_validate() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (arg_list_fields) {
		bool verbose = log_get_max_level() >= LOG_DEBUG;

		if (arg_list_source && strcmp(arg_list_source, "syscall") != 0 &&
		    strcmp(arg_list_source, K8SAUDIT_SOURCE) != 0) {
			log_error("Unknown event source '%s': use syscall or k8s_audit.",
				  arg_list_source);
			return EXIT_FAILURE;
		}
		if (!arg_list_source || strcmp(arg_list_source, "syscall") == 0)
			fields_list_print(stdout, verbose);
		if (!arg_list_source)
			fputc('\n', stdout);
		if (!arg_list_source || strcmp(arg_list_source, K8SAUDIT_SOURCE) == 0)
			k8saudit_fields_print(stdout, verbose);
		return EXIT_SUCCESS;
	}

	r = config_setup(&c);
	if (r >= 0 && !arg_list_rules)
		r = k8saudit_plan_make(&c, arg_enable_sources, arg_n_enable_sources,
				       arg_disable_sources, arg_n_disable_sources, arg_duration_usec,
				       &plan);
	if (r >= 0 && !arg_list_rules && plan.syscall)
		r = driver_choice_apply(&c, dev_dir, sizeof(dev_dir));
	/* A replayed file can wait for the alert outputs; every alert must come out, in order. */
	if (r >= 0 && (c.engine.kind == ENGINE_REPLAY || (!arg_list_rules && !plan.syscall)))
		c.out.wait_when_full = true;
	if (r >= 0)
		r = rules_setup(&c, &rs, &n_files, &n_enabled);
	if (r >= 0) {
		if (arg_list_rules)
			print_rules(rs);
		else if (plan.syscall)
			r = run_default(&c, rs, n_files, n_enabled, dev_dir,
					k8saudit_plan_hooks(&plan, rs));
		else
			r = k8saudit_run(&c, rs, &plan.o, NULL);
	}
	osprey_config_done(&c);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
