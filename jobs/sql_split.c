/*
 * sql_split.c - splits a SQL text into statements on the client, as psql
 * does, so each statement is sent on its own: its row count goes to the
 * log and an error points at its line. A ';' ends a statement outside
 * quotes ('...', E'...', "..."), dollar quotes ($$...$$, $tag$...$tag$),
 * comments (--, nested block comments), parentheses and the BEGIN ... END
 * body of CREATE [OR REPLACE] FUNCTION|PROCEDURE (psql's heuristic). A
 * statement is sent from its first token to its last one, without leading
 * or trailing comments. Pure: no I/O.
 */
#include "sql_split.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct lexer {
	const char *t;
	size_t n, i;
	size_t start, last; /* of the statement being read; start == NONE: none yet */
	int paren, begin;
	char idents[4];     /* first letters of create/or/replace/function/procedure */
	unsigned nident;
	struct sql_stmt *v;
	size_t nv, av;
};

#define NONE ((size_t)-1)

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void emit(struct lexer *l)
{
	/* an unterminated quote ran to the end of the text, blanks and all */
	while (l->start != NONE && l->last > l->start && blank(l->t[l->last - 1]))
		l->last--;
	if (l->start != NONE) {
		if (l->nv == l->av) {
			l->av = l->av ? l->av * 2 : 8;
			l->v = realloc(l->v, l->av * sizeof(*l->v));
			if (!l->v)
				abort(); /* sql_split.h: out of memory is fatal */
		}
		l->v[l->nv].off = l->start;
		l->v[l->nv].len = l->last - l->start;
		l->nv++;
	}
	l->start = NONE;
	l->paren = l->begin = 0;
	l->nident = 0;
}

/* Skip a quoted run opened at l->i by q ('\'' or '"'); backslash escapes
 * when bs (E'...'). */
static void skip_quoted(struct lexer *l, char q, bool bs)
{
	size_t i = l->i + 1;

	while (i < l->n) {
		if (bs && l->t[i] == '\\' && i + 1 < l->n) {
			i += 2;
			continue;
		}
		if (l->t[i] == q) {
			if (i + 1 < l->n && l->t[i + 1] == q) {
				i += 2;
				continue;
			}
			i++;
			break;
		}
		i++;
	}
	if (i > l->n)
		i = l->n;
	l->i = l->last = i;
}

/* At a '$': a dollar quote ($$ or $tag$) is skipped whole; anything else
 * ($1, an operator) is one character. */
static void skip_dollar(struct lexer *l)
{
	size_t j = l->i + 1, taglen;
	const char *end;

	if (j < l->n && ident_start((unsigned char)l->t[j]))
		while (j < l->n && ident_char((unsigned char)l->t[j]) && l->t[j] != '$')
			j++;
	if (j >= l->n || l->t[j] != '$') {
		l->i++;
		l->last = l->i;
		return;
	}
	taglen = j + 1 - l->i;
	end = memmem(l->t + j + 1, l->n - (j + 1), l->t + l->i, taglen);
	l->i = end ? (size_t)(end - l->t) + taglen : l->n;
	l->last = l->i;
}

/* An identifier or keyword; E'...' strings; psql's BEGIN ... END rule. */
static void word(struct lexer *l)
{
	size_t s = l->i, len;
	const char *w;

	while (l->i < l->n && ident_char((unsigned char)l->t[l->i]))
		l->i++;
	l->last = l->i;
	w = l->t + s;
	len = l->i - s;
	if (len == 1 && (w[0] == 'e' || w[0] == 'E') && l->i < l->n && l->t[l->i] == '\'') {
		skip_quoted(l, '\'', true);
		return;
	}
	if (l->nident == 0)
		memset(l->idents, 0, sizeof(l->idents));
	if ((len == 6 && strncasecmp(w, "create", 6) == 0) ||
	    (len == 8 && strncasecmp(w, "function", 8) == 0) ||
	    (len == 9 && strncasecmp(w, "procedure", 9) == 0) ||
	    (len == 2 && strncasecmp(w, "or", 2) == 0) ||
	    (len == 7 && strncasecmp(w, "replace", 7) == 0)) {
		if (l->nident < sizeof(l->idents))
			l->idents[l->nident] = (char)(w[0] | 0x20);
	}
	l->nident++;
	if (l->idents[0] == 'c' &&
	    (l->idents[1] == 'f' || l->idents[1] == 'p' ||
	     (l->idents[1] == 'o' && l->idents[2] == 'r' &&
	      (l->idents[3] == 'f' || l->idents[3] == 'p'))) &&
	    l->paren == 0) {
		if (len == 5 && strncasecmp(w, "begin", 5) == 0)
			l->begin++;
		else if (len == 4 && strncasecmp(w, "case", 4) == 0) {
			if (l->begin >= 1)
				l->begin++;
		} else if (len == 3 && strncasecmp(w, "end", 3) == 0) {
			if (l->begin > 0)
				l->begin--;
		}
	}
}

int sql_split(const char *text, size_t n, struct sql_stmt **out, size_t *count,
	      size_t *bad_off)
{
	struct lexer l = {text, n, 0, NONE, 0, 0, 0, {0}, 0, NULL, 0, 0};

	*out = NULL;
	*count = 0;
	while (l.i < l.n) {
		unsigned char c = (unsigned char)l.t[l.i];
		if (blank((char)c)) {
			l.i++;
			continue;
		}
		if (c == '-' && l.i + 1 < l.n && l.t[l.i + 1] == '-') {
			while (l.i < l.n && l.t[l.i] != '\n')
				l.i++;
			continue;
		}
		if (c == '/' && l.i + 1 < l.n && l.t[l.i + 1] == '*') {
			int depth = 0;
			while (l.i < l.n) {
				if (l.t[l.i] == '/' && l.i + 1 < l.n && l.t[l.i + 1] == '*') {
					depth++;
					l.i += 2;
				} else if (l.t[l.i] == '*' && l.i + 1 < l.n && l.t[l.i + 1] == '/') {
					l.i += 2;
					if (--depth == 0)
						break;
				} else {
					l.i++;
				}
			}
			continue;
		}
		if (l.start == NONE) {
			if (c == ';') {
				l.i++; /* an empty statement */
				continue;
			}
			if (c == '\\') {
				*bad_off = l.i;
				free(l.v);
				return -1;
			}
			l.start = l.i;
		}
		if (c == '\'' || c == '"')
			skip_quoted(&l, (char)c, false);
		else if (c == '$')
			skip_dollar(&l);
		else if (ident_start(c))
			word(&l);
		else if (c == ';' && l.paren == 0 && l.begin == 0) {
			emit(&l);
			l.i++;
		} else {
			if (c == '(')
				l.paren++;
			else if (c == ')' && l.paren > 0)
				l.paren--;
			l.i++;
			l.last = l.i;
		}
	}
	emit(&l);
	*out = l.v;
	*count = l.nv;
	return 0;
}

unsigned sql_line_at(const char *text, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < off && text[i]; i++)
		if (text[i] == '\n')
			line++;
	return line;
}
