// SPDX-License-Identifier: GPL-2.0
/*
 * tests/slow.c - a program to delay, for tests/test_delay.sh.  "good"
 * (its training, and the well-behaved run): 300 getpid(2); "bad": first
 * a getppid(2), which its training never made (the calls after it see
 * it in their window: anomalies, and an LFC over 0 for the next 128
 * calls), then the same getpids; "worse": the same with a getuid(2)
 * (another misbehaviour, for a test after the profile learned the
 * first).  Each prints how long its calls took, in microseconds: the
 * phase a delay slows down.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the vDSO: no call */
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "good";
	int i, n = 300;
	long long t0;

	t0 = now_us();
	if (!strcmp(how, "bad"))
		syscall(SYS_getppid);
	else if (!strcmp(how, "worse"))
		syscall(SYS_getuid);
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);	/* glibc's getpid() may not call */
	printf("%lld\n", now_us() - t0);
	return 0;
}
