// SPDX-License-Identifier: Apache-2.0
/* Fuzzes the record decoder, the accessors and the text printer with arbitrary records. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "event.h"
#include "event_format.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct format_ctx fmt;
static uint8_t buf[OSP_EVENT_MAX_LEN + 8] __attribute__((aligned(8)));
static char line[4 * OSP_EVENT_MAX_LEN + 4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev;
	size_t n = size < sizeof(buf) ? size : sizeof(buf);

	/* Records always sit 8-aligned in their containers. */
	memcpy(buf, data, n);
	if (event_decode(buf, size > sizeof(buf) ? size : n, &ev) != 0)
		return 0;

	for (unsigned i = 0; i < ev.nparams; i++) {
		int64_t s;
		uint64_t u;
		uint32_t u32;
		const char *str = event_get_str(&ev, i);

		(void)event_get_s64(&ev, i, &s);
		(void)event_get_u64(&ev, i, &u);
		(void)event_get_u32(&ev, i, &u32);
		if (str && strlen(str) >= ev.len[i])
			__builtin_trap(); /* a string must end within its value */
	}
	event_format_update(&fmt, &ev);
	event_format(&fmt, &ev, line, sizeof(line));
	/* And into a tiny buffer: the bound must hold. */
	event_format(&fmt, &ev, line, 7);
	return 0;
}

/* Unused in the libFuzzer build: there "--write-seeds" of the replay binary makes the corpus. */
__attribute__((unused)) static void fuzz_seeds(void (*emit)(const uint8_t *data, size_t size))
{
	static uint8_t rec[1024] __attribute__((aligned(8)));
	static const char args[] = "sh\0-c\0id";
	static const uint8_t v4[OSP_SOCKTUPLE_INET_LEN] = {OSP_AF_INET, 10, 0, 0, 1,	0x50, 0,
							   10,		0,  0, 2, 0x1f, 0x90};
	static const uint8_t v6[OSP_SOCKADDR_INET6_LEN] = {OSP_AF_INET6, [16] = 1, [17] = 80};
	static const char un[] = "\x01@abstract";
	struct record_builder b;
	int len;

	record_begin(&b, rec, sizeof(rec), OSP_EVT_OPENAT, 1000, 10, 10, 5);
	record_add_s64(&b, 3);
	record_add_s64(&b, -100);
	record_add_str(&b, "/etc/shadow", OSP_STR_MAX);
	record_add_u32(&b, 01 | 0100 | 01000);
	record_add_u32(&b, 0600);
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);

	record_begin(&b, rec, sizeof(rec), OSP_EVT_PROC_EXEC, 2000, 11, 11, OSP_EXEC_NPARAMS);
	record_add_str(&b, "/bin/sh", OSP_STR_MAX);
	record_add_str(&b, "sh", OSP_STR_MAX);
	record_add_bytes(&b, args, sizeof(args), 64);
	record_add_str(&b, "/", OSP_STR_MAX);
	record_add_bytes(&b, "A=1", 4, 64);
	record_add_str(&b, "sh", OSP_COMM_LEN);
	for (int i = 0; i < 4; i++)
		record_add_s64(&b, 1);
	for (int i = 0; i < 6; i++)
		record_add_u32(&b, 0);
	record_add_str(&b, "/", OSP_STR_MAX);
	record_add_u64(&b, 1);
	record_add_u32(&b, 1);
	record_add_u32(&b, OSP_EXE_FROM_MEMFD);
	for (int i = 0; i < 4; i++)
		record_add_u64(&b, 0x1ff);
	record_add_u32(&b, 4026531836u);
	record_add_empty(&b);
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);

	record_begin(&b, rec, sizeof(rec), OSP_EVT_CONNECT, 3000, 11, 11, 3);
	record_add_s64(&b, 0);
	record_add_s64(&b, 4);
	record_add_bytes(&b, v4, sizeof(v4), sizeof(v4));
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);

	record_begin(&b, rec, sizeof(rec), OSP_EVT_BIND, 3000, 11, 11, 3);
	record_add_s64(&b, 0);
	record_add_s64(&b, 4);
	record_add_bytes(&b, v6, sizeof(v6), sizeof(v6));
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);

	record_begin(&b, rec, sizeof(rec), OSP_EVT_SENDMSG, 3000, 11, 11, 3);
	record_add_s64(&b, 5);
	record_add_s64(&b, 4);
	record_add_bytes(&b, un, sizeof(un), sizeof(un));
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);

	record_begin(&b, rec, sizeof(rec), OSP_EVT_CLONE, 4000, 11, 11, 2);
	record_add_s64(&b, 12);
	record_add_u64(&b, 0x1200011);
	if ((len = record_end(&b)) > 0)
		emit(rec, (size_t)len);
}

#include "fuzz-main.h"
