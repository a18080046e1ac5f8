/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_maps.h - ebph's maps as user space sees them: the fds of one set
 * of maps, whether they come from the object `ebph run` just loaded or
 * from the pins of a running instance under /sys/fs/bpf/ebph, and a
 * consistent-enough snapshot of every profile with its rows.
 */
#ifndef EBPH_MAPS_H
#define EBPH_MAPS_H

#include <stddef.h>

#include "bpf_load.h"
#include "ebph.h"
#include "profile_store.h"

/*
 * The maps user space reads, and what ebph_kern.c defines them as, in
 * the sizes of ebph.h: the one list of them.  Each becomes a field of
 * struct ebph_maps (its fd) and a row of the table ebph_maps.c checks
 * them against: `ebph run` its object (ebph_maps_from_object), the
 * subcommands the pins (ebph_maps_open_pinned), so that a map of
 * another shape is refused by name instead of misread.  The kernel's
 * private maps (untraced, scratch, zero_row, events) are pinned with the
 * rest but not listed: nothing here reads them through this list.
 */
#define EBPH_MAPS(MAP)								\
	MAP(config, ARRAY, __u32, sizeof(struct ebph_config), 1)		\
	MAP(stats, PERCPU_ARRAY, __u32, sizeof(__u64), EBPH_STAT_MAX)		\
	MAP(profiles, HASH, __u64, sizeof(struct ebph_profile), EBPH_MAX_PROFILES) \
	MAP(paths, HASH, __u64, sizeof(struct ebph_path), EBPH_MAX_PROFILES)	\
	MAP(rows, HASH, struct ebph_row_key, EBPH_NUM_SYSCALLS, EBPH_MAX_ROWS)	\
	MAP(tasks, HASH, __u32, sizeof(struct ebph_task), EBPH_MAX_TASKS)	\
	MAP(seqs, HASH, struct ebph_seq_key, sizeof(struct ebph_seq), EBPH_MAX_SEQS) \
	MAP(owners, HASH, struct ebph_owner_key, sizeof(__u64), EBPH_OWNER_KEYS) \
	MAP(delays, HASH, __u32, sizeof(struct ebph_delay), EBPH_MAX_DELAYS)

struct ebph_maps {
#define EBPH_MAP_FD(name, ...)	int name;
	EBPH_MAPS(EBPH_MAP_FD)
#undef EBPH_MAP_FD
};

/* The maps of a loaded object, found by name; -ENOENT with a message,
 * -EPROTO with one when a map is not of the type and sizes ebph.h gives
 * it (an object from another version). */
int ebph_maps_from_object(struct ebph_maps *m, struct ld_obj *obj);

/* The maps a running `ebph run` pinned under EBPH_PIN_DIR, checked as
 * ebph_maps_from_object() checks them, in a directory checked as
 * bpf_private_dir() does.  -ENOENT when nothing is pinned or a pin is
 * missing, -EPERM for a directory not root's and private, -EPROTO for a
 * map of another type or size, another -errno; prints one sentence,
 * "ebph CMD: ..." (CMD: the command that asked). */
int ebph_maps_open_pinned(struct ebph_maps *m, const char *cmd);
void ebph_maps_close(struct ebph_maps *m);

/*
 * Fill the kernel struct offsets of CFG (off_task_mm ... off_inode_uid) from
 * /sys/kernel/btf/vmlinux, the stand-in for CO-RE relocations; the other
 * fields are left alone.  VERBOSE prints each offset found.  Prints one
 * sentence and returns -errno when a field is missing.
 */
int ebph_config_offsets(struct ebph_config *cfg, int verbose);

/* Every profile with its path, rows and sequences, sorted by key.  The
 * sequences are those in the train or test set (struct ebph_seq), as
 * struct ebph_seq_rec; the profile's epochs are left as the kernel's. */
struct ebph_snapshot {
	struct ebph_profile_rec *recs;
	size_t n;
};

int ebph_snapshot_read(const struct ebph_maps *m, struct ebph_snapshot *s);
/* The same without the rows (all NULL) and sequences: for listings. */
int ebph_snapshot_read_profiles(const struct ebph_maps *m, struct ebph_snapshot *s);
void ebph_snapshot_free(struct ebph_snapshot *s);
/* The record for KEY in S, or NULL. */
struct ebph_profile_rec *ebph_snapshot_find(struct ebph_snapshot *s, __u64 key);

/*
 * Memory of the lookahead pairs in S: the rows (train and test) of the
 * median profile, in bytes, and of all profiles together.  Rows are what
 * a profile costs; its struct and path add 304 bytes.
 */
void ebph_snapshot_bytes(const struct ebph_snapshot *s, size_t *median,
			 size_t *total);

/*
 * Write REC's sequences into the seqs map, stamped for the canonical
 * epochs (profile_seq_epochs()), and set REC->prof's epochs to them; the
 * caller writes the profile afterwards, so that the kernel never tests
 * against a set whose elements are not in yet.  The map must hold no
 * other sequence of the profile (a fresh map, or ebph_seqs_delete()).
 * -ENOSPC with a message when the map is full.
 */
int ebph_seqs_load(const struct ebph_maps *m, struct ebph_profile_rec *rec);

/*
 * One profile REC, as profile_load() gives it, into the maps: its
 * sequences (ebph_seqs_load(), which sets REC->prof's epochs), then its
 * profile and path, then its rows in one batched update instead of a
 * bpf(2) call per row.  The sequences first, whatever the detector: the
 * profile written after them must carry the epochs they are stamped
 * for, and a run with pairs only must still save them back.  What `ebph
 * run` does with each saved profile at start (ebph_persist.c) and `ebph
 * import` with a portable one (ebph_export.c).  Touches nothing but the
 * maps (and stderr, on a full seqs map): safe from several threads.
 * 0, or -errno (-E2BIG, -ENOMEM, -ENOSPC: a map is full).
 */
int ebph_profile_write(const struct ebph_maps *m, struct ebph_profile_rec *rec);

/* Delete every sequence of PROFILE from the seqs map; returns how many. */
int ebph_seqs_delete(const struct ebph_maps *m, __u64 profile);

/*
 * The row work WORK (EBPH_WORK_*, what a state change of ebph.h returned)
 * on profile PROFILE's rows, over bpf(2), as the kernel's finish_work()
 * does it: COPY makes each test row a copy of its train row, or deletes
 * it when there is none; then RESET deletes the train rows and DROP_TEST
 * the test rows.  Each call's row is probed: 1024 lookups beat walking a
 * rows map of up to 262,144 keys.  Returns how many rows it copied or
 * deleted (not counting the stale test rows a COPY removes), or the
 * -errno of the first copy it could not write (-E2BIG, -ENOMEM: the rows
 * map is full), where it stops.
 */
int ebph_rows_work(const struct ebph_maps *m, __u64 profile, __u32 work);

/*
 * Change profile KEY by RULE, one of ebph.h's state changes, with the
 * detectors DETECTORS, as the kernel makes it: first the row work the
 * rule asks for (ebph_rows_work()), then the rule applied to the profile
 * read again (the kernel may have moved on while the rows were copied:
 * its counters and epochs are the ones to build on), which is written
 * back with BPF_EXIST.  The row work first, so that the kernel never
 * tests against a test set still being copied.  *P gets the profile as
 * written.  *ROWS gets what ebph_rows_work() returned: on its error the
 * profile is left alone, and that error is returned.  Returns 0, or
 * -errno of the rows or of the profile's lookup or update.
 */
typedef __u32 ebph_rule_fn(struct ebph_profile *p, const volatile __u32 *detectors);
int ebph_profile_change(const struct ebph_maps *m, __u64 key, ebph_rule_fn *rule,
			__u32 detectors, struct ebph_profile *p, int *rows);

/*
 * Owners (struct ebph_owner_key in ebph.h).  ebph_owner_count() is how
 * many profiles UID has (MADE - FREED).  ebph_owner_add() adds N to
 * counter KIND of UID and of EBPH_OWNER_ALL, for the counters user
 * space writes: FREED, under the save lock (ebph_state_lock()), and
 * MADE only while loading, before the programs run.  A read-modify-write:
 * never for a counter the kernel adds to at the same time.  Root is not
 * counted: 0 at once.
 */
__s64 ebph_owner_count(const struct ebph_maps *m, __u32 uid);
int ebph_owner_add(const struct ebph_maps *m, __u32 uid, __u32 kind, __u64 n);

/* --detector: "pairs", "seqs" or "both" to EBPH_DET_* bits; -EINVAL
 * for anything else.  ebph_detectors_name() is the way back ("none"
 * for 0, "?" for unknown bits). */
int ebph_detectors_parse(const char *s, __u32 *det);
const char *ebph_detectors_name(__u32 det);

#endif /* EBPH_MAPS_H */
