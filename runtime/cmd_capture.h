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

#include <stdint.h>

#include "capture.h"

/*
 * Runs a capture through the main loop until it ends (-M duration, SIGINT/SIGTERM, end of a
 * file) and sends its events to write_path as a capture file, or, with write_path NULL, as
 * text lines to stdout. Logs a summary. Returns 0 or -errno (already logged).
 */
int capture_stream(const struct capture_opts *opts, uint64_t duration_usec, const char *write_path);

/* argv[0] is the subcommand's name. Returns the process exit code (0 or 1). */
int cmd_capture(int argc, char *argv[]);
