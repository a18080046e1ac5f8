// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_seccomp.c - a profile's calls as a seccomp allow-list (the
 * formats: ebph_seccomp.h).  What a program made while ebph learned it
 * is what it needs: anything else it tries fails with EPERM instead.
 * Only as good as the training: a path the program did not take then
 * (an error branch, a signal) may need a call that is not in the list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebph_seccomp.h"
#include "syscall_names.h"

/* execve: x86_64 59 */
#define NR_EXECVE	59

static void add(struct seccomp_calls *c, unsigned int sym)
{
	if (ebph_is_call(sym))
		c->used[sym] = 1;
}

void seccomp_calls(const struct ebph_profile_rec *rec, struct seccomp_calls *c)
{
	unsigned int sym, p, abi;
	size_t i;
	int set, slot;

	memset(c, 0, sizeof(*c));
	add(c, NR_EXECVE);
	for (set = 0; set < 2; set++) {
		for (sym = 0; sym < EBPH_NUM_CALLS; sym++) {
			const uint8_t *row = rec->rows[set][sym];

			if (!row)
				continue;
			add(c, sym);
			/* An earlier call is kept by its number only (ebph.h,
			 * EBPH_I386): taken in the ABI of the row's call. */
			abi = sym & EBPH_I386;
			for (p = 0; p < EBPH_NUM_SYSCALLS; p++)
				if (row[p])
					add(c, abi | p);
		}
	}
	for (i = 0; i < rec->nseqs; i++) {
		if (!rec->seqs[i].sets)
			continue;	/* forgotten */
		for (slot = 0; slot < EBPH_SEQ_CALLS; slot++) {
			__u32 call = ebph_seq_call(rec->seqs[i].seq, slot);

			if (call != EBPH_EMPTY)
				add(c, call);
		}
	}
	/* A name each, or left out: a runtime resolves names, not numbers. */
	for (sym = 0; sym < EBPH_NUM_CALLS; sym++) {
		if (!c->used[sym])
			continue;
		if (!(sym & EBPH_I386) ? !syscall_name(sym) :
		    !syscall_name_i386(sym - EBPH_I386)) {
			c->used[sym] = 0;
			c->unnamed++;
			continue;
		}
		c->n++;
		c->i386 += !!(sym & EBPH_I386);
	}
}

static const char *name_of(unsigned int sym)
{
	return sym & EBPH_I386 ? syscall_name_i386(sym - EBPH_I386) : syscall_name(sym);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of C, sorted, each once (an i386 call may share its name
 * with an x86_64 one: the list names calls, the architectures say
 * which ABIs): a malloc'd array of *N, or NULL. */
static const char **sorted_names(const struct seccomp_calls *c, size_t *n)
{
	const char **v = malloc((c->n ? c->n : 1) * sizeof(*v));
	size_t i, k = 0;
	unsigned int sym;

	*n = 0;
	if (!v)
		return NULL;
	for (sym = 0; sym < EBPH_NUM_CALLS; sym++)
		if (c->used[sym])
			v[k++] = name_of(sym);
	qsort(v, k, sizeof(*v), cmp_name);
	for (i = 0; i < k; i++)
		if (!*n || strcmp(v[*n - 1], v[i]))
			v[(*n)++] = v[i];
	return v;
}

int seccomp_write_oci(FILE *f, const struct seccomp_calls *c)
{
	const char **names;
	size_t n, i;

	names = sorted_names(c, &n);
	if (!names)
		return -ENOMEM;
	/* The names are the kernel's, [a-z0-9_]: nothing to escape. */
	fprintf(f, "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		   "  \"defaultErrnoRet\": %d,\n"
		   "  \"architectures\": [\"SCMP_ARCH_X86_64\"%s],\n"
		   "  \"syscalls\": [\n    {\n      \"names\": [",
		EPERM, c->i386 ? ", \"SCMP_ARCH_X86\"" : "");
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n        \"%s\"", i ? "," : "", names[i]);
	fprintf(f, "\n      ],\n      \"action\": \"SCMP_ACT_ALLOW\"\n    }\n  ]\n}\n");
	free(names);
	return ferror(f) ? -EIO : 0;
}

void seccomp_write_systemd(FILE *f, const struct seccomp_calls *c)
{
	const char **names;
	size_t n, i;

	names = sorted_names(c, &n);
	if (!names)
		return;
	fputs("SystemCallFilter=", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", names[i]);
	fprintf(f, "\nSystemCallErrorNumber=EPERM\n");
	free(names);
}
