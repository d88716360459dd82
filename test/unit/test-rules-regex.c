// SPDX-License-Identifier: Apache-2.0
/*
 * rx.h: RE2 syntax on PCRE2, whole-value matching, what RE2 refuses refused, and bounded time
 * and memory whatever the pattern and the input. No absolute times are asserted: the bounded
 * cases must finish (the suite's timeout catches a freeze) and hit the limit, not run to the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ruleset.h"
#include "rx.h"
#include "test.h"

static struct rx_matcher *M;

/* 1 match, 0 no match, RX_LIMIT, or -100 if the pattern did not compile. */
static int match(const char *pat, const char *s)
{
	_cleanup_(rx_freep) struct rx *re = NULL;
	struct rx_error err;

	if (rx_compile(pat, strlen(pat), true, &re, &err) < 0) {
		fprintf(stderr, "'%s' refused: %s (at %zu)\n", pat, err.msg, err.off);
		return -100;
	}
	return rx_match(re, M, s, strlen(s));
}

/* Refused, with a message containing want. */
static bool refused(const char *pat, const char *want)
{
	_cleanup_(rx_freep) struct rx *re = NULL;
	struct rx_error err;
	int r = rx_compile(pat, strlen(pat), false, &re, &err);

	if (r != -EINVAL) {
		fprintf(stderr, "'%s' accepted (r=%d)\n", pat, r);
		return false;
	}
	if (!strstr(err.msg, want)) {
		fprintf(stderr, "'%s': message '%s' lacks '%s'\n", pat, err.msg, want);
		return false;
	}
	return true;
}

static void test_re2_syntax(void)
{
	/* whole-value match, as RE2::FullMatch */
	CHECK_INT_EQ(match("/etc/s[a-z]+", "/etc/shadow"), 1);
	CHECK_INT_EQ(match("etc", "/etc/shadow"), 0);
	CHECK_INT_EQ(match("a|ab", "ab"), 1);
	CHECK_INT_EQ(match("a$", "a\n"), 0); /* $ is the end of the value, not before a newline */
	/* \d, \w, \s are ASCII as in RE2 */
	CHECK_INT_EQ(match("port=\\d+", "port=8080"), 1);
	CHECK_INT_EQ(match("port=\\d+", "port=80a"), 0);
	CHECK_INT_EQ(match("\\w+\\s\\w+", "hello world"), 1);
	/* flags */
	CHECK_INT_EQ(match("(?i)curl.*", "CuRL -s x"), 1);
	CHECK_INT_EQ(match("(?i:ab)c", "ABc"), 1);
	CHECK_INT_EQ(match("(?i:ab)c", "ABC"), 0);
	CHECK_INT_EQ(match("(?s)a.b", "a\nb"), 1);
	CHECK_INT_EQ(match("a.b", "a\nb"), 0);
	/* lazy quantifiers: same whole-value answer, accepted */
	CHECK_INT_EQ(match("a.*?b", "axxbyyb"), 1);
	CHECK_INT_EQ(match("a+?", "aaa"), 1);
	CHECK_INT_EQ(match("x{2,3}?y", "xxxy"), 1);
	/* named groups, both spellings; POSIX classes; \pL; hex; \Q..\E */
	CHECK_INT_EQ(match("(?P<user>[a-z]+)@(?<host>[a-z.]+)", "root@example.org"), 1);
	CHECK_INT_EQ(match("[[:alpha:]]+[[:digit:]]", "abc1"), 1);
	CHECK_INT_EQ(match("\\pL+", "d\xc3\xa9j\xc3\xa0"), 1);
	CHECK_INT_EQ(match("\\x41\\x{42}", "AB"), 1);
	CHECK_INT_EQ(match("\\Q.*+\\E", ".*+"), 1);
	CHECK_INT_EQ(match("\\Q.*+\\E", "aa"), 0);
	/* . is one UTF-8 character, as in RE2 */
	CHECK_INT_EQ(match("caf.", "caf\xc3\xa9"), 1);
	/* \v is RE2's vertical tab, not PCRE2's vertical-space class */
	CHECK_INT_EQ(match("a\\vb", "a\vb"), 1);
	CHECK_INT_EQ(match("a\\vb", "a\nb"), 0);
	/* a { that starts no repeat is literal, as in RE2 */
	CHECK_INT_EQ(match("a{x}", "a{x}"), 1);
	CHECK_INT_EQ(match("a{,2}", "a{,2}"), 1);
	/* invalid UTF-8 in the value: no error, just no match where a character is needed */
	CHECK_INT_EQ(match("ab.*", "ab\xff\xfe"), 0);
	CHECK_INT_EQ(match("ab", "ab"), 1);
	/* the default rules' patterns */
	CHECK_INT_EQ(match("(.* )?-[iUF][[:alpha:]]*( .*)?", "rpm -ivh x.rpm"), 1);
	CHECK_INT_EQ(match("(.* )?-[iUF][[:alpha:]]*( .*)?", "rpm -q x"), 0);
	CHECK_INT_EQ(match("(.* )?/\\*?( .*)?", "rm -rf /"), 1);
}

static void test_refused(void)
{
	CHECK(refused("(a*)\\1", "backreference"));
	CHECK(refused("echo (a*)(a*)(a*)\\3\\2", "backreference"));
	CHECK(refused("(?P<x>a)(?P=x)", "backreference"));
	CHECK(refused("(a)\\g1", "backreference"));
	CHECK(refused("(?<n>a)\\k<n>", "backreference"));
	CHECK(refused("a(?=b)", "lookahead"));
	CHECK(refused("a(?!b)", "lookahead"));
	CHECK(refused("(?<=a)b", "lookbehind"));
	CHECK(refused("(?<!a)b", "lookbehind"));
	CHECK(refused("(?>a+)b", "atomic"));
	CHECK(refused("a++b", "possessive"));
	CHECK(refused("a{2}+", "possessive"));
	CHECK(refused("(a|(?R))", "recursion"));
	CHECK(refused("(a)(?1)", "recursion"));
	CHECK(refused("(?(1)a|b)", "conditional"));
	CHECK(refused("(*SKIP)a", "verbs"));
	CHECK(refused("(?x) a", "flag 'x'"));
	CHECK(refused("a\\Kb", "not RE2"));
	CHECK(refused("a{1001}", "over 1000"));
	CHECK(refused("((((a{255}){255}){255}){255})", "copies"));
	CHECK(refused("(a{100}){11}", "copies"));
	CHECK(refused("a(b", "missing )"));
	CHECK(refused("a)b", "unmatched )"));
	CHECK(refused("[a-", "missing ]"));
	CHECK(refused("*a", "nothing to repeat"));
	CHECK(refused("a**", "nothing to repeat"));
	CHECK(refused("x\\", "trailing backslash"));
	/* ten thousand characters compile fine; past the cap, refused with the size */
	{
		char *big = malloc(RX_PATTERN_MAX + 2);

		memset(big, 'a', RX_PATTERN_MAX + 1);
		big[RX_PATTERN_MAX + 1] = 0;
		CHECK(refused(big, "limit is"));
		free(big);
	}
}

/* A 5000-character pattern is used whole: no silent cut, nothing shifts. */
static void test_long_pattern(void)
{
	char *pat = malloc(5001), *s = malloc(5001);

	memset(pat, 'a', 4998);
	memcpy(pat + 4998, "b+", 3); /* 4998 a's then b+: 5000 characters */
	memset(s, 'a', 4998);
	memcpy(s + 4998, "bb", 3);
	CHECK_INT_EQ(strlen(pat), 5000);
	CHECK_INT_EQ(match(pat, s), 1);
	s[4998] = 'c'; /* the end of the pattern is used: a cut pattern would match this */
	CHECK_INT_EQ(match(pat, s), 0);
	s[4998] = 'b';
	s[0] = 'b'; /* so is the start */
	CHECK_INT_EQ(match(pat, s), 0);
	free(pat);
	free(s);
}

/* Catastrophic backtracking: bounded, reported as RX_LIMIT. */
static void test_bounded_match(void)
{
	char s[4200];
	int hits = 0;

	memset(s, 'a', 400);
	s[400] = 'b';
	s[401] = 0;
	/* the pattern is refused at load time (backreferences); these are the worst ones
	 * RE2 syntax allows, exponential for a backtracking matcher: stopped at the limit */
	CHECK_INT_EQ(match("(a|aa)*[cd]", s), RX_LIMIT);
	CHECK_INT_EQ(match("(a*)*[cd]", s), RX_LIMIT);
	CHECK_INT_EQ(match("(a+)+[cd]", s), RX_LIMIT);
	CHECK_INT_EQ(match("(.*a){20}", s), RX_LIMIT);
	CHECK_INT_EQ(match("(a*)(a*)(a*)a*[cd]", s), RX_LIMIT);
	/* a long ordinary value with the default rules' patterns: no limit hit */
	memset(s, 0, sizeof(s));
	for (size_t i = 0; i + 8 < 4096; i += 8)
		memcpy(s + i, "-abcdef ", 8);
	CHECK_INT_EQ(match("(.* )?-[iUF][[:alpha:]]*( .*)?", s), 0);
	CHECK_INT_EQ(match("(.* )?(-[[:alnum:]]*[ce]|--(exec|sh-exec|lua-exec)).*", s), 1);
	CHECK_INT_EQ(match("(.* )?(-[[:alpha:]]*[rR][[:alpha:]]*|--recursive)( .*)?", s), 0);
	/* many times over: each limit hit is cheap (the suite's timeout is the bound) */
	memset(s, 'a', 4000);
	s[4000] = 'b';
	s[4001] = 0;
	for (int i = 0; i < 500; i++)
		hits += match("(a|aa)*[cd]", s) == RX_LIMIT;
	CHECK_INT_EQ(hits, 500);
}

/* Loads one rule with this condition; returns the first error's "file:line:col: msg". */
static bool load_error(const char *cond, char *buf, size_t size, bool *ret_ok)
{
	_cleanup_(ruleset_freep) struct ruleset *rs = ruleset_new();
	struct diag_list diags = {};
	size_t n = strlen(cond) + 256;
	char *yaml = malloc(n);
	bool found = false;

	snprintf(yaml, n,
		 "- list: l\n  items: [x]\n- rule: Regex rule\n  desc: d\n  condition: %s\n"
		 "  output: o\n  priority: WARNING\n",
		 cond);
	*ret_ok = ruleset_load_buffer(rs, "regex.yaml", yaml, strlen(yaml), &diags) == 0 &&
		  ruleset_compile(rs, &diags) == 0;
	for (size_t i = 0; i < diags.n && !found; i++)
		if (diags.items[i].severity == DIAG_ERROR) {
			diag_format(&diags.items[i], buf, size);
			found = true;
		}
	diag_list_clear(&diags);
	free(yaml);
	return found;
}

/* Refusals happen at load time, named with file, line, column and rule. */
static void test_load_time(void)
{
	char buf[1024];
	bool ok;
	char *cond, *pat;

	CHECK(load_error("evt.type = execve and proc.cmdline regex '((((a{255}){255}){255}){255})'",
			 buf, sizeof(buf), &ok));
	CHECK(!ok);
	CHECK(strstr(buf, "regex.yaml:5:") != NULL);
	CHECK(strstr(buf, "(in rule 'Regex rule')") != NULL);
	CHECK(strstr(buf, "copies") != NULL);
	fprintf(stderr, "%s\n", buf);

	CHECK(load_error("evt.type = execve and proc.cmdline regex 'echo (a*)(a*)(a*)\\3\\2'", buf,
			 sizeof(buf), &ok));
	CHECK(!ok);
	CHECK(strstr(buf, "regex.yaml:5:") != NULL);
	CHECK(strstr(buf, "backreference") != NULL);
	CHECK(strstr(buf, "(in rule 'Regex rule')") != NULL);

	CHECK(load_error("evt.type = execve and proc.cmdline regex 'a(?=b)'", buf, sizeof(buf),
			 &ok));
	CHECK(strstr(buf, "lookahead") != NULL);

	/* a 5000-character pattern loads whole */
	pat = malloc(5001);
	cond = malloc(5200);
	memset(pat, 'a', 4998);
	memcpy(pat + 4998, "b+", 3);
	snprintf(cond, 5200, "evt.type = execve and proc.cmdline regex '%s'", pat);
	CHECK(!load_error(cond, buf, sizeof(buf), &ok));
	CHECK(ok);
	/* and one past RX_PATTERN_MAX is refused with its size, not cut */
	free(pat);
	free(cond);
	pat = malloc(RX_PATTERN_MAX + 2);
	cond = malloc(RX_PATTERN_MAX + 200);
	memset(pat, 'a', RX_PATTERN_MAX + 1);
	pat[RX_PATTERN_MAX + 1] = 0;
	snprintf(cond, RX_PATTERN_MAX + 200, "evt.type = execve and proc.cmdline regex '%s'", pat);
	CHECK(load_error(cond, buf, sizeof(buf), &ok));
	CHECK(strstr(buf, "the limit is") != NULL);
	CHECK(strstr(buf, "(in rule 'Regex rule')") != NULL);
	free(pat);
	free(cond);
}

int main(void)
{
	CHECK_INT_EQ(rx_matcher_new(&M), 0);
	test_re2_syntax();
	test_refused();
	test_long_pattern();
	test_bounded_match();
	test_load_time();
	rx_matcher_free(M);
	return test_finish("test-rules-regex");
}
