// SPDX-License-Identifier: Apache-2.0
/* The condition parser: every operator, operands, transformers, errors with offsets, caps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cond_parser.h"
#include "test.h"

/* Parses text and compares the canonical form. */
static void check_parse(const char *text, const char *want)
{
	_cleanup_(ast_freep) struct ast_node *n = NULL;
	struct cond_error err;
	char buf[1024];
	int r;

	r = cond_parse(text, strlen(text), NULL, &n, &err);
	if (r < 0)
		fprintf(stderr, "parse of '%s' failed at %u: %s\n", text, err.off, err.msg);
	CHECK_INT_EQ(r, 0);
	if (r < 0)
		return;
	ast_format(n, buf, sizeof(buf));
	CHECK_STR_EQ(buf, want);
}

/* Parses text, expecting an error at offset off whose message contains msg. */
static void check_error(const char *text, unsigned off, const char *msg)
{
	_cleanup_(ast_freep) struct ast_node *n = NULL;
	struct cond_error err;
	int r;

	r = cond_parse(text, strlen(text), NULL, &n, &err);
	CHECK_INT_EQ(r, -EINVAL);
	CHECK(!n);
	CHECK_INT_EQ(err.off, off);
	if (!strstr(err.msg, msg))
		fprintf(stderr, "error for '%s' is '%s', expected '%s'\n", text, err.msg, msg);
	CHECK(strstr(err.msg, msg) != NULL);
}

static void test_operators(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"proc.name = bash", "proc.name = bash"},
		{"proc.name == bash", "proc.name = bash"},
		{"proc.name=bash", "proc.name = bash"},
		{"proc.name != bash", "proc.name != bash"},
		{"proc.pid < 5", "proc.pid < 5"},
		{"proc.pid <= 5", "proc.pid <= 5"},
		{"proc.pid > 5", "proc.pid > 5"},
		{"proc.pid >= 5", "proc.pid >= 5"},
		{"proc.pid>=5", "proc.pid >= 5"},
		{"fd.name contains /etc", "fd.name contains /etc"},
		{"proc.env icontains HTTP_PROXY", "proc.env icontains HTTP_PROXY"},
		{"evt.buffer bcontains cafebabe", "evt.buffer bcontains cafebabe"},
		{"fd.name startswith /etc/", "fd.name startswith /etc/"},
		{"evt.buffer bstartswith 7f454c46", "evt.buffer bstartswith 7f454c46"},
		{"fd.name endswith .pem", "fd.name endswith .pem"},
		{"fd.name glob '/etc/*'", "fd.name glob /etc/*"},
		{"fd.name iglob '/ETC/*'", "fd.name iglob /ETC/*"},
		{"proc.cmdline regex 'a.*b'", "proc.cmdline regex a.*b"},
		{"proc.name in (bash, sh, \"c d\")", "proc.name in (bash, sh, \"c d\")"},
		{"proc.name in ()", "proc.name in ()"},
		{"proc.name in shell_binaries", "proc.name in shell_binaries"},
		{"fd.types intersects (ipv4, ipv6)", "fd.types intersects (ipv4, ipv6)"},
		{"fd.name pmatch (/etc, /usr/bin)", "fd.name pmatch (/etc, /usr/bin)"},
		{"proc.name exists", "proc.name exists"},
		{"k8s.ns.name exists and proc.name = x", "(k8s.ns.name exists and proc.name = x)"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_parse(cases[i].in, cases[i].out);
}

static void test_structure(void)
{
	/* and binds tighter than or; not binds tightest; parentheses group */
	check_parse("a or b and c", "(a or (b and c))");
	check_parse("(a or b) and c", "((a or b) and c)");
	check_parse("not a and b", "(not a and b)");
	check_parse("not (a and b)", "not (a and b)");
	check_parse("not not a", "not not a");
	check_parse("a and not(b)", "(a and not b)");
	check_parse("a and(b or c)", "(a and (b or c))");
	check_parse("  spawned_process  ", "spawned_process");
	check_parse("a\n  and b\n  and c", "(a and b and c)");
	/* macro names may start with keywords */
	check_parse("notepad or order and andrew", "(notepad or (order and andrew))");
}

static void test_operands(void)
{
	check_parse("proc.aname[2] = sshd", "proc.aname[2] = sshd");
	check_parse("evt.arg[0] = 3", "evt.arg[0] = 3");
	check_parse("evt.arg.flags contains O_TRUNC", "evt.arg.flags contains O_TRUNC");
	check_parse("container.mount.dest[/proc*] != \"N/A\"",
		    "container.mount.dest[/proc*] != N/A");
	check_parse("proc.env[\"MY VAR\"] = 1", "proc.env[MY VAR] = 1");
	check_parse("fd.typechar='f'", "fd.typechar = f");
	check_parse("proc.cmdline = \"a \\\"quoted\\\" word\"",
		    "proc.cmdline = \"a \\\"quoted\\\" word\"");
	check_parse("fd.net = 10.0.0.0/8", "fd.net = 10.0.0.0/8");
	check_parse("fd.name = <NA>", "fd.name = <NA>");
	check_parse("evt.rawres < -1", "evt.rawres < -1");
	check_parse("proc.name = val(proc.pname)", "proc.name = val(proc.pname)");
	check_parse("tolower(proc.name) = bash", "tolower(proc.name) = bash");
	check_parse("toupper( proc.name ) = BASH", "toupper(proc.name) = BASH");
	check_parse("b64(proc.cmdline) contains x", "b64(proc.cmdline) contains x");
	check_parse("basename(proc.exepath) = bash", "basename(proc.exepath) = bash");
	check_parse("len(proc.args) > 100", "len(proc.args) > 100");
	check_parse("tolower(basename(fd.name)) = x", "tolower(basename(fd.name)) = x");
	check_parse("proc.name in (a,b , c ,d)", "proc.name in (a, b, c, d)");
	/* libs 0.25: transformers over several arguments, transformers on the right */
	check_parse("join(',', fdlist.names) = a", "join(\",\", fdlist.names) = a");
	check_parse("concat( proc.name ,'-', proc.pname ) = x", "concat(proc.name, \"-\", proc.pname) = x");
	check_parse("getopt(proc.args, \"c:e\")[c] = x", "getopt(proc.args, \"c:e\")[c] = x");
	check_parse("len(getopt(proc.args, 'ab')) > 2", "len(getopt(proc.args, \"ab\")) > 2");
	check_parse("toupper(concat(tolower(proc.name), basename(fd.name))) = X",
		    "toupper(concat(tolower(proc.name), basename(fd.name))) = X");
	check_parse("proc.name = tolower(proc.pname)", "proc.name = val(tolower(proc.pname))");
	check_parse("proc.name = concat(proc.pname, 'x')", "proc.name = val(concat(proc.pname, \"x\"))");
	check_parse("join and proc.name = a", "(join and proc.name = a)"); /* a macro */
}

static void test_errors(void)
{
	check_error("", 0, "empty condition");
	check_error("proc.name", 9, "expected an operator");
	check_error("proc.name bogus x", 10, "unknown operator 'bogus'");
	check_error("proc.name = ", 12, "expected a value");
	check_error("proc.name in (a, b", 18, "expected ',' or ')'");
	check_error("proc.name in a,", 14, "unexpected ','");
	check_error("(proc.name = a", 14, "missing ')'");
	check_error("proc.name = a)", 13, "unmatched ')'");
	check_error("proc.name = a b", 14, "unexpected 'b'");
	check_error("proc.name = \"abc", 12, "unterminated quoted string");
	check_error("proc.aname[2 = x", 10, "unterminated field argument");
	check_error("a and", 5, "expected a check");
	check_error("a and or b", 6, "unexpected 'or'");
	check_error("proc.name = (a, b)", 12, "takes one value");
	check_error("proc.name in", 12, "needs a list");
	check_error("tolower(proc.name = x", 18, "expected ')'");
	check_error("= x", 0, "expected a field name");
	check_error("concat(proc.name, 'a' = x", 22, "expected ',' or ')' in the arguments of concat()");
	check_error("getopt(proc.args, 'a')[c = x", 22, "unterminated getopt() selector");
	check_error("join(',', ) = x", 10, "expected a field name");
	check_error("proc.name = concat(proc.pname, x)", 31, "expected a field name, got 'x'");
}

static void test_caps(void)
{
	size_t depth = COND_DEPTH_MAX + 5, n = 0;
	_cleanup_free_ char *deep = malloc(depth * 2 + 16);
	_cleanup_free_ char *wide = NULL;
	_cleanup_(ast_freep) struct ast_node *ast = NULL;
	struct cond_error err;

	CHECK(deep);
	if (!deep)
		return;
	for (size_t i = 0; i < depth; i++)
		deep[n++] = '(';
	deep[n++] = 'a';
	for (size_t i = 0; i < depth; i++)
		deep[n++] = ')';
	deep[n] = 0;
	CHECK_INT_EQ(cond_parse(deep, n, NULL, &ast, &err), -EINVAL);
	CHECK(strstr(err.msg, "nested deeper than") != NULL);
	CHECK_INT_EQ(err.off, COND_DEPTH_MAX);

	/* a nesting just under the cap parses */
	n = 0;
	for (size_t i = 0; i < COND_DEPTH_MAX - 1; i++)
		deep[n++] = '(';
	deep[n++] = 'a';
	for (size_t i = 0; i < COND_DEPTH_MAX - 1; i++)
		deep[n++] = ')';
	CHECK_INT_EQ(cond_parse(deep, n, NULL, &ast, &err), 0);
	ast_free(ast);
	ast = NULL;

	/* node cap: "a or a or ..." */
	n = (COND_NODES_MAX + 10) * 5;
	wide = malloc(n + 1);
	CHECK(wide);
	if (!wide)
		return;
	for (size_t i = 0; i < n; i += 5)
		memcpy(wide + i, "a or ", 5);
	wide[n - 4] = 0; /* ends with "a" */
	CHECK_INT_EQ(cond_parse(wide, strlen(wide), NULL, &ast, &err), -EINVAL);
	CHECK(strstr(err.msg, "more than") != NULL);
}

int main(void)
{
	test_operators();
	test_structure();
	test_operands();
	test_errors();
	test_caps();
	return test_finish("test-rules-parse");
}
