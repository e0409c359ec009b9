/*
 * proc_info.h - what the engine needs to know about processes that are not
 * (or no longer) its children: start time from /proc for identity, a pidfd
 * to be told of their exit, and a search by command line for a worker
 * whose pid was never recorded. Linux only.
 */
#ifndef DAGD_PROC_INFO_H
#define DAGD_PROC_INFO_H

#include <stdbool.h>
#include <stdint.h>

/* Start time of pid (field 22 of /proc/PID/stat, clock ticks since boot); 0 if gone. */
int64_t proc_start_time(int pid);
/* true if pid runs and started at start_time (so it is the same process). */
bool proc_same(int pid, int64_t start_time);
/* A pidfd for pid (readable when it exits), or -1. */
int proc_pidfd_open(int pid);
/* The pid of a live process whose command line contains needle as one
 * argument, or 0. Reads /proc: for start-up recovery only. */
int proc_find_arg(const char *needle);

#endif
