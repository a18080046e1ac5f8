/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profile_portable.h - a profile that travels (`ebph export`, `ebph
 * import`): one file, keyed by its executable's path and the SHA-256 of
 * its contents instead of a device and inode, which only mean something
 * on the machine that learned it.  The format is at the top of
 * profile_portable.c, and in docs/DESIGN.md, Profile files.
 */
#ifndef PROFILE_PORTABLE_H
#define PROFILE_PORTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "profile_store.h"
#include "sha256.h"

#define PORTABLE_MAGIC		"EBPHPORT"	/* 8 bytes, no NUL */
#define PORTABLE_VERSION	1
#define PORTABLE_HEADER_SIZE	64
#define PORTABLE_SUM_SIZE	8
#define PORTABLE_MAX_SIZE	(PORTABLE_HEADER_SIZE + EBPH_PATH_LEN - 1 + \
				 PROFILE_MAX_SIZE + PORTABLE_SUM_SIZE)

/* What a portable profile says: the executable (its path, the SHA-256
 * and size of its contents) and the profile, keyed as it was where it
 * was learned (rec.prof.key: the importer keys it to its own file). */
struct ebph_portable {
	uint8_t sha256[SHA256_LEN];
	uint64_t exe_size;
	struct ebph_profile_rec rec;	/* rec.path is the executable's */
};

/*
 * P as a portable file, in a malloc'd buffer (*BUFP, *SIZEP): the
 * profile P->rec as profile_encode() writes it, after a header with
 * P->sha256, P->exe_size and the path P->rec.path, which must be
 * absolute.  -EINVAL for what portable_parse() would refuse, -ENOMEM.
 */
int portable_encode(const struct ebph_portable *p, int64_t boot_to_real_ns,
		    uint8_t **bufp, size_t *sizep);

/*
 * Check SIZE bytes at BUF as a portable file and parse them into P (its
 * rec freed with profile_rec_free()).  Every header field is checked,
 * then the checksum, then the profile as profile_parse() checks a file
 * in the profile directory.  0, or -EBADMSG (-ENOMEM) with WHY one
 * phrase ("checksum mismatch"), and P->rec left empty.
 */
int portable_parse(const void *buf, size_t size, struct ebph_portable *p,
		   int64_t boot_to_real_ns, char *why, size_t len);

/* FILE (a regular file, at most PORTABLE_MAX_SIZE bytes) read and
 * parsed by portable_parse(): 0, or -errno with WHY. */
int portable_load(const char *file, struct ebph_portable *p,
		  int64_t boot_to_real_ns, char *why, size_t len);

#endif /* PROFILE_PORTABLE_H */
