/*
 * fuzz_result.c - libFuzzer driver for jobs/result.c. Parses the input as a
 * record and checks: the result is 0 or -EINVAL, a failure leaves r empty,
 * a parsed record formats (it obeys the field rules), and parsing that text
 * gives the same record, whose text is the same again. Inputs starting
 * with 0xff instead build a struct from the bytes (strings may hold any
 * byte but NUL) and check format/parse round trips it whenever format
 * accepts it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool same(const struct result *a, const struct result *b)
{
	return a->pid == b->pid && a->start_us == b->start_us && a->end_us == b->end_us &&
	       a->exit_code == b->exit_code && a->signal == b->signal &&
	       a->max_rss_kb == b->max_rss_kb && a->user_us == b->user_us &&
	       a->sys_us == b->sys_us && a->skipped == b->skipped &&
	       a->outputs_too_big == b->outputs_too_big && str_eq(a->error, b->error) &&
	       str_eq(a->outputs, b->outputs);
}

static bool empty(const struct result *r)
{
	struct result z;

	result_init(&z);
	return same(r, &z) && !r->error && !r->outputs;
}

/* format r, parse it back, compare; format again, compare the text */
static void roundtrip(const struct result *r)
{
	struct result back;
	char *text, *text2;
	size_t len, len2;

	if (result_format(r, &text, &len) != 0)
		abort();
	if (len > RESULT_RECORD_MAX || strlen(text) != len)
		abort();
	if (result_parse(text, len, &back) != 0 || !same(r, &back))
		abort();
	if (result_format(&back, &text2, &len2) != 0 || len2 != len || memcmp(text, text2, len))
		abort();
	free(text);
	free(text2);
	result_release(&back);
}

static int64_t take_i64(const uint8_t **p, size_t *n)
{
	uint64_t v = 0;

	for (int k = 0; k < 8 && *n; k++, (*p)++, (*n)--)
		v = (v << 8) | **p;
	return (int64_t)v;
}

/* a NUL-free string of up to max bytes from the input, or NULL */
static char *take_str(const uint8_t **p, size_t *n, size_t max)
{
	size_t len;
	char *s;

	if (!*n)
		return NULL;
	len = **p;
	(*p)++;
	(*n)--;
	if (len == 0)
		return NULL;
	len = (len - 1) * 64 + 1;
	if (len > *n)
		len = *n;
	if (len > max)
		len = max;
	s = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		s[i] = (*p)[i] ? (char)(*p)[i] : '\\';
	s[len] = '\0';
	*p += len;
	*n -= len;
	return s;
}

static void build(const uint8_t *p, size_t n)
{
	struct result r;
	char *text;
	size_t len;
	int rc;

	result_init(&r);
	r.pid = take_i64(&p, &n);
	r.start_us = take_i64(&p, &n);
	r.end_us = take_i64(&p, &n);
	r.exit_code = (int)(int16_t)take_i64(&p, &n);
	r.signal = (int)(int8_t)take_i64(&p, &n);
	r.max_rss_kb = take_i64(&p, &n);
	r.user_us = take_i64(&p, &n) & INT64_MAX;
	r.sys_us = take_i64(&p, &n) & INT64_MAX;
	if (n) {
		r.skipped = *p & 1;
		r.outputs_too_big = *p & 2;
		p++;
		n--;
	}
	r.error = take_str(&p, &n, RESULT_ERROR_MAX + 1);
	r.outputs = take_str(&p, &n, RESULT_OUTPUTS_MAX + 1);
	if (r.outputs && n && (*p & 1)) { /* often make it look like an object */
		size_t k = strlen(r.outputs);
		r.outputs[0] = '{';
		r.outputs[k - 1] = '}';
	}
	rc = result_format(&r, &text, &len);
	if (rc == 0) {
		free(text);
		roundtrip(&r);
	} else if (rc != -EINVAL || text || len) {
		abort();
	}
	result_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result r;
	int rc;

	if (size && data[0] == 0xff) {
		build(data + 1, size - 1);
		return 0;
	}
	rc = result_parse((const char *)data, size, &r);
	if (rc != 0) {
		if (rc != -EINVAL || !empty(&r))
			abort();
		return 0;
	}
	roundtrip(&r);
	result_release(&r);
	return 0;
}
