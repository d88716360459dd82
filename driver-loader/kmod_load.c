// SPDX-License-Identifier: Apache-2.0
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <time.h>

#include <libkmod.h>

#include "kmod_load.h"
#include "log.h"
#include "util.h"

bool kmod_kernel_has_module_support(void)
{
	return access("/proc/modules", F_OK) == 0;
}

_printf_(6, 0) static void kmod_log_cb(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	/* libkmod lines end in '\n'; the logger adds its own. */
	char buf[1024];
	size_t len;

	vsnprintf(buf, sizeof(buf), format, args);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	/* The caller logs the failure once; libkmod's own lines are details. */
	log_internal(LOG_DEBUG, 0, file, line, fn, "libkmod: %s", buf);
}

static void kmod_unrefp(struct kmod_ctx **c)
{
	if (*c)
		kmod_unref(*c);
}

static void kmod_module_unrefp(struct kmod_module **m)
{
	if (*m)
		kmod_module_unref(*m);
}

static int ctx_new(struct kmod_ctx **ret)
{
	struct kmod_ctx *c = kmod_new(NULL, NULL);

	if (!c)
		return -ENOMEM;
	/* Everything libkmod says goes to our logger, at debug level. */
	kmod_set_log_fn(c, kmod_log_cb, NULL);
	kmod_set_log_priority(c, log_get_max_level() >= LOG_DEBUG ? LOG_DEBUG : LOG_ERR);
	*ret = c;
	return 0;
}

int kmod_file_vermagic(const char *path, char *buf, size_t size)
{
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
	struct kmod_list *info = NULL, *l;
	int r;

	r = ctx_new(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_path(ctx, path, &mod);
	if (r < 0)
		return r;
	r = kmod_module_get_info(mod, &info);
	if (r < 0)
		return r;
	r = -ENODATA;
	kmod_list_foreach(l, info) {
		if (streq(kmod_module_info_get_key(l), "vermagic")) {
			const char *v = kmod_module_info_get_value(l);
			r = path_join(buf, size, "%s", v ? v : "");
			break;
		}
	}
	kmod_module_info_free_list(info);
	return r;
}

static int host_elf_machine(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -1;
	if (streq(u.machine, "x86_64"))
		return EM_X86_64;
	if (streq(u.machine, "aarch64"))
		return EM_AARCH64;
	if (startswith(u.machine, "s390"))
		return EM_S390;
	if (startswith(u.machine, "ppc64"))
		return EM_PPC64;
	if (startswith(u.machine, "riscv"))
		return EM_RISCV;
	return -1;
}

int kmod_check_compat(const char *path, const char *release, char *reason, size_t reason_size)
{
	char vm[512];
	Elf64_Ehdr eh;
	int r, host;
	size_t rlen = strlen(release);

	{
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return negative_errno();
		if (read(fd, &eh, sizeof(eh)) != (ssize_t)sizeof(eh) ||
		    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
			snprintf(reason, reason_size, "'%s' is not an ELF kernel module", path);
			return -ENOEXEC;
		}
	}
	host = host_elf_machine();
	if (host >= 0 && eh.e_machine != host) {
		snprintf(reason, reason_size,
			 "module is built for ELF machine %u, this kernel is machine %d (wrong architecture)",
			 eh.e_machine, host);
		return -ENOEXEC;
	}
	r = kmod_file_vermagic(path, vm, sizeof(vm));
	if (r < 0) {
		snprintf(reason, reason_size, "cannot read the module's vermagic: %s", strerror(-r));
		return r == -ENODATA ? -ENOEXEC : r;
	}
	if (strncmp(vm, release, rlen) != 0 || (vm[rlen] != ' ' && vm[rlen] != '\0')) {
		snprintf(reason, reason_size,
			 "module vermagic '%.*s' does not match the running kernel '%s'",
			 (int)strcspn(vm, " "), vm, release);
		return -ENOEXEC;
	}
	return 0;
}

int kmod_unload(const char *name, unsigned retries)
{
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
	int r;

	if (!kmod_kernel_has_module_support())
		return 0;
	r = ctx_new(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_name(ctx, name, &mod);
	if (r < 0)
		return r;
	for (unsigned i = 0;; i++) {
		r = kmod_module_get_initstate(mod);
		if (r == -ENOENT)
			return 0;
		r = kmod_module_remove_module(mod, 0);
		if (r >= 0 || r == -ENOENT)
			return 0;
		if (r != -EBUSY && r != -EAGAIN)
			return r;
		if (i >= retries)
			return -EBUSY;
		log_debug("Module '%s' is busy, retrying", name);
		nanosleep(&(struct timespec){ .tv_nsec = 500000000L }, NULL);
	}
}

int kmod_insert(const char *path, const char *params)
{
	_cleanup_(kmod_unrefp) struct kmod_ctx *ctx = NULL;
	_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
	int r;

	if (!kmod_kernel_has_module_support())
		return -ENOSYS;
	r = ctx_new(&ctx);
	if (r < 0)
		return r;
	r = kmod_module_new_from_path(ctx, path, &mod);
	if (r < 0)
		return r;
	return kmod_module_insert_module(mod, 0, params);
}

static bool file_contains(const char *path, const char *needle)
{
	char buf[256];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

const char *kmod_explain(int r)
{
	switch (-r) {
	case ENOSYS:
	case EOPNOTSUPP:
		return "kernel has no loadable module support (CONFIG_MODULES is off): use the eBPF probe";
	case ENOEXEC:
		return "kernel refused the module format: it was built for another kernel or architecture";
	case EKEYREJECTED:
	case ENOKEY:
		return "kernel rejected the module signature (Secure Boot / module.sig_enforce): sign it "
		       "with a key the kernel trusts (MOK) or use the eBPF probe";
	case EPERM:
	case EACCES:
		if (file_contains("/sys/kernel/security/lockdown", "[integrity]") ||
		    file_contains("/sys/kernel/security/lockdown", "[confidentiality]"))
			return "kernel lockdown (Secure Boot) refuses unsigned modules: sign the module "
			       "with an enrolled key or use the eBPF probe";
		if (file_contains("/proc/sys/kernel/modules_disabled", "1"))
			return "module loading is disabled (kernel.modules_disabled=1): use the eBPF probe";
		return "permission denied: loading modules needs CAP_SYS_MODULE (run the loader "
		       "privileged)";
	case ENOENT:
		return "module uses a symbol this kernel does not export (unknown symbol, see dmesg)";
	case EINVAL:
		return "kernel refused the module or its parameters (invalid parameter or symbol "
		       "version mismatch, see dmesg)";
	case EEXIST:
		return "a module with this name is already loaded";
	case EBUSY:
		return "the old module is still in use and could not be unloaded";
	default:
		return "kernel refused the module (see dmesg)";
	}
}
