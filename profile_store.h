/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profile_store.h - profiles on disk, one file per profile
 * (docs/DESIGN.md, Profile files).  The file format is described at the
 * top of profile_store.c.
 *
 * Every function returns 0 (or a count) on success and -errno on
 * failure.  The functions that can refuse something fill WHY with a
 * short reason ("checksum mismatch", "owned by uid 1000, not root") and
 * print nothing: the caller prints it once, with the file name, e.g.
 *
 *   ebph: profiles/0000080300001a2b.prof: refused: checksum mismatch (left on disk)
 *
 * A refused file is never modified, renamed or deleted.
 */
#ifndef PROFILE_STORE_H
#define PROFILE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ebph.h"

/* ---- the format, for readers and tests -------------------------------- */

#define PROFILE_MAGIC		"EBPHPROF"	/* 8 bytes, no NUL */
#define PROFILE_VERSION		4	/* written; versions 1 to 3 still load */
#define PROFILE_HEADER_SIZE	344
#define PROFILE_V1_HEADER_SIZE	336	/* no sequence count, no flags */
#define PROFILE_ROW_SIZE	(4 + EBPH_NUM_SYSCALLS)	/* u16 call, u16 set, row */
#define PROFILE_MAX_ROWS	(2 * EBPH_NUM_CALLS)	/* train + test, one per call */
#define PROFILE_SEQ_SIZE	12	/* u64 packed sequence, u32 sets */
#define PROFILE_MAX_SEQS	EBPH_MAX_SEQS	/* the whole seqs map */
#define PROFILE_SUM_SIZE	8
#define PROFILE_OFF_KEY		24	/* the key's offset in the header */
/* The smallest file that loads (version 1, no rows) and the largest. */
#define PROFILE_MIN_SIZE	(PROFILE_V1_HEADER_SIZE + PROFILE_SUM_SIZE)
#define PROFILE_EMPTY_SIZE	(PROFILE_HEADER_SIZE + PROFILE_SUM_SIZE)
#define PROFILE_MAX_SIZE	(PROFILE_HEADER_SIZE + \
				 PROFILE_MAX_ROWS * PROFILE_ROW_SIZE + \
				 (size_t)PROFILE_MAX_SEQS * PROFILE_SEQ_SIZE + \
				 PROFILE_SUM_SIZE)
/* No profile's count reaches this (the top of profile_store.c). */
#define PROFILE_COUNT_LIMIT	(1ULL << 56)
/* Header flags (version 2). */
#define PROFILE_F_SEQ_TEST	(1U << 0)	/* has a test set of sequences */
#define PROFILE_SUFFIX		".prof"
/* "%016llx.prof" plus the NUL */
#define PROFILE_NAME_LEN	(16 + sizeof(PROFILE_SUFFIX))

/* ---- little-endian fields ---------------------------------------------
 * Byte by byte, whatever the host: the profile files' integers, and the
 * portable files' (profile_portable.c). */

static inline void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, v);
	put_u16(p + 2, v >> 16);
}

static inline void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, v);
	put_u32(p + 4, v >> 32);
}

static inline uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return get_u16(p) | (uint32_t)get_u16(p + 2) << 16;
}

static inline uint64_t get_u64(const uint8_t *p)
{
	return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* ---- a profile in memory ---------------------------------------------- */

/*
 * What user space holds of one profile: the "profiles" map value, the
 * "paths" map value and the rows from the "rows" map.  rows[set][call] is
 * NULL when the profile has no such row, else a malloc'd array of
 * EBPH_NUM_SYSCALLS bytes; set is EBPH_TRAIN or EBPH_TEST, call a symbol
 * (x86_64 or i386, see EBPH_I386).
 *
 * prof.normal_time is CLOCK_BOOTTIME nanoseconds, as in the kernel; the
 * conversion to and from wall-clock time happens only in
 * profile_save() and profile_load().
 */
/*
 * One sequence of the sequence detector as user space holds it: the
 * packed sequence (ebph_seq_pack()) and the sets it is in.  In the
 * kernel the sets are epoch ranges (struct ebph_seq); out of it they are
 * these two bits, and the profile's epochs are the canonical ones of
 * profile_seq_epochs().
 */
#define PROFILE_SEQ_TRAIN	(1U << EBPH_TRAIN)
#define PROFILE_SEQ_TEST	(1U << EBPH_TEST)

struct ebph_seq_rec {
	uint64_t seq;
	uint32_t sets;		/* PROFILE_SEQ_TRAIN | PROFILE_SEQ_TEST */
};

struct ebph_profile_rec {
	struct ebph_profile prof;
	char path[EBPH_PATH_LEN];	/* NUL-terminated */
	uint8_t *rows[2][EBPH_NUM_CALLS];
	struct ebph_seq_rec *seqs;	/* malloc'd, nseqs of them */
	size_t nseqs;
};

/*
 * Set P's sequence epochs to the canonical ones: train set = stamp 1,
 * test set = stamps [0, 1) if HAS_TEST, else no test set (an empty
 * range).  profile_seq_stamp() gives the stamps of one sequence to
 * match.  Whether a profile has a test set of sequences is
 * P->seq_test_to != P->seq_test_from, in any epochs.
 */
void profile_seq_epochs(struct ebph_profile *p, int has_test);
struct ebph_seq profile_seq_stamp(uint32_t sets);

/* Free the rows and sequences and zero REC, so it can be filled again. */
void profile_rec_free(struct ebph_profile_rec *rec);

/*
 * Bytes of profile data REC holds: EBPH_NUM_SYSCALLS per row and, for
 * the sequence detector, 24 per sequence (its key and value in the seqs
 * map).  The data, not the kernel's per-element overhead; a profile
 * without sequences counts its rows only, as `make bench` reads it.
 */
size_t profile_rec_bytes(const struct ebph_profile_rec *rec);

/*
 * Put REC's counters back in the order the kernel keeps them when a lost
 * increment or a reset racing another CPU broke it (train_count above
 * count, last_mod_count above train_count): the largest count is kept;
 * and a normal profile with no test set at all (rows that a full map kept
 * from being copied) goes back to training.  Called before a save, so
 * that what ebph saves always loads.
 */
void profile_rec_settle(struct ebph_profile_rec *rec);

/* Write "%016llx.prof" for KEY into NAME (PROFILE_NAME_LEN bytes). */
void profile_file_name(uint64_t key, char name[PROFILE_NAME_LEN]);

/* FNV-1a, 64 bits: the file checksum, exposed for tests and tools. */
uint64_t profile_fnv1a64(const void *buf, size_t len);

/*
 * REC as the bytes of its file, in a malloc'd buffer (*BUFP, *SIZEP):
 * what profile_save() writes, and what a portable profile carries
 * (profile_portable.c).  -EINVAL if REC holds something profile_load()
 * would refuse (see profile_save()), -ENOMEM.
 */
int profile_encode(const struct ebph_profile_rec *rec, int64_t boot_to_real_ns,
		   uint8_t **bufp, size_t *sizep);

/* Fill WHY (if WHY and LEN) with the sentence FMT makes and return ERR,
 * so that a refusal is one statement: the helper of every reader of
 * profile bytes (here and profile_portable.c). */
__attribute__((format(printf, 4, 5)))
int profile_refuse(char *why, size_t len, int err, const char *fmt, ...);

/* ---- the directory ---------------------------------------------------- */

/*
 * DIR must be a directory owned by root and writable by nobody else, and
 * no directory above it may be writable by group or others unless it is
 * sticky like /tmp: whoever can write profiles, or swap the directory
 * for their own, can teach ebph that an attack is normal.
 * -ENOENT, -ENOTDIR, -EPERM (with WHY), or another -errno.
 */
int profile_dir_check(const char *dir, char *why, size_t len);

/* mkdir DIR with mode 0700 if it is missing; only DIR itself, not its
 * parents.  An existing DIR is fine: profile_dir_check() judges it. */
int profile_dir_create(const char *dir);

/* Remove the temporary files that saves killed midway left in DIR (the
 * ".KEY.prof.tmp" of profile_save(), nothing else), under the lock
 * profile_save() takes.  Returns how many, or -errno. */
int profile_dir_sweep(const char *dir);

/* ---- one file --------------------------------------------------------- */

/*
 * Write REC to DIR/%016llx.prof atomically: a reader sees the old file or
 * the new one, never a mix, even across a crash.  BOOT_TO_REAL_NS is
 * CLOCK_REALTIME - CLOCK_BOOTTIME now; a nonzero normal_time is stored as
 * wall-clock time so that it survives a reboot.
 *
 * Only the sequences in a set are written (sets 0 is a sequence the
 * profile forgot), sorted; whether the profile has a test set of
 * sequences is REC->prof.seq_test_to != seq_test_from, in any epochs.
 *
 * -EINVAL if REC holds something profile_load() would refuse (path not
 * NUL-terminated, unknown status bits, counters that contradict each
 * other, a sequence that cannot be, twice, or in a test set the profile
 * does not have), so a save never writes a
 * file the next start refuses.  -EEXIST if DIR/%016llx.prof is there and
 * profile_load() refuses it: a refused file stays on disk until someone
 * moves it away (profile_load() on it gives the reason).
 */
int profile_save(const char *dir, const struct ebph_profile_rec *rec,
		 int64_t boot_to_real_ns);

/*
 * Read FILE into REC (which it overwrites; free it with
 * profile_rec_free()).  The file must be a regular file (not a symlink),
 * owned by root, not writable by group or others, named after the key in
 * its header, and pass every format check.  REC->prof's sequence epochs
 * are the canonical ones (profile_seq_epochs()), with a test set of
 * sequences if the file has one (a version 1 file never has), so that
 * ebph_seqs_load() can write REC as it is.  REC->prof.owner is the
 * file's (version 4), else found from the saved path (see the top of
 * profile_store.c).  On refusal REC is left empty,
 * WHY says why, and the return is -ELOOP (symlink), -EPERM (owner, mode),
 * -EINVAL (not a regular file, wrong name), -EFBIG, -EBADMSG (content),
 * or another -errno from open/read.
 */
int profile_load(const char *file, struct ebph_profile_rec *rec,
		 int64_t boot_to_real_ns, char *why, size_t len);

/*
 * The parser profile_load() runs once the file has passed its checks:
 * SIZE bytes at BUF, the content of a file named NAME (its base name,
 * which must match the key in the header), into REC, or only checked
 * when REC is NULL.  No file is touched: this is what the fuzzer
 * (tests/fuzz_profile.c) calls.  Returns 0, or -EBADMSG, -EINVAL
 * (name), -ENOMEM with WHY, and REC left empty.
 */
int profile_parse(const void *buf, size_t size, const char *name,
		  struct ebph_profile_rec *rec, int64_t boot_to_real_ns,
		  char *why, size_t len);

/* ---- a whole directory ------------------------------------------------ */

/*
 * Load every "*.prof" in DIR, in name order, skipping dotfiles (which is
 * where profile_save() keeps its temporary files).  For each good file
 * CB(ctx, file, rec) is called; REC is freed when CB returns, so CB copies
 * what it keeps.  CB returns 0 to go on or a -errno to stop the walk,
 * which profile_load_dir() then returns.  For each refused file,
 * ON_REFUSED(ctx, file, why) is called and the walk goes on.
 *
 * The directory is checked first with profile_dir_check(); if it is
 * refused, ON_REFUSED is called once with DIR itself and its -errno is
 * returned.  Returns the number of profiles CB accepted, or -errno.
 */
int profile_load_dir(const char *dir,
		     int (*cb)(void *ctx, const char *file,
			       struct ebph_profile_rec *rec),
		     void (*on_refused)(void *ctx, const char *file,
					const char *why),
		     void *ctx, int64_t boot_to_real_ns);

/*
 * profile_load_dir() with the reading and checking spread over NTHREADS
 * threads (the caller's and NTHREADS - 1 more): the checksum reads every
 * byte of every file, which for a thousand saved profiles is tens of
 * milliseconds of one CPU at start-up.  CB is called from any of the
 * threads, in no particular order, so it must be safe to call
 * concurrently; ON_REFUSED is called once they are done, from the
 * caller's thread, in name order.  The first negative return of CB stops
 * every thread and is returned.
 */
int profile_load_dir_mt(const char *dir,
			int (*cb)(void *ctx, const char *file,
				  struct ebph_profile_rec *rec),
			void (*on_refused)(void *ctx, const char *file,
					   const char *why),
			void *ctx, int64_t boot_to_real_ns, int nthreads);

#endif /* PROFILE_STORE_H */
