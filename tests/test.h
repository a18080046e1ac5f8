/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/test.h - the checks every test program uses, after the kernel's
 * test_progs: CHECK() prints one line per failed check with its reason,
 * counts passes and failures, and test_summary() ends the program with the
 * line "N passed, N failed" that tests/run adds up.
 */
#ifndef EBPH_TEST_H
#define EBPH_TEST_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

static int test_passed, test_failed;
static const char *test_name = "";

/* Name the test the following checks belong to. */
#define TEST(name) (test_name = (name))

/* CHECK(cond, fmt, ...): COND true means the check FAILED, as in
 * test_progs; the message says what was seen.  Evaluates to COND. */
#define CHECK(cond, fmt, ...) ({					\
	int __bad = !!(cond);						\
	if (__bad) {							\
		test_failed++;						\
		printf("FAIL %s: %s:%d: " fmt "\n", test_name,		\
		       __FILE__, __LINE__, ##__VA_ARGS__);		\
	} else {							\
		test_passed++;						\
	}								\
	__bad;								\
})

/* Expect A == B for integers, printing both on failure. */
#define CHECK_EQ(a, b, what) ({						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	CHECK(__a != __b, "%s: got %lld, want %lld", what, __a, __b);	\
})

/* Tests find their fixtures by relative path: run from the top of the
 * tree, wherever the binary was started from. */
static inline void test_chdir_top(void)
{
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 4);

	if (n <= 0)
		return;
	self[n] = 0;
	if ((slash = strrchr(self, '/'))) {
		strcpy(slash, "/..");
		if (chdir(self))
			perror(self);
	}
}

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}

/* Run ARGV[0] with ARGV, as UID when not 0, its stdout and stderr into
 * the file OUT: the child's pid, or -1.  Exit 127: OUT or the exec
 * failed; 126: the uid could not be taken. */
static inline pid_t test_spawn(char *const argv[], const char *out, uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#endif /* EBPH_TEST_H */
