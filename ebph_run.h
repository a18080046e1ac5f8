/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_run.h - what `ebph run` holds while it runs, and what each of its
 * files does with it.  ebph_user.c is the life cycle and calls the
 * others:
 *
 *   ebph_print.c    every line it writes: the kernel's events and
 *                   counters, and its own, on stdout, stderr or syslog
 *   ebph_journal.c  --syslog: a line's JSON fields to the journal
 *   ebph_incident.c the anomalies of a process as one incident: when
 *                   it begins, and when it ends
 *   ebph_persist.c  profiles from the profile directory into the maps
 *                   at start, and back to it
 *   ebph_audit.c    the audit trail: the commands' notices on
 *                   /run/ebph/control, and the config map's backstop
 *   ebph_quota.c    the owner quota: refusals reported, profiles that
 *                   learned almost nothing recycled, the quota at load
 *   ebph_options.c  the settings: the command line, the config file,
 *                   and a reload (SIGHUP) that applies what changed
 *   ebph_metrics_file.c  --metrics: the metrics file, rewritten every
 *                   --metrics-interval for node_exporter
 */
#ifndef EBPH_RUN_H
#define EBPH_RUN_H

#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <linux/types.h>

#include "bpf_load.h"
#include "perf_reader.h"
#include "ebph.h"
#include "ebph_cmd.h"		/* SET_MAX */
#include "ebph_log.h"
#include "ebph_maps.h"
#include "ebph_origin.h"
#include "syscall_names.h"

/* ns: at most one line of each kind this often (check_stats(),
 * check_owners()) */
#define REPORT_INTERVAL		(10 * 1000000000ULL)

#define EBPH_DEFAULT_PROFILE_DIR	"/var/lib/ebph/profiles"
/* Read at every start and reload unless --config or --no-config; `make
 * install` puts a commented one there if there is none. */
#define EBPH_CONFIG_FILE		"/etc/ebph/ebph.conf"

/* The settings of `ebph run`: its defaults, the config file's, and its
 * command line's (ebph_options.c). */
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
	int syslog;			/* events to the journal (or syslog(3)),
					 * not stdout text */
	int log_sequences;		/* report every new pair or sequence */
	int every_anomaly;		/* a line for each anomaly, not one
					 * when an incident begins */
	__u64 incident_timeout;		/* ns with no anomaly that end an
					 * incident whose LFC is not 0 yet */
	__u32 detectors;		/* EBPH_DET_* */
	__u32 owner_quota;		/* profiles a non-root owner may have */
	int signal_frames;		/* a window per signal handler frame */
	const char *metrics;		/* --metrics FILE; NULL: none */
	__u64 metrics_interval;		/* ns */
	__u64 delay_factor;		/* ns; 0: no delays (EBPH_DELAYS) */
	int enforce;			/* refuse execve at execve_lfc */
	__u32 execve_lfc;		/* the LFC at which execve is refused */
	const char *config;		/* the config file; NULL: none */
	int config_given;		/* by --config: it must exist */
	int argc;			/* the command line, for a reload */
	char **argv;
	/* the config file's profile-dir, object and metrics, which the
	 * three point to */
	char dir_store[PATH_MAX], object_store[PATH_MAX], metrics_store[PATH_MAX];
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

/* The incidents open at once, and the threads of one that are waited
 * for (ebph_incident.c). */
#define INCIDENT_MAX		256
#define INCIDENT_TIDS		16

/* The anomalies of one process since its first (ebph_incident.c). */
struct incident {
	__u32 pid;			/* 0: a free slot */
	__u32 id;			/* 1, 2...: its number in this run */
	struct ebph_event first;	/* its first anomaly */
	__u64 last_ns;			/* CLOCK_BOOTTIME of its last */
	__u64 last_mono;		/* CLOCK_MONOTONIC when that was read */
	__u32 anomalies;		/* anomalous calls */
	__u32 max_lfc;
	__u64 drops0, lost;		/* events lost: counter at the start,
					 * and its growth at the end */
	__u32 tids[INCIDENT_TIDS];	/* threads with an anomaly */
	__u32 ntids;
	__u64 calls[EBPH_NUM_CALLS / 64]; /* the calls involved, a bit each */
};

/* What check_stats() last said of one of the kernel's counters. */
struct report {
	__u64 seen;			/* the counter then */
	__u64 next;			/* CLOCK_MONOTONIC ns: no line before */
	/* an example since, from a message */
	char eg[EBPH_PATH_LEN + EBPH_SEQ_CALLS * SYSCALL_NAME_LEN + 32];
};

/* What `ebph run` holds while it runs. */
/* A process stopped for a delay (ebph_delay.c). */
struct delay_slot {
	__u32 pid, tid;			/* the process; the thread delayed */
	int pidfd;			/* on that process; -1: it is gone */
	__u64 due;			/* CLOCK_BOOTTIME ns: resume it then */
	__u64 profile;			/* its profile then; 0: not known */
	__u32 anomalies;		/* the profile's anomalies then */
};

struct ebph {
	struct options opt;
	struct options conf;		/* as configured at the start, or the
					 * last reload: what the next compares
					 * with (opt.object is changed since) */
	struct ld_obj obj;
	struct perf_reader pb;
	struct ebph_maps m;
	int ncpus;
	__s64 boot_to_real;		/* CLOCK_REALTIME - CLOCK_BOOTTIME, ns */
	__u64 t0;			/* CLOCK_MONOTONIC at the start */
	int lock_fd;			/* EBPH_LOCK_FILE, held */

	/* ebph_print.c */
	char host[256];			/* gethostname(2) at the start */
	struct ebph_cgroups cgroups;	/* the cgroup ids events named */
	struct report reports[EBPH_STAT_MAX];
	int stdout_lost;		/* stdout failed: say() writes to
					 * stderr and syslog instead */
	int journal;			/* the journal's socket (--syslog),
					 * or -1: syslog(3) */

	/* ebph_incident.c */
	struct incident *incidents;	/* INCIDENT_MAX, at the first anomaly */
	__u32 incident_seq;		/* the last incident's id */
	__u64 incident_next;		/* CLOCK_MONOTONIC: no check before */

	/* ebph_audit.c */
	int ctl;			/* EBPH_CONTROL_SOCK, or -1 */
	struct ebph_config cfg_seen;	/* the config map, as last accounted for */
	__u64 cfg_pending[SET_MAX];	/* since when (CLOCK_MONOTONIC) each
					 * setting differs with no notice;
					 * 0: it does not (config_check()) */

	/* ebph_persist.c */
	pthread_t restorer;		/* restore_start() .. restore_finish() */
	int restoring;
	int restored;			/* profiles loaded, or -errno */
	int no_seq_test;		/* of them, normal with no test set of
					 * sequences (atomic: restore threads) */

	/* ebph_metrics_file.c */
	__u64 metrics_next;		/* CLOCK_MONOTONIC: no write before */
	int metrics_err;		/* the last write's, as said */
	/* ebph_delay.c */
	struct delay_slot *delays;	/* EBPH_MAX_DELAYS, from delay_start() */
	size_t ndelays;

	/* ebph_quota.c */
	pthread_mutex_t owner_lock;	/* the quota at load, and notes */
	struct owner_note *notes;
	size_t nnotes;
	int skipped;			/* of the restored, not loaded (quota) */
	__u64 owners_ns;		/* CLOCK_MONOTONIC of check_owners() */
};

/* Set by SIGUSR1 (`ebph save`), SIGHUP, and say() when stdout fails:
 * the event loop saves the profiles at its next turn. */
extern volatile sig_atomic_t save_request;

/* ---- ebph_print.c ---- */

/* One line of ebph's own (no event): LEVEL DEBUG only with -v. */
void say(struct ebph *e, enum ebph_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* One line about an admin's action A: JSON "audit" with --json. */
void say_audit(struct ebph *e, const struct ebph_audit *a, enum ebph_level level,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The line(s) of one event from the kernel's ring. */
void print_event(struct ebph *e, const struct ebph_event *ev);
/* A refused exec (EBPH_EV_EXEC_REFUSED), the one event with more than
 * struct ebph_event: the file. */
void print_refusal(struct ebph *e, const struct ebph_refusal *r);
/* A line for each of the kernel's counters that grew, at most one a
 * kind every REPORT_INTERVAL; FINAL: at exit, what is left at once. */
void check_stats(struct ebph *e, int final);
/* The settings now: `ebph set` may have changed them since the start
 * (the command line's limits if the map cannot be read). */
struct ebph_config live_config(struct ebph *e);

/* The summary line of incident INC, over for WHY ("lfc_zero"...). */
void print_incident(struct ebph *e, const struct incident *inc, const char *why);

/* ---- ebph_incident.c ---- */

/* Anomaly EV into its process's incident, whose id goes into *ID:
 * 1 if it begins one, 0 if it is in an open one, -1 if the table is
 * full (*ID 0: the anomaly is in none). */
int incident_anomaly(struct ebph *e, const struct ebph_event *ev, __u32 *id);
/* The incidents that are over, each summed up in a line; at most each
 * INCIDENT_TICK, or (FINAL, at exit) all of them now. */
void incident_check(struct ebph *e, int final);

/* ---- ebph_persist.c ---- */

/* Start loading the saved profiles into the maps, in a thread; 0, or
 * -errno with a message. */
int restore_start(struct ebph *e);
/* Wait for it and say what it loaded; 0, or the -errno it failed with
 * (its message said). */
int restore_finish(struct ebph *e);
/* Every profile to its file; 0, or -errno (said in at most two lines). */
int save_profiles(struct ebph *e);
/* At exit: what the profiles cost in memory, in one line. */
void report_memory(struct ebph *e);

/* ---- ebph_audit.c ---- */

/* The control socket, EBPH_CONTROL_SOCK, in e->ctl; 0 or -errno. */
int control_open(struct ebph *e);
void control_close(struct ebph *e);
/* The notices waiting on the socket: each logged, then answered. */
void control_read(struct ebph *e);
/* The config map against what was accounted for; LAST: at exit. */
void config_check(struct ebph *e, int last);

/* ---- ebph_quota.c ---- */

/* When check_owners() runs: at most every OWNER_CHECK_NS, now (before
 * a save), or now and saying everything not yet said (at exit). */
enum owners_when { OWNERS_TICK, OWNERS_NOW, OWNERS_FLUSH };

/* The kernel's refusals over the quota: recycle, and say so. */
void check_owners(struct ebph *e, enum owners_when when);
/* Whether a saved profile of OWNER may load (and is counted): 1 or 0. */
int restore_admit(struct ebph *e, __u32 owner);
/* One line an owner whose saved profiles restore_admit() left on disk. */
void report_skipped(struct ebph *e);

/* ---- ebph_journal.c ---- */

/* A socket for the journal's native protocol: its fd, or -errno if no
 * journal listens (then syslog(3) it is). */
int journal_open(void);
/* Where the journal listens. */
const char *journal_socket(void);
/* JSON, a line ebph_log.c wrote, as one journal entry of PRIORITY
 * (LOG_WARNING...) on FD: 0, or -errno (the line is not sent). */
int journal_send(int fd, const char *json, int priority);

/* ---- ebph_metrics_file.c ---- */

/* PATH as --metrics takes it: a file (or none yet) in a directory
 * there is.  0, or -1 with WHY, which spells the option DASH metrics. */
int metrics_check(const char *path, const char *dash, char *why, size_t len);
/* The metrics file rewritten, if --metrics and it is due (each
 * --metrics-interval, the first at the first turn); a failure said once. */
void metrics_tick(struct ebph *e);
/* A reload changed --metrics or its interval: the file OLD (NULL:
 * none) removed if it is not e->opt.metrics, the new written next. */
void metrics_moved(struct ebph *e, const char *old);
/* At a clean exit: the file says ebph_up 0. */
void metrics_stop(struct ebph *e);

/* ---- ebph_options.c ---- */

/* `ebph run`'s options, for getopt_long(), and the config file's
 * names: the long ones but help, config and no-config. */
extern const char run_shortopts[];
extern const struct option run_longopts[];
/* O as `ebph run` starts without options or a config file. */
void options_default(struct options *o);
/* Option C (getopt_long()'s value) with ARG into O: 0, or -1 with WHY,
 * the sentence, which spells the option DASH ("--" or "") NAME. */
int take_option(struct options *o, int c, const char *arg, const char *dash,
		char *why, size_t len);
/* O->config's settings into O: 0 (also when it is the default file and
 * absent, or NULL), or -1 with WHY ("FILE:LINE: ..."). */
int config_read(struct options *o, char *why, size_t len);
/* The command line into O, over what O holds: 0, 'h' for -h, or 2
 * after a message (the exit status of a usage error). */
int options_argv(int argc, char **argv, struct options *o);
/* The defaults, the config file, the command line over it, into O:
 * 0, 'h' for -h, or 2 after a message. */
int options_parse(int argc, char **argv, struct options *o);
/* SIGHUP: the config file again, the command line over it; the
 * run-time settings that changed applied, each said, and those that
 * need a restart named; RELOADING=1 and READY=1 around it. */
void options_reload(struct ebph *e);

/* ebph_delay.c: pH's delays (EBPH_DELAYS), the processes the kernel
 * stopped resumed.  delay_start() before the programs are attached;
 * delay_event() for each EBPH_EV_DELAY; delay_check() each turn of the
 * loop, and delay_timeout() (at most MAX_NS) until the next is due;
 * delay_release_all() once they are detached; delay_stop() last.
 * delay_recover(DIR), before a start removes the pins an ebph that was
 * killed left (DIR: their directory, checked): resumes what it had
 * stopped (how many). */
int delay_start(struct ebph *e);
void delay_event(struct ebph *e, const struct ebph_event *ev);
void delay_check(struct ebph *e);
__u64 delay_timeout(struct ebph *e, __u64 max_ns);
void delay_release_all(struct ebph *e, const char *why);
void delay_stop(struct ebph *e);
int delay_recover(int dir);

#endif /* EBPH_RUN_H */
