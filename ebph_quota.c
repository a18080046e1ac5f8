// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_quota.c - the owner quota, as `ebph run` keeps it (ebph_run.h).
 *
 * The kernel gives a non-root owner at most owner_quota profiles, and
 * all users together at most users_max (ebph_kern.c, owner_allows()),
 * and counts the execs it refused a profile.  `ebph run` says so, one
 * line an owner at most every REPORT_INTERVAL, makes room by recycling
 * the owner's profiles that learned almost nothing, and applies the
 * same quota to the saved profiles it loads at start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_util.h"

/* How often the owners are looked at (check_owners()): the loop turns
 * at every batch of events, hundreds of times a second under a flood,
 * and each look with refusals walks the profiles and tasks maps. */
#define OWNER_CHECK_NS		1000000000ULL
/* Profiles recycled for one owner, at most RECYCLE_MAX every
 * RECYCLE_NS.  Each is a delete as `ebph delete` makes it, 2,048 bpf(2)
 * calls for the rows alone, and a flood refills whatever is freed: 64
 * a second cost `ebph run` 30% of a CPU under a flood of 16,500 execs.
 * 32 every 10 s still leave room for a user's new builds, 192 a
 * minute beyond the quota. */
#define RECYCLE_MAX		32
#define RECYCLE_NS		(10ULL * 1000000000ULL)

/* The note of UID, made on first use; NULL when out of memory. */
static struct owner_note *owner_note(struct ebph *e, __u32 uid)
{
	struct owner_note *n;
	size_t i;

	for (i = 0; i < e->nnotes; i++)
		if (e->notes[i].uid == uid)
			return &e->notes[i];
	n = realloc(e->notes, (e->nnotes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	e->notes = n;
	n = &e->notes[e->nnotes++];
	memset(n, 0, sizeof(*n));
	n->uid = uid;
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The profiles that tasks run now, sorted, in a malloc'd array. */
static int running_profiles(struct ebph *e, __u64 **keysp, size_t *np)
{
	__u32 *tids;
	__u64 *keys;
	size_t n, i, k = 0;
	int err;

	err = bpf_map_keys(e->m.tasks, sizeof(*tids), (void **)&tids, &n);
	if (err)
		return err;
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys) {
		free(tids);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct ebph_task t;

		if (!bpf_map_lookup(e->m.tasks, &tids[i], &t))
			keys[k++] = t.profile;
	}
	free(tids);
	qsort(keys, k, sizeof(*keys), cmp_u64);
	*keysp = keys;
	*np = k;
	return 0;
}

/*
 * Make room for UID's new profiles (or, ALL_USERS, for any user's, when
 * all users together are at their share): delete up to RECYCLE_MAX of
 * its profiles that learned almost nothing (ebph_profile_trivial()) and
 * that no task runs now, as `ebph delete` does (cmd_delete_profile(),
 * which keeps the owners' counts; without the audit notice, which we
 * would have to answer ourselves: the report line says it).  Returns
 * how many.
 */
static int recycle(struct ebph *e, __u32 uid, int all_users)
{
	struct ebph_snapshot s;
	__u64 *running;
	size_t nrun, i;
	char msg[PATH_MAX + 256];
	int n = 0, seq_err;

	if (ebph_snapshot_read_profiles(&e->m, &s))
		return 0;
	if (running_profiles(e, &running, &nrun)) {
		ebph_snapshot_free(&s);
		return 0;
	}
	for (i = 0; i < s.n && n < RECYCLE_MAX; i++) {
		const struct ebph_profile *p = &s.recs[i].prof;

		if (p->owner == EBPH_OWNER_ROOT ||
		    (!all_users && p->owner != uid) || !ebph_profile_trivial(p) ||
		    bsearch(&p->key, running, nrun, sizeof(*running), cmp_u64))
			continue;
		if (!cmd_delete_profile(&e->m, p, e->opt.detectors & EBPH_DET_SEQS,
					msg, sizeof(msg), &seq_err))
			n++;
	}
	free(running);
	ebph_snapshot_free(&s);
	return n;
}

/*
 * The kernel counts, per owner, the execs it refused a profile over the
 * quota (ebph_kern.c, owner_allows()).  Every OWNER_CHECK_NS: recycle
 * for the owners refused since the last look, and say so, one line an
 * owner at most every REPORT_INTERVAL (all at once at exit), with the
 * uid and the count: never a line per exec.
 */
void check_owners(struct ebph *e, enum owners_when when)
{
	struct ebph_config cfg = live_config(e);
	struct ebph_owner_key *keys;
	__u64 now = clock_ns(CLOCK_MONOTONIC);
	int flush = when == OWNERS_FLUSH;
	char recycled[96];
	size_t n, i;

	if (when == OWNERS_TICK && now - e->owners_ns < OWNER_CHECK_NS)
		return;
	e->owners_ns = now;
	if (bpf_map_keys(e->m.owners, sizeof(*keys), (void **)&keys, &n))
		return;
	for (i = 0; i < n; i++) {
		struct owner_note *note;
		__u64 refused;
		__s64 has, all;
		int share;

		if (keys[i].kind != EBPH_OWNER_REFUSED || keys[i].uid == EBPH_OWNER_ALL ||
		    bpf_map_lookup(e->m.owners, &keys[i], &refused))
			continue;
		note = owner_note(e, keys[i].uid);
		if (!note)
			break;
		has = ebph_owner_count(&e->m, note->uid);
		all = ebph_owner_count(&e->m, EBPH_OWNER_ALL);
		/* Which limit refused is a guess from the counts now: the
		 * users' share, if it is full (the rarer case), else its own. */
		share = all >= cfg.users_max;
		if (refused > note->refused_seen && !flush &&
		    (!note->recycle_ns || now - note->recycle_ns >= RECYCLE_NS)) {
			note->recycled += recycle(e, note->uid, share);
			note->recycle_ns = now;
		}
		note->refused_seen = refused;
		if (refused == note->refused_said ||
		    (!flush && note->said_ns && now - note->said_ns < REPORT_INTERVAL))
			continue;
		recycled[0] = 0;
		if (note->recycled)
			snprintf(recycled, sizeof(recycled),
				 "; %llu of its profiles that learned almost nothing recycled",
				 (unsigned long long)note->recycled);
		say(e, EBPH_WARNING,
		    "uid %u: %llu execution%s of its not profiled: %s (it had %lld profiles of %u, all users %lld of %u)%s",
		    note->uid, (unsigned long long)(refused - note->refused_said),
		    refused - note->refused_said == 1 ? "" : "s",
		    share ? "all users over their share" : "over its quota",
		    (long long)has, cfg.owner_quota, (long long)all, cfg.users_max,
		    recycled);
		note->refused_said = refused;
		note->recycled = 0;
		note->said_ns = now;
	}
	free(keys);
}

/*
 * The quota at load, as the kernel applies it at creation: a saved
 * profile of a non-root owner loads only while the owner and all users
 * are under theirs, and is counted in the owners map (before the
 * programs run: nothing else writes it yet).  Threads load at once,
 * hence the lock.  1: load it; 0: leave it on disk (counted, said once
 * an owner by report_skipped(), when restore_finish() has them all).
 */
int restore_admit(struct ebph *e, __u32 owner)
{
	struct owner_note *note;
	int ok;

	if (owner == EBPH_OWNER_ROOT)
		return 1;
	pthread_mutex_lock(&e->owner_lock);
	ok = ebph_owner_count(&e->m, owner) < e->opt.owner_quota &&
	     ebph_owner_count(&e->m, EBPH_OWNER_ALL) < EBPH_USERS_MAX &&
	     !ebph_owner_add(&e->m, owner, EBPH_OWNER_MADE, 1);
	if (!ok) {
		note = owner_note(e, owner);
		if (note)
			note->skipped++;
		e->skipped++;
	}
	pthread_mutex_unlock(&e->owner_lock);
	return ok;
}

/* The saved profiles restore_admit() left on disk: one line an owner. */
void report_skipped(struct ebph *e)
{
	for (size_t i = 0; i < e->nnotes; i++)
		if (e->notes[i].skipped)
			say(e, EBPH_WARNING,
			    "uid %u: %llu saved profiles not loaded: over its quota of %u profiles, or all users over %u (left on disk)",
			    e->notes[i].uid, (unsigned long long)e->notes[i].skipped,
			    e->opt.owner_quota, EBPH_USERS_MAX);
}
