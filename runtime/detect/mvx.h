/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transformers over several values (libs 0.25): join(), concat(), getopt(). They work on
 * extracted values (struct xval) and write their results into the extract context's per-event
 * arena: nothing is allocated per event, and a result that does not fit has no value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "extract.h"

#define MVX_VALUES_MAX 256 /* values getopt() returns, or splits a string into */

/* The n string values joined with sep between them, into *ret. false: no value (arena full). */
bool mvx_join(struct extract_ctx *x, const char *sep, size_t sep_len, const struct xval *v,
	      size_t n, struct xval *ret);

/* The n string values one after the other, into *ret. false: no value (arena full). */
bool mvx_concat(struct extract_ctx *x, const struct xval *v, size_t n, struct xval *ret);

/*
 * getopt(3) over argv[0..argc) with optstring opts, as libs does: stops at "--" and at the
 * first argument that is not an option, skips long options, expands clusters (-nt), takes an
 * option's argument from the rest of the word or the next one. sel == 0: the list of options
 * seen, an option with an argument followed by the argument, '?' for an unknown option, "" for
 * a missing argument. sel != 0: the last value of option sel (its argument, or the option
 * itself when it takes none); no value when absent. Returns the number of values in *ret.
 */
size_t mvx_getopt(struct extract_ctx *x, const struct xval *argv, size_t argc, const char *opts,
		  size_t opts_len, char sel, const struct xval **ret);

/* Splits the string s at spaces into words (getopt on a string field such as proc.args). */
size_t mvx_split(struct extract_ctx *x, const struct xval *s, const struct xval **ret);
