/* SPDX-License-Identifier: Apache-2.0 */
/*
 * "osprey capture": record live events to a capture file, print a capture
 * file, or print the live stream as text.
 *
 *   osprey capture -w FILE [-M SECONDS] [--snaplen N] [--buffer-size SIZE]
 *   osprey capture -r FILE [-w FILE]
 *   osprey capture [-M SECONDS] [--snaplen N] [--buffer-size SIZE]
 */
#pragma once

/* argv[0] is the subcommand's name. Returns the process exit code (0 or 1). */
int cmd_capture(int argc, char *argv[]);
