/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_cmd.h - the subcommands that work on a running ebph through the
 * maps it pins under /sys/fs/bpf/ebph (ebph_cmd.c, ebph_top.c).
 *
 * Each takes its own argv (argv[0] is the command's name) and returns the
 * exit status: 0, 1 on failure (one sentence on stderr), 2 for a bad
 * argument (with the usage).
 */
#ifndef EBPH_CMD_H
#define EBPH_CMD_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "ebph_maps.h"

int cmd_status(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_normalize(int argc, char **argv);
int cmd_sensitize(int argc, char **argv);
int cmd_tolerize(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_export(int argc, char **argv);		/* ebph_export.c */
int cmd_import(int argc, char **argv);

/* ---- for ebph_top.c, and for `ebph run` (ebph_user.c) ------------------- */

/* Root, the pins, and a live instance holding the lock: 0, or 1 with one
 * sentence on stderr (the exit status to return). */
int cmd_open(const char *cmd, struct ebph_maps *m);

/* A PROFILE on the command line (a key, an executable's path or name)
 * into *KEY, from the profiles in S: 0, or -ENOENT (none), -EEXIST
 * (more than one, listed) with one sentence on stderr, as command CMD. */
int cmd_resolve_profile(const char *cmd, struct ebph_snapshot *s, const char *arg,
			__u64 *key);

/* "training", "frozen" or "normal" (a normal profile that froze again,
 * to copy its train set once more, is still "normal"). */
const char *cmd_state_name(__u32 status);

/* The label of a profile: its executable's base name, escaped for text
 * (ebph_escape(); a LEN of a column's width + 1 cuts it after a whole
 * escape), else its key. */
const char *cmd_profile_name(const struct ebph_profile_rec *r, char *buf, size_t len);

/* "6d 23h", "3s", "250ms": the two largest units of NS. */
void cmd_fmt_duration(__u64 ns, char *buf, size_t len);

/* When frozen profile P becomes normal, for a NORMAL column 10 wide:
 * "in 6d 23h", "in 1s" (of 1s 995ms), "next call", or "-" if it is not
 * frozen. */
void cmd_fmt_normal_col(const struct ebph_profile *p, char *buf, size_t len);

/* A traced thread, as `ebph ps` and `ebph top` list it. */
struct cmd_task {
	__u32 pid, tid;			/* pid: its thread group's */
	__u64 profile, count;
	__u8 lfc, max_lfc;
};

/* Every traced thread, in the order of the tasks map, into *TASKS
 * (malloc'd, *N of them).  A thread that exits between the walk and its
 * lookup is left out; if memory runs out, the ones read so far are
 * kept.  0 or -errno. */
int cmd_read_tasks(const struct ebph_maps *m, struct cmd_task **tasks, size_t *n);

/* The changes a user can make to a profile, as the kernel makes them. */
enum cmd_action { ACT_NORMALIZE, ACT_SENSITIZE, ACT_TOLERIZE, ACT_DELETE };

/* Apply ACT to profile KEY; a sentence saying what was done goes into
 * MSG.  0, or -errno with the reason in MSG.  A change made is told to
 * the running ebph (cmd_audit()); if it did not take the notice, WARN
 * says so (else it is ""). */
int cmd_apply(const struct ebph_maps *m, __u64 key, enum cmd_action act,
	      char *msg, size_t len, char *warn, size_t wlen);

/*
 * ACT_DELETE of profile P (as read from the map) without the notice:
 * for `ebph run` itself, which recycles profiles (ebph_quota.c) and says
 * so in its own log.  SEQS_ON: the sequence detector runs (for MSG).
 * 0 when it is deleted (or was gone already), with *SEQ_ERR the -errno
 * of deleting its sequences, or 0; -errno if the profile stays.
 */
int cmd_delete_profile(const struct ebph_maps *m, const struct ebph_profile *p,
		       int seqs_on, char *msg, size_t len, int *seq_err);

/*
 * The audit trail: tell the running `ebph run` that COMMAND changed
 * TARGET from OLD to NEW ("" for none), for it to log with our uid and
 * PID (which the kernel attaches to the datagram) and SUDO_USER.  Sent
 * after the change is made; waits until the instance logged it.  0, or
 * -errno with a sentence in WARN: the change stands, unlogged.
 *
 * The notice, one datagram to EBPH_CONTROL_SOCK: EBPH_AUDIT_MAGIC, then
 * COMMAND, TARGET, OLD, NEW and SUDO_USER, each ended by a NUL.  The
 * answer, to the sender's autobound address: "ok".
 */
#define EBPH_AUDIT_MAGIC	"ebph-audit-1"
#define EBPH_AUDIT_MAX		4096	/* bytes in a notice */
int cmd_audit(const char *command, const char *target, const char *old,
	      const char *new, char *warn, size_t wlen);

/* The settings of the config map, by the names `ebph set` takes (and
 * two only `ebph run` sets), for the commands and the running ebph's
 * check that nothing else changed them. */
enum cmd_setting {
	SET_NORMAL_WAIT, SET_ANOMALY_LIMIT, SET_TOLERIZE_LIMIT,
	SET_MONITORING, SET_LOG_SEQUENCES, SET_DELAY_FACTOR,
	SET_ENFORCE, SET_EXECVE_LFC,
	SET_DETECTOR, SET_OFFSETS,	/* not by `ebph set` */
	SET_MAX
};
const char *cmd_setting_name(enum cmd_setting s);
/* The setting called NAME, or -1. */
int cmd_setting_find(const char *name);
/* Setting S of CFG in words, as `ebph set` takes it: "1d", "on", "8". */
void cmd_setting_fmt(const struct ebph_config *cfg, enum cmd_setting s,
		     char *buf, size_t len);
/* Setting S of SRC into DST. */
void cmd_setting_copy(struct ebph_config *dst, const struct ebph_config *src,
		      enum cmd_setting s);
/* Whether setting S differs between A and B. */
int cmd_setting_differs(const struct ebph_config *a, const struct ebph_config *b,
			enum cmd_setting s);

/* ---- what `ebph status` reads, for its text, JSON and metrics, and for
 * `ebph run --metrics` (ebph_metrics_file.c) ----------------------------- */

#include "ebph_state.h"		/* struct ebph_runstate */

/* The version `ebph version` prints, and the metrics' ebph_info: raised
 * with each release. */
#define EBPH_VERSION	"0.1.0"

/* What `ebph status` prints, read from the maps and the state file. */
struct status {
	struct ebph_runstate rs;
	int have_rs;
	__s64 uptime;			/* seconds, if have_rs */
	struct ebph_config cfg;
	__u64 calls, st[EBPH_STAT_MAX];
	long nprofiles, ntasks, nrows, nseqs;	/* < 0: -errno, unreadable */
	size_t by_state[3];		/* training, frozen, normal */
};

/* The one reading of the maps behind all of it: 0, or -1 when the
 * config or the profiles could not be read. */
int status_read(const struct ebph_maps *m, struct status *t);

/* T in the Prometheus text exposition format (ebph_metrics.c): every
 * metric ebph(8) lists, ebph_up 1. */
void metrics_print(FILE *f, const struct status *t);
/* The same for an ebph that stopped: ebph_up 0 and ebph_info. */
void metrics_print_down(FILE *f);

#endif /* EBPH_CMD_H */
