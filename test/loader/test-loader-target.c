// SPDX-License-Identifier: Apache-2.0
/*
 * Target detection and per-distribution fix-ups on fake host roots built here
 * (os-release, /etc/VERSION, proc/sys/kernel/{osrelease,version}), artifact
 * names and repository URLs.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "repo_url.h"
#include "target.h"
#include "test.h"
#include "util.h"

static char root[256];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void write_file(const char *rel, const char *content)
{
	char p[512], dir[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	CHECK(util_mkdir_p(dir) == 0);
	CHECK(write_file_atomic(p, content, strlen(content), 0644) == 0);
}

/* A fresh host root with only the given os-release. */
static void new_root(const char *os_release)
{
	if (root[0])
		nftw(root, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	snprintf(root, sizeof(root), "/tmp/osprey-target-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	if (os_release)
		write_file("/etc/os-release", os_release);
}

struct tcase {
	const char *os_release;
	const char *extra_file, *extra_content;
	const char *release, *uname_v;
	const char *want_target, *want_release, *want_version;
};

static const struct tcase cases[] = {
	{ "ID=ubuntu\nVERSION_ID=\"22.04\"\n", NULL, NULL, "5.15.0-76-generic",
	  "#83-Ubuntu SMP Thu Jun 15 19:16:32 UTC 2023", "ubuntu-generic", "5.15.0-76-generic", "83" },
	{ "ID=ubuntu\n", NULL, NULL, "5.15.0-1009-aws", "#9-Ubuntu SMP Thu May 12 10:05:20 UTC 2022",
	  "ubuntu-aws", "5.15.0-1009-aws", "9" },
	{ "ID=ubuntu\n", NULL, NULL, "5.0.0-1028-aws-5.0", "#31-Ubuntu SMP Tue Mar 26 UTC 2019",
	  "ubuntu-aws-5.0", "5.0.0-1028-aws-5.0", "31" },
	{ "ID=ubuntu\n", NULL, NULL, "6.2.0-26-generic",
	  "#26~22.04.1-Ubuntu SMP PREEMPT_DYNAMIC Thu Jul 13 16:27:29 UTC 2", "ubuntu-generic",
	  "6.2.0-26-generic", "26~22.04.1" },
	{ "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n", NULL, NULL,
	  "6.1.0-13-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)", "debian",
	  "6.1.55-1-amd64", "1" },
	{ "ID=debian\n", NULL, NULL, "5.10.0-0.deb10.22-rt-amd64",
	  "#1 SMP PREEMPT_RT Debian 5.10.178-3~deb10u1 (2023-06-04)", "debian", "5.10.178-3-rt-amd64",
	  "1" },
	{ "ID=debian\n", NULL, NULL, "6.1.0-13-cloud-arm64", "#1 SMP Debian 6.1.55-1 (2023-09-29)",
	  "debian", "6.1.55-1-cloud-arm64", "1" },
	{ "ID=\"amzn\"\nVERSION_ID=\"2\"\n", NULL, NULL, "4.14.171-136.231.amzn2.x86_64",
	  "#1 SMP Thu Feb 27 20:22:48 UTC 2020", "amazonlinux2", "4.14.171-136.231.amzn2.x86_64", "1" },
	{ "ID=amzn\nVERSION_ID=2022\n", NULL, NULL, "5.10.96-90.460.amzn2022.x86_64", "#1 SMP",
	  "amazonlinux2022", "5.10.96-90.460.amzn2022.x86_64", "1" },
	{ "ID=amzn\nVERSION_ID=\"2023\"\n", NULL, NULL, "6.1.34-59.116.amzn2023.x86_64", "#1 SMP",
	  "amazonlinux2023", "6.1.34-59.116.amzn2023.x86_64", "1" },
	{ "ID=amzn\nVERSION_ID=\"2018.03\"\n", NULL, NULL, "4.14.26-46.32.amzn1.x86_64", "#1 SMP",
	  "amazonlinux", "4.14.26-46.32.amzn1.x86_64", "1" },
	{ "NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.11.0\nVARIANT_ID=aws-k8s-1.24\n", NULL,
	  NULL, "5.15.59", "#1 SMP Wed Sep 7 2022", "bottlerocket", "5.15.59", "1_1.11.0-aws" },
	{ "NAME=Talos\nID=talos\nVERSION_ID=v1.4.1\n", NULL, NULL, "6.1.27-talos", "#1 SMP",
	  "talos", "6.1.27-talos", "1_v1.4.1" },
	{ "NAME=Buildroot\nID=buildroot\nVERSION_ID=2021.02.12\n", "/etc/VERSION",
	  "v1.26.0-1655407986\n", "5.10.57", "#1 SMP Thu Jun 16 21:01:29 UTC 2022", "minikube",
	  "5.10.57", "1_1.26.0" },
	{ "NAME=\"Flatcar Container Linux by Kinvolk\"\nID=flatcar\nVERSION_ID=3185.0.0\n", NULL, NULL,
	  "5.15.32-flatcar", "#1 SMP Mon Apr 11 2022", "flatcar", "3185.0.0", "1" },
	{ "NAME=\"Container-Optimized OS\"\nID=cos\nVERSION_ID=101\nBUILD_ID=17162.40.56\n", NULL, NULL,
	  "5.15.107+", "#1 SMP Sat May 13 09:56:03 UTC 2023", "cos", "5.15.107+", "17162.40.56" },
	{ "NAME=\"CentOS Linux\"\nID=\"centos\"\nVERSION_ID=\"7\"\n", NULL, NULL,
	  "3.10.0-957.12.2.el7.x86_64", "#1 SMP Tue May 14 21:24:32 UTC 2019", "centos",
	  "3.10.0-957.12.2.el7.x86_64", "1" },
	{ "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.2\"\n", NULL, NULL,
	  "5.14.0-284.11.1.el9_2.x86_64", "#1 SMP PREEMPT_DYNAMIC Wed Apr 12 UTC 2023", "rhel",
	  "5.14.0-284.11.1.el9_2.x86_64", "1" },
	{ "ID=fedora\nVERSION_ID=38\n", NULL, NULL, "6.2.9-300.fc38.x86_64", "#1 SMP PREEMPT_DYNAMIC",
	  "fedora", "6.2.9-300.fc38.x86_64", "1" },
	{ NULL, "/etc/centos-release", "CentOS release 6.10 (Final)\n", "2.6.32-754.el6.x86_64",
	  "#1 SMP Tue Jun 19 21:26:04 UTC 2018", "centos", "2.6.32-754.el6.x86_64", "1" },
};

static void test_cases_from_options(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct tcase *c = &cases[i];
		struct target_opts o = { .kernel_release = c->release, .kernel_version = c->uname_v,
					 .arch = "x86_64" };
		struct target t;

		new_root(c->os_release);
		if (c->extra_file)
			write_file(c->extra_file, c->extra_content);
		o.host_root = root;
		CHECK_INT_EQ(target_detect(&o, &t), 0);
		CHECK_STR_EQ(t.target, c->want_target);
		CHECK_STR_EQ(t.kernel_release, c->want_release);
		CHECK_STR_EQ(t.kernel_version, c->want_version);
		CHECK_STR_EQ(t.build_release, c->release);
		/* No proc files in this root: the running kernel is this machine's. */
		struct utsname u;
		uname(&u);
		CHECK_STR_EQ(t.running_release, u.release);
	}
}

/* The same, with release and version read from $HOST_ROOT/proc/sys/kernel like on a real host. */
static void test_proc_files(void)
{
	struct target_opts o = {};
	struct target t;
	char name[512];

	new_root("ID=debian\nVERSION_ID=\"12\"\n");
	write_file("/proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
	write_file("/proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\n");
	o.host_root = root;
	o.arch = "x86_64";
	CHECK_INT_EQ(target_detect(&o, &t), 0);
	CHECK_STR_EQ(t.target, "debian");
	CHECK_STR_EQ(t.kernel_release, "6.1.55-1-amd64");
	CHECK_STR_EQ(t.running_release, "6.1.0-13-amd64");
	CHECK_STR_EQ(t.build_release, "6.1.0-13-amd64");
	CHECK_STR_EQ(t.kernel_version, "1");
	CHECK_INT_EQ(target_artifact_name(&t, "osprey", ".ko", name, sizeof(name)), 0);
	CHECK_STR_EQ(name, "osprey_debian_6.1.55-1-amd64_1.ko");

	/* /usr/lib/os-release is the fallback. */
	new_root(NULL);
	write_file("/usr/lib/os-release", "ID=ubuntu\n");
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root,
							  .kernel_release = "5.15.0-76-generic",
							  .kernel_version = "#83-Ubuntu SMP" },
				   &t),
		     0);
	CHECK_STR_EQ(t.target, "ubuntu-generic");

	/* Nothing to go by: a clear -ENOENT. --target forces the name. */
	new_root(NULL);
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root }, &t), -ENOENT);
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root, .target = "vanilla",
							  .kernel_release = "6.6.1",
							  .kernel_version = "#3 SMP" },
				   &t),
		     0);
	CHECK_STR_EQ(t.target, "vanilla");
	CHECK_STR_EQ(t.kernel_version, "3");
	new_root("ID=debian\n");
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root, .target = "vanilla",
							  .kernel_release = "6.6.1",
							  .kernel_version = "#7 SMP" },
				   &t),
		     0);
	CHECK_STR_EQ(t.target, "vanilla");
	CHECK_STR_EQ(t.kernel_version, "7");
	/* A '/' in a release would escape the repository directory. */
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root,
							  .kernel_release = "6.6/../../x",
							  .kernel_version = "#1" },
				   &t),
		     -EINVAL);
	/* Minikube without a version in /etc/VERSION. */
	new_root("ID=buildroot\n");
	write_file("/etc/VERSION", "garbage\n");
	CHECK_INT_EQ(target_detect(&(struct target_opts){ .host_root = root, .kernel_release = "5.10",
							  .kernel_version = "#1" },
				   &t),
		     -EINVAL);
	nftw(root, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_os_release_parse(void)
{
	char v[64];

	new_root("# comment\nNAME='Quoted OS'\nID=x\nEMPTY=\nVERSION_ID=\"1.2\"\n");
	char p[512];
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	CHECK_INT_EQ(os_release_get(p, "NAME", v, sizeof(v)), 0);
	CHECK_STR_EQ(v, "Quoted OS");
	CHECK_INT_EQ(os_release_get(p, "VERSION_ID", v, sizeof(v)), 0);
	CHECK_STR_EQ(v, "1.2");
	CHECK_INT_EQ(os_release_get(p, "EMPTY", v, sizeof(v)), 0);
	CHECK_STR_EQ(v, "");
	CHECK_INT_EQ(os_release_get(p, "VERSION", v, sizeof(v)), -ENOENT);
	CHECK_INT_EQ(os_release_get(p, "NAME", v, 4), -ENAMETOOLONG);
}

static void test_repo_url(void)
{
	struct repo_list l = {};
	char url[512];

	CHECK_INT_EQ(repo_list_add_many(&l, "https://a.example/drivers/;;file:///srv/m//;http://b:8080"), 0);
	CHECK_INT_EQ(l.n, 3);
	CHECK_STR_EQ(l.urls[0], "https://a.example/drivers");
	CHECK_STR_EQ(l.urls[1], "file:///srv/m");
	CHECK_INT_EQ(repo_list_add(&l, "ftp://x"), -EINVAL);
	CHECK_INT_EQ(repo_list_add(&l, "/plain/path"), -EINVAL);
	CHECK_INT_EQ(repo_url_build(l.urls[0], "7.0.0+driver", "x86_64",
				    "osprey_cos_5.15.107+_17162.40.56.ko", url, sizeof(url)),
		     0);
	CHECK_STR_EQ(url, "https://a.example/drivers/7.0.0%2Bdriver/x86_64/"
			  "osprey_cos_5.15.107%2B_17162.40.56.ko");
	CHECK_INT_EQ(repo_url_build(l.urls[0], "1", "x86_64", "n.ko", url, 20), -ENAMETOOLONG);
	for (int i = 0; i < REPO_MAX; i++)
		(void)repo_list_add(&l, "http://x");
	CHECK_INT_EQ(l.n, REPO_MAX);
	CHECK_INT_EQ(repo_list_add(&l, "http://one-too-many"), -E2BIG);
	repo_list_free(&l);
}

int main(void)
{
	test_cases_from_options();
	test_proc_files();
	test_os_release_parse();
	test_repo_url();
	if (root[0])
		nftw(root, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	return test_finish("test-loader-target");
}
