// SPDX-License-Identifier: Apache-2.0
/* Bounded list of rules diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int diag_add(struct diag_list *l, enum diag_severity sev, const char *file, unsigned line,
	     unsigned col, const char *hint, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	int r;

	if (sev == DIAG_ERROR)
		l->n_errors++;
	else
		l->n_warnings++;
	if (l->n >= DIAG_MAX) {
		l->n_dropped++;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct diag *p = reallocarray(l->items, cap, sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->items = p;
		l->cap = cap;
	}
	d = &l->items[l->n];
	memset(d, 0, sizeof(*d));
	d->severity = sev;
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	r = vasprintf(&d->msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (file && !(d->file = strdup(file))) {
		free(d->msg);
		return -ENOMEM;
	}
	if (hint && !(d->hint = strdup(hint))) {
		free(d->msg);
		free(d->file);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

void diag_list_clear(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].file);
		free(l->items[i].msg);
		free(l->items[i].hint);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int diag_format(const struct diag *d, char *buf, size_t size)
{
	const char *sev = d->severity == DIAG_ERROR ? "error" : "warning";
	int n;

	if (d->file && d->line)
		n = snprintf(buf, size, "%s:%u:%u: %s: %s", d->file, d->line, d->col, sev, d->msg);
	else if (d->file)
		n = snprintf(buf, size, "%s: %s: %s", d->file, sev, d->msg);
	else
		n = snprintf(buf, size, "%s: %s", sev, d->msg);
	if (n >= 0 && d->hint) {
		size_t used = (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
		int m = snprintf(buf + used, size - used, " (hint: %s)", d->hint);

		if (m > 0)
			n += m;
	}
	return n;
}

void diag_list_print(const struct diag_list *l, FILE *f)
{
	char buf[2048];

	for (size_t i = 0; i < l->n; i++) {
		diag_format(&l->items[i], buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	if (l->n_dropped)
		fprintf(f, "(%zu more diagnostics not shown)\n", l->n_dropped);
}
