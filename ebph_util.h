/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_util.h - the few helpers more than one subcommand needs: a clock
 * in nanoseconds, a duration as the command line gives it (`ebph run
 * -w`, `ebph set normal-wait`, `ebph replay`), where the BPF object is
 * (`ebph run`, `ebph replay`), and the one style of every command's
 * errors.
 */
#ifndef EBPH_UTIL_H
#define EBPH_UTIL_H

#include <stdarg.h>
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

/*
 * Every command's errors, in one style (ebph(8), EXIT STATUS).  CMD is
 * the command's name as typed ("ps", "run"), or NULL for ebph itself
 * (an unknown command):
 *
 *   ebph CMD: MESSAGE
 *   Try 'ebph CMD -h' for help.      (a usage error: the second line)
 *
 * A usage error (a bad option, value or operand) exits 2, a failure to
 * do what was asked 1; each function returns that status, for
 * `return ebph_usage_error(...)`.  MESSAGE is printf's FMT, no newline.
 */
int ebph_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ebph_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ebph_verror(const char *cmd, const char *fmt, va_list ap);
/* "ebph CMD: warning: MESSAGE": what was asked is done, but... */
void ebph_warn(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The Try line alone, after getopt_long() said what was wrong (in the
 * same style: ebph_getopt_name()): 2. */
int ebph_try_help(const char *cmd);

/*
 * "ebph CMD" in a buffer that lives as long as the program, for argv[0]
 * of a command: getopt_long() names its complaints ("ebph ps:
 * unrecognized option '--x'") by argv[0].
 */
char *ebph_getopt_name(const char *cmd);

/*
 * A short option means one thing in every command (ebph(8), OPTIONS).
 * A letter that meant something else in CMD before is refused, with
 * what to type now (NOW: "-T (--threads)"): a usage error, 2.
 */
int ebph_option_moved(const char *cmd, int letter, const char *now);

#endif /* EBPH_UTIL_H */
