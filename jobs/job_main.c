/*
 * job_main.c - dagd-job, the worker that runs ONE task try for the daemon:
 *   dagd-job run --result PATH [--skip-code N] [--no-fsync] -- PROG [ARGS...]
 * The daemon spawns it detached (session and process group leader) with
 * stdout/stderr on the try's log, cwd and environment set. It cleans up its
 * process state, runs PROG, collects outputs, writes the result record
 * atomically and exits with PROG's exit code, 128+N when PROG died of
 * signal N, or JOB_EXIT_NOSTART (125) when PROG could not start or the
 * record could not be written.
 */
#include "job.h"

#include <string.h>
#include <unistd.h>

#define USAGE "usage: dagd-job run --result PATH [--skip-code N] [--no-fsync] -- PROG [ARGS...]"
#define SKIP_CODE_DEFAULT 99

struct opts {
	const char *result;
	int skip_code;
	bool fsync;
	char **argv; /* PROG and its arguments */
};

/* 0..255, decimal, nothing else */
static int parse_code(const char *s, int *out)
{
	int v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 25)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > 255)
		return -1;
	*out = v;
	return 0;
}

/* NULL, or what is wrong with the command line */
static const char *parse_args(int argc, char **argv, struct opts *o)
{
	int i = 2;

	o->result = NULL;
	o->skip_code = SKIP_CODE_DEFAULT;
	o->fsync = true;
	o->argv = NULL;
	if (argc < 2 || strcmp(argv[1], "run") != 0)
		return "expected 'run'";
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--no-fsync") == 0) {
			o->fsync = false;
		} else if (strcmp(a, "--result") == 0 && i + 1 < argc) {
			o->result = argv[++i];
		} else if (strcmp(a, "--skip-code") == 0 && i + 1 < argc) {
			if (parse_code(argv[++i], &o->skip_code))
				return "--skip-code takes a number from 0 to 255";
		} else {
			return "unknown option or missing value";
		}
	}
	if (!o->result || !*o->result)
		return "--result PATH is required";
	if (i >= argc || strcmp(argv[i - 1], "--") != 0)
		return "expected '--' and the program to run";
	o->argv = argv + i;
	return NULL;
}

int main(int argc, char **argv)
{
	struct result r;
	struct opts o;
	const char *bad;
	int rc, code;

	if (argc == 2 && strcmp(argv[1], "keeper") == 0)
		return job_keeper_main(); /* keeps fd 3: before job_proc_init */
	job_proc_init();
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		static const char usage[] = USAGE "\n";
		return write(1, usage, sizeof(usage) - 1) < 0;
	}
	result_init(&r);
	r.pid = getpid();
	bad = parse_args(argc, argv, &o);
	if (bad) {
		job_msg("%s\n%s", bad, USAGE);
		if (!o.result || !*o.result)
			return JOB_EXIT_NOSTART;
		r.exit_code = JOB_EXIT_NOSTART;
		job_fail(&r, "bad arguments: %s", bad);
	} else if (job_run(o.argv, &r) == 0) {
		r.skipped = r.signal == 0 && r.exit_code == o.skip_code;
		job_outputs_collect(&r);
	}
	code = r.signal ? 128 + r.signal : r.exit_code;
	rc = result_write(o.result, &r, o.fsync);
	if (rc) {
		job_msg("cannot write the result record '%s': %s", o.result, strerror(-rc));
		code = JOB_EXIT_NOSTART;
	}
	result_release(&r);
	return code;
}
