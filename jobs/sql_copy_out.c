/*
 * sql_copy_out.c - to_file of a sql task: the last statement is wrapped in
 * COPY (...) TO STDOUT (csv: the server writes the CSV; jsonl: one
 * row_to_json() per row, COPY's text escapes undone) and streamed into
 * PATH.tmp next to PATH, then fsynced. The caller commits, and only then
 * sql_copy_out_finish() renames PATH.tmp to PATH and fsyncs the directory,
 * so a reader sees the whole file or none, and never one from a try that
 * rolled back.
 */
#include "sql.h"
#include "sql_split.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes collected before a write(2). */
#define OUT_CHUNK (256u * 1024u)

static char *tmp_path(const struct spec_to_file *t)
{
	struct sbuf b = {0};

	sbuf_adds(&b, t->path);
	sbuf_adds(&b, ".tmp");
	return sbuf_take(&b);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One COPY text row of a single json column back to its JSON text. JSON
 * can hold raw whitespace only between tokens, so an escaped newline or
 * carriage return becomes a space and the line stays one line. */
static void unescape_json_row(struct sbuf *out, const char *p, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		char c;
		if (p[i] != '\\' || i + 1 == n)
			continue;
		sbuf_add(out, p + run, i - run);
		c = p[++i];
		switch (c) {
		case 'n': case 'r': sbuf_addc(out, ' '); break;
		case 't': sbuf_addc(out, '\t'); break;
		case 'b': sbuf_addc(out, '\b'); break;
		case 'f': sbuf_addc(out, '\f'); break;
		case 'v': sbuf_addc(out, '\v'); break;
		default: sbuf_addc(out, c);
		}
		run = i + 1;
	}
	sbuf_add(out, p + run, n - run);
}

/* The COPY command around the statement; *prefix_len what precedes it. */
static char *copy_command(PGconn *c, const struct spec_to_file *t, const char *stmt,
			  size_t len, size_t *prefix_len)
{
	struct sbuf b = {0};

	if (t->format == SPEC_FMT_JSONL) {
		sbuf_adds(&b, "COPY (SELECT row_to_json(dagd_row) FROM (\n");
		*prefix_len = b.len;
		sbuf_add(&b, stmt, len);
		sbuf_adds(&b, "\n) AS dagd_row) TO STDOUT");
	} else {
		char delim[2] = {t->delimiter, '\0'};
		char *d = PQescapeLiteral(c, delim, 1);
		char *nul = PQescapeLiteral(c, t->null, strlen(t->null));
		sbuf_adds(&b, "COPY (\n");
		*prefix_len = b.len;
		sbuf_add(&b, stmt, len);
		sbuf_addf(&b, "\n) TO STDOUT WITH (FORMAT csv, HEADER %s, DELIMITER %s, NULL %s)",
			  t->header ? "true" : "false", d ? d : "','", nul ? nul : "''");
		PQfreemem(d);
		PQfreemem(nul);
	}
	return sbuf_take(&b);
}

/* Receive the COPY data into fd. 0, or -1 (logged). */
static int receive(PGconn *c, const struct spec_to_file *t, int fd, const char *tmp)
{
	struct sbuf out = {0};
	char *buf;
	int n, rc = 0;

	while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
		if (t->format == SPEC_FMT_JSONL)
			unescape_json_row(&out, buf, (size_t)n);
		else
			sbuf_add(&out, buf, (size_t)n);
		PQfreemem(buf);
		if (out.len >= OUT_CHUNK && rc == 0) {
			if (write_all(fd, out.p, out.len) != 0) {
				sql_error("to_file: cannot write '%s': %s", tmp, strerror(errno));
				rc = -1; /* keep reading: the COPY must finish */
			}
			out.len = 0;
		}
		if (rc)
			out.len = 0;
	}
	if (rc == 0 && out.len && write_all(fd, out.p, out.len) != 0) {
		sql_error("to_file: cannot write '%s': %s", tmp, strerror(errno));
		rc = -1;
	}
	sbuf_release(&out);
	return rc;
}

int sql_copy_out(PGconn *c, const struct spec_to_file *t, const struct sql_where *where,
		 size_t len, const char *label)
{
	char *tmp = tmp_path(t), *q;
	struct sql_where w = *where;
	PGresult *res;
	int fd, rc = -1;
	bool failed = false;

	if (sql_mkdirs_for(t->path) != 0) {
		sql_error("to_file: cannot create the directory of '%s': %s", t->path,
			  strerror(errno));
		free(tmp);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		sql_error("to_file: cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	q = copy_command(c, t, where->text + where->stmt_off, len, &w.prefix_len);
	w.sent = q;
	res = PQexec(c, q);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		sql_report(c, res, label, &w);
		PQclear(res);
		goto out;
	}
	PQclear(res);
	if (receive(c, t, fd, tmp) != 0)
		failed = true;
	while ((res = PQgetResult(c))) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			if (!failed)
				sql_info("%s:%u: to_file: %s rows into %s", w.file ? w.file : "sql",
					 sql_line_at(w.text, w.stmt_off), PQcmdTuples(res), tmp);
		} else if (!failed) {
			sql_report(c, res, label, &w);
			failed = true;
		}
		PQclear(res);
	}
	if (failed)
		goto out;
	if (fsync(fd) != 0) {
		sql_error("to_file: cannot fsync '%s': %s", tmp, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (close(fd) != 0 && rc == 0) {
		sql_error("to_file: cannot write '%s': %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		(void)unlink(tmp); /* best effort: the try failed anyway */
	free(q);
	free(tmp);
	return rc;
}

int sql_copy_out_finish(const struct spec_to_file *t)
{
	char *tmp = tmp_path(t), *dir = sql_xstrdup(t->path);
	int fd, rc = 0;

	if (rename(tmp, t->path) != 0) {
		sql_error("to_file: cannot rename '%s' to '%s': %s", tmp, t->path, strerror(errno));
		(void)unlink(tmp); /* best effort */
		rc = -1;
	} else {
		/* the rename is done; a failed directory fsync only weakens durability */
		fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			(void)fsync(fd);
			(void)close(fd);
		}
		sql_info("to_file: wrote %s", t->path);
	}
	free(dir);
	free(tmp);
	return rc;
}

void sql_copy_out_discard(const struct spec_to_file *t)
{
	char *tmp = tmp_path(t);

	(void)unlink(tmp); /* best effort: the try failed anyway */
	free(tmp);
}
