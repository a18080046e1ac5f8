// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_profile.c - profiles on disk: the round trip, the format
 * byte by byte (version 4, and versions 1 to 3 still loading, with the
 * owner found for them), and every way a file can be refused, the
 * sequence detector's sequences and counters that contradict each other
 * included.
 *
 * Each refusal is checked three ways: profile_load() fails, its reason
 * names the problem, and the file is byte-identical afterwards (same
 * inode, owner, mode, size and mtime).  Corruptions of one field are
 * re-checksummed, so that the field, not the checksum, is what gets the
 * file refused.  Runs as root (chown, files owned by root); everything
 * happens under a mkdtemp() directory in /tmp, removed at the end.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_store.h"
#include "test.h"

/* CLOCK_REALTIME - CLOCK_BOOTTIME of some boot in November 2023. */
#define B2R		1700000000123456789LL
#define KEY		0x0000080300001a2bULL
#define NAME		"0000080300001a2b.prof"
#define NORMAL_TIME	5000000000ULL	/* 5 s after that boot */
#define OWNER		0x87654321U	/* every byte differs */

/* Header offsets, as documented at the top of profile_store.c; written
 * out here so the test pins the format rather than repeating the code. */
#define H_VERSION	8
#define H_NCALLS	12
#define H_SEQLEN	16
#define H_HSIZE		20
#define H_KEY		24
#define H_STATUS	32
#define H_COUNT		56
#define H_NTIME		64
#define H_PATH		72
#define H_ROWS		328
#define H_FLAGS		332	/* version 1: reserved */
#define H_NSEQS		336
#define H_OWNER		340	/* versions 2 and 3: reserved */
#define H_TRAIN		40
#define H_LASTMOD	48
#define H_ROW0		344
#define V1_ROW0		336

/* Call symbols: x86_64 up to 510, i386 from EBPH_I386 (523: i386 execve,
 * 1022 the highest). */
static const unsigned int train_calls[] = { 0, 1, 59, 257, 469, 510, 523, 1022 };
static const unsigned int test_calls[] = { 0, 3, 510, 523 };
#define NTRAIN	(sizeof(train_calls) / sizeof(train_calls[0]))
#define NROWS	(sizeof(train_calls) / sizeof(train_calls[0]) + \
		 sizeof(test_calls) / sizeof(test_calls[0]))

/*
 * Sequences, as calls newest first (EBPH_EMPTY: an empty slot), in no
 * particular order, and their sets.  The last is in no set, as a
 * sequence the kernel forgot: a save leaves it out.  Sorted by packed
 * value (the oldest slot in the high bits) they come out as: all zeros,
 * the full one, all i386 510, {2, 1}, {0}.
 */
#define E EBPH_EMPTY
static const struct {
	uint16_t calls[EBPH_SEQ_CALLS];
	uint32_t sets;
} seq_defs[] = {
	{ { 1, 0, 59, 257, 510, 3 }, PROFILE_SEQ_TRAIN | PROFILE_SEQ_TEST },
	{ { 0, E, E, E, E, E }, PROFILE_SEQ_TRAIN },
	{ { 1022, 1022, 1022, 1022, 1022, 1022 }, PROFILE_SEQ_TRAIN },
	{ { 2, 1, E, E, E, E }, PROFILE_SEQ_TEST },
	{ { 0, 0, 0, 0, 0, 0 }, PROFILE_SEQ_TRAIN | PROFILE_SEQ_TEST },
	{ { 7, 7, 7, E, E, E }, 0 },
};
#undef E
#define NSEQS_IN	(sizeof(seq_defs) / sizeof(seq_defs[0]))
#define NSEQS		(NSEQS_IN - 1)	/* written: those in a set */
#define H_SEQ0		(H_ROW0 + NROWS * PROFILE_ROW_SIZE)
#define GOOD_SIZE	(PROFILE_HEADER_SIZE + NROWS * PROFILE_ROW_SIZE + \
			 NSEQS * PROFILE_SEQ_SIZE + 8)

static char root[64];	/* the mkdtemp() directory */

/* ---- helpers ---------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A sequence packed as the file format says: slot i in bits 10i.., an
 * empty slot as 0x3ff.  Written out, not ebph_seq_pack(), so that the
 * test pins the format; test_seq_pack() checks the two agree. */
static uint64_t seq_of(const uint16_t calls[EBPH_SEQ_CALLS])
{
	uint64_t v = 0;

	for (int i = 0; i < EBPH_SEQ_CALLS; i++)
		v |= (uint64_t)(calls[i] == EBPH_EMPTY ? 0x3ff : calls[i]) << (10 * i);
	return v;
}

static uint64_t seq_def(size_t i)
{
	return seq_of(seq_defs[i].calls);
}

/* Recompute the checksum after editing a field. */
static void resum(uint8_t *buf, size_t size)
{
	put64(buf + size - 8, profile_fnv1a64(buf, size - 8));
}

static void make_rec(struct ebph_profile_rec *rec, uint64_t key)
{
	size_t i;
	int j;

	memset(rec, 0, sizeof(*rec));
	rec->prof.key = key;
	rec->prof.status = EBPH_FROZEN | EBPH_NORMAL;
	rec->prof.anomalies = 29;
	rec->prof.train_count = 123456789013ULL;
	rec->prof.last_mod_count = 98765;
	rec->prof.count = 0x00dcba9876543211ULL;	/* 7 bytes: u64 all the way */
	rec->prof.owner = OWNER;
	rec->prof.normal_time = NORMAL_TIME;
	snprintf(rec->path, sizeof(rec->path), "/usr/bin/odd name (%llx)",
		 (unsigned long long)key);
	for (i = 0; i < sizeof(train_calls) / sizeof(train_calls[0]); i++) {
		uint8_t *row = malloc(EBPH_NUM_SYSCALLS);

		for (j = 0; j < EBPH_NUM_SYSCALLS; j++)
			row[j] = (uint8_t)(j * 7 + train_calls[i] * 13 + key);
		rec->rows[EBPH_TRAIN][train_calls[i]] = row;
	}
	for (i = 0; i < sizeof(test_calls) / sizeof(test_calls[0]); i++) {
		uint8_t *row = malloc(EBPH_NUM_SYSCALLS);

		for (j = 0; j < EBPH_NUM_SYSCALLS; j++)
			row[j] = (uint8_t)(j * 31 + test_calls[i] + 1);
		rec->rows[EBPH_TEST][test_calls[i]] = row;
	}
	rec->seqs = malloc(NSEQS_IN * sizeof(*rec->seqs));
	for (i = 0; i < NSEQS_IN; i++) {
		rec->seqs[i].seq = seq_def(i);
		rec->seqs[i].sets = seq_defs[i].sets;
	}
	rec->nseqs = NSEQS_IN;
	/* With a test set of sequences, in the epochs a load gives. */
	profile_seq_epochs(&rec->prof, 1);
}

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = ((const struct ebph_seq_rec *)a)->seq;
	uint64_t y = ((const struct ebph_seq_rec *)b)->seq;

	return x < y ? -1 : x > y;
}

/* REC's sequences in a set, sorted, in a malloc'd array; *N of them. */
static struct ebph_seq_rec *seqs_sorted(const struct ebph_profile_rec *rec,
					size_t *n)
{
	struct ebph_seq_rec *v = malloc((rec->nseqs + 1) * sizeof(*v));
	size_t i;

	*n = 0;
	for (i = 0; i < rec->nseqs; i++)
		if (rec->seqs[i].sets)
			v[(*n)++] = rec->seqs[i];
	qsort(v, *n, sizeof(*v), cmp_seq);
	return v;
}

/* 0 when A and B hold the same profile, else the number of differences,
 * each printed. */
static int rec_diff(const struct ebph_profile_rec *a,
		    const struct ebph_profile_rec *b)
{
	int diffs = 0, set, call;

	if (memcmp(&a->prof, &b->prof, sizeof(a->prof))) {
		printf("  prof differs: key %llx/%llx status %u/%u time %llu/%llu\n",
		       (unsigned long long)a->prof.key, (unsigned long long)b->prof.key,
		       a->prof.status, b->prof.status,
		       (unsigned long long)a->prof.normal_time,
		       (unsigned long long)b->prof.normal_time);
		diffs++;
	}
	if (memcmp(a->path, b->path, sizeof(a->path))) {
		printf("  path differs: '%.256s' / '%.256s'\n", a->path, b->path);
		diffs++;
	}
	for (set = 0; set < 2; set++) {
		for (call = 0; call < EBPH_NUM_CALLS; call++) {
			const uint8_t *ra = a->rows[set][call], *rb = b->rows[set][call];

			if (!ra != !rb ||
			    (ra && memcmp(ra, rb, EBPH_NUM_SYSCALLS))) {
				printf("  row %d/%d differs\n", set, call);
				diffs++;
			}
		}
	}
	/* The sequences in a set, in any order: a save sorts them and
	 * drops those in none. */
	{
		size_t na, nb, i;
		struct ebph_seq_rec *sa = seqs_sorted(a, &na), *sb = seqs_sorted(b, &nb);

		if (na != nb) {
			printf("  %zu sequences / %zu\n", na, nb);
			diffs++;
		}
		for (i = 0; i < na && i < nb; i++) {
			if (sa[i].seq != sb[i].seq || sa[i].sets != sb[i].sets) {
				printf("  sequence %zu: %016llx sets %u / %016llx sets %u\n",
				       i, (unsigned long long)sa[i].seq, sa[i].sets,
				       (unsigned long long)sb[i].seq, sb[i].sets);
				diffs++;
			}
		}
		free(sa);
		free(sb);
	}
	return diffs;
}

static int rec_empty(const struct ebph_profile_rec *rec)
{
	static const struct ebph_profile_rec zero;

	return memcmp(rec, &zero, sizeof(zero)) == 0;
}

static int read_bytes(const char *path, uint8_t **bufp, size_t *sizep)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return -EIO;
	}
	n = read(fd, buf, st.st_size + 1);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return -EIO;
	}
	*bufp = buf;
	*sizep = n;
	return 0;
}

static int write_bytes(const char *path, const void *buf, size_t size,
		       mode_t mode)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, size) != (ssize_t)size || fchmod(fd, mode))
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static int mkdir_in(char *out, size_t len, const char *name, mode_t mode)
{
	path_in(out, len, root, name);
	if (mkdir(out, mode) || chmod(out, mode))	/* chmod: past the umask */
		return -errno;
	return 0;
}

/* Entries in DIR besides . and .., or -1. */
static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The good file's bytes, made once by profile_save(). */
static uint8_t *good;
static size_t good_size;

static int make_good_bytes(void)
{
	struct ebph_profile_rec rec;
	char dir[128], file[192];
	int err;

	if (mkdir_in(dir, sizeof(dir), "good", 0700))
		return -1;
	make_rec(&rec, KEY);
	err = profile_save(dir, &rec, B2R);
	profile_rec_free(&rec);
	if (err)
		return err;
	path_in(file, sizeof(file), dir, NAME);
	return read_bytes(file, &good, &good_size);
}

/* ---- the tests -------------------------------------------------------- */

static void test_fnv(void)
{
	TEST("fnv1a64");
	/* Reference values from the FNV authors' test suite. */
	CHECK(profile_fnv1a64("", 0) != 0xcbf29ce484222325ULL, "empty");
	CHECK(profile_fnv1a64("a", 1) != 0xaf63dc4c8601ec8cULL, "a");
	CHECK(profile_fnv1a64("foobar", 6) != 0x85944171f73967e8ULL, "foobar");

	/* Runs of zeros are hashed by powers of the prime: the same value
	 * as the plain loop, for runs of every length and alignment, at
	 * either end, and for a buffer of zeros alone. */
	{
		static uint8_t buf[3000];
		unsigned int seed = 1, i, len, bad = 0;

		for (len = 0; len < sizeof(buf); len += 1 + len / 7) {
			uint64_t h = 0xcbf29ce484222325ULL;

			for (i = 0; i < len; i++) {
				seed = seed * 1103515245 + 12345;
				/* mostly zeros, like a row */
				buf[i] = (seed >> 16) % 11 ? 0 : (uint8_t)(seed >> 8);
				if (len % 5 == 0)
					buf[i] = 0;
			}
			for (i = 0; i < len; i++) {
				h ^= buf[i];
				h *= 0x100000001b3ULL;
			}
			bad += profile_fnv1a64(buf, len) != h;
		}
		CHECK_EQ(bad, 0, "lengths where the zero runs hash differently");
	}
}

static void test_round_trip(void)
{
	struct ebph_profile_rec rec, back;
	char dir[128], file[192], why[160];
	uint8_t *buf;
	size_t size;
	struct stat st;
	int err;

	TEST("round_trip");
	CHECK(mkdir_in(dir, sizeof(dir), "rt", 0700), "mkdir %s", dir);
	make_rec(&rec, KEY);
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "profile_save: %s", strerror(-err));
	CHECK_EQ(count_entries(dir), 1, "entries after save (no tmp file)");

	path_in(file, sizeof(file), dir, NAME);
	CHECK(stat(file, &st), "stat %s: %m", file);
	CHECK_EQ(st.st_uid, 0, "owner");
	CHECK_EQ(st.st_mode & 07777, 0600, "mode");
	CHECK_EQ(st.st_size, GOOD_SIZE, "size");

	/* The bytes, where the format says they are. */
	if (!CHECK(read_bytes(file, &buf, &size), "read %s", file)) {
		CHECK(memcmp(buf, "EBPHPROF", 8), "magic");
		CHECK_EQ(get32(buf + H_VERSION), 4, "version");
		CHECK_EQ(get32(buf + H_NCALLS), 512, "num_syscalls");
		CHECK_EQ(get32(buf + H_SEQLEN), 9, "seqlen");
		CHECK_EQ(get32(buf + H_HSIZE), 344, "header size");
		CHECK(get64(buf + H_KEY) != KEY, "key");
		CHECK_EQ(get32(buf + H_STATUS), EBPH_FROZEN | EBPH_NORMAL, "status");
		CHECK(get64(buf + H_COUNT) != 0x00dcba9876543211ULL, "count");
		CHECK(get64(buf + H_NTIME) != NORMAL_TIME + B2R,
		      "normal_time on disk is wall clock: %llu",
		      (unsigned long long)get64(buf + H_NTIME));
		CHECK(strcmp((char *)buf + H_PATH, rec.path), "path");
		CHECK_EQ(get32(buf + H_ROWS), NROWS, "row count");
		CHECK_EQ(get32(buf + H_FLAGS), 1, "flags: a test set of sequences");
		CHECK_EQ(get32(buf + H_NSEQS), NSEQS, "sequence count: those in a set");
		CHECK_EQ(get32(buf + H_OWNER), OWNER, "owner");
		/* First row: train set, call 0; first test row after the
		 * train rows, the i386 ones last. */
		CHECK_EQ(get32(buf + H_ROW0), 0, "row 0 call/set");
		CHECK_EQ(get32(buf + H_ROW0 + (NTRAIN - 1) * PROFILE_ROW_SIZE),
			 1022, "last train row: i386 510");
		CHECK_EQ(get32(buf + H_ROW0 + NTRAIN * PROFILE_ROW_SIZE),
			 0 | 1 << 16, "first test row: call 0, test set");
		CHECK(memcmp(buf + H_ROW0 + 4, rec.rows[0][0], 512), "row 0 bytes");
		/* The sequences after the rows, ascending, with their sets. */
		{
			static const int order[NSEQS] = { 4, 0, 2, 3, 1 };
			int k;

			for (k = 0; k < (int)NSEQS; k++) {
				const uint8_t *q = buf + H_SEQ0 + k * PROFILE_SEQ_SIZE;

				CHECK(get64(q) != seq_def(order[k]),
				      "sequence %d: %016llx, want %016llx", k,
				      (unsigned long long)get64(q),
				      (unsigned long long)seq_def(order[k]));
				CHECK_EQ(get32(q + 8), seq_defs[order[k]].sets, "sets");
			}
			CHECK(get64(buf + H_SEQ0 + PROFILE_SEQ_SIZE) !=
			      (1 | 59ULL << 20 | 257ULL << 30 | 510ULL << 40 | 3ULL << 50),
			      "the full sequence, packed by hand");
		}
		CHECK(get64(buf + size - 8) != profile_fnv1a64(buf, size - 8),
		      "checksum");
		free(buf);
	}

	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "profile_load: %d %s", err, why);
	CHECK(rec_diff(&rec, &back), "loaded profile differs from saved");
	CHECK_EQ(profile_rec_bytes(&back), NROWS * 512 + NSEQS * 24,
		 "profile_rec_bytes: 512 a row, 24 a sequence");
	CHECK(back.prof.seq_epoch != 1 || back.prof.seq_train_from != 1 ||
	      back.prof.seq_test_from != 0 || back.prof.seq_test_to != 1,
	      "loaded epochs %u %u [%u, %u), want the canonical 1 1 [0, 1)",
	      back.prof.seq_epoch, back.prof.seq_train_from,
	      back.prof.seq_test_from, back.prof.seq_test_to);
	profile_rec_free(&back);
	CHECK(!rec_empty(&back), "profile_rec_free leaves it zeroed");

	/* Another boot: the wall-clock deadline moves in boot time. */
	err = profile_load(file, &back, B2R - 2000000000LL, why, sizeof(why));
	CHECK(err, "load, earlier boot: %s", why);
	CHECK(back.prof.normal_time != NORMAL_TIME + 2000000000ULL,
	      "normal_time 2 s later in boot time: %llu",
	      (unsigned long long)back.prof.normal_time);
	profile_rec_free(&back);
	/* Booted 1000 s after the deadline: due now, and still nonzero. */
	err = profile_load(file, &back, B2R + 1000000000000LL, why, sizeof(why));
	CHECK(err, "load, later boot: %s", why);
	CHECK_EQ(back.prof.normal_time, 1, "passed deadline clamps to 1");
	profile_rec_free(&back);

	/* 0 means "not set", on disk and back. */
	rec.prof.normal_time = 0;
	rec.prof.status = 0;
	rec.prof.count++;
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save over the old file: %s", strerror(-err));
	CHECK_EQ(count_entries(dir), 1, "entries after second save");
	if (!CHECK(read_bytes(file, &buf, &size), "read again")) {
		CHECK(get64(buf + H_NTIME) != 0, "normal_time 0 on disk");
		free(buf);
	}
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "load again: %s", why);
	CHECK(rec_diff(&rec, &back), "second round trip");
	profile_rec_free(&back);

	/* Epochs as the kernel leaves them (a few resets and
	 * normalizations later): the test set still exists, and loads in
	 * the canonical epochs. */
	rec.prof.seq_epoch = 17;
	rec.prof.seq_train_from = 12;
	rec.prof.seq_test_from = 5;
	rec.prof.seq_test_to = 11;
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save, kernel epochs: %s", strerror(-err));
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "load, kernel epochs: %s", why);
	profile_seq_epochs(&rec.prof, 1);
	CHECK(rec_diff(&rec, &back), "kernel epochs round trip");
	profile_rec_free(&back);

	/* No test set of sequences (normal while the detector was off):
	 * flag 0 on disk, and none after the load. */
	for (size_t i = 0; i < rec.nseqs; i++)
		rec.seqs[i].sets &= ~PROFILE_SEQ_TEST;
	rec.prof.seq_epoch = 4;
	rec.prof.seq_train_from = 3;
	rec.prof.seq_test_from = rec.prof.seq_test_to = 2;
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save without a test set: %s", strerror(-err));
	if (!CHECK(read_bytes(file, &buf, &size), "read again")) {
		CHECK_EQ(get32(buf + H_FLAGS), 0, "flags without a test set");
		CHECK_EQ(get32(buf + H_NSEQS), NSEQS - 1,
			 "sequence count: the test-only one is in no set now");
		free(buf);
	}
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "load without a test set: %s", why);
	CHECK(back.prof.seq_test_to != back.prof.seq_test_from,
	      "a test set of sequences appeared: [%u, %u)",
	      back.prof.seq_test_from, back.prof.seq_test_to);
	profile_seq_epochs(&rec.prof, 0);
	CHECK(rec_diff(&rec, &back), "round trip without a test set");
	profile_rec_free(&back);

	/* A profile with no rows at all, and an empty path. */
	profile_rec_free(&rec);
	rec.prof.key = KEY;
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save empty: %s", strerror(-err));
	CHECK(stat(file, &st), "stat");
	CHECK_EQ(st.st_size, PROFILE_EMPTY_SIZE, "empty profile size");
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "load empty: %s", why);
	profile_seq_epochs(&rec.prof, 0);
	CHECK(rec_diff(&rec, &back), "empty round trip");
	profile_rec_free(&back);

	/* An empty test set of sequences is still a test set. */
	profile_seq_epochs(&rec.prof, 1);
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save an empty test set: %s", strerror(-err));
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "load an empty test set: %s", why);
	CHECK(rec_diff(&rec, &back), "empty test set round trip");
	profile_rec_free(&back);
}

/* The file format's packing is the kernel's: ebph_seq_pack() of a
 * window as struct ebph_task holds it (16-bit lanes, seq[0] newest). */
static void test_seq_pack(void)
{
	TEST("seq_pack");
	for (size_t i = 0; i < NSEQS_IN; i++) {
		uint16_t lanes[8];
		uint64_t w0, w1;

		for (int j = 0; j < 8; j++)
			lanes[j] = j < EBPH_SEQ_CALLS ? seq_defs[i].calls[j] : 77;
		memcpy(&w0, &lanes[0], 8);
		memcpy(&w1, &lanes[4], 8);
		CHECK(ebph_seq_pack(w0, w1) != seq_def(i),
		      "sequence %zu: ebph_seq_pack %016llx, the format %016llx", i,
		      (unsigned long long)ebph_seq_pack(w0, w1),
		      (unsigned long long)seq_def(i));
	}
}

/* profile_dir_sweep(): the temporary files of cut-short saves go, and
 * nothing else. */
static void test_sweep(void)
{
	static const char *const tmps[] = {
		".0000080300001a2b.prof.tmp", ".ffffffffffffffff.prof.tmp",
	};
	static const char *const keep[] = {
		"0000080300001a2b.prof", ".0000080300001a2b.prof", ".notes.tmp",
		".0000080300001A2B.prof.tmp", ".000008030001a2b.prof.tmp", "x.prof.tmp",
	};
	char dir[128], file[192];
	size_t i;

	TEST("sweep");
	CHECK(mkdir_in(dir, sizeof(dir), "sweep", 0700), "mkdir");
	for (i = 0; i < sizeof(tmps) / sizeof(tmps[0]); i++) {
		path_in(file, sizeof(file), dir, tmps[i]);
		CHECK(write_bytes(file, (const uint8_t *)"x", 1, 0600), "write %s", tmps[i]);
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		path_in(file, sizeof(file), dir, keep[i]);
		CHECK(write_bytes(file, (const uint8_t *)"x", 1, 0600), "write %s", keep[i]);
	}
	CHECK_EQ(profile_dir_sweep(dir), 2, "temporary files removed");
	for (i = 0; i < sizeof(tmps) / sizeof(tmps[0]); i++) {
		path_in(file, sizeof(file), dir, tmps[i]);
		CHECK(!access(file, F_OK), "%s still there", tmps[i]);
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		path_in(file, sizeof(file), dir, keep[i]);
		CHECK(access(file, F_OK), "%s removed", keep[i]);
		unlink(file);
	}
	CHECK_EQ(profile_dir_sweep(dir), 0, "none the second time");
	rmdir(dir);
}

static void test_save_tmp(void)
{
	struct ebph_profile_rec rec, back;
	char dir[128], tmp[192], target[192], why[160];
	uint8_t *buf = NULL;
	size_t size = 0;
	int err;

	TEST("save_tmp");
	CHECK(mkdir_in(dir, sizeof(dir), "tmp", 0700), "mkdir");
	/* A stale temporary file that is a symlink to something precious:
	 * the save must remove the link, not write through it. */
	path_in(target, sizeof(target), root, "precious");
	CHECK(write_bytes(target, "precious", 8, 0600), "write target");
	path_in(tmp, sizeof(tmp), dir, "." NAME ".tmp");
	CHECK(symlink(target, tmp), "symlink: %m");

	make_rec(&rec, KEY);
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save with a stale tmp symlink: %s", strerror(-err));
	CHECK(access(tmp, F_OK) == 0 || errno != ENOENT, "tmp file left behind");
	CHECK_EQ(count_entries(dir), 1, "entries");
	if (!CHECK(read_bytes(target, &buf, &size), "read target"))
		CHECK(size != 8 || memcmp(buf, "precious", 8), "target changed");
	free(buf);

	/* A stale regular tmp file. */
	CHECK(write_bytes(tmp, "junk", 4, 0600), "write stale tmp");
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save with a stale tmp file: %s", strerror(-err));
	CHECK_EQ(count_entries(dir), 1, "entries");
	path_in(tmp, sizeof(tmp), dir, NAME);
	err = profile_load(tmp, &back, B2R, why, sizeof(why));
	CHECK(err, "load: %s", why);
	CHECK(rec_diff(&rec, &back), "round trip");
	profile_rec_free(&back);
	profile_rec_free(&rec);
}

static void test_save_refuses(void)
{
	struct ebph_profile_rec rec;
	char dir[128], file[192];
	uint8_t *buf;
	size_t size;
	struct stat before, after;
	int err;

	TEST("save_refuses");
	CHECK(mkdir_in(dir, sizeof(dir), "saveref", 0700), "mkdir");
	make_rec(&rec, KEY);

	/* Never write what the loader would refuse. */
	memset(rec.path, 'A', sizeof(rec.path));
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "path without NUL");
	strcpy(rec.path, "/bin/x");
	rec.prof.status = 1u << 5;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "unknown status bit");
	rec.prof.status = 0;
	/* Sequences the kernel cannot make (rec.seqs[0] is the full one). */
	{
		static const struct {
			uint64_t seq;
			uint32_t sets;
			const char *what;
		} bad[] = {
			{ 511, PROFILE_SEQ_TRAIN, "a call of 511" },
			{ 5 | 0x1ffULL << 10, PROFILE_SEQ_TRAIN, "slot 1 511" },
			{ 0xffffffffffffffffULL, PROFILE_SEQ_TRAIN, "all ones" },
			{ 0x3ff | 5 << 10, PROFILE_SEQ_TRAIN, "an empty newest slot" },
			{ 5 | 0x3ffULL << 10 | 5ULL << 20, PROFILE_SEQ_TRAIN,
			  "a call after an empty slot" },
			{ 5, 4, "unknown set bit" },
		};
		struct ebph_seq_rec keep = rec.seqs[0];

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			rec.seqs[0].seq = bad[i].seq;
			rec.seqs[0].sets = bad[i].sets;
			CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, bad[i].what);
		}
		rec.seqs[0] = keep;
		rec.seqs[1].seq = rec.seqs[0].seq;
		CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "a sequence twice");
		rec.seqs[1].seq = seq_def(1);
		profile_seq_epochs(&rec.prof, 0);
		CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL,
			 "sequences in a test set the profile does not have");
		profile_seq_epochs(&rec.prof, 1);
	}
	CHECK_EQ(count_entries(dir), 0, "nothing written");

	/* Never replace a refused file. */
	path_in(file, sizeof(file), dir, NAME);
	good[100] ^= 1;
	CHECK(write_bytes(file, good, good_size, 0600), "write corrupt");
	good[100] ^= 1;
	CHECK(stat(file, &before), "stat");
	err = profile_save(dir, &rec, B2R);
	CHECK_EQ(err, -EEXIST, "save over a refused file");
	CHECK(stat(file, &after), "stat");
	CHECK(before.st_ino != after.st_ino ||
	      before.st_mtim.tv_nsec != after.st_mtim.tv_nsec,
	      "refused file replaced");
	if (!CHECK(read_bytes(file, &buf, &size), "read")) {
		CHECK(size != good_size || buf[100] != (good[100] ^ 1),
		      "refused file changed");
		free(buf);
	}
	CHECK_EQ(count_entries(dir), 1, "no tmp file left");

	CHECK_EQ(profile_save("/nonexistent/ebph", &rec, B2R), -ENOENT,
		 "missing directory");
	profile_rec_free(&rec);
}

/* Write BUF as DIR/NAME (mode MODE, then owner UID), load it, expect a
 * refusal whose reason contains WANT, and the file unchanged. */
static void expect_refused(const char *what, const char *dir, const char *name,
			   const uint8_t *buf, size_t size, mode_t mode,
			   uid_t uid, const char *want)
{
	struct ebph_profile_rec rec;
	char file[192], why[160] = "";
	struct stat before, after;
	uint8_t *now = NULL;
	size_t now_size = 0;
	int err;

	path_in(file, sizeof(file), dir, name);
	unlink(file);
	if (CHECK(write_bytes(file, buf, size, mode), "%s: write", what))
		return;
	if (uid && CHECK(chown(file, uid, uid), "%s: chown: %m", what))
		return;
	CHECK(lstat(file, &before), "%s: stat", what);

	memset(&rec, 0xa5, sizeof(rec));	/* must come back empty */
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err >= 0, "%s: loaded, should be refused", what);
	CHECK(!strstr(why, want), "%s: reason '%s', want '%s'", what, why, want);
	CHECK(!rec_empty(&rec), "%s: rec not left empty", what);
	if (err >= 0)
		profile_rec_free(&rec);

	CHECK(lstat(file, &after), "%s: stat after", what);
	CHECK(before.st_ino != after.st_ino || before.st_mode != after.st_mode ||
	      before.st_uid != after.st_uid || before.st_size != after.st_size ||
	      before.st_mtim.tv_sec != after.st_mtim.tv_sec ||
	      before.st_mtim.tv_nsec != after.st_mtim.tv_nsec,
	      "%s: file metadata changed", what);
	if (!CHECK(read_bytes(file, &now, &now_size), "%s: read after", what)) {
		CHECK(now_size != size || memcmp(now, buf, size),
		      "%s: file bytes changed", what);
		free(now);
	}
	unlink(file);
}

/* The sequences of the good file (B, N bytes), each wrong in one way,
 * re-checksummed.  In the file they are, sorted: 0 all zeros (train and
 * test), 1 the full one (both), 2 all i386 510 (train), 3 {2, 1} (test),
 * 4 {0} (train). */
static void test_seq_refusals(const char *dir, uint8_t *b, size_t n)
{
#define Q(k) (b + H_SEQ0 + (k) * PROFILE_SEQ_SIZE)
#define FRESH() memcpy(b, good, n)
#define REFUSED(what, want) do {					\
	resum(b, n);							\
	expect_refused(what, dir, NAME, b, n, 0600, 0, want);		\
} while (0)
	uint8_t tmp[PROFILE_SEQ_SIZE];

	TEST("seq_refusals");
	FRESH();
	CHECK(get64(Q(0)) != 0 || get64(Q(1)) != seq_def(0) || get64(Q(4)) != seq_def(1),
	      "the good file's sequences are not where this test expects them");

	/* Slots: a call symbol, or 0x3ff for empty; nothing else: not 511,
	 * which the kernel skips.  (An i386 symbol in a version 2 file is
	 * refused by the same check as its rows, in test_refusals().) */
	FRESH(); put64(Q(0), 511);
	REFUSED("call 511", "bad sequence 00000000000001ff: slot 0 is 511, neither a call nor empty (0x3ff)");
	FRESH(); put64(Q(0), 0x1ffULL << 50);
	REFUSED("slot 5 511", "slot 5 is 511, neither a call nor empty");
	FRESH(); put64(Q(0), 1ULL << 60);
	REFUSED("bit 60", "bad sequence 1000000000000000: bits set above its 6 slots");
	FRESH(); put64(Q(0), 1ULL << 63);
	REFUSED("bit 63", "bits set above its 6 slots");
	/* Empty slots only trail: the window fills from the newest. */
	FRESH(); put64(Q(0), 4 | 0x3ffULL << 10);
	REFUSED("a call after an empty slot", "slot 1 is empty but slot 2 holds a call");
	FRESH(); put64(Q(1), get64(Q(1)) | 0x3ffULL << 40);
	REFUSED("an empty slot between calls", "slot 4 is empty but slot 5 holds a call");
	FRESH(); put64(Q(4), 0x0fffffffffffffffULL);
	REFUSED("no call at all", "bad sequence 0fffffffffffffff: its newest slot is empty");
	FRESH(); put64(Q(4), get64(Q(4)) | 0x3ff);
	REFUSED("newest slot empty", "its newest slot is empty");

	/* Sets: train, test, or both. */
	FRESH(); put32(Q(2) + 8, 0);
	REFUSED("sets 0", "in no set");
	FRESH(); put32(Q(2) + 8, 1 | 4);
	REFUSED("sets bit 2", "unknown set bits 0x4");
	FRESH(); put32(Q(2) + 8, 0x80000000u);
	REFUSED("sets bit 31", "unknown set bits 0x80000000");
	FRESH(); put32(b + H_FLAGS, 0);
	REFUSED("a test sequence without a test set",
		"sequence 0000000000000000 in the test set, but the profile has no test set of sequences");

	/* Each sequence once, in ascending order. */
	FRESH(); memcpy(Q(2), Q(1), 8);
	REFUSED("duplicate", "duplicate sequence");
	FRESH(); memcpy(tmp, Q(1), sizeof(tmp)); memcpy(Q(1), Q(2), sizeof(tmp));
	memcpy(Q(2), tmp, sizeof(tmp));
	REFUSED("out of order", "sequences out of order");
#undef REFUSED
#undef FRESH
#undef Q
	TEST("refusals");
}

/* make_rec() without its i386 rows: the profile a version 1 or 2 file
 * can hold (9 rows). */
#define NROWS_X86	9
static void make_rec_x86(struct ebph_profile_rec *rec, uint64_t key)
{
	int set, call;

	make_rec(rec, key);
	for (set = 0; set < 2; set++)
		for (call = EBPH_I386; call < EBPH_NUM_CALLS; call++) {
			free(rec->rows[set][call]);
			rec->rows[set][call] = NULL;
		}
}

/* That profile as version 1 wrote it: the header up to the row count,
 * 4 reserved bytes, its rows, no sequences.  Its size. */
static size_t make_v1(uint8_t *b)
{
	size_t n = V1_ROW0 + NROWS_X86 * PROFILE_ROW_SIZE + 8, size;
	struct ebph_profile_rec rec;
	char dir[128], file[192];
	uint8_t *x86 = NULL;

	if (mkdir_in(dir, sizeof(dir), "x86", 0700) && errno != EEXIST)
		return 0;
	make_rec_x86(&rec, KEY);
	path_in(file, sizeof(file), dir, NAME);
	if (profile_save(dir, &rec, B2R) || read_bytes(file, &x86, &size)) {
		profile_rec_free(&rec);
		return 0;
	}
	profile_rec_free(&rec);
	memcpy(b, x86, H_FLAGS);
	put32(b + H_VERSION, 1);
	put32(b + H_HSIZE, 336);
	put32(b + H_FLAGS, 0);
	memcpy(b + V1_ROW0, x86 + H_ROW0, NROWS_X86 * PROFILE_ROW_SIZE);
	resum(b, n);
	free(x86);
	return n;
}

/* Version 1 files still load: no sequences, and no test set of them. */
static void test_v1(void)
{
	struct ebph_profile_rec rec, back;
	char dir[128], file[192], why[160];
	uint8_t *b = malloc(GOOD_SIZE + 16), *buf;
	size_t n = make_v1(b), size;
	int err;

	TEST("v1");
	CHECK(mkdir_in(dir, sizeof(dir), "v1", 0700), "mkdir");
	path_in(file, sizeof(file), dir, NAME);
	CHECK(write_bytes(file, b, n, 0600), "write");
	err = profile_load(file, &back, B2R, why, sizeof(why));
	CHECK(err, "a version 1 file refused: %s", why);
	make_rec_x86(&rec, KEY);
	free(rec.seqs);
	rec.seqs = NULL;
	rec.nseqs = 0;
	profile_seq_epochs(&rec.prof, 0);
	/* Its path is no file: the owner cannot be known (see test_v2). */
	rec.prof.owner = EBPH_OWNER_UNKNOWN;
	CHECK(rec_diff(&rec, &back), "version 1 file loads as the profile without sequences");
	CHECK(back.prof.seq_test_to != back.prof.seq_test_from,
	      "a version 1 file has no test set of sequences");
	profile_rec_free(&back);

	/* A save over it writes version 4. */
	err = profile_save(dir, &rec, B2R);
	CHECK(err, "save over a version 1 file: %s", strerror(-err));
	if (!CHECK(read_bytes(file, &buf, &size), "read")) {
		CHECK_EQ(get32(buf + H_VERSION), 4, "version after a save");
		CHECK_EQ(get32(buf + H_OWNER), EBPH_OWNER_UNKNOWN, "owner after a save");
		CHECK_EQ(size, n + 8, "8 bytes more: the sequence count, the owner");
		free(buf);
	}
	profile_rec_free(&rec);

	/* Its own refusals. */
#define REFUSED(what, size, want) \
	expect_refused(what, dir, NAME, b, size, 0600, 0, want)
	n = make_v1(b); put32(b + H_FLAGS, 1); resum(b, n);
	REFUSED("v1 reserved", n, "reserved field 0x1, expected 0");
	n = make_v1(b); put32(b + H_HSIZE, 344); resum(b, n);
	REFUSED("v1 header size", n, "header size 344, expected 336");
	n = make_v1(b); put32(b + H_ROWS, NROWS_X86 - 1); resum(b, n);
	REFUSED("v1 one row too few", n,
		"trailing data (4988 bytes, 8 rows and 0 sequences need 4472)");
	n = make_v1(b);
	REFUSED("v1 cut after header", V1_ROW0, "short file (336 bytes)");
	b[V1_ROW0 + 10] ^= 1;
	REFUSED("v1 flip in a row", n, "checksum mismatch");
#undef REFUSED
	free(b);
}


/*
 * Files before version 4 have no owner: it comes from stat(2) of the saved path
 * when the file there is still the profile's (same key), else it is
 * EBPH_OWNER_UNKNOWN, limited like a user.  Saved again, version 4
 * keeps it.  (Version 3 here: the good file has i386 rows, which version
 * 2 cannot.)
 */
static void test_old_owner(void)
{
	struct ebph_profile_rec rec;
	char dir[128], file[192], exe[192], name[PROFILE_NAME_LEN], why[160];
	struct stat st;
	uint8_t *b = malloc(good_size);
	uint64_t key;
	int err;

	TEST("old_owner");
	CHECK(mkdir_in(dir, sizeof(dir), "v3", 0700), "mkdir");
	/* An executable owned by 1001, and a profile file for its key. */
	path_in(exe, sizeof(exe), root, "users_prog");
	CHECK(write_bytes(exe, "#!/bin/sh\n", 10, 0755), "write %s", exe);
	CHECK(chown(exe, 1001, 1001), "chown %s", exe);
	CHECK(stat(exe, &st), "stat %s", exe);
	key = ebph_profile_key(st.st_dev, st.st_ino);
	profile_file_name(key, name);
	path_in(file, sizeof(file), dir, name);

#define OLD(path) do {							\
	memcpy(b, good, good_size);					\
	put32(b + H_VERSION, 3);					\
	put32(b + H_OWNER, 0);						\
	put64(b + H_KEY, key);						\
	memset(b + H_PATH, 0, EBPH_PATH_LEN);				\
	strcpy((char *)b + H_PATH, path);				\
	resum(b, good_size);						\
	CHECK(write_bytes(file, b, good_size, 0600), "write v3");	\
} while (0)
	OLD(exe);
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 refused: %s", why);
	CHECK_EQ(rec.prof.owner, 1001, "owner from the executable at the path");
	/* Saved again: version 4, with that owner. */
	CHECK(profile_save(dir, &rec, B2R), "save v3 as v4");
	profile_rec_free(&rec);
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v4 refused: %s", why);
	CHECK_EQ(rec.prof.owner, 1001, "owner kept in version 4");
	profile_rec_free(&rec);

	/* The file at the path is another one now (an upgrade replaced
	 * it): unknown, not that file's owner. */
	OLD("/bin/sh");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 refused: %s", why);
	CHECK_EQ(rec.prof.owner, EBPH_OWNER_UNKNOWN, "another file at the path");
	profile_rec_free(&rec);
	/* No file there, or a name that is no path (a comm). */
	OLD("/nonexistent/prog");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 refused: %s", why);
	CHECK_EQ(rec.prof.owner, EBPH_OWNER_UNKNOWN, "no file at the path");
	profile_rec_free(&rec);
	CHECK(chdir(root), "chdir");
	OLD("users_prog");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 refused: %s", why);
	CHECK_EQ(rec.prof.owner, EBPH_OWNER_UNKNOWN, "a relative path is not looked up");
	profile_rec_free(&rec);
	CHECK(chdir("/"), "chdir /");
	/* Root's own executable is root's. */
	CHECK(chown(exe, 0, 0), "chown root");
	OLD(exe);
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 refused: %s", why);
	CHECK_EQ(rec.prof.owner, 0, "root's executable");
	profile_rec_free(&rec);
#undef OLD
	unlink(file);
	unlink(exe);
	free(b);
}

/*
 * Counters and states the kernel cannot produce (the table at the top
 * of profile_store.c): each refused as corrupt and left on disk, each
 * edge that the kernel can produce loaded; profile_save() refuses the
 * same, and profile_rec_settle() repairs what races between CPUs can
 * leave.
 */
static void test_contradictions(void)
{
	struct ebph_profile_rec rec;
	char dir[128], file[192], why[160];
	uint8_t *b = malloc(good_size), *nb;
	size_t n = good_size, nsize;
	int err;

	TEST("contradictions");
	CHECK(mkdir_in(dir, sizeof(dir), "contra", 0700), "mkdir");
	path_in(file, sizeof(file), dir, NAME);
#define FRESH() memcpy(b, good, n)
#define REFUSED(what, want) do {					\
	resum(b, n);							\
	expect_refused(what, dir, NAME, b, n, 0600, 0,			\
		       "counters contradict each other: " want);	\
} while (0)
#define LOADS(what) do {						\
	resum(b, n);							\
	CHECK(write_bytes(file, b, n, 0600), "%s: write", what);	\
	err = profile_load(file, &rec, B2R, why, sizeof(why));		\
	CHECK(err, "%s: refused: %s", what, why);			\
	if (!err)							\
		profile_rec_free(&rec);					\
	unlink(file);							\
} while (0)
	FRESH(); put64(b + H_TRAIN, 0x00dcba9876543212ULL);
	REFUSED("train_count > count",
		"train_count 62129658859368978 > count 62129658859368977");
	FRESH(); put64(b + H_TRAIN, 0x00dcba9876543211ULL);
	LOADS("train_count == count");
	FRESH(); put64(b + H_TRAIN, 100); put64(b + H_LASTMOD, 102);
	REFUSED("last_mod_count > train_count + 1",
		"last_mod_count 102 > train_count 100 + 1");
	FRESH(); put64(b + H_TRAIN, 100); put64(b + H_LASTMOD, 101);
	LOADS("last_mod_count == train_count + 1 (a copy taken mid-call)");
	FRESH(); put64(b + H_COUNT, ~0ULL); put64(b + H_TRAIN, ~0ULL);
	put64(b + H_LASTMOD, ~0ULL);
	REFUSED("counts of 2^64 - 1", "count 18446744073709551615, at most 2^56");
	FRESH(); put64(b + H_COUNT, 1ULL << 56);
	REFUSED("count 2^56", "count 72057594037927936, at most 2^56");
	FRESH(); put64(b + H_COUNT, (1ULL << 56) - 1);
	LOADS("count 2^56 - 1");
	FRESH(); put64(b + H_NTIME, 0);
	REFUSED("frozen, no normal_time", "frozen with no normal_time");
	FRESH(); put32(b + H_STATUS, EBPH_NORMAL); put64(b + H_NTIME, 0);
	LOADS("normal, not frozen, no normal_time");

	/* Normal with no test rows: only with a test set of sequences. */
	make_rec(&rec, KEY);
	for (int c = 0; c < EBPH_NUM_CALLS; c++) {
		free(rec.rows[EBPH_TEST][c]);
		rec.rows[EBPH_TEST][c] = NULL;
	}
	rec.prof.status = EBPH_NORMAL;
	CHECK(profile_save(dir, &rec, B2R), "save normal, test set of sequences only");
	CHECK(read_bytes(file, &nb, &nsize), "read");
	profile_rec_free(&rec);	/* profile_load() overwrites it */
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "normal with a test set of sequences, no test rows: refused: %s", why);
	profile_rec_free(&rec);
	put32(nb + H_FLAGS, 0);
	/* Without the test set of sequences, the test-only sequence and
	 * the test bits go: rebuild the sequences as train only. */
	for (size_t k = 0; k < NSEQS; k++) {
		uint8_t *q = nb + H_ROW0 + get32(nb + H_ROWS) * PROFILE_ROW_SIZE +
			     k * PROFILE_SEQ_SIZE;

		put32(q + 8, PROFILE_SEQ_TRAIN);
	}
	resum(nb, nsize);
	expect_refused("normal, no test set", dir, NAME, nb, nsize, 0600, 0,
		       "counters contradict each other: normal with no test set");
	put32(nb + H_STATUS, 0);
	resum(nb, nsize);
	CHECK(write_bytes(file, nb, nsize, 0600), "write");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "training, no test set: refused: %s", why);
	profile_rec_free(&rec);
	unlink(file);
	free(nb);

	/* Version 3 was saved with the counters as CPU races left them:
	 * those two are settled, not refused; the others still are. */
	FRESH(); put32(b + H_VERSION, 3); put32(b + H_OWNER, 0);
	put64(b + H_TRAIN, 0x00dcba9876543300ULL); put64(b + H_LASTMOD, 0x00dcba9876543400ULL);
	resum(b, n);
	CHECK(write_bytes(file, b, n, 0600), "v3 racy: write");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err, "v3 with racy counters refused: %s", why);
	if (!err) {
		CHECK_EQ(rec.prof.count, 0x00dcba9876543300ULL, "v3 count settled");
		CHECK_EQ(rec.prof.last_mod_count, 0x00dcba9876543300ULL,
			 "v3 last_mod_count settled");
		profile_rec_free(&rec);
	}
	unlink(file);
	FRESH(); put32(b + H_VERSION, 3); put32(b + H_OWNER, 0); put64(b + H_NTIME, 0);
	REFUSED("v3 frozen, no normal_time", "frozen with no normal_time");

	/* profile_save() writes none of them. */
	make_rec(&rec, KEY);
	rec.prof.train_count = rec.prof.count + 1;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save train_count > count");
	rec.prof.train_count = 10;
	rec.prof.last_mod_count = 12;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save last_mod_count > train_count + 1");
	rec.prof.last_mod_count = 5;
	rec.prof.count = 1ULL << 56;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save count 2^56");
	rec.prof.count = 100;
	rec.prof.normal_time = 0;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save frozen, no normal_time");
	rec.prof.normal_time = NORMAL_TIME;
	rec.prof.owner = EBPH_OWNER_ALL;
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save owner -1");
	rec.prof.owner = OWNER;
	for (int c = 0; c < EBPH_NUM_CALLS; c++) {
		free(rec.rows[EBPH_TEST][c]);
		rec.rows[EBPH_TEST][c] = NULL;
	}
	for (size_t k = 0; k < rec.nseqs; k++)
		rec.seqs[k].sets &= ~PROFILE_SEQ_TEST;
	profile_seq_epochs(&rec.prof, 0);
	CHECK_EQ(profile_save(dir, &rec, B2R), -EINVAL, "save normal with no test set");
	CHECK_EQ(count_entries(dir), 0, "nothing written");

	/* What races between CPUs leave, settled so that it saves. */
	rec.prof.status = 0;
	rec.prof.count = 40;
	rec.prof.train_count = 42;	/* a lost increment of count */
	rec.prof.last_mod_count = 50;	/* a reset raced a call */
	profile_rec_settle(&rec);
	CHECK_EQ(rec.prof.count, 42, "settled count");
	CHECK_EQ(rec.prof.train_count, 42, "settled train_count");
	CHECK_EQ(rec.prof.last_mod_count, 42, "settled last_mod_count");
	CHECK(profile_save(dir, &rec, B2R), "save settled");
	/* A normal profile whose test set is gone (a full rows map in the
	 * kernel's copy) is settled to training, so that it saves. */
	rec.prof.status = EBPH_NORMAL;
	profile_rec_settle(&rec);
	CHECK_EQ(rec.prof.status, 0, "a normal profile with no test set settles to training");
	CHECK(profile_save(dir, &rec, B2R), "save it settled");
	profile_rec_free(&rec);
	unlink(file);

	/* A 32-bit program's normal profile: its test rows are all i386
	 * ones, and it saves (the test set was counted over x86_64 calls
	 * only: -EINVAL at every save). */
	make_rec(&rec, KEY);
	for (int c = 0; c < EBPH_I386; c++) {
		free(rec.rows[EBPH_TRAIN][c]);
		free(rec.rows[EBPH_TEST][c]);
		rec.rows[EBPH_TRAIN][c] = rec.rows[EBPH_TEST][c] = NULL;
	}
	for (size_t k = 0; k < rec.nseqs; k++)
		rec.seqs[k].sets &= ~PROFILE_SEQ_TEST;
	profile_seq_epochs(&rec.prof, 0);
	rec.prof.status = EBPH_NORMAL;
	CHECK(profile_save(dir, &rec, B2R), "save a normal profile of i386 calls only");
	profile_rec_free(&rec);
	unlink(file);
#undef LOADS
#undef REFUSED
#undef FRESH
	free(b);
}

static void test_refusals(void)
{
	uint8_t *b = malloc(PROFILE_MAX_SIZE + 16);
	size_t n = good_size, r1 = H_ROW0 + PROFILE_ROW_SIZE;
	char dir[128];

	TEST("refusals");
	CHECK(mkdir_in(dir, sizeof(dir), "bad", 0700), "mkdir");
#define FRESH() memcpy(b, good, n)
#define REFUSED(what, size, want) \
	expect_refused(what, dir, NAME, b, size, 0600, 0, want)

	/* Truncated: in the header, at its end, mid-row, in the checksum. */
	FRESH();
	REFUSED("empty", 0, "short file (0 bytes)");
	REFUSED("cut in header", 100, "short file (100 bytes)");
	REFUSED("cut before the sequence count", V1_ROW0, "short file (336 bytes)");
	REFUSED("cut after header", H_ROW0, "short file (344 bytes)");
	REFUSED("cut mid-row", H_ROW0 + 700,
		"short file (1044 bytes, 12 rows and 5 sequences need 6604)");
	REFUSED("cut mid-sequence", H_SEQ0 + 20,
		"short file (6556 bytes, 12 rows and 5 sequences need 6604)");
	REFUSED("cut in checksum", n - 3, "short file");
	REFUSED("no checksum", n - 8, "short file");
	b[n] = 0;
	REFUSED("one byte extra", n + 1, "trailing data");

	/* One flipped byte, left with the old checksum. */
	FRESH(); b[H_COUNT + 3] ^= 0x10;
	REFUSED("flip in counters", n, "checksum mismatch");
	FRESH(); b[H_PATH + 2] ^= 0x01;
	REFUSED("flip in path", n, "checksum mismatch");
	FRESH(); b[r1 + 4 + 300] ^= 0x80;
	REFUSED("flip in a row", n, "checksum mismatch");
	FRESH(); b[H_SEQ0 + PROFILE_SEQ_SIZE + 2] ^= 0x01;
	REFUSED("flip in a sequence", n, "checksum mismatch");
	FRESH(); b[H_SEQ0 + 8] ^= 0x02;
	REFUSED("flip in a sequence's sets", n, "checksum mismatch");
	FRESH(); b[H_FLAGS] ^= 0x01;
	REFUSED("flip in the flags", n, "checksum mismatch");
	FRESH(); b[n - 5] ^= 0x04;
	REFUSED("flip in checksum", n, "checksum mismatch");

	/* One wrong field each, re-checksummed. */
	FRESH(); memcpy(b, "EBPHPROX", 8); resum(b, n);
	REFUSED("magic", n, "bad magic");
	FRESH(); put32(b + H_VERSION, 5); resum(b, n);
	REFUSED("version 5", n, "format version 5, expected 1 to 4");
	FRESH(); put32(b + H_VERSION, 0); resum(b, n);
	REFUSED("version 0", n, "format version 0, expected 1 to 4");
	FRESH(); put32(b + H_NCALLS, 256); resum(b, n);
	REFUSED("256 calls", n, "alphabet 256 calls/seqlen 9, expected 512/9");
	FRESH(); put32(b + H_SEQLEN, 6); resum(b, n);
	REFUSED("seqlen 6", n, "alphabet 512 calls/seqlen 6, expected 512/9");
	FRESH(); put32(b + H_HSIZE, 400); resum(b, n);
	REFUSED("header size", n, "header size 400, expected 344");
	FRESH(); put32(b + H_HSIZE, 336); resum(b, n);
	REFUSED("version 1's header size", n, "header size 336, expected 344");
	FRESH(); put32(b + H_ROWS, 1000000000); resum(b, n);
	REFUSED("a billion rows", n, "row count 1000000000, at most 2048");
	FRESH(); put32(b + H_ROWS, NROWS - 1); resum(b, n);
	REFUSED("one row too few", n, "trailing data");
	FRESH(); put32(b + H_ROWS, NROWS + 1); resum(b, n);
	REFUSED("one row too many", n, "short file");
	FRESH(); put32(b + H_VERSION, 3); put32(b + H_OWNER, 1); resum(b, n);
	REFUSED("version 3 reserved", n, "reserved field 0x1, expected 0");
	FRESH(); put32(b + H_VERSION, 2); put32(b + H_OWNER, 1); resum(b, n);
	REFUSED("version 2 reserved", n, "reserved field 0x1, expected 0");
	FRESH(); put32(b + H_OWNER, 0xffffffffU); resum(b, n);
	REFUSED("owner -1", n, "owner uid 4294967295 is no uid");
	FRESH(); put32(b + H_FLAGS, 1 | 4); resum(b, n);
	REFUSED("flag bits", n, "unknown flags 0x4");
	FRESH(); put32(b + H_NSEQS, 1u << 30); resum(b, n);
	REFUSED("a billion sequences", n, "sequence count 1073741824, at most 262144");
	FRESH(); put32(b + H_NSEQS, PROFILE_MAX_SEQS + 1); resum(b, n);
	REFUSED("one sequence past the map", n, "sequence count 262145, at most 262144");
	FRESH(); put32(b + H_NSEQS, NSEQS - 1); resum(b, n);
	REFUSED("one sequence too few", n, "trailing data");
	FRESH(); put32(b + H_NSEQS, NSEQS + 1); resum(b, n);
	REFUSED("one sequence too many", n, "short file");
	FRESH(); put32(b + H_STATUS, EBPH_NORMAL | 0x10); resum(b, n);
	REFUSED("status bits", n, "unknown status bits 0x10");
	FRESH(); memset(b + H_PATH, 'A', EBPH_PATH_LEN); resum(b, n);
	REFUSED("path without NUL", n, "path not NUL-terminated");
	FRESH(); put32(b + r1, 511); resum(b, n);	/* call 511, train set */
	REFUSED("call 511", n, "bad row: call 511");
	FRESH(); put32(b + r1, 1023); resum(b, n);
	REFUSED("call 1023", n, "bad row: call 1023");
	FRESH(); put32(b + r1, 1024); resum(b, n);
	REFUSED("call 1024", n, "bad row: call 1024");
	/* An i386 row in version 2, where every call was below 512. */
	FRESH(); put32(b + H_VERSION, 2); put32(b + H_OWNER, 0); resum(b, n);
	REFUSED("i386 row in version 2", n, "bad row: call 523");
	FRESH(); put32(b + r1, 1 | 2 << 16); resum(b, n);
	REFUSED("set 2", n, "bad row: call 1 set 2");
	/* Row 1 (train, call 1) made a second train row for call 0. */
	FRESH(); put32(b + r1, 0); resum(b, n);
	REFUSED("duplicate row", n, "duplicate row: call 0, train set");
	test_seq_refusals(dir, b, n);
	/* A key that does not match the file name. */
	FRESH(); put64(b + H_KEY, KEY + 1); resum(b, n);
	REFUSED("key != name", n, "name does not match key 0000080300001a2c");
	FRESH();
	expect_refused("not named after a key", dir, "backup.prof", b, n, 0600, 0,
		       "name does not match key 0000080300001a2b");
	memset(b, 0, PROFILE_MAX_SIZE + 1);
	REFUSED("too large", PROFILE_MAX_SIZE + 1, "too large");

	/* Owner and mode. */
	FRESH();
	expect_refused("owned by 65534", dir, NAME, b, n, 0600, 65534,
		       "owned by uid 65534, not root");
	expect_refused("mode 0666", dir, NAME, b, n, 0666, 0,
		       "writable by group or others (mode 0666)");
	expect_refused("mode 0620", dir, NAME, b, n, 0620, 0,
		       "writable by group or others");
	expect_refused("mode 0602", dir, NAME, b, n, 0602, 0,
		       "writable by group or others");
	/* Read-only for everyone is fine. */
	{
		struct ebph_profile_rec rec;
		char file[192], why[160];

		path_in(file, sizeof(file), dir, NAME);
		CHECK(write_bytes(file, b, n, 0444), "write 0444");
		CHECK(profile_load(file, &rec, B2R, why, sizeof(why)),
		      "mode 0444 refused: %s", why);
		profile_rec_free(&rec);
		unlink(file);
	}
#undef FRESH
#undef REFUSED
	free(b);
}

/* Things that are not regular files where a profile should be. */
static void test_not_files(void)
{
	struct ebph_profile_rec rec;
	char dir[128], file[192], target[192], why[160];
	uint8_t *buf;
	size_t size;
	int err;

	TEST("not_files");
	CHECK(mkdir_in(dir, sizeof(dir), "notfiles", 0700), "mkdir");
	path_in(file, sizeof(file), dir, NAME);

	/* A symlink to a good profile: refused, both left alone. */
	path_in(target, sizeof(target), root, "good/" NAME);
	CHECK(symlink(target, file), "symlink: %m");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK_EQ(err, -ELOOP, "symlink");
	CHECK(!strstr(why, "symbolic link"), "symlink reason: %s", why);
	CHECK(!rec_empty(&rec), "rec empty");
	CHECK(readlink(file, why, sizeof(why)) < 0, "link removed");
	if (!CHECK(read_bytes(target, &buf, &size), "target read")) {
		CHECK(size != good_size || memcmp(buf, good, size), "target changed");
		free(buf);
	}
	unlink(file);

	/* A FIFO must not block the loader (O_NONBLOCK, lstat first). */
	CHECK(mkfifo(file, 0600), "mkfifo: %m");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err >= 0 || !strstr(why, "not a regular file"), "fifo: %d %s", err, why);
	unlink(file);

	/* A directory. */
	CHECK(mkdir(file, 0700), "mkdir: %m");
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK(err >= 0 || !strstr(why, "not a regular file"), "dir: %d %s", err, why);
	rmdir(file);

	/* Missing. */
	err = profile_load(file, &rec, B2R, why, sizeof(why));
	CHECK_EQ(err, -ENOENT, "missing file");
}

struct walk {
	int loaded, refused, stop_after;
	uint64_t keys[16];
	char refused_names[16][64];
	char refused_why[16][160];
};

static int on_load(void *ctx, const char *file, struct ebph_profile_rec *rec)
{
	struct walk *w = ctx;

	(void)file;
	if (w->loaded < 16)
		w->keys[w->loaded] = rec->prof.key;
	w->loaded++;
	if (w->stop_after && w->loaded == w->stop_after)
		return -ECANCELED;
	return 0;
}

static void on_refused(void *ctx, const char *file, const char *why)
{
	struct walk *w = ctx;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

	if (w->refused < 16) {
		snprintf(w->refused_names[w->refused], 64, "%s", base);
		snprintf(w->refused_why[w->refused], 160, "%s", why);
	}
	w->refused++;
}

/* on_load() for profile_load_dir_mt(), whose threads call it at once. */
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;

static int on_load_mt(void *ctx, const char *file, struct ebph_profile_rec *rec)
{
	int ret;

	pthread_mutex_lock(&walk_lock);
	ret = on_load(ctx, file, rec);
	pthread_mutex_unlock(&walk_lock);
	return ret;
}

static int refused_for(const struct walk *w, const char *name, const char *want)
{
	for (int i = 0; i < w->refused && i < 16; i++)
		if (!strcmp(w->refused_names[i], name))
			return strstr(w->refused_why[i], want) != NULL;
	return 0;
}

static void test_load_dir(void)
{
	static const struct { const char *name; const char *want; } bad[] = {
		{ "0000000000000002.prof", "checksum mismatch" },
		{ "0000000000000004.prof", "format version 5" },
		{ "0000000000000005.prof", "owned by uid 65534" },
		{ "0000000000000006.prof", "writable by group or others" },
		{ "0000000000000007.prof", "symbolic link" },
		{ "0000000000000008.prof", "not a regular file" },
		{ "copy.prof", "name does not match key" },
	};
	struct ebph_profile_rec rec;
	char dir[128], file[192], name[PROFILE_NAME_LEN];
	uint8_t *snap[8] = { 0 }, *now;
	size_t snap_size[8], now_size;
	struct walk w;
	int ret, i;

	TEST("load_dir");
	CHECK(mkdir_in(dir, sizeof(dir), "walk", 0700), "mkdir");

	/* Good: keys 1, 3, 9. */
	for (i = 0; i < 3; i++) {
		make_rec(&rec, (uint64_t[]){ 1, 3, 9 }[i]);
		CHECK(profile_save(dir, &rec, B2R), "save good %d", i);
		profile_rec_free(&rec);
	}
	/* Bad, each made from a good one. */
	make_rec(&rec, 2);
	CHECK(profile_save(dir, &rec, B2R), "save 2");
	profile_rec_free(&rec);
	path_in(file, sizeof(file), dir, "0000000000000002.prof");
	if (!CHECK(read_bytes(file, &now, &now_size), "read 2")) {
		now[200] ^= 0xff;
		CHECK(write_bytes(file, now, now_size, 0600), "corrupt 2");
		free(now);
	}
	for (i = 4; i <= 6; i++) {
		make_rec(&rec, i);
		CHECK(profile_save(dir, &rec, B2R), "save %d", i);
		profile_rec_free(&rec);
		profile_file_name(i, name);
		path_in(file, sizeof(file), dir, name);
		if (i == 4 && !CHECK(read_bytes(file, &now, &now_size), "read 4")) {
			put32(now + H_VERSION, 5);
			resum(now, now_size);
			CHECK(write_bytes(file, now, now_size, 0600), "version 5");
			free(now);
		}
		if (i == 5)
			CHECK(chown(file, 65534, 65534), "chown 5");
		if (i == 6)
			CHECK(chmod(file, 0666), "chmod 6");
	}
	path_in(file, sizeof(file), dir, "0000000000000007.prof");
	CHECK(symlink("0000000000000001.prof", file), "symlink 7");
	path_in(file, sizeof(file), dir, "0000000000000008.prof");
	CHECK(mkfifo(file, 0600), "fifo 8");
	path_in(file, sizeof(file), dir, "copy.prof");
	CHECK(write_bytes(file, good, good_size, 0600), "copy");
	/* Skipped without a word: dotfiles, temporary files, other names. */
	path_in(file, sizeof(file), dir, ".0000000000000001.prof.tmp");
	CHECK(write_bytes(file, "x", 1, 0600), "tmp");
	path_in(file, sizeof(file), dir, ".hidden.prof");
	CHECK(write_bytes(file, "x", 1, 0600), "hidden");
	path_in(file, sizeof(file), dir, "README");
	CHECK(write_bytes(file, "x", 1, 0600), "readme");
	path_in(file, sizeof(file), dir, ".prof");
	CHECK(write_bytes(file, "x", 1, 0600), ".prof");

	for (i = 0; i < 7; i++) {
		path_in(file, sizeof(file), dir, bad[i].name);
		if (i != 4 && i != 5)	/* the symlink and the FIFO */
			read_bytes(file, &snap[i], &snap_size[i]);
	}

	memset(&w, 0, sizeof(w));
	ret = profile_load_dir(dir, on_load, on_refused, &w, B2R);
	CHECK_EQ(ret, 3, "profiles loaded");
	CHECK_EQ(w.loaded, 3, "callbacks");
	CHECK(w.keys[0] != 1 || w.keys[1] != 3 || w.keys[2] != 9,
	      "keys in name order: %llx %llx %llx", (unsigned long long)w.keys[0],
	      (unsigned long long)w.keys[1], (unsigned long long)w.keys[2]);
	CHECK_EQ(w.refused, 7, "files refused");
	for (i = 0; i < 7; i++)
		CHECK(!refused_for(&w, bad[i].name, bad[i].want),
		      "%s not refused for '%s'", bad[i].name, bad[i].want);
	for (i = 0; i < 7; i++) {
		if (!snap[i])
			continue;
		path_in(file, sizeof(file), dir, bad[i].name);
		if (!CHECK(read_bytes(file, &now, &now_size), "reread %s", bad[i].name)) {
			CHECK(now_size != snap_size[i] || memcmp(now, snap[i], now_size),
			      "%s changed", bad[i].name);
			free(now);
		}
		free(snap[i]);
	}
	CHECK_EQ(count_entries(dir), 14, "nothing added or removed");

	/* The callback can stop the walk with an error, which is returned. */
	memset(&w, 0, sizeof(w));
	w.stop_after = 2;
	ret = profile_load_dir(dir, on_load, on_refused, &w, B2R);
	CHECK_EQ(ret, -ECANCELED, "stopped by the callback");
	CHECK_EQ(w.loaded, 2, "callbacks before the stop");

	/* On several threads: the same profiles (in any order), the same
	 * refusals in the same (name) order, and the same stop. */
	for (i = 1; i <= 4; i++) {
		struct walk seq, mt;
		uint64_t sum = 0;
		int j;

		memset(&seq, 0, sizeof(seq));
		memset(&mt, 0, sizeof(mt));
		profile_load_dir(dir, on_load, on_refused, &seq, B2R);
		ret = profile_load_dir_mt(dir, on_load_mt, on_refused, &mt, B2R, i);
		CHECK_EQ(ret, 3, "mt: profiles loaded");
		CHECK_EQ(mt.loaded, 3, "mt: callbacks");
		for (j = 0; j < 3 && j < mt.loaded; j++)
			sum += mt.keys[j];
		CHECK_EQ(sum, 1 + 3 + 9, "mt: keys 1, 3 and 9");
		CHECK_EQ(mt.refused, 7, "mt: files refused");
		for (j = 0; j < 7; j++)
			CHECK(strcmp(mt.refused_names[j], seq.refused_names[j]) ||
			      strcmp(mt.refused_why[j], seq.refused_why[j]),
			      "mt, %d threads: refusal %d is %s (%s), not %s (%s)", i, j,
			      mt.refused_names[j], mt.refused_why[j],
			      seq.refused_names[j], seq.refused_why[j]);
		memset(&mt, 0, sizeof(mt));
		mt.stop_after = 1;
		CHECK_EQ(profile_load_dir_mt(dir, on_load_mt, on_refused, &mt, B2R, i),
			 -ECANCELED, "mt: stopped by the callback");
	}
	CHECK_EQ(count_entries(dir), 14, "nothing added or removed by the threads");

	/* An empty directory loads nothing. */
	CHECK(mkdir_in(dir, sizeof(dir), "empty", 0700), "mkdir empty");
	memset(&w, 0, sizeof(w));
	CHECK_EQ(profile_load_dir(dir, on_load, on_refused, &w, B2R), 0, "empty dir");
	CHECK_EQ(w.refused, 0, "empty dir refusals");
}

static void test_dir_check(void)
{
	char dir[128], inner[192], why[160];
	struct walk w;
	struct stat st;
	int err;

	TEST("dir_check");
	CHECK(mkdir_in(dir, sizeof(dir), "d", 0700), "mkdir");
	err = profile_dir_check(dir, why, sizeof(why));
	CHECK(err, "0700 root dir (under sticky /tmp) refused: %s", why);
	CHECK(chmod(dir, 0755), "chmod");
	CHECK(profile_dir_check(dir, why, sizeof(why)), "0755 refused: %s", why);

	CHECK(chmod(dir, 0777), "chmod");
	err = profile_dir_check(dir, why, sizeof(why));
	CHECK_EQ(err, -EPERM, "mode 0777");
	CHECK(!strstr(why, "writable by group or others (mode 0777)"), "why: %s", why);
	memset(&w, 0, sizeof(w));
	err = profile_load_dir(dir, on_load, on_refused, &w, B2R);
	CHECK_EQ(err, -EPERM, "load_dir on a 0777 dir");
	CHECK_EQ(w.refused, 1, "dir reported once");
	CHECK(strcmp(w.refused_names[0], "d"), "reported: %s", w.refused_names[0]);

	CHECK(chmod(dir, 0770), "chmod");
	CHECK_EQ(profile_dir_check(dir, why, sizeof(why)), -EPERM, "mode 0770");
	CHECK(chmod(dir, 01777), "chmod");
	CHECK_EQ(profile_dir_check(dir, why, sizeof(why)), -EPERM,
		 "mode 1777: sticky is no excuse for the directory itself");

	CHECK(chmod(dir, 0700) || chown(dir, 65534, 65534), "chown");
	err = profile_dir_check(dir, why, sizeof(why));
	CHECK_EQ(err, -EPERM, "owned by 65534");
	CHECK(!strstr(why, "owned by uid 65534, not root"), "why: %s", why);
	memset(&w, 0, sizeof(w));
	CHECK_EQ(profile_load_dir(dir, on_load, on_refused, &w, B2R), -EPERM,
		 "load_dir on a dir owned by 65534");
	CHECK(chown(dir, 0, 0), "chown back");

	/* A parent writable by others lets them swap the directory. */
	CHECK(mkdir_in(dir, sizeof(dir), "open", 0777), "mkdir open");
	path_in(inner, sizeof(inner), dir, "profiles");
	CHECK(mkdir(inner, 0700), "mkdir inner");
	err = profile_dir_check(inner, why, sizeof(why));
	CHECK_EQ(err, -EPERM, "parent 0777");
	CHECK(!strstr(why, "parent") || !strstr(why, "/open is writable"),
	      "why: %s", why);
	CHECK(chmod(dir, 01777), "sticky");
	CHECK(profile_dir_check(inner, why, sizeof(why)), "sticky parent refused: %s", why);
	CHECK(chmod(dir, 0755), "chmod back");

	path_in(inner, sizeof(inner), root, "good/" NAME);
	CHECK_EQ(profile_dir_check(inner, why, sizeof(why)), -ENOTDIR, "a file");
	CHECK_EQ(profile_dir_check("/nonexistent/ebph", why, sizeof(why)), -ENOENT,
		 "missing");

	/* profile_dir_create: the leaf only, 0700, fine if it exists. */
	path_in(inner, sizeof(inner), root, "created");
	CHECK(profile_dir_create(inner), "create");
	CHECK(stat(inner, &st), "stat");
	CHECK_EQ(st.st_mode & 07777, 0700, "created mode");
	CHECK(profile_dir_check(inner, why, sizeof(why)), "created dir refused: %s", why);
	CHECK(profile_dir_create(inner), "create existing");
	path_in(inner, sizeof(inner), root, "no/such/parent");
	CHECK_EQ(profile_dir_create(inner), -ENOENT, "no parents made");
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) ? -1 : 0;
}

int main(void)
{
	umask(022);
	alarm(60);	/* a loader that blocks (on a FIFO) fails, not hangs */
	if (geteuid() != 0) {
		printf("test_profile needs root (chown, root-owned files)\n");
		TEST("root");
		CHECK(1, "not root");
		return test_summary();
	}
	strcpy(root, "/tmp/ebph_test_profile_XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	if (make_good_bytes()) {
		TEST("setup");
		CHECK(1, "could not save the reference profile");
		return test_summary();
	}

	test_fnv();
	test_round_trip();
	test_seq_pack();
	test_v1();
	test_save_tmp();
	test_sweep();
	test_save_refuses();
	test_refusals();
	test_old_owner();
	test_contradictions();
	test_not_files();
	test_load_dir();
	test_dir_check();

	free(good);
	if (nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		printf("note: could not remove %s\n", root);
	return test_summary();
}
