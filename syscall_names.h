/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscall_names.h - system call numbers to names, and back.
 *
 * Two tables: x86_64, the ABI that ebph watches on this machine, and
 * i386, the ABI of the ADFA-LD traces that the replay tool feeds to the
 * kernel code.  Both cover the kernel's tables (Linux 6.18: 0..469), not
 * the installed uapi headers, which stop at 450.  Numbers the kernel
 * leaves unassigned have no name.
 */
#ifndef SYSCALL_NAMES_H
#define SYSCALL_NAMES_H

#include <stddef.h>

/* Name of x86_64 call NR ("openat"), or NULL when NR has none. */
const char *syscall_name(unsigned int nr);

/* Name of i386 call NR ("socketcall"), or NULL when NR has none. */
const char *syscall_name_i386(unsigned int nr);

/* How an i386 call is named, before its name: "i386:execve". */
#define I386_PREFIX	"i386:"
/* Room for any name syscall_name_fmt() writes, with its NUL: the longest,
 * "i386:sched_rr_get_interval_time64", is 34 bytes. */
#define SYSCALL_NAME_LEN	48

/* Write the name of the call symbol SYM (ebph.h, EBPH_I386) into BUF:
 * "openat" for an x86_64 call, "i386:execve" for an i386 one, or
 * "syscall_N" / "i386:syscall_N" for a number with no name, so that
 * every call prints as something.  Always NUL-terminates a BUF of at
 * least one byte. */
void syscall_name_fmt(unsigned int sym, char *buf, size_t len);

/* The symbol of NAME, as syscall_name_fmt() writes it, or -1 when
 * unknown: what ebph prints can be typed back in. */
int syscall_number(const char *name);

/* A sequence of the sequence detector (ebph_seq_pack() in ebph.h) as
 * call names (syscall_name_fmt()), the oldest first: "openat read close".  An empty
 * slot (a window still filling after an exec) is written as EMPTY, or
 * left out when EMPTY is NULL.  Stops at a name that does not fit, and
 * always NUL-terminates a BUF of at least one byte.  Returns BUF. */
const char *syscall_seq_fmt(unsigned long long packed, const char *empty,
			    char *buf, size_t len);

/* One past the highest number each table names (470 for Linux 6.18). */
unsigned int syscall_table_size(void);
unsigned int syscall_table_size_i386(void);

#endif /* SYSCALL_NAMES_H */
