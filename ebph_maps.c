// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_maps.c - ebph's maps from user space: found in a loaded object or
 * in the pins of a running instance, each checked against what ebph.h
 * says it is, and read whole into a snapshot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "bpf_dirs.h"
#include "btf_blob.h"
#include "ebph.h"
#include "ebph_maps.h"

/* EBPH_MAPS (ebph_maps.h) as a table: each map's name, its fd's place
 * in struct ebph_maps and its shape. */
#define MAP(n, t, key, value, max) { #n, offsetof(struct ebph_maps, n),	\
	{ .type = BPF_MAP_TYPE_##t, .key_size = sizeof(key),		\
	  .value_size = (value), .max_entries = (max) } },
static const struct {
	const char *name;
	size_t off;
	struct bpf_map_def def;
} maps[] = {
	EBPH_MAPS(MAP)
};
#undef MAP
#define NR_MAPS (sizeof(maps) / sizeof(maps[0]))

static int *map_slot(struct ebph_maps *m, size_t i)
{
	return (int *)((char *)m + maps[i].off);
}

/* How HAVE differs from map I as listed, in words after "is": "a hash
 * of 16-byte keys, not 8"; NULL when it does not. */
static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

static const char *map_mismatch(size_t i, const struct bpf_map_def *have,
				char *buf, size_t len)
{
	const struct bpf_map_def *want = &maps[i].def;
	const char *type = bpf_map_type_name(have->type), *a = article(type);
	const char *want_type = bpf_map_type_name(want->type);

	if (have->type != want->type)
		snprintf(buf, len, "%s %s, not %s %s", a, type, article(want_type), want_type);
	else if (have->key_size != want->key_size)
		snprintf(buf, len, "%s %s of %u-byte keys, not %u", a, type,
			 have->key_size, want->key_size);
	else if (have->value_size != want->value_size)
		snprintf(buf, len, "%s %s of %u-byte values, not %u", a, type,
			 have->value_size, want->value_size);
	/* An array is read by index, so its size is part of its shape; a
	 * hash's capacity is a build's choice (tests build a small tasks
	 * map), and every walk is bounded by the map's own. */
	else if (have->max_entries != want->max_entries &&
		 want->type != BPF_MAP_TYPE_HASH)
		snprintf(buf, len, "%s %s of %u entries, not %u", a, type,
			 have->max_entries, want->max_entries);
	else
		return NULL;
	return buf;
}

int ebph_maps_from_object(struct ebph_maps *m, struct ld_obj *obj)
{
	struct ld_map *ld;
	char why[96];
	size_t i;

	for (i = 0; i < NR_MAPS; i++) {
		*map_slot(m, i) = ld_map_fd(obj, maps[i].name);
		if (*map_slot(m, i) < 0)
			return *map_slot(m, i);
		ld = ld_find_map(obj, maps[i].name);
		if (map_mismatch(i, &ld->def, why, sizeof(why))) {
			fprintf(stderr, "ebph: %s: map '%s' is %s: the object is not from this version of ebph\n",
				obj->path, maps[i].name, why);
			return -EPROTO;
		}
	}
	return 0;
}

/* Pin I of the directory DIRFD (EBPH_PIN_DIR) as map I, checked. */
static int open_pin(int dirfd, size_t i, const char *cmd)
{
	struct bpf_map_info info;
	struct bpf_map_def have;
	char why[96];
	int fd, err;

	fd = bpf_pin_open_at(dirfd, maps[i].name);
	if (fd < 0) {
		if (fd == -ENOENT)
			fprintf(stderr, "ebph %s: %s/%s is missing: the pins are incomplete (moved or removed?): restart ebph to pin its maps again\n",
				cmd, EBPH_PIN_DIR, maps[i].name);
		else
			fprintf(stderr, "ebph %s: cannot open %s/%s: %s\n", cmd, EBPH_PIN_DIR,
				maps[i].name, strerror(-fd));
		return fd;
	}
	err = bpf_map_get_info(fd, &info);
	if (err == -EINVAL) {
		snprintf(why, sizeof(why), "not a map");
	} else if (err) {
		fprintf(stderr, "ebph %s: cannot tell what %s/%s is: %s\n", cmd, EBPH_PIN_DIR,
			maps[i].name, strerror(-err));
		close(fd);
		return err;
	} else {
		have = (struct bpf_map_def){
			.type = info.type, .key_size = info.key_size,
			.value_size = info.value_size, .max_entries = info.max_entries,
		};
		if (!map_mismatch(i, &have, why, sizeof(why)))
			return fd;
	}
	fprintf(stderr, "ebph %s: %s/%s is %s: not ebph's map (swapped, replaced, or another version's?)\n",
		cmd, EBPH_PIN_DIR, maps[i].name, why);
	close(fd);
	return -EPROTO;
}

int ebph_maps_open_pinned(struct ebph_maps *m, const char *cmd)
{
	size_t i;
	int dirfd, fd = 0;

	for (i = 0; i < NR_MAPS; i++)
		*map_slot(m, i) = -1;
	/* Checked as `ebph run` made it: whoever controls the directory
	 * controls what these commands read and write. */
	dirfd = bpf_private_dir(EBPH_PIN_DIR, 0);
	if (dirfd == -ENOENT) {
		fprintf(stderr, "ebph %s: no ebph is running (nothing pinned at %s); start one with 'sudo ebph'\n",
			cmd, EBPH_PIN_DIR);
		return dirfd;
	}
	if (dirfd < 0)
		return dirfd;
	for (i = 0; i < NR_MAPS && fd >= 0; i++)
		fd = *map_slot(m, i) = open_pin(dirfd, i, cmd);
	close(dirfd);
	if (fd < 0) {
		ebph_maps_close(m);
		return fd;
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
static int check_ti_status(const struct btf_blob *btf, int verbose)
{
	__u32 ti, status;
	int err;

	err = btf_blob_member_offset(btf, "task_struct", "thread_info", &ti);
	if (!err)
		err = btf_blob_member_offset(btf, "thread_info", "status", &status);
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
		/* kuid_t is a struct of one uid_t, val: its offset is i_uid's. */
		{ "inode", "i_uid", offsetof(struct ebph_config, off_inode_uid) },
		{ "inode", "i_nlink", offsetof(struct ebph_config, off_inode_nlink) },
		/* The parent of an event's process (ev_origin()). */
		{ "task_struct", "real_parent", offsetof(struct ebph_config, off_task_real_parent) },
		{ "task_struct", "tgid", offsetof(struct ebph_config, off_task_tgid) },
		/* A refused exec's file (ebph_bprm_check()). */
		{ "linux_binprm", "filename", offsetof(struct ebph_config, off_bprm_filename) },
	};
	struct btf_blob *btf;
	size_t i;
	int err;

	err = btf_blob_read("/sys/kernel/btf/vmlinux", &btf);
	if (err)
		return err;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		__u32 off;

		err = btf_blob_member_offset(btf, fields[i].s, fields[i].f, &off);
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
	/* Only with CONFIG_AUDIT: without it, no login uid (0 here). */
	if (!err && btf_blob_member_offset(btf, "task_struct", "loginuid",
					   &cfg->off_task_loginuid))
		cfg->off_task_loginuid = 0;
	if (!err && verbose)
		fprintf(stderr, "bpf_load: BTF: task_struct.loginuid at offset %u%s\n",
			cfg->off_task_loginuid, cfg->off_task_loginuid ? "" : " (none)");
	if (!err)
		err = check_ti_status(btf, verbose);
	btf_blob_free(btf);
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

struct snap_walk {
	const struct ebph_maps *m;
	struct ebph_snapshot *s;
	size_t cap;
};

static int add_profile(void *ctx, const void *key)
{
	struct snap_walk *w = ctx;
	struct ebph_snapshot *s = w->s;
	struct ebph_profile_rec *r;
	struct ebph_path p;

	if (s->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		void *n = realloc(s->recs, cap * sizeof(*s->recs));

		if (!n)
			return -ENOMEM;
		s->recs = n;
		w->cap = cap;
	}
	r = &s->recs[s->n];
	memset(r, 0, sizeof(*r));
	if (bpf_map_lookup(w->m->profiles, key, &r->prof))
		return 0;	/* deleted meanwhile */
	if (!bpf_map_lookup(w->m->paths, key, &p))
		memcpy(r->path, p.path, sizeof(r->path));
	r->path[sizeof(r->path) - 1] = 0;
	s->n++;
	return 0;
}

/* The calls a live task has not flushed yet (EBPH_FLUSH_CALLS), added to
 * its profile in the snapshot. */
static int add_pending(void *ctx, const void *key)
{
	struct snap_walk *w = ctx;
	struct ebph_profile_rec *r;
	struct ebph_task t;

	if (bpf_map_lookup(w->m->tasks, key, &t) || !t.pending)
		return 0;
	r = ebph_snapshot_find(w->s, t.profile);
	if (r)
		ebph_counts_add(&r->prof, t.pending);
	return 0;
}

/* Every profile with its path, no rows: what listings need, without
 * reading (up to) 128 MiB of rows.  Its counters include the calls that
 * live tasks have not flushed to it. */
int ebph_snapshot_read_profiles(const struct ebph_maps *m, struct ebph_snapshot *s)
{
	struct snap_walk w = { .m = m, .s = s };
	int err;

	memset(s, 0, sizeof(*s));
	err = bpf_map_walk(m->profiles, sizeof(__u64), add_profile, &w);
	if (!err) {
		qsort(s->recs, s->n, sizeof(*s->recs), cmp_rec);
		err = bpf_map_walk(m->tasks, sizeof(__u32), add_pending, &w);
	}
	if (err)
		ebph_snapshot_free(s);
	return err;
}

/* A sequence of a profile in the snapshot, unless in neither set
 * (forgotten, not yet saved away). */
static int add_seq(void *ctx, const void *key)
{
	const struct ebph_seq_key *sk = key;
	struct snap_walk *w = ctx;
	struct ebph_profile_rec *r = ebph_snapshot_find(w->s, sk->profile);
	struct ebph_seq v;
	__u32 sets;

	if (!r || bpf_map_lookup(w->m->seqs, sk, &v))
		return 0;
	sets = (ebph_seq_in_train(&r->prof, &v) ? PROFILE_SEQ_TRAIN : 0) |
	       (ebph_seq_in_test(&r->prof, &v) ? PROFILE_SEQ_TEST : 0);
	if (!sets)
		return 0;
	/* Doubling: nseqs is a power of two whenever it is full. */
	if (!(r->nseqs & (r->nseqs - 1))) {
		void *n = realloc(r->seqs, (r->nseqs ? 2 * r->nseqs : 16) *
					   sizeof(*r->seqs));

		if (!n)
			return -ENOMEM;
		r->seqs = n;
	}
	r->seqs[r->nseqs].seq = sk->seq;
	r->seqs[r->nseqs].sets = sets;
	r->nseqs++;
	return 0;
}

static int add_row(void *ctx, const void *key)
{
	const struct ebph_row_key *rk = key;
	struct snap_walk *w = ctx;
	struct ebph_profile_rec *r = ebph_snapshot_find(w->s, rk->profile);
	__u8 *row;

	if (!r || !ebph_is_call(rk->call) || rk->set > EBPH_TEST ||
	    r->rows[rk->set][rk->call])
		return 0;
	row = malloc(EBPH_NUM_SYSCALLS);
	if (!row)
		return -ENOMEM;
	if (bpf_map_lookup(w->m->rows, rk, row)) {
		free(row);
		return 0;
	}
	r->rows[rk->set][rk->call] = row;
	return 0;
}

/*
 * Read every profile with its rows and sequences.  The rows map is
 * walked once, not probed 1024 times per profile: with a thousand
 * profiles that is the difference between a few thousand syscalls and
 * a million.
 */
int ebph_snapshot_read(const struct ebph_maps *m, struct ebph_snapshot *s)
{
	struct snap_walk w = { .m = m, .s = s };
	int err;

	err = ebph_snapshot_read_profiles(m, s);
	if (err)
		return err;
	err = bpf_map_walk(m->rows, sizeof(struct ebph_row_key), add_row, &w);
	if (!err)
		err = bpf_map_walk(m->seqs, sizeof(struct ebph_seq_key), add_seq, &w);
	if (err)
		ebph_snapshot_free(s);
	return err;
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
		err = bpf_map_update_many(m->seqs, keys, vals, &n, BPF_ANY);
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

int ebph_profile_write(const struct ebph_maps *m, struct ebph_profile_rec *rec)
{
	struct ebph_row_key keys[PROFILE_MAX_ROWS];
	struct ebph_path path = {};
	__u64 key = rec->prof.key;
	__u32 n = 0, done;
	__u8 *vals;
	int set, c, err;

	for (set = 0; set < 2; set++)
		for (c = 0; c < EBPH_NUM_CALLS; c++)
			n += rec->rows[set][c] != NULL;
	/* Tens of kilobytes, not the 512 KB of a full profile: a large
	 * malloc is an mmap, page faults and a munmap every time. */
	vals = malloc((size_t)(n ? n : 1) * EBPH_NUM_SYSCALLS);
	if (!vals)
		return -ENOMEM;
	n = 0;
	for (set = 0; set < 2; set++)
		for (c = 0; c < EBPH_NUM_CALLS; c++) {
			if (!rec->rows[set][c])
				continue;
			keys[n] = (struct ebph_row_key){ .profile = key, .call = c, .set = set };
			memcpy(vals + (size_t)n * EBPH_NUM_SYSCALLS, rec->rows[set][c],
			       EBPH_NUM_SYSCALLS);
			n++;
		}
	memcpy(path.path, rec->path, sizeof(path.path));
	err = ebph_seqs_load(m, rec);
	if (!err)
		err = bpf_map_update(m->profiles, &key, &rec->prof, BPF_ANY);
	if (!err)
		err = bpf_map_update(m->paths, &key, &path, BPF_ANY);
	done = n;
	if (!err && n)
		err = bpf_map_update_many(m->rows, keys, vals, &done, BPF_ANY);
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

int ebph_rows_work(const struct ebph_maps *m, __u64 profile, __u32 work)
{
	struct ebph_row_key rk = { .profile = profile };
	__u8 row[EBPH_NUM_SYSCALLS];
	int c, err, n = 0;

	for (c = 0; (work & EBPH_WORK_COPY) && c < EBPH_NUM_CALLS; c++) {
		rk.call = c;
		rk.set = EBPH_TRAIN;
		if (bpf_map_lookup(m->rows, &rk, row)) {
			rk.set = EBPH_TEST;
			bpf_map_delete(m->rows, &rk);
			continue;
		}
		rk.set = EBPH_TEST;
		err = bpf_map_update(m->rows, &rk, row, BPF_ANY);
		if (err)
			return err;
		n++;
	}
	for (c = 0; (work & (EBPH_WORK_RESET | EBPH_WORK_DROP_TEST)) &&
		    c < 2 * EBPH_NUM_CALLS; c++) {
		rk.call = c % EBPH_NUM_CALLS;
		rk.set = c / EBPH_NUM_CALLS;
		if (work & (rk.set == EBPH_TRAIN ? EBPH_WORK_RESET : EBPH_WORK_DROP_TEST))
			n += !bpf_map_delete(m->rows, &rk);
	}
	return n;
}

int ebph_profile_change(const struct ebph_maps *m, __u64 key, ebph_rule_fn *rule,
			__u32 detectors, struct ebph_profile *p, int *rows)
{
	struct ebph_profile q;
	int err;

	/* What the rule asks of the rows, asked of a copy. */
	*rows = 0;
	err = bpf_map_lookup(m->profiles, &key, &q);
	if (err)
		return err;
	*rows = ebph_rows_work(m, key, rule(&q, &detectors));
	if (*rows < 0)
		return *rows;
	err = bpf_map_lookup(m->profiles, &key, p);
	if (err)
		return err;
	rule(p, &detectors);
	return bpf_map_update(m->profiles, &key, p, BPF_EXIST);
}

static __u64 owner_counter(const struct ebph_maps *m, __u32 uid, __u32 kind)
{
	struct ebph_owner_key k = { .uid = uid, .kind = kind };
	__u64 v;

	return bpf_map_lookup(m->owners, &k, &v) ? 0 : v;
}

__s64 ebph_owner_count(const struct ebph_maps *m, __u32 uid)
{
	return (__s64)(owner_counter(m, uid, EBPH_OWNER_MADE) -
		       owner_counter(m, uid, EBPH_OWNER_FREED));
}

int ebph_owner_add(const struct ebph_maps *m, __u32 uid, __u32 kind, __u64 n)
{
	__u32 uids[2] = { uid, EBPH_OWNER_ALL };
	int i, err = 0;

	if (uid == EBPH_OWNER_ROOT)
		return 0;
	/* Both, whatever the first gives: an owner the kernel could not
	 * count (the owners map full) still counts in the sums. */
	for (i = 0; i < 2; i++) {
		struct ebph_owner_key k = { .uid = uids[i], .kind = kind };
		__u64 v = owner_counter(m, uids[i], kind) + n;
		int e = bpf_map_update(m->owners, &k, &v, BPF_ANY);

		if (e && !err)
			err = e;
	}
	return err;
}

static const struct {
	const char *name;
	__u32 det;
} detector_names[] = {
	{ "pairs", EBPH_DET_PAIRS },
	{ "seqs", EBPH_DET_SEQS },
	{ "both", EBPH_DET_PAIRS | EBPH_DET_SEQS },
	{ "seqs7", EBPH_DET_SEQS | EBPH_DET_SEQS7 },
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
