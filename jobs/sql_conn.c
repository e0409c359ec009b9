/*
 * sql_conn.c - libpq plumbing shared by the sql, load and sensor kinds:
 * connecting (password registered for scrubbing, URL redacted in every
 * message, NOTICEs to the log, statement_timeout from the task timeout,
 * the connection watched for the timeout cancel), running commands and
 * small queries, and reporting an error result with its SQLSTATE and the
 * FILE:LINE:COL of the failing statement. Blocking libpq: this is a worker
 * process, and the cancel comes from a signal handler (sql_cancel.c).
 */
#include "sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Register the password of url, in its decoded and its raw URL form. */
static void register_secrets(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	const char *rest = NULL;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			sql_secret_add(o->val);
	PQconninfoFree(opts);
	if (strncmp(url, "postgresql://", 13) == 0)
		rest = url + 13;
	else if (strncmp(url, "postgres://", 11) == 0)
		rest = url + 11;
	if (rest) {
		size_t end = strcspn(rest, "/?");
		const char *at = NULL, *colon, *p;
		for (p = rest; p < rest + end; p++)
			if (*p == '@')
				at = p;
		colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
		if (colon) {
			char *pw = sql_xmalloc((size_t)(at - colon));
			memcpy(pw, colon + 1, (size_t)(at - colon - 1));
			pw[at - colon - 1] = '\0';
			sql_secret_add(pw);
			free(pw);
		}
	}
}

static void notice_cb(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

	(void)arg;
	sql_info("%s: %s%s%s%s%s", sev ? sev : "NOTICE", msg ? msg : PQresultErrorMessage(res),
		 detail ? "\nDETAIL: " : "", detail ? detail : "", hint ? "\nHINT: " : "",
		 hint ? hint : "");
}

PGconn *sql_connect(const char *url, const char *what, int slot)
{
	const char *keys[5], *vals[5];
	char tmo[32], *red = sql_redact(url);
	int64_t budget = sql_cancel_budget_ms();
	PGconn *c;
	int k = 0;

	register_secrets(url);
	/* before dbname: what the URL says overrides these */
	keys[k] = "fallback_application_name", vals[k++] = "dagd-sql";
	keys[k] = "client_encoding", vals[k++] = "UTF8";
	if (budget) {
		int64_t left = sql_cancel_left_ms() / 1000;
		(void)snprintf(tmo, sizeof(tmo), "%lld", (long long)(left > 2 ? left : 2));
		keys[k] = "connect_timeout", vals[k++] = tmo;
	}
	keys[k] = "dbname", vals[k++] = url;
	keys[k] = NULL, vals[k] = NULL;
	c = PQconnectdbParams(keys, vals, 1);
	if (!c) {
		sql_error("cannot connect to %s (%s): out of memory", red, what);
		free(red);
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		sql_error("cannot connect to %s (%s): %s", red, what, PQerrorMessage(c));
		PQfinish(c);
		free(red);
		return NULL;
	}
	(void)PQsetNoticeReceiver(c, notice_cb, NULL); /* returns the old one */
	sql_info("connected to %s (%s, server %d.%d)", red, what, PQserverVersion(c) / 10000,
		 PQserverVersion(c) % 10000);
	free(red);
	if (budget) {
		char set[64];
		(void)snprintf(set, sizeof(set), "SET statement_timeout = %lld",
			       (long long)budget);
		if (sql_command(c, set, "setting statement_timeout") != 0) {
			PQfinish(c);
			return NULL;
		}
	}
	sql_cancel_watch(slot, c);
	return c;
}

void sql_disconnect(PGconn *c, int slot)
{
	if (!c)
		return;
	sql_cancel_watch(slot, NULL);
	PQfinish(c);
}

/* Byte offset of character number chars (0-based) in UTF-8 s. */
static size_t char_offset(const char *s, long chars)
{
	size_t i = 0;

	for (; s[i] && chars > 0; chars--) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

/* Line (1-based), column (1-based, characters) and line start of off. */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col,
		     size_t *bol)
{
	size_t i;

	*line = 1;
	*bol = 0;
	for (i = 0; i < off && text[i]; i++)
		if (text[i] == '\n') {
			(*line)++;
			*bol = i + 1;
		}
	*col = 1;
	for (i = *bol; i < off && text[i]; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			(*col)++;
}

/* "FILE:LINE:COL: " and the source line with a caret into loc and src. */
static void locate(const struct sql_where *w, const char *pos, struct sbuf *loc,
		   struct sbuf *src)
{
	size_t off = w->stmt_off, bol, eol, tlen = strlen(w->text);
	unsigned line, col, i;
	bool exact = false;

	if (pos && w->sent) {
		char *end;
		long p = strtol(pos, &end, 10);
		if (*end == '\0' && p > 0) {
			size_t b = char_offset(w->sent, p - 1);
			if (b >= w->prefix_len && w->stmt_off + (b - w->prefix_len) <= tlen) {
				off = w->stmt_off + (b - w->prefix_len);
				exact = true;
			}
		}
	}
	line_col(w->text, off, &line, &col, &bol);
	if (exact)
		sbuf_addf(loc, "%s:%u:%u: ", w->file ? w->file : "sql", line, col);
	else
		sbuf_addf(loc, "%s:%u: ", w->file ? w->file : "sql", line);
	eol = bol + strcspn(w->text + bol, "\n");
	sbuf_addf(src, "%5u | ", line);
	sbuf_add(src, w->text + bol, eol - bol);
	if (exact) {
		sbuf_adds(src, "\n      | ");
		for (i = 1; i < col; i++)
			sbuf_addc(src, w->text[bol + char_offset(w->text + bol, i - 1)] == '\t' ?
						'\t' : ' ');
		sbuf_addc(src, '^');
	}
}

void sql_report(PGconn *c, const PGresult *res, const char *what, const struct sql_where *where)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *sev = res ? PQresultErrorField(res, PG_DIAG_SEVERITY) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *ctx = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	struct sbuf loc = {0}, src = {0}, m = {0};

	if (!msg)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) :
							  PQerrorMessage(c);
	if (where)
		locate(where, pos, &loc, &src);
	if (sql_stopping())
		sbuf_addf(&m, "%s: ", sql_stop_reason());
	sbuf_addf(&m, "%s%s: %s", sbuf_str(&loc), what, sev ? sev : "ERROR");
	if (state)
		sbuf_addf(&m, " %s", state);
	sbuf_addf(&m, ": %s", msg);
	if (detail)
		sbuf_addf(&m, "\nDETAIL: %s", detail);
	if (hint)
		sbuf_addf(&m, "\nHINT: %s", hint);
	else if (state && strcmp(state, "25001") == 0)
		sbuf_adds(&m, "\nHINT: set autocommit: true for statements that cannot run "
			      "inside a transaction");
	if (ctx)
		sbuf_addf(&m, "\nCONTEXT: %s", ctx);
	if (src.len)
		sbuf_addf(&m, "\n%s", sbuf_str(&src));
	sql_error("%s", sbuf_str(&m));
	sbuf_release(&loc);
	sbuf_release(&src);
	sbuf_release(&m);
}

int sql_command(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(r);
		return 0;
	}
	sql_report(c, r, what, NULL);
	PQclear(r);
	return -1;
}

PGresult *sql_query(PGconn *c, const char *sql, int nparams, const char *const *params,
		    const char *what)
{
	PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	sql_report(c, r, what, NULL);
	PQclear(r);
	return NULL;
}

void sql_rollback(PGconn *c)
{
	/* the error that got us here is logged; a failed ROLLBACK adds nothing */
	PQclear(PQexec(c, "ROLLBACK"));
}

int sql_first_row(PGconn *c, const char *query, const char *what, PGresult **res,
		  uint64_t *nrows)
{
	PGresult *r, *first = NULL;
	bool failed = false, command = false;

	*res = NULL;
	*nrows = 0;
	if (!PQsendQuery(c, query)) {
		sql_report(c, NULL, what, NULL);
		return -1;
	}
	(void)PQsetSingleRowMode(c); /* fails only when too late: then rows come whole */
	while ((r = PQgetResult(c))) {
		switch (PQresultStatus(r)) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:
			*nrows += (uint64_t)PQntuples(r);
			if (!first && !failed && (PQntuples(r) ||
						  PQresultStatus(r) == PGRES_TUPLES_OK)) {
				first = r;
				continue;
			}
			break;
		case PGRES_COMMAND_OK:
			command = true;
			break;
		default:
			if (!failed)
				sql_report(c, r, what, NULL);
			failed = true;
		}
		PQclear(r);
	}
	if (!failed && !first && command) {
		sql_error("%s: is not a query (it returned no rows and no columns)", what);
		failed = true;
	}
	if (failed) {
		PQclear(first);
		return -1;
	}
	*res = first;
	return 0;
}
