// SPDX-License-Identifier: GPL-2.0
/*
 * tests/export_prog.c - a program to export the profile of, for
 * tests/test_export.sh.  Without an argument (its training): reads its
 * own executable's first bytes, writes one line, exits.  With "extra":
 * first one call its training never made, getpriority(2), whose result
 * it prints (under the exported seccomp allow-list: EPERM), then the
 * same as without.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	char buf[16];
	long r;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "extra")) {
		/* syscall(), not getpriority(): the call itself, whatever
		 * glibc does about it. */
		errno = 0;
		r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
		printf("getpriority: %s\n", r < 0 ? strerror(errno) : "allowed");
		fflush(stdout);
	}
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0 || read(fd, buf, 4) != 4 || memcmp(buf, "\177ELF", 4)) {
		perror("export_prog: /proc/self/exe");
		return 1;
	}
	close(fd);
	printf("export_prog: works\n");
	return 0;
}
