// SPDX-License-Identifier: GPL-2.0
/*
 * profile_portable.c - profiles that travel (why: docs/DESIGN.md,
 * Profile files; the format is this comment).
 *
 * A profile in the profile directory is keyed by its executable's
 * device and inode, which name a file on one machine only.  A portable
 * profile names the executable by its path and the SHA-256 of its
 * contents: `ebph import` keys it to the local file at that path (its
 * device and inode there) only if that file's contents hash the same,
 * so that what was learned of one program is never applied to another.
 *
 * File format, version 1.  Integers little-endian, as in profile files.
 *
 *   offset size  field
 *   ------ ----  ------------------------------------------------------
 *        0    8  magic "EBPHPORT" (no NUL)
 *        8    4  version: 1
 *       12    4  header size: 64
 *       16   32  SHA-256 of the executable's contents
 *       48    8  the executable's size in bytes
 *       56    4  path length P: 1 to 255
 *       60    4  profile length L: at most PROFILE_MAX_SIZE
 *       64    P  the executable's path, absolute, no NUL in it
 *     64+P    L  the profile, byte for byte as profile_save() writes it
 *                into the profile directory (profile_encode()): the
 *                key of the machine that learned it, its path the same
 *   64+P+L    8  checksum: FNV-1a 64 of every byte before it
 *
 * So a file is exactly 72 + P + L bytes.  The checksum catches a flipped
 * byte and the sizes a truncation, as in profile files; like theirs, it
 * is no signature: whoever imports a file trusts where it came from, and
 * the hash only makes sure it lands on the program it was learned of.
 * The embedded profile is then checked as the profile directory's files
 * are (profile_parse()), its own checksum included.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_portable.h"

enum {
	OFF_MAGIC	= 0,
	OFF_VERSION	= 8,
	OFF_HEADER_SIZE	= 12,
	OFF_SHA256	= 16,
	OFF_EXE_SIZE	= OFF_SHA256 + SHA256_LEN,
	OFF_PATH_LEN	= OFF_EXE_SIZE + 8,
	OFF_PROFILE_LEN	= OFF_PATH_LEN + 4,
	HEADER_END	= OFF_PROFILE_LEN + 4,
};
_Static_assert(HEADER_END == PORTABLE_HEADER_SIZE, "portable header layout");
_Static_assert(sizeof(PORTABLE_MAGIC) - 1 == 8, "magic is 8 bytes");

int portable_encode(const struct ebph_portable *p, int64_t boot_to_real_ns,
		    uint8_t **bufp, size_t *sizep)
{
	size_t plen = strnlen(p->rec.path, EBPH_PATH_LEN), size, prof_size;
	uint8_t *prof, *buf;
	int err;

	if (p->rec.path[0] != '/' || plen == EBPH_PATH_LEN)
		return -EINVAL;
	err = profile_encode(&p->rec, boot_to_real_ns, &prof, &prof_size);
	if (err)
		return err;
	size = PORTABLE_HEADER_SIZE + plen + prof_size + PORTABLE_SUM_SIZE;
	buf = calloc(1, size);
	if (!buf) {
		free(prof);
		return -ENOMEM;
	}
	memcpy(buf + OFF_MAGIC, PORTABLE_MAGIC, 8);
	put_u32(buf + OFF_VERSION, PORTABLE_VERSION);
	put_u32(buf + OFF_HEADER_SIZE, PORTABLE_HEADER_SIZE);
	memcpy(buf + OFF_SHA256, p->sha256, SHA256_LEN);
	put_u64(buf + OFF_EXE_SIZE, p->exe_size);
	put_u32(buf + OFF_PATH_LEN, plen);
	put_u32(buf + OFF_PROFILE_LEN, prof_size);
	memcpy(buf + HEADER_END, p->rec.path, plen);
	memcpy(buf + HEADER_END + plen, prof, prof_size);
	put_u64(buf + size - PORTABLE_SUM_SIZE,
		profile_fnv1a64(buf, size - PORTABLE_SUM_SIZE));
	free(prof);
	*bufp = buf;
	*sizep = size;
	return 0;
}

/* The header, in the order of the most useful message, as the profile
 * files are read: what the file is, then whether its sizes add up,
 * then whether it is intact. */
static int parse_header(const uint8_t *buf, size_t size, uint32_t *plen,
			uint32_t *prof_size, char *why, size_t len)
{
	uint32_t version, hsize;
	size_t need;

	if (size < PORTABLE_HEADER_SIZE + PORTABLE_SUM_SIZE)
		return profile_refuse(why, len, -EBADMSG, "short file (%zu bytes)", size);
	if (memcmp(buf + OFF_MAGIC, PORTABLE_MAGIC, 8))
		return profile_refuse(why, len, -EBADMSG,
				      "bad magic: not a profile that ebph export wrote");
	version = get_u32(buf + OFF_VERSION);
	if (version != PORTABLE_VERSION)
		return profile_refuse(why, len, -EBADMSG, "format version %u, expected %u",
				      version, PORTABLE_VERSION);
	hsize = get_u32(buf + OFF_HEADER_SIZE);
	if (hsize != PORTABLE_HEADER_SIZE)
		return profile_refuse(why, len, -EBADMSG, "header size %u, expected %u",
				      hsize, PORTABLE_HEADER_SIZE);
	*plen = get_u32(buf + OFF_PATH_LEN);
	if (*plen < 1 || *plen >= EBPH_PATH_LEN)
		return profile_refuse(why, len, -EBADMSG, "path length %u, expected 1 to %u",
				      *plen, EBPH_PATH_LEN - 1);
	*prof_size = get_u32(buf + OFF_PROFILE_LEN);
	if (*prof_size < PROFILE_MIN_SIZE || *prof_size > PROFILE_MAX_SIZE)
		return profile_refuse(why, len, -EBADMSG,
				      "profile length %u, expected %zu to %zu",
				      *prof_size, (size_t)PROFILE_MIN_SIZE,
				      (size_t)PROFILE_MAX_SIZE);
	need = PORTABLE_HEADER_SIZE + (size_t)*plen + *prof_size + PORTABLE_SUM_SIZE;
	if (size != need)
		return profile_refuse(why, len, -EBADMSG,
				      "%s (%zu bytes, its path and profile need %zu)",
				      size < need ? "short file" : "trailing data", size, need);
	if (get_u64(buf + size - PORTABLE_SUM_SIZE) !=
	    profile_fnv1a64(buf, size - PORTABLE_SUM_SIZE))
		return profile_refuse(why, len, -EBADMSG, "checksum mismatch");
	return 0;
}

int portable_parse(const void *data, size_t size, struct ebph_portable *p,
		   int64_t boot_to_real_ns, char *why, size_t len)
{
	const uint8_t *buf = data, *prof;
	char name[PROFILE_NAME_LEN], path[EBPH_PATH_LEN], inner[160];
	uint32_t plen = 0, prof_size = 0;
	int err;

	memset(p, 0, sizeof(*p));
	err = parse_header(buf, size, &plen, &prof_size, why, len);
	if (err)
		return err;
	memcpy(path, buf + HEADER_END, plen);
	path[plen] = 0;
	if (strlen(path) != plen)
		return profile_refuse(why, len, -EBADMSG, "a NUL in the path");
	if (path[0] != '/')
		return profile_refuse(why, len, -EBADMSG, "path '%s' is not absolute", path);

	/* The profile as its own file was named: after the key inside it. */
	prof = buf + HEADER_END + plen;
	profile_file_name(get_u64(prof + PROFILE_OFF_KEY), name);
	err = profile_parse(prof, prof_size, name, &p->rec, boot_to_real_ns,
			    inner, sizeof(inner));
	if (err)
		return profile_refuse(why, len, err, "its profile: %s", inner);
	if (strcmp(p->rec.path, path)) {
		profile_rec_free(&p->rec);
		return profile_refuse(why, len, -EBADMSG,
				      "its profile is of another path than its header's");
	}
	memcpy(p->sha256, buf + OFF_SHA256, SHA256_LEN);
	p->exe_size = get_u64(buf + OFF_EXE_SIZE);
	return 0;
}

int portable_load(const char *file, struct ebph_portable *p,
		  int64_t boot_to_real_ns, char *why, size_t len)
{
	struct stat st;
	uint8_t *buf;
	size_t n;
	FILE *f;
	int err;

	memset(p, 0, sizeof(*p));
	f = fopen(file, "rbe");
	if (!f)
		return profile_refuse(why, len, -errno, "%s", strerror(errno));
	if (fstat(fileno(f), &st)) {
		err = profile_refuse(why, len, -errno, "%s", strerror(errno));
		fclose(f);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		fclose(f);
		return profile_refuse(why, len, -EINVAL, "not a regular file");
	}
	if (st.st_size > (off_t)PORTABLE_MAX_SIZE) {
		fclose(f);
		return profile_refuse(why, len, -EFBIG, "too large (%lld bytes, at most %zu)",
				      (long long)st.st_size, (size_t)PORTABLE_MAX_SIZE);
	}
	/* One byte more than fstat said: a file still growing is caught. */
	buf = malloc(st.st_size + 1);
	if (!buf) {
		fclose(f);
		return profile_refuse(why, len, -ENOMEM, "out of memory");
	}
	n = fread(buf, 1, st.st_size + 1, f);
	if (ferror(f))
		err = profile_refuse(why, len, -EIO, "read error");
	else if (n != (size_t)st.st_size)
		err = profile_refuse(why, len, -EBADMSG, "file changed while being read");
	else
		err = portable_parse(buf, n, p, boot_to_real_ns, why, len);
	free(buf);
	fclose(f);
	return err;
}
