/*
 * diag.c - the diagnostics list used by the DAG and config loaders.
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_release(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	diags_init(d);
}

void diags_vadd(struct diags *d, enum diag_sev sev, const char *file, int line, int col,
		const char *fmt, va_list ap)
{
	struct sbuf sb;
	struct diag *g;

	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 8;
		d->v = xrealloc(d->v, d->alloc * sizeof(*d->v));
	}
	sbuf_init(&sb, 0);
	sbuf_vaddf(&sb, fmt, ap);
	g = &d->v[d->n++];
	g->sev = sev;
	g->file = xstrdup(file ? file : "");
	g->line = line;
	g->col = col;
	g->msg = sbuf_take(&sb);
	if (sev == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void diags_add(struct diags *d, enum diag_sev sev, const char *file, int line, int col,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_vadd(d, sev, file, line, col, fmt, ap);
	va_end(ap);
}

void diags_move(struct diags *dst, struct diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n == dst->alloc) {
			dst->alloc = dst->alloc ? dst->alloc * 2 : 8;
			dst->v = xrealloc(dst->v, dst->alloc * sizeof(*dst->v));
		}
		dst->v[dst->n++] = src->v[i];
	}
	dst->errors += src->errors;
	dst->warnings += src->warnings;
	free(src->v);
	diags_init(src);
}

static int diag_cmp(const struct diag *a, const struct diag *b)
{
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void diags_sort(struct diags *d)
{
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < d->n; i++) {
		struct diag g = d->v[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->v[j - 1], &g) > 0) {
			d->v[j] = d->v[j - 1];
			j--;
		}
		d->v[j] = g;
	}
}

char *diag_format(const struct diag *g)
{
	return xasprintf("%s:%d:%d: %s: %s", g->file, g->line, g->col,
			 g->sev == DIAG_ERROR ? "error" : "warning", g->msg);
}

void diags_print(const struct diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(&d->v[i]);
		fprintf(f, "%s\n", s);
		free(s);
	}
}
