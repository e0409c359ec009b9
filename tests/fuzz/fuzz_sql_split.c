/*
 * fuzz_sql_split.c - libFuzzer harness for jobs/sql_split.c, the splitter
 * dagd-sql runs on a sql task's text: statements come in order, do not
 * overlap, start and end on a token (no surrounding blanks), a refusal
 * points at a backslash, and splitting one statement's text again gives
 * back exactly that statement. The splitter is pure, so it is compiled in
 * here. Run: make build/fuzz/fuzz_sql_split.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_split.c"

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_sql_split: check failed: %s (line %d)\n", \
				#cond, __LINE__);                                      \
			abort();                                                       \
		}                                                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sql_stmt *st, *again;
	size_t n, m, bad, bad2, i;

	if (sql_split(text, size, &st, &n, &bad) != 0) {
		CHECK(bad < size && text[bad] == '\\');
		return 0;
	}
	CHECK(n == 0 || st != NULL);
	for (i = 0; i < n; i++) {
		CHECK(st[i].len > 0 && st[i].off + st[i].len <= size);
		CHECK(!blank(text[st[i].off]) && text[st[i].off] != ';');
		CHECK(!blank(text[st[i].off + st[i].len - 1]));
		if (i)
			CHECK(st[i - 1].off + st[i - 1].len < st[i].off);
		CHECK(sql_split(text + st[i].off, st[i].len, &again, &m, &bad2) == 0);
		CHECK(m == 1 && again[0].off == 0 && again[0].len == st[i].len);
		free(again);
	}
	free(st);
	return 0;
}
