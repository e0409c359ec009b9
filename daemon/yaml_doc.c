/*
 * yaml_doc.c - libyaml's document loader turned into struct ynode trees.
 * libyaml marks are 0-based; ours are 1-based. Alias expansion copies the
 * referenced subtree, bounded by YAML_MAX_NODES and YAML_MAX_DEPTH so a
 * recursive or exponential alias is reported instead of eating memory.
 */
#include "yaml_doc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "dagd_limits.h"
#include "util.h"

struct conv {
	yaml_document_t *doc;
	const char *file;
	struct diags *d;
	size_t budget;
	bool failed;
	size_t dups; /* duplicate keys reported (the document is still whole) */
};

static struct ynode *conv_node(struct conv *c, int idx, int depth);

static struct ynode *ynode_new(enum ynode_type t, const yaml_node_t *src)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->type = t;
	n->line = (int)src->start_mark.line + 1;
	n->col = (int)src->start_mark.column + 1;
	return n;
}

static void conv_fail(struct conv *c, const yaml_node_t *at, const char *msg)
{
	if (!c->failed)
		diags_add(c->d, DIAG_ERROR, c->file, (int)at->start_mark.line + 1,
			  (int)at->start_mark.column + 1, "%s", msg);
	c->failed = true;
}

static struct ynode *conv_map(struct conv *c, yaml_node_t *src, int depth)
{
	struct ynode *n = ynode_new(YN_MAP, src);
	size_t cnt = (size_t)(src->data.mapping.pairs.top - src->data.mapping.pairs.start);

	n->pairs = xcalloc(cnt, sizeof(*n->pairs));
	for (yaml_node_pair_t *p = src->data.mapping.pairs.start;
	     p < src->data.mapping.pairs.top && !c->failed; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		struct ypair *dst;
		bool dup = false;

		if (!k || k->type != YAML_SCALAR_NODE) {
			conv_fail(c, k ? k : src, "mapping keys must be plain strings");
			break;
		}
		for (size_t i = 0; i < n->n_pairs && !dup; i++) {
			if (strcmp(n->pairs[i].key->str, (const char *)k->data.scalar.value) == 0) {
				diags_add(c->d, DIAG_ERROR, c->file, (int)k->start_mark.line + 1,
					  (int)k->start_mark.column + 1,
					  "duplicate key '%s' (first at line %d)",
					  (const char *)k->data.scalar.value, n->pairs[i].key->line);
				dup = true;
			}
		}
		if (dup) { /* the first stays; the rest of the file is still checked */
			c->dups++;
			continue;
		}
		dst = &n->pairs[n->n_pairs];
		dst->key = conv_node(c, p->key, depth + 1);
		dst->val = conv_node(c, p->value, depth + 1);
		n->n_pairs++;
		if (!dst->key || !dst->val)
			break;
	}
	return n;
}

static struct ynode *conv_node(struct conv *c, int idx, int depth)
{
	yaml_node_t *src = yaml_document_get_node(c->doc, idx);
	struct ynode *n;

	if (!src || c->failed)
		return NULL;
	if (depth > YAML_MAX_DEPTH) {
		conv_fail(c, src, "document nested too deeply (or a recursive alias)");
		return NULL;
	}
	if (c->budget == 0) {
		conv_fail(c, src, "document too large after expanding aliases");
		return NULL;
	}
	c->budget--;
	switch (src->type) {
	case YAML_SCALAR_NODE:
		n = ynode_new(YN_SCALAR, src);
		n->len = src->data.scalar.length;
		n->str = xstrndup((const char *)src->data.scalar.value, n->len);
		n->plain = src->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->block = src->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
			   src->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
		return n;
	case YAML_SEQUENCE_NODE: {
		size_t cnt = (size_t)(src->data.sequence.items.top - src->data.sequence.items.start);
		n = ynode_new(YN_SEQ, src);
		n->items = xcalloc(cnt, sizeof(*n->items));
		for (yaml_node_item_t *it = src->data.sequence.items.start;
		     it < src->data.sequence.items.top && !c->failed; it++) {
			struct ynode *child = conv_node(c, *it, depth + 1);
			if (!child)
				break;
			n->items[n->n_items++] = child;
		}
		return n;
	}
	case YAML_MAPPING_NODE:
		return conv_map(c, src, depth);
	case YAML_NO_NODE:
		break;
	}
	return NULL;
}

/* Whether line (from 0) of buf starts with blanks that hold a tab. */
static bool tab_indent(const char *buf, size_t len, size_t line)
{
	size_t i = 0;

	for (; i < len && line > 0; i++)
		if (buf[i] == '\n')
			line--;
	for (; i < len && (buf[i] == ' ' || buf[i] == '\t'); i++)
		if (buf[i] == '\t')
			return true;
	return false;
}

int ydoc_parse(const char *buf, size_t len, const char *file, struct ynode **root,
	       struct diags *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct conv c = {.file = file, .d = d, .budget = YAML_MAX_NODES};
	size_t errors_before = d->errors;

	*root = NULL;
	if (!yaml_parser_initialize(&parser)) {
		diags_add(d, DIAG_ERROR, file, 1, 1, "cannot initialise the YAML parser");
		return DAGD_EINVAL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		const char *ctx = parser.context;
		char where[64] = "";
		bool tab = tab_indent(buf, len, parser.problem_mark.line);

		/* where the unclosed thing began, when that is elsewhere */
		if (ctx && parser.context_mark.line != parser.problem_mark.line)
			snprintf(where, sizeof(where), " (started at line %d, column %d)",
				 (int)parser.context_mark.line + 1, (int)parser.context_mark.column + 1);
		diags_add(d, DIAG_ERROR, file, (int)parser.problem_mark.line + 1,
			  (int)parser.problem_mark.column + 1, "YAML syntax error: %s%s%s%s%s",
			  parser.problem ? parser.problem : "unknown problem",
			  ctx ? " " : "", ctx ? ctx : "", where,
			  tab ? "; line indented with a tab: YAML indents with spaces only" : "");
		yaml_parser_delete(&parser);
		return DAGD_EINVAL;
	}
	c.doc = &doc;
	if (yaml_document_get_root_node(&doc))
		*root = conv_node(&c, 1, 0);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (d->errors > errors_before + c.dups) {
		ynode_free(*root);
		*root = NULL;
		return DAGD_EINVAL;
	}
	return 0;
}

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; i < n->n_items; i++)
		ynode_free(n->items[i]);
	free(n->items);
	for (size_t i = 0; i < n->n_pairs; i++) {
		ynode_free(n->pairs[i].key);
		ynode_free(n->pairs[i].val);
	}
	free(n->pairs);
	free(n);
}

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != YN_MAP)
		return NULL;
	for (size_t i = 0; i < map->n_pairs; i++)
		if (strcmp(map->pairs[i].key->str, key) == 0)
			return map->pairs[i].val;
	return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
	if (!n)
		return true;
	if (n->type != YN_SCALAR || !n->plain)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	       strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

const char *ynode_kind(const struct ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YN_MAP:
		return "a mapping";
	case YN_SEQ:
		return "a list";
	case YN_SCALAR:
		break;
	}
	return "a scalar";
}
