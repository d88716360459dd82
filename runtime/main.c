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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "choice.h"
#include "cmd_capture.h"
#include "cmd_info.h"
#include "cmdline.h"
#include "config.h"
#include "detect.h"
#include "fields.h"
#include "k8saudit_run.h"
#include "log.h"
#include "osprey_config.h"
#include "parse.h"
#include "reload.h"
#include "ruleset.h"
#include "sources.h"

#ifndef OSPREY_CONFIG_PATH
#define OSPREY_CONFIG_PATH "/etc/osprey/osprey.yaml"
#endif

static struct cmdline_args args;
static const char *config_path; /* the configuration file read, or NULL */
static bool reloading;		/* building a new set while the old one runs (reload.h) */

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

	for (size_t i = 0; i < args.n_validate && r >= 0; i++)
		r = rules_path_expand(&files, args.validate[i]);
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
	const char *path = args.config;
	int r = 0;

	osprey_config_init(c);
	if (!path && access(OSPREY_CONFIG_PATH, F_OK) == 0)
		path = OSPREY_CONFIG_PATH;
	config_path = path;
	if (path) {
		log_debug("Reading the configuration from '%s'.", path);
		if (osprey_config_load_file(c, path, &d) == -ENOMEM ||
		    (!diag_has_errors(&d) && osprey_config_load_includes(c, &d) == -ENOMEM))
			return log_error_errno(-ENOMEM, "Out of memory.");
	}
	for (size_t i = 0; i < args.n_options && !diag_has_errors(&d); i++)
		if (osprey_config_set_option(c, args.options[i], &d) == -ENOMEM)
			return log_error_errno(-ENOMEM, "Out of memory.");
	if (!diag_has_errors(&d)) {
		if (args.n_rules > 0) {
			for (size_t i = 0; i < c->n_rules_files; i++)
				free(c->rules_files[i]);
			c->n_rules_files = 0;
			for (size_t i = 0; i < args.n_rules; i++) {
				char **n = realloc(c->rules_files, (i + 1) * sizeof(char *));

				if (!n)
					return log_error_errno(-ENOMEM, "Out of memory.");
				c->rules_files = n;
				n[i] = strdup(args.rules[i]);
				if (!n[i])
					return log_error_errno(-ENOMEM, "Out of memory.");
				c->n_rules_files++;
			}
		}
		if (args.replay) {
			c->engine.kind = ENGINE_REPLAY;
			free(c->engine.replay.capture_file);
			c->engine.replay.capture_file = strdup(args.replay);
			if (!c->engine.replay.capture_file)
				return log_error_errno(-ENOMEM, "Out of memory.");
		} else if (args.driver >= 0)
			c->engine.kind = (enum config_engine_kind)args.driver;
		if (args.snaplen)
			c->snaplen = args.snaplen;
		if (args.host_root) {
			free(c->host_root);
			c->host_root = strdup(args.host_root);
			if (!c->host_root)
				return log_error_errno(-ENOMEM, "Out of memory.");
		}
		if (osprey_config_check(c, &d) == -ENOMEM)
			return log_error_errno(-ENOMEM, "Out of memory.");
	}
	print_diags(&d, stderr, true);
	if (diag_has_errors(&d))
		r = log_error_errno(-EINVAL, "Invalid configuration: %s.",
				    reloading ? "not reloaded" : "nothing was started");
	if (args.log_level < 0 && !reloading) /* a reload applies it on the event thread */
		log_set_max_level(c->log_level);
	return r;
}

/* Loads, selects and compiles the configured rules. Caller owns *ret. */
static int rules_setup(const struct osprey_config *c, struct ruleset **ret, struct path_list *ret_files,
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
		r = rules_append_apply(rs, c->append_output, c->n_append_output);
		if (r >= 0)
			r = ruleset_compile(rs, &d);
	}
	*ret_files = files;
	if (r < 0 && r != -EINVAL)
		return log_error_errno(r, "Failed to load rules: %m");
	print_diags(&d, stderr, log_get_max_level() >= LOG_DEBUG || diag_has_errors(&d));
	if (diag_has_errors(&d))
		return log_error_errno(-EINVAL,
				       "Invalid rules: %zu error(s); %s (osprey -V FILE shows "
				       "every diagnostic).",
				       d.n_errors, reloading ? "not reloaded" : "nothing was started");
	if (d.n_warnings && log_get_max_level() < LOG_DEBUG)
		log_info("Rules loaded with %zu warning(s) (osprey -V FILE prints them).",
			 d.n_warnings);
	if (files.n > 0 && rs->n_rules == 0)
		log_warning("The rules files define no rule (%zu file(s), e.g. '%s'), so no alert can "
			    "be raised: check that -r or rules_files names the intended files.",
			    files.n, files.paths[0]);
	else if (rs->n_rules > 0 && *ret_enabled == 0)
		log_warning("None of the %zu rules is enabled (see priority and rules: in the "
			    "configuration), so no alert can be raised.",
			    rs->n_rules);
	*ret = TAKE_PTR(rs);
	return 0;
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
	const char *path = args.driver_choice ? args.driver_choice : c->driver_choice_file;
	const char *fix = "re-run osprey-driver-loader on this node to rewrite it, or choose the "
			  "driver with --driver or engine.kind";
	struct driver_choice ch;
	char dev[4096 + 80];
	unsigned line, major;
	int r;

	dev_dir[0] = '\0';
	if (args.replay || args.driver >= 0 || c->engine.kind_set || !path || !*path)
		return 0;
	r = choice_read(path, &ch, &line);
	if (r == -ENOENT && !args.driver_choice) {
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
		 args.dev_dir	 ? args.dev_dir
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

/* reload.h's load function: the configuration and rules, as at start (on the reload's builder
 * thread: it only reads args, and writes its own objects and stderr). */
static int reload_load(void *userdata, struct osprey_config *c, struct ruleset **ret_rs,
		       char ***ret_files, size_t *ret_n)
{
	struct path_list files = {};
	size_t n_enabled = 0;
	int r;

	reloading = true;
	r = config_setup(c);
	if (r >= 0 && args.unbuffered)
		c->buffered_outputs = false;
	if (r >= 0)
		r = rules_setup(c, ret_rs, &files, &n_enabled);
	reloading = false;
	if (r < 0) {
		path_list_done(&files);
		osprey_config_done(c);
		return r;
	}
	*ret_files = files.paths;
	*ret_n = files.n;
	return 0;
}

static int run_default(const struct osprey_config *c, const struct ruleset *rs,
		       const struct path_list *files, size_t n_enabled, const char *dev_dir,
		       const struct detect_hooks *hooks)
{
	_cleanup_(reload_freep) struct reload *rl = NULL;
	struct reload_opts ro = {
		.load = reload_load,
		.config_path = config_path,
		.config = c,
		.rules_files = files->paths,
		.n_rules_files = files->n,
		.log_level_fixed = args.log_level >= 0,
	};
	struct detect_service svc = {
		.on_start = reload_on_start,
		.on_stop = reload_on_stop,
	};
	size_t n_files = files->n;
	int r;
	struct capture_opts o = {
		.path = dev_dir && *dev_dir ? dev_dir : args.dev_dir,
		.host_root = c->host_root ? c->host_root : getenv("HOST_ROOT"),
		.snaplen = c->snaplen,
		.accept_damaged = args.accept_damaged,
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
	if (args.buffer_bytes)
		o.buffer_bytes = args.buffer_bytes;
	if (args.cpus_per_buffer_set)
		o.cpus_per_buffer = args.cpus_per_buffer;

	if (n_files == 0 && o.source != CAPTURE_SOURCE_FILE)
		log_warning("No rules files: the configuration names none (rules_files) and no -r was "
			    "given, so no alert can be raised. Pass -r FILE|DIR (the default rules are "
			    "rules/osprey_rules.yaml in the source tree) or install Osprey so that "
			    "%s names them.",
			    OSPREY_CONFIG_PATH);
	log_info("Loaded %zu rules (%zu enabled) from %zu files.", rs->n_rules, n_enabled, n_files);
	r = reload_new(&ro, &rl);
	if (r < 0)
		return log_error_errno(r, "Out of memory.");
	svc.userdata = rl;
	return detect_run_with(c, rs, &o, args.duration_usec, hooks, &svc);
}

/* -P FILE: the process id, one line, for the life of the run. */
static int pidfile_write(const char *path)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);

	if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
		return log_error_errno(-errno, "Cannot write the pid file '%s': %m (check -P).", path);
	return 0;
}

/* What osprey prints about its rules and configuration instead of running (-L, -l, --support,
 * --dry-run). Returns 1 if it was asked for one of them, 0 to run, -errno on failure. */
static int print_info(const struct osprey_config *c, const struct ruleset *rs,
		      const struct path_list *files, size_t n_enabled)
{
	int r;

	if (args.list_rules) {
		info_rules_print(stdout, rs, c->out.json_output);
		return 1;
	}
	if (args.describe_rule) {
		r = info_rule_describe(stdout, rs, args.describe_rule, c->out.json_output);
		if (r == -ENOENT)
			return log_error_errno(r, "No loaded rule is named '%s' (osprey -L lists them).",
					       args.describe_rule);
		return r < 0 ? r : 1;
	}
	if (args.support) {
		struct info_support s = {
			.argc = args.argc,
			.argv = args.argv,
			.config_path = config_path,
			.rules_files = files->paths,
			.n_rules_files = files->n,
		};

		r = info_support_print(stdout, &s);
		return r < 0 ? r : 1;
	}
	if (args.dry_run) {
		log_info("Dry run: the configuration%s%s%s and %zu rules (%zu enabled) from %zu files "
			 "are valid; nothing was opened.",
			 config_path ? " ('" : "", config_path ? config_path : "",
			 config_path ? "')" : "", rs->n_rules, n_enabled, files->n);
		return 1;
	}
	return 0;
}

/* Which sources run (sources.h) and how the k8s_audit one does (k8saudit_run.h). */
static int sources_setup(const struct osprey_config *c, struct k8saudit_plan *ret)
{
	bool on[SOURCES_MAX];
	int r;

	r = sources_select(c, args.enable_sources, args.n_enable_sources, args.disable_sources,
			   args.n_disable_sources, on);
	if (r >= 0)
		r = k8saudit_plan_make(c, on[SOURCE_SYSCALL], on[SOURCE_K8S_AUDIT],
				       args.duration_usec, ret);
	if (r >= 0)
		log_full(args.dry_run ? LOG_INFO : LOG_DEBUG, "Event sources: %s%s%s.",
			 on[SOURCE_SYSCALL] ? "syscall" : "",
			 on[SOURCE_SYSCALL] && on[SOURCE_K8S_AUDIT] ? ", " : "",
			 on[SOURCE_K8S_AUDIT] ? "k8s_audit" : "");
	return r;
}

int main(int argc, char *argv[])
{
	_cleanup_(ruleset_freep) struct ruleset *rs = NULL;
	struct path_list files = {};
	struct osprey_config c;
	struct k8saudit_plan plan = {};
	bool no_driver;
	char dev_dir[4096] = "";
	size_t n_enabled = 0;
	int r;

	if (argc > 1 && strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc - 1, argv + 1);

	r = cmdline_parse(argc, argv, OSPREY_CONFIG_PATH, &args);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (sources_register() < 0)
		return EXIT_FAILURE;
	if (args.n_validate > 0)
		return do_validate() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (args.list_fields) {
		if (info_fields_print(stdout, args.list_source, args.list_names_only, args.markdown,
				      log_get_max_level() >= LOG_DEBUG) < 0) {
			log_error("Unknown event source '%s': Osprey's sources are %s.",
				  args.list_source, sources_names());
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	}
	if (args.list_events) {
		info_events_print(stdout, args.markdown);
		return EXIT_SUCCESS;
	}

	/* -L, -l and --support read the rules only: no source and no driver is chosen */
	no_driver = args.list_rules || args.describe_rule || args.support;
	r = config_setup(&c);
	if (r >= 0 && args.unbuffered)
		c.buffered_outputs = false;
	if (r >= 0 && !no_driver)
		r = sources_setup(&c, &plan);
	if (r >= 0 && !no_driver && plan.syscall)
		r = driver_choice_apply(&c, dev_dir, sizeof(dev_dir));
	/* A replayed file can wait for the alert outputs; every alert must come out, in order. */
	if (r >= 0 && (c.engine.kind == ENGINE_REPLAY || (!no_driver && !plan.syscall)))
		c.out.wait_when_full = true;
	if (r >= 0)
		r = rules_setup(&c, &rs, &files, &n_enabled);
	if (r >= 0)
		r = print_info(&c, rs, &files, n_enabled);
	if (r == 0 && args.pidfile)
		r = pidfile_write(args.pidfile);
	if (r == 0) {
		if (plan.syscall)
			r = run_default(&c, rs, &files, n_enabled, dev_dir,
					k8saudit_plan_hooks(&plan, rs));
		else
			r = k8saudit_run(&c, rs, &plan.o, NULL);
		if (args.pidfile)
			(void)unlink(args.pidfile);
	}
	path_list_done(&files);
	osprey_config_done(&c);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
