// SPDX-License-Identifier: GPL-2.0
/*
 * tests/lfc.c - a program whose anomalies can end before it does, for
 * tests/test_incident.sh.  Without an argument (its training): many
 * getpid(2), a 1 ms sleep, exit.  With "calm": first a getppid(2), which
 * its training never made (a few anomalous calls, as the calls after it
 * see it in their window), then the getpids, enough for its LFC to fall
 * back to 0, then a 3 s sleep: its incident is over while it sleeps.
 * With "stay": the getppid, then the sleep at once, its LFC still up.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct timespec nap = { 0, 1000000 };
	int i, n = 400;

	if (argc > 1) {
		syscall(SYS_getppid);
		nap.tv_sec = 3;
		nap.tv_nsec = 0;
		if (!strcmp(argv[1], "stay"))
			n = 0;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);	/* glibc's getpid() may not call */
	nanosleep(&nap, NULL);
	return 0;
}
