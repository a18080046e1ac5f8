// SPDX-License-Identifier: GPL-2.0
/*
 * tests/execve_try.c - a program that runs `sh -c true`, for
 * tests/test_enforce.sh, and says whether the exec was refused.
 *
 *   execve_try              its training: getpid(2)s, then the exec
 *   execve_try bad          first calls its training never made (a few
 *                           anomalies each, as the calls after them see
 *                           them in their window), then the exec
 *   execve_try bad FIFO     the same, and if the exec fails, a read of
 *                           FIFO (the test's go-ahead), then the exec
 *                           once more
 *
 * A failed exec prints "execve: refused: ERROR" and, if it was the last
 * try, exits 126; a successful one is sh's exit status, 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static char *const sh_argv[] = { "sh", "-c", "true", NULL };

static void try_exec(void)
{
	extern char **environ;

	syscall(SYS_execve, "/bin/sh", sh_argv, environ);
	printf("execve: refused: %s\n", strerror(errno));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int i, fd;
	char c;

	for (i = 0; i < 400; i++)
		syscall(SYS_getpid);	/* glibc's getpid() may not call */
	if (argc > 1) {
		/* Calls the training never made, each its own anomaly and
		 * a few more for the calls after it. */
		syscall(SYS_getppid);
		syscall(SYS_getuid);
		syscall(SYS_getgid);
	}
	try_exec();
	if (argc > 2) {
		fd = open(argv[2], O_RDONLY);
		if (fd >= 0 && read(fd, &c, 1) >= 0)
			try_exec();
	}
	return 126;
}
