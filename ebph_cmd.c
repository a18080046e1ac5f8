// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_cmd.c - the subcommands that inspect and steer a running ebph:
 *
 *   status      what it does, its settings, how full its maps are
 *   ps          the processes (threads with -T) it traces
 *   profiles    every profile, with its state
 *   show        one profile and its lookahead pairs (or sequences)
 *   normalize, sensitize, tolerize, delete    change a profile
 *   save        make it save its profiles now
 *   set         change a setting
 *
 * They read and write the maps that `ebph run` pins under
 * /sys/fs/bpf/ebph, and the few files it keeps under /run (ebph_state.h).
 * None of them loads a BPF program.  Each change they make is told to
 * the running ebph, which logs it (cmd_audit()); each name a process or
 * a file chose is printed escaped (ebph_escape()).
 *
 * Writing maps the kernel is updating at the same moment: no lock is
 * shared with the BPF programs, and what makes that safe is which maps
 * a command writes, in what order, and under which lock (one writer per
 * field; test rows before the status that makes them used; the save
 * lock around delete; no task ever written back).  docs/DESIGN.md,
 * Sharing state with commands, goes through each map.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bpf_sys.h"
#include "ebph.h"
#include "ebph_cmd.h"
#include "ebph_log.h"
#include "ebph_maps.h"
#include "ebph_state.h"
#include "ebph_util.h"	/* clock_ns(), parse_duration(), ebph_parse_key() */
#include "profile_store.h"
#include "syscall_names.h"

#define NS	1000000000ULL

/* ---- shared helpers -------------------------------------------------- */

/*
 * getopt_long for command CMD whose only options are -h and, if JSON is
 * not NULL, -j (which sets *JSON), then exactly NARGS operands (-1: any
 * number).  Returns -1 to go on, else the exit status.
 */
static int help_json_only(int argc, char **argv, const char *cmd, const char *usage,
			  int nargs, int *json)
{
	static const struct option help_opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	}, json_opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, json ? "+hj" : "+h",
				json ? json_opts : help_opts, NULL)) != -1) {
		if (c == 'j') {
			*json = 1;
			continue;
		}
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		return ebph_try_help(cmd);	/* getopt_long() said why */
	}
	if (nargs >= 0 && argc - optind < nargs)
		return ebph_usage_error(cmd, "missing argument");
	if (nargs >= 0 && argc - optind > nargs)
		return ebph_usage_error(cmd, "unexpected argument '%s'", argv[optind + nargs]);
	return -1;
}

/* The same for a command whose only option is -h. */
static int only_help(int argc, char **argv, const char *cmd, const char *usage, int nargs)
{
	return help_json_only(argc, argv, cmd, usage, nargs, NULL);
}

int cmd_open(const char *cmd, struct ebph_maps *m)
{
	pid_t pid;

	if (geteuid() != 0)
		return ebph_error(cmd, "must run as root: the running ebph's maps are root's");
	if (ebph_maps_open_pinned(m, cmd))
		return 1;
	/* Pins outlive an ebph that was killed: then nobody updates them
	 * and nobody would notice a change made to them. */
	pid = ebph_instance_pid();
	if (pid == -ESRCH) {
		ebph_error(cmd, "no ebph is running (the pins in %s are stale, left by one that was killed); start one with 'sudo ebph'",
			   EBPH_PIN_DIR);
		ebph_maps_close(m);
		return 1;
	}
	return 0;
}

const char *cmd_state_name(__u32 status)
{
	if (status & EBPH_NORMAL)
		return "normal";
	if (status & EBPH_FROZEN)
		return "frozen";
	return "training";
}

const char *cmd_profile_name(const struct ebph_profile_rec *r, char *buf, size_t len)
{
	const char *base = strrchr(r->path, '/');

	if (r->path[0])
		ebph_escape(base ? base + 1 : r->path, buf, len);
	else
		/* A name, not the key column: in the 14 of `ebph ps`,
		 * the key's digits without the zeros in front, which
		 * every command takes back (ebph_parse_key()). */
		snprintf(buf, len, "%llx", (unsigned long long)r->prof.key);
	return buf;
}

void cmd_fmt_duration(__u64 ns, char *buf, size_t len)
{
	static const struct { const char *unit; __u64 ns; } units[] = {
		{ "w", 604800 * NS }, { "d", 86400 * NS }, { "h", 3600 * NS },
		{ "m", 60 * NS }, { "s", NS }, { "ms", 1000000 },
	};
	size_t i, n = sizeof(units) / sizeof(units[0]);

	for (i = 0; i < n - 1 && ns < units[i].ns; i++)
		;
	if (ns < units[n - 1].ns) {
		snprintf(buf, len, "0s");
	} else if (i + 1 < n && ns % units[i].ns >= units[i + 1].ns) {
		snprintf(buf, len, "%llu%s %llu%s",
			 (unsigned long long)(ns / units[i].ns), units[i].unit,
			 (unsigned long long)(ns % units[i].ns / units[i + 1].ns),
			 units[i + 1].unit);
	} else {
		snprintf(buf, len, "%llu%s", (unsigned long long)(ns / units[i].ns),
			 units[i].unit);
	}
}

/* ---- the audit trail ---------------------------------------------------- */

/*
 * Why a notice and an answer, not a line in a file of our own: the log
 * that matters is the running ebph's, which goes where its admin sent it
 * (a terminal, a file, syslog), and our uid and PID reach it from the
 * kernel (SCM_CREDENTIALS), not from what we claim.  We wait for the
 * answer so that `ebph run` reads our login uid in /proc while we still
 * exist, and so that "no instance logged it" is a fact, not a guess.
 * The answer must come from root and from the running ebph's PID: our
 * autobound address is abstract, and anyone could write to it.
 */
int cmd_audit(const char *command, const char *target, const char *old,
	      const char *new, char *warn, size_t wlen)
{
	const char *sudo = getenv("SUDO_USER");
	const char *field[] = { EBPH_AUDIT_MAGIC, command, target, old, new, sudo ? sudo : "" };
	struct sockaddr_un to = { .sun_family = AF_UNIX };
	sa_family_t autobind = AF_UNIX;
	char notice[EBPH_AUDIT_MAX], reply[16];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = reply, .iov_len = sizeof(reply) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &control, .msg_controllen = sizeof(control),
	};
	struct pollfd pfd = { .events = POLLIN };
	struct ucred *cred = NULL;
	struct cmsghdr *c;
	size_t used = 0, i, n;
	__u64 deadline;
	int one = 1, err = 0;
	ssize_t got;

	warn[0] = 0;
	for (i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
		n = strlen(field[i]) + 1;
		if (used + n > sizeof(notice)) {
			snprintf(warn, wlen, "the notice for the log is over %d bytes: not sent",
				 EBPH_AUDIT_MAX);
			return -E2BIG;
		}
		memcpy(notice + used, field[i], n);
		used += n;
	}
	pfd.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pfd.fd < 0 ||
	    bind(pfd.fd, (struct sockaddr *)&autobind, sizeof(autobind)) ||
	    setsockopt(pfd.fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) {
		err = -errno;
		snprintf(warn, wlen, "cannot make a socket to tell the running ebph: %s",
			 strerror(errno));
		goto out;
	}
	snprintf(to.sun_path, sizeof(to.sun_path), "%s", EBPH_CONTROL_SOCK);
	if (sendto(pfd.fd, notice, used, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) < 0) {
		err = -errno;
		snprintf(warn, wlen, "the running ebph did not take the notice (%s: %s): this change is not in its log",
			 EBPH_CONTROL_SOCK, strerror(errno));
		goto out;
	}
	/* A turn of its loop, or a save of every profile: seconds. */
	deadline = clock_ns(CLOCK_MONOTONIC) + 10 * NS;
	for (;;) {
		__u64 now = clock_ns(CLOCK_MONOTONIC);
		int r = now < deadline ? poll(&pfd, 1, (deadline - now) / 1000000 + 1) : 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r ? -errno : -ETIMEDOUT;
			snprintf(warn, wlen, "the running ebph did not answer within 10 s: this change may not be in its log");
			goto out;
		}
		mh.msg_controllen = sizeof(control);
		got = recvmsg(pfd.fd, &mh, MSG_DONTWAIT);
		if (got < 0)
			continue;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				cred = (struct ucred *)CMSG_DATA(c);
		if (cred && cred->uid == 0 && cred->pid == ebph_instance_pid() &&
		    got == 2 && !memcmp(reply, "ok", 2))
			break;		/* else not the answer: wait on */
		cred = NULL;
	}
out:
	if (pfd.fd >= 0)
		close(pfd.fd);
	return err;
}

/* ---- settings --------------------------------------------------------------- */

static const char *const setting_names[SET_MAX] = {
	[SET_NORMAL_WAIT] = "normal-wait", [SET_ANOMALY_LIMIT] = "anomaly-limit",
	[SET_TOLERIZE_LIMIT] = "tolerize-limit", [SET_MONITORING] = "monitoring",
	[SET_LOG_SEQUENCES] = "log-sequences", [SET_DELAY_FACTOR] = "delay-factor",
	[SET_ENFORCE] = "enforce", [SET_EXECVE_LFC] = "execve-lfc",
	[SET_DETECTOR] = "detector",
	[SET_OFFSETS] = "the rest (BTF offsets, owner quotas)",
};

const char *cmd_setting_name(enum cmd_setting s)
{
	return s < SET_MAX ? setting_names[s] : "?";
}

int cmd_setting_find(const char *name)
{
	int s;

	for (s = 0; s < SET_MAX; s++)
		if (!strcmp(name, setting_names[s]))
			return s;
	return -1;
}

void cmd_setting_fmt(const struct ebph_config *cfg, enum cmd_setting s,
		     char *buf, size_t len)
{
	static const struct { const char *unit; __u64 ns; } units[] = {
		{ "w", 604800 * NS }, { "d", 86400 * NS }, { "h", 3600 * NS },
		{ "m", 60 * NS }, { "s", NS }, { "ms", 1000000 }, { "us", 1000 },
		{ "ns", 1 },
	};
	__u64 v = s == SET_DELAY_FACTOR ? cfg->delay_factor : cfg->normal_wait;
	size_t i;

	switch (s) {
	case SET_NORMAL_WAIT:
	case SET_DELAY_FACTOR:
		/* Exact, as `ebph set` takes it: the audit trail's old value
		 * must be the one to set back. */
		for (i = v ? 0 : 4; v % units[i].ns; i++)
			;	/* 0 is "0s" */
		snprintf(buf, len, "%llu%s", (unsigned long long)(v / units[i].ns),
			 units[i].unit);
		break;
	case SET_ANOMALY_LIMIT:
		snprintf(buf, len, "%u", cfg->anomaly_limit);
		break;
	case SET_TOLERIZE_LIMIT:
		snprintf(buf, len, "%u", cfg->tolerize_limit);
		break;
	case SET_MONITORING:
		snprintf(buf, len, "%s", cfg->monitoring ? "on" : "off");
		break;
	case SET_LOG_SEQUENCES:
		snprintf(buf, len, "%s", cfg->log_sequences ? "on" : "off");
		break;
	case SET_ENFORCE:
		snprintf(buf, len, "%s", cfg->enforce ? "on" : "off");
		break;
	case SET_EXECVE_LFC:
		snprintf(buf, len, "%u", cfg->execve_lfc);
		break;
	case SET_DETECTOR:
		snprintf(buf, len, "%s", ebph_detectors_name(cfg->detectors));
		break;
	default:
		snprintf(buf, len, "offsets %u %u %u %u %u %u %u %u, owner-quota %u, users-max %u",
			 cfg->off_task_mm, cfg->off_mm_exe_file, cfg->off_file_inode,
			 cfg->off_inode_ino, cfg->off_inode_sb, cfg->off_sb_dev,
			 cfg->off_inode_uid, cfg->off_inode_nlink, cfg->owner_quota,
			 cfg->users_max);
	}
}

/* SET_OFFSETS is every byte of the config no other setting names, so
 * that a field added to struct ebph_config is watched without a word
 * here: the named ones are made equal, and the rest compared whole. */
static void named_from(struct ebph_config *dst, const struct ebph_config *src)
{
	int s;

	for (s = 0; s < SET_OFFSETS; s++)
		cmd_setting_copy(dst, src, s);
}

void cmd_setting_copy(struct ebph_config *dst, const struct ebph_config *src,
		      enum cmd_setting s)
{
	switch (s) {
	case SET_NORMAL_WAIT:	dst->normal_wait = src->normal_wait; break;
	case SET_ANOMALY_LIMIT:	dst->anomaly_limit = src->anomaly_limit; break;
	case SET_TOLERIZE_LIMIT: dst->tolerize_limit = src->tolerize_limit; break;
	case SET_MONITORING:	dst->monitoring = src->monitoring; break;
	case SET_LOG_SEQUENCES:	dst->log_sequences = src->log_sequences; break;
	case SET_DELAY_FACTOR:	dst->delay_factor = src->delay_factor; break;
	case SET_ENFORCE:	dst->enforce = src->enforce; break;
	case SET_EXECVE_LFC:	dst->execve_lfc = src->execve_lfc; break;
	case SET_DETECTOR:	dst->detectors = src->detectors; break;
	default: {
		struct ebph_config keep = *dst;

		*dst = *src;
		named_from(dst, &keep);
	}
	}
}

int cmd_setting_differs(const struct ebph_config *a, const struct ebph_config *b,
			enum cmd_setting s)
{
	switch (s) {
	case SET_NORMAL_WAIT:	return a->normal_wait != b->normal_wait;
	case SET_ANOMALY_LIMIT:	return a->anomaly_limit != b->anomaly_limit;
	case SET_TOLERIZE_LIMIT: return a->tolerize_limit != b->tolerize_limit;
	case SET_MONITORING:	return a->monitoring != b->monitoring;
	case SET_LOG_SEQUENCES:	return a->log_sequences != b->log_sequences;
	case SET_DELAY_FACTOR:	return a->delay_factor != b->delay_factor;
	case SET_ENFORCE:	return a->enforce != b->enforce;
	case SET_EXECVE_LFC:	return a->execve_lfc != b->execve_lfc;
	case SET_DETECTOR:	return a->detectors != b->detectors;
	default: {
		struct ebph_config x = *a;

		named_from(&x, b);
		return memcmp(&x, b, sizeof(x)) != 0;
	}
	}
}

/* When a frozen profile becomes normal: "in 6d 23h", or "next call". */
static void fmt_normal_in(const struct ebph_profile *p, char *buf, size_t len)
{
	__u64 now = clock_ns(CLOCK_BOOTTIME);
	char d[32];

	if (!(p->status & EBPH_FROZEN)) {
		snprintf(buf, len, "-");
	} else if (p->normal_time <= now) {
		snprintf(buf, len, "next call");
	} else {
		cmd_fmt_duration(p->normal_time - now, d, sizeof(d));
		snprintf(buf, len, "in %s", d);
	}
}

void cmd_fmt_normal_col(const struct ebph_profile *p, char *buf, size_t len)
{
	fmt_normal_in(p, buf, len);
	/* NORMAL is 10 wide: "in 1s 995ms" keeps its larger unit only,
	 * rather than push the next column out of line. */
	if (strlen(buf) > 10 && strrchr(buf, ' '))
		*strrchr(buf, ' ') = 0;
}

static __u64 stat_sum(const struct ebph_maps *m, __u32 idx, int ncpus)
{
	__u64 vals[ncpus > 0 ? ncpus : 1], sum = 0;
	int c;

	if (ncpus <= 0 || bpf_map_lookup(m->stats, &idx, vals))
		return 0;
	for (c = 0; c < ncpus; c++)
		sum += vals[c];
	return sum;
}

/* Rows of one profile and set, probed by call: 1024 lookups beat
 * walking a rows map of up to 262,144 keys.  ROWS[c] is malloc'd or
 * NULL.  Returns how many there are. */
static int read_rows(const struct ebph_maps *m, __u64 key, int set,
		     __u8 *rows[EBPH_NUM_CALLS])
{
	struct ebph_row_key rk = { .profile = key, .set = set };
	__u8 buf[EBPH_NUM_SYSCALLS];
	int c, n = 0;

	for (c = 0; c < EBPH_NUM_CALLS; c++) {
		rows[c] = NULL;
		rk.call = c;
		if (bpf_map_lookup(m->rows, &rk, buf))
			continue;
		rows[c] = malloc(EBPH_NUM_SYSCALLS);
		if (!rows[c])
			continue;
		memcpy(rows[c], buf, EBPH_NUM_SYSCALLS);
		n++;
	}
	return n;
}

static void free_rows(__u8 *rows[EBPH_NUM_CALLS])
{
	int c;

	for (c = 0; c < EBPH_NUM_CALLS; c++) {
		free(rows[c]);
		rows[c] = NULL;
	}
}

/*
 * The sequences of profile P, in one walk of the seqs map: a sequence is
 * a 64-bit word, so there is nothing to probe by as read_rows() does.
 * N[EBPH_TRAIN] and N[EBPH_TEST] count each set (a sequence may be in
 * both, as one element); elements in neither are left out, as a save
 * leaves them.  With LIST, the sequences of set SET go into *LIST
 * (malloc'd, *NLIST of them, for the caller to free).  0 or -errno.
 */
static int read_seqs(const struct ebph_maps *m, const struct ebph_profile *p,
		     long n[2], int set, __u64 **list, size_t *nlist)
{
	struct ebph_seq_key *keys;
	size_t nkeys, i;
	int err;

	n[EBPH_TRAIN] = n[EBPH_TEST] = 0;
	if (list) {
		*list = NULL;
		*nlist = 0;
	}
	err = bpf_map_keys(m->seqs, sizeof(*keys), (void **)&keys, &nkeys);
	if (err)
		return err;
	if (list && nkeys && !(*list = malloc(nkeys * sizeof(**list)))) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < nkeys; i++) {
		struct ebph_seq v;
		int in[2];

		if (keys[i].profile != p->key || bpf_map_lookup(m->seqs, &keys[i], &v))
			continue;
		in[EBPH_TRAIN] = ebph_seq_in_train(p, &v);
		in[EBPH_TEST] = ebph_seq_in_test(p, &v);
		n[EBPH_TRAIN] += in[EBPH_TRAIN];
		n[EBPH_TEST] += in[EBPH_TEST];
		if (list && in[set])
			(*list)[(*nlist)++] = keys[i].seq;
	}
	free(keys);
	return 0;
}

/* Whether profile P has a test set of sequences: it became normal while
 * the sequence detector ran (the kernel tests sequences only then). */
static int has_seq_test(const struct ebph_profile *p)
{
	return p->seq_test_to != p->seq_test_from;
}

/* ---- naming a profile ------------------------------------------------ */

/*
 * A PROFILE on the command line: a key in hex, an executable's path, or a
 * name (the base name of the executable, or what the kernel named it
 * before its path was known).  Prints why when it fails: -ENOENT for
 * none, -EEXIST for more than one (listing them).
 */
int cmd_resolve_profile(const char *cmd, struct ebph_snapshot *s, const char *arg,
			__u64 *key)
{
	struct ebph_profile_rec *hits[8];
	size_t i, n = 0, more = 0;
	struct stat st;
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	__u64 k;

	if (strchr(arg, '/')) {
		/* A path names a file, and the file's key is the profile.  A
		 * file that is gone or replaced still matches its recorded
		 * path. */
		if (!stat(arg, &st)) {
			__u64 k = ebph_profile_key(st.st_dev, st.st_ino);

			if (ebph_snapshot_find(s, k)) {
				*key = k;
				return 0;
			}
		}
		for (i = 0; i < s->n; i++)
			if (!strcmp(s->recs[i].path, arg)) {
				*key = s->recs[i].prof.key;
				return 0;
			}
		ebph_error(cmd, "no profile for %s", arg);
		return -ENOENT;
	}
	for (i = 0; i < s->n; i++) {
		struct ebph_profile_rec *r = &s->recs[i];
		const char *base = strrchr(r->path, '/');
		/* The name as it is, or as the listings print it escaped. */
		int match = (r->path[0] && !strcmp(base ? base + 1 : r->path, arg)) ||
			    !strcmp(cmd_profile_name(r, name, sizeof(name)), arg);

		/* "dd" is both a name and a key in hex: either may match. */
		if (!match && !ebph_parse_key(arg, &k))
			match = r->prof.key == k;
		if (!match)
			continue;
		if (n < sizeof(hits) / sizeof(hits[0]))
			hits[n++] = r;
		else
			more++;
	}
	if (n == 1) {
		*key = hits[0]->prof.key;
		return 0;
	}
	if (!n) {
		ebph_error(cmd, "no profile named '%s' (see 'ebph profiles')", arg);
		return -ENOENT;
	}
	ebph_error(cmd, "'%s' names %zu profiles; give the key or the path:", arg, n + more);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %016llx  %s\n", (unsigned long long)hits[i]->prof.key,
			hits[i]->path[0] ? ebph_escape(hits[i]->path, name, sizeof(name)) :
			"(no path)");
	if (more)
		fprintf(stderr, "  and %zu more\n", more);
	return -EEXIST;
}

/* The profile thread group PID runs: its leader's task, else any of its
 * threads (the leader may have exited before the others).  For CMD
 * --pid (show and the changes): 0, or -errno, said. */
static int profile_of_pid(const char *cmd, const struct ebph_maps *m, __u32 pid, __u64 *key)
{
	struct ebph_task t;
	__u32 *tids;
	size_t n, i;
	int err;

	if (!bpf_map_lookup(m->tasks, &pid, &t)) {
		*key = t.profile;
		return 0;
	}
	err = bpf_map_keys(m->tasks, sizeof(*tids), (void **)&tids, &n);
	if (err) {
		ebph_error(cmd, "cannot read the tasks map: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < n; i++)
		if (!bpf_map_lookup(m->tasks, &tids[i], &t) && t.pid == pid)
			break;
	free(tids);
	if (i < n) {
		*key = t.profile;
		return 0;
	}
	ebph_error(cmd, "PID %u is not traced (see 'ebph ps')", pid);
	return -ENOENT;
}

/* ---- ebph status ------------------------------------------------------ */

static const char status_usage[] =
"Usage: ebph status [-j | --prometheus] [-h]\n"
"What the running ebph is doing: monitoring on or off, its settings and\n"
"detectors, its profiles by state, the tasks it traces, the calls and\n"
"anomalies it saw, how full its maps are, and what it could not do\n"
"(events dropped, threads untraced, pairs or sequences unlearned).\n"
"\n"
"  -j, --json      the same as one JSON object (its fields: ebph(8))\n"
"      --prometheus  the counters in the Prometheus text format (ebph(8),\n"
"                  METRICS; ebph run --metrics keeps them in a file)\n"
"  -h, --help      this help\n"
"\n"
"Examples:\n"
"  sudo ebph status\n"
"  sudo ebph status --json | jq .anomalies\n"
"  sudo ebph status --prometheus | grep ^ebph_anomalies_total\n";

static void pct(char *buf, size_t len, long n, long max)
{
	if (n < 0)
		snprintf(buf, len, "unreadable (%s)", strerror(-n));
	else
		snprintf(buf, len, "%ld/%ld (%.1f%%)", n, max, max ? 100.0 * n / max : 0.0);
}

/* What `ebph run --detector` chose, in words after its name. */
static const char *detectors_does(__u32 det)
{
	switch (det) {
	case EBPH_DET_PAIRS:
		return "lookahead pairs, as pH";
	case EBPH_DET_SEQS:
		return "sequences of 6 calls, as STIDE";
	case EBPH_DET_PAIRS | EBPH_DET_SEQS:
		return "lookahead pairs and sequences of 6 calls";
	case EBPH_DET_SEQS | EBPH_DET_SEQS7:
		return "windows of 7 calls, as two sequences of 6";
	case 0:
		return "nothing is learned or tested";
	}
	return "detectors this ebph binary does not know";
}

int status_read(const struct ebph_maps *m, struct status *t)
{
	struct ebph_snapshot s;
	__u32 zero = 0, k;
	int ncpus = bpf_num_possible_cpus();
	size_t i;

	if (bpf_map_lookup(m->config, &zero, &t->cfg) || ebph_snapshot_read_profiles(m, &s))
		return -1;
	for (k = 0; k < EBPH_STAT_MAX; k++)
		t->st[k] = stat_sum(m, k, ncpus);
	t->ntasks = bpf_map_count(m->tasks, sizeof(__u32));
	t->nrows = bpf_map_count(m->rows, sizeof(struct ebph_row_key));
	/* Even with the detector off: sequences loaded from files, or kept
	 * by an earlier run, still fill the map. */
	t->nseqs = bpf_map_count(m->seqs, sizeof(struct ebph_seq_key));
	t->nprofiles = s.n;
	t->calls = 0;
	memset(t->by_state, 0, sizeof(t->by_state));
	for (i = 0; i < s.n; i++) {
		__u32 status = s.recs[i].prof.status;

		t->calls += s.recs[i].prof.count;
		t->by_state[status & EBPH_NORMAL ? 2 : status & EBPH_FROZEN ? 1 : 0]++;
	}
	ebph_snapshot_free(&s);
	t->have_rs = !ebph_state_read(&t->rs);
	t->uptime = t->have_rs ? time(NULL) - (__s64)t->rs.started : 0;
	return 0;
}

/* pH's delays: the factor, and the stops and resumes since the start. */
static void status_print_delays(const struct status *t)
{
	char a[64];

	if (!t->cfg.delay_factor) {
		printf("%-12s off ('ebph set delay-factor TIME'), %llu delayed since the start\n",
		       "delays", (unsigned long long)t->st[EBPH_STAT_DELAYS]);
		return;
	}
	cmd_setting_fmt(&t->cfg, SET_DELAY_FACTOR, a, sizeof(a));
	printf("%-12s delay-factor %s (2^LFC x %s a call, at most 1 s), %llu delayed\n",
	       "delays", a, a, (unsigned long long)t->st[EBPH_STAT_DELAYS]);
	if (t->have_rs)
		printf("%-12s %llu resumed, %llu left stopped (another stop pending)\n", "",
		       (unsigned long long)t->rs.delays_resumed,
		       (unsigned long long)t->rs.delays_left);
}

/* The instance, its settings, and what it has seen. */
static void status_print_activity(const struct status *t)
{
	char a[64], when[32];

	if (t->have_rs) {
		time_t started = t->rs.started;
		struct tm tm;

		localtime_r(&started, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		cmd_fmt_duration(t->uptime * NS, a, sizeof(a));
		printf("%-12s PID %d, up %s (since %s)\n", "ebph", t->rs.pid, a, when);
	}
	printf("%-12s %s\n", "monitoring", t->cfg.monitoring ? "on" :
	       "off: system calls are not traced ('ebph set monitoring on')");
	printf("%-12s %s, execve-lfc %u: %llu execs refused\n", "enforce",
	       t->cfg.enforce ? "on: execve fails (EPERM) for a normal profile's task at that LFC" :
	       "off ('ebph set enforce on')", t->cfg.execve_lfc,
	       (unsigned long long)t->st[EBPH_STAT_EXEC_REFUSED]);
	cmd_fmt_duration(t->cfg.normal_wait, a, sizeof(a));
	printf("%-12s normal-wait %s, anomaly-limit %u, tolerize-limit %u,\n"
	       "%-12s log-sequences %s\n", "settings", a, t->cfg.anomaly_limit,
	       t->cfg.tolerize_limit, "", t->cfg.log_sequences ? "on" : "off");
	printf("%-12s %s: %s\n", "detector", ebph_detectors_name(t->cfg.detectors),
	       detectors_does(t->cfg.detectors));
	printf("%-12s %ld: %zu training, %zu frozen, %zu normal\n", "profiles",
	       t->nprofiles, t->by_state[0], t->by_state[1], t->by_state[2]);
	printf("%-12s %ld traced\n", "tasks", t->ntasks);
	printf("%-12s %llu seen by the profiles\n", "calls", (unsigned long long)t->calls);
	printf("%-12s %llu since ebph started\n", "anomalies",
	       (unsigned long long)t->st[EBPH_STAT_ANOMALIES]);
	status_print_delays(t);
}

/* How full the maps are. */
static void status_print_fill(const struct status *t)
{
	char a[64], b[64], c[64], d[64];

	pct(a, sizeof(a), t->nprofiles, EBPH_MAX_PROFILES);
	pct(b, sizeof(b), t->ntasks, EBPH_MAX_TASKS);
	pct(c, sizeof(c), t->nrows, EBPH_MAX_ROWS);
	pct(d, sizeof(d), t->nseqs, EBPH_MAX_SEQS);
	printf("%-12s profiles %s, tasks %s,\n%-12s rows %s, seqs %s\n", "map fill",
	       a, b, "", c, d);
	printf("%-12s %.1f KiB of lookahead pairs (%ld rows x %d bytes)\n", "memory",
	       t->nrows * (double)EBPH_NUM_SYSCALLS / 1024, t->nrows, EBPH_NUM_SYSCALLS);
}

/* What it could not do, from the kernel's counters. */
static void status_print_losses(const __u64 st[EBPH_STAT_MAX],
				const struct ebph_config *cfg)
{
	/* Each lost event once: where the kernel found the ring full (the
	 * ring's own count of lost records is the same events). */
	printf("%-12s %llu dropped: a perf ring was full, not in the log\n", "events",
	       (unsigned long long)st[EBPH_STAT_EVENT_DROPS]);
	printf("%-12s %llu threads (tasks map full), %llu threads (executable unreadable)\n",
	       "untraced", (unsigned long long)st[EBPH_STAT_TASKS_FULL],
	       (unsigned long long)st[EBPH_STAT_KEY_ERRORS]);
	printf("%-12s %llu executables (profiles map full), %llu pairs (rows map full),\n"
	       "%-12s %llu sequences (seqs map full)\n",
	       "unlearned", (unsigned long long)st[EBPH_STAT_PROFILES_FULL],
	       (unsigned long long)st[EBPH_STAT_ROWS_FULL], "",
	       (unsigned long long)st[EBPH_STAT_SEQS_FULL]);
	printf("%-12s %llu executables not profiled: their owner was over the quota\n",
	       "quota", (unsigned long long)st[EBPH_STAT_OWNER_QUOTA]);
	printf("%-12s %llu calls numbered %d or more, %llu x32 calls\n", "skipped",
	       (unsigned long long)st[EBPH_STAT_BIG_CALL], EBPH_NR_LIMIT,
	       (unsigned long long)st[EBPH_STAT_X32]);
	printf("%-12s %llu of files with no name (memfd, deleted): never tested\n", "execs",
	       (unsigned long long)st[EBPH_STAT_UNNAMED_EXEC]);
	printf("%-12s %llu requests, not system calls: not analyzed\n", "io_uring",
	       (unsigned long long)st[EBPH_STAT_IO_URING]);
	printf("%-12s handler frames %s, %llu overflows (deeper than %d, or siglongjmp)\n",
	       "signals", cfg->signal_frames ? "on" : "off",
	       (unsigned long long)st[EBPH_STAT_FRAMES_FULL], EBPH_FRAMES);
}

/* Its saves, from its state file. */
static void status_print_saves(const struct ebph_runstate *rs)
{
	if (!rs->saving)
		printf("%-12s none: started with --no-save\n", "saves");
	else if (!rs->saves)
		printf("%-12s none yet, to %s\n", "saves", rs->profile_dir);
	else
		printf("%-12s %llu; the last wrote %llu profiles%s to %s\n", "saves",
		       (unsigned long long)rs->saves, (unsigned long long)rs->saved,
		       rs->save_failed ? " (some failed)" : "", rs->profile_dir);
}

/* A count N in JSON: null if it could not be read (N < 0). */
static void json_count(long long n)
{
	if (n < 0)
		printf("null");
	else
		printf("%lld", n);
}

/* A map's fill: "NAME":{"used":N,"max":MAX}. */
static void json_fill(const char *name, long n, long max)
{
	printf("\"%s\":{\"used\":", name);
	json_count(n);
	printf(",\"max\":%ld}", max);
}

/* All the text prints, as one JSON object. */
static void status_print_json(const struct status *t)
{
	const __u64 *st = t->st;

	if (t->have_rs) {
		printf("{\"pid\":%d,\"started\":", t->rs.pid);
		ebph_json_time(stdout, t->rs.started * NS);
		printf(",\"uptime_s\":%lld", (long long)t->uptime);
	} else {
		printf("{\"pid\":null,\"started\":null,\"uptime_s\":null");
	}
	printf(",\"monitoring\":%s,\"settings\":{\"normal_wait_ns\":%llu,"
	       "\"anomaly_limit\":%u,\"tolerize_limit\":%u,\"log_sequences\":%s}",
	       t->cfg.monitoring ? "true" : "false", (unsigned long long)t->cfg.normal_wait,
	       t->cfg.anomaly_limit, t->cfg.tolerize_limit,
	       t->cfg.log_sequences ? "true" : "false");
	printf(",\"enforce\":{\"enabled\":%s,\"execve_lfc\":%u,\"refused\":%llu}",
	       t->cfg.enforce ? "true" : "false", t->cfg.execve_lfc,
	       (unsigned long long)st[EBPH_STAT_EXEC_REFUSED]);
	printf(",\"detector\":\"%s\"", ebph_detectors_name(t->cfg.detectors));
	printf(",\"profiles\":{\"total\":%ld,\"training\":%zu,\"frozen\":%zu,\"normal\":%zu}",
	       t->nprofiles, t->by_state[0], t->by_state[1], t->by_state[2]);
	printf(",\"tasks\":");
	json_count(t->ntasks);
	printf(",\"calls\":%llu,\"anomalies\":%llu,\"maps\":{",
	       (unsigned long long)t->calls, (unsigned long long)st[EBPH_STAT_ANOMALIES]);
	json_fill("profiles", t->nprofiles, EBPH_MAX_PROFILES);
	putchar(',');
	json_fill("tasks", t->ntasks, EBPH_MAX_TASKS);
	putchar(',');
	json_fill("rows", t->nrows, EBPH_MAX_ROWS);
	putchar(',');
	json_fill("seqs", t->nseqs, EBPH_MAX_SEQS);
	printf("},\"pair_bytes\":");
	json_count(t->nrows < 0 ? -1 : (long long)t->nrows * EBPH_NUM_SYSCALLS);
	printf(",\"events_dropped\":%llu,\"untraced\":{\"tasks_full\":%llu,\"key_errors\":%llu}",
	       (unsigned long long)st[EBPH_STAT_EVENT_DROPS],
	       (unsigned long long)st[EBPH_STAT_TASKS_FULL],
	       (unsigned long long)st[EBPH_STAT_KEY_ERRORS]);
	printf(",\"unlearned\":{\"profiles_full\":%llu,\"rows_full\":%llu,\"seqs_full\":%llu,"
	       "\"owner_quota\":%llu}",
	       (unsigned long long)st[EBPH_STAT_PROFILES_FULL],
	       (unsigned long long)st[EBPH_STAT_ROWS_FULL],
	       (unsigned long long)st[EBPH_STAT_SEQS_FULL],
	       (unsigned long long)st[EBPH_STAT_OWNER_QUOTA]);
	printf(",\"skipped\":{\"big_calls\":%llu,\"x32_calls\":%llu}",
	       (unsigned long long)st[EBPH_STAT_BIG_CALL], (unsigned long long)st[EBPH_STAT_X32]);
	printf(",\"signal_frames\":{\"enabled\":%s,\"overflows\":%llu}",
	       t->cfg.signal_frames ? "true" : "false",
	       (unsigned long long)st[EBPH_STAT_FRAMES_FULL]);
	printf(",\"delays\":{\"delay_factor_ns\":%llu,\"delayed\":%llu,\"resumed\":",
	       (unsigned long long)t->cfg.delay_factor, (unsigned long long)st[EBPH_STAT_DELAYS]);
	json_count(t->have_rs ? (long long)t->rs.delays_resumed : -1);
	printf(",\"left_stopped\":");
	json_count(t->have_rs ? (long long)t->rs.delays_left : -1);
	putchar('}');
	printf(",\"unnamed_execs\":%llu,\"io_uring_requests\":%llu,\"saves\":",
	       (unsigned long long)st[EBPH_STAT_UNNAMED_EXEC],
	       (unsigned long long)st[EBPH_STAT_IO_URING]);
	if (t->have_rs) {
		printf("{\"enabled\":%s,\"count\":%llu,\"last_saved\":%llu,"
		       "\"last_failed\":%llu,\"profile_dir\":", t->rs.saving ? "true" : "false",
		       (unsigned long long)t->rs.saves, (unsigned long long)t->rs.saved,
		       (unsigned long long)t->rs.save_failed);
		ebph_json_str(stdout, t->rs.profile_dir);
		putchar('}');
	} else {
		printf("null");
	}
	printf("}\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ 0 }
	};
	struct status t;
	struct ebph_maps m;
	int c, json = 0, prom = 0;

	while ((c = getopt_long(argc, argv, "+hj", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(status_usage, stdout);
			return 0;
		}
		if (c == 'j')
			json = 1;
		else if (c == 'P')
			prom = 1;
		else
			return ebph_try_help("status");	/* getopt_long() said why */
	}
	if (optind < argc)
		return ebph_usage_error("status", "unexpected argument '%s'", argv[optind]);
	if (json && prom)
		return ebph_usage_error("status", "--json or --prometheus, not both");
	if (cmd_open("status", &m))
		return 1;
	if (status_read(&m, &t)) {
		ebph_error("status", "cannot read the running ebph's maps");
		ebph_maps_close(&m);
		return 1;
	}
	if (json) {
		status_print_json(&t);
	} else if (prom) {
		metrics_print(stdout, &t);
	} else {
		status_print_activity(&t);
		status_print_fill(&t);
		status_print_losses(t.st, &t.cfg);
		if (t.have_rs)
			status_print_saves(&t.rs);
	}
	ebph_maps_close(&m);
	return 0;
}

/* ---- ebph ps ---------------------------------------------------------- */

static const char ps_usage[] =
"Usage: ebph ps [-T] [-j] [-h]\n"
"The processes the running ebph traces, one line each (-T: one per\n"
"thread).\n"
"\n"
"  -T, --threads   one line per thread, with its TID\n"
"  -j, --json      the same as one JSON object (its fields: ebph(8))\n"
"  -h, --help      this help\n"
"\n"
"Columns: CALLS the calls it made while traced; LFC its locality frame\n"
"count (anomalous calls among its last 128) and MAX the highest it\n"
"reached (for a process: the highest of its threads); ANOM the anomalies\n"
"of its profile since that became normal.\n"
"\n"
"Examples:\n"
"  sudo ebph ps\n"
"  sudo ebph ps -T --json\n";

static int cmp_ps(const void *a, const void *b)
{
	const struct cmd_task *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The thread group of TID from /proc, for a task forked but not yet
 * seen making a call (the kernel cannot tell it from a thread). */
static __u32 tgid_of(__u32 tid)
{
	char path[64], line[128];
	__u32 tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* Its comm as it set it, into COMM; -1 if it exited meanwhile. */
static int read_comm(__u32 pid, __u32 tid, int thread, char comm[64])
{
	char path[64];
	ssize_t n;
	int fd;

	if (thread)
		snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, comm, 63) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	/* The kernel's newline ends it; one inside is the process's. */
	if (comm[n - 1] == '\n')
		n--;
	comm[n] = 0;
	return 0;
}

int cmd_read_tasks(const struct ebph_maps *m, struct cmd_task **tasks, size_t *n)
{
	size_t cap = 0, k, ntids;
	__u32 *tids;
	int err;

	*tasks = NULL;
	*n = 0;
	err = bpf_map_keys(m->tasks, sizeof(*tids), (void **)&tids, &ntids);
	if (err)
		return err;
	for (k = 0; k < ntids; k++) {
		__u32 tid = tids[k];
		struct ebph_task t;

		if (bpf_map_lookup(m->tasks, &tid, &t))
			continue;	/* exited meanwhile */
		if (*n == cap) {
			void *p = realloc(*tasks, (cap = cap ? 2 * cap : 256) * sizeof(**tasks));

			if (!p)
				break;
			*tasks = p;
		}
		(*tasks)[(*n)++] = (struct cmd_task){
			.pid = t.pid ? t.pid : tgid_of(tid), .tid = tid,
			.profile = t.profile, .count = t.count,
			.lfc = t.lfc, .max_lfc = t.max_lfc,
		};
	}
	free(tids);
	return 0;
}

/* One line: R, a thread or (THREADS off) a process. */
static void ps_line(const struct cmd_task *r, struct ebph_snapshot *s, int threads)
{
	struct ebph_profile_rec *p = ebph_snapshot_find(s, r->profile);
	char raw[64], comm[16], name[15];	/* the columns' widths, escaped */
	char pc[64], pn[64];			/* the same, padded */

	if (read_comm(r->pid, r->tid, threads, raw))
		snprintf(comm, sizeof(comm), "-");	/* exited meanwhile */
	else
		ebph_escape(raw, comm, sizeof(comm));
	if (p)
		cmd_profile_name(p, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "%llx", (unsigned long long)r->profile);	/* as cmd_profile_name() */
	if (threads)
		printf("%7u %7u ", r->pid, r->tid);
	else
		printf("%7u ", r->pid);
	/* Padded by what a terminal shows: no name shifts the columns. */
	printf("%s %s %-8s %9llu %3u %3u %5u\n", ebph_pad(comm, 15, pc, sizeof(pc)),
	       ebph_pad(name, 14, pn, sizeof(pn)), p ? cmd_state_name(p->prof.status) : "-",
	       (unsigned long long)r->count, r->lfc, r->max_lfc,
	       p ? p->prof.anomalies : 0);
}

/* The N ROWS, sorted by PID (cmp_ps()), made one per process in
 * place: a process is its threads summed, its LFC the worst one.
 * Returns how many processes there are. */
static size_t ps_group(struct cmd_task *rows, size_t n)
{
	size_t i, j, out = 0;

	for (i = 0; i < n; i = j) {
		struct cmd_task r = rows[i];

		for (j = i + 1; j < n && rows[j].pid == r.pid; j++) {
			r.count += rows[j].count;
			if (rows[j].lfc > r.lfc)
				r.lfc = rows[j].lfc;
			if (rows[j].max_lfc > r.max_lfc)
				r.max_lfc = rows[j].max_lfc;
		}
		rows[out++] = r;
	}
	return out;
}

/* The table: a line for each of the N ROWS, threads or processes. */
static void ps_print(const struct cmd_task *rows, size_t n, struct ebph_snapshot *s,
		     int threads)
{
	size_t i;

	if (threads)
		printf("%7s %7s %-15s %-14s %-8s %9s %3s %3s %5s\n", "PID", "TID",
		       "COMM", "PROFILE", "STATE", "CALLS", "LFC", "MAX", "ANOM");
	else
		printf("%7s %-15s %-14s %-8s %9s %3s %3s %5s\n", "PID",
		       "COMM", "PROFILE", "STATE", "CALLS", "LFC", "MAX", "ANOM");
	for (i = 0; i < n; i++)
		ps_line(&rows[i], s, threads);
}

/* The same rows as one JSON object: {"processes":[...]}, or with
 * THREADS {"threads":[...]}, each with its TID. */
static void ps_print_json(const struct cmd_task *rows, size_t n, struct ebph_snapshot *s,
			  int threads)
{
	size_t i;

	printf("{\"%s\":[", threads ? "threads" : "processes");
	for (i = 0; i < n; i++) {
		const struct cmd_task *r = &rows[i];
		struct ebph_profile_rec *p = ebph_snapshot_find(s, r->profile);
		char comm[64];

		printf("%s{\"pid\":%u", i ? "," : "", r->pid);
		if (threads)
			printf(",\"tid\":%u", r->tid);
		printf(",\"comm\":");
		ebph_json_str(stdout, read_comm(r->pid, r->tid, threads, comm) ? NULL : comm);
		printf(",\"profile\":\"%016llx\",\"executable\":", (unsigned long long)r->profile);
		ebph_json_str(stdout, p && p->path[0] ? p->path : NULL);
		printf(",\"state\":");
		ebph_json_str(stdout, p ? cmd_state_name(p->prof.status) : NULL);
		printf(",\"calls\":%llu,\"lfc\":%u,\"max_lfc\":%u,\"anomalies\":",
		       (unsigned long long)r->count, r->lfc, r->max_lfc);
		if (p)
			printf("%u}", p->prof.anomalies);
		else
			printf("null}");
	}
	printf("]}\n");
}

int cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "threads", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cmd_task *rows;
	struct ebph_snapshot s;
	struct ebph_maps m;
	int c, threads = 0, json = 0, err;
	size_t n;

	while ((c = getopt_long(argc, argv, "Ttjh", longopts, NULL)) != -1) {
		switch (c) {
		case 'T':
			threads = 1;
			break;
		case 't':
			return ebph_option_moved("ps", c, "-T (--threads)");
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(ps_usage, stdout);
			return 0;
		default:
			return ebph_try_help("ps");
		}
	}
	if (optind < argc)
		return ebph_usage_error("ps", "unexpected argument '%s'", argv[optind]);
	if (cmd_open("ps", &m))
		return 1;
	if (ebph_snapshot_read_profiles(&m, &s)) {
		ebph_error("ps", "cannot read the running ebph's profiles");
		ebph_maps_close(&m);
		return 1;
	}
	err = cmd_read_tasks(&m, &rows, &n);
	if (err) {
		ebph_error("ps", "cannot read the tasks map: %s", strerror(-err));
	} else {
		qsort(rows, n, sizeof(*rows), cmp_ps);
		if (!threads)
			n = ps_group(rows, n);
		if (json)
			ps_print_json(rows, n, &s, threads);
		else
			ps_print(rows, n, &s, threads);
	}
	free(rows);
	ebph_snapshot_free(&s);
	ebph_maps_close(&m);
	return err ? 1 : 0;
}

/* ---- ebph profiles ---------------------------------------------------- */

static const char profiles_usage[] =
"Usage: ebph profiles [-W] [-j] [-h]\n"
"Every profile of the running ebph, by executable.\n"
"\n"
"  -W, --wide      do not shorten long paths to fit 80 columns\n"
"  -j, --json      the same as one JSON object (its fields: ebph(8))\n"
"  -h, --help      this help\n"
"\n"
"Columns: TRAIN calls trained on since the last reset; STABLE calls since\n"
"it last learned a new pair (3/4 of TRAIN freezes it); ANOM anomalies\n"
"since it became normal; NORMAL when a frozen profile becomes normal.\n"
"\n"
"Examples:\n"
"  sudo ebph profiles -W\n"
"  sudo ebph profiles --json | jq '.profiles[] | select(.state == \"normal\")'\n";

static int cmp_by_path(const void *a, const void *b)
{
	const struct ebph_profile_rec *x = a, *y = b;
	int d = strcmp(x->path, y->path);

	if (d)
		return d;
	return x->prof.key < y->prof.key ? -1 : x->prof.key > y->prof.key;
}

/* The table of the profiles in S, long paths cut unless WIDE. */
static void profiles_print(const struct ebph_snapshot *s, int wide)
{
	size_t i;

	printf("%-16s %-8s %8s %8s %4s %-10s %s\n", "KEY", "STATE", "TRAIN",
	       "STABLE", "ANOM", "NORMAL", "EXECUTABLE");
	for (i = 0; i < s->n; i++) {
		const struct ebph_profile *p = &s->recs[i].prof;
		const char *raw = s->recs[i].path[0] ? s->recs[i].path : "?";
		char when[32], path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
		size_t room = 79 - 60, j;	/* 60: the columns before */

		cmd_fmt_normal_col(p, when, sizeof(when));
		printf("%016llx %-8s %8llu %8llu %4u %-10s ", (unsigned long long)p->key,
		       cmd_state_name(p->status), (unsigned long long)p->train_count,
		       (unsigned long long)p->last_mod_count, p->anomalies, when);
		/* Keep the end of a long path: the name is what tells them
		 * apart.  Its escaped form is what must fit (in columns of
		 * the terminal, ebph_width()), cut before a whole character
		 * of the path. */
		ebph_escape(raw, path, sizeof(path));
		for (j = 1; !wide && (size_t)ebph_width(path) > room && raw[j]; j++) {
			if (((unsigned char)raw[j] & 0xc0) == 0x80)
				continue;	/* inside a UTF-8 character */
			memcpy(path, "...", 3);
			ebph_escape(raw + j, path + 3, sizeof(path) - 3);
		}
		printf("%s\n", path);
	}
}

/*
 * The members of profile R in JSON, as `profiles --json` and `show
 * --json` give them: what the text's columns and summary lines say, the
 * time a frozen profile becomes normal as a time (CLOCK_REALTIME;
 * BOOT_TO_REAL converts the kernel's CLOCK_BOOTTIME).
 */
static void json_profile(const struct ebph_profile_rec *r, __s64 boot_to_real)
{
	const struct ebph_profile *p = &r->prof;

	printf("\"profile\":\"%016llx\",\"executable\":", (unsigned long long)p->key);
	ebph_json_str(stdout, r->path[0] ? r->path : NULL);
	printf(",\"state\":\"%s\",\"normal_at\":", cmd_state_name(p->status));
	if (p->status & EBPH_FROZEN)
		ebph_json_time(stdout, p->normal_time + boot_to_real);
	else
		printf("null");
	printf(",\"train_calls\":%llu,\"stable_calls\":%llu,\"calls\":%llu,\"anomalies\":%u",
	       (unsigned long long)p->train_count, (unsigned long long)p->last_mod_count,
	       (unsigned long long)p->count, p->anomalies);
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME, in ns. */
static __s64 boot_to_real(void)
{
	return (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
}

/* The profiles in S as one JSON object: {"profiles":[...]}. */
static void profiles_print_json(const struct ebph_snapshot *s)
{
	__s64 b2r = boot_to_real();
	size_t i;

	printf("{\"profiles\":[");
	for (i = 0; i < s->n; i++) {
		printf("%s{", i ? "," : "");
		json_profile(&s->recs[i], b2r);
		putchar('}');
	}
	printf("]}\n");
}

int cmd_profiles(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wide", no_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct ebph_snapshot s;
	struct ebph_maps m;
	int c, wide = 0, json = 0;

	while ((c = getopt_long(argc, argv, "Wwjh", longopts, NULL)) != -1) {
		switch (c) {
		case 'W':
			wide = 1;
			break;
		case 'w':	/* -w is --normal-wait */
			return ebph_option_moved("profiles", c, "-W (--wide)");
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(profiles_usage, stdout);
			return 0;
		default:
			return ebph_try_help("profiles");
		}
	}
	if (optind < argc)
		return ebph_usage_error("profiles", "unexpected argument '%s'", argv[optind]);
	if (cmd_open("profiles", &m))
		return 1;
	if (ebph_snapshot_read_profiles(&m, &s)) {
		ebph_error("profiles", "cannot read the running ebph's profiles");
		ebph_maps_close(&m);
		return 1;
	}
	/* The snapshot is sorted by key for lookups; people look by name. */
	qsort(s.recs, s.n, sizeof(*s.recs), cmp_by_path);
	if (json)
		profiles_print_json(&s);
	else
		profiles_print(&s, wide);
	ebph_snapshot_free(&s);
	ebph_maps_close(&m);
	return 0;
}

/* ---- ebph show -------------------------------------------------------- */

static const char show_usage[] =
"Usage: ebph show [--test] [--seqs] [-j] PROFILE\n"
"       ebph show [--test] [--seqs] [-j] --pid PID\n"
"A profile of the running ebph and its lookahead pairs: one line per pair\n"
"of calls (CALL, and PREVIOUS made before it) with the distances at which\n"
"PREVIOUS came before CALL, 1 to 8: \"1.3.....\" means 1 and 3 calls before.\n"
"\n"
"      --test      the test set (the copy taken when the profile became\n"
"                  normal) instead of the train set\n"
"      --seqs      its sequences of 6 calls (ebph run --detector seqs or\n"
"                  both) instead of its pairs: one per line, the oldest\n"
"                  call first, \"-\" for a slot before the program's first\n"
"  -j, --json      the same as one JSON object (its fields: ebph(8))\n"
"  -p, --pid PID   the profile that process PID runs\n"
"  -h, --help      this help\n"
"\n"
"PROFILE is a key in hex, an executable's path, or its name.\n"
"\n"
"Examples:\n"
"  sudo ebph show /usr/bin/ls\n"
"  sudo ebph show --pid \"$(pidof -s sshd)\"\n"
"  sudo ebph show --test ls\n"
"  sudo ebph show --seqs ls\n"
"  sudo ebph show --json ls | jq '.pairs | length'\n";

/* The order sequences are listed in: by their calls, the oldest first, so
 * that those that begin alike stand together; an empty slot (before the
 * program's first call) sorts before every call. */
static __u64 seq_order(__u64 seq)
{
	__u64 k = 0;
	int i;

	for (i = EBPH_SEQ_CALLS - 1; i >= 0; i--) {
		__u32 c = ebph_seq_call(seq, i);

		k = k << 10 | (c == EBPH_EMPTY ? 0 : c + 1);
	}
	return k;
}

static int cmp_seq(const void *a, const void *b)
{
	__u64 x = seq_order(*(const __u64 *)a), y = seq_order(*(const __u64 *)b);

	return x < y ? -1 : x > y;
}

/* What resets "since the last new ..." with detectors DET. */
static const char *learned_what(__u32 det)
{
	if (!(det & EBPH_DET_PAIRS) && (det & EBPH_DET_SEQS))
		return "sequence";
	if (det & EBPH_DET_SEQS)
		return "pair or sequence";
	return "pair";
}

/* --pid ARG of command CMD into *PID: -1 to go on, else the exit status. */
static int parse_pid(const char *cmd, const char *arg, long *pid)
{
	char *end;

	errno = 0;
	*pid = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *pid <= 0 || *pid > 0x3fffffff)
		return ebph_usage_error(cmd, "invalid PID '%s'", arg);
	return -1;
}

/* CMD's operand: a PROFILE, or --pid PID (not 0) instead: -1 to go on,
 * else the exit status. */
static int one_profile(const char *cmd, int argc, long pid)
{
	if (pid && argc != optind)
		return ebph_usage_error(cmd, "a PROFILE or --pid, not both");
	if (!pid && argc == optind)
		return ebph_usage_error(cmd, "which profile?");
	if (!pid && argc - optind > 1)
		return ebph_usage_error(cmd, "one profile at a time");
	return -1;
}

/* The options: -1 to go on (the profile at argv[optind], or *PID), else
 * the exit status.  -t and -s were --test and --seqs: they are --train
 * and --save-interval now. */
static int show_options(int argc, char **argv, int *set, int *list_seqs, int *json,
			long *pid)
{
	enum { OPT_TEST = 256, OPT_SEQS };
	static const struct option longopts[] = {
		{ "test", no_argument, NULL, OPT_TEST },
		{ "seqs", no_argument, NULL, OPT_SEQS },
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "tsjp:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TEST:
			*set = EBPH_TEST;
			break;
		case OPT_SEQS:
			*list_seqs = 1;
			break;
		case 't':
			return ebph_option_moved("show", c, "--test");
		case 's':
			return ebph_option_moved("show", c, "--seqs");
		case 'j':
			*json = 1;
			break;
		case 'p':
			if ((rc = parse_pid("show", optarg, pid)) >= 0)
				return rc;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			return ebph_try_help("show");
		}
	}
	return one_profile("show", argc, *pid);
}

/* The profile's lines before its pairs or sequences: NROWS rows and
 * NSEQS sequences in each set, under detectors DET. */
static void show_summary(const struct ebph_profile_rec *r, __u32 det,
			 const int nrows[2], const long nseqs[2])
{
	char a[64], name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];

	printf("%-11s %s (%016llx)\n", "profile", cmd_profile_name(r, name, sizeof(name)),
	       (unsigned long long)r->prof.key);
	printf("%-11s %s\n", "executable",
	       r->path[0] ? ebph_escape(r->path, name, sizeof(name)) : "unknown");
	fmt_normal_in(&r->prof, a, sizeof(a));
	printf("%-11s %s%s%s\n", "state", cmd_state_name(r->prof.status),
	       r->prof.status & EBPH_FROZEN ? ", normal " : "",
	       r->prof.status & EBPH_FROZEN ? a : "");
	printf("%-11s %llu calls, %llu since the last new %s\n", "training",
	       (unsigned long long)r->prof.train_count,
	       (unsigned long long)r->prof.last_mod_count, learned_what(det));
	printf("%-11s %llu in all\n", "calls", (unsigned long long)r->prof.count);
	printf("%-11s %u since it became normal\n", "anomalies", r->prof.anomalies);
	printf("%-11s %d train, %d test (%d KiB)\n", "rows", nrows[EBPH_TRAIN],
	       nrows[EBPH_TEST], (nrows[0] + nrows[1]) * EBPH_NUM_SYSCALLS / 1024);
	/* Where the sequence detector never ran, pairs-only output stays as
	 * it was.  No test set means the kernel does not test sequences. */
	if ((det & EBPH_DET_SEQS) || nseqs[EBPH_TRAIN] || nseqs[EBPH_TEST] ||
	    has_seq_test(&r->prof)) {
		if (has_seq_test(&r->prof))
			snprintf(a, sizeof(a), "%ld test", nseqs[EBPH_TEST]);
		else
			snprintf(a, sizeof(a), "no test set");
		printf("%-11s %ld train, %s\n", "sequences", nseqs[EBPH_TRAIN], a);
	}
}

/* The same as JSON members: the profile's (json_profile()), "rows" and
 * "sequences" by set; a test set of sequences the kernel does not test
 * (has_seq_test()) is null. */
static void show_summary_json(const struct ebph_profile_rec *r, const int nrows[2],
			      const long nseqs[2])
{
	json_profile(r, boot_to_real());
	printf(",\"rows\":{\"train\":%d,\"test\":%d},\"sequences\":{\"train\":%ld,\"test\":",
	       nrows[EBPH_TRAIN], nrows[EBPH_TEST], nseqs[EBPH_TRAIN]);
	if (has_seq_test(&r->prof))
		printf("%ld}", nseqs[EBPH_TEST]);
	else
		printf("null}");
}

/* The NLIST sequences SEQS of set SET, in the order of seq_order(). */
static void show_seqs(const __u64 *seqs, size_t nlist, int set)
{
	char line[EBPH_SEQ_CALLS * SYSCALL_NAME_LEN];
	size_t i;

	printf("\n%s set: %zu sequences of %d calls\n",
	       set == EBPH_TEST ? "test" : "train", nlist, EBPH_SEQ_CALLS);
	if (nlist)
		printf("CALLS, THE OLDEST FIRST\n");
	for (i = 0; i < nlist; i++) {
		syscall_seq_fmt(seqs[i], "-", line, sizeof(line));
		printf("%s\n", line);
	}
}

/* The same as a JSON member: "seqs", each as a new_seq event gives a
 * sequence (ebph_json_packed()). */
static void show_seqs_json(const __u64 *seqs, size_t nlist)
{
	size_t i;

	printf(",\"seqs\":[");
	for (i = 0; i < nlist; i++) {
		printf("%s{", i ? "," : "");
		ebph_json_packed(stdout, seqs[i]);
		putchar('}');
	}
	putchar(']');
}

/* The call before call CUR that bit PREV of its row stands for: a row
 * holds earlier calls by number, in the ABI of the call (EBPH_I386 in
 * ebph.h). */
static unsigned int pair_previous(int cur, int prev)
{
	return (cur & EBPH_I386) | prev;
}

/* The pairs of set SET, whose rows are ROWS: one line per pair. */
static void show_pairs(__u8 *const rows[EBPH_NUM_CALLS], int set)
{
	int cur, prev, d, pairs = 0;
	char a[64], b[64];

	for (cur = 0; cur < EBPH_NUM_CALLS; cur++)
		for (prev = 0; rows[cur] && prev < EBPH_NUM_SYSCALLS; prev++)
			pairs += !!rows[cur][prev];
	printf("\n%s set: %d pairs of calls\n", set == EBPH_TEST ? "test" : "train", pairs);
	if (pairs)
		printf("%-23s %-23s %s\n", "CALL", "PREVIOUS", "DISTANCE");
	for (cur = 0; cur < EBPH_NUM_CALLS; cur++) {
		for (prev = 0; rows[cur] && prev < EBPH_NUM_SYSCALLS; prev++) {
			__u8 bits = rows[cur][prev];
			char dist[EBPH_SEQLEN];

			if (!bits)
				continue;
			for (d = 1; d < EBPH_SEQLEN; d++)
				dist[d - 1] = bits & (1U << (d - 1)) ? '0' + d : '.';
			dist[EBPH_SEQLEN - 1] = 0;
			syscall_name_fmt(cur, a, sizeof(a));
			syscall_name_fmt(pair_previous(cur, prev), b, sizeof(b));
			printf("%-23s %-23s %s\n", a, b, dist);
		}
	}
}

/* The same as a JSON member: "pairs", each with its "distances", 1 to 8. */
static void show_pairs_json(__u8 *const rows[EBPH_NUM_CALLS])
{
	int cur, prev, d, n = 0;

	printf(",\"pairs\":[");
	for (cur = 0; cur < EBPH_NUM_CALLS; cur++) {
		for (prev = 0; rows[cur] && prev < EBPH_NUM_SYSCALLS; prev++) {
			__u8 bits = rows[cur][prev];
			const char *sep = "";

			if (!bits)
				continue;
			printf("%s{", n++ ? "," : "");
			ebph_json_call(stdout, "call", cur);
			putchar(',');
			ebph_json_call(stdout, "previous", pair_previous(cur, prev));
			printf(",\"distances\":[");
			for (d = 1; d < EBPH_SEQLEN; d++) {
				if (bits & (1U << (d - 1))) {
					printf("%s%d", sep, d);
					sep = ",";
				}
			}
			printf("]}");
		}
	}
	putchar(']');
}

/* Profile R of the running ebph, with detectors DET: its summary, then
 * the pairs of set SET, or (LIST_SEQS) its sequences; as text, or with
 * JSON as one JSON object.  The exit status. */
static int show_profile(const struct ebph_maps *m, const struct ebph_profile_rec *r,
			__u32 det, int set, int list_seqs, int json)
{
	__u8 *rows[2][EBPH_NUM_CALLS];
	__u64 *seqs = NULL;
	size_t nlist = 0;
	int nrows[2], err;
	long nseqs[2];

	err = read_seqs(m, &r->prof, nseqs, set, list_seqs ? &seqs : NULL, &nlist);
	if (err) {
		ebph_error("show", "cannot read the sequences of %016llx: %s",
			   (unsigned long long)r->prof.key, strerror(-err));
		return 1;
	}
	nrows[EBPH_TRAIN] = read_rows(m, r->prof.key, EBPH_TRAIN, rows[EBPH_TRAIN]);
	nrows[EBPH_TEST] = read_rows(m, r->prof.key, EBPH_TEST, rows[EBPH_TEST]);
	if (nlist)
		qsort(seqs, nlist, sizeof(*seqs), cmp_seq);
	if (json) {
		putchar('{');
		show_summary_json(r, nrows, nseqs);
		printf(",\"set\":\"%s\"", set == EBPH_TEST ? "test" : "train");
		if (list_seqs)
			show_seqs_json(seqs, nlist);
		else
			show_pairs_json(rows[set]);
		printf("}\n");
	} else {
		show_summary(r, det, nrows, nseqs);
		if (list_seqs)
			show_seqs(seqs, nlist, set);
		else
			show_pairs(rows[set], set);
	}
	free(seqs);
	free_rows(rows[0]);
	free_rows(rows[1]);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	int set = EBPH_TRAIN, list_seqs = 0, json = 0, rc;
	struct ebph_snapshot s;
	struct ebph_config cfg;
	struct ebph_maps m;
	struct ebph_profile_rec *r;
	__u32 zero = 0;
	long pid = 0;
	__u64 key;

	rc = show_options(argc, argv, &set, &list_seqs, &json, &pid);
	if (rc >= 0)
		return rc;
	if (cmd_open("show", &m))
		return 1;
	if (bpf_map_lookup(m.config, &zero, &cfg) || ebph_snapshot_read_profiles(&m, &s)) {
		ebph_error("show", "cannot read the running ebph's profiles");
		ebph_maps_close(&m);
		return 1;
	}
	rc = 1;
	if (pid ? !profile_of_pid("show", &m, pid, &key) :
		  !cmd_resolve_profile("show", &s, argv[optind], &key)) {
		r = ebph_snapshot_find(&s, key);
		if (r)
			rc = show_profile(&m, r, cfg.detectors, set, list_seqs, json);
		else	/* its task points to a profile not in the snapshot */
			ebph_error("show", "PID %ld runs profile %016llx, which is gone", pid,
				   (unsigned long long)key);
	}
	ebph_snapshot_free(&s);
	ebph_maps_close(&m);
	return rc;
}

/* ---- normalize, sensitize, tolerize, delete --------------------------- */

/* Delete profile KEY's file, unless it is one the loader refused (which
 * stays for whoever investigates, as profile_save() leaves it). */
static void delete_file(__u64 key, char *msg, size_t len)
{
	struct ebph_profile_rec rec;
	struct ebph_runstate rs;
	char name[PROFILE_NAME_LEN], path[PATH_MAX + PROFILE_NAME_LEN], why[128];
	size_t used = strlen(msg);
	int err;

	if (ebph_state_read(&rs))
		return;
	if (!rs.saving) {
		snprintf(msg + used, len - used, "; its file, if any, stays: ebph runs with --no-save");
		return;
	}
	profile_file_name(key, name);
	snprintf(path, sizeof(path), "%s/%s", rs.profile_dir, name);
	err = profile_load(path, &rec, 0, why, sizeof(why));
	if (err) {
		if (err != -ENOENT)
			snprintf(msg + used, len - used, "; %s left on disk: %s", path, why);
		return;
	}
	profile_rec_free(&rec);
	if (!unlink(path))
		snprintf(msg + used, len - used, "; %s removed", path);
}

static const struct {
	const char *name, *does;
} actions[] = {
	[ACT_NORMALIZE] = { "normalize", "Start testing now: copy the profile's train set to its test set and\n"
				       "make it normal, without waiting for it to freeze and normal-wait.\n"
				       "Each detector that runs (pairs, sequences) takes its own.  With\n"
				       "--pid, that process's recent anomalies are forgotten too (LFC 0):\n"
				       "a process stopped for a delay is resumed at once.\n" },
	[ACT_SENSITIZE] = { "sensitize", "Forget the profile's training data: it learns from scratch (a normal\n"
				       "profile keeps testing against its test set meanwhile).\n" },
	[ACT_TOLERIZE] = { "tolerize", "Leave normal and keep learning: what made the anomalies becomes\n"
				      "part of the profile.  A process stopped for a delay is resumed\n"
				      "at once (only a normal profile's processes are delayed).\n" },
	[ACT_DELETE] = { "delete", "Delete the profile, its pairs, its sequences and its saved file.  Tasks\n"
				  "still running it start a new, empty profile at their next call.\n" },
};

/* "normal, 5000 calls trained, 2 anomalies": what the audit trail says a
 * profile was, and became. */
static void profile_words(const struct ebph_profile *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %llu calls trained, %u anomalies", cmd_state_name(p->status),
		 (unsigned long long)p->train_count, p->anomalies);
}

/* Tell the running ebph that ACT changed profile KEY (at PATH, "" if
 * unknown) from WAS to NOW. */
static void apply_audit(enum cmd_action act, __u64 key, const char *path,
			const char *was, const char *now, char *warn, size_t wlen)
{
	char target[EBPH_PATH_LEN + 32];

	snprintf(target, sizeof(target), "%s (%016llx)", path[0] ? path : "?",
		 (unsigned long long)key);
	cmd_audit(actions[act].name, target, was, now, warn, wlen);
}

int cmd_delete_profile(const struct ebph_maps *m, const struct ebph_profile *p,
		       int seqs_on, char *msg, size_t len, int *seq_err)
{
	char what[64] = "";
	int n, err, lock, nseq_del;

	/* Path first, then the profile, then its rows and sequences: a
	 * task still running it makes a new, empty profile at its next
	 * call, and that profile must not find the old path or rows (the
	 * kernel writes its comm as the path and `ebph run` resolves it).
	 * Sequences are deleted whether or not the detector runs: they may
	 * have been loaded from a file.  A sequence the new profile learns
	 * before the walk below reaches it is deleted too, and is new again
	 * next time. */
	lock = ebph_state_lock();
	if (lock < 0) {
		snprintf(msg, len, "not deleted: cannot take %s/save.lock: %s",
			 EBPH_RUN_DIR, strerror(-lock));
		*seq_err = 0;
		return lock;
	}
	bpf_map_delete(m->paths, &p->key);
	err = bpf_map_delete(m->profiles, &p->key);
	/* Its owner has one less (ebph.h, owners); under the lock, the one
	 * writer of FREED.  Only if this call deleted it. */
	if (!err && ebph_owner_add(m, p->owner, EBPH_OWNER_FREED, 1))
		snprintf(what, sizeof(what), "; its owner's count not updated");
	n = ebph_rows_work(m, p->key, EBPH_WORK_RESET | EBPH_WORK_DROP_TEST);
	nseq_del = ebph_seqs_delete(m, p->key);
	if (nseq_del < 0)
		snprintf(msg, len, "deleted, with %d rows, but not its sequences: %s",
			 n, strerror(-nseq_del));
	else if (seqs_on || nseq_del)
		snprintf(msg, len, "deleted, with %d rows and %d sequences", n,
			 nseq_del);
	else
		snprintf(msg, len, "deleted, with %d rows", n);
	snprintf(msg + strlen(msg), len - strlen(msg), "%s", what);
	/* Under the save lock: a save that had already read the profile
	 * cannot write its file back after this. */
	delete_file(p->key, msg, len);
	ebph_state_unlock(lock);
	*seq_err = nseq_del < 0 ? nseq_del : 0;
	return err == -ENOENT ? 0 : err;
}

/* Row and sequence counts of one change, for its message: "%d rows of
 * pairs and %ld sequences", or the half of it the detectors DET have;
 * ROWS_WORD is how the pairs are named ("rows of pairs" or "rows"). */
static void what_changed(char *buf, size_t len, __u32 det, int nrows,
			 const char *rows_word, const char *and, long nseqs)
{
	if ((det & EBPH_DET_PAIRS) && (det & EBPH_DET_SEQS))
		snprintf(buf, len, "%d %s%s%ld sequences", nrows, rows_word, and, nseqs);
	else if (det & EBPH_DET_SEQS)
		snprintf(buf, len, "%ld sequences", nseqs);
	else
		snprintf(buf, len, "%d %s", nrows, rows_word);
}

/* The message of a failed ebph_profile_change(): of its rows (ROWS < 0,
 * which only a copy can be) or of the profile. */
static int change_failed(int err, int rows, char *msg, size_t len)
{
	if (rows < 0)
		snprintf(msg, len, "cannot copy its train set: %s%s", strerror(-err),
			 err == -E2BIG || err == -ENOMEM ? " (the rows map is full)" : "");
	else
		snprintf(msg, len, "cannot update it: %s", strerror(-err));
	return err;
}

/*
 * normalize: ebph_start_normal(), test := train for each detector that
 * runs, counters restart; the rows first, the status last (see the top
 * of this file).  The sequences' test set is a range of epochs over
 * elements already in the map, taken in the same write as the status.
 * Refused when a detector has nothing to test against.
 */
static int act_normalize(const struct ebph_maps *m, struct ebph_profile *p,
			 __u32 det, char *msg, size_t len)
{
	struct ebph_row_key rk = { .profile = p->key, .set = EBPH_TRAIN };
	__u8 row[EBPH_NUM_SYSCALLS];
	int pairs_on = det & EBPH_DET_PAIRS, seqs_on = det & EBPH_DET_SEQS;
	long nseqs[2] = { 0, 0 };
	char what[96];
	int c, n = 0, err;

	for (c = 0; pairs_on && c < EBPH_NUM_CALLS; c++) {
		rk.call = c;
		n += !bpf_map_lookup(m->rows, &rk, row);
	}
	if (seqs_on) {
		err = read_seqs(m, p, nseqs, EBPH_TRAIN, NULL, NULL);
		if (err) {
			snprintf(msg, len, "cannot read its sequences: %s", strerror(-err));
			return err;
		}
	}
	/* An empty test set would make every call an anomaly. */
	if ((pairs_on && !n) || (seqs_on && !nseqs[EBPH_TRAIN])) {
		snprintf(msg, len, "it has learned %s yet: nothing to test against",
			 (!pairs_on || !n) && (!seqs_on || !nseqs[EBPH_TRAIN]) ?
			 "nothing" : !n ? "no pairs" : "no sequences");
		return -EINVAL;
	}
	err = ebph_profile_change(m, p->key, ebph_start_normal, det, p, &n);
	if (err)
		return change_failed(err, n, msg, len);
	what_changed(what, sizeof(what), det, n, "rows of pairs", " and ", nseqs[EBPH_TRAIN]);
	snprintf(msg, len, "normal: testing against %s", what);
	return 0;
}

/* sensitize: ebph_reset_train(), forget what was learned; a normal
 * profile keeps testing against its test set meanwhile. */
static int act_sensitize(const struct ebph_maps *m, struct ebph_profile *p,
			 __u32 det, char *msg, size_t len)
{
	long nseqs[2] = { 0, 0 };
	char what[96];
	int n, err;

	if (det & EBPH_DET_SEQS) {
		/* Only to say how many: forgetting is one store of the
		 * rule (struct ebph_seq). */
		err = read_seqs(m, p, nseqs, EBPH_TRAIN, NULL, NULL);
		if (err) {
			snprintf(msg, len, "cannot read its sequences: %s", strerror(-err));
			return err;
		}
	}
	err = ebph_profile_change(m, p->key, ebph_reset_train, det, p, &n);
	if (err)
		return change_failed(err, n, msg, len);
	what_changed(what, sizeof(what), det, n, "rows", ", ", nseqs[EBPH_TRAIN]);
	snprintf(msg, len, "training data forgotten (%s); %s", what,
		 p->status & EBPH_NORMAL ? "still normal, learning anew" :
		 "training anew");
	return 0;
}

/* tolerize: ebph_stop_normal(), back to training, train data kept, so
 * the behaviour that made anomalies is learned as normal.  It keeps both
 * detectors' sets: the sequence epochs stay.  1: not normal, nothing
 * done. */
static int act_tolerize(const struct ebph_maps *m, struct ebph_profile *p,
			__u32 det, char *msg, size_t len)
{
	int n, err;

	if (!(p->status & EBPH_NORMAL)) {
		snprintf(msg, len, "not normal: nothing to tolerize (%s)",
			 cmd_state_name(p->status));
		return 1;
	}
	err = ebph_profile_change(m, p->key, ebph_stop_normal, det, p, &n);
	if (err)
		return change_failed(err, n, msg, len);
	snprintf(msg, len, "training again, with what it learned so far");
	return 0;
}

int cmd_apply(const struct ebph_maps *m, __u64 key, enum cmd_action act,
	      char *msg, size_t len, char *warn, size_t wlen)
{
	struct ebph_path path = { .path = "" };
	struct ebph_config cfg;
	struct ebph_profile p;
	__u32 zero = 0;
	char was[96], now[96];
	int err = 0, seq_err = 0;

	warn[0] = 0;
	if (bpf_map_lookup(m->profiles, &key, &p)) {
		snprintf(msg, len, "profile " EBPH_KEY_FMT " is gone (deleted, or ebph stopped)",
			 (unsigned long long)key);
		return -ENOENT;
	}
	/* For the audit trail: what it was, and where. */
	profile_words(&p, was, sizeof(was));
	if (!bpf_map_lookup(m->paths, &key, &path))
		path.path[sizeof(path.path) - 1] = 0;
	/* The kernel changes the sets only of the detectors it runs, and so
	 * do we: a pairs-only ebph leaves the sequence epochs alone. */
	err = bpf_map_lookup(m->config, &zero, &cfg);
	if (err) {
		snprintf(msg, len, "cannot read the config map: %s", strerror(-err));
		return err;
	}
	switch (act) {
	case ACT_NORMALIZE:
		err = act_normalize(m, &p, cfg.detectors, msg, len);
		break;
	case ACT_SENSITIZE:
		err = act_sensitize(m, &p, cfg.detectors, msg, len);
		break;
	case ACT_TOLERIZE:
		err = act_tolerize(m, &p, cfg.detectors, msg, len);
		break;
	case ACT_DELETE:
		err = cmd_delete_profile(m, &p, cfg.detectors & EBPH_DET_SEQS, msg, len,
					 &seq_err);
		break;
	}
	if (err)	/* 1: nothing changed, nothing to log */
		return err < 0 ? err : 0;
	/* Deleted, if not all of it (SEQ_ERR): that is the change to log. */
	if (act == ACT_DELETE)
		snprintf(now, sizeof(now), "deleted");
	else
		profile_words(&p, now, sizeof(now));
	apply_audit(act, key, path.path, was, now, warn, wlen);
	return seq_err;
}

/*
 * normalize or tolerize --pid PID: the admin's verdict on that process,
 * so its locality frame starts empty (LFC 0) and no response holds it
 * (EBPH_RESPONSES): a refused exec can be tried again at once, and a
 * delay ends (the running ebph resumes a process whose LFC is 0).  Each of
 * its threads' entries is read and written whole, as the kernel has no
 * lock on them: a call the thread makes meanwhile can be lost from its
 * window, which costs at most a few misses.  The number of threads
 * released, or -errno.
 */
static int release_pid(const struct ebph_maps *m, __u32 pid)
{
	struct ebph_task t;
	__u32 *tids;
	size_t n, i;
	int err, released = 0;

	err = bpf_map_keys(m->tasks, sizeof(*tids), (void **)&tids, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup(m->tasks, &tids[i], &t) || t.pid != pid || !t.lfc)
			continue;
		memset(t.lf, 0, sizeof(t.lf));
		t.lfc = 0;
		t.lf_pos = 0;
		released += !bpf_map_update(m->tasks, &tids[i], &t, BPF_EXIST);
	}
	free(tids);
	return released;
}

static int cmd_change(int argc, char **argv, enum cmd_action act)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char usage[1024], msg[PATH_MAX + 256], name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], warn[256];
	const char *cmd = actions[act].name;
	struct ebph_profile_rec *r;
	struct ebph_snapshot s;
	struct ebph_maps m;
	long pid = 0;
	__u64 key;
	int c, err;

	snprintf(usage, sizeof(usage),
		 "Usage: ebph %s PROFILE\n"
		 "       ebph %s --pid PID\n"
		 "%s"
		 "\n"
		 "  -p, --pid PID   the profile that process PID runs\n"
		 "  -h, --help      this help\n"
		 "\n"
		 "PROFILE is a key in hex, an executable's path, or its name.\n"
		 "\n"
		 "Examples:\n"
		 "  sudo ebph %s /usr/bin/ls\n"
		 "  sudo ebph %s --pid 1234\n",
		 cmd, cmd, actions[act].does, cmd, cmd);
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if ((err = parse_pid(cmd, optarg, &pid)) >= 0)
				return err;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return ebph_try_help(cmd);
		}
	}
	if ((err = one_profile(cmd, argc, pid)) >= 0)
		return err;
	if (cmd_open(cmd, &m))
		return 1;
	if (ebph_snapshot_read_profiles(&m, &s)) {
		ebph_error(cmd, "cannot read the running ebph's profiles");
		ebph_maps_close(&m);
		return 1;
	}
	err = pid ? profile_of_pid(cmd, &m, pid, &key) :
		    cmd_resolve_profile(cmd, &s, argv[optind], &key);
	if (!err) {
		r = ebph_snapshot_find(&s, key);
		if (r)
			cmd_profile_name(r, name, sizeof(name));
		else
			snprintf(name, sizeof(name), EBPH_KEY_FMT, (unsigned long long)key);
		err = cmd_apply(&m, key, act, msg, sizeof(msg), warn, sizeof(warn));
		if (!err && pid && (act == ACT_NORMALIZE || act == ACT_TOLERIZE)) {
			int n = release_pid(&m, pid);

			if (n < 0)
				ebph_warn(cmd, "cannot reset PID %ld's LFC: %s", pid, strerror(-n));
			else if (n)
				printf("PID %ld: LFC reset to 0 (%d thread%s)\n", pid, n,
				       n == 1 ? "" : "s");
		}
		if (err)
			ebph_error(cmd, "%s (%016llx): %s", name, (unsigned long long)key, msg);
		else
			printf("%s (%016llx): %s\n", name, (unsigned long long)key, msg);
		if (warn[0])
			ebph_warn(cmd, "%s", warn);
	}
	ebph_snapshot_free(&s);
	ebph_maps_close(&m);
	return err ? 1 : 0;
}

int cmd_normalize(int argc, char **argv)
{
	return cmd_change(argc, argv, ACT_NORMALIZE);
}

int cmd_sensitize(int argc, char **argv)
{
	return cmd_change(argc, argv, ACT_SENSITIZE);
}

int cmd_tolerize(int argc, char **argv)
{
	return cmd_change(argc, argv, ACT_TOLERIZE);
}

int cmd_delete(int argc, char **argv)
{
	return cmd_change(argc, argv, ACT_DELETE);
}

/* ---- ebph save -------------------------------------------------------- */

static const char save_usage[] =
"Usage: ebph save [-h]\n"
"Make the running ebph save its profiles now, in its profile directory,\n"
"and wait until it has.  (It saves by itself every --save-interval and\n"
"when it stops; this is SIGUSR1.)\n"
"\n"
"  -h, --help      this help\n"
"\n"
"Examples:\n"
"  sudo ebph save\n"
"  sudo ebph save && sudo cp -a /var/lib/ebph /backup/ebph-profiles\n";

int cmd_save(int argc, char **argv)
{
	struct ebph_runstate before, now;
	struct ebph_maps m;
	char warn[256];
	pid_t pid;
	int rc, i;

	rc = only_help(argc, argv, "save", save_usage, 0);
	if (rc >= 0)
		return rc;
	/* The pins are not needed, but the same checks and sentences are. */
	if (cmd_open("save", &m))
		return 1;
	ebph_maps_close(&m);
	pid = ebph_instance_pid();
	if (pid < 0 || ebph_state_read(&before)) {
		return ebph_error("save", "cannot find the running ebph's PID in %s or %s/state",
				  EBPH_LOCK_FILE, EBPH_RUN_DIR);
	}
	if (!before.saving)
		return ebph_error("save", "the running ebph (PID %d) was started with --no-save",
				  pid);
	/* Logged first, so that its log reads who asked, then the save. */
	if (cmd_audit("save", before.profile_dir, "", "", warn, sizeof(warn)))
		ebph_warn("save", "%s", warn);
	/* The running ebph owns the profile directory: it saves, we ask. */
	if (kill(pid, SIGUSR1))
		return ebph_error("save", "cannot signal PID %d: %s", pid, strerror(errno));
	for (i = 0; i < 600; i++) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (!ebph_state_read(&now) && now.saves > before.saves) {
			printf("saved %llu profiles to %s\n", (unsigned long long)now.saved,
			       now.profile_dir);
			if (now.save_failed)
				return ebph_error("save", "%llu profiles not saved: see the running ebph's log",
						  (unsigned long long)now.save_failed);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return ebph_error("save", "PID %d did not save within 30 s", pid);
}

/* ---- ebph set --------------------------------------------------------- */

static const char set_usage[] =
"Usage: ebph set SETTING VALUE\n"
"       ebph set -h\n"
"Change a setting of the running ebph, from its next system call on.\n"
"\n"
"  normal-wait TIME    how long a profile stays frozen before it becomes\n"
"                      normal, for profiles that freeze from now on\n"
"                      (TIME: a number and ms, s, m, h, d or w)\n"
"  anomaly-limit N     anomalies before a normal profile goes back to\n"
"                      training (0 to 1000000)\n"
"  tolerize-limit N    a task's LFC above this resets its profile's\n"
"                      training data (0 to 128)\n"
"  monitoring on|off   off: system calls are not traced at all\n"
"  log-sequences on|off  report every new pair a profile learns\n"
"  delay-factor TIME   pH's delays: a process of a normal profile is\n"
"                      stopped for 2^LFC x TIME at each call while its\n"
"                      LFC is over 0, at most 1 s a call; 0: off, and\n"
"                      every process stopped for a delay is resumed\n"
"                      (TIME: up to 1s, e.g. 100us, 1ms)\n"
"  enforce on|off      on: refuse execve (EPERM) to a task of a normal\n"
"                      profile whose LFC is at execve-lfc or above\n"
"  execve-lfc N        that LFC (1 to 128)\n"
"\n"
"Examples:\n"
"  sudo ebph set normal-wait 1d\n"
"  sudo ebph set monitoring off\n";

static int parse_on_off(const char *s)
{
	if (!strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "yes"))
		return 1;
	if (!strcmp(s, "off") || !strcmp(s, "0") || !strcmp(s, "no"))
		return 0;
	return -1;
}

static long parse_limit(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v > max)
		return -1;
	return v;
}

/* VAL for setting SET, as cmd_set() stores it: -1 if malformed. */
static long long set_parse(enum cmd_setting set, const char *val)
{
	switch (set) {
	case SET_NORMAL_WAIT:
		return parse_duration(val);
	case SET_ANOMALY_LIMIT:
		return parse_limit(val, 1000000);
	case SET_TOLERIZE_LIMIT:
		return parse_limit(val, EBPH_LOCALITY_WIN);
	case SET_DELAY_FACTOR: {
		long long d = parse_duration(val);

		return d > (long long)EBPH_DELAY_MAX_NS ? -1 : d;
	}
	case SET_EXECVE_LFC: {	/* 0 would refuse every exec */
		long long n = parse_limit(val, EBPH_LOCALITY_WIN);

		return n > 0 ? n : -1;
	}
	default:	/* monitoring, log-sequences, enforce */
		return parse_on_off(val);
	}
}

/* Setting SET of CFG to V, as set_parse() made it. */
static void set_store(struct ebph_config *cfg, enum cmd_setting set, long long v)
{
	switch (set) {
	case SET_NORMAL_WAIT:
		cfg->normal_wait = v;
		break;
	case SET_ANOMALY_LIMIT:
		cfg->anomaly_limit = v;
		break;
	case SET_TOLERIZE_LIMIT:
		cfg->tolerize_limit = v;
		break;
	case SET_MONITORING:
		cfg->monitoring = v;
		break;
	case SET_DELAY_FACTOR:
		cfg->delay_factor = v;
		break;
	case SET_ENFORCE:
		cfg->enforce = v;
		break;
	case SET_EXECVE_LFC:
		cfg->execve_lfc = v;
		break;
	default:	/* log-sequences */
		cfg->log_sequences = v;
	}
}

/*
 * Setting SET of the running ebph to V, its old and new values in words
 * into OLD_S and NEW_S (cmd_setting_fmt()).  Read, change one field,
 * write whole, under the save lock: two sets at once must not undo each
 * other behind an audit trail that logs both.  0, or 1 with a sentence
 * on stderr.
 */
static int set_write(const struct ebph_maps *m, enum cmd_setting set, long long v,
		     char *old_s, char *new_s, size_t len)
{
	struct ebph_config cfg, old;
	__u32 zero = 0;
	int err, lock;

	lock = ebph_state_lock();
	if (lock < 0) {
		return ebph_error("set", "cannot take %s/save.lock: %s", EBPH_RUN_DIR,
				  strerror(-lock));
	}
	err = bpf_map_lookup(m->config, &zero, &cfg);
	if (err) {
		ebph_state_unlock(lock);
		return ebph_error("set", "cannot read the config map: %s", strerror(-err));
	}
	/* Without its LSM program on the hook ebph refuses nothing: an
	 * "on" that did nothing would be a lie. */
	if (set == SET_ENFORCE && v && !cfg.execve_hook) {
		ebph_error("set", "the running ebph could not attach its LSM program (see its log): it cannot refuse execve");
		ebph_state_unlock(lock);
		return 1;
	}
	old = cfg;
	set_store(&cfg, set, v);
	cmd_setting_fmt(&old, set, old_s, len);
	cmd_setting_fmt(&cfg, set, new_s, len);
	/* An ARRAY value is updated in place: see the top of this file. */
	err = bpf_map_update(m->config, &zero, &cfg, BPF_ANY);
	ebph_state_unlock(lock);
	if (err)
		return ebph_error("set", "cannot write the config map: %s", strerror(-err));
	return 0;
}

int cmd_set(int argc, char **argv)
{
	struct ebph_maps m;
	const char *what, *val;
	char a[64], b[64], warn[256];
	long long v;
	int rc, set;

	rc = only_help(argc, argv, "set", set_usage, 2);
	if (rc >= 0)
		return rc;
	what = argv[optind];
	val = argv[optind + 1];
	/* Parse before opening anything: a typo is a usage error whether
	 * or not ebph runs. */
	set = cmd_setting_find(what);
	/* The detector and the rest are only `ebph run`'s to set. */
	if (set < 0 || set == SET_DETECTOR || set == SET_OFFSETS)
		return ebph_usage_error("set", "unknown setting '%s'", what);
	v = set_parse(set, val);
	if (v < 0)
		return ebph_usage_error("set", "invalid %s '%s'", what, val);

	if (cmd_open("set", &m))
		return 1;
	rc = set_write(&m, set, v, a, b, sizeof(a));
	ebph_maps_close(&m);
	if (rc)
		return rc;
	printf("%s: %s -> %s\n", what, a, b);
	if (cmd_audit("set", what, a, b, warn, sizeof(warn)))
		ebph_warn("set", "%s", warn);
	return 0;
}
