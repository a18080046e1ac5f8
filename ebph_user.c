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
 *             other subcommands (ebph_state.c), log the admin actions
 *             they announce on /run/ebph/control, and any change to
 *             the config map that none announced
 *   stop      detach, drain the rings, save, unpin, close
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
#define REPORT_INTERVAL		(10 * 1000000000ULL)	/* ns: see check_stats() */

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
	__u32 owner_quota;		/* profiles a non-root owner may have */
};

/*
 * What `ebph run` tracks of one non-root owner: the saved profiles it
 * did not load for the quota, and the kernel's refusals it has seen and
 * reported (at most one line an owner per REPORT_INTERVAL), with the
 * profiles it recycled meanwhile.
 */
struct owner_note {
	__u32 uid;
	__u64 skipped;			/* at load */
	__u64 refused_seen, refused_said;
	__u64 recycled;			/* since the last line */
	__u64 said_ns;			/* CLOCK_MONOTONIC of the last line */
	__u64 recycle_ns;		/* ... of the last recycling */
};

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

/* When check_owners() runs: at most every OWNER_CHECK_NS, now (before
 * a save), or now and saying everything not yet said (at exit). */
enum owners_when { OWNERS_TICK, OWNERS_NOW, OWNERS_FLUSH };

/* What `ebph run` holds while it runs. */
struct ebph {
	struct options opt;
	struct ld_obj obj;
	struct perf_reader pb;
	struct ebph_maps m;
	int ncpus;
	__s64 boot_to_real;		/* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
	struct report {			/* what check_stats() last said */
		__u64 seen;		/* the counter then */
		__u64 next;		/* CLOCK_MONOTONIC ns: no line before */
		/* an example since, from a message */
		char eg[EBPH_PATH_LEN + EBPH_SEQ_CALLS * SYSCALL_NAME_LEN + 32];
	} reports[EBPH_STAT_MAX];
	int stdout_lost;		/* stdout failed: say() writes to
					 * stderr and syslog instead */
	const struct ebph_event *cur;	/* the event say() reports, for --json */
	const struct ebph_audit *audit;	/* or the admin's action */
	int ctl;			/* EBPH_CONTROL_SOCK, or -1 */
	struct ebph_config cfg_seen;	/* the config map, as last accounted for */
	__u64 cfg_pending[SET_MAX];	/* since when (CLOCK_MONOTONIC) each
					 * setting differs with no notice;
					 * 0: it does not (config_check()) */
	pthread_t restorer;		/* restore_start() .. restore_finish() */
	int restoring;
	int restored;			/* profiles loaded, or -errno */
	int no_seq_test;		/* of them, normal with no test set of
					 * sequences (atomic: restore threads) */
	pthread_mutex_t owner_lock;	/* the quota at load, and notes */
	struct owner_note *notes;
	size_t nnotes;
	int skipped;			/* of the restored, not loaded (quota) */
	__u64 owners_ns;		/* CLOCK_MONOTONIC of check_owners() */
};

static volatile sig_atomic_t stop_signal, save_request, hup_request;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGUSR1, from `ebph save`: save at the next turn of the loop. */
static void on_save_signal(int sig)
{
	save_request = 1;
}

/* SIGHUP: a closed terminal, or an admin's nudge.  Save and go on. */
static void on_hup(int sig)
{
	hup_request = 1;
}

/*
 * Only SIGKILL may lose more than the last save interval.  SIGHUP saves
 * and goes on.  SIGPIPE is ignored: a closed stdout is an error from
 * write(2), handled by say().  SIGXFSZ too: a save over the file size
 * limit fails with EFBIG and is reported.  Every other signal whose
 * default is to end the process, crashes apart, stops ebph as SIGINT
 * and SIGTERM do: it saves, cleans up and exits 0.
 */
static void handle_signals(void)
{
	static const int stops[] = {
		SIGINT, SIGTERM, SIGQUIT, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
		SIGXCPU, SIGIO, SIGPWR, SIGSTKFLT,
	};
	/* SA_RESTART: a write to a slow stdout or a flock() is not cut
	 * short by a signal (poll() still is, which wakes the loop). */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sigaction hup = { .sa_handler = on_hup, .sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	size_t i;
	int sig;

	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaction(stops[i], &sa, NULL);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
	sigaction(SIGHUP, &hup, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGXFSZ, &ign, NULL);
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
 * MSG as one line on F: "2026-11-21 12:07:17 WARNING: ...", or a JSON
 * object (--json, with the fields of e->cur, the kernel event being
 * reported).  Returns 0, or -errno if F would not take it.
 */
static int emit(struct ebph *e, FILE *f, __u64 real_ns, enum ebph_level level,
		const char *msg)
{
	char stamp[32];
	struct tm tm;
	time_t t;

	errno = 0;
	if (e->opt.json && e->audit) {
		ebph_json_audit(f, real_ns, level, msg, e->audit);
	} else if (e->opt.json) {
		struct ebph_path p;
		int have = e->cur && !bpf_map_lookup(e->m.paths, &e->cur->profile, &p);

		if (have)
			p.path[sizeof(p.path) - 1] = 0;
		ebph_json_line(f, real_ns, level, msg, e->cur,
			       have ? p.path : NULL, e->boot_to_real);
	} else {
		t = real_ns / 1000000000ULL;
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "%s %s: %s\n", stamp, level_name[level], msg);
	}
	if (fflush(f) == EOF || ferror(f)) {
		int err = errno ? -errno : -EIO;

		clearerr(f);
		return err;
	}
	return 0;
}

/* The syslog priority of a line of LEVEL about e->cur or e->audit: an
 * admin's action is news, as a profile that turns normal. */
static int syslog_prio(struct ebph *e, enum ebph_level level)
{
	int prio = ebph_syslog_priority(level, e->cur);

	return e->audit && prio > LOG_NOTICE ? LOG_NOTICE : prio;
}

/*
 * One line per event: on stdout (text, or JSON with --json), and/or to
 * syslog (--syslog).  Once stdout fails (a reader gone: EPIPE; a terminal
 * hung up: EIO), the lines go to stderr and syslog instead, one line
 * says so, and the profiles are saved: ebph goes on.  A stderr that
 * fails too is not retried in any loop: syslog still has every line.
 */
static void say(struct ebph *e, __u64 boot_ns, enum ebph_level level,
		const char *fmt, ...)
{
	const struct ebph_event *cur;
	const struct ebph_audit *audit;
	char msg[2048];
	__u64 real_ns;
	va_list ap;
	int err;

	if (level == EBPH_DEBUG && !e->opt.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	real_ns = boot_ns ? boot_ns + e->boot_to_real : clock_ns(CLOCK_REALTIME);
	if (e->opt.syslog || e->stdout_lost)
		syslog(syslog_prio(e, level), "%s", msg);
	if (e->stdout_lost) {
		emit(e, stderr, real_ns, level, msg);
		return;
	}
	if (e->opt.syslog && !e->opt.json)
		return;
	err = emit(e, stdout, real_ns, level, msg);
	/* A stdout that would block now (O_NONBLOCK, or a signal) is
	 * still there; the next line tries it again. */
	if (!err || err == -EINTR || err == -EAGAIN)
		return;
	e->stdout_lost = 1;
	if (!e->opt.syslog) {	/* this line has not reached syslog yet */
		openlog("ebph", LOG_PID, LOG_DAEMON);
		syslog(syslog_prio(e, level), "%s", msg);
	}
	emit(e, stderr, real_ns, level, msg);
	save_request = 1;
	/* This line is ebph's own, not the event's or the audit's. */
	cur = e->cur;
	audit = e->audit;
	e->cur = NULL;
	e->audit = NULL;
	say(e, 0, EBPH_WARNING, "stdout failed (%s): events go to stderr and syslog from now on; saving the profiles",
	    strerror(-err));
	e->cur = cur;
	e->audit = audit;
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

/* "demo" for a profile whose path is "/usr/local/bin/demo", escaped:
 * a file's name must not forge a line of the log. */
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
	ebph_escape(base ? base + 1 : p.path, buf, len);
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

/* The kernel's counters (EBPH_STAT_*) as check_stats() reports them:
 * what a unit of each is, and the map that was full, to give its size. */
static const struct stat_report {
	const char *what;		/* NULL: not reported */
	const char *map;
	enum ebph_level level;
} stat_report[EBPH_STAT_MAX] = {
	/* Not reported: syscall(-1) and the like are not news; and each
	 * anomaly has a line of its own. */
	[EBPH_STAT_BIG_CALL] = { NULL },
	[EBPH_STAT_ANOMALIES] = { NULL },
	/* The only count of lost events: the ring's PERF_RECORD_LOST
	 * counts the same ones (on_lost is not set). */
	[EBPH_STAT_EVENT_DROPS] = { "events dropped, not in this log: ebph read the perf rings too slowly",
				    NULL, EBPH_WARNING },
	[EBPH_STAT_TASKS_FULL] = { "threads not traced: the tasks map is full", "tasks", EBPH_ERROR },
	[EBPH_STAT_PROFILES_FULL] = { "executables not profiled: the profiles map is full",
				      "profiles", EBPH_ERROR },
	[EBPH_STAT_ROWS_FULL] = { "pairs not learned: the rows map is full", "rows", EBPH_ERROR },
	[EBPH_STAT_KEY_ERRORS] = { "threads not traced: their executable's inode is unreadable",
				   NULL, EBPH_ERROR },
	[EBPH_STAT_SEQS_FULL] = { "sequences not learned: the seqs map is full", "seqs", EBPH_ERROR },
	[EBPH_STAT_X32] = { "x32 system calls not traced: ebph knows x86_64 and i386 only",
			    NULL, EBPH_WARNING },
	/* Every try: reported per owner, as execs, by check_owners(). */
	[EBPH_STAT_OWNER_QUOTA] = { NULL },
	/* Each has a line of its own (EBPH_EV_UNNAMED_EXEC), or its
	 * task's first one has (EBPH_EV_IO_URING). */
	[EBPH_STAT_UNNAMED_EXEC] = { NULL },
	[EBPH_STAT_IO_URING] = { NULL },
};

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
	char call[SYSCALL_NAME_LEN], what[64];

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

/*
 * A kernel message: something it could not do (a full map, an unreadable
 * executable), at most once per thread, pair or sequence, but a storm of
 * them is still a storm.  Each is the example of the next line that
 * check_stats() prints with the count of its kind, and a line of its
 * own only with -v.
 */
static void print_message(struct ebph *e, const struct ebph_event *ev,
			  const char *name)
{
	static const char *step[] = {
		[EBPH_KEY_NO_OFFSETS] = "no BTF offsets in config",
		[EBPH_KEY_TASK_MM] = "task->mm",
		[EBPH_KEY_MM_EXE_FILE] = "mm->exe_file",
		[EBPH_KEY_FILE_INODE] = "file->f_inode",
		[EBPH_KEY_INODE_INO] = "inode->i_ino",
		[EBPH_KEY_INODE_SB] = "inode->i_sb",
		[EBPH_KEY_SB_DEV] = "super_block->s_dev",
		[EBPH_KEY_INODE_UID] = "inode->i_uid",
	};
	char eg[sizeof(e->reports[0].eg)], call[SYSCALL_NAME_LEN], seq[EBPH_SEQ_CALLS * SYSCALL_NAME_LEN];
	__u32 stat;

	switch (ev->code) {
	case EBPH_MSG_KEY_ERROR:
		stat = EBPH_STAT_KEY_ERRORS;
		snprintf(eg, sizeof(eg), "PID %u, at %s", ev->pid,
			 ev->arg < sizeof(step) / sizeof(step[0]) ? step[ev->arg] : "unknown step");
		break;
	case EBPH_MSG_TASKS_FULL:
		stat = EBPH_STAT_TASKS_FULL;
		snprintf(eg, sizeof(eg), "TID %llu", (unsigned long long)ev->arg);
		break;
	case EBPH_MSG_PROFILES_FULL:
		stat = EBPH_STAT_PROFILES_FULL;
		snprintf(eg, sizeof(eg), "PID %u", ev->pid);
		break;
	case EBPH_MSG_ROWS_FULL:
		stat = EBPH_STAT_ROWS_FULL;
		if (ev->arg == EBPH_NUM_CALLS)	/* while copying train to test */
			snprintf(eg, sizeof(eg), "profile %.300s: its test set", name);
		else
			snprintf(eg, sizeof(eg), "profile %.300s: %s", name,
				 call_name(ev->arg, call, sizeof(call)));
		break;
	case EBPH_MSG_SEQS_FULL:
		stat = EBPH_STAT_SEQS_FULL;
		snprintf(eg, sizeof(eg), "profile %.300s: %s", name,
			 syscall_seq_fmt(ev->arg, NULL, seq, sizeof(seq)));
		break;
	default:
		say(e, ev->ts, EBPH_ERROR, "kernel message %u (arg %llu)",
		    ev->code, (unsigned long long)ev->arg);
		return;
	}
	if (!e->reports[stat].eg[0])
		memcpy(e->reports[stat].eg, eg, sizeof(eg));
	say(e, ev->ts, EBPH_DEBUG, "%s: %s", stat_report[stat].what, eg);
}

static void print_event(struct ebph *e, const struct ebph_event *ev)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], call[SYSCALL_NAME_LEN], when[SYSCALL_NAME_LEN], seq[EBPH_SEQ_CALLS * SYSCALL_NAME_LEN];
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
	case EBPH_EV_IO_URING:
		say(e, ev->ts, EBPH_WARNING,
		    "PID %u (%s, profile %llx) submits io_uring requests (the first: opcode %u): ebph sees io_uring_enter, not what the requests do",
		    ev->pid, name, (unsigned long long)key, ev->call);
		break;
	case EBPH_EV_UNNAMED_EXEC: {
		char comm[EBPH_ESCAPED_LEN(EBPH_COMM_LEN)], c[EBPH_COMM_LEN + 1];

		memcpy(c, ev->comm, EBPH_COMM_LEN);
		c[EBPH_COMM_LEN] = 0;
		say(e, ev->ts, EBPH_WARNING,
		    "PID %u (%s) runs a file with no name (a memfd or a deleted file): its profile %s (%llx) is new at each such exec, so it is never tested",
		    ev->pid, ebph_escape(c, comm, sizeof(comm)), name, (unsigned long long)key);
		break;
	}
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
	case EBPH_EV_MESSAGE:
		print_message(e, ev, name);
		break;
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

/*
 * The kernel counts what it could not do; tell the user when a count
 * grows, in one line with the number since the last such line and an
 * example (from its messages), at most once per REPORT_INTERVAL for each
 * kind: a full map in a storm is one line per interval, not one per
 * task.  FINAL (at exit) says what is left at once.
 */
static void check_stats(struct ebph *e, int final)
{
	__u64 vals[e->ncpus], now = clock_ns(CLOCK_MONOTONIC);
	__u32 i;
	int c;

	for (i = 0; i < EBPH_STAT_MAX; i++) {
		const struct stat_report *sr = &stat_report[i];
		struct report *r = &e->reports[i];
		struct ld_map *map;
		char size[32] = "";
		__u64 sum = 0;

		if (!sr->what || bpf_map_lookup(e->m.stats, &i, vals))
			continue;
		for (c = 0; c < e->ncpus; c++)
			sum += vals[c];
		if (sum <= r->seen || (now < r->next && !final))
			continue;
		map = sr->map ? ld_find_map(&e->obj, sr->map) : NULL;
		if (map)
			snprintf(size, sizeof(size), " (%u)", map->def.max_entries);
		say(e, 0, sr->level, "%llu %s%s%s%s", (unsigned long long)(sum - r->seen),
		    sr->what, size, r->eg[0] ? "; e.g. " : "", r->eg);
		r->seen = sum;
		r->next = now + REPORT_INTERVAL;
		r->eg[0] = 0;
	}
}

/* ---- the audit trail -------------------------------------------------------- */

/*
 * The commands that change something tell us on EBPH_CONTROL_SOCK
 * (cmd_audit() in ebph_cmd.c), and we log who did what.  Who comes from
 * the kernel: the sender's uid and PID (SCM_CREDENTIALS, which only a
 * privileged sender can set to other values), its login uid from
 * /proc, read while it waits for our answer.  SUDO_USER is what the
 * command found in its environment: informative only.  The socket is
 * root's and 0600, so only root sends: the trail records what an admin
 * did, it cannot stop one who means to hide, and the config check below
 * catches a change to the settings that comes with no notice at all.
 */
static int control_open(struct ebph *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, fd, err = 0;
	mode_t mask;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", EBPH_CONTROL_SOCK);
	unlink(sa.sun_path);		/* left by an ebph that was killed */
	/* 0600 as bind() creates it: never open to others, not even
	 * between a bind() and a chmod(). */
	mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	umask(mask);
	if (!err && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	e->ctl = fd;
	return 0;
}

static void control_close(struct ebph *e)
{
	if (e->ctl < 0)
		return;
	close(e->ctl);
	unlink(EBPH_CONTROL_SOCK);
	e->ctl = -1;
}

static __u32 read_loginuid(__u32 pid)
{
	char path[64], buf[16];
	unsigned long v;
	ssize_t n;
	char *end;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/loginuid", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return EBPH_NO_LOGINUID;
	buf[n] = 0;
	v = strtoul(buf, &end, 10);
	return end == buf || v > EBPH_NO_LOGINUID ? EBPH_NO_LOGINUID : (__u32)v;
}

/* A notice of N bytes in BUF into its fields: EBPH_AUDIT_MAGIC, command,
 * target, old, new, SUDO_USER, each ended by a NUL.  0 or -EBADMSG. */
static int notice_parse(const char *buf, size_t n, const char *field[6])
{
	const char *p = buf, *end;
	int i;

	for (i = 0; i < 6; i++) {
		end = memchr(p, 0, buf + n - p);
		if (!end)
			return -EBADMSG;
		field[i] = p;
		p = end + 1;
	}
	return p == buf + n && !strcmp(field[0], EBPH_AUDIT_MAGIC) ? 0 : -EBADMSG;
}

/* "uid 0 (SUDO_USER alice, login uid 1000), PID 4242: set monitoring:
 * on -> off", every string escaped. */
static void audit_say(struct ebph *e, const struct ebph_audit *a)
{
	char cmd[64], target[EBPH_ESCAPED_LEN(EBPH_PATH_LEN + 32)], old[256], new[256], sudo[128], who[256], change[600];

	ebph_escape(a->command, cmd, sizeof(cmd));
	ebph_escape(a->target, target, sizeof(target));
	ebph_escape(a->old, old, sizeof(old));
	ebph_escape(a->new, new, sizeof(new));
	if (old[0] || new[0])
		snprintf(change, sizeof(change), ": %s -> %s", old, new);
	else
		change[0] = 0;
	e->audit = a;
	if (!a->pid) {
		say(e, 0, EBPH_WARNING, "config changed by something other than ebph set: %s %s -> %s",
		    target, old, new);
		e->audit = NULL;
		return;
	}
	snprintf(who, sizeof(who), "uid %u", a->uid);
	if (a->sudo_user || a->loginuid != EBPH_NO_LOGINUID) {
		size_t n = strlen(who);

		snprintf(who + n, sizeof(who) - n, " (%s%s%s", a->sudo_user ? "SUDO_USER " : "",
			 a->sudo_user ? ebph_escape(a->sudo_user, sudo, sizeof(sudo)) : "",
			 a->sudo_user && a->loginuid != EBPH_NO_LOGINUID ? ", " : "");
		n = strlen(who);
		if (a->loginuid != EBPH_NO_LOGINUID)
			snprintf(who + n, sizeof(who) - n, "login uid %u", a->loginuid);
		n = strlen(who);
		snprintf(who + n, sizeof(who) - n, ")");
	}
	say(e, 0, EBPH_INFO, "audit: %s, PID %u: %s %s%s", who, a->pid, cmd, target, change);
	e->audit = NULL;
}

/* Setting S changed from what we last saw to NOW's with no notice: say so. */
static void config_unexplained(struct ebph *e, int s, const struct ebph_config *now,
			       const char *new)
{
	char a[64], b[64];

	cmd_setting_fmt(&e->cfg_seen, s, a, sizeof(a));
	if (!new) {
		cmd_setting_fmt(now, s, b, sizeof(b));
		new = b;
	}
	audit_say(e, &(struct ebph_audit){
		.command = "", .target = cmd_setting_name(s), .old = a, .new = new,
	});
}

/*
 * The backstop: the config map against what we last accounted for, each
 * turn.  A setting that changed with no `ebph set` notice (bpftool, a
 * program writing the pinned map) is logged as such.  `ebph set` writes
 * the map before it sends its notice, so a change waits a second for
 * one; LAST (we are stopping) waits no more.  A change undone within
 * that second can pass unseen: this samples, it does not trace.
 */
static void config_check(struct ebph *e, int last)
{
	__u64 t = clock_ns(CLOCK_MONOTONIC);
	struct ebph_config now;
	__u32 zero = 0;
	int s;

	if (bpf_map_lookup(e->m.config, &zero, &now))
		return;
	for (s = 0; s < SET_MAX; s++) {
		if (!cmd_setting_differs(&e->cfg_seen, &now, s)) {
			e->cfg_pending[s] = 0;
			continue;
		}
		if (!last && !e->cfg_pending[s])
			e->cfg_pending[s] = t;
		if (!last && t - e->cfg_pending[s] < 1000000000ULL)
			continue;
		config_unexplained(e, s, &now, NULL);
		cmd_setting_copy(&e->cfg_seen, &now, s);
		e->cfg_pending[s] = 0;
	}
}

/*
 * `ebph set` says it changed setting S from OLD to NEW.  An OLD that is
 * not what we last saw was written by something else before: that is
 * reported first.  If the map holds NEW, the change is accounted for;
 * another value means something else wrote it meanwhile, and
 * config_check() reports that.
 */
static void config_explained(struct ebph *e, int s, const char *old, const char *new)
{
	struct ebph_config now;
	__u32 zero = 0;
	char seen[64], v[64];

	if (bpf_map_lookup(e->m.config, &zero, &now))
		return;
	cmd_setting_fmt(&e->cfg_seen, s, seen, sizeof(seen));
	if (strcmp(seen, old))
		config_unexplained(e, s, &now, old);
	cmd_setting_fmt(&now, s, v, sizeof(v));
	if (!strcmp(v, new)) {
		cmd_setting_copy(&e->cfg_seen, &now, s);
		e->cfg_pending[s] = 0;
	}
}

/* The notices waiting on the socket: each logged, then answered.  At
 * most 64 a turn, so that a flood of them cannot starve the rings. */
static void control_read(struct ebph *e)
{
	int i;

	for (i = 0; e->ctl >= 0 && i < 64; i++) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct ucred))];
		} control;
		char buf[EBPH_AUDIT_MAX];
		struct sockaddr_un from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &control, .msg_controllen = sizeof(control),
		};
		const struct ucred *cred = NULL;
		const char *f[6];
		struct cmsghdr *c;
		ssize_t n = recvmsg(e->ctl, &mh, MSG_DONTWAIT | MSG_TRUNC);
		int set;

		if (n < 0)
			return;		/* EAGAIN: none left */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				cred = (const struct ucred *)CMSG_DATA(c);
		if (!cred || (size_t)n > sizeof(buf) || notice_parse(buf, n, f)) {
			say(e, 0, EBPH_WARNING, "a malformed notice on %s (%zd bytes, from PID %d, uid %d): not logged",
			    EBPH_CONTROL_SOCK, n, cred ? (int)cred->pid : -1,
			    cred ? (int)cred->uid : -1);
			continue;
		}
		audit_say(e, &(struct ebph_audit){
			.uid = cred->uid, .pid = cred->pid,
			.loginuid = read_loginuid(cred->pid),
			.sudo_user = f[5][0] ? f[5] : NULL,
			.command = f[1], .target = f[2], .old = f[3], .new = f[4],
		});
		if (!strcmp(f[1], "set") && (set = cmd_setting_find(f[2])) >= 0)
			config_explained(e, set, f[3], f[4]);
		if (mh.msg_namelen > sizeof(sa_family_t))
			sendto(e->ctl, "ok", 2, MSG_DONTWAIT, (struct sockaddr *)&from,
			       mh.msg_namelen);
	}
}

/* Up to TIMEOUT_MS for a record in a ring or a notice on the control
 * socket, then drain the rings (perf_reader_poll()): a notice is
 * answered at once, not at the next event. */
static int wait_events(struct ebph *e, int timeout_ms)
{
	int nr = e->pb.nr_rings;
	struct pollfd pfds[nr + 1];

	memcpy(pfds, e->pb.pfds, nr * sizeof(*pfds));
	pfds[nr] = (struct pollfd){ .fd = e->ctl, .events = POLLIN };
	if (poll(pfds, nr + (e->ctl >= 0), timeout_ms) < 0)
		return -errno;
	return perf_reader_poll(&e->pb, 0);
}

/* ---- owners: the quota ---------------------------------------------------- */

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
static void check_owners(struct ebph *e, enum owners_when when)
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
		say(e, 0, EBPH_WARNING,
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
 * an owner by restore_finish()).
 */
static int restore_admit(struct ebph *e, __u32 owner)
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

/* ---- profiles between disk and maps ---------------------------------------- */

/*
 * One saved profile into the maps: its sequences, its profile and path,
 * then its rows in one batched update instead of a bpf(2) call per row.
 * The sequences go first, whatever the detector: ebph_seqs_load() stamps
 * them for the epochs it sets in rec->prof, which the profile written
 * after it must carry, and a run with pairs only must still save them
 * back.  Called from several threads at once (restore_start()), so it
 * touches nothing but the maps, stderr, an atomic count and, under
 * owner_lock, the quota (restore_admit()).
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

	if (!restore_admit(e, rec->prof.owner))
		return 0;
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
		err = bpf_map_update_many(e->m.rows, keys, vals, &done, BPF_ANY);
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
	say(e, 0, EBPH_INFO, "loaded %d profiles from %s", e->restored - e->skipped,
	    e->opt.profile_dir);
	for (size_t i = 0; i < e->nnotes; i++)
		if (e->notes[i].skipped)
			say(e, 0, EBPH_WARNING,
			    "uid %u: %llu saved profiles not loaded: over its quota of %u profiles, or all users over %u (left on disk)",
			    e->notes[i].uid, (unsigned long long)e->notes[i].skipped,
			    e->opt.owner_quota, EBPH_USERS_MAX);
	/* Such a profile is tested on pairs only, or with --detector seqs
	 * not at all, until it is next made normal: say so, not silently. */
	if ((e->opt.detectors & EBPH_DET_SEQS) && e->no_seq_test)
		say(e, 0, EBPH_WARNING,
		    "%d normal profile%s no test set of sequences (saved without the sequence detector): tested on sequences only from the next normalization (ebph normalize)",
		    e->no_seq_test, e->no_seq_test == 1 ? " has" : "s have");
	return 0;
}

/*
 * Every profile to its file.  What fails is said in at most two lines a
 * save, each with a count and the first profile, never a line per
 * profile: a full disk fails them all, at every save.
 */
static int save_profiles(struct ebph *e)
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
		say(e, 0, EBPH_ERROR, "profiles not saved: cannot take %s/save.lock: %s",
		    EBPH_RUN_DIR, strerror(-lock));
		return lock;
	}
	/* A walk cut short by a map changing under it (-EAGAIN) may miss
	 * rows: such a snapshot is never written over good files. */
	for (tries = 0; (err = ebph_snapshot_read(&e->m, &s)) == -EAGAIN && tries < 3; tries++)
		;
	if (err) {
		ebph_state_unlock(lock);
		say(e, 0, EBPH_ERROR, "cannot read the profiles to save them: %s%s", strerror(-err),
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
		say(e, 0, EBPH_ERROR, "%zu profiles not saved: their files were refused at load; move them away (the first: %s, %s/%s)",
		    refused, path, e->opt.profile_dir, name);
	}
	if (failed) {
		ebph_escape(first_failed->path, path, sizeof(path));
		say(e, 0, EBPH_ERROR, "%zu profiles not saved in %s: %s%s (the first: %llx, %s)",
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
	say(e, 0, refused + failed ? EBPH_WARNING : EBPH_INFO, "saved %zu profiles to %s%s%s",
	    saved, e->opt.profile_dir, refused + failed ? ", some failed" : "", what);
	return refused + failed ? -EIO : 0;
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
		.owner_quota = e->opt.owner_quota,
		.users_max = EBPH_USERS_MAX,
	};
	__u32 zero = 0;
	int err;

	err = ebph_config_offsets(&cfg, e->opt.verbose);
	if (err)
		return err;
	err = bpf_map_update(e->m.config, &zero, &cfg, BPF_ANY);
	if (err)
		fprintf(stderr, "%s: cannot write the config map: %s\n", prog, strerror(-err));
	e->cfg_seen = cfg;	/* for config_check() */
	return err;
}

static int run(struct ebph *e)
{
	__u64 t0 = clock_ns(CLOCK_MONOTONIC), next_save;
	struct sigaction sa_save = { .sa_handler = on_save_signal, .sa_flags = SA_RESTART };
	char objbuf[PATH_MAX], why[256];
	struct ld_prog *uring;
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
	handle_signals();
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
	/* Found now, not at the first save, minutes or days later.  The
	 * kernel's answer for a create in it: a read-only mount (EROFS), an
	 * immutable directory (EPERM), or permissions. */
	if (e->opt.save && access(e->opt.profile_dir, W_OK | X_OK)) {
		fprintf(stderr, "%s: profile directory %s cannot be written (%s): fix it, or run with --no-save\n",
			prog, e->opt.profile_dir, strerror(errno));
		goto out_lock;
	}
	/* A save we were killed in the middle of leaves a temporary file:
	 * only that profile's next save would remove it. */
	if (e->opt.save) {
		int n = profile_dir_sweep(e->opt.profile_dir);

		if (n > 0)
			fprintf(stderr, "%s: removed %d temporary file%s in %s left by saves that were cut short\n",
				prog, n, n == 1 ? "" : "s", e->opt.profile_dir);
		else if (n < 0)
			fprintf(stderr, "%s: cannot look for temporary files in %s: %s\n",
				prog, e->opt.profile_dir, strerror(-n));
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
	if (ld_open(&e->obj, e->opt.object, e->opt.verbose))
		goto out_lock;
	/* The maps first: the saved profiles go into them (restore) while
	 * the verifier checks the programs. */
	if (ld_create_maps(&e->obj) || ebph_maps_from_object(&e->m, &e->obj))
		goto out_obj;
	if (e->opt.load && restore_start(e))
		goto out_obj;
	err = ld_load(&e->obj);

	/* configure, restore */
	if (!err)
		err = configure(e);
	if (restore_finish(e) || err)
		goto out_obj;

	/* listen, pin, attach */
	/* No on_lost: a record the ring lost is one the kernel failed to
	 * write, and counted (EBPH_STAT_EVENT_DROPS): counted once. */
	err = perf_reader_open(&e->pb, ld_map_fd(&e->obj, "events"),
			       PERF_PAGES, on_sample, NULL, e);
	if (err) {
		fprintf(stderr, "%s: cannot open the perf rings: %s\n", prog, strerror(-err));
		goto out_obj;
	}
	if (ld_pin_maps(&e->obj, EBPH_PIN_DIR))
		goto out_pb;
	sigaction(SIGUSR1, &sa_save, NULL);
	/* After SIGUSR1 is handled: `ebph save` finds us through this. */
	if (ebph_state_start(getpid(), e->opt.profile_dir, e->opt.save))
		goto out_pb;
	err = control_open(e);
	if (err)
		fprintf(stderr, "%s: cannot open %s: %s (the commands' changes will not be logged)\n",
			prog, EBPH_CONTROL_SOCK, strerror(-err));
	if (stop_signal) {	/* while starting: nothing learned to save */
		say(e, 0, EBPH_INFO, "stopping on %s, before attaching", strsignal(stop_signal));
		ret = 0;
		goto out_pb;
	}
	/* A kernel without io_uring's tracepoint runs ebph all the same. */
	uring = ld_find_prog(&e->obj, "ebph_io_uring");
	if (uring)
		uring->optional = 1;
	if (ld_attach(&e->obj))
		goto out_pb;
	say(e, 0, EBPH_INFO, "ebph attached in %.1f ms: monitoring every system call, detector %s (Ctrl-C to stop)",
	    (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6, ebph_detectors_name(e->opt.detectors));
	if (uring && uring->attach_fd < 0)
		say(e, 0, EBPH_WARNING, "this kernel has no io_uring/io_uring_submit_req tracepoint: io_uring requests go unnoticed");

	/* loop */
	next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
	while (!stop_signal) {
		err = wait_events(e, 1000);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: reading events: %s\n", prog, strerror(-err));
			goto out_pb;
		}
		check_stats(e, 0);
		control_read(e);	/* before the save it may announce */
		config_check(e, 0);
		check_owners(e, save_request ? OWNERS_NOW : OWNERS_TICK);
		if (e->opt.save && e->opt.save_interval &&
		    clock_ns(CLOCK_MONOTONIC) >= next_save) {
			save_profiles(e);
			next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
		}
		if (hup_request) {
			hup_request = 0;
			say(e, 0, EBPH_INFO, "SIGHUP: %s; going on",
			    e->opt.save ? "saving the profiles" : "nothing to save (--no-save)");
			save_request = 1;
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
	ld_detach(&e->obj);
	perf_reader_poll(&e->pb, 0);
	check_stats(e, 1);
	control_read(e);
	config_check(e, 1);
	check_owners(e, OWNERS_FLUSH);
	ret = 0;
	if (e->opt.save && save_profiles(e))
		ret = 1;
	report_memory(e);
out_pb:
	control_close(e);
	ebph_state_stop();
	perf_reader_close(&e->pb);
out_obj:
	ld_close(&e->obj);	/* detaches and unpins too */
out_lock:
	close(lock_fd);
	free(e->notes);
	return ret;
}

/* ---- command line ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph [run] [OPTIONS]\n"
"Learn which system calls every executable makes and report processes\n"
"that break a learned pattern (pH, process homeostasis, on eBPF).\n"
"Runs in the foreground as root until Ctrl-C (SIGINT) or SIGTERM, which\n"
"save the profiles and exit 0; SIGHUP saves and goes on.\n"
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
"      --owner-quota N       profiles one user (not root) may make by\n"
"                            running programs (default %u); all users\n"
"                            together have at most %u\n"
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
		EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT, EBPH_OWNER_QUOTA, EBPH_USERS_MAX);
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
	       OPT_JSON, OPT_SYSLOG, OPT_LOG_SEQ, OPT_DETECTOR, OPT_OWNER_QUOTA };
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
		{ "owner-quota", required_argument, NULL, OPT_OWNER_QUOTA },
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
			.owner_quota = EBPH_OWNER_QUOTA,
		},
		.ctl = -1,
		.owner_lock = PTHREAD_MUTEX_INITIALIZER,
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
		case OPT_OWNER_QUOTA:
			e.opt.owner_quota = parse_uint(optarg, "--owner-quota", EBPH_USERS_MAX);
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
