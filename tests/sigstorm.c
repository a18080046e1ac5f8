// SPDX-License-Identifier: GPL-2.0
/*
 * tests/sigstorm.c - a fixed loop of system calls under a storm of
 * signals, for tests/test_frames.sh.
 *
 *   sigstorm ITERATIONS INTERVAL_US [jump]
 *
 * ITERATIONS times the same 16 calls, while an interval timer sends
 * SIGALRM every INTERVAL_US microseconds (0: never), at whatever point
 * of the loop it finds; then, the timer stopped, one SIGALRM it sends
 * itself, always at the same point.  The handler makes calls of its own
 * (getpid, a write to /dev/null) and returns, through rt_sigreturn; with
 * "jump" it leaves the timer's signals by siglongjmp() instead, as a
 * timeout handler may, so that their frames are never popped.  Prints
 * how many signals it handled.
 *
 * Every call is made through syscall(2): the same calls on every run,
 * whatever the C library caches or chooses.  None of them blocks, so no
 * call is interrupted and restarted: the loop's calls are the same
 * whether or not a signal came.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>

static int devnull = -1;
static volatile sig_atomic_t handled, done;
static int jump;
static sigjmp_buf again;

static void on_alarm(int sig)
{
	int saved = errno;

	syscall(SYS_getpid);
	syscall(SYS_write, devnull, "x", 1);
	handled++;
	errno = saved;
	if (jump && !done)
		siglongjmp(again, 1);
}

/* The loop's body: 16 calls, always in this order. */
static void calls(void)
{
	struct rusage ru;
	struct utsname u;
	struct stat st;
	char cwd[256];

	syscall(SYS_getuid);
	syscall(SYS_getgid);
	syscall(SYS_geteuid);
	syscall(SYS_getegid);
	syscall(SYS_getppid);
	syscall(SYS_getpgrp);
	syscall(SYS_getsid, 0);
	syscall(SYS_gettid);
	syscall(SYS_lseek, devnull, 0, SEEK_SET);
	syscall(SYS_fcntl, devnull, F_GETFL);
	syscall(SYS_fstat, devnull, &st);
	syscall(SYS_getcwd, cwd, sizeof(cwd));
	syscall(SYS_uname, &u);
	syscall(SYS_times, NULL);
	syscall(SYS_getrusage, RUSAGE_SELF, &ru);
	syscall(SYS_getpriority, PRIO_PROCESS, 0);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	volatile long i = 0;
	long n, pid = syscall(SYS_getpid), tid = syscall(SYS_gettid);

	if (argc < 3) {
		fprintf(stderr, "usage: sigstorm ITERATIONS INTERVAL_US [jump]\n");
		return 2;
	}
	n = atol(argv[1]);
	it.it_interval.tv_usec = it.it_value.tv_usec = atol(argv[2]) % 1000000;
	it.it_interval.tv_sec = it.it_value.tv_sec = atol(argv[2]) / 1000000;
	jump = argc > 3 && !strcmp(argv[3], "jump");
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || sigaction(SIGALRM, &sa, NULL)) {
		perror("sigstorm");
		return 1;
	}
	/* After a jump out of the handler: the loop goes on where the
	 * signal found it, from the start of an iteration.  The timer is
	 * armed only once the jump buffer, signal mask and all, is saved: a
	 * first signal inside sigsetjmp() would jump back with SIGALRM left
	 * blocked, and no other signal would come. */
	if (sigsetjmp(again, 1) == 0 && setitimer(ITIMER_REAL, &it, NULL)) {
		perror("sigstorm");
		return 1;
	}
	for (; i < n; i++)
		calls();
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	done = 1;
	syscall(SYS_tgkill, pid, tid, SIGALRM);
	printf("%d signals\n", (int)handled);
	return 0;
}
