// SPDX-License-Identifier: Apache-2.0
/*
 * osprey-driver-loader: prepares a node for the osprey runtime. Chooses the
 * eBPF probe or the kernel module, finds, verifies and loads the module, and
 * writes the choice for the runtime. Also builds and syncs air-gapped mirrors.
 * See docs/driver-loader.md.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "build.h"
#include "choice.h"
#include "config.h"
#include "fetch.h"
#include "index.h"
#include "kmod_load.h"
#include "locate.h"
#include "log.h"
#include "parse.h"
#include "probe.h"
#include "repo_url.h"
#include "target.h"
#include "util.h"
#include "verify.h"

/* Documented exit codes (docs/driver-loader.md). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1,
	EXIT_USAGE = 2,
	EXIT_NOT_FOUND = 3,
	EXIT_VERIFY = 4,
	EXIT_LOAD = 5,
	EXIT_BUILD = 6,
	EXIT_NO_DRIVER = 7,
};

#define ARG_LIST_MAX 16

static const char *arg_host_root;
static const char *arg_kernel_release;
static const char *arg_kernel_version;
static const char *arg_arch;
static const char *arg_target;
static const char *arg_driver_name = "osprey";
static const char *arg_driver_version = OSPREY_VERSION;
static const char *arg_cache_dir = LOCATE_DEFAULT_CACHE;
static const char *arg_public_key;
static const char *arg_private_key;
static const char *arg_choice_file = CHOICE_DEFAULT_PATH;
static const char *arg_driver_source;
static const char *arg_headers;
static const char *arg_out;
static const char *arg_from;
static const char *arg_work_dir = "/tmp/osprey-build";
static const char *arg_select[ARG_LIST_MAX];
static size_t arg_n_select;
static char arg_module_params[1024];
static bool arg_verify_set;
static enum verify_policy arg_verify = VERIFY_REQUIRED;
static unsigned arg_build_timeout = 600;
static unsigned arg_unload_retries = 10;
static bool arg_no_build;
static bool arg_no_download;
static bool arg_skip_cache;
static bool arg_dry_run;
static struct repo_list arg_repos;
static struct fetch_opts arg_fetch = {
	.connect_timeout_ms = 10000,
	.timeout_ms = 300000,
	.low_speed_limit = 1024,
	.low_speed_time_s = 30,
	.retries = 2,
	.max_size = 256ull << 20,
	.progress = true,
};

static int help(void)
{
	printf("Usage: osprey-driver-loader [OPTIONS] [COMMAND [ARGS]]\n\n"
	       "Prepare this node for osprey: choose the eBPF probe or the kernel module,\n"
	       "find, verify and load the module, and record the choice for the runtime.\n\n"
	       "Commands:\n"
	       "  auto                 probe the kernel, pick ebpf or kmod (default; --dry-run:\n"
	       "                       print the choice and why, write and load nothing)\n"
	       "  ebpf                 use the eBPF probe (fails if the kernel cannot run it)\n"
	       "  kmod                 find/verify (or build), then insert the kernel module\n"
	       "  info                 print target, kernel, artifact names and every URL tried\n"
	       "  fetch                download and verify the module into the cache only\n"
	       "  build                build the module from source against the headers only\n"
	       "  unload               remove the loaded module\n"
	       "  keygen PRIV PUB      write a new Ed25519 key pair (PEM)\n"
	       "  sign DIR             write DIR/index.json and DIR/index.json.sig (--private-key)\n"
	       "  mirror build HDRS[:RELEASE[:VERSION]]...   build modules into --out, signed\n"
	       "  mirror sync          copy selected artifacts of --from into --out\n\n"
	       "Options:\n"
	       "      --host-root DIR        host filesystem prefix ($HOST_ROOT)\n"
	       "      --kernel-release R     kernel release (default: host's uname -r)\n"
	       "      --kernel-version V     full `uname -v` text (default: host's)\n"
	       "      --arch A               architecture (default: uname -m)\n"
	       "      --target T             target name, skipping distribution detection\n"
	       "      --driver-name N        driver/module name (default osprey)\n"
	       "      --driver-version V     driver version directory (default %s)\n"
	       "      --repo URL             repository, repeatable ($OSPREY_DRIVER_REPOS, ';'-separated)\n"
	       "      --cache-dir DIR        cache (default %s)\n"
	       "      --public-key FILE      Ed25519 public key ($OSPREY_DRIVER_PUBKEY)\n"
	       "      --private-key FILE     Ed25519 private key for sign / mirror build\n"
	       "      --verify POLICY        required | if-signed | off (default: required with a key)\n"
	       "      --ca-file FILE         CA bundle for https repositories\n"
	       "      --client-cert FILE     client certificate (PEM)\n"
	       "      --client-key FILE      client key (PEM)\n"
	       "      --header 'K: V'        extra HTTP header, repeatable\n"
	       "      --connect-timeout SEC  default 10\n"
	       "      --timeout SEC          total per download attempt, default 300\n"
	       "      --retries N            extra attempts for transient errors, default 2\n"
	       "      --low-speed-limit B    bytes/s under which a transfer counts as stalled, default 1024\n"
	       "      --low-speed-time SEC   abort a transfer stalled this long, default 30\n"
	       "      --max-size SIZE        largest download (index.json too), default 256M\n"
	       "      --no-download          do not use repositories\n"
	       "      --no-build             do not fall back to building\n"
	       "      --skip-cache           ignore the cache\n"
	       "      --driver-source PATH   module source dir or archive (default /usr/src/<name>-<version>)\n"
	       "      --headers DIR          kernel build tree (default: found under the host root)\n"
	       "      --build-timeout SEC    default 600\n"
	       "      --work-dir DIR         build directory (default /tmp/osprey-build)\n"
	       "      --module-param K=V     module parameter, repeatable\n"
	       "      --choice-file FILE     where to record the choice (default %s)\n"
	       "      --dry-run              auto: probe and decide, print why, write nothing\n"
	       "      --out DIR              mirror output directory\n"
	       "      --from URL             mirror sync upstream repository\n"
	       "      --select GLOB          mirror sync: artifact names to copy, repeatable\n"
	       "      --log-format FMT       text | json\n"
	       "      --log-level LEVEL      error | warning | info | debug\n"
	       "  -h, --help                 this help\n"
	       "  -V, --version              print the version\n\n"
	       "Exit codes: 0 ok, 1 error, 2 usage, 3 driver not found, 4 verification failed,\n"
	       "5 kernel refused the module, 6 build failed, 7 no driver can run on this kernel.\n",
	       OSPREY_VERSION, LOCATE_DEFAULT_CACHE, CHOICE_DEFAULT_PATH);
	return 0;
}

static int parse_seconds(const char *s, unsigned *ret)
{
	uint32_t v;
	int r = safe_atou32(s, &v);
	if (r < 0 || v == 0 || v > 86400)
		return -EINVAL;
	*ret = v;
	return 0;
}

enum {
	ARG_HOST_ROOT = 0x100, ARG_KREL, ARG_KVER, ARG_ARCH, ARG_TARGET, ARG_DNAME, ARG_DVER,
	ARG_REPO, ARG_CACHE, ARG_PUBKEY, ARG_PRIVKEY, ARG_VERIFY, ARG_CA, ARG_CERT, ARG_KEY,
	ARG_HEADER, ARG_CTIMEOUT, ARG_TIMEOUT, ARG_RETRIES, ARG_MAXSIZE, ARG_NODL, ARG_NOBUILD,
	ARG_SKIPCACHE, ARG_SRC, ARG_HEADERS, ARG_BTIMEOUT, ARG_WORKDIR, ARG_PARAM, ARG_CHOICE,
	ARG_OUT, ARG_FROM, ARG_SELECT, ARG_LOGFMT, ARG_LOGLEVEL, ARG_LOWSPEED, ARG_LOWTIME,
	ARG_DRYRUN,
};

/* Target, release and arch become parts of file names and URLs. */
static int check_name_part(const char *option, const char *value)
{
	if (index_name_is_valid(value))
		return 0;
	return log_error_errno(-EINVAL, "Invalid %s '%s': it becomes part of file names and URLs, so use letters, digits and '._+~-' (not starting with '.')",
			       option, value);
}

static int parse_argv(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "host-root", required_argument, NULL, ARG_HOST_ROOT },
		{ "kernel-release", required_argument, NULL, ARG_KREL },
		{ "kernel-version", required_argument, NULL, ARG_KVER },
		{ "arch", required_argument, NULL, ARG_ARCH },
		{ "target", required_argument, NULL, ARG_TARGET },
		{ "driver-name", required_argument, NULL, ARG_DNAME },
		{ "driver-version", required_argument, NULL, ARG_DVER },
		{ "repo", required_argument, NULL, ARG_REPO },
		{ "cache-dir", required_argument, NULL, ARG_CACHE },
		{ "public-key", required_argument, NULL, ARG_PUBKEY },
		{ "private-key", required_argument, NULL, ARG_PRIVKEY },
		{ "verify", required_argument, NULL, ARG_VERIFY },
		{ "ca-file", required_argument, NULL, ARG_CA },
		{ "client-cert", required_argument, NULL, ARG_CERT },
		{ "client-key", required_argument, NULL, ARG_KEY },
		{ "header", required_argument, NULL, ARG_HEADER },
		{ "connect-timeout", required_argument, NULL, ARG_CTIMEOUT },
		{ "timeout", required_argument, NULL, ARG_TIMEOUT },
		{ "retries", required_argument, NULL, ARG_RETRIES },
		{ "max-size", required_argument, NULL, ARG_MAXSIZE },
		{ "low-speed-limit", required_argument, NULL, ARG_LOWSPEED },
		{ "low-speed-time", required_argument, NULL, ARG_LOWTIME },
		{ "dry-run", no_argument, NULL, ARG_DRYRUN },
		{ "no-download", no_argument, NULL, ARG_NODL },
		{ "no-build", no_argument, NULL, ARG_NOBUILD },
		{ "skip-cache", no_argument, NULL, ARG_SKIPCACHE },
		{ "driver-source", required_argument, NULL, ARG_SRC },
		{ "headers", required_argument, NULL, ARG_HEADERS },
		{ "build-timeout", required_argument, NULL, ARG_BTIMEOUT },
		{ "work-dir", required_argument, NULL, ARG_WORKDIR },
		{ "module-param", required_argument, NULL, ARG_PARAM },
		{ "choice-file", required_argument, NULL, ARG_CHOICE },
		{ "out", required_argument, NULL, ARG_OUT },
		{ "from", required_argument, NULL, ARG_FROM },
		{ "select", required_argument, NULL, ARG_SELECT },
		{ "log-format", required_argument, NULL, ARG_LOGFMT },
		{ "log-level", required_argument, NULL, ARG_LOGLEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const char *env;
	unsigned secs;
	uint32_t u;
	int c, r;

	/* Environment first; options override. */
	if ((env = getenv("HOST_ROOT")) && *env)
		arg_host_root = env;
	if ((env = getenv("OSPREY_KERNEL_RELEASE")) && *env)
		arg_kernel_release = env;
	if ((env = getenv("OSPREY_KERNEL_VERSION")) && *env)
		arg_kernel_version = env;
	if ((env = getenv("OSPREY_DRIVER_PUBKEY")) && *env)
		arg_public_key = env;

	opterr = 0; /* bad options are reported below, in the loader's words */
	while ((c = getopt_long(argc, argv, ":hV", options, NULL)) >= 0) {
		switch (c) {
		case 'h':
			help();
			exit(EXIT_OK);
		case 'V':
			printf("osprey-driver-loader %s (driver API %s)\n", OSPREY_VERSION,
			       OSPREY_API_VERSION);
			exit(EXIT_OK);
		case ARG_HOST_ROOT: arg_host_root = optarg; break;
		case ARG_KREL:
			if (check_name_part("--kernel-release", optarg) < 0)
				return -EINVAL;
			arg_kernel_release = optarg;
			break;
		case ARG_KVER: arg_kernel_version = optarg; break;
		case ARG_ARCH:
			if (check_name_part("--arch", optarg) < 0)
				return -EINVAL;
			arg_arch = optarg;
			break;
		case ARG_TARGET:
			if (check_name_part("--target", optarg) < 0)
				return -EINVAL;
			arg_target = optarg;
			break;
		case ARG_DNAME:
			if (!index_name_is_valid(optarg))
				return log_error_errno(-EINVAL, "Invalid --driver-name '%s': use letters, digits, '_', '-'", optarg);
			arg_driver_name = optarg;
			break;
		case ARG_DVER:
			if (!index_name_is_valid(optarg))
				return log_error_errno(-EINVAL, "Invalid --driver-version '%s': no '/' or leading '.'", optarg);
			arg_driver_version = optarg;
			break;
		case ARG_REPO:
			r = repo_list_add(&arg_repos, optarg);
			if (r < 0)
				return log_error_errno(r, "Invalid --repo '%s': use file://, http:// or https:// (at most %d repositories)", optarg, REPO_MAX);
			break;
		case ARG_CACHE: arg_cache_dir = optarg; break;
		case ARG_PUBKEY: arg_public_key = optarg; break;
		case ARG_PRIVKEY: arg_private_key = optarg; break;
		case ARG_VERIFY:
			if (verify_policy_from_string(optarg, &arg_verify) < 0)
				return log_error_errno(-EINVAL, "Invalid --verify '%s': use required, if-signed or off", optarg);
			arg_verify_set = true;
			break;
		case ARG_CA: arg_fetch.ca_file = optarg; break;
		case ARG_CERT: arg_fetch.client_cert = optarg; break;
		case ARG_KEY: arg_fetch.client_key = optarg; break;
		case ARG_HEADER:
			if (arg_fetch.n_headers >= FETCH_HEADERS_MAX || !strchr(optarg, ':'))
				return log_error_errno(-EINVAL, "Invalid --header '%s': use 'Name: value', at most %d", optarg, FETCH_HEADERS_MAX);
			arg_fetch.headers[arg_fetch.n_headers++] = optarg;
			break;
		case ARG_CTIMEOUT:
		case ARG_TIMEOUT:
			if (parse_seconds(optarg, &secs) < 0)
				return log_error_errno(-EINVAL, "Invalid timeout '%s': seconds, 1..86400", optarg);
			if (c == ARG_CTIMEOUT)
				arg_fetch.connect_timeout_ms = (long)secs * 1000;
			else
				arg_fetch.timeout_ms = (long)secs * 1000;
			break;
		case ARG_RETRIES:
			if (safe_atou32(optarg, &u) < 0 || u > 10)
				return log_error_errno(-EINVAL, "Invalid --retries '%s': 0..10", optarg);
			arg_fetch.retries = u;
			break;
		case ARG_LOWSPEED:
			if (safe_atou32(optarg, &u) < 0)
				return log_error_errno(-EINVAL, "Invalid --low-speed-limit '%s': bytes per second (0: no limit)", optarg);
			arg_fetch.low_speed_limit = (long)u;
			break;
		case ARG_LOWTIME:
			if (parse_seconds(optarg, &secs) < 0)
				return log_error_errno(-EINVAL, "Invalid --low-speed-time '%s': seconds, 1..86400", optarg);
			arg_fetch.low_speed_time_s = (long)secs;
			break;
		case ARG_DRYRUN: arg_dry_run = true; break;
		case ARG_MAXSIZE:
			if (parse_size(optarg, &arg_fetch.max_size) < 0 || arg_fetch.max_size == 0)
				return log_error_errno(-EINVAL, "Invalid --max-size '%s': bytes, or 64k, 8M, 1G", optarg);
			break;
		case ARG_NODL: arg_no_download = true; break;
		case ARG_NOBUILD: arg_no_build = true; break;
		case ARG_SKIPCACHE: arg_skip_cache = true; break;
		case ARG_SRC: arg_driver_source = optarg; break;
		case ARG_HEADERS: arg_headers = optarg; break;
		case ARG_BTIMEOUT:
			if (parse_seconds(optarg, &arg_build_timeout) < 0)
				return log_error_errno(-EINVAL, "Invalid --build-timeout '%s': seconds, 1..86400", optarg);
			break;
		case ARG_WORKDIR: arg_work_dir = optarg; break;
		case ARG_PARAM: {
			size_t len = strlen(arg_module_params);
			if (!strchr(optarg, '=') || strpbrk(optarg, " \t\n") ||
			    len + strlen(optarg) + 2 > sizeof(arg_module_params))
				return log_error_errno(-EINVAL, "Invalid --module-param '%s': use key=value without spaces", optarg);
			snprintf(arg_module_params + len, sizeof(arg_module_params) - len, "%s%s",
				 len ? " " : "", optarg);
			break;
		}
		case ARG_CHOICE: arg_choice_file = optarg; break;
		case ARG_OUT: arg_out = optarg; break;
		case ARG_FROM: arg_from = optarg; break;
		case ARG_SELECT:
			if (arg_n_select >= ARG_LIST_MAX)
				return log_error_errno(-E2BIG, "Too many --select patterns (at most %d)", ARG_LIST_MAX);
			arg_select[arg_n_select++] = optarg;
			break;
		case ARG_LOGFMT:
			if (streq(optarg, "json"))
				log_set_format(LOG_FORMAT_JSON);
			else if (streq(optarg, "text"))
				log_set_format(LOG_FORMAT_TEXT);
			else
				return log_error_errno(-EINVAL, "Invalid --log-format '%s': use text or json", optarg);
			if (streq(optarg, "json"))
				arg_fetch.progress = false;
			break;
		case ARG_LOGLEVEL:
			r = log_level_from_string(optarg);
			if (r < 0)
				return log_error_errno(r, "Invalid --log-level '%s': use error, warning, info or debug", optarg);
			log_set_max_level(r);
			break;
		case ':':
			return log_error_errno(-EINVAL, "Option '%s' needs a value: see --help",
					       argv[optind - 1]);
		case '?':
			if (optopt)
				return log_error_errno(-EINVAL, "Unknown option '-%c': see --help", optopt);
			return log_error_errno(-EINVAL, "Unknown option '%s': see --help", argv[optind - 1]);
		default:
			return -EINVAL;
		}
	}
	if ((env = getenv("OSPREY_DRIVER_REPOS")) && *env && arg_repos.n == 0) {
		r = repo_list_add_many(&arg_repos, env);
		if (r < 0)
			return log_error_errno(r, "Invalid $OSPREY_DRIVER_REPOS '%s': ';'-separated file://, http:// or https:// URLs", env);
	}
	if (!arg_verify_set && !arg_public_key)
		arg_verify = VERIFY_IF_SIGNED;
	if (arg_public_key && arg_verify != VERIFY_REQUIRED)
		log_warning("Verification policy '%s': downloads may not be signed by the configured key",
			    verify_policy_to_string(arg_verify));
	if (arg_verify == VERIFY_OFF)
		log_warning("Verification is off: drivers are checked against nothing but their sizes");
	return 0;
}

static int detect(struct target *t)
{
	struct target_opts o = {
		.host_root = arg_host_root,
		.kernel_release = arg_kernel_release,
		.kernel_version = arg_kernel_version,
		.arch = arg_arch,
		.target = arg_target,
	};
	int r = target_detect(&o, t);

	if (r == -ENOENT)
		return log_error_errno(r, "Cannot detect the distribution: no %s/etc/os-release; mount the host's /etc under --host-root or pass --target",
				       arg_host_root ? arg_host_root : "");
	if (r == -EINVAL) {
		/* Name the part that cannot go into a file name, and where it came from. */
		const struct { const char *what, *value, *from; } parts[] = {
			{ "target", t->target, arg_target ? "--target" : "the host's os-release ID" },
			{ "kernel release", t->kernel_release, arg_kernel_release ? "--kernel-release" : "the host's kernel" },
			{ "kernel version", t->kernel_version, arg_kernel_version ? "--kernel-version" : "the host's uname -v" },
			{ "arch", t->arch, arg_arch ? "--arch" : "uname -m" },
		};
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
			if (!parts[i].value[0] || strchr(parts[i].value, '/'))
				return log_error_errno(r, "Invalid %s '%s' (from %s): it becomes part of file names and URLs, so it cannot be empty or contain '/'; pass --target, --kernel-release and --kernel-version",
						       parts[i].what, parts[i].value, parts[i].from);
	}
	if (r < 0)
		return log_error_errno(r, "Cannot detect the target (%m): pass --target, --kernel-release and --kernel-version");
	return 0;
}

/* Loads the public key; exit code on failure. */
static int load_public_key(EVP_PKEY **ret)
{
	int r;

	*ret = NULL;
	if (!arg_public_key) {
		if (arg_verify_set && arg_verify == VERIFY_REQUIRED) {
			log_error("--verify=required needs --public-key (or $OSPREY_DRIVER_PUBKEY)");
			return -EINVAL;
		}
		return 0;
	}
	r = key_load_public(arg_public_key, ret);
	if (r < 0)
		return log_error_errno(r, "Cannot load public key '%s' (%m): expected a PEM Ed25519 public key from `keygen`", arg_public_key);
	return 0;
}

static void locate_opts_init(struct locate_opts *o, const struct target *t, EVP_PKEY *key)
{
	*o = (struct locate_opts){
		.target = t,
		.driver_name = arg_driver_name,
		.driver_version = arg_driver_version,
		.cache_dir = arg_cache_dir,
		.repos = &arg_repos,
		.fetch = &arg_fetch,
		.public_key = key,
		.policy = arg_verify,
		.skip_cache = arg_skip_cache,
	};
}

static int verb_info(int argc, char *argv[])
{
	char name[PATH_MAX_LEN], url[PATH_MAX_LEN], hdr[PATH_MAX_LEN];
	struct probe_result p;
	struct target t;
	int r;

	r = detect(&t);
	if (r < 0)
		return EXIT_FAILURE_GENERIC;
	printf("distribution:    %s %s\n", t.id, t.version_id);
	printf("fix-up:          %s\n", t.fixup);
	printf("target:          %s\n", t.target);
	printf("kernel release:  %s\n", t.kernel_release);
	printf("kernel version:  %s\n", t.kernel_version);
	printf("build release:   %s\n", t.build_release);
	printf("running release: %s\n", t.running_release);
	printf("arch:            %s\n", t.arch);
	printf("driver:          %s %s (API %s)\n", arg_driver_name, arg_driver_version,
	       OSPREY_API_VERSION);
	printf("verification:    %s%s%s\n", verify_policy_to_string(arg_verify),
	       arg_public_key ? ", key " : ", no key", arg_public_key ? arg_public_key : "");
	for (size_t i = 0; locate_suffixes[i]; i++) {
		if (target_artifact_name(&t, arg_driver_name, locate_suffixes[i], name, sizeof(name)) < 0)
			return EXIT_FAILURE_GENERIC;
		printf("artifact:        %s\n", name);
	}
	target_artifact_name(&t, arg_driver_name, ".ko", name, sizeof(name));
	printf("cache:           %s/%s/%s/%s\n", arg_cache_dir, arg_driver_version, t.arch, name);
	for (size_t i = 0; i < arg_repos.n; i++) {
		repo_url_build(arg_repos.urls[i], arg_driver_version, t.arch, "index.json", url, sizeof(url));
		printf("url:             %s\n", url);
		for (size_t j = 0; locate_suffixes[j]; j++) {
			target_artifact_name(&t, arg_driver_name, locate_suffixes[j], name, sizeof(name));
			repo_url_build(arg_repos.urls[i], arg_driver_version, t.arch, name, url, sizeof(url));
			printf("url:             %s\n", url);
		}
	}
	if (arg_repos.n == 0)
		printf("url:             (no repositories: --repo or $OSPREY_DRIVER_REPOS)\n");
	if (arg_headers)
		printf("headers:         %s\n", arg_headers);
	else if (build_find_headers(arg_host_root, t.build_release, hdr, sizeof(hdr)) >= 0)
		printf("headers:         %s\n", hdr);
	else
		printf("headers:         not found (tried %s)\n", hdr);
	probe_run(&p);
	printf("features:        btf=%s ringbuf=%s tp_btf=%s modules=%s\n", p.btf ? "yes" : "no",
	       p.ringbuf ? "yes" : "no", p.tp_btf ? "yes" : "no", p.modules ? "yes" : "no");
	return EXIT_OK;
}

/* Finds the module: cache, repositories, then the build fallback. Returns an exit code. */
static int obtain_module(const struct target *t, char *ko, size_t size)
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	struct locate_opts o;
	struct repo_list none = {};
	char source[PATH_MAX_LEN] = "";
	int r;

	if (load_public_key(&key) < 0)
		return EXIT_USAGE;
	locate_opts_init(&o, t, key);
	if (arg_no_download)
		o.repos = &none;
	r = locate_driver(&o, ko, size, source, sizeof(source));
	if (r >= 0) {
		log_info("Driver ready: %s (from %s)", ko, source);
		return EXIT_OK;
	}
	if (r == -EBADMSG && arg_no_build) {
		log_error("No verified driver: every copy found was rejected (see above)");
		return EXIT_VERIFY;
	}
	if (r != -ENOENT && r != -EBADMSG) {
		log_error_errno(r, "Cannot obtain the driver: %m");
		return EXIT_FAILURE_GENERIC;
	}
	if (arg_no_build) {
		log_error("No prebuilt driver for %s %s %s %s in the cache or %zu repositories, and --no-build",
			  t->target, t->kernel_release, t->kernel_version, t->arch, o.repos->n);
		return EXIT_NOT_FOUND;
	}
	log_info("No prebuilt driver found%s: building it from source",
		 r == -EBADMSG ? " that passed verification" : "");
	return -1; /* caller builds */
}

static int do_build(const struct target *t, char *ko, size_t size)
{
	char headers[PATH_MAX_LEN], src[PATH_MAX_LEN], cache[PATH_MAX_LEN], name[PATH_MAX_LEN];
	struct build_result res;
	int r;

	if (arg_headers)
		snprintf(headers, sizeof(headers), "%s", arg_headers);
	else if (build_find_headers(arg_host_root, t->build_release, headers, sizeof(headers)) < 0) {
		log_error("Build failed: no kernel headers for %s (tried %s): install the headers package on the node or pass --headers",
			  t->build_release, headers);
		return EXIT_BUILD;
	}
	if (arg_driver_source)
		snprintf(src, sizeof(src), "%s", arg_driver_source);
	else
		snprintf(src, sizeof(src), "/usr/src/%s-%s", arg_driver_name, arg_driver_version);
	r = build_module(src, headers, arg_work_dir, arg_driver_name, arg_build_timeout, &res);
	if (r < 0) {
		if (res.log_path[0] && access(res.log_path, R_OK) == 0) {
			fprintf(stderr, "Last lines of %s:\n", res.log_path);
			build_print_log_tail(res.log_path, BUILD_LOG_TAIL_LINES);
		}
		log_error("Build failed: %s", res.summary[0] ? res.summary : strerror(-r));
		return EXIT_BUILD;
	}
	if (path_join(cache, sizeof(cache), "%s/%s/%s", arg_cache_dir, arg_driver_version, t->arch) < 0 ||
	    target_artifact_name(t, arg_driver_name, "", name, sizeof(name)) < 0 ||
	    path_join(ko, size, "%s/%s.ko", cache, name) < 0) {
		build_remove(&res);
		return EXIT_FAILURE_GENERIC;
	}
	r = locate_cache_store(cache, name, res.ko_path);
	build_remove(&res);
	if (r < 0) {
		log_error_errno(r, "Cannot store the built module in '%s': %m", cache);
		return EXIT_FAILURE_GENERIC;
	}
	log_info("Driver ready: %s (built against %s)", ko, headers);
	return EXIT_OK;
}

static int write_choice(const char *driver, const char *path, const char *release,
			const char *reason)
{
	struct driver_choice c = {};
	int r;

	snprintf(c.driver, sizeof(c.driver), "%s", driver);
	snprintf(c.path, sizeof(c.path), "%s", path);
	snprintf(c.module, sizeof(c.module), "%s", streq(driver, "kmod") ? arg_driver_name : "");
	snprintf(c.dev_dir, sizeof(c.dev_dir), "%s", streq(driver, "kmod") ? "/dev" : "");
	snprintf(c.api_version, sizeof(c.api_version), "%s", OSPREY_API_VERSION);
	snprintf(c.kernel_release, sizeof(c.kernel_release), "%s", release);
	snprintf(c.reason, sizeof(c.reason), "%s", reason);
	r = choice_write(arg_choice_file, &c);
	if (r < 0)
		return log_error_errno(r, "Cannot write the driver choice to '%s': %m (is the shared volume mounted?)",
				       arg_choice_file);
	log_info("Wrote %s: driver=%s", arg_choice_file, driver);
	return 0;
}

static int run_kmod(const char *reason)
{
	char ko[PATH_MAX_LEN], why[512];
	struct target t;
	int r, ec;

	if (detect(&t) < 0)
		return EXIT_FAILURE_GENERIC;
	if (!kmod_kernel_has_module_support()) {
		log_error("Cannot use the kernel module: %s", kmod_explain(-ENOSYS));
		return EXIT_LOAD;
	}
	ec = obtain_module(&t, ko, sizeof(ko));
	if (ec < 0)
		ec = do_build(&t, ko, sizeof(ko));
	if (ec != EXIT_OK)
		return ec;
	r = kmod_check_compat(ko, t.running_release, why, sizeof(why));
	if (r < 0) {
		log_error("Refusing to load %s: %s", ko, why);
		return EXIT_LOAD;
	}
	r = kmod_unload(arg_driver_name, arg_unload_retries);
	if (r == -EBUSY)
		log_warning("The loaded '%s' module is busy (still in use?): trying the insert anyway",
			    arg_driver_name);
	else if (r < 0)
		log_warning("Cannot unload the old '%s' module: %s", arg_driver_name, strerror(-r));
	r = kmod_insert(ko, arg_module_params[0] ? arg_module_params : NULL);
	if (r < 0) {
		log_error("Cannot insert %s: %s (%s)", ko, kmod_explain(r), strerror(-r));
		return EXIT_LOAD;
	}
	log_info("Inserted %s", ko);
	return write_choice("kmod", ko, t.running_release, reason) < 0 ? EXIT_FAILURE_GENERIC : EXIT_OK;
}

static const char *running_release(void)
{
	static struct utsname u;

	uname(&u);
	return u.release;
}

static int verb_kmod(int argc, char *argv[])
{
	return run_kmod("kernel module requested (kmod)");
}

static int verb_ebpf(int argc, char *argv[])
{
	struct probe_result p;
	enum driver_kind k;
	char reason[512];

	probe_run(&p);
	if (probe_choose(&p, &k, reason, sizeof(reason)) < 0 || k != DRIVER_EBPF) {
		log_error("Cannot use the eBPF probe: %s", reason);
		return EXIT_NO_DRIVER;
	}
	log_info("Using the eBPF probe: %s", reason);
	return write_choice("ebpf", "", running_release(), reason) < 0 ? EXIT_FAILURE_GENERIC : EXIT_OK;
}

static int verb_auto(int argc, char *argv[])
{
	struct probe_result p;
	enum driver_kind k;
	char reason[512];

	probe_run(&p);
	if (probe_choose(&p, &k, reason, sizeof(reason)) < 0) {
		log_error("No driver can run on this kernel: %s", reason);
		return EXIT_NO_DRIVER;
	}
	log_info("auto: chose %s: %s", driver_kind_to_string(k), reason);
	if (arg_dry_run) {
		printf("driver=%s\nreason=%s\n", driver_kind_to_string(k), reason);
		log_info("auto: dry run: nothing written, loaded or downloaded (the choice would go to %s)",
			 arg_choice_file);
		return EXIT_OK;
	}
	if (k == DRIVER_KMOD)
		return run_kmod(reason);
	return write_choice("ebpf", "", running_release(), reason) < 0 ? EXIT_FAILURE_GENERIC : EXIT_OK;
}

static int verb_fetch(int argc, char *argv[])
{
	char ko[PATH_MAX_LEN];
	struct target t;
	int ec;

	if (detect(&t) < 0)
		return EXIT_FAILURE_GENERIC;
	arg_no_build = true;
	ec = obtain_module(&t, ko, sizeof(ko));
	if (ec == EXIT_OK)
		printf("%s\n", ko);
	return ec;
}

static int verb_build(int argc, char *argv[])
{
	char ko[PATH_MAX_LEN];
	struct target t;
	int ec;

	if (detect(&t) < 0)
		return EXIT_FAILURE_GENERIC;
	ec = do_build(&t, ko, sizeof(ko));
	if (ec == EXIT_OK)
		printf("%s\n", ko);
	return ec;
}

static int verb_unload(int argc, char *argv[])
{
	int r;

	if (!kmod_kernel_has_module_support()) {
		log_info("Nothing to unload: %s", kmod_explain(-ENOSYS));
		return EXIT_OK;
	}
	r = kmod_unload(arg_driver_name, arg_unload_retries);
	if (r < 0) {
		log_error("Cannot unload '%s': %s", arg_driver_name, kmod_explain(r));
		return EXIT_LOAD;
	}
	return EXIT_OK;
}

static int verb_keygen(int argc, char *argv[])
{
	int r;

	if (argc != 3) {
		log_error("keygen takes two arguments: PRIVATE.pem PUBLIC.pem");
		return EXIT_USAGE;
	}
	r = key_generate(argv[1], argv[2]);
	if (r < 0) {
		log_error_errno(r, "Cannot write the key pair %s, %s: %m%s", argv[1], argv[2],
				r == -EEXIST ? " (refusing to overwrite)" : "");
		return EXIT_FAILURE_GENERIC;
	}
	log_info("Wrote private key %s (keep it secret) and public key %s", argv[1], argv[2]);
	return EXIT_OK;
}

/* Writes dir/index.json and dir/index.json.sig for the artifacts in dir. */
static int sign_dir(const char *dir, const char *version, const char *arch, EVP_PKEY *key)
{
	_cleanup_free_ char *json = NULL;
	char p[PATH_MAX_LEN];
	uint8_t sig[ED25519_SIG_LEN];
	struct index idx;
	size_t len;
	int r;

	r = index_build_dir(dir, version, arch, &idx);
	if (r < 0)
		return log_error_errno(r, "Cannot index '%s': %m", dir);
	r = index_to_json(&idx, &json, &len);
	index_done(&idx);
	if (r < 0)
		return log_error_errno(r, "Cannot serialize the index: %m");
	r = sig_sign(key, json, len, sig);
	if (r < 0)
		return log_error_errno(r, "Cannot sign the index: %m");
	if (path_join(p, sizeof(p), "%s/index.json", dir) < 0)
		return -ENAMETOOLONG;
	r = write_file_atomic(p, json, len, 0644);
	if (r >= 0 && path_join(p, sizeof(p), "%s/index.json.sig", dir) >= 0)
		r = write_file_atomic(p, sig, sizeof(sig), 0644);
	if (r < 0)
		return log_error_errno(r, "Cannot write '%s': %m", p);
	log_info("Signed %s/index.json", dir);
	return 0;
}

static int load_private_key(EVP_PKEY **ret)
{
	int r;

	if (!arg_private_key) {
		log_error("Signing needs --private-key (from `keygen`)");
		return -EINVAL;
	}
	r = key_load_private(arg_private_key, ret);
	if (r < 0)
		return log_error_errno(r, "Cannot load private key '%s' (%m): expected a PEM Ed25519 key from `keygen`", arg_private_key);
	return 0;
}

static int verb_sign(int argc, char *argv[])
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	char buf[PATH_MAX_LEN], *arch, *version, *slash;

	if (argc != 2) {
		log_error("sign takes one argument: the <repo>/<driver version>/<arch> directory");
		return EXIT_USAGE;
	}
	if (load_private_key(&key) < 0)
		return EXIT_USAGE;
	/* Version and arch are the last two components of the directory. */
	if (path_join(buf, sizeof(buf), "%s", argv[1]) < 0)
		return EXIT_USAGE;
	while (strlen(buf) > 1 && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
	slash = strrchr(buf, '/');
	if (!slash) {
		log_error("'%s' must be a <repo>/<driver version>/<arch> directory", argv[1]);
		return EXIT_USAGE;
	}
	*slash = '\0';
	arch = slash + 1;
	version = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	return sign_dir(argv[1], version, arch, key) < 0 ? EXIT_FAILURE_GENERIC : EXIT_OK;
}

/* mirror build HEADERS[:RELEASE[:VERSION]]... : builds one module per header tree into --out. */
static int mirror_build(int argc, char *argv[])
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	char dir[PATH_MAX_LEN], src[PATH_MAX_LEN], dst[PATH_MAX_LEN], name[PATH_MAX_LEN];
	struct utsname u;
	int failures = 0, r;

	if (!arg_out || argc < 2) {
		log_error("mirror build needs --out DIR, --private-key and one or more HEADERS[:RELEASE[:VERSION]]");
		return EXIT_USAGE;
	}
	if (!arg_target) {
		log_error("mirror build needs --target (e.g. debian, ubuntu-generic)");
		return EXIT_USAGE;
	}
	if (load_private_key(&key) < 0)
		return EXIT_USAGE;
	uname(&u);
	if (path_join(dir, sizeof(dir), "%s/%s/%s", arg_out, arg_driver_version,
		      arg_arch ? arg_arch : u.machine) < 0 || util_mkdir_p(dir) < 0) {
		log_error("Cannot create '%s'", dir);
		return EXIT_FAILURE_GENERIC;
	}
	if (arg_driver_source)
		snprintf(src, sizeof(src), "%s", arg_driver_source);
	else
		snprintf(src, sizeof(src), "/usr/src/%s-%s", arg_driver_name, arg_driver_version);
	for (int i = 1; i < argc; i++) {
		char spec[PATH_MAX_LEN], relfile[PATH_MAX_LEN + 32], *release = NULL;
		const char *version = "1";
		_cleanup_free_ char *rel = NULL;
		struct build_result res;
		struct target t = {};

		snprintf(spec, sizeof(spec), "%s", argv[i]);
		if ((release = strchr(spec, ':'))) {
			*release++ = '\0';
			char *v = strchr(release, ':');
			if (v) {
				*v++ = '\0';
				version = v;
			}
		} else {
			snprintf(relfile, sizeof(relfile), "%s/include/config/kernel.release", spec);
			if (read_file_full(relfile, 255, &rel, NULL) < 0) {
				log_error("%s: no include/config/kernel.release: give HEADERS:RELEASE", spec);
				failures++;
				continue;
			}
			rel[strcspn(rel, "\n")] = '\0';
			release = rel;
		}
		snprintf(t.target, sizeof(t.target), "%s", arg_target);
		snprintf(t.kernel_release, sizeof(t.kernel_release), "%s", release);
		snprintf(t.kernel_version, sizeof(t.kernel_version), "%s", version);
		if (target_artifact_name(&t, arg_driver_name, ".ko", name, sizeof(name)) < 0 ||
		    !index_name_is_valid(name)) {
			log_error("%s: invalid artifact name for release '%s' version '%s'", spec, release, version);
			failures++;
			continue;
		}
		r = build_module(src, spec, arg_work_dir, arg_driver_name, arg_build_timeout, &res);
		if (r < 0) {
			if (res.log_path[0])
				build_print_log_tail(res.log_path, BUILD_LOG_TAIL_LINES);
			log_error("%s: build failed: %s", spec, res.summary[0] ? res.summary : strerror(-r));
			failures++;
			continue;
		}
		if (path_join(dst, sizeof(dst), "%s/%s", dir, name) < 0 ||
		    copy_file_atomic(res.ko_path, dst, 0644) < 0) {
			build_remove(&res);
			log_error("%s: cannot write '%s'", spec, dst);
			failures++;
			continue;
		}
		build_remove(&res);
		log_info("Built %s", dst);
	}
	if (sign_dir(dir, arg_driver_version, arg_arch ? arg_arch : u.machine, key) < 0)
		return EXIT_FAILURE_GENERIC;
	return failures ? EXIT_BUILD : EXIT_OK;
}

static bool selected(const char *name)
{
	if (arg_n_select == 0)
		return true;
	for (size_t i = 0; i < arg_n_select; i++)
		if (fnmatch(arg_select[i], name, 0) == 0)
			return true;
	return false;
}

/* mirror sync: copies the verified index and the selected artifacts of --from into --out. */
static int mirror_sync(int argc, char *argv[])
{
	_cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
	_cleanup_free_ char *data = NULL, *sig = NULL;
	char dir[PATH_MAX_LEN], dir_url[PATH_MAX_LEN], url[PATH_MAX_LEN], dst[PATH_MAX_LEN];
	char reason[1024], from[2048];
	struct locate_opts o;
	struct target t = {};
	struct index idx;
	struct utsname u;
	const char *why = NULL;
	size_t len = 0, siglen = 0, copied = 0;
	int r, failures = 0;

	if (!arg_out || !arg_from) {
		log_error("mirror sync needs --from URL and --out DIR");
		return EXIT_USAGE;
	}
	if (load_public_key(&key) < 0)
		return EXIT_USAGE;
	uname(&u);
	snprintf(t.arch, sizeof(t.arch), "%.63s", arg_arch ? arg_arch : u.machine);
	locate_opts_init(&o, &t, key);
	if (path_join(from, sizeof(from), "%s", arg_from) < 0) {
		log_error("--from URL is too long");
		return EXIT_USAGE;
	}
	while (strlen(from) > 0 && from[strlen(from) - 1] == '/')
		from[strlen(from) - 1] = '\0';
	if (repo_url_build(from, arg_driver_version, t.arch, "", dir_url, sizeof(dir_url)) < 0)
		return EXIT_USAGE;
	dir_url[strlen(dir_url) - 1] = '\0';
	r = locate_fetch_index(&o, dir_url, &data, &len, &sig, &siglen, reason, sizeof(reason));
	if (r < 0) {
		log_error("Cannot sync: %s", r == -ENOENT ? "upstream has no index.json" : reason);
		return r == -EBADMSG ? EXIT_VERIFY : EXIT_NOT_FOUND;
	}
	if (index_parse(data, len, &idx, &why) < 0) {
		log_error("Cannot sync: %s/index.json: %s", dir_url, why);
		return EXIT_VERIFY;
	}
	if (path_join(dir, sizeof(dir), "%s/%s/%s", arg_out, arg_driver_version, t.arch) < 0 ||
	    util_mkdir_p(dir) < 0) {
		index_done(&idx);
		log_error("Cannot create '%s'", dir);
		return EXIT_FAILURE_GENERIC;
	}
	for (size_t i = 0; i < idx.n; i++) {
		const struct index_entry *e = &idx.entries[i];

		if (!selected(e->name))
			continue;
		if (repo_url_build(from, arg_driver_version, t.arch, e->name, url, sizeof(url)) < 0 ||
		    path_join(dst, sizeof(dst), "%s/%s", dir, e->name) < 0)
			continue;
		r = locate_download_verified(&o, url, dst, e->size, e->sha256, reason, sizeof(reason));
		if (r < 0) {
			log_error("%s", reason);
			failures++;
			continue;
		}
		copied++;
	}
	index_done(&idx);
	/* The upstream index and signature are kept byte for byte: clients verify them as they are. */
	if (path_join(dst, sizeof(dst), "%s/index.json", dir) < 0 ||
	    write_file_atomic(dst, data, len, 0644) < 0) {
		log_error("Cannot write '%s'", dst);
		return EXIT_FAILURE_GENERIC;
	}
	if (sig && (path_join(dst, sizeof(dst), "%s/index.json.sig", dir) < 0 ||
		    write_file_atomic(dst, sig, siglen, 0644) < 0)) {
		log_error("Cannot write '%s'", dst);
		return EXIT_FAILURE_GENERIC;
	}
	log_info("Synced %zu artifacts from %s into %s", copied, dir_url, dir);
	return failures ? EXIT_VERIFY : EXIT_OK;
}

struct verb {
	const char *name;
	int (*run)(int argc, char *argv[]);
};

static int verb_mirror(int argc, char *argv[])
{
	if (argc >= 2 && streq(argv[1], "build"))
		return mirror_build(argc - 1, argv + 1);
	if (argc >= 2 && streq(argv[1], "sync"))
		return mirror_sync(argc - 1, argv + 1);
	log_error("mirror takes 'build' or 'sync'");
	return EXIT_USAGE;
}

static const struct verb verbs[] = {
	{ "auto", verb_auto },	   { "kmod", verb_kmod },     { "ebpf", verb_ebpf },
	{ "info", verb_info },	   { "fetch", verb_fetch },   { "build", verb_build },
	{ "unload", verb_unload }, { "keygen", verb_keygen }, { "sign", verb_sign },
	{ "mirror", verb_mirror },
};

int main(int argc, char *argv[])
{
	const char *name;
	int r, ec = EXIT_USAGE;

	log_set_program("osprey-driver-loader");
	r = parse_argv(argc, argv);
	if (r < 0)
		goto out;
	name = optind < argc ? argv[optind] : "auto";
	if (arg_dry_run && !streq(name, "auto")) {
		log_error("--dry-run is for 'auto' only (got '%s')", name);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (!streq(verbs[i].name, name))
			continue;
		if (fetch_global_init() < 0) {
			ec = EXIT_FAILURE_GENERIC;
			goto out;
		}
		ec = verbs[i].run(optind < argc ? argc - optind : 1,
				  optind < argc ? argv + optind : (char *[]){ (char *)"auto", NULL });
		fetch_global_cleanup();
		goto out;
	}
	log_error("Unknown command '%s': see --help", name);
out:
	repo_list_free(&arg_repos);
	return ec;
}
