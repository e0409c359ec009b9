/*
 * keeper.h - the protocol between the daemon and the keeper, shared by
 * daemon/ and jobs/. The keeper (`dagd-job keeper`, fd 3 a SOCK_SEQPACKET
 * socket to the daemon) is a long-lived child-subreaper that starts each
 * task try directly (one exec per try instead of two), reaps it, writes
 * its result record and tells the daemon. It outlives a crashed daemon
 * and finishes the records of the tries it runs, so nothing is lost.
 *
 * Messages, one per packet:
 *   daemon -> keeper: a start request (keeper_req_encode), the try's log
 *                     fd attached with SCM_RIGHTS
 *   keeper -> daemon: "S <id> <pid>"  started
 *                     "X <id>"        finished; its record is on disk
 */
#ifndef DAGD_KEEPER_H
#define DAGD_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest request packet (argv + env + paths). */
#define KEEPER_REQ_MAX (192u * 1024u)

struct keeper_req {
	uint64_t id;        /* the daemon's handle for the try */
	const char *result; /* path of the result record */
	const char *log;    /* path of the log (read for ::set-output lines) */
	const char *output; /* $DAGD_OUTPUT path, "" for none */
	int skip_code;
	bool fsync;
	const char *cwd;
	char **argv;        /* NULL-terminated */
	char **envp;        /* NULL-terminated */
};

/*
 * Encode r into buf (at most len bytes). Returns the length, or 0 when it
 * does not fit.
 */
size_t keeper_req_encode(const struct keeper_req *r, char *buf, size_t len);
/*
 * Decode a request in place: strings point into buf, argv and envp are
 * new arrays (free them). 0, or -1 for a malformed packet.
 */
int keeper_req_decode(char *buf, size_t len, struct keeper_req *r);

#endif
