// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_user.c - the ebph program: loads ebph_kern.o, learns and reports.
 *
 * `ebph run` is the whole life cycle, one step per function below:
 *
 *   check     root, one instance, tracefs and bpffs mounted
 *   open      parse ebph_kern.o (bpf_load.c)
 *   load      create maps, load programs through the verifier
 *   configure settings and BTF field offsets into the "config" map
 *   restore   saved profiles from the profile directory into the maps
 *   listen    one perf ring per CPU on the "events" map
 *   pin       maps under /sys/fs/bpf/ebph, for the other subcommands
 *   attach    sys_enter and the sched tracepoints: monitoring starts
 *   loop      print events, watch the drop counters, save periodically
 *             and on SIGUSR1 (`ebph save`), publish state for the
 *             other subcommands (ebph_state.c)
 *   stop      detach, drain the rings, save, unpin, close
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>

#include "bpf_load.h"
#include "ebph.h"
#include "profile_store.h"
#include "syscall_names.h"
#include "ebph_maps.h"
#include "ebph_cmd.h"
#include "ebph_state.h"
#include "ebph_log.h"
#include "ebph_replay.h"

#ifndef EBPH_LIBDIR
#define EBPH_LIBDIR "/usr/local/lib/ebph"
#endif
#define DEFAULT_PROFILE_DIR	"/var/lib/ebph/profiles"
#define LOCK_FILE		EBPH_LOCK_FILE
#define PERF_PAGES		64	/* per CPU: 256 KiB, ~2700 events */

static const char *prog = "ebph";

/* ---- settings ------------------------------------------------------------ */

struct options {
	const char *profile_dir;
	const char *object;		/* NULL: find ebph_kern.o */
	__u64 normal_wait;		/* ns */
	__u64 save_interval;		/* ns; 0: only at exit */
	__u32 anomaly_limit;
	__u32 tolerize_limit;
	int load, save;
	int verbose;
	int json;			/* events as JSON lines on stdout */
	int syslog;			/* events to syslog(3), not stdout text */
	int log_sequences;		/* report every new pair or sequence */
	__u32 detectors;		/* EBPH_DET_* */
};

/* What `ebph run` holds while it runs. */
struct ebph {
	struct options opt;
	struct bpf_object obj;
	struct perf_buffer pb;
	struct ebph_maps m;
	int ncpus;
	__s64 boot_to_real;		/* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
	__u64 stats_seen[EBPH_STAT_MAX];
	__u64 lost_events;
	const struct ebph_event *cur;	/* the event say() reports, for --json */
	pthread_t restorer;		/* restore_start() .. restore_finish() */
	int restoring;
	int restored;			/* profiles loaded, or -errno */
	int no_seq_test;		/* of them, normal with no test set of
					 * sequences (atomic: restore threads) */
};

static volatile sig_atomic_t stop_signal, save_request;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGUSR1, from `ebph save`: save at the next turn of the loop. */
static void on_save_signal(int sig)
{
	save_request = 1;
}

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s -h' for help.\n", prog);
	exit(2);
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * "3s", "10m", "2h", "1d", "1w", "250ms", or plain seconds.  Returns
 * nanoseconds, or -1 for anything else: a typo must not silently become
 * a week or zero.
 */
/* Also `ebph set normal-wait` (ebph_cmd.h). */
long long parse_duration(const char *s)
{
	static const struct { const char *unit; unsigned long long ns; } units[] = {
		{ "ms", 1000000ULL }, { "s", 1000000000ULL },
		{ "m", 60ULL * 1000000000ULL }, { "h", 3600ULL * 1000000000ULL },
		{ "d", 86400ULL * 1000000000ULL }, { "w", 604800ULL * 1000000000ULL },
		{ "", 1000000000ULL },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		/* At most ten years: more is a typo, and would overflow. */
		if (v > 10ULL * 366 * 86400 * 1000000000ULL / units[i].ns)
			return -1;
		return (long long)(v * units[i].ns);
	}
	return -1;
}

static unsigned long parse_uint(const char *s, const char *what, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		die_usage("invalid %s '%s' (a whole number from 0 to %lu)", what, s, max);
	return v;
}

/* ---- output ---------------------------------------------------------------- */

static const char *level_name[] = {
	[EBPH_DEBUG] = "DEBUG", [EBPH_INFO] = "INFO",
	[EBPH_WARNING] = "WARNING", [EBPH_ERROR] = "ERROR",
};

/*
 * One line per event: on stdout as "2026-11-21 12:07:17 WARNING: ...",
 * or as a JSON object (--json, with the fields of e->cur, the kernel
 * event being reported), and/or to syslog (--syslog).
 */
static void say(struct ebph *e, __u64 boot_ns, enum ebph_level level,
		const char *fmt, ...)
{
	char stamp[32], msg[1024];
	__u64 real_ns;
	struct tm tm;
	time_t t;
	va_list ap;

	if (level == EBPH_DEBUG && !e->opt.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	real_ns = boot_ns ? boot_ns + e->boot_to_real : clock_ns(CLOCK_REALTIME);
	if (e->opt.syslog)
		syslog(ebph_syslog_priority(level, e->cur), "%s", msg);
	if (e->opt.json) {
		struct ebph_path p;
		int have = e->cur && !bpf_map_lookup(e->m.paths, &e->cur->profile, &p);

		if (have)
			p.path[sizeof(p.path) - 1] = 0;
		ebph_json_line(stdout, real_ns, level, msg, e->cur,
			       have ? p.path : NULL, e->boot_to_real);
		return;
	}
	if (e->opt.syslog)
		return;
	t = real_ns / 1000000000ULL;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s %s: %s\n", stamp, level_name[level], msg);
}

/* The settings now: `ebph set` may have changed them since the start. */
static struct ebph_config live_config(struct ebph *e)
{
	struct ebph_config cfg = {
		.anomaly_limit = e->opt.anomaly_limit,
		.tolerize_limit = e->opt.tolerize_limit,
	};
	__u32 zero = 0;

	bpf_map_lookup(e->m.config, &zero, &cfg);
	return cfg;
}

/* "demo" for a profile whose path is "/usr/local/bin/demo". */
static void profile_label(struct ebph *e, __u64 key, char *buf, size_t len)
{
	struct ebph_path p;
	const char *base;

	if (bpf_map_lookup(e->m.paths, &key, &p)) {
		snprintf(buf, len, "%llx", (unsigned long long)key);
		return;
	}
	p.path[sizeof(p.path) - 1] = 0;
	base = strrchr(p.path, '/');
	snprintf(buf, len, "%s", base ? base + 1 : p.path);
}

/*
 * The kernel names a new profile after the exec's filename, which may be
 * relative ("./demo"), or after the comm of a task it picked up mid-run.
 * Replace that with the absolute path, but only if the file there is the
 * very one the key names: a path is a label, the key is the identity.
 */
static void resolve_path(struct ebph *e, __u64 key, __u32 pid)
{
	char link[64], path[EBPH_PATH_LEN];
	struct ebph_path p = {};
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;		/* gone already: keep the kernel's name */
	path[n] = 0;
	if (stat(path, &st) ||
	    (((__u64)st.st_dev << 32) + st.st_ino) != key)
		return;
	memcpy(p.path, path, n + 1);
	bpf_map_update(e->m.paths, &key, &p, BPF_EXIST);
}

static const char *call_name(unsigned nr, char *buf, size_t len)
{
	syscall_name_fmt(nr, buf, len);
	return buf;
}

/*
 * "7 misses, LFC 1" as the pairs detector always said it; a sequence
 * not in the test set adds "unknown sequence", and with the sequence
 * detector alone the misses, always 0, are left out.
 */
static void print_anomaly(struct ebph *e, const struct ebph_event *ev,
			  const char *name)
{
	char call[32], what[64];

	if (!ev->seq_miss)
		snprintf(what, sizeof(what), "%u misses", ev->misses);
	else if (ev->misses)
		snprintf(what, sizeof(what), "%u misses, unknown sequence", ev->misses);
	else
		snprintf(what, sizeof(what), "unknown sequence");
	ebph_state_anomaly(ev, e->boot_to_real);	/* for ebph top */
	say(e, ev->ts, EBPH_WARNING,
	    "PID %u (%s, profile %llx): anomaly in %s: %s, LFC %u",
	    ev->pid, name, (unsigned long long)ev->profile,
	    call_name(ev->call, call, sizeof(call)), what, ev->lfc);
}

static void print_event(struct ebph *e, const struct ebph_event *ev)
{
	char name[EBPH_PATH_LEN], call[32], when[32], seq[EBPH_SEQ_CALLS * 32];
	__u64 key = ev->profile;

	e->cur = ev;
	profile_label(e, key, name, sizeof(name));
	switch (ev->type) {
	case EBPH_EV_ANOMALY:
		print_anomaly(e, ev, name);
		break;
	case EBPH_EV_NEW_PROFILE:
		resolve_path(e, key, ev->pid);
		profile_label(e, key, name, sizeof(name));
		say(e, ev->ts, EBPH_INFO, "new profile %s (%llx), from PID %u",
		    name, (unsigned long long)key, ev->pid);
		break;
	case EBPH_EV_ASSOC: {
		struct ebph_path p;

		/* A profile first seen in a process that was gone before its
		 * path could be read keeps the kernel's name ("sleep"); each
		 * later exec of it is another chance. */
		if (!bpf_map_lookup(e->m.paths, &key, &p) && p.path[0] != '/') {
			resolve_path(e, key, ev->pid);
			profile_label(e, key, name, sizeof(name));
		}
		say(e, ev->ts, EBPH_DEBUG, "PID %u TID %u runs %s (%llx)",
		    ev->pid, ev->tid, name, (unsigned long long)key);
		break;
	}
	case EBPH_EV_FROZEN: {
		time_t t = (ev->arg + e->boot_to_real) / 1000000000ULL;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		say(e, ev->ts, EBPH_INFO, "profile %s (%llx) frozen: normal at %s",
		    name, (unsigned long long)key, when);
		break;
	}
	case EBPH_EV_START_NORMAL:
		say(e, ev->ts, EBPH_INFO, "profile %s (%llx) is normal: testing starts",
		    name, (unsigned long long)key);
		break;
	case EBPH_EV_STOP_NORMAL:
		say(e, ev->ts, EBPH_WARNING,
		    "profile %s (%llx): %u anomalies, over the limit of %u: back to training",
		    name, (unsigned long long)key, ev->anomalies, live_config(e).anomaly_limit);
		break;
	case EBPH_EV_TOLERIZE:
		say(e, ev->ts, EBPH_WARNING,
		    "PID %u (%s, profile %llx): LFC %u over the tolerize limit of %u: training data reset",
		    ev->pid, name, (unsigned long long)key, ev->lfc, live_config(e).tolerize_limit);
		break;
	case EBPH_EV_NEW_SEQ:
		/* misses: a pair's distance, 1..8; 0 for a whole sequence. */
		if (ev->misses == 0)
			say(e, ev->ts, EBPH_INFO, "profile %s (%llx) learned the sequence %s",
			    name, (unsigned long long)key, syscall_seq_fmt(ev->arg, NULL, seq, sizeof(seq)));
		else
			say(e, ev->ts, EBPH_INFO, "profile %s (%llx) learned %s after %s",
			    name, (unsigned long long)key,
			    call_name(ev->call, call, sizeof(call)),
			    call_name(ev->arg, when, sizeof(when)));
		break;
	case EBPH_EV_MESSAGE: {
		enum ebph_level lv = ev->level <= EBPH_ERROR ? ev->level : EBPH_ERROR;

		switch (ev->code) {
		case EBPH_MSG_KEY_ERROR: {
			static const char *step[] = {
				[EBPH_KEY_NO_OFFSETS] = "no BTF offsets in config",
				[EBPH_KEY_TASK_MM] = "task->mm",
				[EBPH_KEY_MM_EXE_FILE] = "mm->exe_file",
				[EBPH_KEY_FILE_INODE] = "file->f_inode",
				[EBPH_KEY_INODE_INO] = "inode->i_ino",
				[EBPH_KEY_INODE_SB] = "inode->i_sb",
				[EBPH_KEY_SB_DEV] = "super_block->s_dev",
			};
			const char *s = ev->arg < sizeof(step) / sizeof(step[0]) ?
					step[ev->arg] : "unknown step";

			say(e, ev->ts, lv, "PID %u: cannot read its executable's inode (%s); not traced",
			    ev->pid, s);
			break;
		}
		case EBPH_MSG_TASKS_FULL:
			say(e, ev->ts, lv, "PID %u not traced: the tasks map is full (%u)",
			    ev->pid, EBPH_MAX_TASKS);
			break;
		case EBPH_MSG_PROFILES_FULL:
			say(e, ev->ts, lv, "PID %u not traced: the profiles map is full (%u)",
			    ev->pid, EBPH_MAX_PROFILES);
			break;
		case EBPH_MSG_ROWS_FULL:
			if (ev->arg == EBPH_NUM_SYSCALLS)	/* while copying train to test */
				say(e, ev->ts, lv, "profile %s: test set incomplete: the rows map is full (%u)",
				    name, EBPH_MAX_ROWS);
			else
				say(e, ev->ts, lv, "profile %s: %s not learned: the rows map is full (%u)",
				    name, call_name(ev->arg, call, sizeof(call)), EBPH_MAX_ROWS);
			break;
		case EBPH_MSG_SEQS_FULL:
			say(e, ev->ts, lv, "profile %s: the sequence %s not learned: the seqs map is full (%u)",
			    name, syscall_seq_fmt(ev->arg, NULL, seq, sizeof(seq)), EBPH_MAX_SEQS);
			break;
		default:
			say(e, ev->ts, lv, "kernel message %u (arg %llu)",
			    ev->code, (unsigned long long)ev->arg);
		}
		break;
	}
	default:
		say(e, 0, EBPH_ERROR, "unknown event type %u: is ebph_kern.o from another version?",
		    ev->type);
	}
	e->cur = NULL;
}

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct ebph *e = ctx;
	struct ebph_event ev;

	if (size < sizeof(ev)) {
		say(e, 0, EBPH_ERROR, "short event (%u bytes) on CPU %d: is ebph_kern.o from another version?",
		    size, cpu);
		return 0;
	}
	memcpy(&ev, data, sizeof(ev));	/* the ring gives 4-byte alignment */
	print_event(e, &ev);
	return 0;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	struct ebph *e = ctx;

	e->lost_events += lost;
	ebph_state_lost(e->lost_events);	/* only we know: publish it */
	say(e, 0, EBPH_WARNING, "%llu events lost on CPU %d: the ring was full",
	    (unsigned long long)lost, cpu);
}

/* The kernel counts what it could not do; tell the user when they grow. */
static void check_stats(struct ebph *e)
{
	static const char *what[EBPH_STAT_MAX] = {
		[EBPH_STAT_BIG_CALL] = NULL,	/* x32 calls: expected, not news */
		[EBPH_STAT_ANOMALIES] = NULL,	/* each one printed already */
		[EBPH_STAT_EVENT_DROPS] = "events dropped: a perf ring was full",
		[EBPH_STAT_TASKS_FULL] = "tasks not traced: the tasks map is full",
		[EBPH_STAT_PROFILES_FULL] = "executables not profiled: the profiles map is full",
		[EBPH_STAT_ROWS_FULL] = "pairs not learned: the rows map is full",
		[EBPH_STAT_KEY_ERRORS] = "tasks not traced: executable inode unreadable",
		[EBPH_STAT_SEQS_FULL] = "sequences not learned: the seqs map is full",
	};
	__u64 vals[e->ncpus];
	__u32 i;
	int c;

	for (i = 0; i < EBPH_STAT_MAX; i++) {
		__u64 sum = 0;

		if (bpf_map_lookup(e->m.stats, &i, vals))
			continue;
		for (c = 0; c < e->ncpus; c++)
			sum += vals[c];
		if (sum > e->stats_seen[i] && what[i])
			say(e, 0, EBPH_WARNING, "%llu %s",
			    (unsigned long long)(sum - e->stats_seen[i]), what[i]);
		e->stats_seen[i] = sum;
	}
}

/* ---- profiles between disk and maps ---------------------------------------- */

/*
 * One saved profile into the maps: its sequences, its profile and path,
 * then its rows in one batched update instead of a bpf(2) call per row.
 * The sequences go first, whatever the detector: ebph_seqs_load() stamps
 * them for the epochs it sets in rec->prof, which the profile written
 * after it must carry, and a run with pairs only must still save them
 * back.  Called from several threads at once (restore_start()), so it
 * touches nothing but the maps, stderr and an atomic count.
 */
static int restore_one(void *ctx, const char *file, struct ebph_profile_rec *rec)
{
	struct ebph *e = ctx;
	struct ebph_row_key keys[PROFILE_MAX_ROWS];
	struct ebph_path path = {};
	__u64 key = rec->prof.key;
	__u32 n = 0, done;
	__u8 *vals;
	int set, c, err;

	for (set = 0; set < 2; set++)
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++)
			n += rec->rows[set][c] != NULL;
	/* Tens of kilobytes, not the 512 KB of a full profile: a large
	 * malloc is an mmap, page faults and a munmap every time. */
	vals = malloc((size_t)(n ? n : 1) * EBPH_NUM_SYSCALLS);
	if (!vals)
		return -ENOMEM;
	n = 0;
	for (set = 0; set < 2; set++)
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++) {
			if (!rec->rows[set][c])
				continue;
			keys[n] = (struct ebph_row_key){ .profile = key, .call = c, .set = set };
			memcpy(vals + (size_t)n * EBPH_NUM_SYSCALLS, rec->rows[set][c],
			       EBPH_NUM_SYSCALLS);
			n++;
		}
	memcpy(path.path, rec->path, sizeof(path.path));
	err = ebph_seqs_load(&e->m, rec);
	if (err) {
		free(vals);
		fprintf(stderr, "%s: %s: cannot load its sequences into the maps: %s\n",
			prog, file, strerror(-err));
		return err;
	}
	if ((rec->prof.status & EBPH_NORMAL) &&
	    rec->prof.seq_test_to == rec->prof.seq_test_from)
		__atomic_fetch_add(&e->no_seq_test, 1, __ATOMIC_RELAXED);
	err = bpf_map_update(e->m.profiles, &key, &rec->prof, BPF_ANY);
	if (!err)
		err = bpf_map_update(e->m.paths, &key, &path, BPF_ANY);
	done = n;
	if (!err && n)
		err = bpf_map_update_batch(e->m.rows, keys, vals, &done, BPF_ANY);
	free(vals);
	if (err) {
		fprintf(stderr, "%s: %s: cannot load into the maps: %s%s\n", prog, file,
			strerror(-err), err == -E2BIG || err == -ENOMEM ? " (map full)" : "");
		return err;
	}
	return 0;
}

static void on_refused(void *ctx, const char *file, const char *why)
{
	fprintf(stderr, "%s: %s: refused: %s (left on disk)\n", prog, file, why);
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
static int restore_start(struct ebph *e)
{
	int err = pthread_create(&e->restorer, NULL, restorer, e);

	if (err) {
		fprintf(stderr, "%s: cannot start a thread to load the profiles: %s\n",
			prog, strerror(err));
		return -err;
	}
	e->restoring = 1;
	return 0;
}

static int restore_finish(struct ebph *e)
{
	if (!e->restoring)
		return 0;
	pthread_join(e->restorer, NULL);
	e->restoring = 0;
	if (e->restored < 0)
		return e->restored;
	say(e, 0, EBPH_INFO, "loaded %d profiles from %s", e->restored, e->opt.profile_dir);
	/* Such a profile is tested on pairs only, or with --detector seqs
	 * not at all, until it is next made normal: say so, not silently. */
	if ((e->opt.detectors & EBPH_DET_SEQS) && e->no_seq_test)
		say(e, 0, EBPH_WARNING,
		    "%d normal profile%s no test set of sequences (saved without the sequence detector): tested on sequences only from the next normalization (ebph normalize)",
		    e->no_seq_test, e->no_seq_test == 1 ? " has" : "s have");
	return 0;
}

static int save_profiles(struct ebph *e)
{
	struct ebph_snapshot s;
	size_t i, saved = 0;
	int err, failed = 0, lock;

	/* `ebph delete` takes this lock too: a profile it deletes is either
	 * in this snapshot and its file removed after, or not saved. */
	lock = ebph_state_lock();
	err = ebph_snapshot_read(&e->m, &s);
	if (err) {
		ebph_state_unlock(lock);
		say(e, 0, EBPH_ERROR, "cannot read the profiles to save them: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < s.n; i++) {
		err = profile_save(e->opt.profile_dir, &s.recs[i], e->boot_to_real);
		if (err == -EEXIST) {
			char name[PROFILE_NAME_LEN];

			/* profile_save() never overwrites a file that was
			 * refused: it would destroy the evidence. */
			profile_file_name(s.recs[i].prof.key, name);
			say(e, 0, EBPH_ERROR, "profile %s not saved: %s/%s was refused; move it away",
			    s.recs[i].path, e->opt.profile_dir, name);
			failed++;
			continue;
		}
		if (err) {
			say(e, 0, EBPH_ERROR, "cannot save profile %llx (%s) in %s: %s",
			    (unsigned long long)s.recs[i].prof.key, s.recs[i].path,
			    e->opt.profile_dir, strerror(-err));
			failed++;
			continue;
		}
		saved++;
	}
	ebph_snapshot_free(&s);
	ebph_state_unlock(lock);
	ebph_state_saved(saved, failed);
	say(e, 0, failed ? EBPH_WARNING : EBPH_INFO, "saved %zu profiles to %s%s",
	    saved, e->opt.profile_dir, failed ? ", some failed" : "");
	return failed ? -EIO : 0;
}

/* At exit: what the profiles cost, as `make bench` measures it. */
static void report_memory(struct ebph *e)
{
	struct ebph_snapshot s;
	size_t median, total, i, seqs = 0;

	if (ebph_snapshot_read(&e->m, &s))
		return;
	/* The bytes count sequences too (profile_rec_bytes()): say so. */
	for (i = 0; i < s.n; i++)
		seqs += s.recs[i].nseqs;
	ebph_snapshot_bytes(&s, &median, &total);
	say(e, 0, EBPH_INFO, "%zu profiles: %.1f KB of lookahead pairs%s each (median), %.0f KB in all",
	    s.n, median / 1024.0, seqs ? " and sequences" : "", total / 1024.0);
	ebph_snapshot_free(&s);
}

/* ---- the steps of `ebph run` --------------------------------------------------- */

/* One instance per machine: the pinned maps are a single namespace.
 * The lock dies with the process, so pins left by a crash are known to
 * be stale. */
static int take_lock(void)
{
	int fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, LOCK_FILE, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "%s: another ebph is already running (it holds %s)\n",
			prog, LOCK_FILE);
		close(fd);
		return -EBUSY;
	}
	/* Our PID, for the subcommands; the lock held says it is alive. */
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	return fd;
}

/* Pins left by an ebph that did not stop (we hold the lock: none runs).
 * Only from a directory that only root controls, where everything is
 * ebph's: whatever maps the object had, by the directory's own list. */
static int remove_stale_pins(void)
{
	int fd = bpf_private_dir(EBPH_PIN_DIR, 0);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	fprintf(stderr, "%s: removing stale pins in %s left by an ebph that did not stop cleanly\n",
		prog, EBPH_PIN_DIR);
	return bpf_private_dir_remove(fd, EBPH_PIN_DIR);
}

/* ebph_kern.o beside the binary (in the tree), else where make install
 * put it (EBPH_LIBDIR, compiled into this file only). */
const char *ebph_find_object(char *buf, size_t len)
{
	char self[PATH_MAX - sizeof("/ebph_kern.o")];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/ebph_kern.o", self);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	snprintf(buf, len, "%s/ebph_kern.o", EBPH_LIBDIR);
	return buf;
}

static int configure(struct ebph *e)
{
	struct ebph_config cfg = {
		.normal_wait = e->opt.normal_wait,
		.anomaly_limit = e->opt.anomaly_limit,
		.tolerize_limit = e->opt.tolerize_limit,
		.monitoring = 1,
		.log_sequences = e->opt.log_sequences,
		.detectors = e->opt.detectors,
	};
	__u32 zero = 0;
	int err;

	err = ebph_config_offsets(&cfg, e->opt.verbose);
	if (err)
		return err;
	err = bpf_map_update(e->m.config, &zero, &cfg, BPF_ANY);
	if (err)
		fprintf(stderr, "%s: cannot write the config map: %s\n", prog, strerror(-err));
	return err;
}

static int run(struct ebph *e)
{
	__u64 t0 = clock_ns(CLOCK_MONOTONIC), next_save;
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction sa_save = { .sa_handler = on_save_signal };
	char objbuf[PATH_MAX], why[256];
	int lock_fd, err, ret = 1;

	/* check */
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root: it loads BPF programs and reads every process's system calls\n",
			prog);
		return 1;
	}
	lock_fd = take_lock();
	if (lock_fd < 0)
		return 1;
	if (bpf_ensure_mounts(e->opt.verbose))
		goto out_lock;
	if (remove_stale_pins() || ebph_state_remove_stale())
		goto out_lock;
	if (e->opt.load || e->opt.save) {
		err = profile_dir_create(e->opt.profile_dir);
		if (err) {
			fprintf(stderr, "%s: cannot create profile directory %s: %s\n",
				prog, e->opt.profile_dir, strerror(-err));
			goto out_lock;
		}
		why[0] = 0;
		err = profile_dir_check(e->opt.profile_dir, why, sizeof(why));
		if (err) {
			fprintf(stderr, "%s: profile directory %s refused: %s\n", prog,
				e->opt.profile_dir, why[0] ? why : strerror(-err));
			goto out_lock;
		}
	}
	e->ncpus = bpf_num_possible_cpus();
	if (e->ncpus < 0) {
		fprintf(stderr, "%s: cannot count the CPUs: %s\n", prog, strerror(-e->ncpus));
		goto out_lock;
	}
	e->boot_to_real = (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));

	/* open, load */
	if (!e->opt.object)
		e->opt.object = ebph_find_object(objbuf, sizeof(objbuf));
	if (bpf_object_open(&e->obj, e->opt.object, e->opt.verbose))
		goto out_lock;
	/* The maps first: the saved profiles go into them (restore) while
	 * the verifier checks the programs. */
	if (bpf_object_create_maps(&e->obj) || ebph_maps_from_object(&e->m, &e->obj))
		goto out_obj;
	if (e->opt.load && restore_start(e))
		goto out_obj;
	err = bpf_object_load(&e->obj);

	/* configure, restore */
	if (!err)
		err = configure(e);
	if (restore_finish(e) || err)
		goto out_obj;

	/* listen, pin, attach */
	err = perf_buffer_open(&e->pb, bpf_object_map_fd(&e->obj, "events"),
			       PERF_PAGES, on_sample, on_lost, e);
	if (err) {
		fprintf(stderr, "%s: cannot open the perf rings: %s\n", prog, strerror(-err));
		goto out_obj;
	}
	if (bpf_object_pin_maps(&e->obj, EBPH_PIN_DIR))
		goto out_pb;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa_save, NULL);
	/* After SIGUSR1 is handled: `ebph save` finds us through this. */
	if (ebph_state_start(getpid(), e->opt.profile_dir, e->opt.save) ||
	    bpf_object_attach(&e->obj))
		goto out_pb;
	say(e, 0, EBPH_INFO, "ebph attached in %.1f ms: monitoring every system call, detector %s (Ctrl-C to stop)",
	    (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6, ebph_detectors_name(e->opt.detectors));

	/* loop */
	next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
	while (!stop_signal) {
		err = perf_buffer_poll(&e->pb, 1000);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: reading events: %s\n", prog, strerror(-err));
			goto out_pb;
		}
		check_stats(e);
		if (e->opt.save && e->opt.save_interval &&
		    clock_ns(CLOCK_MONOTONIC) >= next_save) {
			save_profiles(e);
			next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
		}
		if (save_request) {
			save_request = 0;
			if (e->opt.save)
				save_profiles(e);
		}
		ebph_state_flush();
	}

	/* stop: nothing may change the maps while they are saved */
	say(e, 0, EBPH_INFO, "stopping on %s", strsignal(stop_signal));
	bpf_object_detach(&e->obj);
	perf_buffer_poll(&e->pb, 0);
	check_stats(e);
	ret = 0;
	if (e->opt.save && save_profiles(e))
		ret = 1;
	report_memory(e);
out_pb:
	ebph_state_stop();
	perf_buffer_close(&e->pb);
out_obj:
	bpf_object_close(&e->obj);	/* detaches and unpins too */
out_lock:
	close(lock_fd);
	return ret;
}

/* ---- command line ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph [run] [OPTIONS]\n"
"Learn which system calls every executable makes and report processes\n"
"that break a learned pattern (pH, process homeostasis, on eBPF).\n"
"Runs in the foreground as root until Ctrl-C.\n"
"\n"
"Options:\n"
"  -d, --profile-dir DIR     where profiles are saved and loaded\n"
"                            (default " DEFAULT_PROFILE_DIR ")\n"
"  -w, --normal-wait TIME    how long a frozen profile waits before it\n"
"                            becomes normal (default 1w)\n"
"  -s, --save-interval TIME  save profiles this often (default 10m; 0: only\n"
"                            on exit)\n"
"      --anomaly-limit N     anomalies before a normal profile goes back\n"
"                            to training (default %u)\n"
"      --tolerize-limit N    a task's LFC above this resets the profile's\n"
"                            training data (default %u)\n"
"      --no-load             start with no profiles\n"
"      --no-save             do not write profiles\n"
"  -o, --object FILE         BPF object (default: ebph_kern.o beside ebph,\n"
"                            else " EBPH_LIBDIR "/ebph_kern.o)\n"
"  -v, --verbose             print each loader step and DEBUG events\n"
"      --json                events as JSON, one object per line\n"
"      --syslog              events to syslog (daemon facility), not to\n"
"                            stdout (unless --json)\n"
"      --log-sequences       report each new pair (or sequence) learned\n"
"      --detector D          pairs (pH's lookahead pairs, the default), seqs\n"
"                            (the last 6 calls as one sequence, as STIDE)\n"
"                            or both; a normal profile saved without seqs\n"
"                            is tested on sequences only once it is made\n"
"                            normal again\n"
"  -h, --help                this help\n"
"\n"
"Commands on the running ebph (each has -h):\n"
"  status                    state, settings, map fill, lost events\n"
"  ps [-t]                   traced processes (threads)\n"
"  profiles                  every profile and its state\n"
"  show [--test] [--seqs] PROFILE\n"
"                            a profile and its lookahead pairs (or its\n"
"                            sequences)\n"
"  top                       live view; d deletes, t tolerizes\n"
"  normalize|sensitize|tolerize|delete PROFILE|--pid PID\n"
"  save                      save the profiles now\n"
"  set SETTING VALUE         normal-wait, anomaly-limit, tolerize-limit,\n"
"                            monitoring on|off, log-sequences on|off\n"
"\n"
"TIME is a number with a unit: ms, s, m, h, d or w (plain numbers are\n"
"seconds).\n"
"\n"
"Examples:\n"
"  sudo ebph                           learn, detect, save every 10 minutes\n"
"  sudo ebph -d profiles -w 3s         profiles in ./profiles, normal after 3s\n"
"  sudo ebph --no-load --no-save -v    a clean slate, loader steps shown\n",
		EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT);
}

/*
 * Subcommands other than run, each in a file of its own.  Each gets its
 * own argv (argv[0] is the command's name), parses it with getopt_long,
 * and returns the exit status: 0, 1 on failure, 2 for a bad argument.
 */
static const struct ebph_command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "replay", cmd_replay },
	{ "status", cmd_status },
	{ "ps", cmd_ps },
	{ "profiles", cmd_profiles },
	{ "show", cmd_show },
	{ "normalize", cmd_normalize },
	{ "sensitize", cmd_sensitize },
	{ "tolerize", cmd_tolerize },
	{ "delete", cmd_delete },
	{ "save", cmd_save },
	{ "set", cmd_set },
	{ "top", cmd_top },
	{ NULL, NULL }
};

int main(int argc, char **argv)
{
	enum { OPT_ANOMALY = 256, OPT_TOLERIZE, OPT_NO_LOAD, OPT_NO_SAVE,
	       OPT_JSON, OPT_SYSLOG, OPT_LOG_SEQ, OPT_DETECTOR };
	static const struct option longopts[] = {
		{ "profile-dir", required_argument, NULL, 'd' },
		{ "normal-wait", required_argument, NULL, 'w' },
		{ "save-interval", required_argument, NULL, 's' },
		{ "anomaly-limit", required_argument, NULL, OPT_ANOMALY },
		{ "tolerize-limit", required_argument, NULL, OPT_TOLERIZE },
		{ "no-load", no_argument, NULL, OPT_NO_LOAD },
		{ "no-save", no_argument, NULL, OPT_NO_SAVE },
		{ "object", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "log-sequences", no_argument, NULL, OPT_LOG_SEQ },
		{ "detector", required_argument, NULL, OPT_DETECTOR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ebph e = {
		.opt = {
			.profile_dir = DEFAULT_PROFILE_DIR,
			.normal_wait = EBPH_NORMAL_WAIT,
			.save_interval = 600ULL * 1000000000ULL,
			.anomaly_limit = EBPH_ANOMALY_LIMIT,
			.tolerize_limit = EBPH_TOLERIZE_LIMIT,
			.load = 1, .save = 1,
			.detectors = EBPH_DET_PAIRS,
		},
	};
	long long d;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* one event, one line, now */
	if (argc > 1 && argv[1][0] != '-') {
		const struct ebph_command *cmd;

		if (strcmp(argv[1], "run")) {
			for (cmd = commands; cmd->name; cmd++)
				if (!strcmp(argv[1], cmd->name))
					return cmd->fn(argc - 1, argv + 1);
			die_usage("unknown command '%s'", argv[1]);
		}
		argv[1] = argv[0];
		argc--;
		argv++;
	}

	while ((c = getopt_long(argc, argv, "d:w:s:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			e.opt.profile_dir = optarg;
			break;
		case 'w':
			if ((d = parse_duration(optarg)) < 0)
				die_usage("invalid --normal-wait '%s' (e.g. 3s, 10m, 1w)", optarg);
			e.opt.normal_wait = d;
			break;
		case 's':
			if ((d = parse_duration(optarg)) < 0)
				die_usage("invalid --save-interval '%s' (e.g. 30s, 10m)", optarg);
			e.opt.save_interval = d;
			break;
		case OPT_ANOMALY:
			e.opt.anomaly_limit = parse_uint(optarg, "--anomaly-limit", 1000000);
			break;
		case OPT_TOLERIZE:
			e.opt.tolerize_limit = parse_uint(optarg, "--tolerize-limit", EBPH_LOCALITY_WIN);
			break;
		case OPT_NO_LOAD:
			e.opt.load = 0;
			break;
		case OPT_NO_SAVE:
			e.opt.save = 0;
			break;
		case OPT_JSON:
			e.opt.json = 1;
			break;
		case OPT_SYSLOG:
			e.opt.syslog = 1;
			openlog("ebph", LOG_PID, LOG_DAEMON);
			break;
		case OPT_LOG_SEQ:
			e.opt.log_sequences = 1;
			break;
		case OPT_DETECTOR:
			if (ebph_detectors_parse(optarg, &e.opt.detectors))
				die_usage("invalid --detector '%s' (pairs, seqs or both)", optarg);
			break;
		case 'o':
			e.opt.object = optarg;
			break;
		case 'v':
			e.opt.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s -h' for help.\n", prog);
			return 2;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	return run(&e);
}
