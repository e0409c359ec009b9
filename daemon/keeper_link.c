/*
 * keeper_link.c - the daemon's end of the keeper (jobs/keeper.h): starts
 * `dagd-job keeper` with a SOCK_SEQPACKET socket on its fd 3, sends it
 * start requests with the log fd attached, and turns its "S id pid" and
 * "X id" packets into dispatcher events. The keeper is our child: its exit
 * arrives on a pidfd and is reaped with waitid; then the tries it ran are
 * watched by pid (their records come from nobody: they end as lost) and
 * the next spawn starts a new keeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_internal.h"
#include "keeper.h"
#include "log.h"
#include "proc_info.h"

extern char **environ;

static void kpoll_cb(uv_poll_t *h, int status, int events);

static void kclosed_cb(uv_handle_t *h)
{
	(void)h;
}

static void klink_down(struct engine *e, const char *why)
{
	if (e->kfd < 0)
		return;
	log_warn("keeper", "the keeper is gone (%s); its tries are watched by pid", why);
	uv_poll_stop(&e->kpoll);
	uv_close((uv_handle_t *)&e->kpoll, kclosed_cb);
	close(e->kfd);
	e->kfd = -1;
	dispatch_keeper_lost(e);
}

static void kexit_cb(uv_poll_t *h, int status, int events)
{
	struct engine *e = h->data;
	siginfo_t si;
	(void)status;
	(void)events;

	memset(&si, 0, sizeof(si));
	(void)waitid(P_PIDFD, (id_t)e->kpidfd, &si, WEXITED | WNOHANG);
	uv_poll_stop(&e->kexit);
	uv_close((uv_handle_t *)&e->kexit, kclosed_cb);
	close(e->kpidfd);
	e->kpidfd = -1;
	e->kpid = 0;
	klink_down(e, "it exited");
}

int klink_start(struct engine *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char *argv[] = {(char *)e->opts.job_bin, "keeper", NULL};
	int sv[2], rc;
	pid_t pid;

	if (e->kfd >= 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
					      POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, e->opts.job_bin, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		log_warn("keeper", "cannot start %s keeper: %s; tries start one worker each",
			 e->opts.job_bin, strerror(rc));
		return -1;
	}
	e->kpidfd = proc_pidfd_open(pid);
	if (e->kpidfd < 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		close(sv[0]);
		return -1;
	}
	e->kpid = pid;
	e->kfd = sv[0];
	(void)fcntl(e->kfd, F_SETFL, O_NONBLOCK);
	uv_poll_init(e->loop, &e->kpoll, e->kfd);
	e->kpoll.data = e;
	uv_poll_start(&e->kpoll, UV_READABLE | UV_DISCONNECT, kpoll_cb);
	uv_poll_init(e->loop, &e->kexit, e->kpidfd);
	e->kexit.data = e;
	uv_poll_start(&e->kexit, UV_READABLE, kexit_cb);
	log_info("keeper", "started keeper pid %d", (int)pid);
	return 0;
}

static void kpoll_cb(uv_poll_t *h, int status, int events)
{
	struct engine *e = h->data;
	char buf[128];
	(void)events;

	if (status < 0) {
		klink_down(e, uv_strerror(status));
		return;
	}
	for (;;) {
		ssize_t n = recv(e->kfd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		unsigned long long id;
		int pid;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			klink_down(e, n == 0 ? "its socket closed" : strerror(errno));
			return;
		}
		buf[n] = '\0';
		if (sscanf(buf, "S %llu %d", &id, &pid) == 2)
			dispatch_keeper_started(e, id, pid);
		else if (sscanf(buf, "X %llu", &id) == 1)
			dispatch_keeper_finished(e, id);
		else
			log_warn("keeper", "unexpected message from the keeper ignored");
	}
}

int klink_send(struct engine *e, const struct keeper_req *q, int log_fd)
{
	static char buf[KEEPER_REQ_MAX];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	size_t n;

	if (e->kfd < 0 && klink_start(e) != 0)
		return -1;
	n = keeper_req_encode(q, buf, sizeof(buf));
	if (n == 0)
		return -1;
	iov.iov_len = n;
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &log_fd, sizeof(int));
	if (sendmsg(e->kfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
		return -1; /* full or gone: the caller starts a worker instead */
	return 0;
}

void klink_stop(struct engine *e)
{
	if (e->kfd >= 0) {
		uv_poll_stop(&e->kpoll);
		uv_close((uv_handle_t *)&e->kpoll, kclosed_cb);
		close(e->kfd); /* the keeper finishes its tries, then exits */
		e->kfd = -1;
	}
	if (e->kpidfd >= 0) {
		uv_poll_stop(&e->kexit);
		uv_close((uv_handle_t *)&e->kexit, kclosed_cb);
		close(e->kpidfd);
		e->kpidfd = -1;
	}
}
