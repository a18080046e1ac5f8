// SPDX-License-Identifier: GPL-2.0
/*
 * tests/replay_prog.c - a program whose system calls are the same on
 * every run, for tests/test_replay.c: built static, without libc (no
 * dynamic loader, no libc start-up whose calls could vary), x86_64 only.
 *
 * Without an argument it makes a fixed pattern of harmless calls.  With
 * one it breaks the pattern in its middle with calls the pattern never
 * makes: "x", long enough to be anomalous past the anomaly limit (30)
 * and the tolerize limit (LFC 12) of a profile that learned the plain
 * runs; "y", other calls, past the tolerize limit only, so that the
 * profile stays normal and tests the pattern it relearns after the
 * reset (for the sequence detector, what struct ebph_seq's prev is for).
 */
#include <asm/unistd.h>

static long sys0(long nr)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

static void __attribute__((noreturn)) sys_exit_group(long code)
{
	__asm__ volatile ("syscall" : : "a"(__NR_exit_group), "D"(code) : "rcx", "r11", "memory");
	__builtin_unreachable();
}

static void pattern(int n)
{
	while (n-- > 0) {
		sys0(__NR_getpid);
		sys0(__NR_getuid);
		sys0(__NR_getgid);
	}
}

/*
 * N calls drawn from seven the pattern never makes, in an order fixed by
 * a linear congruential generator: new pairs keep coming, so the profile
 * does not settle (and become normal again) before the anomaly limit.
 */
static void odd(int n)
{
	static const long calls[] = {
		__NR_getppid, __NR_geteuid, __NR_getegid, __NR_getpgrp,
		__NR_gettid, __NR_sched_yield, __NR_munlockall,
	};
	unsigned int x = 12345;

	while (n-- > 0) {
		x = x * 1103515245 + 12345;
		sys0(calls[(x >> 16) % 7]);
	}
}

/* The same with four calls neither the pattern nor odd() makes; each
 * only reads (whatever the registers hold as arguments). */
static void odd2(int n)
{
	static const long calls[] = {
		__NR_getsid, __NR_getpgid, __NR_sched_getscheduler,
		__NR_getpriority,
	};
	unsigned int x = 4321;

	while (n-- > 0) {
		x = x * 1103515245 + 12345;
		sys0(calls[(x >> 16) % 4]);
	}
}

/* The kernel starts us with the stack pointer at argc. */
void __attribute__((noreturn, used)) start_c(long *sp)
{
	long argc = sp[0];
	const char *arg = argc > 1 ? (const char *)sp[2] : "";

	pattern(20);
	if (arg[0] == 'y')
		odd2(16);
	else if (arg[0])
		odd(60);
	pattern(30);
	sys_exit_group(0);
}

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_c\n"
	"	hlt\n");
