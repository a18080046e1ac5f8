// SPDX-License-Identifier: GPL-2.0
/*
 * profile_store.c - profiles on disk (why: docs/DESIGN.md, Profile files;
 * the format is this comment).
 *
 * One file per profile, DIR/%016llx.prof, named after the profile's key
 * ((st_dev << 32) + st_ino of the executable), so that a directory can
 * never hold two files for one profile.
 *
 * File format, version 4.  Every integer is little-endian, whatever the
 * host, and written byte by byte (put_u32() and friends), so the layout
 * does not depend on a compiler's struct padding.
 *
 *   offset size  field
 *   ------ ----  ------------------------------------------------------
 *        0    8  magic "EBPHPROF" (no NUL)
 *        8    4  version: 4
 *       12    4  NUM_SYSCALLS: 512 (the width of a row; the alphabet is
 *                twice that, see EBPH_I386 in ebph.h)
 *       16    4  SEQLEN: 9 (a row byte holds SEQLEN - 1 bits)
 *       20    4  header size: 344
 *       24    8  key
 *       32    4  status: EBPH_FROZEN | EBPH_NORMAL, no other bit
 *       36    4  anomalies
 *       40    8  train_count
 *       48    8  last_mod_count
 *       56    8  count
 *       64    8  normal_time: CLOCK_REALTIME ns, 0 = none (see below)
 *       72  256  path of the executable, NUL-terminated, zero-padded
 *      328    4  row count R: at most 2048 (1024 symbols x train, test)
 *      332    4  flags: bit 0 (PROFILE_F_SEQ_TEST) the profile has a
 *                test set of sequences; no other bit
 *      336    4  sequence count S: at most 262,144 (EBPH_MAX_SEQS)
 *      340    4  owner: the uid owning the executable, not 0xffffffff
 *                (versions 2 and 3: reserved, 0)
 *      344  516  R rows, train rows by call then test rows by call:
 *                  u16 call (a symbol: x86_64 0..510, i386 512..1022),
 *                  u16 set (0 train, 1 test),
 *                  u8 row[512] (bit i-1 of row[p]: p came i calls earlier)
 *   344+516R 12  S sequences of the sequence detector, in strictly
 *                ascending order of the packed value (so no duplicates):
 *                  u64 sequence, as ebph_seq_pack() packs it: slot i
 *                    (0 the newest call) in bits 10i..10i+9, each a
 *                    call symbol or 0x3ff for an empty slot; slot 0 a
 *                    call, empty slots only after the calls (a window
 *                    fills from the newest slot), bits 60..63 zero
 *                  u32 sets: bit 0 train, bit 1 test, at least one, no
 *                    other; test only with PROFILE_F_SEQ_TEST
 *   +12S      8  checksum: FNV-1a 64 of every byte before it
 *
 * So a file is exactly 352 + 516 R + 12 S bytes, at most 4,202,848: the
 * loader knows the size it will accept before it reads a byte, and a
 * file that claims a billion rows or sequences is refused, not
 * allocated.  Only the sequences in a set are written: the kernel keeps
 * forgotten ones until a save drops them (struct ebph_seq).
 *
 * The counters must agree with each other as the kernel keeps them
 * (ebph_syscall() and the state changes in ebph_kern.c, cmd_apply() in
 * ebph_cmd.c); a file where they do not is refused as corrupt:
 *
 *   train_count <= count       every call adds one to both; only a
 *                              state change (normal, tolerize,
 *                              sensitize, normalize) resets train_count,
 *                              and nothing resets count
 *   last_mod_count <= train_count + 1
 *                              every reset zeroes both; a call adds one
 *                              to last_mod_count (or zeroes it) and then
 *                              one to train_count, so only a copy taken
 *                              between the two sees the + 1
 *   count < 2^56               the freeze test multiplies train_count by
 *                              32 and last_mod_count by 128 in signed
 *                              64-bit arithmetic; 2^56 calls are 2,000
 *                              years of a million calls a second
 *   FROZEN: normal_time != 0   freezing sets it to now + normal-wait
 *   NORMAL: a test set         test rows or a test set of sequences: a
 *                              normal profile with neither would find
 *                              every call anomalous
 *
 * The kernel's counters are plain increments shared by CPUs (ebph_kern.c,
 * top), so a lost increment can break the first rule, and a reset that
 * races a call on another CPU the second.  Not rarely: a program whose
 * two threads make 2,000,000 getppid() each on two CPUs ended three runs
 * out of three with train_count above count, by 300 to 8,800.  So
 * profile_rec_settle() puts such counters back in order before a save
 * (count raised to train_count, last_mod_count lowered to it), and a
 * save never writes what a load refuses.  Versions 1 to 3 were saved
 * without that, so their loads settle those two the same way instead of
 * refusing them; the other rules hold for every version.
 *
 * Version 3 is version 4 before profiles had owners: the owner field was
 * reserved (0), and the owner is taken from stat(2) of the saved path if
 * the file there is still the profile's (its key matches), else it is
 * EBPH_OWNER_UNKNOWN, which is limited like a user.  Not root: a flood
 * saved before owners existed would otherwise come back whole,
 * unlimited, at the first start after an upgrade; and a profile whose
 * executable is gone (deleted, or replaced by an upgrade, which makes a
 * new inode) is stale anyway.  Versions 1 and 2 find their owner the
 * same way.
 *
 * Version 1, written before the sequence detector, still loads: the
 * same fields up to offset 328, then the row count, 4 reserved bytes
 * (0) and the rows at offset 336 (header size 336), no sequences.  It
 * loads as a profile with no sequences and no test set of sequences,
 * which the kernel does not test on sequences until it is next made
 * normal.  Version 2 is version 3 before i386 calls had symbols of
 * their own: its calls are all below 512 (an i386 call made by a 64-bit
 * program was recorded under the x86_64 number).  Saves always write
 * version 4.
 *
 * The sequence sets.  In the kernel they are ranges of epochs (struct
 * ebph_seq in ebph.h); on disk they are the two bits above, and the
 * flag says whether the test set exists at all (a profile made normal
 * while the detector was off has none, which is not the same as an
 * empty one: see ebph_kern.c).  Loading sets the canonical epochs of
 * profile_seq_epochs(), which ebph_seqs_load() writes into the kernel.
 *
 * normal_time.  In the kernel it is CLOCK_BOOTTIME, which restarts at
 * every boot; on disk it is wall-clock time, so that "normal one week
 * after it froze" still means that after a reboot.  The caller passes
 * boot_to_real_ns = CLOCK_REALTIME - CLOCK_BOOTTIME.  0 means "not set"
 * and stays 0; a time that falls before this boot loads as 1, which is
 * already due but still nonzero.
 *
 * The checksum.  FNV-1a is a few lines, byte at a time, and sure to catch
 * any change confined to one byte (each step, xor then multiply by an odd
 * number mod 2^64, is a bijection of the state, so two states that differ
 * stay different), which covers the usual bit flip and torn write;
 * truncation is caught by the size check before it.  It is a checksum,
 * not a signature: anyone who can write the file can recompute it.
 * Integrity against attackers comes from elsewhere: the file and its
 * directory must be owned by root and writable by nobody else, and every
 * field is range-checked on load whatever the checksum says.
 *
 * Atomic writes.  profile_save() writes DIR/.NAME.tmp (a dotfile, which
 * the loader skips), fsyncs it, renames it over DIR/NAME and fsyncs DIR:
 * a crash leaves the old profile or the new one, and at worst a stale
 * temporary file, which the next save of that profile removes, and
 * profile_dir_sweep() at ebph's start whatever its profile.  Writers
 * take flock() on the directory, so two processes saving at once cannot
 * rename each other's half-written temporary file.  A save never
 * replaces a file that the loader refuses (see profile_save()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile_store.h"

/* Byte offsets in the header; see the table above. */
enum {
	OFF_MAGIC		= 0,
	OFF_VERSION		= 8,
	OFF_NUM_SYSCALLS	= 12,
	OFF_SEQLEN		= 16,
	OFF_HEADER_SIZE		= 20,
	OFF_KEY			= 24,
	OFF_STATUS		= 32,
	OFF_ANOMALIES		= 36,
	OFF_TRAIN_COUNT		= 40,
	OFF_LAST_MOD_COUNT	= 48,
	OFF_COUNT		= 56,
	OFF_NORMAL_TIME		= 64,
	OFF_PATH		= 72,
	OFF_ROW_COUNT		= OFF_PATH + EBPH_PATH_LEN,
	OFF_FLAGS		= OFF_ROW_COUNT + 4,	/* version 1: reserved */
	V1_HEADER_END		= OFF_FLAGS + 4,
	OFF_SEQ_COUNT		= V1_HEADER_END,
	OFF_OWNER		= OFF_SEQ_COUNT + 4,	/* versions 2, 3: reserved */
	HEADER_END		= OFF_OWNER + 4,
};
_Static_assert(HEADER_END == PROFILE_HEADER_SIZE, "header layout");
_Static_assert(OFF_KEY == PROFILE_OFF_KEY, "key offset");
_Static_assert(V1_HEADER_END == PROFILE_V1_HEADER_SIZE, "version 1 header layout");
_Static_assert(sizeof(PROFILE_MAGIC) - 1 == 8, "magic is 8 bytes");
_Static_assert(EBPH_SEQLEN - 1 <= 8, "a row byte holds SEQLEN - 1 bits");
/* The sets bits on disk are the ones in memory. */
_Static_assert(PROFILE_SEQ_TRAIN == 1 && PROFILE_SEQ_TEST == 2, "sets bits");
_Static_assert(EBPH_SEQ_CALLS * 10 <= 64, "a sequence packs in 64 bits");

#define STATUS_KNOWN	(EBPH_FROZEN | EBPH_NORMAL)
#define FLAGS_KNOWN	PROFILE_F_SEQ_TEST
#define SETS_KNOWN	(PROFILE_SEQ_TRAIN | PROFILE_SEQ_TEST)
#define SEQ_SLOT_EMPTY	0x3ff	/* what ebph_seq_pack() makes of EBPH_EMPTY */
/* profile_refuse(), by the short name every check here calls it. */
#define refuse		profile_refuse

/* ---- small helpers ---------------------------------------------------- */

#define FNV_BASIS	0xcbf29ce484222325ULL	/* FNV offset basis */
#define FNV_PRIME	0x100000001b3ULL

/*
 * FNV_PRIME to the powers 0 .. FNV_POW_MAX, mod 2^64: for the zero runs
 * below.  Filled once; every thread that calls profile_fnv1a64() needs it.
 */
#define FNV_POW_MAX	1024
static uint64_t fnv_pow[FNV_POW_MAX + 1];
static pthread_once_t fnv_once = PTHREAD_ONCE_INIT;

static void fnv_init(void)
{
	int i;

	fnv_pow[0] = 1;
	for (i = 1; i <= FNV_POW_MAX; i++)
		fnv_pow[i] = fnv_pow[i - 1] * FNV_PRIME;
}

/*
 * FNV-1a, byte by byte: h = (h ^ byte) * FNV_PRIME.  That is a multiply
 * per byte, each waiting for the one before, and at start-up every byte
 * of every saved profile goes through it: for a thousand profiles, 40 ms
 * of a CPU.  Most of those bytes are zero (a row has a byte per call of
 * the alphabet, and a program makes a few dozen), and a zero byte only
 * multiplies: k of them in a row multiply h by FNV_PRIME^k, one multiply
 * by fnv_pow[k].  The result is the same hash, bit for bit
 * (tests/test_profile.c checks it against the plain loop).
 */
uint64_t profile_fnv1a64(const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;
	uint64_t h = FNV_BASIS;

	pthread_once(&fnv_once, fnv_init);
	while (p < end) {
		const uint8_t *z = p;
		size_t k;

		if (*p) {
			h ^= *p++;
			h *= FNV_PRIME;
			continue;
		}
		/* The run of zeros from p: a word at a time, then bytes. */
		while (end - z >= 8) {
			uint64_t w;

			memcpy(&w, z, sizeof(w));
			if (w)
				break;
			z += 8;
		}
		while (z < end && !*z)
			z++;
		for (k = z - p; k > FNV_POW_MAX; k -= FNV_POW_MAX)
			h *= fnv_pow[FNV_POW_MAX];
		h *= fnv_pow[k];
		p = z;
	}
	return h;
}

void profile_file_name(uint64_t key, char name[PROFILE_NAME_LEN])
{
	snprintf(name, PROFILE_NAME_LEN, "%016llx" PROFILE_SUFFIX,
		 (unsigned long long)key);
}

int profile_refuse(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/*
 * Move a nonzero time by DELTA ns (or by -DELTA when NEGATE): boot time
 * to wall time and back.  0 stays 0 ("not set"); the result saturates at
 * the top and is clamped to 1 at the bottom, so a time that was set stays
 * set, and one that has passed stays passed.
 */
static uint64_t shift_time(uint64_t t, int64_t delta, int negate)
{
	uint64_t mag = delta >= 0 ? (uint64_t)delta : 0 - (uint64_t)delta;
	int add = (delta >= 0) != !!negate;

	if (!t)
		return 0;
	if (add)
		return t > UINT64_MAX - mag ? UINT64_MAX : t + mag;
	return t > mag ? t - mag : 1;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;	/* write() never returns 0 for len > 0 */
	}
	return 0;
}

void profile_rec_free(struct ebph_profile_rec *rec)
{
	int set, call;

	if (!rec)
		return;
	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++)
			free(rec->rows[set][call]);
	free(rec->seqs);
	memset(rec, 0, sizeof(*rec));
}

void profile_seq_epochs(struct ebph_profile *p, int has_test)
{
	p->seq_epoch = 1;
	p->seq_train_from = 1;
	p->seq_test_from = 0;
	p->seq_test_to = has_test ? 1 : 0;
}

/* In the epochs above: stamp 1 is the train set, [0, 1) the test set;
 * prev holds the test stamp of a sequence in both. */
struct ebph_seq profile_seq_stamp(uint32_t sets)
{
	struct ebph_seq s;

	s.stamp = sets & PROFILE_SEQ_TRAIN ? 1 : 0;
	s.prev = sets & PROFILE_SEQ_TEST ? 0 : s.stamp;
	return s;
}

size_t profile_rec_bytes(const struct ebph_profile_rec *rec)
{
	size_t bytes = 0;
	int set, call;

	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++)
			if (rec->rows[set][call])
				bytes += EBPH_NUM_SYSCALLS;
	return bytes + rec->nseqs * (sizeof(struct ebph_seq_key) +
				     sizeof(struct ebph_seq));
}

/*
 * Can SEQ, in SETS, be a sequence of a profile (HAS_TEST: one with a
 * test set of sequences)?  Only what the kernel can learn: six slots of
 * a call or empty, the newest a call and the empty ones after the calls
 * (a window fills from its newest slot), and at least one set.  0, or
 * -EBADMSG with WHY.  Both encode() and decode() ask, so that a save
 * never writes what a load refuses.
 */
/* Whether CALL can be in a file of VERSION: a symbol of either ABI from
 * version 3 on, an x86_64 number before. */
static int call_ok(uint32_t call, uint32_t version)
{
	return version >= 3 ? ebph_is_call(call) : call < EBPH_NUM_SYSCALLS;
}

static int seq_check(uint64_t seq, uint32_t sets, int has_test,
		     uint32_t version, char *why, size_t len)
{
	unsigned long long v = seq;
	int i, empty = -1;

	if (seq >> (10 * EBPH_SEQ_CALLS))
		return refuse(why, len, -EBADMSG,
			      "bad sequence %016llx: bits set above its %d slots",
			      v, EBPH_SEQ_CALLS);
	for (i = 0; i < EBPH_SEQ_CALLS; i++) {
		uint32_t slot = (seq >> (10 * i)) & 0x3ff;

		if (slot == SEQ_SLOT_EMPTY) {
			if (i == 0)
				return refuse(why, len, -EBADMSG,
					      "bad sequence %016llx: its newest slot is empty",
					      v);
			if (empty < 0)
				empty = i;
			continue;
		}
		if (!call_ok(slot, version))
			return refuse(why, len, -EBADMSG,
				      "bad sequence %016llx: slot %d is %u, neither a call nor empty (0x3ff)",
				      v, i, slot);
		if (empty >= 0)
			return refuse(why, len, -EBADMSG,
				      "bad sequence %016llx: slot %d is empty but slot %d holds a call",
				      v, empty, i);
	}
	if (!sets)
		return refuse(why, len, -EBADMSG,
			      "sequence %016llx in no set", v);
	if (sets & ~SETS_KNOWN)
		return refuse(why, len, -EBADMSG,
			      "sequence %016llx: unknown set bits 0x%x",
			      v, sets & ~SETS_KNOWN);
	if ((sets & PROFILE_SEQ_TEST) && !has_test)
		return refuse(why, len, -EBADMSG,
			      "sequence %016llx in the test set, but the profile has no test set of sequences",
			      v);
	return 0;
}

/*
 * Do P's counters and state agree, as the kernel keeps them (the table
 * at the top)?  TEST_ROWS: how many test rows the profile has.  0, or
 * -EBADMSG with WHY.  encode() and decode() both ask.
 */
static int counts_check(const struct ebph_profile *p, uint32_t test_rows,
			char *why, size_t len)
{
	unsigned long long c = p->count, t = p->train_count, m = p->last_mod_count;

	if (p->count >= PROFILE_COUNT_LIMIT)
		return refuse(why, len, -EBADMSG,
			      "counters contradict each other: count %llu, at most 2^56 can be reached",
			      c);
	if (p->train_count > p->count)
		return refuse(why, len, -EBADMSG,
			      "counters contradict each other: train_count %llu > count %llu",
			      t, c);
	if (p->last_mod_count > p->train_count + 1)
		return refuse(why, len, -EBADMSG,
			      "counters contradict each other: last_mod_count %llu > train_count %llu + 1",
			      m, t);
	if ((p->status & EBPH_FROZEN) && !p->normal_time)
		return refuse(why, len, -EBADMSG,
			      "counters contradict each other: frozen with no normal_time");
	if ((p->status & EBPH_NORMAL) && !test_rows &&
	    p->seq_test_to == p->seq_test_from)
		return refuse(why, len, -EBADMSG,
			      "counters contradict each other: normal with no test set (no test rows, no test set of sequences)");
	if (p->owner == EBPH_OWNER_ALL)
		return refuse(why, len, -EBADMSG,
			      "owner uid %u is no uid (the kernel's invalid uid)",
			      p->owner);
	return 0;
}

static void settle(struct ebph_profile *p)
{
	if (p->train_count > p->count)
		p->count = p->train_count;
	if (p->last_mod_count > p->train_count)
		p->last_mod_count = p->train_count;
}

/* How many test rows REC has, over every call symbol. */
static uint32_t rec_test_rows(const struct ebph_profile_rec *rec)
{
	uint32_t n = 0;
	int call;

	for (call = 0; call < EBPH_NUM_CALLS; call++)
		n += rec->rows[EBPH_TEST][call] != NULL;
	return n;
}

void profile_rec_settle(struct ebph_profile_rec *rec)
{
	settle(&rec->prof);
	/* A rows map that filled up while the kernel copied a train set
	 * leaves a normal profile with no test set: every call of it
	 * would be an anomaly, and no save could write it.  Training is
	 * the state that is true of it. */
	if ((rec->prof.status & EBPH_NORMAL) && !rec_test_rows(rec) &&
	    rec->prof.seq_test_to == rec->prof.seq_test_from)
		rec->prof.status &= ~EBPH_NORMAL;
}

/*
 * The owner of a profile saved before owners were (format 1 to 3): the
 * uid owning PATH, if PATH is absolute and the file there is still the
 * one of KEY; else EBPH_OWNER_UNKNOWN (why not root: the top of this
 * file).
 */
static uint32_t owner_from_path(const char *path, uint64_t key)
{
	struct stat st;

	if (path[0] != '/' || stat(path, &st) ||
	    ebph_profile_key(st.st_dev, st.st_ino) != key ||
	    st.st_uid == EBPH_OWNER_ALL)
		return EBPH_OWNER_UNKNOWN;
	return st.st_uid;
}

/* ---- the directory ---------------------------------------------------- */

/* Owner and mode of the directory open at FD. */
static int check_dir_fd(int fd, char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return refuse(why, len, -errno, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return refuse(why, len, -ENOTDIR, "not a directory");
	if (st.st_uid != 0)
		return refuse(why, len, -EPERM, "owned by uid %u, not root",
			      (unsigned int)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return refuse(why, len, -EPERM,
			      "writable by group or others (mode %04o)",
			      (unsigned int)(st.st_mode & 07777));
	return 0;
}

/*
 * The directories above DIR.  Whoever can write to one of them can
 * rename DIR away and put their own in its place, so none may be
 * writable by group or others, unless it is sticky (/tmp): there only
 * an entry's owner may rename it, and root owns DIR.  Their owner is not
 * checked: a tree in a user's home belongs to the user who builds and
 * runs ebph from it, and who could as well change ebph itself.  The walk
 * follows the resolved path (realpath), so a symlink on the way is
 * trusted as far as its target; this is an audit of the setup, not a
 * defence against a race.
 */
static int check_ancestors(const char *dir, char *why, size_t len)
{
	char *real = realpath(dir, NULL);
	char *slash;
	int err = 0;

	if (!real)
		return refuse(why, len, -errno, "%s", strerror(errno));
	while ((slash = strrchr(real, '/')) != NULL) {
		struct stat st;

		if (slash == real)	/* the parent is "/" */
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(real, &st)) {
			err = refuse(why, len, -errno, "%s: %s", real,
				     strerror(errno));
			break;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
		    !(st.st_mode & S_ISVTX)) {
			err = refuse(why, len, -EPERM,
				     "parent %s is writable by group or others (mode %04o)",
				     real, (unsigned int)(st.st_mode & 07777));
			break;
		}
		if (slash == real)
			break;
	}
	free(real);
	return err;
}

/* Open DIR and check it and its parents; the fd or -errno. */
static int open_checked_dir(const char *dir, char *why, size_t len)
{
	int fd, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR)
			return refuse(why, len, -ENOTDIR, "not a directory");
		return refuse(why, len, -errno, "%s", strerror(errno));
	}
	err = check_dir_fd(fd, why, len);
	if (!err)
		err = check_ancestors(dir, why, len);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int profile_dir_check(const char *dir, char *why, size_t len)
{
	int fd = open_checked_dir(dir, why, len);

	if (fd < 0)
		return fd;
	close(fd);	/* read-only: nothing to lose */
	return 0;
}

/* Whether NAME is what profile_save() names a temporary file:
 * ".%016llx.prof.tmp". */
static int is_save_tmp(const char *name)
{
	size_t i;

	if (strlen(name) != 1 + 16 + strlen(PROFILE_SUFFIX) + 4 || name[0] != '.' ||
	    strcmp(name + 17, PROFILE_SUFFIX ".tmp"))
		return 0;
	for (i = 1; i <= 16; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return 0;
	return 1;
}

int profile_dir_sweep(const char *dir)
{
	struct dirent *de;
	int dfd, n = 0, err = 0;
	DIR *d;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* profile_save()'s lock: no save is writing one of them now. */
	if (flock(dfd, LOCK_EX)) {
		err = -errno;
		close(dfd);
		return err;
	}
	d = fdopendir(dfd);
	if (!d) {
		err = -errno;
		close(dfd);
		return err;
	}
	while ((de = readdir(d)))
		if (is_save_tmp(de->d_name)) {
			if (!unlinkat(dfd, de->d_name, 0))
				n++;
			else if (!err)
				err = -errno;
		}
	closedir(d);	/* closes dfd, and so releases the lock */
	return err ? err : n;
}

int profile_dir_create(const char *dir)
{
	/* mkdir applies the umask, which can only take bits away. */
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* ---- encoding --------------------------------------------------------- */

static int cmp_seq_rec(const void *a, const void *b)
{
	uint64_t x = ((const struct ebph_seq_rec *)a)->seq;
	uint64_t y = ((const struct ebph_seq_rec *)b)->seq;

	return x < y ? -1 : x > y;
}

/*
 * REC's sequences as the file holds them: those in a set, sorted, in a
 * malloc'd array (*SEQSP, *NP; NULL for none).  -EINVAL for one that
 * profile_load() would refuse, or twice.
 */
static int encode_seqs(const struct ebph_profile_rec *rec,
		       struct ebph_seq_rec **seqsp, uint32_t *np)
{
	const struct ebph_profile *prof = &rec->prof;
	int has_test = prof->seq_test_to != prof->seq_test_from;
	struct ebph_seq_rec *seqs;
	size_t i, n = 0;

	*seqsp = NULL;
	*np = 0;
	if (!rec->nseqs)
		return 0;
	if (rec->nseqs > PROFILE_MAX_SEQS)
		return -EINVAL;
	seqs = malloc(rec->nseqs * sizeof(*seqs));
	if (!seqs)
		return -ENOMEM;
	for (i = 0; i < rec->nseqs; i++) {
		if (!rec->seqs[i].sets)
			continue;	/* forgotten: not part of the profile */
		if (seq_check(rec->seqs[i].seq, rec->seqs[i].sets, has_test, PROFILE_VERSION,
			      NULL, 0))
			goto bad;
		seqs[n++] = rec->seqs[i];
	}
	qsort(seqs, n, sizeof(*seqs), cmp_seq_rec);
	for (i = 1; i < n; i++)
		if (seqs[i].seq == seqs[i - 1].seq)
			goto bad;
	*seqsp = seqs;
	*np = n;
	return 0;
bad:
	free(seqs);
	return -EINVAL;
}

int profile_encode(const struct ebph_profile_rec *rec, int64_t boot_to_real_ns,
		   uint8_t **bufp, size_t *sizep)
{
	const struct ebph_profile *prof = &rec->prof;
	size_t path_len = strnlen(rec->path, EBPH_PATH_LEN);
	struct ebph_seq_rec *seqs;
	uint32_t rows = 0, test_rows = 0, nseqs, i;
	uint8_t *buf, *p;
	size_t size;
	int set, call, err;

	if (path_len == EBPH_PATH_LEN || (prof->status & ~STATUS_KNOWN))
		return -EINVAL;
	test_rows = rec_test_rows(rec);
	if (counts_check(prof, test_rows, NULL, 0))
		return -EINVAL;
	err = encode_seqs(rec, &seqs, &nseqs);
	if (err)
		return err;
	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++)
			rows += rec->rows[set][call] != NULL;

	size = PROFILE_HEADER_SIZE + (size_t)rows * PROFILE_ROW_SIZE +
	       (size_t)nseqs * PROFILE_SEQ_SIZE + PROFILE_SUM_SIZE;
	buf = calloc(1, size);	/* zero: the path padding, reserved */
	if (!buf) {
		free(seqs);
		return -ENOMEM;
	}

	memcpy(buf + OFF_MAGIC, PROFILE_MAGIC, 8);
	put_u32(buf + OFF_VERSION, PROFILE_VERSION);
	put_u32(buf + OFF_NUM_SYSCALLS, EBPH_NUM_SYSCALLS);
	put_u32(buf + OFF_SEQLEN, EBPH_SEQLEN);
	put_u32(buf + OFF_HEADER_SIZE, PROFILE_HEADER_SIZE);
	put_u64(buf + OFF_KEY, prof->key);
	put_u32(buf + OFF_STATUS, prof->status);
	put_u32(buf + OFF_ANOMALIES, prof->anomalies);
	put_u64(buf + OFF_TRAIN_COUNT, prof->train_count);
	put_u64(buf + OFF_LAST_MOD_COUNT, prof->last_mod_count);
	put_u64(buf + OFF_COUNT, prof->count);
	put_u64(buf + OFF_NORMAL_TIME,
		shift_time(prof->normal_time, boot_to_real_ns, 0));
	/* Only up to the NUL: whatever follows it in memory stays out. */
	memcpy(buf + OFF_PATH, rec->path, path_len);
	put_u32(buf + OFF_ROW_COUNT, rows);
	put_u32(buf + OFF_FLAGS, prof->seq_test_to != prof->seq_test_from ?
				 PROFILE_F_SEQ_TEST : 0);
	put_u32(buf + OFF_SEQ_COUNT, nseqs);
	put_u32(buf + OFF_OWNER, prof->owner);

	p = buf + PROFILE_HEADER_SIZE;
	for (set = 0; set < 2; set++) {
		for (call = 0; call < EBPH_NUM_CALLS; call++) {
			if (!rec->rows[set][call])
				continue;
			put_u16(p, call);
			put_u16(p + 2, set);
			memcpy(p + 4, rec->rows[set][call], EBPH_NUM_SYSCALLS);
			p += PROFILE_ROW_SIZE;
		}
	}
	for (i = 0; i < nseqs; i++, p += PROFILE_SEQ_SIZE) {
		put_u64(p, seqs[i].seq);
		put_u32(p + 8, seqs[i].sets);
	}
	free(seqs);
	put_u64(p, profile_fnv1a64(buf, size - PROFILE_SUM_SIZE));

	*bufp = buf;
	*sizep = size;
	return 0;
}

/*
 * The layout of a file: its version, the counts in its header, where
 * each part starts.  Filled by decode_layout() from a header that has
 * passed its checks.
 */
struct layout {
	uint32_t version, hsize, rows, nseqs, flags;
};

/*
 * What the file is (magic, version, alphabet), then whether its size is
 * the one its counts give.  Each count is bounded before it is used in
 * arithmetic, and the whole size is known before anything is allocated.
 */
static int decode_layout(const uint8_t *buf, size_t size, struct layout *l,
			 char *why, size_t len)
{
	uint32_t ncalls, seqlen, want_hsize;
	size_t need;

	if (size < PROFILE_MIN_SIZE)
		return refuse(why, len, -EBADMSG, "short file (%zu bytes)", size);
	if (memcmp(buf + OFF_MAGIC, PROFILE_MAGIC, 8))
		return refuse(why, len, -EBADMSG, "bad magic");
	l->version = get_u32(buf + OFF_VERSION);
	if (l->version < 1 || l->version > PROFILE_VERSION)
		return refuse(why, len, -EBADMSG, "format version %u, expected 1 to %u",
			      l->version, PROFILE_VERSION);
	ncalls = get_u32(buf + OFF_NUM_SYSCALLS);
	seqlen = get_u32(buf + OFF_SEQLEN);
	if (ncalls != EBPH_NUM_SYSCALLS || seqlen != EBPH_SEQLEN)
		return refuse(why, len, -EBADMSG,
			      "alphabet %u calls/seqlen %u, expected %u/%u",
			      ncalls, seqlen, EBPH_NUM_SYSCALLS, EBPH_SEQLEN);
	l->hsize = get_u32(buf + OFF_HEADER_SIZE);
	want_hsize = l->version == 1 ? PROFILE_V1_HEADER_SIZE : PROFILE_HEADER_SIZE;
	if (l->hsize != want_hsize)
		return refuse(why, len, -EBADMSG, "header size %u, expected %u",
			      l->hsize, want_hsize);
	if (size < l->hsize + PROFILE_SUM_SIZE)
		return refuse(why, len, -EBADMSG, "short file (%zu bytes)", size);

	/* The counts set the size, so bound them before any arithmetic. */
	l->rows = get_u32(buf + OFF_ROW_COUNT);
	if (l->rows > PROFILE_MAX_ROWS)
		return refuse(why, len, -EBADMSG, "row count %u, at most %u",
			      l->rows, PROFILE_MAX_ROWS);
	/* Version 1: no sequences, and the flags are its reserved field. */
	l->flags = get_u32(buf + OFF_FLAGS);
	l->nseqs = l->version == 1 ? 0 : get_u32(buf + OFF_SEQ_COUNT);
	if (l->nseqs > PROFILE_MAX_SEQS)
		return refuse(why, len, -EBADMSG, "sequence count %u, at most %u",
			      l->nseqs, PROFILE_MAX_SEQS);
	need = l->hsize + (size_t)l->rows * PROFILE_ROW_SIZE +
	       (size_t)l->nseqs * PROFILE_SEQ_SIZE + PROFILE_SUM_SIZE;
	if (size < need)
		return refuse(why, len, -EBADMSG,
			      "short file (%zu bytes, %u rows and %u sequences need %zu)",
			      size, l->rows, l->nseqs, need);
	if (size > need)
		return refuse(why, len, -EBADMSG,
			      "trailing data (%zu bytes, %u rows and %u sequences need %zu)",
			      size, l->rows, l->nseqs, need);
	return 0;
}

/* The header fields after the counts, in an intact file. */
static int decode_fields(const uint8_t *buf, const struct layout *l,
			 const char *name, char *why, size_t len)
{
	char want_name[PROFILE_NAME_LEN];
	uint32_t status, reserved;
	uint64_t key;

	if (l->version == 1 && l->flags)
		return refuse(why, len, -EBADMSG, "reserved field 0x%x, expected 0",
			      l->flags);
	if (l->flags & ~FLAGS_KNOWN)
		return refuse(why, len, -EBADMSG, "unknown flags 0x%x",
			      l->flags & ~FLAGS_KNOWN);
	/* Versions 2 and 3: the owner's field, reserved. */
	reserved = l->version == 2 || l->version == 3 ? get_u32(buf + OFF_OWNER) : 0;
	if (reserved)
		return refuse(why, len, -EBADMSG, "reserved field 0x%x, expected 0",
			      reserved);
	status = get_u32(buf + OFF_STATUS);
	if (status & ~STATUS_KNOWN)
		return refuse(why, len, -EBADMSG, "unknown status bits 0x%x",
			      status & ~STATUS_KNOWN);
	if (!memchr(buf + OFF_PATH, '\0', EBPH_PATH_LEN))
		return refuse(why, len, -EBADMSG, "path not NUL-terminated");
	/* The key in the header is what the profile is; the name must agree,
	 * or two files could claim one profile and the last read would win. */
	key = get_u64(buf + OFF_KEY);
	profile_file_name(key, want_name);
	if (strcmp(name, want_name))
		return refuse(why, len, -EINVAL,
			      "name does not match key %016llx",
			      (unsigned long long)key);
	return 0;
}

/* The rows at P of a file of VERSION, checked, into REC if not NULL;
 * the test rows counted in *TEST_ROWS. */
static int decode_rows(const uint8_t *p, uint32_t rows, uint32_t version,
		       uint32_t *test_rows,
		       struct ebph_profile_rec *rec, char *why, size_t len)
{
	uint8_t seen[2][EBPH_NUM_CALLS];	/* duplicate rows */
	uint32_t i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < rows; i++, p += PROFILE_ROW_SIZE) {
		uint16_t call = get_u16(p), set = get_u16(p + 2);

		if (!call_ok(call, version))
			return refuse(why, len, -EBADMSG, "bad row: call %u", call);
		if (set > EBPH_TEST)
			return refuse(why, len, -EBADMSG, "bad row: call %u set %u",
				      call, set);
		if (seen[set][call])
			return refuse(why, len, -EBADMSG,
				      "duplicate row: call %u, %s set", call,
				      set == EBPH_TRAIN ? "train" : "test");
		seen[set][call] = 1;
		*test_rows += set == EBPH_TEST;
		if (!rec)
			continue;
		rec->rows[set][call] = malloc(EBPH_NUM_SYSCALLS);
		if (!rec->rows[set][call])
			return refuse(why, len, -ENOMEM, "out of memory");
		memcpy(rec->rows[set][call], p + 4, EBPH_NUM_SYSCALLS);
	}
	return 0;
}

/* The NSEQS sequences at P, checked, into REC if not NULL.  Ascending
 * order makes a duplicate the one before it. */
static int decode_seqs(const uint8_t *p, uint32_t nseqs, int has_test,
		       uint32_t version, struct ebph_profile_rec *rec,
		       char *why, size_t len)
{
	uint64_t prev = 0;
	uint32_t i;
	int err;

	if (rec && nseqs) {
		rec->seqs = malloc((size_t)nseqs * sizeof(*rec->seqs));
		if (!rec->seqs)
			return refuse(why, len, -ENOMEM, "out of memory");
	}
	for (i = 0; i < nseqs; i++, p += PROFILE_SEQ_SIZE) {
		uint64_t seq = get_u64(p);
		uint32_t sets = get_u32(p + 8);

		err = seq_check(seq, sets, has_test, version, why, len);
		if (err)
			return err;
		if (i && seq == prev)
			return refuse(why, len, -EBADMSG, "duplicate sequence %016llx",
				      (unsigned long long)seq);
		if (i && seq < prev)
			return refuse(why, len, -EBADMSG,
				      "sequences out of order (%016llx after %016llx)",
				      (unsigned long long)seq, (unsigned long long)prev);
		prev = seq;
		if (!rec)
			continue;
		rec->seqs[i].seq = seq;
		rec->seqs[i].sets = sets;
		rec->nseqs = i + 1;
	}
	return 0;
}

/*
 * Check and parse SIZE bytes of a file named NAME into REC, or only check
 * them when REC is NULL.  The checks come in the order of the most useful
 * message: what the file is (magic, version, alphabet) before whether it
 * is intact, and whether it is intact before what it says.
 */
static int decode(const uint8_t *buf, size_t size, const char *name,
		  struct ebph_profile_rec *rec, int64_t boot_to_real_ns,
		  char *why, size_t len)
{
	struct ebph_profile prof = { 0 };
	struct layout l = { 0 };
	const uint8_t *p;
	uint32_t test_rows = 0;
	int has_test, err;

	err = decode_layout(buf, size, &l, why, len);
	if (err)
		return err;
	if (get_u64(buf + size - PROFILE_SUM_SIZE) !=
	    profile_fnv1a64(buf, size - PROFILE_SUM_SIZE))
		return refuse(why, len, -EBADMSG, "checksum mismatch");

	/* Intact; now is what it says possible? */
	err = decode_fields(buf, &l, name, why, len);
	if (err)
		return err;
	has_test = !!(l.flags & PROFILE_F_SEQ_TEST);
	prof.key = get_u64(buf + OFF_KEY);
	prof.status = get_u32(buf + OFF_STATUS);
	prof.anomalies = get_u32(buf + OFF_ANOMALIES);
	prof.train_count = get_u64(buf + OFF_TRAIN_COUNT);
	prof.last_mod_count = get_u64(buf + OFF_LAST_MOD_COUNT);
	prof.count = get_u64(buf + OFF_COUNT);
	prof.normal_time = shift_time(get_u64(buf + OFF_NORMAL_TIME),
				      boot_to_real_ns, 1);
	profile_seq_epochs(&prof, has_test);
	/* Version 4 says; before it, ask the file system (only when the
	 * profile is wanted: a check needs no owner). */
	if (l.version >= 4)
		prof.owner = get_u32(buf + OFF_OWNER);
	else if (rec)
		prof.owner = owner_from_path((const char *)buf + OFF_PATH, prof.key);
	/* Saved as the CPUs left them, races and all (the top). */
	if (l.version < 4)
		settle(&prof);
	if (rec) {
		memset(rec, 0, sizeof(*rec));
		rec->prof = prof;
		/* Stops at the NUL found above; the rest stays zero. */
		strcpy(rec->path, (const char *)buf + OFF_PATH);
	}

	p = buf + l.hsize;
	err = decode_rows(p, l.rows, l.version, &test_rows, rec, why, len);
	if (!err)
		err = decode_seqs(p + (size_t)l.rows * PROFILE_ROW_SIZE, l.nseqs,
				  has_test, l.version, rec, why, len);
	if (!err)
		err = counts_check(&prof, test_rows, why, len);
	if (err && rec)
		profile_rec_free(rec);
	return err;
}

/* ---- one file --------------------------------------------------------- */

/*
 * Load NAME, relative to the directory DIRFD (or AT_FDCWD), into REC, or
 * only check it when REC is NULL.  The file is never opened for writing,
 * so a refused file stays exactly as it was.
 */
static int load_at(int dirfd, const char *name, struct ebph_profile_rec *rec,
		   int64_t boot_to_real_ns, char *why, size_t len)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	struct stat lst, st;
	uint8_t *buf = NULL;
	uint8_t extra;
	ssize_t n;
	int fd, err;

	if (rec)
		memset(rec, 0, sizeof(*rec));

	/* Look before opening: opening a device node or a FIFO can block or
	 * have side effects, and a symlink could point anywhere. */
	if (fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW))
		return refuse(why, len, -errno, "%s", strerror(errno));
	if (S_ISLNK(lst.st_mode))
		return refuse(why, len, -ELOOP, "is a symbolic link");
	if (!S_ISREG(lst.st_mode))
		return refuse(why, len, -EINVAL, "not a regular file");

	/* O_NOFOLLOW and O_NONBLOCK again, and the same inode checked
	 * after the open: the file may have been swapped in between. */
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return refuse(why, len, -ELOOP, "is a symbolic link");
		return refuse(why, len, -errno, "%s", strerror(errno));
	}
	if (fstat(fd, &st)) {
		err = refuse(why, len, -errno, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != lst.st_dev ||
	    st.st_ino != lst.st_ino) {
		err = refuse(why, len, -EINVAL, "not a regular file");
		goto out;
	}
	if (st.st_uid != 0) {
		err = refuse(why, len, -EPERM, "owned by uid %u, not root",
			     (unsigned int)st.st_uid);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err = refuse(why, len, -EPERM,
			     "writable by group or others (mode %04o)",
			     (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size < PROFILE_MIN_SIZE) {
		err = refuse(why, len, -EBADMSG, "short file (%lld bytes)",
			     (long long)st.st_size);
		goto out;
	}
	if ((size_t)st.st_size > PROFILE_MAX_SIZE) {
		err = refuse(why, len, -EFBIG, "too large (%lld bytes, at most %zu)",
			     (long long)st.st_size, (size_t)PROFILE_MAX_SIZE);
		goto out;
	}

	buf = malloc(st.st_size);
	if (!buf) {
		err = refuse(why, len, -ENOMEM, "out of memory");
		goto out;
	}
	n = read_full(fd, buf, st.st_size);
	if (n < 0) {
		err = refuse(why, len, (int)n, "read: %s", strerror((int)-n));
		goto out;
	}
	/* The size is what fstat said, no less and no more. */
	if (n != st.st_size || read_full(fd, &extra, 1) != 0) {
		err = refuse(why, len, -EBADMSG, "file changed while being read");
		goto out;
	}
	err = decode(buf, n, base, rec, boot_to_real_ns, why, len);
out:
	free(buf);
	close(fd);	/* read-only: close cannot lose data */
	return err;
}

int profile_load(const char *file, struct ebph_profile_rec *rec,
		 int64_t boot_to_real_ns, char *why, size_t len)
{
	return load_at(AT_FDCWD, file, rec, boot_to_real_ns, why, len);
}

int profile_parse(const void *buf, size_t size, const char *name,
		  struct ebph_profile_rec *rec, int64_t boot_to_real_ns,
		  char *why, size_t len)
{
	if (rec)
		memset(rec, 0, sizeof(*rec));
	return decode(buf, size, name, rec, boot_to_real_ns, why, len);
}

int profile_save(const char *dir, const struct ebph_profile_rec *rec,
		 int64_t boot_to_real_ns)
{
	char name[PROFILE_NAME_LEN], tmp[PROFILE_NAME_LEN + 5];
	uint8_t *buf = NULL;
	size_t size;
	int dfd, fd = -1, err;

	err = profile_encode(rec, boot_to_real_ns, &buf, &size);
	if (err)
		return err;
	profile_file_name(rec->prof.key, name);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err = -errno;
		goto out_free;
	}
	/* One writer at a time in this directory (released by close). */
	if (flock(dfd, LOCK_EX)) {
		err = -errno;
		goto out_dir;
	}
	/* Never replace a file the loader refuses: it was reported as "left
	 * on disk" for whoever investigates, and a save must not quietly
	 * destroy it a few minutes later.  The caller says so and the admin
	 * moves it away.  (A good file is read once more: page cache, and
	 * tens of kilobytes.) */
	err = load_at(dfd, name, NULL, boot_to_real_ns, NULL, 0);
	if (err == -ENOENT) {
		err = 0;
	} else if (err == -ENOMEM || err == -EIO) {
		goto out_dir;
	} else if (err) {
		err = -EEXIST;
		goto out_dir;
	}
	/* A temporary file left by a crash: remove it, whatever it is (a
	 * symlink is removed, not followed). */
	if (unlinkat(dfd, tmp, 0) && errno != ENOENT) {
		err = -errno;
		goto out_dir;
	}
	/* O_EXCL: we create this inode, so nobody else holds it open. */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out_dir;
	}
	err = write_full(fd, buf, size);
	if (!err && fsync(fd))
		err = -errno;
	/* close() can report a delayed write error: check it too. */
	if (close(fd) && !err)
		err = -errno;
	if (err)
		goto out_unlink;
	if (renameat(dfd, tmp, dfd, name)) {
		err = -errno;
		goto out_unlink;
	}
	/* Make the rename itself durable. */
	if (fsync(dfd))
		err = -errno;
	goto out_dir;

out_unlink:
	unlinkat(dfd, tmp, 0);	/* best effort: the error is already set */
out_dir:
	close(dfd);
out_free:
	free(buf);
	return err;
}

/* ---- a whole directory ------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_profile_name(const char *name)
{
	size_t n = strlen(name), s = strlen(PROFILE_SUFFIX);

	return name[0] != '.' && n > s &&
	       strcmp(name + n - s, PROFILE_SUFFIX) == 0;
}

/* The names of the candidate files in DIRFD, sorted; -errno. */
static int list_profiles(int dirfd, char ***namesp, size_t *countp)
{
	char **names = NULL, **grown;
	size_t count = 0, cap = 0;
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	/* closedir() closes the fd it was given: give it its own. */
	fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			err = -errno;	/* 0 at the end of the directory */
			break;
		}
		if (!is_profile_name(de->d_name))
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			names = grown;
		}
		names[count] = strdup(de->d_name);
		if (!names[count]) {
			err = -ENOMEM;
			break;
		}
		count++;
	}
	closedir(d);
	if (err) {
		while (count)
			free(names[--count]);
		free(names);
		return err;
	}
	/* Name order: the same messages in the same order at every start. */
	if (count)
		qsort(names, count, sizeof(*names), name_cmp);
	*namesp = names;
	*countp = count;
	return 0;
}

int profile_load_dir(const char *dir,
		     int (*cb)(void *ctx, const char *file,
			       struct ebph_profile_rec *rec),
		     void (*on_refused)(void *ctx, const char *file,
					const char *why),
		     void *ctx, int64_t boot_to_real_ns)
{
	struct ebph_profile_rec *rec;
	char why[160], file[PATH_MAX];
	char **names = NULL;
	size_t count = 0, i;
	int dfd, err, loaded = 0;

	/* The files are opened relative to the directory fd that was
	 * checked, so the directory cannot be swapped after the check. */
	dfd = open_checked_dir(dir, why, sizeof(why));
	if (dfd < 0) {
		if (on_refused)
			on_refused(ctx, dir, why);
		return dfd;
	}
	err = list_profiles(dfd, &names, &count);
	if (err) {
		close(dfd);
		return err;
	}
	/* 8.5 KB of row pointers: on the heap, not the stack. */
	rec = calloc(1, sizeof(*rec));
	if (!rec) {
		err = -ENOMEM;
		goto out;
	}

	for (i = 0; i < count; i++) {
		int n = snprintf(file, sizeof(file), "%s%s%s", dir,
				 dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
				 names[i]);

		if (n < 0 || (size_t)n >= sizeof(file)) {
			if (on_refused)
				on_refused(ctx, names[i], "path too long");
			continue;
		}
		err = load_at(dfd, names[i], rec, boot_to_real_ns, why,
			      sizeof(why));
		if (err) {
			if (err == -ENOMEM)
				goto out;	/* not the file's fault: stop */
			if (on_refused)
				on_refused(ctx, file, why);
			continue;
		}
		err = cb ? cb(ctx, file, rec) : 0;
		profile_rec_free(rec);
		if (err < 0)
			goto out;
		loaded++;
	}
	err = 0;
out:
	free(rec);
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	close(dfd);
	return err < 0 ? err : loaded;
}

/* ---- a whole directory, on several CPUs ---------------------------------- */

/* What the threads of profile_load_dir_mt() share. */
struct load_mt {
	const char *dir;
	int dfd;
	char **names;
	size_t count;
	int (*cb)(void *ctx, const char *file, struct ebph_profile_rec *rec);
	void *ctx;
	int64_t boot_to_real_ns;
	char **why;		/* per name: why it was refused, or NULL */
	unsigned long next;	/* the next name to take (atomic) */
	int stop;		/* a callback failed: take no more (atomic) */
	int err;		/* that failure, or -ENOMEM */
	int loaded;		/* (atomic) */
};

static void load_mt_fail(struct load_mt *l, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&l->err, &none, err, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	__atomic_store_n(&l->stop, 1, __ATOMIC_SEQ_CST);
}

static void *load_mt_worker(void *arg)
{
	struct load_mt *l = arg;
	struct ebph_profile_rec *rec = calloc(1, sizeof(*rec));
	char why[160], file[PATH_MAX];
	unsigned long i;
	int err;

	if (!rec) {
		load_mt_fail(l, -ENOMEM);
		return NULL;
	}
	while (!__atomic_load_n(&l->stop, __ATOMIC_SEQ_CST) &&
	       (i = __atomic_fetch_add(&l->next, 1, __ATOMIC_SEQ_CST)) < l->count) {
		int n = snprintf(file, sizeof(file), "%s%s%s", l->dir,
				 l->dir[0] && l->dir[strlen(l->dir) - 1] == '/' ? "" : "/",
				 l->names[i]);

		if (n < 0 || (size_t)n >= sizeof(file)) {
			l->why[i] = strdup("path too long");
			continue;
		}
		err = load_at(l->dfd, l->names[i], rec, l->boot_to_real_ns, why,
			      sizeof(why));
		if (err) {
			if (err == -ENOMEM) {
				load_mt_fail(l, err);	/* not the file's fault */
				break;
			}
			l->why[i] = strdup(why);
			if (!l->why[i]) {
				load_mt_fail(l, -ENOMEM);
				break;
			}
			continue;
		}
		err = l->cb ? l->cb(l->ctx, file, rec) : 0;
		profile_rec_free(rec);
		if (err < 0) {
			load_mt_fail(l, err);
			break;
		}
		__atomic_fetch_add(&l->loaded, 1, __ATOMIC_SEQ_CST);
	}
	free(rec);
	return NULL;
}

int profile_load_dir_mt(const char *dir,
			int (*cb)(void *ctx, const char *file,
				  struct ebph_profile_rec *rec),
			void (*on_refused)(void *ctx, const char *file,
					   const char *why),
			void *ctx, int64_t boot_to_real_ns, int nthreads)
{
	struct load_mt l = {
		.dir = dir, .cb = cb, .ctx = ctx, .boot_to_real_ns = boot_to_real_ns,
	};
	pthread_t *threads = NULL;
	char why[160], file[PATH_MAX];
	int started = 0, t;
	size_t i;

	l.dfd = open_checked_dir(dir, why, sizeof(why));
	if (l.dfd < 0) {
		if (on_refused)
			on_refused(ctx, dir, why);
		return l.dfd;
	}
	l.err = list_profiles(l.dfd, &l.names, &l.count);
	if (l.err) {
		close(l.dfd);
		return l.err;
	}
	l.why = calloc(l.count ? l.count : 1, sizeof(*l.why));
	if (nthreads > 1)
		threads = calloc(nthreads - 1, sizeof(*threads));
	if (!l.why || (nthreads > 1 && !threads)) {
		l.err = -ENOMEM;
		goto out;
	}
	/* The caller's thread is one of the workers. */
	for (t = 0; t < nthreads - 1; t++) {
		if (pthread_create(&threads[t], NULL, load_mt_worker, &l))
			break;
		started++;
	}
	load_mt_worker(&l);
	for (t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	/* Refusals in name order, as profile_load_dir() gives them: the
	 * same messages in the same order at every start. */
	for (i = 0; i < l.count && on_refused; i++) {
		int n;

		if (!l.why[i])
			continue;
		n = snprintf(file, sizeof(file), "%s%s%s", dir,
			     dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			     l.names[i]);
		on_refused(ctx, n < 0 || (size_t)n >= sizeof(file) ? l.names[i] : file,
			   l.why[i]);
	}
out:
	for (i = 0; i < l.count; i++) {
		free(l.names[i]);
		if (l.why)
			free(l.why[i]);
	}
	free(l.names);
	free(l.why);
	free(threads);
	close(l.dfd);
	return l.err < 0 ? l.err : l.loaded;
}
