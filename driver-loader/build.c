// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "build.h"
#include "log.h"
#include "unpack.h"
#include "util.h"

extern char **environ;

static bool has_makefile(const char *dir)
{
	char p[PATH_MAX_LEN];

	return path_join(p, sizeof(p), "%s/Makefile", dir) >= 0 && access(p, R_OK) == 0;
}

int build_find_headers(const char *host_root, const char *release, char *buf, size_t size)
{
	const char *root = host_root && !streq(host_root, "/") ? host_root : "";
	char p[PATH_MAX_LEN], link[PATH_MAX_LEN];
	ssize_t n;

	/* Debian/Ubuntu: build -> /usr/src/linux-headers-X, absolute on the host. */
	if (path_join(p, sizeof(p), "%s/lib/modules/%s/build", root, release) >= 0) {
		n = readlink(p, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			if (link[0] == '/' && path_join(p, sizeof(p), "%s%s", root, link) < 0)
				return -ENAMETOOLONG;
		}
		if (has_makefile(p))
			return path_join(buf, size, "%s", p);
	}
	if (path_join(p, sizeof(p), "%s/usr/src/linux-headers-%s", root, release) >= 0 &&
	    has_makefile(p))
		return path_join(buf, size, "%s", p);
	if (path_join(p, sizeof(p), "/usr/src/linux-headers-%s", release) >= 0 && has_makefile(p))
		return path_join(buf, size, "%s", p);
	snprintf(buf, size, "%s/lib/modules/%s/build, %s/usr/src/linux-headers-%s", root, release,
		 root, release);
	return -ENOENT;
}

/* Runs argv with stdout+stderr appended to log_fd, in its own process group, killed after timeout_s. */
static int run_logged(char *const argv[], int log_fd, unsigned timeout_s, int *ret_status)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	double deadline = now_monotonic() + timeout_s;
	pid_t pid;
	int r, status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, log_fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, log_fd, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return -r;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return negative_errno();
		if (now_monotonic() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 50000000L }, NULL);
	}
	*ret_status = status;
	return 0;
}

/* First line of the log with "error:" (or "Error", "No rule"), else its last line. */
static void summarize_log(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char line[480], last[480] = "";

	snprintf(buf, size, "build failed (empty log)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, "error:") || strstr(line, "No rule to make") ||
		    strstr(line, "not found")) {
			snprintf(buf, size, "%s", line);
			return;
		}
		if (line[0])
			snprintf(last, sizeof(last), "%s", line);
	}
	if (last[0])
		snprintf(buf, size, "%s", last);
}

void build_remove(struct build_result *res)
{
	if (res->dir[0])
		rm_rf(res->dir);
	res->dir[0] = '\0';
}

void build_print_log_tail(const char *path, unsigned n)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char lines[BUILD_LOG_TAIL_LINES][256];
	unsigned count = 0;
	char line[256];

	if (!f)
		return;
	n = MIN(n, (unsigned)BUILD_LOG_TAIL_LINES);
	if (n == 0)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(lines[count % n], sizeof(lines[0]), "%s", line);
		count++;
	}
	for (unsigned i = count > n ? count - n : 0; i < count; i++)
		fprintf(stderr, "  | %s\n", lines[i % n]);
}

int build_module(const char *src, const char *headers, const char *workdir, const char *module,
		 unsigned timeout_s, struct build_result *res)
{
	char dir[PATH_MAX_LEN], m_arg[PATH_MAX_LEN + 4], ko[PATH_MAX_LEN];
	_cleanup_close_ int log_fd = -EBADF;
	struct stat st;
	int r, status = 0;

	memset(res, 0, sizeof(*res));
	if (stat(src, &st) < 0) {
		snprintf(res->summary, sizeof(res->summary), "no driver source at '%s'", src);
		return -ENOENT;
	}
	if (!has_makefile(headers)) {
		snprintf(res->summary, sizeof(res->summary), "no kernel headers at '%s'", headers);
		return -ENOENT;
	}
	r = util_mkdir_p(workdir);
	if (r < 0)
		return r;
	r = path_join(dir, sizeof(dir), "%s/build-XXXXXX", workdir);
	if (r < 0)
		return r;
	if (!mkdtemp(dir))
		return negative_errno();
	memcpy(res->dir, dir, strlen(dir) + 1);
	r = path_join(res->log_path, sizeof(res->log_path), "%s/build.log", dir);
	if (r < 0)
		return r;
	r = path_join(dir + strlen(dir), sizeof(dir) - strlen(dir), "/src");
	if (r < 0)
		return r;
	if (mkdir(dir, 0755) < 0)
		return negative_errno();
	log_fd = open(res->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0644);
	if (log_fd < 0)
		return negative_errno();

	if (S_ISDIR(st.st_mode)) {
		char from[PATH_MAX_LEN];
		char *cp[] = { (char *)"cp", (char *)"-a", from, dir, NULL };

		r = path_join(from, sizeof(from), "%s/.", src);
		if (r < 0)
			return r;
		r = run_logged(cp, log_fd, 60, &status);
		if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			snprintf(res->summary, sizeof(res->summary), "cannot copy the driver source");
			return r < 0 ? r : -EIO;
		}
	} else {
		r = unpack_archive(src, dir, NULL, res->summary, sizeof(res->summary));
		if (r < 0)
			return r;
	}

	r = path_join(m_arg, sizeof(m_arg), "M=%s", dir);
	if (r < 0)
		return r;
	char *make[] = { (char *)"make", (char *)"-C", (char *)headers, m_arg, (char *)"modules",
			 NULL };
	log_debug("Building: make -C %s %s modules (log: %s)", headers, m_arg, res->log_path);
	r = run_logged(make, log_fd, timeout_s, &status);
	if (r == -ETIMEDOUT) {
		snprintf(res->summary, sizeof(res->summary), "build did not finish within %u s",
			 timeout_s);
		return r;
	}
	if (r == -ENOENT) {
		snprintf(res->summary, sizeof(res->summary), "'make' is not installed in the loader image");
		return r;
	}
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		summarize_log(res->log_path, res->summary, sizeof(res->summary));
		return -ENOEXEC;
	}
	r = path_join(ko, sizeof(ko), "%s/%s.ko", dir, module);
	if (r < 0)
		return r;
	if (access(ko, R_OK) < 0) {
		snprintf(res->summary, sizeof(res->summary), "build succeeded but produced no %s.ko",
			 module);
		return -ENOEXEC;
	}
	return path_join(res->ko_path, sizeof(res->ko_path), "%s", ko);
}
