/*
 * schema.h - the state-store migrations sql/schema/<backend>/NNN_name.sql,
 * embedded into the binary at build time: daemon/embed.sh writes them to
 * $(BUILD)/gen/schema.c. The store backends apply those of their backend
 * whose number NNN is above the schema_version table's maximum.
 */
#ifndef DAGD_SCHEMA_H
#define DAGD_SCHEMA_H

#include <stddef.h>

struct schema_file {
	const char *backend; /* the directory: "sqlite" or "postgres" */
	const char *name;    /* the file name: "001_init.sql" */
	const char *text;    /* its contents, NUL-terminated */
	size_t len;          /* strlen(text) */
};

/* Every embedded file, sorted by backend, then name. */
extern const struct schema_file schema_files[];
extern const size_t schema_n_files;

#endif
