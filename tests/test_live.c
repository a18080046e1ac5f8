// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_live.c - a real `ebph run`, attached to this kernel, checked
 * through the maps it pins under /sys/fs/bpf/ebph (needs root).
 *
 * Each task must be associated with the profile whose key is stat(2)'s
 * (st_dev << 32) + st_ino of the executable it runs: after exec, in a
 * forked child, in a thread, and for this very process, which was
 * running before ebph started and must be picked up at its next call.
 * Also the refusals a user meets: not root, a missing object, a bad
 * option (a duration, a detector), a second instance.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf_sys.h"
#include "ebph.h"
#include "test.h"

static __u64 key_of(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return 0;
	return ebph_profile_key(st.st_dev, st.st_ino);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}


static int file_has(const char *file, const char *needle)
{
	char buf[65536];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

/* Show the end of ebph's output when something failed. */
static void dump_file(const char *file)
{
	char buf[8192];
	ssize_t n;
	int fd = open(file, O_RDONLY);
	off_t size;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : 0, SEEK_SET);
	printf("---- ebph output (end) ----\n");
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) < 0)
			break;
	close(fd);
}

/* Exit status of a child, or -1 if it has not exited within MS. */
static int wait_exit(pid_t pid, int ms)
{
	int status;

	for (; ms > 0; ms -= 20) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(20);
	}
	return -1;
}

/* Poll tasks[tid] for up to 2 s until its profile is WANT. */
static int task_wait(int fd, __u32 tid, __u64 want, struct ebph_task *t)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!bpf_map_lookup(fd, &tid, t) && t->profile == want)
			return 0;
		sleep_ms(20);
	}
	return bpf_map_lookup(fd, &tid, t) ? -ENOENT : -EINVAL;
}

static volatile int thread_tid;
static volatile int thread_stop;

static void *thread_main(void *arg)
{
	thread_tid = syscall(SYS_gettid);
	while (!thread_stop)
		sleep_ms(10);	/* keeps making calls */
	return NULL;
}

static void test_refusals(const char *log)
{
	char *bad_obj[] = { "./ebph", "run", "--no-load", "--no-save", "-o",
			    "/nonexistent/ebph_kern.o", NULL };
	char *bad_opt[] = { "./ebph", "--normal-wait", "3 weeks", NULL };
	/* "none" is a name ebph prints, not a detector it runs. */
	char *bad_det[] = { "./ebph", "run", "--detector", "none", NULL };
	char *run[] = { "./ebph", "run", "--no-load", "--no-save", NULL };
	pid_t pid;
	int rc;

	TEST("refusals");
	pid = test_spawn(run, log, 65534);
	rc = wait_exit(pid, 5000);
	CHECK(rc != 1, "not root: exit %d, want 1", rc);
	CHECK(!file_has(log, "must run as root"), "not root: no clear sentence");

	pid = test_spawn(bad_obj, log, 0);
	rc = wait_exit(pid, 5000);
	CHECK(rc != 1, "missing object: exit %d, want 1", rc);
	CHECK(!file_has(log, "/nonexistent/ebph_kern.o: cannot open"),
	      "missing object: the message does not name the file");
	CHECK(access(EBPH_PIN_DIR, F_OK) == 0, "missing object: pins left behind");

	pid = test_spawn(bad_opt, log, 0);
	rc = wait_exit(pid, 5000);
	CHECK(rc != 2, "bad --normal-wait: exit %d, want 2", rc);
	CHECK(!file_has(log, "invalid --normal-wait '3 weeks'"),
	      "bad --normal-wait: no clear sentence");

	pid = test_spawn(bad_det, log, 0);
	rc = wait_exit(pid, 5000);
	CHECK(rc != 2, "bad --detector: exit %d, want 2", rc);
	CHECK(!file_has(log, "invalid --detector 'none' (pairs, seqs, seqs7 or both)"),
	      "bad --detector: no clear sentence");
}

int main(void)
{
	char *argv[] = { "./ebph", "run", "--no-load", "--no-save", NULL };
	char log[] = "/tmp/ebph-live.XXXXXX", log2[64];
	__u64 self_key = key_of("/proc/self/exe");
	__u64 sleep_key = key_of("/bin/sleep");
	struct ebph_task t;
	struct ebph_path path;
	pthread_t th;
	pid_t ebph, child;
	int fd_tasks = -1, fd_paths = -1, fd_profiles = -1, i, rc, lfd;
	__u32 tid;

	lfd = mkstemp(log);
	if (lfd >= 0)
		close(lfd);
	snprintf(log2, sizeof(log2), "%s.2", log);
	test_refusals(log);

	TEST("start");
	ebph = test_spawn(argv, log, 0);
	for (i = 0; i < 200 && !file_has(log, "ebph attached"); i++)
		sleep_ms(50);
	if (CHECK(!file_has(log, "ebph attached"), "ebph did not attach in 10 s")) {
		kill(ebph, SIGKILL);
		goto out;
	}
	fd_tasks = bpf_pin_open(EBPH_PIN_DIR "/tasks");
	fd_paths = bpf_pin_open(EBPH_PIN_DIR "/paths");
	fd_profiles = bpf_pin_open(EBPH_PIN_DIR "/profiles");
	if (CHECK(fd_tasks < 0 || fd_paths < 0 || fd_profiles < 0,
		  "pinned maps missing: %d %d %d", fd_tasks, fd_paths, fd_profiles))
		goto stop;

	TEST("second instance");
	child = test_spawn(argv, log2, 0);
	rc = wait_exit(child, 5000);
	CHECK(rc != 1, "second instance: exit %d, want 1", rc);
	CHECK(!file_has(log2, "already running"), "second instance: no clear sentence");

	TEST("pick-up");
	/* This process ran before ebph: picked up at its next call. */
	tid = syscall(SYS_gettid);
	rc = task_wait(fd_tasks, tid, self_key, &t);
	CHECK(rc, "this task: profile %llx, want %llx (%d)",
	      (unsigned long long)t.profile, (unsigned long long)self_key, rc);
	CHECK(t.pid != (__u32)getpid() || t.tid != tid, "this task: pid %u tid %u, want %d %u",
	      t.pid, t.tid, getpid(), tid);

	TEST("exec");
	child = fork();
	if (child == 0) {
		execl("/bin/sleep", "sleep", "2", NULL);
		_exit(127);
	}
	rc = task_wait(fd_tasks, child, sleep_key, &t);
	CHECK(rc, "exec: child's profile %llx, want stat(/bin/sleep) %llx (%d)",
	      (unsigned long long)t.profile, (unsigned long long)sleep_key, rc);
	CHECK(t.pid != (__u32)child, "exec: pid %u, want %d", t.pid, child);
	/* The name is resolved to the executable's absolute path. */
	for (i = 0; i < 100; i++) {
		if (!bpf_map_lookup(fd_paths, &sleep_key, &path) && path.path[0] == '/')
			break;
		sleep_ms(20);
	}
	CHECK(strcmp(path.path, "/usr/bin/sleep") && strcmp(path.path, "/bin/sleep"),
	      "exec: profile path '%s', want /usr/bin/sleep", path.path);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	TEST("exit");
	for (i = 0; i < 100 && !bpf_map_lookup(fd_tasks, &(__u32){ child }, &t); i++)
		sleep_ms(20);
	CHECK(!bpf_map_lookup(fd_tasks, &(__u32){ child }, &t),
	      "exit: task %d still in the tasks map", child);

	TEST("fork");
	child = fork();
	if (child == 0) {
		for (i = 0; i < 200; i++)
			sleep_ms(10);
		_exit(0);
	}
	rc = task_wait(fd_tasks, child, self_key, &t);
	CHECK(rc, "fork: child's profile %llx, want the parent's %llx (%d)",
	      (unsigned long long)t.profile, (unsigned long long)self_key, rc);
	for (i = 0; i < 100 && t.pid != (__u32)child; i++) {
		sleep_ms(20);
		bpf_map_lookup(fd_tasks, &(__u32){ child }, &t);
	}
	CHECK(t.pid != (__u32)child || t.tid != (__u32)child,
	      "fork: pid %u tid %u, want %d", t.pid, t.tid, child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	TEST("thread");
	thread_stop = 0;
	if (!CHECK(pthread_create(&th, NULL, thread_main, NULL), "pthread_create")) {
		while (!thread_tid)
			sleep_ms(1);
		rc = task_wait(fd_tasks, thread_tid, self_key, &t);
		CHECK(rc, "thread: profile %llx, want %llx (%d)",
		      (unsigned long long)t.profile, (unsigned long long)self_key, rc);
		for (i = 0; i < 100 && t.pid != (__u32)getpid(); i++) {
			sleep_ms(20);
			bpf_map_lookup(fd_tasks, &(__u32){ thread_tid }, &t);
		}
		CHECK(t.pid != (__u32)getpid() || t.tid != (__u32)thread_tid,
		      "thread: pid %u tid %u, want %d %d", t.pid, t.tid, getpid(), thread_tid);
		thread_stop = 1;
		pthread_join(th, NULL);
	}

stop:
	TEST("stop");
	kill(ebph, SIGINT);
	rc = wait_exit(ebph, 10000);
	CHECK(rc != 0, "ebph exit status %d on SIGINT, want 0", rc);
	CHECK(access(EBPH_PIN_DIR, F_OK) == 0, "pins left in %s after exit", EBPH_PIN_DIR);
out:
	if (test_failed)
		dump_file(log);
	if (fd_tasks >= 0)
		close(fd_tasks);
	if (fd_paths >= 0)
		close(fd_paths);
	if (fd_profiles >= 0)
		close(fd_profiles);
	unlink(log);
	unlink(log2);
	return test_summary();
}
