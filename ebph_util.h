/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_util.h - the few helpers more than one subcommand needs: a clock
 * in nanoseconds, a duration as the command line gives it (`ebph run
 * -w`, `ebph set normal-wait`, `ebph replay`), and where the BPF object
 * is (`ebph run`, `ebph replay`).
 */
#ifndef EBPH_UTIL_H
#define EBPH_UTIL_H

#include <stddef.h>
#include <time.h>
#include <linux/types.h>

/* Where `make install` puts ebph_kern.o: the Makefile compiles LIBDIR
 * into ebph_util.o (ebph_find_object()) and ebph_user.o (its help). */
#ifndef EBPH_LIBDIR
#define EBPH_LIBDIR "/usr/local/lib/ebph"
#endif

/* Clock ID now, in nanoseconds. */
__u64 clock_ns(clockid_t id);

/*
 * "3s", "10m", "2h", "1d", "1w", "250ms", "50us", "800ns", or plain
 * seconds, to
 * nanoseconds; -1 for anything else (a typo must not silently become a
 * week or zero) and for more than ten years.
 */
long long parse_duration(const char *s);

/* A profile's key as EBPH_KEY_FMT writes it, or any 1 to 16 hex
 * digits, with or without 0x: into *KEY; 0, or -EINVAL. */
int ebph_parse_key(const char *s, __u64 *key);

/* ebph_kern.o beside the binary (in the tree), else in EBPH_LIBDIR;
 * its path in BUF of LEN bytes, which it returns. */
const char *ebph_find_object(char *buf, size_t len);

#endif /* EBPH_UTIL_H */
