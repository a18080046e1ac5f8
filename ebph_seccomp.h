/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_seccomp.h - what a profile learned as a seccomp allow-list
 * (`ebph export --seccomp`, ebph_export.c): the OCI runtime spec's
 * format, which Docker, runc, crun and podman take (linux.seccomp), and
 * systemd's SystemCallFilter=.
 */
#ifndef EBPH_SECCOMP_H
#define EBPH_SECCOMP_H

#include <stdio.h>
#include <stdint.h>

#include "profile_store.h"

/* The calls of a profile, by symbol (ebph.h, EBPH_I386), and the ones
 * left out of the allow-list, having no name a runtime knows. */
struct seccomp_calls {
	uint8_t used[EBPH_NUM_CALLS];	/* 1: in the allow-list */
	unsigned int n, i386, unnamed;	/* how many; of them i386; left out */
};

/*
 * Every call REC learned, in its train or test set: each row's call,
 * the earlier calls its row holds (in the row's ABI), and the calls of
 * its sequences; and execve, which the runtime makes after it installs
 * the filter and before the program's first call: the profile of a
 * program never holds the exec that started it.
 */
void seccomp_calls(const struct ebph_profile_rec *rec, struct seccomp_calls *c);

/* C as an OCI seccomp object on F: defaultAction SCMP_ACT_ERRNO (errno
 * EPERM), the architectures (SCMP_ARCH_X86_64, and SCMP_ARCH_X86 if an
 * i386 call is in it), one syscalls entry with the names, sorted, and
 * action SCMP_ACT_ALLOW.  0, or -EIO when F fails. */
int seccomp_write_oci(FILE *f, const struct seccomp_calls *c);

/* The same list for a systemd unit on F: "SystemCallFilter=NAMES" and
 * "SystemCallErrorNumber=EPERM" (EPERM, as the JSON: systemd's default
 * kills the process). */
void seccomp_write_systemd(FILE *f, const struct seccomp_calls *c);

#endif /* EBPH_SECCOMP_H */
