/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram to the unix
 * socket $NOTIFY_SOCKET ("@name" is the abstract namespace). READY=1 once the event source
 * runs, WATCHDOG=1 from the main loop's timer while it runs and the driver watchdog is not
 * failing (osprey.service: Type=notify, WatchdogSec=), STOPPING=1 at the end. Without
 * $NOTIFY_SOCKET every call does nothing.
 */
#pragma once

#include <stdint.h>

/* Sends msg ("READY=1"...). Returns 1 sent, 0 no socket, -errno. */
int notify_send(const char *msg);
/* The watchdog interval systemd asked for ($WATCHDOG_USEC, for this pid): 0 = none. */
uint64_t notify_watchdog_usec(void);
