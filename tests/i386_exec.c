// SPDX-License-Identifier: GPL-2.0
/*
 * tests/i386_exec.c - a 64-bit program that ends in an execve of
 * /bin/true, for tests/test_i386.sh.
 *
 * Run plain, it makes the same calls every time: a few getppid, a
 * munmap that fails (x86_64 call 11), then execve (59).  Run with the
 * argument "i386", it makes the same calls up to the munmap and then
 * execs through int $0x80 instead: i386 call 11, which is execve there.
 * Recorded under its x86_64 number, that exec would look like the
 * munmap the profile knows; recorded as the i386 call it is, it is an
 * anomaly.  Static and not position-independent, so that the path and
 * argv it passes live below 4 GiB, as 32-bit pointers must.
 */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static char path[] = "/bin/true";
static unsigned int argv32[2];	/* an i386 argv: 32-bit pointers */

static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "r8", "r9", "r10", "r11", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	int i386 = argc > 1 && !strcmp(argv[1], "i386");
	char *args[] = { path, NULL };
	int i;

	for (i = 0; i < 4; i++)
		syscall(SYS_getppid);
	if (i386) {
		argv32[0] = (unsigned int)(unsigned long)path;
		int80(11, (long)(unsigned long)path, (long)(unsigned long)argv32, 0);
	} else {
		syscall(SYS_munmap, 0, 0);
		syscall(SYS_execve, path, args, NULL);
	}
	return 1;	/* the exec failed */
}
