// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "watchdog.h"

void watchdog_init(struct watchdog *w, uint64_t interval_ms, uint64_t timeout_ms)
{
	*w = (struct watchdog){
		.interval_ns = interval_ms * 1000000u,
		.timeout_ns = timeout_ms * 1000000u,
		.pid = WATCHDOG_NO_PID,
	};
}

static void reap(struct watchdog *w, bool wait)
{
	if (w->child > 0 && waitpid(w->child, NULL, wait ? 0 : WNOHANG) != 0)
		w->child = 0;
}

void watchdog_done(struct watchdog *w)
{
	reap(w, true);
	w->pid = WATCHDOG_NO_PID;
}

void watchdog_restart(struct watchdog *w)
{
	w->pid = WATCHDOG_NO_PID;
	w->started_ns = 0;
}

void watchdog_on_event(struct watchdog *w, const struct event *ev)
{
	switch (ev->hdr->type) {
	case OSP_EVT_OPENAT:
	case OSP_EVT_OPEN:
	case OSP_EVT_CLOSE:
		w->seen_syscall = true;
		break;
	case OSP_EVT_PROC_EXIT:
		w->seen_exit = true;
		break;
	default:
		break;
	}
}

static int canary_start(struct watchdog *w, uint64_t now_ns, uint64_t produced)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* async-signal-safe only: this is a copy of a threaded process */
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		_exit(0);
	}
	w->child = pid;
	w->pid = (uint32_t)pid;
	w->started_ns = now_ns;
	w->seen_syscall = w->seen_exit = false;
	w->produced_at_start = produced;
	w->canaries++;
	return 0;
}

enum watchdog_result watchdog_tick(struct watchdog *w, uint64_t now_ns, uint64_t produced)
{
	enum watchdog_result ret = WATCHDOG_OK;

	reap(w, false);
	if (w->pid != WATCHDOG_NO_PID) {
		if (w->seen_syscall && w->seen_exit) {
			w->seen++;
			w->pid = WATCHDOG_NO_PID;
			if (w->failing) {
				w->failing = false;
				w->reason[0] = 0;
				ret = WATCHDOG_RECOVERED;
			}
		} else if (now_ns - w->started_ns >= w->timeout_ns) {
			unsigned secs = (unsigned)(w->timeout_ns / 1000000000u);

			w->missed++;
			w->pid = WATCHDOG_NO_PID;
			if (produced == w->produced_at_start)
				snprintf(w->reason, sizeof(w->reason),
					 "the driver is silent: it wrote no record at all in %us, "
					 "not even the watchdog's canary (probe detached or driver "
					 "stopped)",
					 secs);
			else if (w->seen_exit)
				snprintf(w->reason, sizeof(w->reason),
					 "the syscall probe is detached: the watchdog's canary "
					 "process was seen exiting but none of its system calls "
					 "came back in %us",
					 secs);
			else if (w->seen_syscall)
				snprintf(w->reason, sizeof(w->reason),
					 "the process probe is detached: the watchdog's canary "
					 "made system calls but its exit did not come back in %us",
					 secs);
			else
				snprintf(
					w->reason, sizeof(w->reason),
					"the driver lost the watchdog's canary: none of its events "
					"came back in %us while other records still arrive (probes "
					"detached or events dropped)",
					secs);
			if (!w->failing)
				ret = WATCHDOG_FAILED;
			w->failing = true;
		}
	}
	if (w->pid == WATCHDOG_NO_PID && w->child <= 0 &&
	    (!w->started_ns || now_ns - w->started_ns >= w->interval_ns))
		canary_start(w, now_ns, produced);
	return ret;
}
