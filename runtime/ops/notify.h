/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd notification protocol (sd_notify(3)) without libsystemd: each message is one
 * datagram ("READY=1", "RELOADING=1\nMONOTONIC_USEC=...", "WATCHDOG=1", "STOPPING=1",
 * "STATUS=...") sent to the unix socket $NOTIFY_SOCKET names: a path, or "@name" for the
 * abstract namespace. Outside systemd (no $NOTIFY_SOCKET) every call does nothing. One
 * implementation: ops.c sends READY=1, WATCHDOG=1 (while the driver watchdog is not failing) and
 * STOPPING=1; reload.c sends RELOADING=1 ... READY=1 around a reload.
 */
#pragma once

#include <stdint.h>

#define NOTIFY_MESSAGE_MAX 4096 /* bytes in one message */

/* Sends state. Returns 1 sent, 0 not under systemd, -errno on failure (bad socket name,
 * unreachable socket, message too long). */
int notify_send(const char *state);
/* printf-style notify_send(). */
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval systemd asks for ($WATCHDOG_USEC, when $WATCHDOG_PID is unset or is
 * this process), 0 when there is none. Send "WATCHDOG=1" at half of it. */
uint64_t notify_watchdog_usec(void);
