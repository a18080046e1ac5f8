// SPDX-License-Identifier: GPL-2.0
/*
 * tests/threads.c - a thread storm for tests/test_stress.sh.
 *
 *   threads ROUNDS N      ROUNDS rounds: start N threads, join them all
 *   threads -a N          N threads alive at once: once all have
 *                         started, prints "N threads alive" and holds
 *                         them until its standard input ends
 *   threads -x N PROG     N times: fork a child that starts 3 threads,
 *                         one of which (not the leader) execs PROG
 *
 * Every thread makes one system call of its own before it returns, so
 * that ebph's sys_enter sees it, not only the fork and exit tracepoints.
 * The exec from a thread is the case where a task's TID changes: the
 * kernel gives the leader's PID to the thread that execs, and its old
 * TID must not stay behind in the tasks map.
 *
 * Prints one line: what ran, and how many threads per second.  Stacks
 * are 64 KiB, so that thousands of threads cost little memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define STACK_SIZE	(64 * 1024)

/* -a: "all started" and "release", each for the N threads and main. */
static pthread_barrier_t started, release;
static const char *prog;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *plain(void *arg)
{
	syscall(SYS_gettid);
	return NULL;
}

static void *wait_all(void *arg)
{
	syscall(SYS_gettid);
	pthread_barrier_wait(&started);
	pthread_barrier_wait(&release);
	return NULL;
}

static void *exec_prog(void *arg)
{
	execl(prog, prog, (char *)NULL);
	_exit(127);	/* the parent sees it */
}

static void *sleeper(void *arg)
{
	pause();	/* until the exec kills it */
	return NULL;
}

/* Until standard input ends (the test has counted the tasks map). */
static void hold(long n, double t0)
{
	char buf[256];

	printf("%ld threads alive after %.2f s\n", n, now_s() - t0);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
}

/* Start N threads running FN, then join them; exits if one cannot start
 * (threads at the barrier would wait for ever).  ALIVE: hold them all
 * alive at once first (wait_all). */
static void run_threads(pthread_t *t, long n, void *(*fn)(void *), int alive)
{
	double t0 = now_s();

	pthread_attr_t attr;
	long i;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (i = 0; i < n; i++) {
		err = pthread_create(&t[i], &attr, fn, NULL);
		if (err) {
			fprintf(stderr, "threads: thread %ld of %ld: %s\n", i + 1, n,
				strerror(err));
			exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	if (alive) {
		pthread_barrier_wait(&started);
		hold(n, t0);
		pthread_barrier_wait(&release);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* The child of -x: two threads that wait, one that execs PROG. */
static void exec_child(void)
{
	pthread_t t[3];
	int i;

	for (i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, i == 2 ? exec_prog : sleeper, NULL))
			_exit(126);
	pause();	/* the exec replaces us all */
	_exit(125);
}

static int exec_storm(long n)
{
	int status;
	long i;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "threads: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0)
			exec_child();
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "threads: %s from a thread: child status %#x\n",
				prog, status);
			return 1;
		}
	}
	return 0;
}

static long parse_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > 1000000) {
		fprintf(stderr, "threads: '%s': not a count from 1 to 1000000\n", s);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	long rounds = 1, n, r;
	int alive = 0, err;
	pthread_t *t;
	double secs;

	if (argc == 4 && !strcmp(argv[1], "-x")) {
		n = parse_count(argv[2]);
		prog = argv[3];
		secs = now_s();
		if (exec_storm(n))
			return 1;
		printf("%ld execs from a thread (%ld threads) in %.2f s\n", n, 4 * n,
		       now_s() - secs);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-a")) {
		alive = 1;
		n = parse_count(argv[2]);
	} else if (argc == 3) {
		rounds = parse_count(argv[1]);
		n = parse_count(argv[2]);
	} else {
		fprintf(stderr, "usage: threads ROUNDS N | threads -a N | threads -x N PROG\n");
		return 2;
	}
	t = calloc(n, sizeof(*t));
	if (!t) {
		fprintf(stderr, "threads: out of memory\n");
		return 1;
	}
	/* The N threads and main. */
	if (alive && ((err = pthread_barrier_init(&started, NULL, n + 1)) ||
		      (err = pthread_barrier_init(&release, NULL, n + 1)))) {
		fprintf(stderr, "threads: pthread_barrier_init: %s\n", strerror(err));
		return 1;
	}
	secs = now_s();
	for (r = 0; r < rounds; r++)
		run_threads(t, n, alive ? wait_all : plain, alive);
	secs = now_s() - secs;
	if (!alive)
		printf("%ld threads (%ld rounds of %ld) in %.2f s: %.0f threads/s\n",
		       rounds * n, rounds, n, secs, rounds * n / secs);
	free(t);
	return 0;
}
