// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_print.c - the log of `ebph run` (ebph_run.h): each kernel event in
 * words, one function an event type (print_event()), the kernel's
 * counters of what it could not do (check_stats()), and ebph's own lines.
 *
 * Every line goes out through say_line(): as text or a JSON object
 * (--json, ebph_log.c) on stdout, and/or to syslog (--syslog): the
 * journal, with the JSON object's fields (ebph_journal.c), or syslog(3)
 * where there is no journal.  The kernel event or the admin's action a
 * line is about is a parameter, for the JSON fields and the syslog
 * priority.  Why a start failed is
 * not logged here: the step that failed says it on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_state.h"
#include "ebph_util.h"

/* ---- lines out ------------------------------------------------------------ */

static const char *level_name[] = {
	[EBPH_DEBUG] = "DEBUG", [EBPH_INFO] = "INFO",
	[EBPH_WARNING] = "WARNING", [EBPH_ERROR] = "ERROR",
};

/* What a JSON line says besides a kernel event EV's fields, in IN (P
 * holds the path), the anomaly's incident ID. */
static void line_info(struct ebph *e, const struct ebph_event *ev, __u32 id,
		      struct ebph_line_info *in, struct ebph_path *p,
		      char id_buf[EBPH_CONTAINER_ID_LEN + 1])
{
	*in = (struct ebph_line_info){ .host = e->host, .incident = id };
	if (!ev)
		return;
	if (!bpf_map_lookup(e->m.paths, &ev->profile, p)) {
		p->path[sizeof(p->path) - 1] = 0;
		in->path = p->path;
	}
	/* The path at the time the line is written, not the event's: a
	 * process gone by then has its cgroup looked for by id
	 * (ebph_origin.c). */
	in->cgroup = ebph_cgroup_path(&e->cgroups, ev->cgroup, ev->pid);
	in->container = in->cgroup ? ebph_container_id(in->cgroup, id_buf) : NULL;
}

/* What a line is about, for its JSON fields and syslog priority: a
 * kernel event, an admin's action, an incident over, or none. */
struct about {
	const struct ebph_event *ev;
	__u32 incident;			/* EV's, an anomaly's */
	const struct ebph_audit *a;
	const struct incident *inc;
	const char *ended;		/* INC's */
	const char *file;		/* EV's, a refused exec's */
};

/* INC as ebph_log.c sums it up. */
static struct ebph_incident_sum incident_sum(struct ebph *e, const struct incident *inc,
					     const char *why)
{
	return (struct ebph_incident_sum){
		.id = inc->id, .anomalies = inc->anomalies, .max_lfc = inc->max_lfc,
		.start_ns = inc->first.ts + e->boot_to_real,
		.end_ns = inc->last_ns + e->boot_to_real,
		.calls = inc->calls, .ended = why, .lost = inc->lost,
	};
}

/* MSG as a JSON object on F, with the fields of what it is about, W:
 * for --json, and the journal's fields (--syslog). */
static void emit_json(struct ebph *e, FILE *f, __u64 real_ns, enum ebph_level level,
		      const char *msg, const struct about *w)
{
	char id[EBPH_CONTAINER_ID_LEN + 1];
	struct ebph_line_info in;
	struct ebph_path p;

	if (w->a) {
		ebph_json_audit(f, real_ns, level, msg, w->a, e->host);
	} else if (w->inc) {
		struct ebph_incident_sum s = incident_sum(e, w->inc, w->ended);

		line_info(e, &w->inc->first, 0, &in, &p, id);
		ebph_json_incident(f, real_ns, level, msg, &w->inc->first, &in, &s);
	} else {
		line_info(e, w->ev, w->incident, &in, &p, id);
		in.file = w->file;
		ebph_json_line(f, real_ns, level, msg, w->ev, &in, e->boot_to_real);
	}
}

/*
 * MSG as one line on F: "2026-11-21 12:07:17 WARNING: ...", or a JSON
 * object (--json).  Returns 0, or -errno if F would not take it.
 */
static int emit(struct ebph *e, FILE *f, __u64 real_ns, enum ebph_level level,
		const char *msg, const struct about *w)
{
	char stamp[32];
	struct tm tm;
	time_t t;

	errno = 0;
	if (e->opt.json) {
		emit_json(e, f, real_ns, level, msg, w);
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

/* The syslog priority of a line of LEVEL about W: an admin's action is
 * news, as a profile that turns normal. */
static int syslog_prio(enum ebph_level level, const struct about *w)
{
	int prio = ebph_syslog_priority(level, w->inc ? &w->inc->first : w->ev);

	return w->a && prio > LOG_NOTICE ? LOG_NOTICE : prio;
}

/*
 * MSG to the journal, with the fields of its JSON line; to syslog(3)
 * without a journal (e->journal -1), or if it would not take the line
 * now.
 */
static void to_syslog(struct ebph *e, __u64 real_ns, enum ebph_level level,
		      const char *msg, const struct about *w)
{
	int prio = syslog_prio(level, w);
	char *json = NULL;
	size_t n;
	FILE *f;

	if (e->journal >= 0 && (f = open_memstream(&json, &n))) {
		emit_json(e, f, real_ns, level, msg, w);
		if (!fclose(f) && !journal_send(e->journal, json, prio)) {
			free(json);
			return;
		}
		free(json);
	}
	syslog(prio, "%s", msg);
}

/*
 * One line, about W, at BOOT_NS (CLOCK_BOOTTIME; 0: now): on stdout
 * (text, or JSON with --json), and/or to syslog (--syslog).  Once stdout
 * fails (a reader gone: EPIPE; a terminal hung up: EIO), the lines go
 * to stderr and syslog instead, one line says so, and the profiles are
 * saved: ebph goes on.  A stderr that fails too is not retried in any
 * loop: syslog still has every line.
 */
static void say_line(struct ebph *e, const struct about *w, __u64 boot_ns,
		     enum ebph_level level, const char *fmt, va_list ap)
{
	char msg[2048];
	__u64 real_ns;
	int err;

	if (level == EBPH_DEBUG && !e->opt.verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	real_ns = boot_ns ? boot_ns + e->boot_to_real : clock_ns(CLOCK_REALTIME);
	if (e->opt.syslog || e->stdout_lost)
		to_syslog(e, real_ns, level, msg, w);
	if (e->stdout_lost) {
		emit(e, stderr, real_ns, level, msg, w);
		return;
	}
	if (e->opt.syslog && !e->opt.json)
		return;
	err = emit(e, stdout, real_ns, level, msg, w);
	/* A stdout that would block now (O_NONBLOCK, or a signal) is
	 * still there; the next line tries it again. */
	if (!err || err == -EINTR || err == -EAGAIN)
		return;
	e->stdout_lost = 1;
	if (!e->opt.syslog) {	/* this line has not reached syslog yet */
		openlog("ebph", LOG_PID, LOG_DAEMON);
		e->journal = journal_open();
		to_syslog(e, real_ns, level, msg, w);
	}
	emit(e, stderr, real_ns, level, msg, w);
	save_request = 1;
	/* This line is ebph's own, not the event's or the audit's. */
	say(e, EBPH_WARNING, "stdout failed (%s): events go to stderr and syslog from now on; saving the profiles",
	    strerror(-err));
}

void say(struct ebph *e, enum ebph_level level, const char *fmt, ...)
{
	struct about w = { 0 };
	va_list ap;

	va_start(ap, fmt);
	say_line(e, &w, 0, level, fmt, ap);
	va_end(ap);
}

void say_audit(struct ebph *e, const struct ebph_audit *a, enum ebph_level level,
	       const char *fmt, ...)
{
	struct about w = { .a = a };
	va_list ap;

	va_start(ap, fmt);
	say_line(e, &w, 0, level, fmt, ap);
	va_end(ap);
}

/* A line about W, at BOOT_NS (0: now). */
static void __attribute__((format(printf, 5, 6)))
say_about(struct ebph *e, const struct about *w, __u64 boot_ns,
	  enum ebph_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_line(e, w, boot_ns, level, fmt, ap);
	va_end(ap);
}

/* A line about kernel event EV, at the time the kernel gave it: what
 * every event's lines use. */
static void __attribute__((format(printf, 4, 5)))
say_event(struct ebph *e, const struct ebph_event *ev, enum ebph_level level,
	  const char *fmt, ...)
{
	struct about w = { .ev = ev };
	va_list ap;

	va_start(ap, fmt);
	say_line(e, &w, ev->ts, level, fmt, ap);
	va_end(ap);
}

/* ---- what lines name ------------------------------------------------------------ */

struct ebph_config live_config(struct ebph *e)
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
		snprintf(buf, len, EBPH_KEY_FMT, (unsigned long long)key);
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
	    ebph_profile_key(st.st_dev, st.st_ino) != key)
		return;
	memcpy(p.path, path, n + 1);
	bpf_map_update(e->m.paths, &key, &p, BPF_EXIST);
}

static const char *call_name(unsigned nr, char *buf, size_t len)
{
	syscall_name_fmt(nr, buf, len);
	return buf;
}

/* ---- the kernel's counters ------------------------------------------------------- */

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
	 * counts the same ones (ebph_user.c gives the reader no on_lost). */
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
	/* A program that leaves its handlers by siglongjmp() overflows at
	 * every signal: `ebph status` shows the count, the log does not. */
	[EBPH_STAT_FRAMES_FULL] = { NULL },
	/* Each has a line of its own (EBPH_EV_DELAY, -v). */
	[EBPH_STAT_DELAYS] = { NULL },
	/* Each has a line of its own (EBPH_EV_EXEC_REFUSED). */
	[EBPH_STAT_EXEC_REFUSED] = { NULL },
};

/*
 * The kernel counts what it could not do; tell the user when a count
 * grows, in one line with the number since the last such line and an
 * example (from its messages, print_message()), at most once per
 * REPORT_INTERVAL for each kind: a full map in a storm is one line per
 * interval, not one per task.  FINAL (at exit) says what is left at once.
 */
void check_stats(struct ebph *e, int final)
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
		say(e, sr->level, "%llu %s%s%s%s", (unsigned long long)(sum - r->seen),
		    sr->what, size, r->eg[0] ? "; e.g. " : "", r->eg);
		r->seen = sum;
		r->next = now + REPORT_INTERVAL;
		r->eg[0] = 0;
	}
}

/* ---- the kernel's events, one function a type ------------------------------------ */

/*
 * "7 misses, LFC 1" as the pairs detector always said it; a sequence
 * not in the test set adds "unknown sequence", and with the sequence
 * detector alone the misses, always 0, are left out.  The line `ebph
 * top` shows comes from here too (ebph_state_anomaly()).
 */
static void print_anomaly(struct ebph *e, const struct ebph_event *ev,
			  const char *name)
{
	char call[SYSCALL_NAME_LEN], what[64];
	struct about w = { .ev = ev };
	int begins;

	if (!ev->seq_miss)
		snprintf(what, sizeof(what), "%u misses", ev->misses);
	else if (ev->misses)
		snprintf(what, sizeof(what), "%u misses, unknown sequence", ev->misses);
	else
		snprintf(what, sizeof(what), "unknown sequence");
	ebph_state_anomaly(ev, e->boot_to_real);	/* for ebph top */
	begins = incident_anomaly(e, ev, &w.incident);
	if (!begins && !e->opt.every_anomaly)
		return;		/* counted in its incident's summary */
	say_about(e, &w, ev->ts, EBPH_WARNING,
		  "PID %u (%s, profile " EBPH_KEY_FMT "): anomaly in %s: %s, LFC %u%s",
		  ev->pid, name, (unsigned long long)ev->profile,
		  call_name(ev->call, call, sizeof(call)), what, ev->lfc,
		  begins == 1 && !e->opt.every_anomaly ?
		  ": an incident begins (its summary when it is over)" : "");
}

/* The calls of INC by name, "write, read", into BUF. */
static const char *incident_calls(const struct incident *inc, char *buf, size_t len)
{
	char name[SYSCALL_NAME_LEN];
	size_t used = 0;
	unsigned int c;

	buf[0] = 0;
	for (c = 0; c < EBPH_NUM_CALLS && used < len; c++) {
		if (!(inc->calls[c / 64] & 1ULL << (c % 64)))
			continue;
		syscall_name_fmt(c, name, sizeof(name));
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
	}
	return buf;
}

static const char *why_words(const char *why)
{
	if (!strcmp(why, "lfc_zero"))
		return "its LFC is back to 0";
	if (!strcmp(why, "exited"))
		return "the process exited";
	if (!strcmp(why, "timeout"))
		return "no anomaly for the time limit";
	if (!strcmp(why, "exec"))
		return "the process ran another program";
	return "ebph stopped";
}

void print_incident(struct ebph *e, const struct incident *inc, const char *why)
{
	struct about w = { .inc = inc, .ended = why };
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], calls[1024], dur[32], lost[96] = "";

	profile_label(e, inc->first.profile, name, sizeof(name));
	/* From its first anomaly to its last: often within a millisecond. */
	if (inc->last_ns - inc->first.ts < 1000000000ULL)
		snprintf(dur, sizeof(dur), "%.3f ms", (inc->last_ns - inc->first.ts) / 1e6);
	else
		cmd_fmt_duration(inc->last_ns - inc->first.ts, dur, sizeof(dur));
	if (inc->lost)
		snprintf(lost, sizeof(lost), "; %llu events were lost meanwhile, so there may be more",
			 (unsigned long long)inc->lost);
	say_about(e, &w, 0, EBPH_WARNING,
		  "PID %u (%s, profile " EBPH_KEY_FMT "): incident %u over (%s): %u anomalous call%s in %s, highest LFC %u, calls %s%s",
		  inc->pid, name, (unsigned long long)inc->first.profile, inc->id,
		  why_words(why), inc->anomalies, inc->anomalies == 1 ? "" : "s", dur,
		  inc->max_lfc, incident_calls(inc, calls, sizeof(calls)), lost);
}

/* NAME is the kernel's (the exec's filename): the absolute path first. */
static void print_new_profile(struct ebph *e, const struct ebph_event *ev,
			      char *name, size_t len)
{
	resolve_path(e, ev->profile, ev->pid);
	profile_label(e, ev->profile, name, len);
	say_event(e, ev, EBPH_INFO, "new profile %s (" EBPH_KEY_FMT "), from PID %u",
		  name, (unsigned long long)ev->profile, ev->pid);
}

/* A task runs a profile: an exec, or a task ebph found running. */
static void print_assoc(struct ebph *e, const struct ebph_event *ev,
			char *name, size_t len)
{
	struct ebph_path p;

	/* A profile first seen in a process that was gone before its
	 * path could be read keeps the kernel's name ("sleep"); each
	 * later exec of it is another chance. */
	if (!bpf_map_lookup(e->m.paths, &ev->profile, &p) && p.path[0] != '/') {
		resolve_path(e, ev->profile, ev->pid);
		profile_label(e, ev->profile, name, len);
	}
	say_event(e, ev, EBPH_DEBUG, "PID %u TID %u runs %s (" EBPH_KEY_FMT ")",
		  ev->pid, ev->tid, name, (unsigned long long)ev->profile);
}

/* A profile that learned nothing new for long enough: normal at
 * ev->arg (CLOCK_BOOTTIME) unless it learns more before. */
static void print_frozen(struct ebph *e, const struct ebph_event *ev,
			 const char *name)
{
	time_t t = (ev->arg + e->boot_to_real) / 1000000000ULL;
	char when[SYSCALL_NAME_LEN];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	say_event(e, ev, EBPH_INFO, "profile %s (" EBPH_KEY_FMT ") frozen: normal at %s",
		  name, (unsigned long long)ev->profile, when);
}

/* The limits as they are now, not at the start: `ebph set` changes them. */
static void print_stop_normal(struct ebph *e, const struct ebph_event *ev,
			      const char *name)
{
	say_event(e, ev, EBPH_WARNING,
		  "profile %s (" EBPH_KEY_FMT "): %u anomalies, over the limit of %u: back to training",
		  name, (unsigned long long)ev->profile, ev->anomalies,
		  live_config(e).anomaly_limit);
}

static void print_tolerize(struct ebph *e, const struct ebph_event *ev,
			   const char *name)
{
	say_event(e, ev, EBPH_WARNING,
		  "PID %u (%s, profile " EBPH_KEY_FMT "): LFC %u over the tolerize limit of %u: training data reset",
		  ev->pid, name, (unsigned long long)ev->profile, ev->lfc,
		  live_config(e).tolerize_limit);
}

/* The kernel's comm, escaped as a file's name is. */
static void print_unnamed_exec(struct ebph *e, const struct ebph_event *ev,
			       const char *name)
{
	char comm[EBPH_ESCAPED_LEN(EBPH_COMM_LEN)], c[EBPH_COMM_LEN + 1];

	memcpy(c, ev->comm, EBPH_COMM_LEN);
	c[EBPH_COMM_LEN] = 0;
	say_event(e, ev, EBPH_WARNING,
		  "PID %u (%s) runs a file with no name (a memfd or a deleted file): its profile %s (" EBPH_KEY_FMT ") is new at each such exec, so it is never tested",
		  ev->pid, ebph_escape(c, comm, sizeof(comm)), name,
		  (unsigned long long)ev->profile);
}

/* --log-sequences.  misses: a pair's distance, 1..8; 0 for a whole
 * sequence (packed in ev->arg). */
static void print_new_seq(struct ebph *e, const struct ebph_event *ev,
			  const char *name)
{
	char call[SYSCALL_NAME_LEN], prev[SYSCALL_NAME_LEN],
	     seq[EBPH_SEQ_CALLS * SYSCALL_NAME_LEN];

	if (ev->misses == 0)
		say_event(e, ev, EBPH_INFO, "profile %s (" EBPH_KEY_FMT ") learned the sequence %s",
			  name, (unsigned long long)ev->profile,
			  syscall_seq_fmt(ev->arg, NULL, seq, sizeof(seq)));
	else
		say_event(e, ev, EBPH_INFO, "profile %s (" EBPH_KEY_FMT ") learned %s after %s",
			  name, (unsigned long long)ev->profile,
			  call_name(ev->call, call, sizeof(call)),
			  call_name(ev->arg, prev, sizeof(prev)));
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
		say_event(e, ev, EBPH_ERROR, "kernel message %u (arg %llu)",
			  ev->code, (unsigned long long)ev->arg);
		return;
	}
	if (!e->reports[stat].eg[0])
		memcpy(e->reports[stat].eg, eg, sizeof(eg));
	say_event(e, ev, EBPH_DEBUG, "%s: %s", stat_report[stat].what, eg);
}

/* The threshold is the event's (arg), the one the kernel compared
 * with: `ebph set` may have changed it since. */
void print_refusal(struct ebph *e, const struct ebph_refusal *r)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], file[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	char comm[EBPH_ESCAPED_LEN(EBPH_COMM_LEN)], c[EBPH_COMM_LEN + 1];
	struct about w = { .ev = &r->ev, .file = r->file };

	profile_label(e, r->ev.profile, name, sizeof(name));
	memcpy(c, r->ev.comm, EBPH_COMM_LEN);
	c[EBPH_COMM_LEN] = 0;
	say_about(e, &w, r->ev.ts, EBPH_WARNING,
		  "PID %u (%s, comm %s, profile " EBPH_KEY_FMT "): execve of %s refused: LFC %u, at or over execve-lfc %llu",
		  r->ev.pid, name, ebph_escape(c, comm, sizeof(comm)),
		  (unsigned long long)r->ev.profile,
		  r->file[0] ? ebph_escape(r->file, file, sizeof(file)) : "(unknown file)",
		  r->ev.lfc, (unsigned long long)r->ev.arg);
}

/* EV, from the ring (on_sample() in ebph_user.c), in words: each type
 * by a function of its own, with the label of its profile. */
void print_event(struct ebph *e, const struct ebph_event *ev)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	__u64 key = ev->profile;

	profile_label(e, key, name, sizeof(name));
	switch (ev->type) {
	case EBPH_EV_ANOMALY:
		print_anomaly(e, ev, name);
		break;
	case EBPH_EV_NEW_PROFILE:
		print_new_profile(e, ev, name, sizeof(name));
		break;
	case EBPH_EV_ASSOC:
		print_assoc(e, ev, name, sizeof(name));
		break;
	case EBPH_EV_FROZEN:
		print_frozen(e, ev, name);
		break;
	case EBPH_EV_START_NORMAL:
		say_event(e, ev, EBPH_INFO, "profile %s (" EBPH_KEY_FMT ") is normal: testing starts",
			  name, (unsigned long long)key);
		break;
	case EBPH_EV_STOP_NORMAL:
		print_stop_normal(e, ev, name);
		break;
	case EBPH_EV_TOLERIZE:
		print_tolerize(e, ev, name);
		break;
	case EBPH_EV_IO_URING:
		say_event(e, ev, EBPH_WARNING,
			  "PID %u (%s, profile " EBPH_KEY_FMT ") submits io_uring requests (the first: opcode %u): ebph sees io_uring_enter, not what the requests do",
			  ev->pid, name, (unsigned long long)key, ev->call);
		break;
	case EBPH_EV_UNNAMED_EXEC:
		print_unnamed_exec(e, ev, name);
		break;
	case EBPH_EV_DELAY:
		/* One a call while the LFC is up: a debug line (-v);
		 * `ebph status` counts them. */
		say_event(e, ev, EBPH_DEBUG, "PID %u TID %u (%s, profile " EBPH_KEY_FMT ") delayed: stopped for %llu us (LFC %u)",
			  ev->pid, ev->tid, name, (unsigned long long)key,
			  (unsigned long long)(ev->arg / 1000), ev->lfc);
		break;
	case EBPH_EV_NEW_SEQ:
		print_new_seq(e, ev, name);
		break;
	case EBPH_EV_MESSAGE:
		print_message(e, ev, name);
		break;
	default:
		/* Its fields in JSON, but the time is now: the kernel's may
		 * not be where this ebph reads it. */
		say_about(e, &(struct about){ .ev = ev }, 0, EBPH_ERROR,
			  "unknown event type %u: is ebph_kern.o from another version?", ev->type);
	}
}
