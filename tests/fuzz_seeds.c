// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_seeds.c - write the seed profiles of tests/corpus_profile/
 * (make fuzz-seeds): real files, written by profile_save(), one of each
 * kind a reader meets, small enough to mutate quickly:
 *
 *   empty        a new training profile, no rows
 *   train        training, a few train rows
 *   normal       frozen and normal, train and test rows, a normal time
 *   seqs         training, rows and train sequences
 *   seqs_test    normal, rows, sequences in both sets, the test flag,
 *                and an i386 call (EBPH_I386 + 11) in a row and a sequence
 *   v2           "normal" as version 2 wrote it (x86_64 calls only)
 *   v1           "normal" as version 1 wrote it (no sequences)
 *
 * Usage: tests/fuzz_seeds DIR.  Deterministic: the same bytes every run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile_store.h"

#define BOOT_TO_REAL_NS	1796000000000000000LL	/* as tests/fuzz_profile.c */

static void add_row(struct ebph_profile_rec *rec, int set, int call)
{
	uint8_t *row = calloc(1, EBPH_NUM_SYSCALLS);
	int i;

	if (!row)
		exit(1);
	for (i = 0; i < 6; i++)
		row[(call * 7 + i * 61) % EBPH_NUM_SYSCALLS] = 1u << (i + set);
	rec->rows[set][call] = row;
}

/* A window of N calls, newest first, the rest empty. */
static uint64_t seq(int n, const int *calls)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < EBPH_SEQ_CALLS; i++)
		v |= (uint64_t)(i < n ? calls[i] : 0x3ff) << (10 * i);
	return v;
}

static void add_seqs(struct ebph_profile_rec *rec, int with_test)
{
	static const int a[] = { 0, 1, 2, 3, 4, 5 }, b[] = { 59, 12, 9 },
		c[] = { EBPH_I386 + 11, 59 };

	rec->seqs = calloc(3, sizeof(*rec->seqs));
	if (!rec->seqs)
		exit(1);
	rec->seqs[0] = (struct ebph_seq_rec){ seq(6, a), PROFILE_SEQ_TRAIN };
	rec->seqs[1] = (struct ebph_seq_rec){ seq(3, b), PROFILE_SEQ_TRAIN |
					      (with_test ? PROFILE_SEQ_TEST : 0) };
	rec->seqs[2] = (struct ebph_seq_rec){ seq(2, c), with_test ? PROFILE_SEQ_TEST
								   : PROFILE_SEQ_TRAIN };
	rec->nseqs = 3;
	profile_seq_epochs(&rec->prof, with_test);
}

static void make(struct ebph_profile_rec *rec, const char *kind, uint64_t key)
{
	memset(rec, 0, sizeof(*rec));
	rec->prof.key = key;
	snprintf(rec->path, sizeof(rec->path), "/usr/bin/%s", kind);
	profile_seq_epochs(&rec->prof, 0);
	if (!strcmp(kind, "empty"))
		return;
	rec->prof.count = rec->prof.train_count = 4000;
	rec->prof.last_mod_count = 1000;
	add_row(rec, EBPH_TRAIN, 0);
	add_row(rec, EBPH_TRAIN, 59);
	add_row(rec, EBPH_TRAIN, 510);
	if (!strcmp(kind, "normal") || !strcmp(kind, "seqs_test")) {
		rec->prof.status = EBPH_FROZEN | EBPH_NORMAL;
		rec->prof.normal_time = 3600000000000ULL;
		rec->prof.anomalies = 2;
		rec->prof.count = 9000;
		add_row(rec, EBPH_TEST, 0);
		add_row(rec, EBPH_TEST, 59);
	}
	if (!strcmp(kind, "seqs"))
		add_seqs(rec, 0);
	if (!strcmp(kind, "seqs_test")) {
		add_row(rec, EBPH_TRAIN, EBPH_I386 + 11);
		add_seqs(rec, 1);
	}
}

static int read_file(const char *path, uint8_t *buf, size_t cap, size_t *n)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	*n = fread(buf, 1, cap, f);
	fclose(f);
	return 0;
}

static int write_file(const char *path, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (fwrite(buf, 1, n, f) != n)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static void resum(uint8_t *b, size_t n)
{
	uint64_t sum = profile_fnv1a64(b, n - PROFILE_SUM_SIZE);
	int i;

	for (i = 0; i < 8; i++)
		b[n - PROFILE_SUM_SIZE + i] = sum >> (8 * i);
}

/* A file of x86_64 calls as an older version wrote it: version 2 is
 * the same layout; version 1 has no sequences, and without the 8 bytes
 * of sequence count and reserved its header is 336 bytes. */
static size_t to_version(uint8_t *b, size_t n, int version)
{
	if (version == 1) {
		memmove(b + PROFILE_V1_HEADER_SIZE, b + PROFILE_HEADER_SIZE,
			n - PROFILE_HEADER_SIZE);
		n -= PROFILE_HEADER_SIZE - PROFILE_V1_HEADER_SIZE;
		b[20] = PROFILE_V1_HEADER_SIZE & 0xff;	/* header size */
		b[21] = PROFILE_V1_HEADER_SIZE >> 8;
	}
	b[8] = version;
	resum(b, n);
	return n;
}

int main(int argc, char **argv)
{
	static const char *kinds[] = { "empty", "train", "normal", "seqs", "seqs_test", "v2", "v1" };
	static struct ebph_profile_rec rec;
	static uint8_t buf[1 << 16];
	char tmp[] = "/tmp/ebph_fuzz_seeds_XXXXXX", in[256], out[4096];
	char name[PROFILE_NAME_LEN], why[160];
	size_t i, n = 0;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(tmp)) {
		perror("fuzz_seeds: mkdtemp");
		return 1;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int version = kinds[i][0] == 'v' ? kinds[i][1] - '0' : 0;

		make(&rec, version ? "normal" : kinds[i], 0x0000080300001a00ULL + i);
		err = profile_save(tmp, &rec, BOOT_TO_REAL_NS);
		profile_rec_free(&rec);
		profile_file_name(0x0000080300001a00ULL + i, name);
		snprintf(in, sizeof(in), "%s/%s", tmp, name);
		if (!err)
			err = read_file(in, buf, sizeof(buf), &n);
		unlink(in);
		if (!err && version)
			n = to_version(buf, n, version);
		/* A seed the reader refuses would teach the fuzzer little. */
		if (!err)
			err = profile_parse(buf, n, name, NULL, BOOT_TO_REAL_NS, why, sizeof(why));
		snprintf(out, sizeof(out), "%s/%s", argv[1], kinds[i]);
		if (!err)
			err = write_file(out, buf, n);
		if (err) {
			fprintf(stderr, "fuzz_seeds: %s: %s\n", kinds[i], strerror(-err));
			rmdir(tmp);
			return 1;
		}
	}
	rmdir(tmp);
	return 0;
}
