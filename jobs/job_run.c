/*
 * job_run.c - starts the task with posix_spawnp (glibc uses clone with
 * CLONE_VFORK: no page table copy) in the worker's own process group, with
 * every signal at its default and none blocked, waits for it with wait4()
 * and records how it ended, its wall-clock span and its rusage. Nothing
 * here reads outputs or writes the record.
 */
#include "job.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts); /* cannot fail for this clock */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t tv_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

/*
 * glibc's posix_spawn sets its two internal signals (SIGCANCEL, SIGSETXID:
 * 32 and 33) to SIG_IGN in the child, and exec keeps that, unless they are
 * in the sigdefault set; sigaddset() refuses them, so set their bits
 * directly (glibc ABI: bit N-1 of an unsigned long array for signal N).
 */
static void add_internal_signals(sigset_t *set)
{
#if defined(__GLIBC__) && defined(__linux__)
	const size_t bits = 8 * sizeof(set->__val[0]);

	for (size_t sig = 32; sig <= 33; sig++)
		set->__val[(sig - 1) / bits] |= 1ul << ((sig - 1) % bits);
#else
	(void)set;
#endif
}

int job_spawn_attr(posix_spawnattr_t *attr, bool new_session)
{
	sigset_t dflt, none;
	int rc;

	sigfillset(&dflt); /* every signal back to its default in the task */
	add_internal_signals(&dflt);
	sigemptyset(&none);
	rc = posix_spawnattr_init(attr);
	if (!rc)
		rc = posix_spawnattr_setflags(attr, (short)(POSIX_SPAWN_SETSIGDEF |
							     POSIX_SPAWN_SETSIGMASK |
							     (new_session ? POSIX_SPAWN_SETSID : 0)));
	if (!rc)
		rc = posix_spawnattr_setsigdefault(attr, &dflt);
	if (!rc)
		rc = posix_spawnattr_setsigmask(attr, &none);
	return rc;
}

int64_t job_now_us(void)
{
	return now_us();
}

int job_run(char *const argv[], struct result *r)
{
	posix_spawnattr_t attr;
	struct rusage ru;
	int status, rc;
	pid_t pid;

	rc = job_spawn_attr(&attr, false);
	r->start_us = now_us();
	if (!rc)
		rc = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	(void)posix_spawnattr_destroy(&attr); /* cannot fail on glibc */
	if (rc) {
		r->end_us = now_us();
		r->exit_code = JOB_EXIT_NOSTART;
		job_fail(r, "cannot run '%s': %s", argv[0], strerror(rc));
		return -1;
	}
	for (;;) {
		pid_t w = wait4(pid, &status, 0, &ru);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			/* only if someone reaped our child: nothing to report */
			r->end_us = now_us();
			r->exit_code = JOB_EXIT_NOSTART;
			job_fail(r, "cannot wait for '%s': %s", argv[0], strerror(errno));
			return 0;
		}
	}
	r->end_us = now_us();
	if (WIFSIGNALED(status)) {
		r->exit_code = -1;
		r->signal = WTERMSIG(status);
	} else {
		r->exit_code = WEXITSTATUS(status);
		r->signal = 0;
	}
	/* wait4 reports the task and the descendants it waited for */
	r->max_rss_kb = ru.ru_maxrss;
	r->user_us = tv_us(&ru.ru_utime);
	r->sys_us = tv_us(&ru.ru_stime);
	return 0;
}
