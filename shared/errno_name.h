/* SPDX-License-Identifier: Apache-2.0 */
/* errno names with any C library. */
#pragma once

/* "EPERM" for EPERM...; NULL for 0, a negative or an unknown number. Static storage. */
const char *errno_name(int e);
