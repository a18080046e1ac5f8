// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_persist.c - the profiles of `ebph run` between its maps and the
 * profile directory (ebph_run.h): restored into the maps at start,
 * while the verifier checks the programs, and saved from them every
 * save interval, on `ebph save` and at exit.  The file format and the
 * directory's checks are profile_store.c's; this is what `ebph run`
 * does with them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_state.h"
#include "profile_store.h"

/*
 * One saved profile into the maps (ebph_profile_write()), if its owner
 * is within the quota.  Called from several threads at once
 * (restore_start()), so it touches nothing but the maps, stderr, an
 * atomic count and, under owner_lock, the quota (restore_admit()).
 */
static int restore_one(void *ctx, const char *file, struct ebph_profile_rec *rec)
{
	struct ebph *e = ctx;
	int err;

	if (!restore_admit(e, rec->prof.owner))
		return 0;
	err = ebph_profile_write(&e->m, rec);
	if (err) {
		fprintf(stderr, "ebph: %s: cannot load into the maps: %s%s\n", file,
			strerror(-err), err == -E2BIG || err == -ENOMEM || err == -ENOSPC ?
			" (map full)" : "");
		return err;
	}
	if ((rec->prof.status & EBPH_NORMAL) &&
	    rec->prof.seq_test_to == rec->prof.seq_test_from)
		__atomic_fetch_add(&e->no_seq_test, 1, __ATOMIC_RELAXED);
	return 0;
}

static void on_refused(void *ctx, const char *file, const char *why)
{
	fprintf(stderr, "ebph: %s: refused: %s (left on disk)\n", file, why);
}

static void *restorer(void *arg)
{
	struct ebph *e = arg;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	e->restored = profile_load_dir_mt(e->opt.profile_dir, restore_one, on_refused,
					  e, e->boot_to_real, cpus > 1 ? cpus : 1);
	return NULL;
}

/*
 * Saved profiles go into the maps while the verifier checks the
 * programs: reading them is a checksum over every byte of every file
 * (for a thousand profiles, tens of milliseconds on one CPU), the
 * verifier as long again, and they need nothing of each other but the
 * maps.  restore_start() starts a thread that reads the directory with
 * one worker per CPU; restore_finish() waits for it.
 */
int restore_start(struct ebph *e)
{
	int err = pthread_create(&e->restorer, NULL, restorer, e);

	if (err) {
		fprintf(stderr, "ebph: cannot start a thread to load the profiles: %s\n",
			strerror(err));
		return -err;
	}
	e->restoring = 1;
	return 0;
}

int restore_finish(struct ebph *e)
{
	if (!e->restoring)
		return 0;
	pthread_join(e->restorer, NULL);
	e->restoring = 0;
	if (e->restored < 0)
		return e->restored;
	say(e, EBPH_INFO, "loaded %d profiles from %s", e->restored - e->skipped,
	    e->opt.profile_dir);
	report_skipped(e);
	/* Such a profile is tested on pairs only, or with --detector seqs
	 * not at all, until it is next made normal: say so, not silently. */
	if ((e->opt.detectors & EBPH_DET_SEQS) && e->no_seq_test)
		say(e, EBPH_WARNING,
		    "%d normal profile%s no test set of sequences (saved without the sequence detector): tested on sequences only from the next normalization (ebph normalize)",
		    e->no_seq_test, e->no_seq_test == 1 ? " has" : "s have");
	return 0;
}

/*
 * Every profile to its file.  What fails is said in at most two lines a
 * save, each with a count and the first profile, never a line per
 * profile: a full disk fails them all, at every save.
 */
int save_profiles(struct ebph *e)
{
	struct ebph_snapshot s;
	size_t i, saved = 0, refused = 0, failed = 0, trivial = 0;
	const struct ebph_profile_rec *first_refused = NULL, *first_failed = NULL;
	char path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], what[96] = "";
	int err, first_err = 0, other_errs = 0, lock, tries;

	/* `ebph delete` takes this lock too: a profile it deletes is either
	 * in this snapshot and its file removed after, or not saved. */
	lock = ebph_state_lock();
	if (lock < 0) {
		say(e, EBPH_ERROR, "profiles not saved: cannot take %s/save.lock: %s",
		    EBPH_RUN_DIR, strerror(-lock));
		return lock;
	}
	/* A walk cut short by a map changing under it (-EAGAIN) may miss
	 * rows: such a snapshot is never written over good files. */
	for (tries = 0; (err = ebph_snapshot_read(&e->m, &s)) == -EAGAIN && tries < 3; tries++)
		;
	if (err) {
		ebph_state_unlock(lock);
		say(e, EBPH_ERROR, "cannot read the profiles to save them: %s%s", strerror(-err),
		    err == -EAGAIN ? " (the maps changed too fast under three reads: nothing saved this time)" : "");
		return err;
	}
	for (i = 0; i < s.n; i++) {
		/* A user's profile that learned almost nothing is not worth
		 * a file, nor a place at the next start: what a flood of tiny
		 * programs leaves must not come back.  Root's are saved as
		 * before: root is not limited. */
		if (s.recs[i].prof.owner != EBPH_OWNER_ROOT &&
		    ebph_profile_trivial(&s.recs[i].prof)) {
			trivial++;
			continue;
		}
		profile_rec_settle(&s.recs[i]);
		err = profile_save(e->opt.profile_dir, &s.recs[i], e->boot_to_real);
		if (err == -EEXIST) {
			/* profile_save() never overwrites a file that was
			 * refused: it would destroy the evidence. */
			if (!refused++)
				first_refused = &s.recs[i];
		} else if (err) {
			if (!failed++) {
				first_failed = &s.recs[i];
				first_err = err;
			} else if (err != first_err) {
				other_errs = 1;
			}
		} else {
			saved++;
		}
	}
	if (refused) {
		char name[PROFILE_NAME_LEN];

		profile_file_name(first_refused->prof.key, name);
		ebph_escape(first_refused->path, path, sizeof(path));
		say(e, EBPH_ERROR, "%zu profiles not saved: their files were refused at load; move them away (the first: %s, %s/%s)",
		    refused, path, e->opt.profile_dir, name);
	}
	if (failed) {
		ebph_escape(first_failed->path, path, sizeof(path));
		say(e, EBPH_ERROR, "%zu profiles not saved in %s: %s%s (the first: " EBPH_KEY_FMT ", %s)",
		    failed, e->opt.profile_dir, strerror(-first_err),
		    other_errs ? ", and other errors" : "",
		    (unsigned long long)first_failed->prof.key, path);
	}
	ebph_snapshot_free(&s);
	ebph_state_unlock(lock);
	ebph_state_saved(saved, refused + failed);
	if (trivial)
		snprintf(what, sizeof(what), "; %zu of users' that made fewer than %u calls, never frozen, not saved",
			 trivial, EBPH_RECYCLE_CALLS);
	say(e, refused + failed ? EBPH_WARNING : EBPH_INFO, "saved %zu profiles to %s%s%s",
	    saved, e->opt.profile_dir, refused + failed ? ", some failed" : "", what);
	return refused + failed ? -EIO : 0;
}

/* At exit: what the profiles cost, as `make bench` measures it. */
void report_memory(struct ebph *e)
{
	struct ebph_snapshot s;
	size_t median, total, i, seqs = 0;

	if (ebph_snapshot_read(&e->m, &s))
		return;
	/* The bytes count sequences too (profile_rec_bytes()): say so. */
	for (i = 0; i < s.n; i++)
		seqs += s.recs[i].nseqs;
	ebph_snapshot_bytes(&s, &median, &total);
	say(e, EBPH_INFO, "%zu profiles: %.1f KB of lookahead pairs%s each (median), %.0f KB in all",
	    s.n, median / 1024.0, seqs ? " and sequences" : "", total / 1024.0);
	ebph_snapshot_free(&s);
}
