// SPDX-License-Identifier: Apache-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "log.h"
#include "target.h"
#include "util.h"

/* Copies src into dst, truncating to size - 1 bytes. */
static void strscpy(char *dst, size_t size, const char *src)
{
	size_t len = MIN(strlen(src), size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Reads the first line of a small file into buf without the newline. */
static int read_line_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, size - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int os_release_get(const char *path, const char *key, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[1024];
	size_t klen = strlen(key);
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	f = fdopen(fd, "r");
	if (!f) {
		int r = negative_errno();
		close(fd);
		return r;
	}
	while (fgets(line, sizeof(line), f)) {
		char *v, *end;

		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		v = line + klen + 1;
		v[strcspn(v, "\r\n")] = '\0';
		end = v + strlen(v);
		if ((*v == '"' || *v == '\'') && end > v + 1 && end[-1] == *v) {
			end[-1] = '\0';
			v++;
		}
		if (strlen(v) >= size)
			return -ENAMETOOLONG;
		strscpy(buf, size, v);
		return 0;
	}
	return -ENOENT;
}

/* Copies regex group n of s into buf; returns true when it matched. */
static bool regex_group(const char *pattern, const char *s, int n, char *buf, size_t size)
{
	regex_t re;
	regmatch_t m[4];
	bool ok = false;

	if (n > 3 || regcomp(&re, pattern, REG_EXTENDED) != 0)
		return false;
	if (regexec(&re, s, ARRAY_SIZE(m), m, 0) == 0 && m[n].rm_so >= 0) {
		size_t len = (size_t)(m[n].rm_eo - m[n].rm_so);
		if (len < size) {
			memcpy(buf, s + m[n].rm_so, len);
			buf[len] = '\0';
			ok = true;
		}
	}
	regfree(&re);
	return ok;
}

static bool path_exists(const char *root, const char *rel)
{
	char p[4096];

	if ((size_t)snprintf(p, sizeof(p), "%s%s", root, rel) >= sizeof(p))
		return false;
	return access(p, F_OK) == 0;
}

int target_fixup(struct target *t, const char *root, const char *variant_id, const char *build_id,
		 const char *uname_v)
{
	char tmp[TARGET_FIELD_MAX], tmp2[TARGET_FIELD_MAX];
	const char *id = t->id;

	/* Generic kernel version: the build number after '#' in `uname -v`. */
	if (!regex_group("^#([0-9]+)", uname_v, 1, t->kernel_version, sizeof(t->kernel_version)))
		strscpy(t->kernel_version, sizeof(t->kernel_version), "1");
	strscpy(t->target, sizeof(t->target), id);
	t->fixup = "generic";

	if (streq(id, "amzn")) {
		t->fixup = "amazonlinux";
		if (streq(t->version_id, "2") || streq(t->version_id, "2022") ||
		    streq(t->version_id, "2023"))
			snprintf(t->target, sizeof(t->target), "amazonlinux%.200s", t->version_id);
		else
			strscpy(t->target, sizeof(t->target), "amazonlinux");
	} else if (streq(id, "ubuntu")) {
		/* 5.15.0-1009-aws -> ubuntu-aws; 5.0.0-1028-aws-5.0 -> ubuntu-aws-5.0 */
		t->fixup = "ubuntu";
		if (regex_group("-([a-zA-Z]+(-.*)?)$", t->kernel_release, 1, tmp, sizeof(tmp)))
			snprintf(t->target, sizeof(t->target), "ubuntu-%.*s", TARGET_FIELD_MAX - 8,
				 tmp);
		else
			strscpy(t->target, sizeof(t->target), "ubuntu-generic");
		/* "#26~22.04.1-Ubuntu SMP ..." -> "26~22.04.1" (HWE kernels) */
		if (regex_group("^#([0-9]+~[^- ]*)-Ubuntu ", uname_v, 1, tmp, sizeof(tmp)))
			strscpy(t->kernel_version, sizeof(t->kernel_version), tmp);
	} else if (streq(id, "debian")) {
		/*
		 * `uname -r` names the ABI package (6.1.0-13-amd64); the real release is
		 * in `uname -v` ("... Debian 6.1.55-1 ..."). Keep the flavour and arch:
		 * 5.10.0-0.deb10.22-rt-amd64 + "5.10.178-3" -> 5.10.178-3-rt-amd64.
		 */
		t->fixup = "debian";
		tmp2[0] = '\0';
		if (regex_group("(-(rt-|cloud-)?(amd64|arm64))", t->kernel_release, 1, tmp2,
				sizeof(tmp2)) == false)
			tmp2[0] = '\0';
		if (regex_group("([0-9]+\\.[0-9]+\\.[0-9]+-[0-9]+)", uname_v, 1, tmp, sizeof(tmp)))
			snprintf(t->kernel_release, sizeof(t->kernel_release), "%.*s%.*s", 120, tmp,
				 120, tmp2);
	} else if (streq(id, "flatcar")) {
		t->fixup = "flatcar";
		if (t->version_id[0])
			strscpy(t->kernel_release, sizeof(t->kernel_release), t->version_id);
	} else if (streq(id, "minikube")) {
		char p[4096], line[256];

		t->fixup = "minikube";
		snprintf(p, sizeof(p), "%s/etc/VERSION", root);
		if (read_line_file(p, line, sizeof(line)) >= 0 &&
		    regex_group("([0-9]+(\\.[0-9]+){2})", line, 1, tmp, sizeof(tmp)))
			snprintf(t->kernel_version, sizeof(t->kernel_version), "1_%.*s", 200, tmp);
		else
			return -EINVAL;
	} else if (streq(id, "bottlerocket")) {
		/* VERSION_ID=1.11.0 VARIANT_ID=aws-k8s-1.24 -> 1_1.11.0-aws */
		t->fixup = "bottlerocket";
		snprintf(t->kernel_version, sizeof(t->kernel_version), "1_%.*s-%.*s", 100,
			 t->version_id, (int)strcspn(variant_id, "-"), variant_id);
	} else if (streq(id, "talos")) {
		t->fixup = "talos";
		snprintf(t->kernel_version, sizeof(t->kernel_version), "1_%.*s", 200,
			 t->version_id);
	} else if (streq(id, "cos")) {
		t->fixup = "cos";
		if (build_id[0])
			strscpy(t->kernel_version, sizeof(t->kernel_version), build_id);
	} else if (streq(id, "centos") || streq(id, "rhel")) {
		t->fixup = id[0] == 'c' ? "centos" : "rhel";
	}
	if (!t->target[0])
		return -EINVAL;
	return 0;
}

int target_detect(const struct target_opts *opts, struct target *ret)
{
	const char *root = opts->host_root && !streq(opts->host_root, "/") ? opts->host_root : "";
	char osr[4096], p[4096], variant[TARGET_FIELD_MAX] = "", build[TARGET_FIELD_MAX] = "";
	char uname_v[TARGET_FIELD_MAX] = "";
	struct utsname u;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (uname(&u) < 0)
		return negative_errno();

	snprintf(osr, sizeof(osr), "%s/etc/os-release", root);
	if (access(osr, F_OK) < 0)
		snprintf(osr, sizeof(osr), "%s/usr/lib/os-release", root);
	r = os_release_get(osr, "ID", ret->id, sizeof(ret->id));
	if (r >= 0) {
		(void)os_release_get(osr, "VERSION_ID", ret->version_id, sizeof(ret->version_id));
		(void)os_release_get(osr, "VARIANT_ID", variant, sizeof(variant));
		(void)os_release_get(osr, "BUILD_ID", build, sizeof(build));
	} else if (path_exists(root, "/etc/debian_version")) {
		strscpy(ret->id, sizeof(ret->id), "debian");
	} else if (path_exists(root, "/etc/centos-release")) {
		strscpy(ret->id, sizeof(ret->id), "centos");
	} else if (path_exists(root, "/etc/redhat-release")) {
		strscpy(ret->id, sizeof(ret->id), "rhel");
	}
	/* Minikube's ISO is Buildroot; /etc/VERSION is what identifies it. */
	if (path_exists(root, "/etc/VERSION"))
		strscpy(ret->id, sizeof(ret->id), "minikube");
	for (char *c = ret->id; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (!ret->id[0] && opts->target)
		strscpy(ret->id, sizeof(ret->id), opts->target); /* forced: no fix-ups apply */
	if (!ret->id[0]) {
		log_debug("No os-release under '%s/': cannot tell the distribution", root);
		return -ENOENT;
	}

	/* The kernel that runs: the host's proc file, else uname(2) (the same kernel in a container). */
	snprintf(p, sizeof(p), "%s/proc/sys/kernel/osrelease", root);
	if (!root[0] || read_line_file(p, ret->running_release, sizeof(ret->running_release)) < 0)
		strscpy(ret->running_release, sizeof(ret->running_release), u.release);
	strscpy(ret->kernel_release, sizeof(ret->kernel_release),
		opts->kernel_release ? opts->kernel_release : ret->running_release);
	if (opts->kernel_version) {
		strscpy(uname_v, sizeof(uname_v), opts->kernel_version);
	} else {
		snprintf(p, sizeof(p), "%s/proc/sys/kernel/version", root);
		if (!root[0] || read_line_file(p, uname_v, sizeof(uname_v)) < 0)
			strscpy(uname_v, sizeof(uname_v), u.version);
	}
	strscpy(ret->build_release, sizeof(ret->build_release), ret->kernel_release);
	strscpy(ret->arch, sizeof(ret->arch), opts->arch ? opts->arch : u.machine);

	r = target_fixup(ret, root, variant, build, uname_v);
	if (r < 0)
		return r;
	if (opts->target)
		strscpy(ret->target, sizeof(ret->target), opts->target);

	/* Names go into file names and URLs: refuse separators and empty parts. */
	if (!ret->kernel_release[0] || !ret->kernel_version[0] || strchr(ret->kernel_release, '/') ||
	    strchr(ret->kernel_version, '/') || strchr(ret->target, '/') || strchr(ret->arch, '/'))
		return -EINVAL;
	return 0;
}

int target_artifact_name(const struct target *t, const char *driver_name, const char *suffix,
			 char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s_%s_%s_%s%s", driver_name, t->target, t->kernel_release,
			 t->kernel_version, suffix);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}
