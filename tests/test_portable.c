// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_portable.c - the portable profile format (profile_portable.c):
 * a profile goes through portable_encode() and portable_parse() and comes
 * back the same; every truncation and every flipped byte is refused, each
 * with its sentence; a header that lies, re-checksummed, is refused for
 * what it says; portable_load() on files.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "profile_portable.h"
#include "test.h"

#define KEY	0x0000080300001a2bULL
#define B2R	1700000000000000000LL	/* CLOCK_REALTIME - CLOCK_BOOTTIME */

/* A sequence of A (the newest), B, C, then empty slots. */
static uint64_t seq_of(unsigned int a, unsigned int b, unsigned int c)
{
	unsigned int calls[EBPH_SEQ_CALLS] = { a, b, c, EBPH_EMPTY, EBPH_EMPTY, EBPH_EMPTY };
	uint64_t v = 0;
	int i;

	for (i = 0; i < EBPH_SEQ_CALLS; i++)
		v |= (uint64_t)(calls[i] == EBPH_EMPTY ? 0x3ff : calls[i]) << (10 * i);
	return v;
}

/* A normal profile with train and test rows and sequences in both sets. */
static void make_portable(struct ebph_portable *p)
{
	static const int calls[] = { 0, 1, 59, 231, EBPH_I386 + 11 };
	size_t i;
	int j;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < SHA256_LEN; i++)
		p->sha256[i] = (uint8_t)(i * 37 + 1);
	p->exe_size = 123456;
	p->rec.prof.key = KEY;
	p->rec.prof.status = EBPH_FROZEN | EBPH_NORMAL;
	p->rec.prof.anomalies = 3;
	p->rec.prof.train_count = 5000;
	p->rec.prof.last_mod_count = 700;
	p->rec.prof.count = 90000;
	p->rec.prof.normal_time = 42000000000ULL;
	snprintf(p->rec.path, sizeof(p->rec.path), "/usr/local/bin/odd name");
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		for (j = 0; j < 2; j++) {
			uint8_t *row = calloc(1, EBPH_NUM_SYSCALLS);
			int k;

			for (k = 0; k < EBPH_NUM_SYSCALLS; k += 17)
				row[k] = (uint8_t)(k + calls[i] + j);
			p->rec.rows[j][calls[i]] = row;
		}
	}
	p->rec.seqs = malloc(3 * sizeof(*p->rec.seqs));
	/* Slot 0 the newest; empty slots only after the calls. */
	p->rec.seqs[0] = (struct ebph_seq_rec){ seq_of(59, 0, 1), PROFILE_SEQ_TEST };
	p->rec.seqs[1] = (struct ebph_seq_rec){ seq_of(59, 1, EBPH_EMPTY),
						  PROFILE_SEQ_TRAIN | PROFILE_SEQ_TEST };
	p->rec.seqs[2] = (struct ebph_seq_rec){ seq_of(231, EBPH_EMPTY, EBPH_EMPTY),
						  PROFILE_SEQ_TRAIN };
	p->rec.nseqs = 3;
	profile_seq_epochs(&p->rec.prof, 1);
}

static int same(const struct ebph_portable *a, const struct ebph_portable *b)
{
	int set, call, diffs = 0;
	size_t i;

	diffs += !!memcmp(a->sha256, b->sha256, SHA256_LEN);
	diffs += a->exe_size != b->exe_size;
	diffs += !!memcmp(&a->rec.prof, &b->rec.prof, sizeof(a->rec.prof));
	diffs += !!strcmp(a->rec.path, b->rec.path);
	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++) {
			const uint8_t *x = a->rec.rows[set][call], *y = b->rec.rows[set][call];

			diffs += !x != !y || (x && memcmp(x, y, EBPH_NUM_SYSCALLS));
		}
	diffs += a->rec.nseqs != b->rec.nseqs;
	/* a save sorts them: make_portable() makes them in that order */
	for (i = 0; i < a->rec.nseqs && i < b->rec.nseqs; i++)
		diffs += a->rec.seqs[i].seq != b->rec.seqs[i].seq ||
			 a->rec.seqs[i].sets != b->rec.seqs[i].sets;
	return diffs;
}

static void resum(uint8_t *buf, size_t size)
{
	put_u64(buf + size - PORTABLE_SUM_SIZE,
		profile_fnv1a64(buf, size - PORTABLE_SUM_SIZE));
}

/* BUF edited at OFF to the 32-bit VALUE, re-checksummed: refused with
 * WANT in its sentence. */
static void check_lie(const uint8_t *good, size_t size, size_t off, uint32_t value,
		      const char *want, const char *what)
{
	uint8_t *buf = malloc(size);
	struct ebph_portable p;
	char why[256] = "";
	int err;

	memcpy(buf, good, size);
	put_u32(buf + off, value);
	resum(buf, size);
	err = portable_parse(buf, size, &p, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG, "%s: got %d, want -EBADMSG", what, err);
	CHECK(!strstr(why, want), "%s: '%s' does not say '%s'", what, why, want);
	free(buf);
}

int main(void)
{
	struct ebph_portable in, out;
	uint8_t *buf, *bad;
	char why[256], file[] = "/tmp/ebph-portable.XXXXXX";
	size_t size, i, path_off = PORTABLE_HEADER_SIZE, prof_off;
	int err, fd, refused, said;

	TEST("round trip");
	make_portable(&in);
	err = portable_encode(&in, B2R, &buf, &size);
	if (CHECK(err, "portable_encode: %s", strerror(-err)))
		return test_summary();
	CHECK_EQ(size, 72 + strlen(in.rec.path) + PROFILE_HEADER_SIZE + 10 * PROFILE_ROW_SIZE +
		 3 * PROFILE_SEQ_SIZE + PROFILE_SUM_SIZE, "size");
	CHECK(memcmp(buf, "EBPHPORT", 8), "magic");
	err = portable_parse(buf, size, &out, B2R, why, sizeof(why));
	if (!CHECK(err, "portable_parse: %s", why)) {
		CHECK(same(&in, &out), "what came back differs");
		profile_rec_free(&out.rec);
	}

	TEST("every truncation");
	refused = said = 0;
	for (i = 0; i < size; i++) {
		why[0] = 0;
		err = portable_parse(buf, i, &out, B2R, why, sizeof(why));
		refused += err == -EBADMSG;
		said += (strstr(why, "short file") != NULL);
	}
	CHECK_EQ(refused, size, "truncations refused");
	CHECK_EQ(said, size, "truncations said to be short");

	TEST("every flipped byte");
	bad = malloc(size + 1);
	refused = said = 0;
	for (i = 0; i < size; i++) {
		int bit;

		for (bit = 0; bit < 8; bit += 7) {
			memcpy(bad, buf, size);
			bad[i] ^= 1 << bit;
			why[0] = 0;
			err = portable_parse(bad, size, &out, B2R, why, sizeof(why));
			refused += err == -EBADMSG;
			said += why[0] != 0;
			if (!err)
				profile_rec_free(&out.rec);
		}
	}
	CHECK_EQ(refused, 2 * size, "flipped bytes refused");
	CHECK_EQ(said, 2 * size, "flipped bytes with a sentence");

	TEST("trailing data");
	memcpy(bad, buf, size);
	bad[size] = 0;
	err = portable_parse(bad, size + 1, &out, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG || !strstr(why, "trailing data"), "got %d '%s'", err, why);

	TEST("a header that lies");
	check_lie(buf, size, 8, 2, "format version 2", "version");
	check_lie(buf, size, 12, 72, "header size 72", "header size");
	check_lie(buf, size, 56, 0, "path length 0", "no path");
	check_lie(buf, size, 56, EBPH_PATH_LEN, "path length 256", "long path");
	check_lie(buf, size, 56, strlen(in.rec.path) - 1, "trailing data", "path length");
	check_lie(buf, size, 60, 10, "profile length 10", "profile length");
	check_lie(buf, size, 60, PROFILE_MAX_SIZE + 1, "profile length", "profile length");
	/* The path: relative, with a NUL, another than the profile's. */
	memcpy(bad, buf, size);
	bad[path_off] = 'u';
	resum(bad, size);
	err = portable_parse(bad, size, &out, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG || !strstr(why, "not absolute"), "relative: %d '%s'", err, why);
	bad[path_off] = '/';
	bad[path_off + 3] = 0;
	resum(bad, size);
	err = portable_parse(bad, size, &out, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG || !strstr(why, "NUL"), "NUL: %d '%s'", err, why);
	bad[path_off + 3] = 'X';
	resum(bad, size);
	err = portable_parse(bad, size, &out, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG || !strstr(why, "another path"), "other path: %d '%s'", err, why);
	/* The embedded profile broken, the outer checksum made good: its
	 * own checks still refuse it, and say it is the profile. */
	prof_off = path_off + strlen(in.rec.path);
	memcpy(bad, buf, size);
	bad[prof_off + PROFILE_HEADER_SIZE + 5] ^= 0xff;
	resum(bad, size);
	err = portable_parse(bad, size, &out, B2R, why, sizeof(why));
	CHECK(err != -EBADMSG || !strstr(why, "its profile: checksum mismatch"),
	      "inner checksum: %d '%s'", err, why);

	TEST("encode refuses");
	make_portable(&out);
	strcpy(out.rec.path, "relative/path");
	CHECK(portable_encode(&out, B2R, &bad, &i) != -EINVAL, "a relative path encoded");
	profile_rec_free(&out.rec);

	TEST("load");
	fd = mkstemp(file);
	if (!CHECK(fd < 0, "mkstemp")) {
		CHECK(write(fd, buf, size) != (ssize_t)size, "write");
		close(fd);
		err = portable_load(file, &out, B2R, why, sizeof(why));
		if (!CHECK(err, "portable_load: %s", why)) {
			CHECK(same(&in, &out), "what was loaded differs");
			profile_rec_free(&out.rec);
		}
		CHECK(truncate(file, size - 1), "truncate");
		err = portable_load(file, &out, B2R, why, sizeof(why));
		CHECK(err != -EBADMSG || !strstr(why, "short file"), "truncated: %d '%s'", err, why);
		unlink(file);
		err = portable_load(file, &out, B2R, why, sizeof(why));
		CHECK(err != -ENOENT, "missing file: %d '%s'", err, why);
		err = portable_load("/tmp", &out, B2R, why, sizeof(why));
		CHECK(err != -EINVAL || !strstr(why, "not a regular file"), "dir: %d '%s'", err, why);
	}
	profile_rec_free(&in.rec);
	free(buf);
	free(bad);
	return test_summary();
}
