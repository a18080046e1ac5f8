// SPDX-License-Identifier: GPL-2.0
/*
 * tests/killsave.c - SIGKILL a running `ebph run` in the middle of a
 * save, for tests/test_crash.sh.
 *
 *   killsave PID MAX_US   SIGUSR1 (what `ebph save` sends), then SIGKILL
 *                         after a random delay of 0 to MAX_US - 1
 *                         microseconds; prints the delay
 *   killsave -t PID       SIGUSR1, then wait until /run/ebph/state counts
 *                         one more save; prints how long it took, in
 *                         microseconds (what MAX_US should cover)
 *
 * A shell cannot do this: sleep(1) costs a fork and an exec, about a
 * millisecond, before it even starts to wait, and dash has no $RANDOM.
 * The delay is an absolute deadline on CLOCK_MONOTONIC taken just before
 * the first signal, so that nothing in between adds to it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "ebph_state.h"

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int parse_num(const char *s, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end || *out < 1 || *out > max ? -EINVAL : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: killsave PID MAX_US | killsave -t PID\n");
	return 2;
}

/* SIGUSR1, then wait up to 30 s (as `ebph save` does) for the save. */
static int timed_save(pid_t pid)
{
	struct ebph_runstate before, now;
	long long t0;
	int err;

	err = ebph_state_read(&before);
	if (err) {
		fprintf(stderr, "killsave: cannot read %s/state: %s\n", EBPH_RUN_DIR,
			strerror(-err));
		return 1;
	}
	t0 = now_us();
	if (kill(pid, SIGUSR1)) {
		fprintf(stderr, "killsave: cannot signal PID %d: %s\n", pid, strerror(errno));
		return 1;
	}
	/* A small tmpfs file, read every 100 us: precise enough, and the
	 * CPU stays with the save being timed. */
	while (now_us() - t0 < 30000000) {
		struct timespec ts = { 0, 100000 };

		if (!ebph_state_read(&now) && now.saves > before.saves) {
			printf("%lld\n", now_us() - t0);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "killsave: PID %d did not save within 30 s\n", pid);
	return 1;
}

int main(int argc, char **argv)
{
	long long pid, max_us, t;
	struct timespec deadline;
	unsigned int r;

	if (argc == 3 && !strcmp(argv[1], "-t"))
		return parse_num(argv[2], 1 << 22, &pid) ? usage() : timed_save(pid);
	if (argc != 3 || parse_num(argv[1], 1 << 22, &pid) ||
	    parse_num(argv[2], 60000000, &max_us))
		return usage();
	if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
		fprintf(stderr, "killsave: getrandom: %s\n", strerror(errno));
		return 1;
	}
	t = now_us() + r % max_us;
	deadline.tv_sec = t / 1000000;
	deadline.tv_nsec = t % 1000000 * 1000;
	if (kill(pid, SIGUSR1)) {
		fprintf(stderr, "killsave: cannot signal PID %lld: %s\n", pid, strerror(errno));
		return 1;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
		;
	if (kill(pid, SIGKILL)) {
		fprintf(stderr, "killsave: cannot kill PID %lld: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("%u\n", r % (unsigned int)max_us);
	return 0;
}
