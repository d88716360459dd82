// SPDX-License-Identifier: Apache-2.0
/*
 * osprey's command line (cmdline.h): the option table, --help, --version, and the checks each
 * value gets before main.c sees it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "choice.h"
#include "cmdline.h"
#include "config.h"
#include "log.h"
#include "osprey_config.h"
#include "parse.h"

static void help(const char *config_path)
{
	printf("Usage: osprey [OPTIONS]\n"
	       "       osprey capture [OPTIONS]   (osprey capture --help)\n\n"
	       "Runtime security for Linux: watches system calls through the eBPF probe or the\n"
	       "kernel module, and Kubernetes audit events (k8s_audit), evaluates\n"
	       "Falco-compatible rules and sends alerts to the configured outputs (stdout,\n"
	       "file, syslog, a program, HTTP).\n\n"
	       "Options (Falco's names):\n"
	       "  -c FILE                    configuration file (default: %s if it exists)\n"
	       "  -r FILE|DIR                rules file, or a directory of *.yaml files loaded in\n"
	       "                             name order; repeatable; replaces rules_files\n"
	       "  -o, --option=KEY=VALUE     set a configuration key, e.g. -o json_output=true,\n"
	       "                             -o engine.kind=kmod, -o rules_files[0]=/a.yaml,\n"
	       "                             -o rules_files[]=/more.yaml; repeatable\n"
	       "  -V, --validate=FILE|DIR    validate rules files (repeatable) and exit\n"
	       "  -L                         list the loaded rules (name, priority, description);\n"
	       "                             JSON when json_output is set\n"
	       "  -l RULE                    describe one loaded rule and exit\n"
	       "      --list[=SOURCE]        list the fields (SOURCE: syscall, k8s_audit; default:\n"
	       "                             both) and exit\n"
	       "  -N                         with --list: the field names only\n"
	       "      --markdown             with --list or --list-events: Markdown tables\n"
	       "      --list-events          list the events Osprey decodes and exit\n"
	       "      --enable-source=SOURCE enable only this event source (syscall, k8s_audit;\n"
	       "                             repeatable)\n"
	       "      --disable-source=SOURCE\n"
	       "                             disable this event source (repeatable)\n"
	       "  -e FILE                    replay a capture file (osprey capture -w) instead of\n"
	       "                             live events (engine.kind=replay)\n"
	       "  -M, --duration=SECONDS     stop after SECONDS\n"
	       "  -P, --pidfile=FILE         write the process id to FILE, removed at exit\n"
	       "  -U, --unbuffered           write alerts to stdout unbuffered\n"
	       "      --dry-run              load the configuration and rules, open nothing, exit\n"
	       "      --support              print version, system, configuration and rules files\n"
	       "                             (with their sha256) as JSON and exit\n"
	       "      --version              print the version and exit\n"
	       "  -h, --help                 print this help and exit\n\n"
	       "Osprey's own options (they override the configuration):\n"
	       "      --accept-damaged       replay a damaged capture file anyway (exit 0)\n"
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
	       "  -v, --verbose              same as --log-level=debug\n\n"
	       "Signals: SIGINT and SIGTERM stop (the summary is printed, queued alerts are sent);\n"
	       "SIGUSR1 reopens the alert outputs (logrotate); SIGHUP reloads the configuration\n"
	       "and rules (a bad new set is refused, the running one stays); SIGUSR2 is logged.\n",
	       config_path, CHOICE_DEFAULT_PATH, OSP_SNAPLEN_DEFAULT);
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
	if (*n >= CMDLINE_LIST_MAX)
		return log_error_errno(-E2BIG, "Too many %s options (at most %d).", opt,
				       CMDLINE_LIST_MAX);
	list[(*n)++] = value;
	return 0;
}

int cmdline_parse(int argc, char *argv[], const char *config_path, struct cmdline_args *a)
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
		ARG_LIST_EVENTS,
		ARG_MARKDOWN,
		ARG_DRY_RUN,
		ARG_SUPPORT,
		ARG_ENABLE_SOURCE,
		ARG_DISABLE_SOURCE,
		ARG_ACCEPT_DAMAGED,
	};
	static const struct option options[] = {
		{"option", required_argument, NULL, 'o'},
		{"validate", required_argument, NULL, 'V'},
		{"list", optional_argument, NULL, ARG_LIST},
		{"list-events", no_argument, NULL, ARG_LIST_EVENTS},
		{"list-syscall-events", no_argument, NULL, ARG_LIST_EVENTS}, /* Falco's older name */
		{"markdown", no_argument, NULL, ARG_MARKDOWN},
		{"dry-run", no_argument, NULL, ARG_DRY_RUN},
		{"support", no_argument, NULL, ARG_SUPPORT},
		{"pidfile", required_argument, NULL, 'P'},
		{"unbuffered", no_argument, NULL, 'U'},
		{"enable-source", required_argument, NULL, ARG_ENABLE_SOURCE},
		{"disable-source", required_argument, NULL, ARG_DISABLE_SOURCE},
		{"accept-damaged", no_argument, NULL, ARG_ACCEPT_DAMAGED},
		{"duration", required_argument, NULL, 'M'},
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

	*a = (struct cmdline_args){.driver = -1, .log_level = -1, .argc = argc, .argv = argv};
	while ((c = getopt_long(argc, argv, "+c:r:o:V:Ll:Ne:M:P:Uvh", options, NULL)) >= 0) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'r':
			r = push_arg(a->rules, &a->n_rules, "-r", optarg);
			if (r < 0)
				return r;
			break;
		case 'o':
			r = push_arg(a->options, &a->n_options, "-o", optarg);
			if (r < 0)
				return r;
			break;
		case 'V':
			r = push_arg(a->validate, &a->n_validate, "-V", optarg);
			if (r < 0)
				return r;
			break;
		case 'L':
			a->list_rules = true;
			break;
		case 'l':
			a->describe_rule = optarg;
			break;
		case 'N':
			a->list_names_only = true;
			break;
		case ARG_LIST:
			a->list_fields = true;
			/* Falco's "--list syscall": take a following word as the source */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			a->list_source = optarg;
			break;
		case ARG_LIST_EVENTS:
			a->list_events = true;
			break;
		case ARG_MARKDOWN:
			a->markdown = true;
			break;
		case ARG_DRY_RUN:
			a->dry_run = true;
			break;
		case ARG_SUPPORT:
			a->support = true;
			break;
		case 'P':
			if (!*optarg)
				return log_error_errno(-EINVAL, "Empty --pidfile: give a file path.");
			a->pidfile = optarg;
			break;
		case 'U':
			a->unbuffered = true;
			break;
		case ARG_ENABLE_SOURCE:
			r = push_arg(a->enable_sources, &a->n_enable_sources, "--enable-source",
				     optarg);
			if (r < 0)
				return r;
			break;
		case ARG_DISABLE_SOURCE:
			r = push_arg(a->disable_sources, &a->n_disable_sources, "--disable-source",
				     optarg);
			if (r < 0)
				return r;
			break;
		case ARG_ACCEPT_DAMAGED:
			a->accept_damaged = true;
			break;
		case 'e':
			a->replay = optarg;
			break;
		case 'M':
			r = parse_u32_option("duration", optarg, &seconds);
			if (r < 0)
				return r;
			a->duration_usec = (uint64_t)seconds * 1000000u;
			break;
		case ARG_DRIVER:
			if (strcmp(optarg, "ebpf") == 0 || strcmp(optarg, "modern_ebpf") == 0)
				a->driver = ENGINE_MODERN_EBPF;
			else if (strcmp(optarg, "kmod") == 0)
				a->driver = ENGINE_KMOD;
			else
				return log_error_errno(
					-EINVAL, "Unknown driver '%s': use ebpf or kmod.", optarg);
			break;
		case ARG_DEV_DIR:
			a->dev_dir = optarg;
			break;
		case ARG_DRIVER_CHOICE:
			a->driver_choice = optarg;
			break;
		case ARG_SNAPLEN:
			r = parse_u32_option("snaplen", optarg, &a->snaplen);
			if (r < 0)
				return r;
			if (a->snaplen == 0 || a->snaplen > OSP_SNAPLEN_MAX)
				return log_error_errno(-ERANGE,
						       "Invalid snaplen %u: it must be between 1 "
						       "and %u.",
						       a->snaplen, OSP_SNAPLEN_MAX);
			break;
		case ARG_BUFFER_SIZE:
			r = parse_size(optarg, &size);
			if (r < 0 || size > CAPTURE_BUFFER_MAX)
				return log_error_errno(r < 0 ? r : -ERANGE,
						       "Invalid buffer size '%s': "
						       "use bytes or a suffix, e.g. 8M.",
						       optarg);
			a->buffer_bytes = (uint32_t)size;
			break;
		case ARG_CPUS_PER_BUFFER:
			r = parse_u32_option("cpus-per-buffer", optarg, &a->cpus_per_buffer);
			if (r < 0)
				return r;
			a->cpus_per_buffer_set = true;
			break;
		case ARG_HOST_ROOT:
			a->host_root = optarg;
			break;
		case ARG_LOG_LEVEL:
			r = log_level_from_string(optarg);
			if (r < 0)
				return log_error_errno(
					r,
					"Unknown log level '%s': use error, warning, "
					"info or debug.",
					optarg);
			a->log_level = r;
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
			a->log_level = LOG_DEBUG;
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
			help(config_path);
			return 0;
		default:
			/* getopt_long already printed "unrecognized option" naming it */
			return log_error_errno(-EINVAL, "See osprey --help for the options.");
		}
	}
	if (optind < argc)
		return log_error_errno(-EINVAL, "Unexpected argument '%s' (see osprey --help).",
				       argv[optind]);
	if (a->n_enable_sources && a->n_disable_sources)
		return log_error_errno(-EINVAL, "--enable-source and --disable-source cannot be "
						"mixed: give one kind.");
	return 1;
}
