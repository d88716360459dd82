// SPDX-License-Identifier: Apache-2.0
/* Alerts: Falco's JSON and text shapes, escaping, UTF-8 repair, packing bounds. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "macro.h"
#include "test.h"

#define T0 (1795320754ULL * 1000000000ULL + 123456789ULL) /* 2026-11-22T04:12:34.123456789Z */

static char buf[ALERT_RENDER_MAX];

static void test_priorities(void)
{
	CHECK_STR_EQ(alert_priority_to_string(ALERT_PRIORITY_WARNING), "Warning");
	CHECK_STR_EQ(alert_priority_to_string(ALERT_PRIORITY_INFORMATIONAL), "Informational");
	CHECK(alert_priority_to_string(_ALERT_PRIORITY_MAX) == NULL);
	for (int p = 0; p < _ALERT_PRIORITY_MAX; p++)
		CHECK_INT_EQ(alert_priority_from_string(alert_priority_to_string(p)), p);
	CHECK_INT_EQ(alert_priority_from_string("info"), ALERT_PRIORITY_INFORMATIONAL);
	CHECK_INT_EQ(alert_priority_from_string("WARNING"), ALERT_PRIORITY_WARNING);
	CHECK_INT_EQ(alert_priority_from_string("loud"), -EINVAL);
}

static const struct alert_field fields[] = {
	{.name = "proc.name", .type = ALERT_VALUE_STRING, .str = "cat"},
	{.name = "fd.name", .type = ALERT_VALUE_STRING, .str = "/etc/shadow"},
	{.name = "user.uid", .type = ALERT_VALUE_U64, .u64 = 0},
	{.name = "proc.pname", .type = ALERT_VALUE_NULL},
	{.name = "evt.res", .type = ALERT_VALUE_S64, .s64 = -2},
	{.name = "proc.tty", .type = ALERT_VALUE_BOOL, .b = true},
};
static const char *const tags[] = {"mitre_credential_access", "T1555", "filesystem", "T1555"};

static struct alert sample(void)
{
	return (struct alert){
		.time_ns = T0,
		.priority = ALERT_PRIORITY_WARNING,
		.rule = "Read sensitive file untrusted",
		.source = "syscall",
		.hostname = "node-1",
		.output = "Sensitive file opened (file=/etc/shadow process=cat)",
		.fields = fields,
		.n_fields = ARRAY_SIZE(fields),
		.tags = tags,
		.n_tags = ARRAY_SIZE(tags),
	};
}

static void test_json_shape(void)
{
	struct alert a = sample();
	struct alert_format f;
	int n;

	alert_format_init(&f);
	f.json = true;
	n = alert_render(&a, &f, "ignored", buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_STR_EQ(buf, "{\"hostname\":\"node-1\","
			  "\"output\":\"04:12:34.123456789: Warning Sensitive file opened "
			  "(file=/etc/shadow process=cat)\","
			  "\"output_fields\":{\"evt.res\":-2,\"evt.time\":1795320754123456789,"
			  "\"fd.name\":\"/etc/shadow\",\"proc.name\":\"cat\",\"proc.pname\":null,"
			  "\"proc.tty\":true,\"user.uid\":0},"
			  "\"priority\":\"Warning\",\"rule\":\"Read sensitive file untrusted\","
			  "\"source\":\"syscall\","
			  "\"tags\":[\"T1555\",\"filesystem\",\"mitre_credential_access\"],"
			  "\"time\":\"2026-11-22T04:12:34.123456789Z\"}\n");
	CHECK_INT_EQ(n, strlen(buf));

	/* Options: no output, no tags, a message; the hostname falls back to the outputs'. */
	a.hostname = NULL;
	f.include_output = false;
	f.include_tags = false;
	f.include_message = true;
	f.include_output_fields = false;
	n = alert_render(&a, &f, "fallback", buf, sizeof(buf));
	CHECK_STR_EQ(buf, "{\"hostname\":\"fallback\",\"message\":\"Sensitive file opened "
			  "(file=/etc/shadow process=cat)\",\"priority\":\"Warning\","
			  "\"rule\":\"Read sensitive file untrusted\",\"source\":\"syscall\","
			  "\"time\":\"2026-11-22T04:12:34.123456789Z\"}\n");

	/* time_format_iso_8601: the prefix and the output_fields time. */
	alert_format_init(&f);
	f.json = true;
	f.time_iso8601 = true;
	a.n_fields = 0;
	a.n_tags = 0;
	n = alert_render(&a, &f, "h", buf, sizeof(buf));
	CHECK(strstr(buf, "\"output\":\"2026-11-22T04:12:34.123456789Z: Warning Sensitive") !=
	      NULL);
	CHECK(strstr(buf, "\"output_fields\":{\"evt.time.iso8601\":\"2026-11-22T04:12:34."
			  "123456789Z\"}") != NULL);
	CHECK(strstr(buf, "\"tags\":[]") != NULL);

	/* Too small a buffer is an error, not a cut line. */
	CHECK_INT_EQ(alert_render(&a, &f, "h", buf, 32), -ENOBUFS);
}

static void test_json_escaping(void)
{
	static const struct alert_field fl[] = {
		{.name = "proc.cmdline", .type = ALERT_VALUE_STRING, .str = "sh -c \"echo\\x\""},
		{.name = "fd.name", .type = ALERT_VALUE_STRING, .str = "/tmp/\xff\xfe.bin"},
	};
	struct alert a = sample();
	struct alert_format f;
	struct json_object *obj, *v, *of;

	a.output = "quote \" backslash \\ newline \n tab \t ctl \x01 slash / bad \xc3\x28 "
		   "overlong \xc0\xaf surrogate \xed\xa0\x80 ok \xc3\xa9 \xf0\x9f\xa6\x85";
	a.rule = "rule \"with\" quotes";
	a.fields = fl;
	a.n_fields = ARRAY_SIZE(fl);
	alert_format_init(&f);
	f.json = true;
	f.include_output = false;
	f.include_message = true;
	CHECK(alert_render(&a, &f, "h", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\"message\":\"quote \\\" backslash \\\\ newline \\n tab \\t ctl \\u0001 "
			  "slash / bad \xef\xbf\xbd( overlong \xef\xbf\xbd\xef\xbf\xbd surrogate "
			  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd ok \xc3\xa9 \xf0\x9f\xa6\x85\"") !=
	      NULL);
	CHECK(strstr(buf, "\"rule\":\"rule \\\"with\\\" quotes\"") != NULL);
	CHECK(strstr(buf, "\"fd.name\":\"/tmp/\xef\xbf\xbd\xef\xbf\xbd.bin\"") != NULL);
	CHECK(strchr(buf, '\n') == buf + strlen(buf) - 1); /* one line */

	/* A JSON parser reads it back. */
	obj = json_tokener_parse(buf);
	CHECK(obj != NULL);
	CHECK(json_object_object_get_ex(obj, "rule", &v));
	CHECK_STR_EQ(json_object_get_string(v), "rule \"with\" quotes");
	CHECK(json_object_object_get_ex(obj, "output_fields", &of));
	CHECK(json_object_object_get_ex(of, "proc.cmdline", &v));
	CHECK_STR_EQ(json_object_get_string(v), "sh -c \"echo\\x\"");
	json_object_put(obj);
}

static void test_text_shape(void)
{
	struct alert a = sample();
	struct alert_format f;

	alert_format_init(&f);
	CHECK_INT_EQ(alert_render(&a, &f, "h", buf, sizeof(buf)),
		     strlen("04:12:34.123456789: Warning Sensitive file opened (file=/etc/shadow "
			    "process=cat)\n"));
	CHECK_STR_EQ(buf, "04:12:34.123456789: Warning Sensitive file opened (file=/etc/shadow "
			  "process=cat)\n");
	a.priority = ALERT_PRIORITY_CRITICAL;
	a.time_ns = 1795320754ULL * 1000000000ULL + 5;
	a.output = "multi\nline \xff";
	f.time_iso8601 = true;
	alert_render(&a, &f, "h", buf, sizeof(buf));
	CHECK_STR_EQ(buf, "2026-11-22T04:12:34.000000005Z: Critical multi\nline \xff\n");
}

static void test_utf8_sanitize(void)
{
	char out[64];

	CHECK_INT_EQ(alert_utf8_sanitize("abc", 3, out, sizeof(out)), 3);
	CHECK_STR_EQ(out, "abc");
	/* Largest code point is valid, one past it is not. */
	CHECK_INT_EQ(alert_utf8_sanitize("\xf4\x8f\xbf\xbf", 4, out, sizeof(out)), 4);
	CHECK_INT_EQ(alert_utf8_sanitize("\xf4\x90\x80\x80", 4, out, sizeof(out)), 12);
	/* A truncated sequence. */
	CHECK_INT_EQ(alert_utf8_sanitize("\xe2\x82", 2, out, sizeof(out)), 6);
	CHECK_STR_EQ(out, "\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_INT_EQ(alert_utf8_sanitize("abcdef", 6, out, 4), -ENOBUFS);
}

static void test_pack(void)
{
	static char rec[ALERT_RECORD_MAX], big[20000];
	static struct alert_field many[100];
	static char names[100][16];
	struct alert a = sample();
	struct alert_unpacked u;
	struct alert_format f;
	bool truncated;
	size_t n;
	char want[ALERT_RENDER_MAX];

	/* Round trip: the unpacked alert renders exactly like the original. */
	alert_format_init(&f);
	f.json = true;
	n = alert_pack(&a, NULL, &truncated);
	CHECK(!truncated);
	CHECK_INT_EQ(alert_pack(&a, rec, NULL), n);
	CHECK_INT_EQ(alert_unpack(rec, n, &u), 0);
	alert_render(&a, &f, "h", want, sizeof(want));
	alert_render(&u.alert, &f, "h", buf, sizeof(buf));
	CHECK_STR_EQ(buf, want);

	/* Every shorter or corrupted record is refused, never over-read. */
	for (size_t k = 0; k < n; k++)
		CHECK_INT_EQ(alert_unpack(rec, k, &u), -EBADMSG);
	rec[8] = 99; /* priority */
	CHECK_INT_EQ(alert_unpack(rec, n, &u), -EBADMSG);

	/* Bounds: a long output is cut at a UTF-8 boundary, extra fields dropped. */
	for (size_t i = 0; i < sizeof(big) - 1; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < (int)ARRAY_SIZE(many); i++) {
		snprintf(names[i], sizeof(names[i]), "f%03d", i);
		many[i] = (struct alert_field){
			.name = names[i], .type = ALERT_VALUE_STRING, .str = big};
	}
	a = sample();
	a.output = big;
	a.fields = many;
	a.n_fields = ARRAY_SIZE(many);
	n = alert_pack(&a, rec, &truncated);
	CHECK(truncated);
	CHECK(n <= ALERT_RECORD_MAX);
	CHECK_INT_EQ(alert_unpack(rec, n, &u), 0);
	CHECK_INT_EQ(u.alert.n_fields, ALERT_FIELDS_MAX);
	CHECK(strlen(u.alert.output) <= ALERT_OUTPUT_MAX);
	CHECK_INT_EQ(strlen(u.alert.output) % 2, 0); /* not cut inside a character */
	CHECK(strlen(u.alert.fields[0].str) <= ALERT_VALUE_MAX);
	CHECK(alert_render(&u.alert, &f, "h", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "\xef\xbf\xbd") == NULL);
}

int main(void)
{
	/* Falco's text time is local time: pin the zone. */
	setenv("TZ", "UTC", 1);
	tzset();
	test_priorities();
	test_json_shape();
	test_json_escaping();
	test_text_shape();
	test_utf8_sanitize();
	test_pack();
	return test_finish("test-alert");
}
