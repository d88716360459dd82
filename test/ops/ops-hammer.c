// SPDX-License-Identifier: Apache-2.0
/*
 * ops-hammer N SECONDS: N processes open and close /dev/null as fast as they can for SECONDS, to
 * make a small ring buffer overflow (test/ops/ops.sh). Prints the syscalls made.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2;
	long secs = argc > 2 ? strtol(argv[2], NULL, 10) : 3;

	if (n < 1 || n > 64 || secs < 1 || secs > 600) {
		fprintf(stderr, "usage: ops-hammer N(1-64) SECONDS(1-600)\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		if (fork() == 0) {
			time_t end = time(NULL) + secs;
			unsigned long calls = 0;

			while (time(NULL) < end)
				for (int k = 0; k < 1000; k++) {
					int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

					if (fd >= 0)
						close(fd);
					calls += 2;
				}
			printf("%lu\n", calls);
			fflush(stdout);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
