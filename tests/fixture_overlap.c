// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_overlap.c - .text functions whose symbols overlap, which
 * clang never emits but a file can hold: F0 is instruction 8 alone, and
 * each F(k) spans F(k-1) and one instruction either side (F8 is all 17).
 * The program calls F0, whose call goes to F1, whose last call goes to
 * F2, and so on; every other instruction calls F0.  Scanning each
 * function whole pushed the calls of the functions inside it again, and
 * the loader's list of calls to follow overflowed (a heap overflow: ASan,
 * or glibc's malloc aborting).  The asm is the only way to write it.
 */
#include "bpf_helpers.h"

asm(
	".text\n"
	".type F0,@function\n\t.size F0, 8\n"
	".type F1,@function\n\t.size F1, 24\n"
	".type F2,@function\n\t.size F2, 40\n"
	".type F3,@function\n\t.size F3, 56\n"
	".type F4,@function\n\t.size F4, 72\n"
	".type F5,@function\n\t.size F5, 88\n"
	".type F6,@function\n\t.size F6, 104\n"
	".type F7,@function\n\t.size F7, 120\n"
	".type F8,@function\n\t.size F8, 136\n"
	"F8:\n\tcall F0\n"
	"F7:\n\tcall F0\n"
	"F6:\n\tcall F0\n"
	"F5:\n\tcall F0\n"
	"F4:\n\tcall F0\n"
	"F3:\n\tcall F0\n"
	"F2:\n\tcall F0\n"
	"F1:\n\tcall F0\n"
	"F0:\n\tcall F1\n"
	"\tcall F2\n"
	"\tcall F3\n"
	"\tcall F4\n"
	"\tcall F5\n"
	"\tcall F6\n"
	"\tcall F7\n"
	"\tcall F8\n"
	"\texit\n"
);

extern int F0(void);

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	return F0();
}

char _license[] SEC("license") = "GPL";
