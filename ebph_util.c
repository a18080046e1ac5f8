// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_util.c - helpers more than one subcommand needs (ebph_util.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebph_util.h"

__u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int ebph_parse_key(const char *s, __u64 *key)
{
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	/* strtoull alone would take a sign, spaces, and more digits than a
	 * key has (saturating): a typo must name no profile. */
	n = strspn(s, "0123456789abcdefABCDEF");
	if (!n || n > 16 || s[n])
		return -EINVAL;
	*key = strtoull(s, NULL, 16);
	return 0;
}

long long parse_duration(const char *s)
{
	static const struct { const char *unit; unsigned long long ns; } units[] = {
		{ "ns", 1ULL }, { "us", 1000ULL },
		{ "ms", 1000000ULL }, { "s", 1000000000ULL },
		{ "m", 60ULL * 1000000000ULL }, { "h", 3600ULL * 1000000000ULL },
		{ "d", 86400ULL * 1000000000ULL }, { "w", 604800ULL * 1000000000ULL },
		{ "", 1000000000ULL },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		/* At most ten years: more is a typo, and would overflow. */
		if (v > 10ULL * 366 * 86400 * 1000000000ULL / units[i].ns)
			return -1;
		return (long long)(v * units[i].ns);
	}
	return -1;
}

const char *ebph_find_object(char *buf, size_t len)
{
	char self[PATH_MAX - sizeof("/ebph_kern.o")];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/ebph_kern.o", self);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	snprintf(buf, len, "%s/ebph_kern.o", EBPH_LIBDIR);
	return buf;
}

/* "ebph CMD: " or, for ebph itself, "ebph: ". */
static void prefix(const char *cmd)
{
	if (cmd)
		fprintf(stderr, "ebph %s: ", cmd);
	else
		fputs("ebph: ", stderr);
}

int ebph_verror(const char *cmd, const char *fmt, va_list ap)
{
	prefix(cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return 1;
}

int ebph_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ebph_verror(cmd, fmt, ap);
	va_end(ap);
	return 1;
}

void ebph_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	prefix(cmd);
	fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ebph_try_help(const char *cmd)
{
	if (cmd)
		fprintf(stderr, "Try 'ebph %s -h' for help.\n", cmd);
	else
		fputs("Try 'ebph -h' for help.\n", stderr);
	return 2;
}

int ebph_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ebph_verror(cmd, fmt, ap);
	va_end(ap);
	return ebph_try_help(cmd);
}

char *ebph_getopt_name(const char *cmd)
{
	/* One command per process: one buffer.  The longest name is
	 * "normalize"; a longer one would only be cut. */
	static char name[32];

	snprintf(name, sizeof(name), "ebph %s", cmd);
	return name;
}

int ebph_option_moved(const char *cmd, int letter, const char *now)
{
	return ebph_usage_error(cmd, "-%c is now %s: a short option means one thing in every command",
				letter, now);
}
