// SPDX-License-Identifier: Apache-2.0
/*
 * osprey: the runtime. Without a subcommand it attaches to the driver and
 * prints the live stream of decoded events on stdout (the detection engine
 * will turn this into alerts); "osprey capture" records and replays capture
 * files.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cmd_capture.h"
#include "config.h"
#include "log.h"
#include "parse.h"

static uint64_t arg_duration_usec;
static uint32_t arg_snaplen;
static uint32_t arg_buffer_bytes;
static uint32_t arg_cpus_per_buffer;
static enum capture_source arg_source = CAPTURE_SOURCE_BPF;
static const char *arg_host_root;
static const char *arg_dev_dir;

static void help(void)
{
	printf("Usage: osprey [OPTIONS]\n"
	       "       osprey capture [OPTIONS]   (osprey capture --help)\n\n"
	       "Runtime security for Linux: watches system calls through the eBPF probe or the\n"
	       "kernel module and prints the decoded event stream on stdout.\n\n"
	       "Options:\n"
	       "  -M, --duration=SECONDS     stop after SECONDS\n"
	       "      --driver=ebpf|kmod     event source (default: ebpf, the embedded probe)\n"
	       "      --dev-dir=DIR          where the kernel module's devices are (default: /dev)\n"
	       "      --snaplen=BYTES        bound for argument lists and buffers (default: %u)\n"
	       "      --buffer-size=SIZE     bytes per ring buffer, power of two (default: 8M)\n"
	       "      --cpus-per-buffer=N    CPUs sharing one ring buffer (default: 1)\n"
	       "      --host-root=DIR        the host's / when running in a container\n"
	       "                             (default: $HOST_ROOT or /)\n"
	       "      --log-level=LEVEL      error, warning, info or debug (default: info)\n"
	       "      --log-format=text|json diagnostics format on stderr\n"
	       "  -v, --verbose              same as --log-level=debug\n"
	       "      --version              print the version and exit\n"
	       "  -h, --help                 print this help and exit\n",
	       OSP_SNAPLEN_DEFAULT);
}

static int parse_u32_option(const char *name, const char *value, uint32_t *ret)
{
	int r = safe_atou32(value, ret);

	if (r < 0)
		return log_error_errno(r, "Invalid %s '%s': expected a whole number.", name, value);
	return 0;
}

static int parse_argv(int argc, char *argv[])
{
	enum {
		ARG_DRIVER = 0x100,
		ARG_DEV_DIR,
		ARG_SNAPLEN,
		ARG_BUFFER_SIZE,
		ARG_CPUS_PER_BUFFER,
		ARG_HOST_ROOT,
		ARG_LOG_LEVEL,
		ARG_LOG_FORMAT,
		ARG_VERSION,
	};
	static const struct option options[] = {
		{ "duration", required_argument, NULL, 'M' },
		{ "driver", required_argument, NULL, ARG_DRIVER },
		{ "dev-dir", required_argument, NULL, ARG_DEV_DIR },
		{ "snaplen", required_argument, NULL, ARG_SNAPLEN },
		{ "buffer-size", required_argument, NULL, ARG_BUFFER_SIZE },
		{ "cpus-per-buffer", required_argument, NULL, ARG_CPUS_PER_BUFFER },
		{ "host-root", required_argument, NULL, ARG_HOST_ROOT },
		{ "log-level", required_argument, NULL, ARG_LOG_LEVEL },
		{ "log-format", required_argument, NULL, ARG_LOG_FORMAT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t size;
	uint32_t seconds;
	int c, r;

	while ((c = getopt_long(argc, argv, "+M:vh", options, NULL)) >= 0) {
		switch (c) {
		case 'M':
			r = parse_u32_option("duration", optarg, &seconds);
			if (r < 0)
				return r;
			arg_duration_usec = (uint64_t)seconds * 1000000u;
			break;
		case ARG_DRIVER:
			if (strcmp(optarg, "ebpf") == 0 || strcmp(optarg, "modern_ebpf") == 0)
				arg_source = CAPTURE_SOURCE_BPF;
			else if (strcmp(optarg, "kmod") == 0)
				arg_source = CAPTURE_SOURCE_KMOD;
			else
				return log_error_errno(-EINVAL, "Unknown driver '%s': use ebpf or kmod.",
						       optarg);
			break;
		case ARG_DEV_DIR:
			arg_dev_dir = optarg;
			break;
		case ARG_SNAPLEN:
			r = parse_u32_option("snaplen", optarg, &arg_snaplen);
			if (r < 0)
				return r;
			if (arg_snaplen == 0 || arg_snaplen > OSP_SNAPLEN_MAX)
				return log_error_errno(-ERANGE, "Invalid snaplen %u: it must be between 1 "
							"and %u.", arg_snaplen, OSP_SNAPLEN_MAX);
			break;
		case ARG_BUFFER_SIZE:
			r = parse_size(optarg, &size);
			if (r < 0 || size > CAPTURE_BUFFER_MAX)
				return log_error_errno(r < 0 ? r : -ERANGE, "Invalid buffer size '%s': "
						       "use bytes or a suffix, e.g. 8M.", optarg);
			arg_buffer_bytes = (uint32_t)size;
			break;
		case ARG_CPUS_PER_BUFFER:
			r = parse_u32_option("cpus-per-buffer", optarg, &arg_cpus_per_buffer);
			if (r < 0)
				return r;
			break;
		case ARG_HOST_ROOT:
			arg_host_root = optarg;
			break;
		case ARG_LOG_LEVEL:
			r = log_level_from_string(optarg);
			if (r < 0)
				return log_error_errno(r, "Unknown log level '%s': use error, warning, "
						       "info or debug.", optarg);
			log_set_max_level(r);
			break;
		case ARG_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				log_set_format(LOG_FORMAT_JSON);
			else if (strcmp(optarg, "text") == 0)
				log_set_format(LOG_FORMAT_TEXT);
			else
				return log_error_errno(-EINVAL, "Unknown log format '%s': use text or "
						       "json.", optarg);
			break;
		case 'v':
			log_set_max_level(LOG_DEBUG);
			break;
		case ARG_VERSION:
			printf("osprey %s (driver API %u.%u.%u, schema %u.%u.%u)\n", OSPREY_VERSION,
			       OSP_API_VERSION_MAJOR, OSP_API_VERSION_MINOR, OSP_API_VERSION_PATCH,
			       OSP_SCHEMA_VERSION_MAJOR, OSP_SCHEMA_VERSION_MINOR,
			       OSP_SCHEMA_VERSION_PATCH);
			return 0;
		case 'h':
			help();
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(-EINVAL, "Unexpected argument '%s' (see osprey --help).",
				       argv[optind]);
	if (!arg_host_root)
		arg_host_root = getenv("HOST_ROOT");
	return 1;
}

static int run_default(void)
{
	struct capture_opts o = {
		.source = arg_source,
		.path = arg_dev_dir,
		.host_root = arg_host_root,
		.buffer_bytes = arg_buffer_bytes,
		.cpus_per_buffer = arg_cpus_per_buffer,
		.snaplen = arg_snaplen,
	};

	/* Until the detection engine lands, the main job prints the decoded stream. */
	return capture_stream(&o, arg_duration_usec, NULL);
}

int main(int argc, char *argv[])
{
	int r;

	if (argc > 1 && strcmp(argv[1], "capture") == 0)
		return cmd_capture(argc - 1, argv + 1);

	r = parse_argv(argc, argv);
	if (r <= 0)
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	return run_default() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
