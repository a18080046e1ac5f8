// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_maps.c - ebph's maps from user space: found in a loaded object or
 * in the pins of a running instance, and read whole into a snapshot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebph.h"
#include "ebph_maps.h"

static const struct {
	size_t off;
	const char *name;
} map_names[] = {
	{ offsetof(struct ebph_maps, config), "config" },
	{ offsetof(struct ebph_maps, stats), "stats" },
	{ offsetof(struct ebph_maps, profiles), "profiles" },
	{ offsetof(struct ebph_maps, paths), "paths" },
	{ offsetof(struct ebph_maps, rows), "rows" },
	{ offsetof(struct ebph_maps, tasks), "tasks" },
	{ offsetof(struct ebph_maps, seqs), "seqs" },
};
#define NR_MAPS (sizeof(map_names) / sizeof(map_names[0]))

static int *map_slot(struct ebph_maps *m, size_t i)
{
	return (int *)((char *)m + map_names[i].off);
}

int ebph_maps_from_object(struct ebph_maps *m, struct bpf_object *obj)
{
	size_t i;

	for (i = 0; i < NR_MAPS; i++) {
		*map_slot(m, i) = bpf_object_map_fd(obj, map_names[i].name);
		if (*map_slot(m, i) < 0)
			return *map_slot(m, i);
	}
	return 0;
}

int ebph_maps_open_pinned(struct ebph_maps *m)
{
	char path[256];
	size_t i;
	int fd;

	for (i = 0; i < NR_MAPS; i++)
		*map_slot(m, i) = -1;
	for (i = 0; i < NR_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", EBPH_PIN_DIR, map_names[i].name);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (fd == -ENOENT)
				fprintf(stderr, "ebph: no ebph is running (nothing pinned at %s); start one with 'sudo ebph'\n",
					path);
			else if (fd == -EACCES || fd == -EPERM)
				fprintf(stderr, "ebph: cannot open %s: %s (run as root)\n",
					path, strerror(-fd));
			else
				fprintf(stderr, "ebph: cannot open %s: %s\n", path, strerror(-fd));
			ebph_maps_close(m);
			return fd;
		}
		*map_slot(m, i) = fd;
	}
	return 0;
}

void ebph_maps_close(struct ebph_maps *m)
{
	size_t i;

	for (i = 0; i < NR_MAPS; i++) {
		if (*map_slot(m, i) >= 0)
			close(*map_slot(m, i));
		*map_slot(m, i) = -1;
	}
}

/*
 * The one offset the BPF program has built in, EBPH_OFF_TI_STATUS: it
 * loads current->thread_info.status directly (a typed pointer needs a
 * constant offset), so check that this kernel agrees before loading it.
 */
static int check_ti_status(const struct btf *btf, int verbose)
{
	__u32 ti, status;
	int err;

	err = btf_member_offset(btf, "task_struct", "thread_info", &ti);
	if (!err)
		err = btf_member_offset(btf, "thread_info", "status", &status);
	if (err) {
		fprintf(stderr, "ebph: /sys/kernel/btf/vmlinux: no field task_struct.thread_info.status: %s (needed to tell i386 calls apart)\n",
			strerror(-err));
		return err;
	}
	if (ti + status != EBPH_OFF_TI_STATUS) {
		fprintf(stderr, "ebph: this kernel has task_struct.thread_info.status at offset %u, not %u: rebuild ebph_kern.o with EBPH_OFF_TI_STATUS %u in ebph.h\n",
			ti + status, EBPH_OFF_TI_STATUS, ti + status);
		return -EINVAL;
	}
	if (verbose)
		fprintf(stderr, "bpf_load: BTF: task_struct.thread_info.status at offset %u, as built in\n",
			ti + status);
	return 0;
}

int ebph_config_offsets(struct ebph_config *cfg, int verbose)
{
	static const struct { const char *s, *f; size_t off; } fields[] = {
		{ "task_struct", "mm", offsetof(struct ebph_config, off_task_mm) },
		{ "mm_struct", "exe_file", offsetof(struct ebph_config, off_mm_exe_file) },
		{ "file", "f_inode", offsetof(struct ebph_config, off_file_inode) },
		{ "inode", "i_ino", offsetof(struct ebph_config, off_inode_ino) },
		{ "inode", "i_sb", offsetof(struct ebph_config, off_inode_sb) },
		{ "super_block", "s_dev", offsetof(struct ebph_config, off_sb_dev) },
	};
	struct btf *btf;
	size_t i;
	int err;

	err = btf_load("/sys/kernel/btf/vmlinux", &btf);
	if (err)
		return err;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		__u32 off;

		err = btf_member_offset(btf, fields[i].s, fields[i].f, &off);
		if (err) {
			fprintf(stderr, "ebph: /sys/kernel/btf/vmlinux: no field %s.%s: %s\n",
				fields[i].s, fields[i].f, strerror(-err));
			break;
		}
		memcpy((char *)cfg + fields[i].off, &off, sizeof(off));
		if (verbose)
			fprintf(stderr, "bpf_load: BTF: %s.%s at offset %u\n",
				fields[i].s, fields[i].f, off);
	}
	if (!err)
		err = check_ti_status(btf, verbose);
	btf_free(btf);
	return err;
}

static int cmp_rec(const void *a, const void *b)
{
	__u64 x = ((const struct ebph_profile_rec *)a)->prof.key;
	__u64 y = ((const struct ebph_profile_rec *)b)->prof.key;

	return x < y ? -1 : x > y;
}

void ebph_snapshot_free(struct ebph_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		profile_rec_free(&s->recs[i]);
	free(s->recs);
	s->recs = NULL;
	s->n = 0;
}

/* Every profile with its path, no rows: what listings need, without
 * reading (up to) 128 MiB of rows. */
int ebph_snapshot_read_profiles(const struct ebph_maps *m, struct ebph_snapshot *s)
{
	__u64 key, nkey, *pk = NULL;
	size_t cap = 0;
	int err;

	memset(s, 0, sizeof(*s));
	while (!(err = bpf_map_next_key(m->profiles, pk, &nkey))) {
		struct ebph_profile_rec *r;
		struct ebph_path p;

		key = nkey;
		pk = &key;
		if (s->n == cap) {
			void *n = realloc(s->recs, (cap = cap ? 2 * cap : 64) * sizeof(*s->recs));

			if (!n) {
				ebph_snapshot_free(s);
				return -ENOMEM;
			}
			s->recs = n;
		}
		r = &s->recs[s->n];
		memset(r, 0, sizeof(*r));
		if (bpf_map_lookup(m->profiles, &key, &r->prof))
			continue;	/* deleted meanwhile */
		if (!bpf_map_lookup(m->paths, &key, &p))
			memcpy(r->path, p.path, sizeof(r->path));
		r->path[sizeof(r->path) - 1] = 0;
		s->n++;
	}
	if (err != -ENOENT) {
		ebph_snapshot_free(s);
		return err;
	}
	qsort(s->recs, s->n, sizeof(*s->recs), cmp_rec);
	return 0;
}

/* The sequences of every profile in S, one walk of the seqs map; those
 * in neither set (forgotten, not yet saved away) are left out. */
static int snapshot_read_seqs(const struct ebph_maps *m, struct ebph_snapshot *s)
{
	struct ebph_seq_key sk, next;
	int err;

	for (err = bpf_map_next_key(m->seqs, NULL, &next); !err;
	     err = bpf_map_next_key(m->seqs, &sk, &next)) {
		struct ebph_profile_rec want = { .prof.key = next.profile }, *r;
		struct ebph_seq v;
		__u32 sets;

		sk = next;
		r = bsearch(&want, s->recs, s->n, sizeof(*s->recs), cmp_rec);
		if (!r || bpf_map_lookup(m->seqs, &sk, &v))
			continue;
		sets = (ebph_seq_in_train(&r->prof, &v) ? PROFILE_SEQ_TRAIN : 0) |
		       (ebph_seq_in_test(&r->prof, &v) ? PROFILE_SEQ_TEST : 0);
		if (!sets)
			continue;
		/* Doubling: nseqs is a power of two whenever it is full. */
		if (!(r->nseqs & (r->nseqs - 1))) {
			void *n = realloc(r->seqs, (r->nseqs ? 2 * r->nseqs : 16) *
						   sizeof(*r->seqs));

			if (!n) {
				ebph_snapshot_free(s);
				return -ENOMEM;
			}
			r->seqs = n;
		}
		r->seqs[r->nseqs].seq = sk.seq;
		r->seqs[r->nseqs].sets = sets;
		r->nseqs++;
	}
	if (err != -ENOENT) {
		ebph_snapshot_free(s);
		return err;
	}
	return 0;
}

/*
 * Read every profile with its rows.  The rows map is walked once, not
 * probed 1024 times per profile: with a thousand profiles that is the
 * difference between a few thousand syscalls and a million.
 */
int ebph_snapshot_read(const struct ebph_maps *m, struct ebph_snapshot *s)
{
	struct ebph_row_key rk, next;
	int err;

	err = ebph_snapshot_read_profiles(m, s);
	if (err)
		return err;
	for (err = bpf_map_next_key(m->rows, NULL, &next); !err;
	     err = bpf_map_next_key(m->rows, &rk, &next)) {
		struct ebph_profile_rec want = { .prof.key = next.profile }, *r;
		__u8 *row;

		rk = next;
		r = bsearch(&want, s->recs, s->n, sizeof(*s->recs), cmp_rec);
		if (!r || !ebph_is_call(rk.call) || rk.set > EBPH_TEST ||
		    r->rows[rk.set][rk.call])
			continue;
		row = malloc(EBPH_NUM_SYSCALLS);
		if (!row) {
			ebph_snapshot_free(s);
			return -ENOMEM;
		}
		if (bpf_map_lookup(m->rows, &rk, row)) {
			free(row);
			continue;
		}
		r->rows[rk.set][rk.call] = row;
	}
	if (err != -ENOENT) {
		ebph_snapshot_free(s);
		return err;
	}
	return snapshot_read_seqs(m, s);
}

struct ebph_profile_rec *ebph_snapshot_find(struct ebph_snapshot *s, __u64 key)
{
	struct ebph_profile_rec want = { .prof.key = key };

	return bsearch(&want, s->recs, s->n, sizeof(*s->recs), cmp_rec);
}

int ebph_seqs_load(const struct ebph_maps *m, struct ebph_profile_rec *rec)
{
	struct ebph_seq_key *keys;
	struct ebph_seq *vals;
	__u32 n = rec->nseqs;
	size_t i;
	int has_test = rec->prof.seq_test_to != rec->prof.seq_test_from;
	int err = 0;

	keys = calloc(n ? n : 1, sizeof(*keys));
	vals = calloc(n ? n : 1, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		keys[i].profile = rec->prof.key;
		keys[i].seq = rec->seqs[i].seq;
		vals[i] = profile_seq_stamp(rec->seqs[i].sets);
	}
	if (n)
		err = bpf_map_update_batch(m->seqs, keys, vals, &n, BPF_ANY);
	if (err == -E2BIG || err == -ENOMEM)
		err = -ENOSPC;
	if (err)
		fprintf(stderr, "ebph: profile %016llx: %zu of %zu sequences written: %s%s\n",
			(unsigned long long)rec->prof.key, (size_t)n, rec->nseqs,
			strerror(-err), err == -ENOSPC ? " (the seqs map is full)" : "");
	else
		profile_seq_epochs(&rec->prof, has_test);
	free(keys);
	free(vals);
	return err;
}

int ebph_seqs_delete(const struct ebph_maps *m, __u64 profile)
{
	struct ebph_seq_key *keys;
	size_t n, i;
	int err, deleted = 0;

	err = bpf_map_keys(m->seqs, sizeof(*keys), (void **)&keys, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (keys[i].profile == profile)
			deleted += !bpf_map_delete(m->seqs, &keys[i]);
	free(keys);
	return deleted;
}

static const struct {
	const char *name;
	__u32 det;
} detector_names[] = {
	{ "pairs", EBPH_DET_PAIRS },
	{ "seqs", EBPH_DET_SEQS },
	{ "both", EBPH_DET_PAIRS | EBPH_DET_SEQS },
	{ "none", 0 },
};

int ebph_detectors_parse(const char *s, __u32 *det)
{
	size_t i;

	/* "none" is a name for printing only: a run that detects nothing
	 * would be a silent mistake. */
	for (i = 0; i + 1 < sizeof(detector_names) / sizeof(detector_names[0]); i++)
		if (!strcmp(s, detector_names[i].name)) {
			*det = detector_names[i].det;
			return 0;
		}
	return -EINVAL;
}

const char *ebph_detectors_name(__u32 det)
{
	size_t i;

	for (i = 0; i < sizeof(detector_names) / sizeof(detector_names[0]); i++)
		if (det == detector_names[i].det)
			return detector_names[i].name;
	return "?";
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

void ebph_snapshot_bytes(const struct ebph_snapshot *s, size_t *median,
			 size_t *total)
{
	size_t *v = s->n ? calloc(s->n, sizeof(*v)) : NULL, i;

	*median = *total = 0;
	for (i = 0; i < s->n; i++) {
		size_t b = profile_rec_bytes(&s->recs[i]);

		*total += b;
		if (v)
			v[i] = b;
	}
	if (!v)
		return;
	qsort(v, s->n, sizeof(*v), cmp_size);
	*median = s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
	free(v);
}
