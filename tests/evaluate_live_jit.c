// SPDX-License-Identifier: GPL-2.0
/*
 * tests/evaluate_live_jit.c - the binary of evaluate_live.sh's last
 * attack: an ordinary program (it sums the numbers in a file and prints
 * the total) that, given -x, also does what injected code does: it
 * writes machine code into an anonymous mapping, mprotects it
 * executable and jumps to it.  ebph is trained on the benign path (the
 * workload runs it on files of its own) before it sees -x.
 *
 * The code is x86-64 "mov eax, 42; ret", so the jump returns; elsewhere
 * -x stops after the mprotect, which is what ebph sees anyway.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static int jump(void)
{
	static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r = -1;

	if (page == MAP_FAILED)
		return -1;
	memcpy(page, code, sizeof(code));
	if (!mprotect(page, 4096, PROT_READ | PROT_EXEC)) {
#if defined(__x86_64__)
		r = ((int (*)(void))page)();
#else
		r = 42;
#endif
	}
	munmap(page, 4096);
	return r;
}

int main(int argc, char **argv)
{
	int inject = argc > 1 && !strcmp(argv[1], "-x");
	const char *file = argv[inject ? 2 : 1];
	long sum = 0, n;
	FILE *f;

	if (!file) {
		fprintf(stderr, "usage: evaluate_live_jit [-x] FILE\n");
		return 2;
	}
	f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 1;
	}
	while (fscanf(f, "%ld", &n) == 1)
		sum += n;
	fclose(f);
	if (inject)
		printf("jumped: %d\n", jump());
	printf("%ld\n", sum);
	return 0;
}
