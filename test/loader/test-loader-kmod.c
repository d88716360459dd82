// SPDX-License-Identifier: Apache-2.0
/*
 * Kernel-module checks that run on any machine, the driver choice and the
 * choice file. With arguments KO RELEASE (test-build.sh passes a module it
 * built against Debian's headers) it also checks that module's vermagic.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "choice.h"
#include "kmod_load.h"
#include "probe.h"
#include "test.h"
#include "util.h"

static void test_module_support(void)
{
	bool has = access("/proc/modules", F_OK) == 0;

	CHECK(kmod_kernel_has_module_support() == has);
	CHECK(strstr(kmod_explain(-ENOSYS), "no loadable module support") != NULL);
	CHECK(strstr(kmod_explain(-ENOEXEC), "another kernel or architecture") != NULL);
	CHECK(strstr(kmod_explain(-EKEYREJECTED), "signature") != NULL);
	CHECK(strstr(kmod_explain(-ENOENT), "unknown symbol") != NULL);
	if (!has) {
		/* This kernel: nothing can be inserted, and it says why. */
		CHECK_INT_EQ(kmod_insert("/nonexistent.ko", NULL), -ENOSYS);
		CHECK_INT_EQ(kmod_unload("osprey", 0), 0);
	}
}

static void test_choose(void)
{
	struct probe_result all = { .btf = true, .ringbuf = true, .tp_btf = true };
	struct probe_result nobtf = { .ringbuf = true, .modules = true, .tp_btf_error = -ENOENT };
	struct probe_result nothing = { .ringbuf = true, .tp_btf_error = -ENOENT };
	struct probe_result noring = { .btf = true, .tp_btf = true, .modules = true,
				       .ringbuf_error = -EINVAL };
	struct probe_result real;
	enum driver_kind k;
	char reason[512];

	CHECK_INT_EQ(probe_choose(&all, &k, reason, sizeof(reason)), 0);
	CHECK_INT_EQ(k, DRIVER_EBPF);
	CHECK(strstr(reason, "no loadable module support") != NULL);
	CHECK_INT_EQ(probe_choose(&nobtf, &k, reason, sizeof(reason)), 0);
	CHECK_INT_EQ(k, DRIVER_KMOD);
	CHECK(strstr(reason, "no BTF") != NULL);
	CHECK_INT_EQ(probe_choose(&noring, &k, reason, sizeof(reason)), 0);
	CHECK_INT_EQ(k, DRIVER_KMOD);
	CHECK(strstr(reason, "ring buffer") != NULL);
	CHECK_INT_EQ(probe_choose(&nothing, &k, reason, sizeof(reason)), -EOPNOTSUPP);
	CHECK(strstr(reason, "no loadable module support") != NULL);

	/* The real kernel: as root, BTF + ring buffer + tp_btf are probed by loading. */
	probe_run(&real);
	CHECK(real.btf == (access("/sys/kernel/btf/vmlinux", R_OK) == 0));
	CHECK(real.modules == kmod_kernel_has_module_support());
	if (geteuid() == 0 && real.btf)
		CHECK(real.ringbuf && real.tp_btf);
}

static void test_choice_file(void)
{
	char dir[] = "/tmp/osprey-choice-XXXXXX", p[128];
	struct driver_choice c = {}, back;
	char big[CHOICE_FILE_MAX + 16];
	unsigned line, major;
	int n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/run/osprey/driver", dir);
	snprintf(c.driver, sizeof(c.driver), "kmod");
	snprintf(c.path, sizeof(c.path), "/root/.osprey/0.1.0/x86_64/osprey_x.ko");
	snprintf(c.module, sizeof(c.module), "osprey");
	snprintf(c.api_version, sizeof(c.api_version), "1.0.0");
	snprintf(c.kernel_release, sizeof(c.kernel_release), "6.1.0-13-amd64");
	snprintf(c.reason, sizeof(c.reason), "eBPF probe cannot run: kernel has no BTF");
	CHECK_INT_EQ(choice_write(p, &c), 0);
	snprintf(c.dev_dir, sizeof(c.dev_dir), "/dev");
	CHECK_INT_EQ(choice_write(p, &c), 0);
	CHECK_INT_EQ(choice_read(p, &back, NULL), 0);
	CHECK_STR_EQ(back.driver, "kmod");
	CHECK_STR_EQ(back.path, c.path);
	CHECK_STR_EQ(back.module, "osprey");
	CHECK_STR_EQ(back.dev_dir, "/dev");
	CHECK_STR_EQ(back.api_version, "1.0.0");
	CHECK_STR_EQ(back.kernel_release, c.kernel_release);
	CHECK_STR_EQ(back.reason, c.reason);
	snprintf(c.reason, sizeof(c.reason), "two\nlines");
	CHECK_INT_EQ(choice_write(p, &c), -EINVAL);
	snprintf(c.reason, sizeof(c.reason), "x");
	snprintf(c.driver, sizeof(c.driver), "gvisor");
	CHECK_INT_EQ(choice_write(p, &c), -EINVAL);
	CHECK(write_file_atomic(p, "format=1\ndriver=nope\n", 21, 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, &line), -EBADMSG);
	CHECK_INT_EQ(line, 0);
	CHECK(write_file_atomic(p, "format=1\n\ngarbage\n", 18, 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, &line), -EBADMSG);
	CHECK_INT_EQ(line, 3); /* empty lines count */
	CHECK(write_file_atomic(p, "=kmod\n", 6, 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, &line), -EBADMSG);
	CHECK_INT_EQ(line, 1);
	/* A value longer than its field is refused, not cut. */
	n = snprintf(big, sizeof(big), "driver=kmod\nmodule=%070d\n", 0);
	CHECK(write_file_atomic(p, big, (size_t)n, 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, &line), -EBADMSG);
	CHECK_INT_EQ(line, 2);
	/* Bounded: a file larger than CHOICE_FILE_MAX is not read. */
	memset(big, '#', sizeof(big));
	CHECK(write_file_atomic(p, big, sizeof(big), 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, NULL), -EFBIG);
	/* Unknown keys are ignored: the format can grow. */
	CHECK(write_file_atomic(p, "# c\nfuture=1\ndriver=ebpf\n", 25, 0644) == 0);
	CHECK_INT_EQ(choice_read(p, &back, NULL), 0);
	CHECK_STR_EQ(back.driver, "ebpf");
	CHECK_STR_EQ(back.dev_dir, "");
	CHECK_INT_EQ(choice_read("/nonexistent/osprey/driver", &back, NULL), -ENOENT);

	CHECK_INT_EQ(choice_api_major("1.0.0", &major), 0);
	CHECK_INT_EQ(major, 1);
	CHECK_INT_EQ(choice_api_major("12.3.4", &major), 0);
	CHECK_INT_EQ(major, 12);
	CHECK_INT_EQ(choice_api_major("1", &major), -EINVAL);
	CHECK_INT_EQ(choice_api_major("x.0.0", &major), -EINVAL);
	CHECK_INT_EQ(choice_api_major("", &major), -EINVAL);
	rm_rf(dir);
}

/* A module built against Debian's headers for `release`. */
static void test_built_module(const char *ko, const char *release)
{
	char vm[512], reason[512];
	struct utsname u;

	CHECK_INT_EQ(kmod_file_vermagic(ko, vm, sizeof(vm)), 0);
	CHECK(strncmp(vm, release, strlen(release)) == 0 && vm[strlen(release)] == ' ');
	printf("vermagic: %s\n", vm);
	CHECK_INT_EQ(kmod_check_compat(ko, release, reason, sizeof(reason)), 0);
	uname(&u);
	if (!streq(u.release, release)) {
		CHECK_INT_EQ(kmod_check_compat(ko, u.release, reason, sizeof(reason)), -ENOEXEC);
		CHECK(strstr(reason, "does not match the running kernel") != NULL);
		printf("refused for %s: %s\n", u.release, reason);
	}
	/* The same module claiming another ELF machine (aarch64): wrong architecture. */
	{
		char copy[] = "/tmp/osprey-arch-XXXXXX";
		_cleanup_free_ char *data = NULL;
		size_t size = 0;
		int fd = mkstemp(copy);

		CHECK(fd >= 0);
		CHECK(read_file_full(ko, 64u << 20, &data, &size) == 0 && size > 20);
		if (data && size > 20) {
			data[18] = (char)183; /* e_machine = EM_AARCH64, little endian */
			data[19] = 0;
			CHECK(write(fd, data, size) == (ssize_t)size);
			CHECK_INT_EQ(kmod_check_compat(copy, release, reason, sizeof(reason)), -ENOEXEC);
			CHECK(strstr(reason, "wrong architecture") != NULL);
		}
		close(fd);
		unlink(copy);
	}
	CHECK_INT_EQ(kmod_check_compat("/proc/self/status", release, reason, sizeof(reason)), -ENOEXEC);
	CHECK(strstr(reason, "not an ELF") != NULL);
	if (!kmod_kernel_has_module_support())
		CHECK_INT_EQ(kmod_insert(ko, "a=1"), -ENOSYS);
}

int main(int argc, char *argv[])
{
	test_module_support();
	test_choose();
	test_choice_file();
	if (argc == 3)
		test_built_module(argv[1], argv[2]);
	return test_finish("test-loader-kmod");
}
