/*
 * job_keeper.c - `dagd-job keeper`: the daemon's long-lived launcher. It is
 * a child subreaper in its own session; for each start request on fd 3 it
 * posix_spawns the task itself (new session, log on stdout/stderr, cwd and
 * environment from the request), and when a task exits it reaps it, writes
 * its result record exactly as `dagd-job run` would (times, exit code or
 * signal, rusage, skip, outputs) and sends "X id". It ignores SIGTERM and
 * friends so a daemon's shutdown does not take the tries with it; when the
 * daemon's end of the socket closes it finishes the tries it has, then
 * exits. Orphaned grandchildren that it inherits are reaped silently.
 */
#include "job.h"
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEEPER_FD 3

struct kchild {
	pid_t pid;
	uint64_t id;
	int64_t start_us;
	int skip_code;
	bool fsync;
	char *result, *log, *output;
	struct kchild *next;
};

static struct kchild *children;
static bool daemon_gone;

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = job_xmalloc(n);
	memcpy(p, s, n);
	return p;
}

static void send_msg(const char *msg)
{
	if (daemon_gone)
		return;
	if (send(KEEPER_FD, msg, strlen(msg), MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		daemon_gone = true;
}

static void write_record(struct kchild *c, struct result *r)
{
	char msg[64];
	int rc = result_write(c->result, r, c->fsync);

	if (rc)
		job_msg("keeper: cannot write the result record '%s': %s", c->result, strerror(-rc));
	snprintf(msg, sizeof(msg), "X %llu", (unsigned long long)c->id);
	send_msg(msg);
}

static void start(struct keeper_req *q, int log_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct kchild *c = job_xmalloc(sizeof(*c));
	pid_t pid = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->id = q->id;
	c->skip_code = q->skip_code;
	c->fsync = q->fsync;
	c->result = dup_str(q->result);
	c->log = dup_str(q->log);
	c->output = dup_str(q->output);
	rc = job_spawn_attr(&at, true);
	if (!rc)
		rc = posix_spawn_file_actions_init(&fa);
	if (!rc) {
		(void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		(void)posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
		(void)posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
		(void)posix_spawn_file_actions_addchdir_np(&fa, q->cwd);
		c->start_us = job_now_us();
		rc = posix_spawnp(&pid, q->argv[0], &fa, &at, q->argv, q->envp);
		(void)posix_spawn_file_actions_destroy(&fa);
	}
	(void)posix_spawnattr_destroy(&at);
	if (rc) {
		struct result r;
		char line[512];
		int n = snprintf(line, sizeof(line), "dagd-job: cannot run '%s' in %s: %s\n",
				 q->argv[0], q->cwd, strerror(rc));
		result_init(&r);
		r.pid = getpid();
		r.start_us = c->start_us ? c->start_us : job_now_us();
		r.end_us = job_now_us();
		r.exit_code = JOB_EXIT_NOSTART;
		if (n > 0)
			(void)!write(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		line[strcspn(line, "\n")] = '\0';
		r.error = dup_str(line + 10);
		write_record(c, &r);
		result_release(&r);
		free(c->result);
		free(c->log);
		free(c->output);
		free(c);
		return;
	}
	c->pid = pid;
	c->next = children;
	children = c;
	{
		char msg[64];
		snprintf(msg, sizeof(msg), "S %llu %d", (unsigned long long)c->id, (int)pid);
		send_msg(msg);
	}
}

static void finished(struct kchild *c, int status, const struct rusage *ru)
{
	struct result r;

	result_init(&r);
	r.pid = c->pid;
	r.start_us = c->start_us;
	r.end_us = job_now_us();
	if (WIFSIGNALED(status)) {
		r.exit_code = -1;
		r.signal = WTERMSIG(status);
	} else {
		r.exit_code = WEXITSTATUS(status);
	}
	r.max_rss_kb = ru->ru_maxrss;
	r.user_us = (int64_t)ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec;
	r.sys_us = (int64_t)ru->ru_stime.tv_sec * 1000000 + ru->ru_stime.tv_usec;
	r.skipped = r.signal == 0 && r.exit_code == c->skip_code;
	job_outputs_collect_at(&r, c->log, *c->output ? c->output : NULL);
	write_record(c, &r);
	result_release(&r);
}

static void reap(void)
{
	for (;;) {
		struct rusage ru;
		int status;
		pid_t pid = wait4(-1, &status, WNOHANG, &ru);
		struct kchild **pp;

		if (pid <= 0)
			return;
		for (pp = &children; *pp && (*pp)->pid != pid; pp = &(*pp)->next)
			;
		if (*pp) {
			struct kchild *c = *pp;
			*pp = c->next;
			finished(c, status, &ru);
			free(c->result);
			free(c->log);
			free(c->output);
			free(c);
		}
		/* else: an orphan we inherited as subreaper; nothing to record */
	}
}

static void receive(void)
{
	static char buf[KEEPER_REQ_MAX];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct keeper_req q;
	struct cmsghdr *cm;
	int log_fd = -1;
	ssize_t n = recvmsg(KEEPER_FD, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		daemon_gone = true;
		return;
	}
	if (n < 0)
		return;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&log_fd, CMSG_DATA(cm), sizeof(int));
	if (log_fd < 0 || (mh.msg_flags & MSG_TRUNC) ||
	    keeper_req_decode(buf, (size_t)n, &q) != 0) {
		job_msg("keeper: malformed request ignored");
		if (log_fd >= 0)
			close(log_fd);
		return;
	}
	start(&q, log_fd);
	free(q.argv);
	free(q.envp);
	close(log_fd);
}

int job_keeper_main(void)
{
	struct pollfd pf[2];
	sigset_t chld;
	int sfd;

	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || fcntl(KEEPER_FD, F_GETFD) < 0) {
		job_msg("keeper: no socket on fd 3 or no signalfd");
		return JOB_EXIT_NOSTART;
	}
	(void)fcntl(KEEPER_FD, F_SETFD, FD_CLOEXEC);
	while (!daemon_gone || children) {
		pf[0].fd = daemon_gone ? -1 : KEEPER_FD;
		pf[0].events = POLLIN;
		pf[1].fd = sfd;
		pf[1].events = POLLIN;
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			reap();
		}
		if (!daemon_gone && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			receive();
	}
	reap();
	return 0;
}
