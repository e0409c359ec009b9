/*
 * diag.h - diagnostics collected while loading a file: every error and
 * warning with file, line and column (1-based), printed as
 * "FILE:LINE:COL: error: MESSAGE". Loading reports all problems at once.
 */
#ifndef DAGD_DIAG_H
#define DAGD_DIAG_H

#include <stdio.h>

#include "util.h"

enum diag_sev { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_sev sev;
	char *file;
	int line, col;
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n, alloc;
	size_t errors, warnings;
};

void diags_init(struct diags *d);
void diags_release(struct diags *d);
void diags_add(struct diags *d, enum diag_sev sev, const char *file, int line, int col,
	       const char *fmt, ...) DAGD_PRINTF(6, 7);
void diags_vadd(struct diags *d, enum diag_sev sev, const char *file, int line, int col,
		const char *fmt, va_list ap) DAGD_PRINTF(6, 0);
/* Move every diagnostic of src to the end of dst; src is left empty. */
void diags_move(struct diags *dst, struct diags *src);
/* Sort by file, line, column (stable). */
void diags_sort(struct diags *d);
/* Print every diagnostic, one line each. */
void diags_print(const struct diags *d, FILE *f);
/* One diagnostic as a new "FILE:LINE:COL: error: MSG" string. */
char *diag_format(const struct diag *g);

#endif
