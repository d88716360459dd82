// SPDX-License-Identifier: Apache-2.0
/* The field registry: table consistency, name resolution, suggestions, `--list` output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "macro.h"
#include "test.h"

static void test_table(void)
{
	CHECK(field_count() > 200);
	for (size_t i = 0; i < field_count(); i++) {
		const struct field_info *f = field_info_by_index(i);

		CHECK_INT_EQ(f->id, i);
		CHECK(f->desc && *f->desc);
		CHECK(strchr(f->name, '.') != NULL);
		CHECK(field_info_by_name(f->name) == f); /* names are unique */
		CHECK(field_info_by_id(f->id) == f);
	}
	CHECK(field_info_by_id(_FIELD_MAX) == NULL);
	CHECK_INT_EQ(field_info_by_name("proc.name")->type, FT_CHARBUF);
	CHECK_INT_EQ(field_info_by_name("fd.net")->type, FT_IPNET);
	CHECK_INT_EQ(field_info_by_name("fd.sport")->type, FT_PORT);
	CHECK_INT_EQ(field_info_by_name("proc.duration")->type, FT_RELTIME);
	CHECK_INT_EQ(field_info_by_name("evt.rawres")->type, FT_INT64);
	CHECK_STR_EQ(field_type_name(FT_UINT64), "UINT64");
	CHECK_STR_EQ(field_class_name(field_class_of(field_info_by_name("thread.tid"))), "process");
	CHECK_STR_EQ(field_class_name(field_class_of(field_info_by_name("fs.path.name"))),
		     "fs.path");
}

static void test_resolve(void)
{
	struct field_ref ref;
	const char *why;

	CHECK_INT_EQ(field_resolve("evt.arg.flags", NULL, &ref, &why), 0);
	CHECK_INT_EQ(ref.info->id, FIELD_EVT_ARG);
	CHECK_STR_EQ(ref.arg, "flags");
	CHECK(!ref.arg_is_index);

	CHECK_INT_EQ(field_resolve("evt.arg", "0", &ref, &why), 0);
	CHECK(ref.arg_is_index);
	CHECK_INT_EQ(ref.arg_index, 0);

	CHECK_INT_EQ(field_resolve("evt.rawarg.res", NULL, &ref, &why), 0);
	CHECK_INT_EQ(ref.info->id, FIELD_EVT_RAWARG);

	CHECK_INT_EQ(field_resolve("proc.aname", "2", &ref, &why), 0);
	CHECK_INT_EQ(ref.info->id, FIELD_PROC_ANAME);
	CHECK_INT_EQ(ref.arg_index, 2);
	CHECK_INT_EQ(field_resolve("proc.aname", NULL, &ref, &why), 0);
	CHECK(!ref.has_arg);
	CHECK_INT_EQ(field_resolve("proc.env", "HOME", &ref, &why), 0);
	CHECK_STR_EQ(ref.arg, "HOME");
	CHECK_INT_EQ(field_resolve("container.mount.dest", "/proc*", &ref, &why), 0);

	CHECK_INT_EQ(field_resolve("proc.nmae", NULL, &ref, &why), -ENOENT);
	CHECK_INT_EQ(field_resolve("evt.arg", NULL, &ref, &why), -EINVAL);
	CHECK(strstr(why, "needs an argument") != NULL);
	CHECK_INT_EQ(field_resolve("proc.name", "1", &ref, &why), -EINVAL);
	CHECK(strstr(why, "takes no argument") != NULL);
	CHECK_INT_EQ(field_resolve("proc.aname", "x", &ref, &why), -EINVAL);
	CHECK_INT_EQ(field_resolve("proc.aname", "", &ref, &why), -EINVAL);
	CHECK_INT_EQ(field_resolve("k8s.pod.label", NULL, &ref, &why), -EINVAL);
	CHECK_INT_EQ(field_resolve("evt.arg.x", "1", &ref, &why), -EINVAL);
	{
		char big[FIELD_ARG_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		CHECK_INT_EQ(field_resolve("proc.env", big, &ref, &why), -E2BIG);
	}

	CHECK_STR_EQ(field_suggest("proc.nmae"), "proc.name");
	CHECK_STR_EQ(field_suggest("fd.nme"), "fd.name");
	CHECK_STR_EQ(field_suggest("user.nam"), "user.name");
	CHECK(field_suggest("completely.different.thing") == NULL);
	CHECK_INT_EQ(edit_distance("kitten", "sitting", 10), 3);
	CHECK_INT_EQ(edit_distance("abc", "abc", 0), 0);
}

/* Golden: the first lines of `osprey --list`. */
static void test_list(void)
{
	static const char golden[] =
		"Event Sources: syscall\n"
		"\n"
		"-------------------------------------------------------------------------------\n"
		"Field Class:                  evt\n"
		"Event Sources:                syscall\n"
		"\n"
		"These fields can be used for all event types\n"
		"\n"
		"evt.num                       event number.\n"
		"evt.time                      event timestamp as a time string that includes the\n"
		"                              nanosecond part.\n"
		"evt.time.s                    event timestamp as a time string with no\n"
		"                              nanoseconds.\n";
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	CHECK(f);
	if (!f)
		return;
	fields_list_print(f, false);
	fclose(f);
	CHECK(size > strlen(golden));
	CHECK(strncmp(buf, golden, strlen(golden)) == 0);
	if (strncmp(buf, golden, strlen(golden)))
		fprintf(stderr, "--list begins:\n%.*s\n", (int)strlen(golden), buf);
	/* the fields Osprey refuses are not listed; the others are */
	CHECK(strstr(buf, "\nevt.latency ") == NULL);
	CHECK(strstr(buf, "\nthread.exectime ") == NULL);
	CHECK(strstr(buf, "\nfdlist.names ") == NULL);
	CHECK(strstr(buf, "\nfd.nameraw ") != NULL);
	CHECK(strstr(buf, "\nproc.vpgid ") != NULL);
	for (size_t i = 0; i < field_count(); i++) {
		const struct field_info *fi = field_info_by_index(i);
		char line[128];

		snprintf(line, sizeof(line), "\n%s", fi->name);
		if (!field_is_supported(fi))
			CHECK(strstr(buf, line) == NULL || strstr(buf, line)[strlen(line)] == '.');
	}
	/* every class appears, and lines stay within 80 columns except unbreakable words */
	CHECK(strstr(buf, "Field Class:                  process\n") != NULL);
	CHECK(strstr(buf, "Field Class:                  k8s\n") != NULL);
	CHECK(strstr(buf, "\nproc.aname[N]                 ") != NULL);
	CHECK(strstr(buf, "\nevt.arg.name                  ") != NULL);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &size);
	CHECK(f);
	if (!f)
		return;
	fields_list_print(f, true);
	fclose(f);
	CHECK(strstr(buf, "\nevt.num                       Type: UINT64. event number.\n") != NULL);
	free(buf);
}

/* A field Falco has and Osprey cannot give a value for: known, refused with the reason. */
static void test_unsupported(void)
{
	static const char *const refused[] = {
		"evt.latency",	"evt.cpu",	"evt.buffer",  "evt.buflen", "thread.exectime",
		"fd.dev",
		"fd.dev.major", "fd.dev.minor", "fdlist.nums", "fdlist.names",
		"proc.pidns_init_start_ts",
	};
	struct field_ref ref;
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		why = NULL;
		CHECK_INT_EQ(field_resolve(refused[i], NULL, &ref, &why), -EOPNOTSUPP);
		CHECK(why && strlen(why) > 10);
		CHECK(!field_is_supported(field_info_by_name(refused[i])));
	}
	/* a suggestion never points at a refused field */
	CHECK(field_suggest("evt.latenc") == NULL || strcmp(field_suggest("evt.latenc"),
							     "evt.latency") != 0);
	/* the ones that have a value now */
	CHECK_INT_EQ(field_resolve("proc.vpgid", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("proc.vmrss", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("proc.fdlimit", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("fd.sproto", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("fd.sip.name", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("proc.exe_ino.ctime", NULL, &ref, &why), 0);
	CHECK_INT_EQ(field_resolve("fd.types", "0", &ref, &why), 0);
}

int main(void)
{
	test_table();
	test_resolve();
	test_unsupported();
	test_list();
	return test_finish("test-fields");
}
