/*
 * spawn_ref.c - the reference for `make bench`: runs `true` N times with
 * posix_spawn, keeping J children in flight, and prints the tasks per
 * second. What a scheduler's fanout is compared with.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
	long j = argc > 2 ? strtol(argv[2], NULL, 10) : 2;
	char *args[] = {"true", NULL};
	struct timespec a, b;
	long started = 0, done = 0, running = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	while (done < n) {
		while (running < j && started < n) {
			pid_t pid;
			if (posix_spawnp(&pid, "true", NULL, NULL, args, environ) != 0) {
				perror("posix_spawnp");
				return 1;
			}
			started++;
			running++;
		}
		if (wait(NULL) > 0) {
			running--;
			done++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", (double)n / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9));
	return 0;
}
