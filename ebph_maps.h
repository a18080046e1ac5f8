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
#include "profile_store.h"

struct ebph_maps {
	int config, stats, profiles, paths, rows, tasks, seqs, owners;
};

/* The maps of a loaded object, found by name; -ENOENT with a message,
 * -EPROTO with one when a map is not of the type and sizes ebph.h gives
 * it (an object from another version). */
int ebph_maps_from_object(struct ebph_maps *m, struct ld_obj *obj);

/* The maps a running `ebph run` pinned under EBPH_PIN_DIR, checked as
 * ebph_maps_from_object() checks them, in a directory checked as
 * bpf_private_dir() does.  -ENOENT when nothing is pinned or a pin is
 * missing, -EPERM for a directory not root's and private, -EPROTO for a
 * map of another type or size, another -errno; prints one sentence. */
int ebph_maps_open_pinned(struct ebph_maps *m);
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

/* Delete every sequence of PROFILE from the seqs map; returns how many. */
int ebph_seqs_delete(const struct ebph_maps *m, __u64 profile);

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
