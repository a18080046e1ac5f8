// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_state.c - the small files a running `ebph run` keeps under /run
 * for the other subcommands (see ebph_state.h for what and why).
 *
 * The writer's state is one static struct: there is one `ebph run` per
 * machine, and it is the only writer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "bpf_dirs.h"
#include "ebph_state.h"

#define STATE_NAME	"state"
#define RECENT_NAME	"anomalies"
#define STATE_FILE	EBPH_RUN_DIR "/" STATE_NAME
#define RECENT_FILE	EBPH_RUN_DIR "/" RECENT_NAME
#define SAVE_LOCK	EBPH_RUN_DIR "/save.lock"

static struct {
	int started;
	int dirfd;			/* EBPH_RUN_DIR, as checked */
	struct ebph_runstate st;
	int state_dirty;
	struct ebph_anomaly_rec ring[EBPH_RECENT_MAX];
	unsigned int n, next;		/* records held; slot of the next one */
	int ring_dirty;
} w;

/* ---- the writer ------------------------------------------------------- */

/* Write BUF to NAME in the run directory whole or not at all: a
 * temporary file renamed over it, root's only.  No fsync: /run is
 * tmpfs, and gone after a crash anyway. */
static int write_atomic(const char *name, const char *buf, size_t len)
{
	char tmp[64];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(w.dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(w.dirfd, tmp, w.dirfd, name))
		err = -errno;
	if (err)
		unlinkat(w.dirfd, tmp, 0);
	return err;
}

/* Whether the run directory DIRFD holds anything but the lock: what an
 * ebph writes there once it publishes (ebph_state_start()). */
static int beyond_lock(int dirfd)
{
	int fd = dup(dirfd), more = 0;
	struct dirent *de;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 1;	/* unknown: bpf_private_dir_remove() says */
	}
	while (!more && (de = readdir(d)))
		more = strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		       strcmp(de->d_name, EBPH_LOCK_NAME);
	rewinddir(d);	/* the offset is DIRFD's too: for the remove */
	closedir(d);
	return more;
}

int ebph_state_remove_stale(void)
{
	struct ebph_runstate old;
	char when[64] = "";
	int fd = bpf_private_dir(EBPH_RUN_DIR, 0);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (!beyond_lock(fd)) {
		close(fd);
		return 0;
	}
	/* What it said, to say whose it was. */
	if (!ebph_state_read(&old)) {
		time_t t = old.started;
		struct tm tm;

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), ", started %F %T", &tm);
		fprintf(stderr, "ebph: removing stale state in %s left by an ebph that did not stop cleanly (PID %d%s)\n",
			EBPH_RUN_DIR, (int)old.pid, when);
	} else {
		fprintf(stderr, "ebph: removing stale state in %s left by an ebph that did not stop cleanly\n",
			EBPH_RUN_DIR);
	}
	return bpf_private_dir_remove(fd, EBPH_RUN_DIR, EBPH_LOCK_NAME);
}

int ebph_state_start(pid_t pid, const char *profile_dir, int saving)
{
	int fd;

	/* Root's and private: the anomalies say whose calls were flagged. */
	fd = bpf_private_dir(EBPH_RUN_DIR, 1);
	if (fd < 0)
		return fd;
	memset(&w, 0, sizeof(w));
	w.dirfd = fd;
	w.st.pid = pid;
	w.st.started = time(NULL);
	w.st.saving = saving;
	/* The subcommands run elsewhere: `make run` passes "profiles". */
	if (!realpath(profile_dir, w.st.profile_dir))
		snprintf(w.st.profile_dir, sizeof(w.st.profile_dir), "%s", profile_dir);
	w.started = 1;
	w.state_dirty = 1;
	w.ring_dirty = 1;	/* an empty file: none yet, not "unknown" */
	ebph_state_flush();
	return 0;
}

void ebph_state_saved(__u64 saved, __u64 failed)
{
	w.st.saves++;
	w.st.saved = saved;
	w.st.save_failed = failed;
	w.state_dirty = 1;
}

void ebph_state_resumed(int left)
{
	if (left)
		w.st.delays_left++;
	else
		w.st.delays_resumed++;
	w.state_dirty = 1;
}

void ebph_state_anomaly(const struct ebph_event *ev, __s64 boot_to_real)
{
	struct ebph_anomaly_rec *a = &w.ring[w.next];
	size_t i;

	memset(a, 0, sizeof(*a));
	a->time = ev->ts + boot_to_real;
	a->profile = ev->profile;
	a->pid = ev->pid;
	a->tid = ev->tid;
	a->call = ev->call;
	a->misses = ev->misses;
	a->lfc = ev->lfc;
	/* A comm is any bytes a process chose (prctl PR_SET_NAME): keep
	 * the file one record per line, space-separated. */
	for (i = 0; i < sizeof(a->comm) - 1 && ev->comm[i]; i++)
		a->comm[i] = ev->comm[i] > ' ' && ev->comm[i] < 0x7f ? ev->comm[i] : '?';
	w.next = (w.next + 1) % EBPH_RECENT_MAX;
	if (w.n < EBPH_RECENT_MAX)
		w.n++;
	w.ring_dirty = 1;
}

void ebph_state_flush(void)
{
	char buf[PATH_MAX + 512];
	int len;

	if (!w.started)
		return;
	if (w.state_dirty) {
		len = snprintf(buf, sizeof(buf),
			       "pid %d\nstarted %llu\nprofile-dir %s\nsaving %d\n"
			       "saves %llu\nsaved %llu\nsave-failed %llu\n"
			       "delays-resumed %llu\ndelays-left %llu\n",
			       (int)w.st.pid, (unsigned long long)w.st.started,
			       w.st.profile_dir, w.st.saving,
			       (unsigned long long)w.st.saves,
			       (unsigned long long)w.st.saved,
			       (unsigned long long)w.st.save_failed,
			       (unsigned long long)w.st.delays_resumed,
			       (unsigned long long)w.st.delays_left);
		if (len > 0 && len < (int)sizeof(buf) &&
		    !write_atomic(STATE_NAME, buf, len))
			w.state_dirty = 0;
	}
	if (w.ring_dirty) {
		char ring[EBPH_RECENT_MAX * 96];
		unsigned int i, k;

		/* Oldest first, so the file reads like a log. */
		len = 0;
		for (i = 0; i < w.n; i++) {
			const struct ebph_anomaly_rec *a;

			k = (w.next + EBPH_RECENT_MAX - w.n + i) % EBPH_RECENT_MAX;
			a = &w.ring[k];
			len += snprintf(ring + len, sizeof(ring) - len,
					"%llu %u %u %016llx %u %u %u %s\n",
					(unsigned long long)a->time, a->pid, a->tid,
					(unsigned long long)a->profile, a->call,
					a->misses, a->lfc, a->comm[0] ? a->comm : "?");
		}
		if (!write_atomic(RECENT_NAME, ring, len))
			w.ring_dirty = 0;
	}
}

void ebph_state_stop(void)
{
	if (!w.started)
		return;
	w.started = 0;
	bpf_private_dir_remove(w.dirfd, EBPH_RUN_DIR, EBPH_LOCK_NAME);
}

int ebph_state_lock(void)
{
	int fd = open(SAVE_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void ebph_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* ---- the readers ------------------------------------------------------ */

pid_t ebph_instance_pid(void)
{
	char buf[32];
	ssize_t n;
	long pid;
	int fd = open(EBPH_LOCK_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* Whoever holds the lock runs; a shared lock we could take means
	 * nobody does (we drop it at once by closing). */
	if (!flock(fd, LOCK_SH | LOCK_NB)) {
		close(fd);
		return -ESRCH;
	}
	if (errno != EWOULDBLOCK) {
		int err = -errno;

		close(fd);
		return err;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return -EAGAIN;	/* locked, PID not written yet */
	buf[n] = 0;
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : -EAGAIN;
}

int ebph_state_read(struct ebph_runstate *st)
{
	char line[PATH_MAX + 64], *v;
	FILE *f = fopen(STATE_FILE, "re");

	memset(st, 0, sizeof(*st));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		v = strchr(line, ' ');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "pid"))
			st->pid = atoi(v);
		else if (!strcmp(line, "started"))
			st->started = strtoull(v, NULL, 10);
		else if (!strcmp(line, "profile-dir"))
			snprintf(st->profile_dir, sizeof(st->profile_dir), "%s", v);
		else if (!strcmp(line, "saving"))
			st->saving = atoi(v);
		else if (!strcmp(line, "saves"))
			st->saves = strtoull(v, NULL, 10);
		else if (!strcmp(line, "saved"))
			st->saved = strtoull(v, NULL, 10);
		else if (!strcmp(line, "save-failed"))
			st->save_failed = strtoull(v, NULL, 10);
		else if (!strcmp(line, "delays-resumed"))
			st->delays_resumed = strtoull(v, NULL, 10);
		else if (!strcmp(line, "delays-left"))
			st->delays_left = strtoull(v, NULL, 10);
	}
	fclose(f);
	return st->pid > 0 ? 0 : -EBADMSG;
}

static int cmp_newest(const void *a, const void *b)
{
	__u64 x = ((const struct ebph_anomaly_rec *)a)->time;
	__u64 y = ((const struct ebph_anomaly_rec *)b)->time;

	return x > y ? -1 : x < y;
}

int ebph_recent_read(struct ebph_anomaly_rec *out, int max)
{
	struct ebph_anomaly_rec ring[EBPH_RECENT_MAX];
	char line[256];
	int n = 0, i;
	FILE *f = fopen(RECENT_FILE, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (n < EBPH_RECENT_MAX && fgets(line, sizeof(line), f)) {
		struct ebph_anomaly_rec *a = &ring[n];
		unsigned long long t, key;

		memset(a, 0, sizeof(*a));
		if (sscanf(line, "%llu %u %u %llx %u %u %u %15s", &t, &a->pid,
			   &a->tid, &key, &a->call, &a->misses, &a->lfc, a->comm) != 8)
			continue;
		a->time = t;
		a->profile = key;
		n++;
	}
	fclose(f);
	/* The file is in the order the events were read, CPU ring by CPU
	 * ring; callers want the newest first. */
	qsort(ring, n, sizeof(ring[0]), cmp_newest);
	for (i = 0; i < n && i < max; i++)
		out[i] = ring[i];
	return i;
}
