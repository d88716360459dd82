/* SPDX-License-Identifier: Apache-2.0 */
/* Checked number parsing: whole string, no overflow, never atoi(). Return 0 or -EINVAL/-ERANGE. */
#pragma once

#include <stdint.h>

int safe_atou64(const char *s, uint64_t *ret);
int safe_atou32(const char *s, uint32_t *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atoi32(const char *s, int32_t *ret);
/* "64k", "8M", "1G" (powers of 1024) or plain bytes. */
int parse_size(const char *s, uint64_t *ret);
