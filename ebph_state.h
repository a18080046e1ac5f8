/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_state.h - what a running `ebph run` tells the other subcommands
 * beyond its pinned maps: facts only user space knows.
 *
 *   /run/ebph/           root's, 0700, as bpf_private_dir() checks it
 *   /run/ebph/lock       held with flock(2) while it runs; holds its PID.
 *                        It stays when ebph stops (the rest goes): a lock
 *                        file removed while held would let a second ebph
 *                        lock a new file of the same name
 *   /run/ebph/state      "name value" lines: PID, start time, profile
 *                        directory, saves done, delays resumed
 *   /run/ebph/anomalies  the most recent anomalies, newest last
 *   /run/ebph/control    a datagram socket, root's (0600): the commands
 *                        that change something tell `ebph run`, which
 *                        logs who did what (ebph_cmd.h, cmd_audit())
 *
 * Every file is root's and 0600: which calls were flagged is no other
 * user's business (a user watching it would learn how to stay unseen).
 *
 * Only `ebph run` writes these files, each by writing a temporary file
 * and renaming it over the old one, so a reader sees a whole file, old
 * or new.  The maps stay the only source of what the kernel knows; these
 * files hold what the kernel cannot: where profiles are saved, the
 * saves made, and anomalies with their time.
 */
#ifndef EBPH_STATE_H
#define EBPH_STATE_H

#include <limits.h>
#include <sys/types.h>
#include <linux/types.h>

#include "ebph.h"

#define EBPH_RUN_DIR		"/run/ebph"
#define EBPH_LOCK_NAME		"lock"
#define EBPH_LOCK_FILE		EBPH_RUN_DIR "/" EBPH_LOCK_NAME
/* Where an older ebph holds its lock (take_lock() checks it). */
#define EBPH_OLD_LOCK_FILE	"/run/ebph.lock"
#define EBPH_CONTROL_SOCK	EBPH_RUN_DIR "/control"
#define EBPH_RECENT_MAX		32	/* anomalies kept in the file */

struct ebph_runstate {
	pid_t pid;
	__u64 started;			/* CLOCK_REALTIME, seconds */
	char profile_dir[PATH_MAX];	/* absolute */
	int saving;			/* 0: started with --no-save */
	__u64 saves;			/* saves finished, however started */
	__u64 saved, save_failed;	/* profiles, in the last save */
	__u64 delays_resumed;		/* processes resumed after a delay */
	__u64 delays_left;		/* ... left stopped: another stop was
					 * pending (ebph_delay.c) */
};

/* One anomaly as `ebph top` shows it. */
struct ebph_anomaly_rec {
	__u64 time;			/* CLOCK_REALTIME, ns */
	__u64 profile;
	__u32 pid, tid, call, misses, lfc;
	char comm[EBPH_COMM_LEN];	/* printable, NUL-terminated */
};

/* ---- the writer: `ebph run` ------------------------------------------- */

/* Remove what an ebph that did not stop left in /run/ebph (all but the
 * lock, which the caller holds), saying so on stderr with its PID; 0
 * when there is none.  -EPERM (and a sentence) for a /run/ebph that is
 * not root's and private, which is left alone. */
int ebph_state_remove_stale(void);
/* Publish: PID, DIR (made absolute), SAVING; creates /run/ebph (one
 * sentence and -errno when it cannot, or finds one it refuses). */
int ebph_state_start(pid_t pid, const char *profile_dir, int saving);
/* Events from `ebph run`; published at the next ebph_state_flush(). */
void ebph_state_saved(__u64 saved, __u64 failed);
void ebph_state_anomaly(const struct ebph_event *ev, __s64 boot_to_real);
/* A process stopped for a delay was resumed, or LEFT stopped. */
void ebph_state_resumed(int left);
/* Rewrite the files that changed since the last flush: called once per
 * turn of the event loop, so an anomaly storm costs one write a turn. */
void ebph_state_flush(void);
/* Empty /run/ebph but for the lock: what it said is no longer true. */
void ebph_state_stop(void);

/*
 * Serialises `ebph run`'s saves with `ebph delete`, so that a save cannot
 * write back the file of a profile deleted while it was saving.  (Not the
 * profile directory's own flock: profile_save() takes that per file.)
 * Returns an fd to pass to ebph_state_unlock(), or -errno.
 */
int ebph_state_lock(void);
void ebph_state_unlock(int fd);

/* ---- the readers: the subcommands -------------------------------------- */

/*
 * The PID of the running ebph: the one holding EBPH_LOCK_FILE.  -ESRCH
 * when nobody holds it (none runs, or it was killed and left its pins),
 * -EAGAIN when it is just starting, another -errno on failure.
 */
pid_t ebph_instance_pid(void);

int ebph_state_read(struct ebph_runstate *st);

/* Up to MAX anomalies into OUT, newest first; returns how many. */
int ebph_recent_read(struct ebph_anomaly_rec *out, int max);

#endif /* EBPH_STATE_H */
