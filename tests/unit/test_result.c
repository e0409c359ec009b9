/*
 * test_result.c - jobs/result.c, the result record: the exact text of a
 * formatted record, round trips through memory and through a file
 * (escaping of newlines, CRs and backslashes in error and outputs), the
 * field rules result_format() enforces, and a table of malformed records
 * that result_parse() must refuse with -EINVAL, leaving r empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result.h"

static void sample(struct result *r)
{
	result_init(r);
	r->pid = 4242;
	r->start_us = 1767236400000000;
	r->end_us = 1767236400012345;
	r->exit_code = 3;
	r->signal = 0;
	r->max_rss_kb = 1536;
	r->user_us = 800;
	r->sys_us = 1200;
	r->skipped = false;
	r->error = strdup("line one\nline two\\n \\ back\r\nend=x");
	r->outputs = strdup("{\"path\":\"C:\\\\tmp\\n\",\"s\":\"a\\\\\\\"b\"}");
	r->outputs_too_big = false;
}

static const char sample_text[] =
	"dagd-result 1\n"
	"pid=4242\n"
	"start_us=1767236400000000\n"
	"end_us=1767236400012345\n"
	"exit_code=3\n"
	"signal=0\n"
	"max_rss_kb=1536\n"
	"user_us=800\n"
	"sys_us=1200\n"
	"skipped=false\n"
	"outputs_too_big=false\n"
	"error=line one\\nline two\\\\n \\\\ back\\r\\nend=x\n"
	"outputs={\"path\":\"C:\\\\\\\\tmp\\\\n\",\"s\":\"a\\\\\\\\\\\\\"b\"}\n";

static void assert_same(const struct result *a, const struct result *b)
{
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->start_us, b->start_us);
	assert_int_equal(a->end_us, b->end_us);
	assert_int_equal(a->exit_code, b->exit_code);
	assert_int_equal(a->signal, b->signal);
	assert_int_equal(a->max_rss_kb, b->max_rss_kb);
	assert_int_equal(a->user_us, b->user_us);
	assert_int_equal(a->sys_us, b->sys_us);
	assert_int_equal(a->skipped, b->skipped);
	assert_int_equal(a->outputs_too_big, b->outputs_too_big);
	if (a->error || b->error) {
		assert_non_null(a->error);
		assert_non_null(b->error);
		assert_string_equal(a->error, b->error);
	}
	if (a->outputs || b->outputs) {
		assert_non_null(a->outputs);
		assert_non_null(b->outputs);
		assert_string_equal(a->outputs, b->outputs);
	}
}

static void test_format_exact(void **state)
{
	struct result r;
	char *text;
	size_t len;

	(void)state;
	sample(&r);
	assert_int_equal(result_format(&r, &text, &len), 0);
	assert_string_equal(text, sample_text);
	assert_int_equal(len, strlen(sample_text));
	free(text);
	result_release(&r);
}

static void test_roundtrip_memory(void **state)
{
	struct result r, back;
	char *text;
	size_t len;

	(void)state;
	sample(&r);
	assert_int_equal(result_format(&r, &text, &len), 0);
	assert_int_equal(result_parse(text, len, &back), 0);
	assert_same(&r, &back);
	assert_memory_equal(back.error, "line one\nline two\\n \\ back\r\nend=x", 34);
	free(text);
	result_release(&back);

	/* the other branches: signal, skipped, too big, no strings, extremes */
	result_release(&r);
	r.pid = INT64_MAX;
	r.start_us = 0;
	r.end_us = INT64_MAX;
	r.exit_code = -1;
	r.signal = 15;
	r.skipped = true;
	r.outputs_too_big = true;
	assert_int_equal(result_format(&r, &text, &len), 0);
	assert_non_null(strstr(text, "\nexit_code=-1\nsignal=15\n"));
	assert_non_null(strstr(text, "\nskipped=true\noutputs_too_big=true\n"));
	assert_null(strstr(text, "error="));
	assert_null(strstr(text, "outputs="));
	assert_int_equal(result_parse(text, len, &back), 0);
	assert_same(&r, &back);
	assert_null(back.error);
	assert_null(back.outputs);
	free(text);
	result_release(&back);

	/* an empty error is still an error */
	r.error = strdup("");
	assert_int_equal(result_format(&r, &text, &len), 0);
	assert_int_equal(result_parse(text, len, &back), 0);
	assert_non_null(back.error);
	assert_string_equal(back.error, "");
	free(text);
	result_release(&back);
	result_release(&r);
}

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_result.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_roundtrip_file(void **state)
{
	struct result r, back;
	char path[128], tmp[140];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/try.result", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(result_read(path, &back), -ENOENT);
	assert_null(back.error);
	sample(&r);
	for (int fsync_it = 0; fsync_it < 2; fsync_it++) {
		assert_int_equal(result_write(path, &r, fsync_it != 0), 0);
		assert_int_equal(stat(tmp, &st), -1); /* renamed away */
		assert_int_equal(result_read(path, &back), 0);
		assert_same(&r, &back);
		result_release(&back);
	}
	/* overwriting with a shorter record leaves no old bytes behind */
	free(r.outputs);
	r.outputs = NULL;
	free(r.error);
	r.error = NULL;
	assert_int_equal(result_write(path, &r, false), 0);
	assert_int_equal(result_read(path, &back), 0);
	assert_same(&r, &back);
	result_release(&back);
	result_release(&r);
	/* a relative path works too (the directory fsync uses ".") */
	sample(&r);
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(result_write("rel.result", &r, true), 0);
	assert_int_equal(result_read("rel.result", &back), 0);
	assert_same(&r, &back);
	assert_int_equal(chdir("/"), 0);
	result_release(&back);
	result_release(&r);
}

static void write_file(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void test_read_errors(void **state)
{
	struct result r;
	char path[128], *big;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.result", tmpdir);
	write_file(path, "garbage\n", 8);
	assert_int_equal(result_read(path, &r), -EINVAL);
	assert_null(r.error);
	write_file(path, "", 0);
	assert_int_equal(result_read(path, &r), -EINVAL);
	/* over RESULT_RECORD_MAX, even if it starts well */
	big = malloc(RESULT_RECORD_MAX + 10);
	memset(big, 'x', RESULT_RECORD_MAX + 10);
	memcpy(big, sample_text, strlen(sample_text));
	write_file(path, big, RESULT_RECORD_MAX + 10);
	free(big);
	assert_int_equal(result_read(path, &r), -EINVAL);
	/* a directory is not a record */
	assert_int_equal(result_read(tmpdir, &r), -EINVAL);
}

static void test_write_errors(void **state)
{
	struct result r;
	char path[128];
	struct stat st;

	(void)state;
	sample(&r);
	snprintf(path, sizeof(path), "%s/no/such/dir/x.result", tmpdir);
	assert_int_equal(result_write(path, &r, true), -ENOENT);
	snprintf(path, sizeof(path), "%s/bad.result", tmpdir);
	(void)unlink(path);
	r.outputs_too_big = true; /* with outputs set: breaks the rules */
	assert_int_equal(result_write(path, &r, true), -EINVAL);
	assert_int_equal(stat(path, &st), -1);
	result_release(&r);
}

/* Each breaks one rule result_format() checks. */
static void test_format_rules(void **state)
{
	struct result r;
	char *text = (char *)"untouched";
	size_t len = 7;

	(void)state;
	for (int i = 0; i < 12; i++) {
		sample(&r);
		switch (i) {
		case 0: r.pid = 0; break;
		case 1: r.start_us = -1; break;
		case 2: r.exit_code = 256; break;
		case 3: r.exit_code = -1; break; /* without a signal */
		case 4: r.signal = 9; break; /* with exit code 3 */
		case 5: r.exit_code = -1; r.signal = RESULT_SIGNAL_MAX + 1; break;
		case 6: r.outputs_too_big = true; break;
		case 7: free(r.outputs); r.outputs = strdup("[1]"); break;
		case 8: free(r.outputs); r.outputs = strdup("{"); break;
		case 9:
			free(r.outputs);
			r.outputs = malloc(RESULT_OUTPUTS_MAX + 2);
			memset(r.outputs, ' ', RESULT_OUTPUTS_MAX + 1);
			r.outputs[0] = '{';
			r.outputs[RESULT_OUTPUTS_MAX] = '}';
			r.outputs[RESULT_OUTPUTS_MAX + 1] = '\0';
			break;
		case 10:
			free(r.error);
			r.error = malloc(RESULT_ERROR_MAX + 2);
			memset(r.error, 'e', RESULT_ERROR_MAX + 1);
			r.error[RESULT_ERROR_MAX + 1] = '\0';
			break;
		case 11: r.max_rss_kb = -5; break;
		}
		if (result_format(&r, &text, &len) != -EINVAL)
			fail_msg("rule case %d accepted", i);
		assert_null(text);
		assert_int_equal(len, 0);
		result_release(&r);
	}
	/* the limits themselves are fine */
	sample(&r);
	free(r.outputs);
	r.outputs = malloc(RESULT_OUTPUTS_MAX + 1);
	memset(r.outputs, ' ', RESULT_OUTPUTS_MAX);
	r.outputs[0] = '{';
	r.outputs[RESULT_OUTPUTS_MAX - 1] = '}';
	r.outputs[RESULT_OUTPUTS_MAX] = '\0';
	r.exit_code = -1;
	r.signal = RESULT_SIGNAL_MAX;
	assert_int_equal(result_format(&r, &text, &len), 0);
	free(text);
	result_release(&r);
}

/* The sample record with the line starting "key=" replaced by line
 * (which ends in '\n'; NULL drops it). */
static char *edit(const char *key, const char *line)
{
	char *out = malloc(sizeof(sample_text) + 256);
	const char *p = sample_text;
	size_t klen = strlen(key), n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p) + 1;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			if (line) {
				memcpy(out + n, line, strlen(line));
				n += strlen(line);
			}
		} else {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

static void test_parse_malformed(void **state)
{
	static const struct {
		const char *key, *line;
	} edits[] = {
		{"pid", NULL}, /* a required key missing */
		{"signal", NULL},
		{"skipped", NULL},
		{"pid", "pid=+1\n"},
		{"pid", "pid= 1\n"},
		{"pid", "pid=01\n"},
		{"pid", "pid=\n"},
		{"pid", "pid=1x\n"},
		{"pid", "pid=0\n"},
		{"start_us", "start_us=-0\n"},
		{"start_us", "start_us=9223372036854775808\n"},
		{"pid", "pid=18446744073709551617\n"}, /* 2^64 + 1: wraps to 1 */
		{"user_us", "user_us=36893488147419103232\n"}, /* 2^65: wraps to 0 */
		{"end_us", "end_us=-1\n"},
		{"exit_code", "exit_code=256\n"},
		{"exit_code", "exit_code=99999999999\n"},
		{"exit_code", "exit_code=-1\n"}, /* but signal=0 */
		{"signal", "signal=9\n"},        /* but exit_code=3 */
		{"skipped", "skipped=1\n"},
		{"skipped", "skipped=True\n"},
		{"skipped", "skipped=false \n"},
		{"outputs_too_big", "outputs_too_big=true\n"}, /* with outputs */
		{"error", "error=bad \\t escape\n"},
		{"error", "error=trailing backslash\\\n"},
		{"error", "error=raw\rcr\n"},
		{"outputs", "outputs=[1,2]\n"},
		{"outputs", "outputs={\n"},
		{"outputs", "outputs=\n"},
		{"pid", "pid=1\npid=1\n"}, /* a key twice */
		{"error", "error=a\nerror=b\n"},
		{"pid", "pid\n"},          /* no '=' */
		{"pid", "PID=1\npid=1\n"}, /* not a key */
		{"pid", "=1\npid=1\n"},
		{"pid", "pi-d=1\npid=1\n"},
	};
	struct result r;

	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char *text = edit(edits[i].key, edits[i].line);
		int rc = result_parse(text, strlen(text), &r);
		if (rc != -EINVAL)
			fail_msg("edit %zu (%s) gave %d", i, edits[i].line ? edits[i].line : edits[i].key, rc);
		assert_null(r.error);
		assert_null(r.outputs);
		assert_int_equal(r.pid, 0);
		free(text);
	}

	/* the whole-record cases */
	static const char *const whole[] = {
		"",
		"dagd-result 1",
		"dagd-result 1\n",
		"dagd-result 2\npid=1\n",
		"dagd-result 1 \npid=1\n",
		"\ndagd-result 1\n",
	};
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		if (result_parse(whole[i], strlen(whole[i]), &r) != -EINVAL)
			fail_msg("whole case %zu accepted", i);
	}
	/* no final newline */
	assert_int_equal(result_parse(sample_text, strlen(sample_text) - 1, &r), -EINVAL);
	/* a NUL inside a value */
	char *nul = strdup(sample_text);
	*strstr(nul, "two") = '\0';
	assert_int_equal(result_parse(nul, strlen(sample_text), &r), -EINVAL);
	free(nul);
	/* the sample itself parses: the table above fails for its edit only */
	assert_int_equal(result_parse(sample_text, strlen(sample_text), &r), 0);
	result_release(&r);
}

static void test_parse_lenient(void **state)
{
	struct result r;
	const char *ins;
	char *text;

	(void)state;
	/* unknown keys are skipped, and order does not matter */
	text = edit("pid", NULL);
	ins = "future_key=whatever \\q\nzz9=\n";
	memmove(text + 14 + strlen(ins), text + 14, strlen(text + 14) + 1);
	memcpy(text + 14, ins, strlen(ins));
	memcpy(text + strlen(text), "pid=77\n", 8);
	assert_int_equal(result_parse(text, strlen(text), &r), 0);
	assert_int_equal(r.pid, 77);
	assert_int_equal(r.exit_code, 3);
	assert_string_equal(r.outputs, "{\"path\":\"C:\\\\tmp\\n\",\"s\":\"a\\\\\\\"b\"}");
	result_release(&r);
	free(text);
	/* INT64 extremes where they are allowed */
	text = edit("start_us", "start_us=9223372036854775807\n");
	assert_int_equal(result_parse(text, strlen(text), &r), 0);
	assert_int_equal(r.start_us, INT64_MAX);
	result_release(&r);
	free(text);
	/* release of an empty or NULL result is harmless */
	result_init(&r);
	result_release(&r);
	result_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_roundtrip_memory),
		cmocka_unit_test(test_roundtrip_file),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_format_rules),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_lenient),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
