// SPDX-License-Identifier: GPL-2.0
/*
 * tests/demo.c - the demo program from the ebpH proposal (listing 3.3).
 * Its normal behaviour is to print one line; given an argument (think of
 * a backdoor's secret word) it prints one more first, a second write that
 * its normal profile has never seen.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	/* Line-buffered even into a pipe, as in the terminal the proposal
	 * ran it in: each printf is then its own write(2). */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 1)
		printf("Oops!\n");
	printf("Hello world!\n");
	return 0;
}
