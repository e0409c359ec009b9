/*
 * job_proc.c - puts the worker's process state in a known shape before it
 * starts a task, whoever started it: fds 0-2 open (on /dev/null if one was
 * closed), every inherited fd above 2 closed, every signal at its default
 * and none blocked. Then the worker ignores SIGTERM, SIGINT and SIGHUP, so
 * a SIGTERM to the process group on a timeout kills the task but not the
 * worker, which still writes the record; and SIGPIPE, so a broken log
 * yields EPIPE. job_run() gives the task all of them back at default.
 */
#include "job.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Used when close_range() is missing: close fds up to the soft limit,
 * but no further than this. */
#define FD_SCAN_MAX 65536

void job_ignored_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGPIPE);
}

static void open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		/* open returns the lowest free fd, which is this one */
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd && nfd >= 0)
			(void)close(nfd); /* cannot happen: fd was free */
	}
}

static void close_fds_above_2(void)
{
	struct rlimit rl;
	long max = 1024;

	if (close_range(3, ~0u, 0) == 0)
		return;
	/* kernels before 5.9: close them one by one */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = rl.rlim_cur < FD_SCAN_MAX ? (long)rl.rlim_cur : FD_SCAN_MAX;
	for (long fd = 3; fd < max; fd++)
		(void)close((int)fd); /* EBADF for the many that are not open */
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* fails (EINVAL) only for the two signals glibc reserves */
		(void)sigaction(sig, &sa, NULL);
	}
	sigemptyset(&set);
	(void)sigprocmask(SIG_SETMASK, &set, NULL); /* cannot fail */

	sa.sa_handler = SIG_IGN;
	job_ignored_signals(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1)
			(void)sigaction(sig, &sa, NULL); /* valid signals: cannot fail */
}

void job_proc_init(void)
{
	open_std_fds();
	close_fds_above_2();
	reset_signals();
}
