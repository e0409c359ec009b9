/*
 * proc_info.c - /proc readers and pidfd_open for adopting workers after a
 * daemon restart (see proc_info.h).
 */
#include "proc_info.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int64_t proc_start_time(int pid)
{
	char path[64], buf[1024], *p;
	int fd, field;
	ssize_t n;
	long long v;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (field = 3; field < 22 && p; field++) { /* p: the space before field 3 */
		p = strchr(p + 1, ' ');
	}
	if (!p || sscanf(p, " %lld", &v) != 1)
		return 0;
	return v;
}

bool proc_same(int pid, int64_t start_time)
{
	int64_t st;

	if (pid <= 0)
		return false;
	st = proc_start_time(pid);
	return st != 0 && (start_time == 0 || st == start_time);
}

int proc_pidfd_open(int pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0)
		(void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return fd < 0 ? -1 : (int)fd;
}

int proc_find_arg(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d)) != NULL) {
		char path[64], *buf;
		size_t len;
		int64_t pid;
		if (parse_i64(de->d_name, 1, 1 << 30, &pid) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/cmdline", (long long)pid);
		if (read_file(path, 1 << 16, &buf, &len) != 0)
			continue;
		for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
			if (strcmp(buf + off, needle) == 0) {
				found = (int)pid;
				break;
			}
		}
		free(buf);
	}
	if (d)
		closedir(d);
	return found;
}
