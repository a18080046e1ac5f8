// SPDX-License-Identifier: GPL-2.0
/*
 * tests/memfd_exec.c - fileless execution, for tests/test_unnamed.sh:
 * copy FILE into a memfd and exec the memfd (fexecve, i.e. execveat
 * with AT_EMPTY_PATH), as in-memory malware does.  With -d, exec a
 * copy of FILE that was deleted first (through /proc/self/fd) instead.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	int deleted = argc > 2 && !strcmp(argv[1], "-d");
	const char *file = argv[argc - 1];
	char *args[] = { (char *)file, NULL }, *env[] = { NULL };
	char tmp[] = "/tmp/ebph-unnamed.XXXXXX";
	struct stat st;
	int in, out;

	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec [-d] FILE\n");
		return 2;
	}
	in = open(file, O_RDONLY);
	if (in < 0 || fstat(in, &st)) {
		perror(file);
		return 1;
	}
	out = deleted ? mkstemp(tmp) : memfd_create("ebph-test", MFD_CLOEXEC);
	if (out < 0 || sendfile(out, in, NULL, st.st_size) != st.st_size ||
	    fchmod(out, 0700)) {
		perror("copy");
		return 1;
	}
	if (deleted) {
		/* Not while it is open for writing: ETXTBSY. */
		char path[64];
		int ro;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", out);
		ro = open(path, O_RDONLY | O_CLOEXEC);
		close(out);
		unlink(tmp);
		out = ro;
	}
	fexecve(out, args, env);
	perror("fexecve");
	return 1;
}
