/*
 * test_job.c - runs the real dagd-job binary ($DAGD_JOB_BIN, else
 * build/dagd-job from the repo root) the way the daemon does: a new session,
 * stdout and stderr on a fresh log opened O_WRONLY|O_APPEND. Checks the
 * worker's exit code and its result record: exit codes, signals, skip codes,
 * outputs from ::set-output lines and $DAGD_OUTPUT (merge, escaping, the
 * 64 KiB cap, malformed files), a program that cannot start, SIGTERM to the
 * process group, rusage, and the process state a task inherits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "result.h"

#define DEADLINE_MS 20000

static const char *job_bin;
static char dir[64];

struct job {
	/* in */
	const char *const *opts; /* between "run" and "--"; NULL: --result only */
	const char *const *task; /* after "--" */
	const char *dagd_output; /* env DAGD_OUTPUT, NULL: unset */
	bool log_rdwr;           /* open the log O_RDWR instead of O_WRONLY */
	void (*hook)(void);      /* runs in the child before exec */
	/* out */
	pid_t pid;
	int status;     /* the worker's exit code, or -1 if it did not exit */
	int read_rc;    /* result_read() of the record */
	struct result r;
	char *log;      /* the whole log, NUL-terminated */
	int64_t t0_us, t1_us;
	char log_path[128], result_path[128];
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void path_in_dir2(char *out, size_t n, const char *name, const char *suffix)
{
	int w = snprintf(out, n, "%s/%s%s", dir, name, suffix);
	assert_true(w > 0 && (size_t)w < n);
}

static void path_in_dir(char *out, size_t n, const char *name)
{
	path_in_dir2(out, n, name, "");
}

static void write_file(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static char *slurp(const char *path)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	return buf;
}

static void start_job(struct job *j, const char *name)
{
	const char *argv[64];
	size_t n = 0;

	path_in_dir2(j->log_path, sizeof(j->log_path), name, ".log");
	path_in_dir2(j->result_path, sizeof(j->result_path), name, ".result");
	unlink(j->result_path);
	argv[n++] = job_bin;
	argv[n++] = "run";
	if (!j->opts) {
		argv[n++] = "--result";
		argv[n++] = j->result_path;
	}
	for (size_t i = 0; j->opts && j->opts[i]; i++)
		argv[n++] = strcmp(j->opts[i], "@RESULT") == 0 ? j->result_path : j->opts[i];
	argv[n++] = "--";
	for (size_t i = 0; j->task[i]; i++)
		argv[n++] = j->task[i];
	argv[n] = NULL;

	j->t0_us = now_us();
	j->pid = fork();
	assert_true(j->pid >= 0);
	if (j->pid == 0) {
		int fd = open(j->log_path, (j->log_rdwr ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | O_APPEND,
			      0644);
		if (fd < 0 || setsid() < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		close(fd);
		if (j->dagd_output)
			setenv("DAGD_OUTPUT", j->dagd_output, 1);
		else
			unsetenv("DAGD_OUTPUT");
		if (j->hook)
			j->hook();
		execv(job_bin, (char *const *)argv);
		_exit(127);
	}
}

static void finish_job(struct job *j)
{
	int st = 0;
	pid_t w = 0;

	for (int waited = 0; waited < DEADLINE_MS; waited++) {
		w = waitpid(j->pid, &st, WNOHANG);
		if (w != 0)
			break;
		sleep_ms(1);
	}
	if (w == 0) {
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, &st, 0);
		fail_msg("dagd-job still running after %d ms", DEADLINE_MS);
	}
	assert_int_equal(w, j->pid);
	j->t1_us = now_us();
	if (!WIFEXITED(st))
		fail_msg("dagd-job died of signal %d", WTERMSIG(st));
	j->status = WEXITSTATUS(st);
	j->read_rc = result_read(j->result_path, &j->r);
	j->log = slurp(j->log_path);
}

static void run_job(struct job *j, const char *name)
{
	start_job(j, name);
	finish_job(j);
}

static void job_release(struct job *j)
{
	result_release(&j->r);
	free(j->log);
	j->log = NULL;
}

/* The record of a task that ran: the fields every such record has. */
static void assert_ran(const struct job *j, int status)
{
	if (j->status != status)
		fail_msg("worker exit %d, want %d; log:\n%s", j->status, status, j->log);
	assert_int_equal(j->read_rc, 0);
	assert_int_equal(j->r.pid, j->pid);
	assert_true(j->r.start_us >= j->t0_us);
	assert_true(j->r.end_us >= j->r.start_us);
	assert_true(j->r.end_us <= j->t1_us);
}

/* outputs must load in jansson, as the daemon will, with no duplicates */
static void assert_outputs(const struct job *j, const char *want)
{
	json_error_t err;
	json_t *v;

	assert_false(j->r.outputs_too_big);
	if (!want) {
		assert_null(j->r.outputs);
		return;
	}
	if (!j->r.outputs)
		fail_msg("no outputs, want %s; log:\n%s", want, j->log);
	assert_string_equal(j->r.outputs, want);
	v = json_loads(j->r.outputs, JSON_REJECT_DUPLICATES, &err);
	if (!v)
		fail_msg("jansson refuses outputs: %s", err.text);
	assert_true(json_is_object(v));
	json_decref(v);
}

static const char *const T_EXIT3[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};

static void test_exit_code(void **state)
{
	struct job j = {.task = T_EXIT3};

	(void)state;
	run_job(&j, "exit3");
	assert_ran(&j, 3);
	assert_int_equal(j.r.exit_code, 3);
	assert_int_equal(j.r.signal, 0);
	assert_false(j.r.skipped);
	assert_null(j.r.error);
	assert_outputs(&j, NULL);
	assert_string_equal(j.log, "out\nerr\n");
	job_release(&j);
}

static void test_no_fsync(void **state)
{
	static const char *const opts[] = {"--no-fsync", "--result", "@RESULT", NULL};
	static const char *const task[] = {"true", NULL};
	struct job j = {.opts = opts, .task = task};
	char tmp[140];
	struct stat st;

	(void)state;
	run_job(&j, "nofsync");
	assert_ran(&j, 0);
	assert_int_equal(j.r.exit_code, 0);
	assert_null(j.r.error);
	snprintf(tmp, sizeof(tmp), "%s.tmp", j.result_path);
	assert_int_equal(stat(tmp, &st), -1);
	assert_string_equal(j.log, "");
	job_release(&j);
}

static void test_signal(void **state)
{
	static const char *const task[] = {"sh", "-c", "kill -9 $$", NULL};
	struct job j = {.task = task};

	(void)state;
	run_job(&j, "sigkill");
	assert_ran(&j, 137);
	assert_int_equal(j.r.exit_code, -1);
	assert_int_equal(j.r.signal, 9);
	assert_false(j.r.skipped);
	assert_null(j.r.error);
	job_release(&j);
}

static void test_skip_code(void **state)
{
	static const char *const exit99[] = {"sh", "-c", "exit 99", NULL};
	static const char *const exit7[] = {"sh", "-c", "exit 7", NULL};
	static const char *const skip7[] = {"--result", "@RESULT", "--skip-code", "7", NULL};
	static const struct {
		const char *const *opts, *const *task;
		int status;
		bool skipped;
	} cases[] = {
		{NULL, exit99, 99, true},
		{NULL, exit7, 7, false},
		{skip7, exit7, 7, true},
		{skip7, exit99, 99, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct job j = {.opts = cases[i].opts, .task = cases[i].task};
		run_job(&j, "skip");
		assert_ran(&j, cases[i].status);
		assert_int_equal(j.r.exit_code, cases[i].status);
		if (j.r.skipped != cases[i].skipped)
			fail_msg("case %zu: skipped=%d", i, j.r.skipped);
		assert_null(j.r.error);
		job_release(&j);
	}
}

/* A task that prints a prepared file (exact bytes, no shell quoting) and
 * copies another to $DAGD_OUTPUT if given. */
static void run_cat(struct job *j, const char *name, const char *log_text, size_t log_len,
		    const char *json)
{
	static char payload[128], jsonfile[128], outfile[128];
	static const char *task[] = {"sh", "-c", "cat \"$1\"; [ -z \"$2\" ] || cp \"$2\" \"$DAGD_OUTPUT\"",
				     "sh", payload, "", NULL};

	path_in_dir(payload, sizeof(payload), "payload");
	write_file(payload, log_text, log_len);
	task[5] = "";
	if (json) {
		path_in_dir(jsonfile, sizeof(jsonfile), "payload.json");
		write_file(jsonfile, json, strlen(json));
		task[5] = jsonfile;
	}
	path_in_dir(outfile, sizeof(outfile), "output.json");
	unlink(outfile);
	j->task = task;
	j->dagd_output = outfile;
	run_job(j, name);
}

static const char set_output_log[] =
	"noise\n"
	"::set-output n_rows=42\n"
	"::set-output msg=say \"hi\" \\ back\ttab\n"
	"::set-output eq=a=b=c\n"
	"::set-output empty=\n"
	"::set-output crlf=dos\r\n"
	" ::set-output indented=1\n"
	"::set-output bad name=1\n"
	"::set-output =novalue\n"
	"::set-outputx=1\n"
	"::set-output no_equals\n"
	"x::set-output mid=1\n"
	"::set-output Dots.and-dash_9=ok\n"
	"::set-output ctl=\001\377end\n"
	"::set-output utf=h\xc3\xa9\n"
	"::set-output n_rows=43\n"
	"::set-output last=no newline";

static void test_set_output(void **state)
{
	struct job j = {0};

	(void)state;
	run_cat(&j, "setout", set_output_log, sizeof(set_output_log) - 1, NULL);
	assert_ran(&j, 0);
	assert_null(j.r.error);
	assert_outputs(&j, "{\"n_rows\":\"43\",\"msg\":\"say \\\"hi\\\" \\\\ back\\ttab\","
			   "\"eq\":\"a=b=c\",\"empty\":\"\",\"crlf\":\"dos\","
			   "\"Dots.and-dash_9\":\"ok\",\"ctl\":\"\\u0001\\ufffdend\","
			   "\"utf\":\"h\xc3\xa9\",\"last\":\"no newline\"}");
	assert_memory_equal(j.log, set_output_log, sizeof(set_output_log));
	job_release(&j);

	/* a log fd opened for reading is read directly */
	j = (struct job){.log_rdwr = true};
	run_cat(&j, "setout_rdwr", "::set-output a=1\n", 17, NULL);
	assert_ran(&j, 0);
	assert_outputs(&j, "{\"a\":\"1\"}");
	job_release(&j);
}

static void test_dagd_output_merge(void **state)
{
	static const char log[] = "::set-output a=1\n::set-output b=2\n::set-output z=9\n";
	static const char json[] =
		" {\n  \"b\" : {\"x\": [1, 2.5e-3, true, null, \"s\\\"q\"]} ,\n"
		"  \"c\\u0041\": -0.5, \"a\": \"from file\", \"new\": false,\n"
		"  \"emoji\\ud83d\\ude00\": 9223372036854775807, \"\\u007a\": \"\\u00e9\",\n"
		"  \"k\\t\\\"q\\/\": 1\n}\n";
	struct job j = {0};

	(void)state;
	run_cat(&j, "merge", log, sizeof(log) - 1, json);
	assert_ran(&j, 0);
	assert_null(j.r.error);
	/* set-output members first, the file's win and new ones go last;
	 * names canonical, values as written */
	assert_outputs(&j, "{\"a\":\"from file\",\"b\":{\"x\": [1, 2.5e-3, true, null, \"s\\\"q\"]},"
			   "\"z\":\"\\u00e9\",\"cA\":-0.5,\"new\":false,"
			   "\"emoji\xf0\x9f\x98\x80\":9223372036854775807,\"k\\t\\\"q/\":1}");
	job_release(&j);

	/* only the file */
	j = (struct job){0};
	run_cat(&j, "merge_file_only", "hello\n", 6, "{}");
	assert_ran(&j, 0);
	assert_null(j.r.error);
	assert_outputs(&j, NULL); /* an empty object: no outputs */
	job_release(&j);
	j = (struct job){0};
	run_cat(&j, "merge_file_only2", "hello\n", 6, "{\"k\":[]}");
	assert_ran(&j, 0);
	assert_outputs(&j, "{\"k\":[]}");
	job_release(&j);
}

static void test_dagd_output_missing_or_empty(void **state)
{
	static const char *const task[] = {"sh", "-c", ": > \"$DAGD_OUTPUT\"; echo '::set-output a=1'",
					   NULL};
	static const char *const none[] = {"sh", "-c", "echo '::set-output a=1'", NULL};
	char path[128];
	struct job j = {.task = task};

	(void)state;
	path_in_dir(path, sizeof(path), "empty.json");
	j.dagd_output = path;
	run_job(&j, "empty_output");
	assert_ran(&j, 0);
	assert_null(j.r.error);
	assert_outputs(&j, "{\"a\":\"1\"}");
	job_release(&j);

	path_in_dir(path, sizeof(path), "never-written.json");
	unlink(path);
	j = (struct job){.task = none, .dagd_output = path};
	run_job(&j, "missing_output");
	assert_ran(&j, 0);
	assert_null(j.r.error);
	assert_outputs(&j, "{\"a\":\"1\"}");
	job_release(&j);

	/* a directory is not a file */
	j = (struct job){.task = none, .dagd_output = dir};
	run_job(&j, "dir_output");
	assert_ran(&j, 0);
	assert_non_null(j.r.error);
	assert_non_null(strstr(j.r.error, "is not a regular file"));
	job_release(&j);
}

static void test_dagd_output_malformed(void **state)
{
	static const struct {
		const char *json, *msg;
	} cases[] = {
		{"{\"a\":1,}", "expected a string key at line 1, column 8"},
		{"[1]", "expected '{' at line 1, column 1"},
		{"   ", "expected '{' at line 1, column 4"},
		{"{\"a\":1} {}", "text after the object at line 1, column 9"},
		{"{\"a\":1}\nx", "text after the object at line 2, column 1"},
		{"{\"a\":01}", "expected ',' or '}' at line 1, column 7"},
		{"{\"a\" 1}", "expected ':' at line 1, column 6"},
		{"{\"a\":tru}", "expected a value at line 1, column 6"},
		{"{\"a\":\"x}", "unterminated string at line 1, column 9"},
		{"{\"a\":\"\\u0000\"}", "\\u0000 is not allowed at line 1, column 7"},
		{"{\"a\":\"\\ud800\"}", "high surrogate without a low one in \\u escape at line 1, column 7"},
		{"{\"a\":\"\\q\"}", "invalid escape in string at line 1, column 7"},
		{"{\"a\":\"\xff\"}", "invalid UTF-8 at line 1, column 7"},
		{"{\"a\":\"\t\"}", "control character in string at line 1, column 7"},
		{"{\"a\":1e999}", "number out of range at line 1, column 6"},
		{"{\"a\":-9223372036854775809}", "integer out of range at line 1, column 6"},
		{"{\"a\":[1,2}", "expected ',' or ']' at line 1, column 10"},
		{"{\"a\":1.}", "invalid number at line 1, column 8"},
	};
	static const char log[] = "::set-output kept=yes\n";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct job j = {0};
		char want[256];
		snprintf(want, sizeof(want), "DAGD_OUTPUT file is not a JSON object: %s", cases[i].msg);
		run_cat(&j, "malformed", log, sizeof(log) - 1, cases[i].json);
		assert_ran(&j, 0); /* the child's exit code; the error fails the try */
		if (!j.r.error)
			fail_msg("case %zu accepted: %s", i, cases[i].json);
		assert_string_equal(j.r.error, want);
		/* the set-output lines still count, the file adds nothing */
		assert_outputs(&j, "{\"kept\":\"yes\"}");
		assert_non_null(strstr(j.log, want));
		job_release(&j);
	}

	/* nesting deeper than 512 is refused, 500 is fine */
	for (int depth = 500; depth <= 600; depth += 100) {
		struct job j = {0};
		char *json = malloc(2 * (size_t)depth + 16);
		size_t n = 0;
		memcpy(json, "{\"d\":", 5);
		n = 5;
		for (int k = 1; k < depth; k++)
			json[n++] = '[';
		for (int k = 1; k < depth; k++)
			json[n++] = ']';
		memcpy(json + n, "}", 2);
		run_cat(&j, "deep", "", 0, json);
		assert_ran(&j, 0);
		if (depth == 500) {
			assert_null(j.r.error);
			assert_non_null(j.r.outputs);
		} else {
			assert_non_null(j.r.error);
			assert_non_null(strstr(j.r.error, "nested too deeply"));
		}
		free(json);
		job_release(&j);
	}
}

/* "::set-output NAME=" + n times 'x' + "\n" appended to b */
static size_t add_output_line(char *b, const char *name, size_t n)
{
	size_t k = (size_t)snprintf(b, 64, "::set-output %s=", name);
	memset(b + k, 'x', n);
	b[k + n] = '\n';
	return k + n + 1;
}

static void test_outputs_too_big(void **state)
{
	/* {"big":"..."} is n + 10 bytes: the cap is reached at n = 65526 */
	const size_t fit = RESULT_OUTPUTS_MAX - 10;
	char *log = malloc(1u << 20), *json;
	struct job j = {0};
	size_t n;

	(void)state;
	n = add_output_line(log, "big", fit);
	run_cat(&j, "fits", log, n, NULL);
	assert_ran(&j, 0);
	assert_false(j.r.outputs_too_big);
	assert_non_null(j.r.outputs);
	assert_int_equal(strlen(j.r.outputs), RESULT_OUTPUTS_MAX);
	job_release(&j);

	n = add_output_line(log, "big", fit + 1);
	j = (struct job){0};
	run_cat(&j, "toobig", log, n, NULL);
	assert_ran(&j, 0);
	assert_true(j.r.outputs_too_big);
	assert_null(j.r.outputs);
	assert_null(j.r.error);
	assert_non_null(strstr(j.log, "dagd-job: outputs are larger than 65536 bytes"));
	job_release(&j);

	/* many small ones add up */
	n = 0;
	for (int i = 0; i < 2000; i++) {
		char name[16];
		snprintf(name, sizeof(name), "k%d", i);
		n += add_output_line(log + n, name, 30);
	}
	j = (struct job){0};
	run_cat(&j, "toomany", log, n, NULL);
	assert_ran(&j, 0);
	assert_true(j.r.outputs_too_big);
	assert_null(j.r.outputs);
	job_release(&j);

	/* later wins, also over a value too big: lines longer than the
	 * worker's read buffer, a line across a buffer boundary, no newline */
	n = add_output_line(log, "big", 200000);
	memcpy(log + n, "::set-outpXt noise=1\n", 21); /* not an output line */
	n += 21;
	memset(log + n, 'n', 300000);
	n += 300000;
	log[n++] = '\n';
	memcpy(log + n, "::set-output big=small\n", 23);
	n += 23;
	memset(log + n, '.', 131000);
	n += 131000;
	log[n++] = '\n';
	memcpy(log + n, "::set-output across=yes\n::set-output end=1", 42);
	n += 42;
	j = (struct job){0};
	run_cat(&j, "replaced", log, n, NULL);
	assert_ran(&j, 0);
	assert_outputs(&j, "{\"big\":\"small\",\"across\":\"yes\",\"end\":\"1\"}");
	job_release(&j);

	/* too big through the file */
	json = malloc(RESULT_OUTPUTS_MAX + 64);
	memcpy(json, "{\"f\": \"", 7);
	memset(json + 7, 'y', RESULT_OUTPUTS_MAX);
	memcpy(json + 7 + RESULT_OUTPUTS_MAX, "\"}", 3);
	j = (struct job){0};
	run_cat(&j, "toobig_file", "::set-output a=1\n", 17, json);
	assert_ran(&j, 0);
	assert_true(j.r.outputs_too_big);
	assert_null(j.r.outputs);
	assert_null(j.r.error);
	job_release(&j);
	free(json);
	free(log);
}

static void test_cannot_start(void **state)
{
	static const char *const missing[] = {"no-such-program-dagd", "arg", NULL};
	char noexec[128];
	const char *task[] = {noexec, NULL};
	struct job j = {.task = missing};

	(void)state;
	run_job(&j, "nostart");
	assert_ran(&j, JOB_EXIT_NOSTART);
	assert_int_equal(j.r.exit_code, JOB_EXIT_NOSTART);
	assert_int_equal(j.r.signal, 0);
	assert_non_null(j.r.error);
	assert_string_equal(j.r.error, "cannot run 'no-such-program-dagd': No such file or directory");
	assert_string_equal(j.log, "dagd-job: cannot run 'no-such-program-dagd': No such file or directory\n");
	assert_int_equal(j.r.max_rss_kb, 0);
	assert_outputs(&j, NULL);
	job_release(&j);

	path_in_dir(noexec, sizeof(noexec), "not-executable");
	write_file(noexec, "#!/bin/sh\n", 10);
	j = (struct job){.task = task};
	run_job(&j, "noexec");
	assert_ran(&j, JOB_EXIT_NOSTART);
	assert_non_null(j.r.error);
	/* no x bit at all: EACCES even for root */
	if (strcmp(j.r.error + strlen(j.r.error) - 19, ": Permission denied") != 0 ||
	    strncmp(j.r.error, "cannot run '/tmp/", 17) != 0)
		fail_msg("error: %s", j.r.error);
	job_release(&j);
}

static void test_sigterm_group(void **state)
{
	char ready[128];
	const char *task[] = {"sh", "-c", "echo ready > \"$1\"; exec sleep 30", "sh", ready, NULL};
	struct job j = {.task = task};
	struct stat st;
	int waited = 0;

	(void)state;
	path_in_dir(ready, sizeof(ready), "ready");
	unlink(ready);
	start_job(&j, "sigterm");
	while ((stat(ready, &st) != 0 || st.st_size == 0) && waited++ < DEADLINE_MS)
		sleep_ms(1);
	assert_true(waited < DEADLINE_MS);
	/* what the daemon does on a timeout */
	assert_int_equal(kill(-j.pid, SIGTERM), 0);
	finish_job(&j);
	assert_ran(&j, 128 + SIGTERM); /* the worker exited: it survived */
	assert_int_equal(j.r.exit_code, -1);
	assert_int_equal(j.r.signal, SIGTERM);
	assert_null(j.r.error);
	assert_true(j.t1_us - j.t0_us < 10 * 1000000); /* not the full sleep */
	job_release(&j);
}

static void test_rusage(void **state)
{
	static const char *const dd[] = {"dd", "if=/dev/zero", "of=/dev/null", "bs=32M", "count=1",
					 "status=none", NULL};
	static const char *const tru[] = {"true", NULL};
	struct job j = {.task = dd};

	(void)state;
	run_job(&j, "rusage");
	assert_ran(&j, 0);
	/* dd's 32 MiB buffer was touched, so it was resident */
	if (j.r.max_rss_kb < 32 * 1024)
		fail_msg("max_rss_kb %lld", (long long)j.r.max_rss_kb);
	assert_true(j.r.max_rss_kb < 1024 * 1024);
	assert_true(j.r.user_us + j.r.sys_us > 0);
	job_release(&j);

	j = (struct job){.task = tru};
	run_job(&j, "rusage_true");
	assert_ran(&j, 0);
	assert_true(j.r.max_rss_kb > 0);
	assert_true(j.r.max_rss_kb < 32 * 1024);
	job_release(&j);
}

/* Leaves the worker a mess to clean up: fds without CLOEXEC, a blocked
 * signal and ignored ones. */
static void messy_hook(void)
{
	int fd = open("/dev/null", O_RDONLY);
	sigset_t set;

	dup2(fd, 5);
	dup2(fd, 42);
	if (fd != 5 && fd != 42)
		close(fd);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* would break wait4 in the worker */
}

static void test_task_process_state(void **state)
{
	static const char *const ls[] = {"ls", "/proc/self/fd", NULL};
	static const char *const sig[] = {"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status", NULL};
	struct job j = {.task = ls, .hook = messy_hook};

	(void)state;
	run_job(&j, "fds");
	assert_ran(&j, 0);
	/* 0-2 and the directory ls reads; not 5 or 42 */
	assert_string_equal(j.log, "0\n1\n2\n3\n");
	assert_true(j.r.max_rss_kb > 0);
	job_release(&j);

	j = (struct job){.task = sig, .hook = messy_hook};
	run_job(&j, "signals");
	assert_ran(&j, 0);
	assert_string_equal(j.log, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
	job_release(&j);
}

static void devnull_stdout(void)
{
	int fd = open("/dev/null", O_WRONLY);

	dup2(fd, 1);
	close(fd);
}

static void test_stdout_devnull(void **state)
{
	static const char *const task[] = {"sh", "-c",
					   "echo '::set-output lost=1'; echo '{\"x\": 1}' > \"$DAGD_OUTPUT\"",
					   NULL};
	char out[128];
	struct job j = {.task = task, .hook = devnull_stdout};

	(void)state;
	path_in_dir(out, sizeof(out), "devnull.json");
	unlink(out);
	j.dagd_output = out;
	run_job(&j, "devnull");
	assert_ran(&j, 0);
	assert_null(j.r.error);
	assert_outputs(&j, "{\"x\":1}");
	job_release(&j);
}

static void test_usage(void **state)
{
	const struct {
		const char *const *args; /* after the binary */
		bool record;             /* --result known: a record says why */
	} cases[] = {
		{(const char *const[]){NULL}, false},
		{(const char *const[]){"walk", NULL}, false},
		{(const char *const[]){"run", "--", "true", NULL}, false},
		{(const char *const[]){"run", "--result", "@RESULT", "true", NULL}, true},
		{(const char *const[]){"run", "--result", "@RESULT", "--", NULL}, true},
		{(const char *const[]){"run", "--result", "@RESULT", "--skip-code", "256", "--", "true",
				       NULL},
		 true},
		{(const char *const[]){"run", "--result", "@RESULT", "--skip-code", "x", "--", "true",
				       NULL},
		 true},
		{(const char *const[]){"run", "--result", "@RESULT", "--bogus", "--", "true", NULL}, true},
	};
	char result[128];

	(void)state;
	path_in_dir(result, sizeof(result), "usage.result");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[16];
		struct result r;
		size_t n = 0;
		int st;
		pid_t pid;

		unlink(result);
		argv[n++] = job_bin;
		for (size_t k = 0; cases[i].args[k]; k++)
			argv[n++] = strcmp(cases[i].args[k], "@RESULT") == 0 ? result : cases[i].args[k];
		argv[n] = NULL;
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			dup2(fd, 2);
			execv(job_bin, (char *const *)argv);
			_exit(127);
		}
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) != JOB_EXIT_NOSTART)
			fail_msg("usage case %zu: exit %d", i, WEXITSTATUS(st));
		if (cases[i].record) {
			assert_int_equal(result_read(result, &r), 0);
			assert_int_equal(r.exit_code, JOB_EXIT_NOSTART);
			assert_non_null(r.error);
			assert_true(strncmp(r.error, "bad arguments: ", 15) == 0);
			result_release(&r);
		} else {
			assert_int_equal(result_read(result, &r), -ENOENT);
		}
	}
}

static int setup(void **state)
{
	struct stat st;

	(void)state;
	job_bin = getenv("DAGD_JOB_BIN");
	if (!job_bin || !*job_bin)
		job_bin = "build/dagd-job";
	if (stat(job_bin, &st) != 0 || !(st.st_mode & S_IXUSR)) {
		fprintf(stderr, "test_job: no dagd-job at '%s' (set DAGD_JOB_BIN)\n", job_bin);
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/test_job.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_no_fsync),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_skip_code),
		cmocka_unit_test(test_set_output),
		cmocka_unit_test(test_dagd_output_merge),
		cmocka_unit_test(test_dagd_output_missing_or_empty),
		cmocka_unit_test(test_dagd_output_malformed),
		cmocka_unit_test(test_outputs_too_big),
		cmocka_unit_test(test_cannot_start),
		cmocka_unit_test(test_sigterm_group),
		cmocka_unit_test(test_rusage),
		cmocka_unit_test(test_task_process_state),
		cmocka_unit_test(test_stdout_devnull),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
