/*
 * yaml_doc.h - a YAML file as a small tree with 1-based line:column on every
 * node, built with libyaml. Aliases are expanded (with a node budget, so an
 * alias bomb is an error, not an explosion); duplicate mapping keys are
 * errors. Only this module includes yaml.h.
 */
#ifndef DAGD_YAML_DOC_H
#define DAGD_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

struct ypair;

struct ynode {
	enum ynode_type type;
	int line, col;
	/* scalar */
	char *str;
	size_t len;
	bool plain; /* written without quotes or block style */
	bool block; /* literal (|) or folded (>) block scalar */
	/* sequence */
	struct ynode **items;
	size_t n_items;
	/* mapping, in file order */
	struct ypair *pairs;
	size_t n_pairs;
};

struct ypair {
	struct ynode *key; /* always a scalar */
	struct ynode *val;
};

/*
 * Parse buf (len bytes) of file `file`. Returns 0 and the root in *root
 * (NULL for an empty document), or DAGD_EINVAL with errors added to d.
 * A duplicate mapping key is an error added to d, yet the document (with
 * the key's first value) is still returned, so that a caller can report
 * the file's other errors at once: callers check d's error count.
 */
int ydoc_parse(const char *buf, size_t len, const char *file, struct ynode **root,
	       struct diags *d);
void ynode_free(struct ynode *n);

/* The value of key in a mapping, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);
/* true for a plain scalar null ("", "~", "null", "Null", "NULL"). */
bool ynode_is_null(const struct ynode *n);
/* A short word for the node's type, for messages: "a mapping", "a list", "a string". */
const char *ynode_kind(const struct ynode *n);

#endif
