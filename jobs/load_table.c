/*
 * load_table.c - the target table of a load, from the catalog: its
 * quoted name and columns (defaults, generated, json); creating it from a
 * csv header (create: true); and mode replace: a new table made LIKE the
 * old INCLUDING ALL, which after the copy takes the old one's owner,
 * grants, owned sequences and index names, and replaces it by DROP +
 * RENAME at the end of the load's transaction (readers block only for
 * that last step). A table with triggers or policies, or one that views or
 * foreign keys depend on, cannot be replaced: the load says to truncate.
 */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEW_SUFFIX "__dagd_new"
/* PostgreSQL's NAMEDATALEN - 1. */
#define NAME_MAX_BYTES 63

static const char REL_SQL[] =
	"SELECT c.oid::text, c.relname, quote_ident(n.nspname), c.relkind::text, "
	"quote_ident(c.relname) "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.oid = to_regclass($1)";
static const char COLS_SQL[] =
	"SELECT a.attname, quote_ident(a.attname), "
	"a.atthasdef OR a.attidentity <> '', a.attgenerated <> '', "
	"a.atttypid IN ('json'::regtype, 'jsonb'::regtype) "
	"FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 "
	"AND NOT a.attisdropped ORDER BY a.attnum";

static bool is_t(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

int load_table_lookup(PGconn *c, const char *spec_table, struct load_table *t, bool *exists)
{
	const char *p[1] = {spec_table};
	PGresult *r;
	int i;

	memset(t, 0, sizeof(*t));
	*exists = false;
	r = sql_query(c, REL_SQL, 1, p, "looking up the table");
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	t->oid = sql_xstrdup(PQgetvalue(r, 0, 0));
	t->name = sql_xstrdup(PQgetvalue(r, 0, 1));
	t->qschema = sql_xstrdup(PQgetvalue(r, 0, 2));
	t->relkind = PQgetvalue(r, 0, 3)[0];
	{
		struct sbuf b = {0};
		sbuf_addf(&b, "%s.%s", t->qschema, PQgetvalue(r, 0, 4));
		t->qname = sbuf_take(&b);
	}
	PQclear(r);
	p[0] = t->oid;
	r = sql_query(c, COLS_SQL, 1, p, "reading the table's columns");
	if (!r) {
		load_table_release(t);
		return -1;
	}
	t->ncols = (size_t)PQntuples(r);
	t->cols = sql_xmalloc(sizeof(*t->cols) * (t->ncols + 1));
	for (i = 0; i < PQntuples(r); i++) {
		struct load_col *col = &t->cols[i];
		col->name = sql_xstrdup(PQgetvalue(r, i, 0));
		col->qname = sql_xstrdup(PQgetvalue(r, i, 1));
		col->has_default = is_t(r, i, 2);
		col->generated = is_t(r, i, 3);
		col->is_json = is_t(r, i, 4);
	}
	PQclear(r);
	*exists = true;
	return 0;
}

void load_table_release(struct load_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].qname);
	}
	free(t->cols);
	free(t->oid);
	free(t->name);
	free(t->qname);
	free(t->qschema);
	memset(t, 0, sizeof(*t));
}

long load_table_col(const struct load_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

int load_table_create(PGconn *c, const char *spec_table, char *const *names, size_t n,
		      struct load_table *t)
{
	static const char QUOTE_SQL[] =
		"SELECT array_to_string(ARRAY(SELECT quote_ident(x) FROM "
		"unnest(parse_ident($1)) AS x), '.')";
	const char *p[1] = {spec_table};
	struct sbuf sql = {0};
	PGresult *r;
	bool exists;
	size_t i;
	int rc;

	r = sql_query(c, QUOTE_SQL, 1, p, "parsing the table name");
	if (!r)
		return -1;
	sbuf_addf(&sql, "CREATE TABLE %s (", PQgetvalue(r, 0, 0));
	PQclear(r);
	for (i = 0; i < n; i++) {
		char *q = PQescapeIdentifier(c, names[i], strlen(names[i]));
		if (!q) {
			sql_error("create: bad column name '%s': %s", names[i], PQerrorMessage(c));
			sbuf_release(&sql);
			return -1;
		}
		sbuf_addf(&sql, "%s%s text", i ? ", " : "", q);
		PQfreemem(q);
	}
	sbuf_adds(&sql, ")");
	rc = sql_command(c, sql.p, "creating the table");
	if (rc == 0)
		sql_info("created table %s with %zu text columns", spec_table, n);
	sbuf_release(&sql);
	if (rc != 0 || load_table_lookup(c, spec_table, t, &exists) != 0)
		return -1;
	return exists ? 0 : -1;
}

/* The new table's unquoted name: t's, cut to fit, plus NEW_SUFFIX. */
static char *new_name(const char *name)
{
	size_t keep = strlen(name), room = NAME_MAX_BYTES - (sizeof(NEW_SUFFIX) - 1);
	struct sbuf b = {0};

	if (keep > room) {
		keep = room;
		while (keep && ((unsigned char)name[keep] & 0xC0) == 0x80)
			keep--; /* not inside a UTF-8 character */
	}
	sbuf_add(&b, name, keep);
	sbuf_adds(&b, NEW_SUFFIX);
	return sbuf_take(&b);
}

int load_replace_begin(PGconn *c, const struct load_table *t, struct load_table *nt)
{
	static const char GUARD_SQL[] =
		"SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::oid "
		"AND NOT tgisinternal), (SELECT count(*) FROM pg_policy WHERE polrelid = $1::oid)";
	const char *p[1] = {t->oid};
	char *nn = new_name(t->name), *qn;
	struct sbuf sql = {0}, full = {0};
	PGresult *r;
	bool exists;
	int rc;

	if (t->relkind != 'r') {
		sql_error("mode replace needs a plain table; %s is not one (relkind %c): use "
			  "mode truncate", t->qname, t->relkind);
		free(nn);
		return -1;
	}
	r = sql_query(c, GUARD_SQL, 1, p, "checking the table for replace");
	if (!r) {
		free(nn);
		return -1;
	}
	if (strcmp(PQgetvalue(r, 0, 0), "0") != 0 || strcmp(PQgetvalue(r, 0, 1), "0") != 0) {
		sql_error("mode replace would drop the %s trigger(s) and %s row security "
			  "policy(ies) of %s: use mode truncate", PQgetvalue(r, 0, 0),
			  PQgetvalue(r, 0, 1), t->qname);
		PQclear(r);
		free(nn);
		return -1;
	}
	PQclear(r);
	qn = PQescapeIdentifier(c, nn, strlen(nn));
	sbuf_addf(&full, "%s.%s", t->qschema, qn ? qn : nn);
	PQfreemem(qn);
	sbuf_addf(&sql, "CREATE TABLE %s (LIKE %s INCLUDING ALL)", full.p, t->qname);
	rc = sql_command(c, sql.p, "creating the new table for replace");
	if (rc == 0)
		rc = load_table_lookup(c, full.p, nt, &exists) != 0 || !exists ? -1 : 0;
	if (rc == 0)
		sql_info("replace: copying into %s", full.p);
	sbuf_release(&sql);
	sbuf_release(&full);
	free(nn);
	return rc;
}

/* Run every statement (column 0 of each row) that query returns. */
static int run_generated(PGconn *c, const char *query, int np, const char *const *p,
			 const char *what)
{
	PGresult *r = sql_query(c, query, np, p, what);
	int i, rc = 0;

	if (!r)
		return -1;
	for (i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = sql_command(c, PQgetvalue(r, i, 0), what);
	PQclear(r);
	return rc;
}

/* Owner, grants (table and column level) and owned sequences of t onto nt. */
static int carry_over(PGconn *c, const struct load_table *t, const struct load_table *nt)
{
	static const char OWNER_SQL[] =
		"SELECT format('ALTER TABLE %s OWNER TO %I', $2::text, pg_get_userbyid(o.relowner)) "
		"FROM pg_class o, pg_class n WHERE o.oid = $1::oid AND n.oid = $3::oid "
		"AND o.relowner <> n.relowner";
	static const char GRANTS_SQL[] =
		"SELECT format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, $2::text, "
		"CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) "
		"END, CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
		"FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1::oid "
		"AND a.grantee <> c.relowner "
		"UNION ALL "
		"SELECT format('GRANT %s (%I) ON TABLE %s TO %s%s', a.privilege_type, att.attname, "
		"$2::text, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "
		"quote_ident(pg_get_userbyid(a.grantee)) END, "
		"CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) "
		"FROM pg_attribute att, aclexplode(att.attacl) a WHERE att.attrelid = $1::oid "
		"AND att.attnum > 0 AND NOT att.attisdropped";
	static const char SEQ_SQL[] =
		"SELECT format('ALTER SEQUENCE %s OWNED BY %s.%I', s.oid::regclass, $2::text, "
		"a.attname) FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
		"JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
		"WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
		"AND d.refobjid = $1::oid AND d.deptype = 'a'";
	const char *p[3] = {t->oid, nt->qname, nt->oid};

	if (run_generated(c, OWNER_SQL, 3, p, "replace: giving the new table the owner") != 0 ||
	    run_generated(c, GRANTS_SQL, 2, p, "replace: copying grants") != 0 ||
	    run_generated(c, SEQ_SQL, 2, p, "replace: moving owned sequences") != 0)
		return -1;
	return 0;
}

/* ALTER INDEX statements that give nt's indexes the names of t's indexes
 * with the same definition (LIKE names them after the new table). */
static PGresult *index_renames(PGconn *c, const struct load_table *t,
			       const struct load_table *nt)
{
	static const char IDX_SQL[] =
		"WITH o AS (SELECT i.relname, regexp_replace(pg_get_indexdef(i.oid), "
		"'^.* USING ', '') AS def, row_number() OVER (PARTITION BY "
		"regexp_replace(pg_get_indexdef(i.oid), '^.* USING ', '') ORDER BY i.oid) AS k "
		"FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1::oid), "
		"n AS (SELECT i.relname, regexp_replace(pg_get_indexdef(i.oid), '^.* USING ', '') "
		"AS def, row_number() OVER (PARTITION BY regexp_replace(pg_get_indexdef(i.oid), "
		"'^.* USING ', '') ORDER BY i.oid) AS k FROM pg_index x JOIN pg_class i "
		"ON i.oid = x.indexrelid WHERE x.indrelid = $2::oid) "
		"SELECT format('ALTER INDEX %s.%I RENAME TO %I', $3::text, n.relname, o.relname) "
		"FROM o JOIN n USING (def, k) WHERE o.relname <> n.relname";
	const char *p[3] = {t->oid, nt->oid, t->qschema};

	return sql_query(c, IDX_SQL, 3, p, "replace: matching the indexes");
}

int load_replace_finish(PGconn *c, const struct load_table *t, const struct load_table *nt)
{
	struct sbuf sql = {0};
	PGresult *renames = NULL;
	char *qn = NULL;
	int i, rc = -1;

	sbuf_addf(&sql, "ANALYZE %s", nt->qname);
	if (sql_command(c, sql.p, "replace: analyzing the new table") != 0)
		goto out;
	sql.len = 0;
	sbuf_addf(&sql, "LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", t->qname);
	if (sql_command(c, sql.p, "replace: locking the table") != 0 ||
	    carry_over(c, t, nt) != 0 || !(renames = index_renames(c, t, nt)))
		goto out;
	sql.len = 0;
	sbuf_addf(&sql, "DROP TABLE %s", t->qname);
	if (sql_command(c, sql.p, "replace: dropping the old table") != 0) {
		sql_error("mode replace cannot drop %s (views or foreign keys depend on it?): use "
			  "mode truncate", t->qname);
		goto out;
	}
	qn = PQescapeIdentifier(c, t->name, strlen(t->name));
	sql.len = 0;
	sbuf_addf(&sql, "ALTER TABLE %s RENAME TO %s", nt->qname, qn ? qn : t->name);
	if (sql_command(c, sql.p, "replace: renaming the new table") != 0)
		goto out;
	for (i = 0; i < PQntuples(renames); i++)
		if (sql_command(c, PQgetvalue(renames, i, 0), "replace: renaming an index") != 0)
			goto out;
	sql_info("replace: %s swapped in", t->qname);
	rc = 0;
out:
	PQclear(renames);
	PQfreemem(qn);
	sbuf_release(&sql);
	return rc;
}
