/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sha256.h - SHA-256 (FIPS 180-4), for the portable profiles
 * (profile_portable.c): what names an executable across machines is a
 * hash of its contents, since its device and inode are only local.
 * A few dozen lines, so that ebph needs no crypto library.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32	/* bytes of a digest */

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		/* hashed so far */
	uint8_t buf[64];	/* a block being filled: bytes % 64 of it */
};

void sha256_init(struct sha256 *s);
/* Any number of updates, of any sizes: the digest is that of the bytes
 * end to end. */
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);

/* The digest of LEN bytes at DATA. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* The digest of what FD reads from its offset to its end: 0, or -errno. */
int sha256_fd(int fd, uint8_t out[SHA256_LEN]);

/* HEX gets the 64 lowercase hex digits of DIGEST and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_LEN], char hex[2 * SHA256_LEN + 1]);

#endif /* SHA256_H */
