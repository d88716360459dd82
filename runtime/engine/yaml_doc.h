/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A YAML document tree built with libyaml's event parser, keeping the line, column and byte
 * range of every node. Bounded: node count and nesting depth are capped. Aliases are refused.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

enum ynode_kind {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP, /* kids alternate key, value */
};

struct ynode {
	enum ynode_kind kind;
	unsigned line, col; /* 1-based, of the node's first character */
	size_t start, end;  /* byte range in the input */
	int style;	    /* yaml_scalar_style_t for scalars */
	char *val;	    /* scalars: NUL-terminated value */
	size_t len;
	struct ynode **kids;
	size_t n;
};

struct ydoc {
	struct ynode **roots; /* one per YAML document; NULL for an empty document */
	size_t n_roots;
	size_t n_nodes;
};

struct yaml_error {
	unsigned line, col;
	char msg[256];
	char hint[160];
};

/*
 * Parses buf[0..len) into *ret. line_starts (n_lines entries) converts libyaml's character
 * columns to byte offsets. Returns 0, -EINVAL (err filled), -ENOMEM.
 */
int ydoc_parse(const char *buf, size_t len, const size_t *line_starts, size_t n_lines,
	       size_t max_nodes, unsigned max_depth, struct ydoc *ret, struct yaml_error *err);
void ydoc_done(struct ydoc *d);
void ynode_free(struct ynode *n);
/* Value of key in a mapping, or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
bool ynode_is_null(const struct ynode *n); /* empty plain scalar, ~ or null */
