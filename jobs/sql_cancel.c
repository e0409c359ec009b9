/*
 * sql_cancel.c - the task timeout and termination for dagd-sql. The daemon
 * kills a try's process group when its timeout passes; before that, a
 * timer (setitimer, SIGALRM) fires and the handler PQcancel()s every
 * watched connection, so the server stops the query and the worker can
 * roll back and say why. SIGTERM and SIGINT do the same; a second one
 * exits at once. PQcancel is async-signal-safe; the watched PGcancel
 * objects change only with the signals blocked.
 */
#include "sql.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The cancel fires this long before the daemon's timeout: a tenth of the
 * timeout, at least MARGIN_MIN_MS, at most MARGIN_MAX_MS. */
#define MARGIN_MIN_MS 100
#define MARGIN_MAX_MS 5000
#define SLOTS 2
/* After the timeout, the cancel is repeated this often until the end. */
#define RECANCEL_MS 250

enum { STOP_NONE, STOP_TIMEOUT, STOP_SIGNAL };

static volatile sig_atomic_t stop_why = STOP_NONE;
static volatile sig_atomic_t stop_sig;
static PGcancel *volatile watched[SLOTS];
static int64_t budget_ms;   /* timeout minus margin, 0 without timeout */
static int64_t cancel_at_ms; /* monotonic */
static int64_t timeout_ms_total;

static void on_stop(int sig)
{
	int saved = errno, i;

	if (sig != SIGALRM && stop_why == STOP_SIGNAL) {
		static const char msg[] = "dagd-sql: terminated\n";
		(void)!write(2, msg, sizeof(msg) - 1); /* on the way out */
		_exit(SQL_EXIT_FAIL);
	}
	if (sig == SIGALRM) {
		if (stop_why == STOP_NONE)
			stop_why = STOP_TIMEOUT;
	} else {
		stop_why = STOP_SIGNAL;
		stop_sig = sig;
	}
	for (i = 0; i < SLOTS; i++) {
		PGcancel *c = watched[i];
		char errbuf[256];
		if (c)
			(void)PQcancel(c, errbuf, sizeof(errbuf)); /* best effort */
	}
	errno = saved;
}

void sql_cancel_init(int64_t timeout_ms)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGTERM, &sa, NULL); /* cannot fail with valid signals */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	timeout_ms_total = timeout_ms;
	if (timeout_ms <= 0)
		return;
	int64_t margin = timeout_ms / 10;
	if (margin < MARGIN_MIN_MS)
		margin = MARGIN_MIN_MS;
	if (margin > MARGIN_MAX_MS)
		margin = MARGIN_MAX_MS;
	budget_ms = timeout_ms - margin;
	if (budget_ms < 1)
		budget_ms = 1;
	cancel_at_ms = sql_mono_ms() + budget_ms;
	struct itimerval it;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)(budget_ms / 1000);
	it.it_value.tv_usec = (suseconds_t)(budget_ms % 1000) * 1000;
	/* cancel again and again: a cancel that reaches an idle backend (between
	 * two statements) is lost, the next one is not */
	it.it_interval.tv_usec = RECANCEL_MS * 1000;
	(void)setitimer(ITIMER_REAL, &it, NULL); /* valid values cannot fail */
}

int64_t sql_cancel_budget_ms(void)
{
	return budget_ms;
}

int64_t sql_cancel_left_ms(void)
{
	int64_t left;

	if (!budget_ms)
		return INT64_MAX;
	left = cancel_at_ms - sql_mono_ms();
	return left > 0 ? left : 0;
}

void sql_cancel_watch(int slot, PGconn *c)
{
	sigset_t all, old;
	PGcancel *prev, *next = c ? PQgetCancel(c) : NULL;

	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old); /* valid arguments */
	prev = watched[slot];
	watched[slot] = next;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (prev)
		PQfreeCancel(prev);
	/* a stop that came while nothing was watched still cancels this one */
	if (next && stop_why != STOP_NONE) {
		char errbuf[256];
		(void)PQcancel(next, errbuf, sizeof(errbuf)); /* best effort */
	}
}

bool sql_stopping(void)
{
	return stop_why != STOP_NONE;
}

bool sql_timed_out(void)
{
	return stop_why == STOP_TIMEOUT;
}

const char *sql_stop_reason(void)
{
	static char buf[128];

	if (stop_why == STOP_TIMEOUT)
		(void)snprintf(buf, sizeof(buf), "task timeout (%lld ms): cancelled after %lld ms",
			       (long long)timeout_ms_total, (long long)budget_ms);
	else if (stop_why == STOP_SIGNAL)
		(void)snprintf(buf, sizeof(buf), "terminated by signal %d (%s)", (int)stop_sig,
			       strsignal((int)stop_sig));
	else
		return "not stopped";
	return buf;
}

void sql_sleep_ms(int64_t ms)
{
	int64_t end = sql_mono_ms() + ms;

	while (!sql_stopping()) {
		int64_t left = end - sql_mono_ms();
		struct timespec ts;
		if (left <= 0)
			break;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000L;
		(void)nanosleep(&ts, NULL); /* EINTR: the loop looks again */
	}
}
