// SPDX-License-Identifier: Apache-2.0
/* The field registry: lookup, suggestions and the `--list` output. */
#include <errno.h>
#include <string.h>

#include "fields.h"
#include "macro.h"
#include "parse.h"

static const struct field_info field_table[] = {
#define FIELD(id_, name_, type_, arg_, flags_, desc_)                                              \
	{.id = FIELD_##id_,                                                                        \
	 .name = name_,                                                                            \
	 .type = FT_##type_,                                                                       \
	 .arg = FA_##arg_,                                                                         \
	 .flags = flags_,                                                                          \
	 .desc = desc_},
#include "fields_list.h"
#undef FIELD
};

_Static_assert(ARRAY_SIZE(field_table) == _FIELD_MAX, "field table and enum disagree");

static const struct {
	const char *prefix;
	enum field_class cls;
} class_prefixes[] = {
	{"evt.", FC_EVT},
	{"syscall.", FC_EVT},
	{"proc.", FC_PROCESS},
	{"thread.", FC_PROCESS},
	{"user.", FC_USER},
	{"group.", FC_GROUP},
	{"container.", FC_CONTAINER},
	{"fd.", FC_FD},
	{"fdlist.", FC_FDLIST},
	{"fs.path.", FC_FSPATH},
	{"k8s.", FC_K8S},
};

static const struct {
	const char *name;
	const char *desc;
} class_info[_FC_MAX] = {
	[FC_EVT] = {"evt", "These fields can be used for all event types"},
	[FC_PROCESS] = {"process", "Additional information about the process and thread executing "
				   "the syscall event."},
	[FC_USER] = {"user", "Information about the user executing the specific event."},
	[FC_GROUP] = {"group", "Information about the user group."},
	[FC_CONTAINER] = {"container",
			  "Container information. If the event is not happening inside a "
			  "container, both id and name will be set to 'host'."},
	[FC_FD] = {"fd", "Every syscall that has a file descriptor in its arguments has these "
			 "fields set with information related to the file."},
	[FC_FDLIST] = {"fdlist", "Poll event related fields."},
	[FC_FSPATH] = {"fs.path",
		       "Every syscall that has a filesystem path in its arguments has these fields "
		       "set with information related to the path arguments."},
	[FC_K8S] = {"k8s", "Kubernetes context about pods and namespace name."},
};

/*
 * Fields Falco has and Osprey cannot give a value for: the events or the state do not carry what
 * they read. A rule that uses one is refused when it loads (field_resolve() says why), and
 * `--list` leaves them out, so that no rule compiles against a field that never has a value.
 * Container metadata and k8s.* are another module's and stay as they are.
 */
const char *field_unsupported_reason(const struct field_info *f)
{
	switch (f->id) {
	case FIELD_EVT_LATENCY:
		return "Osprey records a system call once, at its exit: there is no enter event to "
		       "measure the latency from";
	case FIELD_EVT_CPU:
		return "the events do not carry the number of the CPU they happened on";
	case FIELD_EVT_BUFFER:
	case FIELD_EVT_BUFLEN:
		return "Osprey does not capture the data buffers of I/O system calls";
	case FIELD_THREAD_EXECTIME:
	case FIELD_THREAD_TOTEXECTIME:
		return "Osprey does not capture scheduler switch events";
	case FIELD_PROC_PIDNS_INIT_START_TS:
	case FIELD_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
		return "the driver does not record the start time of the PID namespace's init";
	case FIELD_FD_DEV:
	case FIELD_FD_DEV_MAJOR:
	case FIELD_FD_DEV_MINOR:
		return "the driver does not record the device of an opened file";
	case FIELD_FDLIST_NUMS:
	case FIELD_FDLIST_NAMES:
		return "Osprey does not capture poll events";
	default:
		return NULL;
	}
}

bool field_is_supported(const struct field_info *f)
{
	return field_unsupported_reason(f) == NULL;
}

const struct field_info *field_info_by_id(enum field_id id)
{
	if ((int)id < 0 || id >= _FIELD_MAX)
		return NULL;
	return &field_table[id];
}

size_t field_count(void)
{
	return ARRAY_SIZE(field_table);
}

const struct field_info *field_info_by_index(size_t i)
{
	return i < ARRAY_SIZE(field_table) ? &field_table[i] : NULL;
}

const struct field_info *field_info_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_table); i++)
		if (strcmp(field_table[i].name, name) == 0)
			return &field_table[i];
	return NULL;
}

static int set_arg(const struct field_info *f, const char *arg, bool from_dot,
		   struct field_ref *ret, const char **ret_errmsg)
{
	size_t len = strlen(arg);
	uint64_t v;

	if (len == 0) {
		*ret_errmsg = "empty field argument";
		return -EINVAL;
	}
	if (len >= sizeof(ret->arg)) {
		*ret_errmsg = "field argument too long";
		return -E2BIG;
	}
	memcpy(ret->arg, arg, len + 1);
	ret->has_arg = true;
	ret->arg_is_index = safe_atou64(arg, &v) >= 0;
	ret->arg_index = ret->arg_is_index ? v : 0;

	switch (f->arg) {
	case FA_NONE:
		*ret_errmsg = "this field takes no argument";
		return -EINVAL;
	case FA_IDX_OPT:
		if (from_dot || !ret->arg_is_index) {
			*ret_errmsg = "this field's argument must be a number, e.g. [1]";
			return -EINVAL;
		}
		return 0;
	case FA_KEY_OPT:
	case FA_KEY_REQ:
		if (from_dot) {
			*ret_errmsg = "this field's argument goes in brackets, e.g. [name]";
			return -EINVAL;
		}
		return 0;
	case FA_NAME_OR_IDX_REQ:
		return 0;
	}
	return 0;
}

/* ---- event sources ---- */

static const struct field_source syscall_source = {
	.name = "syscall",
	.fields = field_table,
	.n_fields = ARRAY_SIZE(field_table),
};

static const struct field_source *sources[FIELD_SOURCES_MAX] = {&syscall_source};
static size_t n_sources = 1;

const struct field_source *field_source_syscall(void)
{
	return &syscall_source;
}

int field_source_register(const struct field_source *s)
{
	for (size_t i = 0; i < n_sources; i++)
		if (strcmp(sources[i]->name, s->name) == 0)
			return sources[i] == s ? 0 : -EEXIST;
	if (n_sources >= ARRAY_SIZE(sources))
		return -E2BIG;
	sources[n_sources++] = s;
	return 0;
}

const struct field_source *field_source_find(const char *name)
{
	for (size_t i = 0; name && i < n_sources; i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

size_t field_source_count(void)
{
	return n_sources;
}

const struct field_source *field_source_by_index(size_t i)
{
	return i < n_sources ? sources[i] : NULL;
}

int field_resolve(const char *name, const char *bracket_arg, struct field_ref *ret,
		  const char **ret_errmsg)
{
	return field_resolve_in(&syscall_source, name, bracket_arg, ret, ret_errmsg);
}

int field_resolve_in(const struct field_source *src, const char *name, const char *bracket_arg,
		     struct field_ref *ret, const char **ret_errmsg)
{
	const struct field_info *f = NULL;

	memset(ret, 0, sizeof(*ret));
	*ret_errmsg = NULL;
	for (size_t i = 0; i < src->n_fields && !f; i++)
		if (strcmp(src->fields[i].name, name) == 0)
			f = &src->fields[i];
	if (!f) {
		/* "evt.arg.flags": the longest field prefix that accepts a .name argument. */
		for (size_t i = 0; i < src->n_fields; i++) {
			const struct field_info *fi = &src->fields[i];
			size_t n = strlen(fi->name);

			if (fi->arg != FA_NAME_OR_IDX_REQ)
				continue;
			if (strncmp(name, fi->name, n) == 0 && name[n] == '.' && name[n + 1]) {
				if (bracket_arg) {
					*ret_errmsg = "use either .name or [arg], not both";
					ret->info = fi;
					return -EINVAL;
				}
				ret->info = fi;
				return set_arg(ret->info, name + n + 1, true, ret, ret_errmsg);
			}
		}
		*ret_errmsg = "unknown field";
		return -ENOENT;
	}
	ret->info = f;
	if (!field_is_supported(f)) {
		*ret_errmsg = field_unsupported_reason(f);
		return -EOPNOTSUPP;
	}
	if (bracket_arg)
		return set_arg(f, bracket_arg, false, ret, ret_errmsg);
	if (f->arg == FA_KEY_REQ || f->arg == FA_NAME_OR_IDX_REQ) {
		*ret_errmsg = f->arg == FA_KEY_REQ
				      ? "this field needs an argument, e.g. [key]"
				      : "this field needs an argument, e.g. .name or [0]";
		return -EINVAL;
	}
	return 0;
}

size_t edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[128];

	if (lb >= ARRAY_SIZE(row) || la >= ARRAY_SIZE(row))
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), prev + cost);
			prev = cur;
			best = MIN(best, row[j]);
		}
		if (best > limit)
			return limit + 1;
	}
	return row[lb];
}

const char *field_suggest(const char *name)
{
	return field_suggest_in(&syscall_source, name);
}

const char *field_suggest_in(const struct field_source *src, const char *name)
{
	size_t limit = strlen(name) / 3 + 1, best = (size_t)-1;
	const char *ret = NULL;

	if (limit > 4)
		limit = 4;
	for (size_t i = 0; i < src->n_fields; i++) {
		size_t d;

		if (!field_is_supported(&src->fields[i]))
			continue;
		d = edit_distance(name, src->fields[i].name, limit);

		if (d <= limit && d < best) {
			best = d;
			ret = src->fields[i].name;
		}
	}
	return ret;
}

const char *field_type_name(enum field_type t)
{
	static const char *const names[_FT_MAX] = {
		[FT_CHARBUF] = "CHARBUF", [FT_BYTEBUF] = "BYTEBUF", [FT_UINT64] = "UINT64",
		[FT_INT64] = "INT64",	  [FT_UINT32] = "UINT32",   [FT_BOOL] = "BOOL",
		[FT_IPADDR] = "IPADDR",	  [FT_IPNET] = "IPNET",	    [FT_PORT] = "PORT",
		[FT_RELTIME] = "RELTIME", [FT_ABSTIME] = "ABSTIME", [FT_DYNAMIC] = "DYNAMIC",
	};
	return (unsigned)t < _FT_MAX ? names[t] : "?";
}

bool field_type_is_numeric(enum field_type t)
{
	switch (t) {
	case FT_UINT64:
	case FT_INT64:
	case FT_UINT32:
	case FT_PORT:
	case FT_RELTIME:
	case FT_ABSTIME:
		return true;
	default:
		return false;
	}
}

enum field_class field_class_of(const struct field_info *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(class_prefixes); i++)
		if (strncmp(f->name, class_prefixes[i].prefix, strlen(class_prefixes[i].prefix)) ==
		    0)
			return class_prefixes[i].cls;
	return FC_EVT;
}

const char *field_class_name(enum field_class c)
{
	return (unsigned)c < _FC_MAX ? class_info[c].name : "?";
}

const char *field_arg_suffix(enum field_arg a)
{
	switch (a) {
	case FA_IDX_OPT:
		return "[N]";
	case FA_KEY_OPT:
	case FA_KEY_REQ:
		return "[key]";
	case FA_NAME_OR_IDX_REQ:
		return ".name";
	default:
		return "";
	}
}

#define LIST_NAME_WIDTH 30
#define LIST_WIDTH	80

/* "name<pad>description", the description word-wrapped to LIST_WIDTH under its column. */
static void print_wrapped(FILE *f, const char *name, const char *desc)
{
	size_t col = LIST_NAME_WIDTH;

	if (strlen(name) >= LIST_NAME_WIDTH)
		fprintf(f, "%s\n%*s", name, LIST_NAME_WIDTH, "");
	else
		fprintf(f, "%-*s", LIST_NAME_WIDTH, name);
	while (*desc) {
		size_t w = strcspn(desc, " ");

		if (col > LIST_NAME_WIDTH && col + 1 + w > LIST_WIDTH) {
			fprintf(f, "\n%*s", LIST_NAME_WIDTH, "");
			col = LIST_NAME_WIDTH;
		} else if (col > LIST_NAME_WIDTH) {
			fputc(' ', f);
			col++;
		}
		fwrite(desc, 1, w, f);
		col += w;
		desc += w;
		while (*desc == ' ')
			desc++;
	}
	fputc('\n', f);
}

const char *field_source_class_of(const struct field_source *src, const struct field_info *fi,
				  const char **ret_desc)
{
	enum field_class c;

	if (src->class_of)
		return src->class_of(fi, ret_desc);
	c = field_class_of(fi);
	*ret_desc = class_info[c].desc;
	return class_info[c].name;
}

void fields_list_print(FILE *f, bool verbose)
{
	fields_list_print_source(f, &syscall_source, verbose);
}

void fields_list_print_source(FILE *f, const struct field_source *src, bool verbose)
{
	const char *last = NULL;

	fprintf(f, "Event Sources: %s\n\n", src->name);
	for (size_t i = 0; i < src->n_fields; i++) {
		const struct field_info *fi = &src->fields[i];
		const char *desc = "", *cls = field_source_class_of(src, fi, &desc);
		char name[96];

		if (!field_is_supported(fi))
			continue;
		if (!last || strcmp(cls, last) != 0) {
			if (last)
				fputc('\n', f);
			fprintf(f, "---------------------------------------------------------------"
				   "----------------\n");
			fprintf(f, "%-30s%s\n", "Field Class:", cls);
			fprintf(f, "%-30s%s\n", "Event Sources:", src->name);
			fprintf(f, "\n%s\n\n", desc);
			last = cls;
		}
		snprintf(name, sizeof(name), "%s%s", fi->name, field_arg_suffix(fi->arg));
		if (verbose) {
			char d[512];

			snprintf(d, sizeof(d), "Type: %s%s. %s", field_type_name(fi->type),
				 fi->flags & FF_LIST ? " (list)" : "", fi->desc);
			print_wrapped(f, name, d);
		} else {
			print_wrapped(f, name, fi->desc);
		}
	}
}
