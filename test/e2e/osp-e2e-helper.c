// SPDX-License-Identifier: Apache-2.0
/*
 * osp-e2e-helper: the few behaviours of the live end-to-end test (e2e-rules.sh) that no
 * standard tool performs.
 *
 *   osp-e2e-helper listen ADDR PORT COUNT READY_FILE
 *       listen on ADDR:PORT (TCP), create READY_FILE, accept COUNT connections, read what each
 *       peer sends until it closes (at most 2 s each) and exit; gives up after 60 s.
 *   osp-e2e-helper memfd-exec NAME PROGRAM [ARG...]
 *       copy PROGRAM into a memfd named NAME and execute it from there (execveat(AT_EMPTY_PATH)),
 *       as a fileless loader does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "parse.h"

extern char **environ;

static int do_listen(const char *addr, const char *port_s, const char *count_s, const char *ready)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	_cleanup_close_ int l = -1;
	uint32_t port, count;
	int one = 1, fd;

	if (safe_atou32(port_s, &port) < 0 || port == 0 || port > 65535 ||
	    safe_atou32(count_s, &count) < 0 || count == 0) {
		fprintf(stderr, "osp-e2e-helper: listen: bad port '%s' or count '%s'\n", port_s,
			count_s);
		return 2;
	}
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "osp-e2e-helper: listen: '%s' is not an IPv4 address\n", addr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 16) < 0) {
		fprintf(stderr, "osp-e2e-helper: listen on %s:%u: %m\n", addr, port);
		return 1;
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "osp-e2e-helper: create '%s': %m\n", ready);
		return 1;
	}
	close(fd);
	alarm(60);
	while (count-- > 0) {
		_cleanup_close_ int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		struct pollfd p;
		char buf[512];

		if (c < 0) {
			fprintf(stderr, "osp-e2e-helper: accept: %m\n");
			return 1;
		}
		p = (struct pollfd){.fd = c, .events = POLLIN};
		while (poll(&p, 1, 2000) > 0 && read(c, buf, sizeof(buf)) > 0)
			;
	}
	return 0;
}

static int do_memfd_exec(const char *name, char *argv[])
{
	_cleanup_close_ int in = -1;
	struct stat st;
	off_t off = 0;
	int m;

	in = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		fprintf(stderr, "osp-e2e-helper: open '%s': %m\n", argv[0]);
		return 1;
	}
	m = memfd_create(name, MFD_CLOEXEC);
	if (m < 0) {
		fprintf(stderr, "osp-e2e-helper: memfd_create: %m\n");
		return 1;
	}
	while (off < st.st_size)
		if (sendfile(m, in, &off, (size_t)(st.st_size - off)) <= 0) {
			fprintf(stderr, "osp-e2e-helper: copy '%s' into the memfd: %m\n", argv[0]);
			return 1;
		}
	/* MFD_CLOEXEC is fine: execveat(AT_EMPTY_PATH) on a non-script binary needs no path */
	syscall(SYS_execveat, m, "", argv, environ, AT_EMPTY_PATH);
	fprintf(stderr, "osp-e2e-helper: execveat of the memfd: %m\n");
	return 1;
}

int main(int argc, char *argv[])
{
	if (argc == 6 && strcmp(argv[1], "listen") == 0)
		return do_listen(argv[2], argv[3], argv[4], argv[5]);
	if (argc >= 4 && strcmp(argv[1], "memfd-exec") == 0)
		return do_memfd_exec(argv[2], argv + 3);
	fprintf(stderr,
		"Usage: osp-e2e-helper listen ADDR PORT COUNT READY_FILE\n"
		"       osp-e2e-helper memfd-exec NAME PROGRAM [ARG...]\n");
	return 2;
}
