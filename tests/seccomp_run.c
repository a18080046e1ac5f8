// SPDX-License-Identifier: GPL-2.0
/*
 * tests/seccomp_run.c - run a program under an OCI seccomp allow-list, as
 * a container runtime would, for tests/test_export.sh:
 *
 *   seccomp_run FILE.json PROGRAM [ARG...]
 *
 * reads FILE.json (what `ebph export --seccomp` writes: defaultAction
 * SCMP_ACT_ERRNO, architectures, one syscalls entry of names allowed),
 * builds a classic BPF filter from it (the architecture checked first:
 * any other, or an x32 call, is killed; each name allowed by its x86_64
 * number; anything else fails with EPERM), installs it with
 * PR_SET_NO_NEW_PRIVS and SECCOMP_SET_MODE_FILTER, and execs PROGRAM,
 * which then runs with the filter, execve first.  Not a JSON parser:
 * just enough of one for that file, and refuses what it does not
 * understand (exit 2).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "syscall_names.h"

#define MAX_CALLS	255	/* a jump offset is 8 bits */
#define X32_BIT		0x40000000U

static int fail(const char *what)
{
	fprintf(stderr, "seccomp_run: %s\n", what);
	return 2;
}

/* The next JSON string at or after *P, into BUF; *P after it.  NULL
 * if the next token is not a string. */
static char *next_string(const char **p, char *buf, size_t len)
{
	const char *s = *p + strspn(*p, " \t\r\n,");
	size_t n;

	if (*s != '"')
		return NULL;
	n = strcspn(s + 1, "\"\\");
	if (s[1 + n] != '"' || n >= len)
		return NULL;
	memcpy(buf, s + 1, n);
	buf[n] = 0;
	*p = s + n + 2;
	return buf;
}

/* The value of KEY, a string, in TEXT: into BUF, or NULL. */
static char *string_of(const char *text, const char *key, char *buf, size_t len)
{
	const char *p = strstr(text, key);

	if (!p)
		return NULL;
	p += strlen(key);
	p += strspn(p, " \t\r\n");
	if (*p++ != ':')
		return NULL;
	return next_string(&p, buf, len);
}

int main(int argc, char **argv)
{
	static char text[1 << 20];
	struct sock_filter f[MAX_CALLS + 8];
	struct sock_fprog prog = { .filter = f };
	int nr[MAX_CALLS], n = 0, k = 0, i;
	char word[64];
	const char *p;
	size_t len;
	FILE *in;

	if (argc < 3)
		return fail("usage: seccomp_run FILE.json PROGRAM [ARG...]");
	in = fopen(argv[1], "r");
	if (!in)
		return fail(strerror(errno));
	len = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[len] = 0;

	if (!string_of(text, "\"defaultAction\"", word, sizeof(word)) ||
	    strcmp(word, "SCMP_ACT_ERRNO"))
		return fail("defaultAction is not SCMP_ACT_ERRNO");
	if (!string_of(text, "\"action\"", word, sizeof(word)) ||
	    strcmp(word, "SCMP_ACT_ALLOW"))
		return fail("the syscalls' action is not SCMP_ACT_ALLOW");
	p = strstr(text, "\"architectures\"");
	if (!p || !(p = strchr(p, '[')) || !strstr(p, "\"SCMP_ARCH_X86_64\""))
		return fail("SCMP_ARCH_X86_64 is not among the architectures");
	p = strstr(text, "\"names\"");
	if (!p || !(p = strchr(p, '[')))
		return fail("no names");
	p++;
	while (next_string(&p, word, sizeof(word))) {
		int sym = syscall_number(word);

		/* A name of i386 only is for the other architecture. */
		if (sym < 0)
			continue;
		if (n == MAX_CALLS)
			return fail("too many names");
		nr[n++] = sym;
	}
	p += strspn(p, " \t\r\n");
	if (*p != ']')
		return fail("the names are not a list of strings");

	/* The architecture, then the number: allowed, or EPERM. */
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (i = 0; i < n; i++) {
		/* Jump over the rest of the list to the ALLOW at the end. */
		f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr[i],
						    n - i, 0);
		k++;
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = k;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(strerror(errno));
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return fail(strerror(errno));
	execv(argv[2], argv + 2);
	/* execve not allowed: the list is wrong (EPERM), say so. */
	fprintf(stderr, "seccomp_run: exec %s: %s\n", argv[2], strerror(errno));
	return 126;
}
