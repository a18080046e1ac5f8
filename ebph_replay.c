// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_replay.c - `ebph replay`: the kernel program, run offline on
 * recorded traces.
 *
 * A private copy of ebph_kern.o is loaded and never attached: its maps
 * belong to this process alone, so a running `ebph` is not disturbed and
 * does not disturb us.  Each recorded call is handed to the real
 * raw_tracepoint/sys_enter program with BPF_PROG_TEST_RUN, on the context
 * the tracepoint gives it, { pt_regs pointer (unused), call number }.
 * In a test run bpf_get_current_pid_tgid() returns the calling thread,
 * so before each trace this thread is written into the "tasks" map as a
 * task that has just exec'd the trace's program: its profile, an empty
 * window, an empty locality frame.  The program then learns and tests
 * exactly as it does in the kernel, and what it reports comes back
 * through the same perf rings `ebph run` reads.
 *
 * Two ways to use it:
 *
 *   learn     only training traces: they are run as a live system would
 *             run them, with the same settings (normal wait, limits), so
 *             a profile may freeze, become normal, flag, tolerize; the
 *             profiles can be saved (--save) and compared with what a
 *             live run learned (tests/test_replay.c does).
 *   evaluate  training traces and test traces (normal, attack): the
 *             protocol of the intrusion detection literature.  Train on
 *             the training set, make the profile normal, then judge each
 *             test trace; report per trace the anomalous calls and the
 *             highest locality frame count (LFC), and over all traces the
 *             ROC points, their AUC and the operating point at 90%
 *             detection, overall and per attack family; then the same
 *             with the intrusion as the unit (--intrusion-unit: a
 *             trace, a file or a directory of attack traces, detected
 *             when any of its traces is flagged) and false alarms per
 *             normal trace and per 1,000 normal calls.
 *
 * --detector picks what sys_enter learns and tests, as for `ebph run`:
 * pH's lookahead pairs (the default), whole sequences of the last 6
 * calls (as STIDE; struct ebph_seq in ebph.h), or both, a call being
 * anomalous when either misses.  Everything below holds for each.
 *
 * Judging every test trace against the same profile.  In the kernel a
 * normal profile keeps training, counts anomalies towards its anomaly
 * limit (past it, it stops testing), and a task over the tolerize limit
 * resets the training data and its own locality frame; a frozen profile
 * becomes normal again after the normal wait, copying its train set to
 * its test set.  Left alone, the verdict on a trace would then depend on
 * the traces tested before it.  So, after training:
 *
 *   1. the profile is made normal from user space, the way `ebph
 *      normalize` and start_normal() do it: train rows copied to test
 *      rows, the sequences' test range set to the train set's epochs
 *      (for the detectors that are on), status NORMAL, counters zero;
 *   2. during testing the anomaly and tolerize limits are set out of
 *      reach (UINT32_MAX: a u8 LFC and a u32 count never exceed it) and
 *      the normal wait to a century, so the program never stops testing,
 *      never cuts a trace's LFC at the limit, and never copies train to
 *      test again: the test set is fixed, and it is the only state the
 *      verdict depends on besides the task, which is fresh per trace;
 *   3. still, the program keeps training while it tests, so before each
 *      test trace its profile is restored to the snapshot taken at step
 *      1: the profile record (counters, status, epochs), the train rows
 *      of every call the previous trace of that profile made, and each
 *      sequence that trace made: deleted if the snapshot lacks it,
 *      written back if the snapshot has it outside the train set (it
 *      was relearned).  Those are the only rows and sequences sys_enter
 *      writes while the limits are out of reach.  Each trace thus
 *      starts from the very state the first one did;
 *   4. at the end the whole rows map and the whole seqs map are
 *      compared with the snapshot.  A kernel program that wrote any
 *      other row (a test row, another call's row) or sequence (one of
 *      the train set restamped) would have changed later verdicts:
 *      replay then fails with a message instead of printing figures.
 *
 * Step 2 alone makes the verdicts independent; step 3 makes the state
 * identical too; step 4 checks the claim rather than trusting it.
 * tests/test_replay.c checks from outside that each trace's verdict is
 * the one it gets when tested alone.
 *
 * A trace is one process from its exec: ADFA-LD stores one per file; the
 * UNM format interleaves processes in one file as "PID CALL" lines, and
 * each PID becomes a trace of its own, replayed in the order of first
 * appearance from an empty window.  Interleaving is not reproduced: the
 * test set does not depend on it, but in learn mode the counters of a
 * profile shared by concurrent processes can differ from a live run.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "perf_reader.h"
#include "ebph.h"
#include "ebph_maps.h"
#include "ebph_replay.h"
#include "ebph_util.h"	/* parse_duration(), ebph_find_object(), ebph_error() */
#include "profile_store.h"


/* Profile keys of replayed programs: dev 0x7265706c ("repl") is not a
 * device a stat(2) would report here, and the maps are private anyway. */
#define REPLAY_KEY(i)	(0x7265706cULL << 32 | (__u64)(i))

/* The normal wait while testing: a century, so no test trace makes the
 * profile normal again.  Small enough that now + it fits in a u64. */
#define NEVER_NS	(100ULL * 366 * 86400 * 1000000000ULL)

#define PERF_PAGES	16	/* per CPU: 64 KiB */
#define POLL_EVERY	64	/* calls between reads of the perf rings */

static const char *prog = "ebph replay";

enum { SET_TRAIN, SET_NORMAL, SET_ATTACK, NR_SETS };
static const char *set_name[NR_SETS] = { "training", "normal", "attack" };

enum { FMT_AUTO, FMT_ADFA, FMT_UNM };

/*
 * What one intrusion is (--intrusion-unit): the literature counts an
 * intrusion detected when any of its traces is flagged, and one
 * intrusion is often many traces (UNM's lprcp is 1,001 processes, of
 * which the first and the last do the harm).  UNIT_AUTO becomes
 * UNIT_DIR with --adfa (ADFA-LD keeps each attack run in a directory of
 * its own, Adduser_1 to Adduser_10), else UNIT_FILE (a UNM file records
 * a session's processes together; an ADFA-format file is one trace, so
 * there it is the same as UNIT_TRACE).
 */
enum { UNIT_AUTO, UNIT_TRACE, UNIT_FILE, UNIT_DIR };
static const char *unit_name[] = { "auto", "trace", "file", "dir" };

struct trace {
	char *name;		/* the file; "file:PID" in the UNM format */
	char *family;		/* attack family (or group): see add_path() */
	int set;		/* SET_* */
	int prog;		/* index in replay.progs */
	int unit;		/* attack traces: index in replay.units (the
				 * intrusion); others -1 */
	__u32 *calls;
	size_t n;
	/* what the program made of it */
	__u64 seen;		/* calls the task counted */
	__u32 anomalies;	/* anomalous calls: ANOMALY events */
	__u64 misses;		/* pairs missing from the test set, summed */
	__u32 seq_misses;	/* calls whose sequence was not in the test
				 * set (ANOMALY events with seq_miss) */
	__u32 max_lfc;		/* highest LFC of the task */
	__u32 tolerized, stopped, normal; /* TOLERIZE, STOP_NORMAL,
					   * START_NORMAL events */
};

/* An element of the seqs map as the kernel holds it. */
struct seq_elem {
	__u64 seq;		/* ebph_seq_pack() */
	struct ebph_seq v;
};

struct program {
	char *name;
	__u64 key;
	size_t ntrain;
	struct ebph_profile_rec snap;	/* after normalization */
	struct seq_elem *seqs;		/* its sequences then, by seq */
	size_t nseqs;
	__u8 dirty[EBPH_NUM_SYSCALLS];	/* train rows a test trace may
					 * have changed since the restore */
	__u64 *touched;			/* sequences test traces made since
					 * the restore (repeats and all) */
	size_t ntouched, touched_cap;
	int has_dirty;
};

struct replay {
	/* options */
	char *object;		/* ours: freed with the rest */
	const char *csv, *roc_csv, *save_dir;
	int format;
	int verbose;
	__u64 normal_wait;
	__u32 anomaly_limit, tolerize_limit;
	__u32 detectors;	/* EBPH_DET_*, --detector */
	int adfa;
	int unit_mode;		/* UNIT_*, --intrusion-unit */

	/* traces and programs */
	struct trace *traces;
	size_t ntraces, cap;
	struct program *progs;
	size_t nprogs;
	size_t nset[NR_SETS];
	char **units;		/* the intrusions: a trace, file or directory */
	size_t nunits;

	/* the kernel side */
	struct ld_obj obj;
	struct ebph_maps m;
	struct perf_reader pb;
	int pb_open;
	int prog_fd;
	__u32 pid, tid;
	struct trace *cur;	/* the trace events belong to */
	__u64 lost, foreign;	/* lost events; events with no trace */
	__u64 unlearned;	/* pairs or sequences a full map refused */
	__u64 calls_run;
	double run_secs;
};

static void say_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ebph_verror("replay", fmt, ap);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		say_err("out of memory");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		say_err("out of memory");
		exit(1);
	}
	return d;
}

/* ---- reading traces ------------------------------------------------------ */

static int program_index(struct replay *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nprogs; i++)
		if (!strcmp(r->progs[i].name, name))
			return i;
	r->progs = xrealloc(r->progs, (r->nprogs + 1) * sizeof(*r->progs));
	memset(&r->progs[r->nprogs], 0, sizeof(*r->progs));
	r->progs[r->nprogs].name = xstrdup(name);
	r->progs[r->nprogs].key = REPLAY_KEY(r->nprogs);
	return r->nprogs++;
}

static struct trace *trace_new(struct replay *r, const char *name,
			       const char *family, int set, int prog)
{
	struct trace *t;

	if (r->ntraces == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->traces = xrealloc(r->traces, r->cap * sizeof(*r->traces));
	}
	t = &r->traces[r->ntraces++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->family = xstrdup(family);
	t->set = set;
	t->prog = prog;
	t->unit = -1;
	r->nset[set]++;
	return t;
}

static void trace_push(struct trace *t, size_t *cap, __u32 call)
{
	if (t->n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		t->calls = xrealloc(t->calls, *cap * sizeof(*t->calls));
	}
	t->calls[t->n++] = call;
}

/* The whole of FILE, NUL-terminated, or NULL with a message. */
static char *read_file(const char *file, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		say_err("%s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xrealloc(NULL, st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say_err("%s: %s", file, n ? strerror(errno) : "file shrank while read");
			free(buf);
			close(fd);
			return NULL;
		}
		got += n;
	}
	close(fd);
	buf[got] = 0;
	*len = got;
	return buf;
}

/* The UNM format: more than one line, each "PID CALL". */
static int looks_unm(const char *buf)
{
	int lines = 0;

	while (*buf) {
		int fields = 0, in = 0;

		for (; *buf && *buf != '\n'; buf++) {
			if (isspace((unsigned char)*buf))
				in = 0;
			else if (!in++)
				fields++;
		}
		if (*buf)
			buf++;
		if (fields == 0)
			continue;
		if (fields != 2)
			return 0;
		lines++;
	}
	return lines > 1;
}

/* A decimal number at *P, which is moved past it; -1 if none. */
static long long parse_num(const char **p)
{
	const char *s = *p;
	long long v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*p = s;
	return v;
}

/* Where in FILE the parser stopped, for a message. */
static void bad_input(const char *file, const char *buf, const char *at,
		      const char *what)
{
	int line = 1;
	const char *s;

	for (s = buf; s < at; s++)
		line += *s == '\n';
	say_err("%s:%d: %s", file, line, what);
}

static int load_adfa(struct replay *r, const char *file, const char *buf,
		     const char *family, int set, int prog)
{
	struct trace *t = trace_new(r, file, family, set, prog);
	const char *p = buf;
	size_t cap = 0;

	for (;;) {
		long long v;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		v = parse_num(&p);
		if (v < 0 || (*p && !isspace((unsigned char)*p))) {
			bad_input(file, buf, p, "not a system call number (the ADFA-LD format is space-separated decimal numbers)");
			return -1;
		}
		trace_push(t, &cap, v);
	}
	if (!t->n) {
		/* Not an error: a directory may hold an empty record. */
		fprintf(stderr, "ebph replay: %s: empty, skipped\n", file);
		r->nset[set]--;
		r->ntraces--;
		free(t->name);
		free(t->family);
	}
	return 0;
}

static int load_unm(struct replay *r, const char *file, const char *buf,
		    const char *family, int set, int prog)
{
	struct { __u32 pid; size_t trace, cap; } *pids = NULL;
	size_t npids = 0, last = 0, i;
	const char *p = buf;
	char name[PATH_MAX + 16];
	int err = 0;

	while (*p) {
		long long pid, call;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		pid = parse_num(&p);
		while (*p == ' ' || *p == '\t')
			p++;
		call = pid < 0 ? -1 : parse_num(&p);
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (pid < 0 || call < 0 || (*p && *p != '\n')) {
			bad_input(file, buf, p, "not a line \"PID CALL\" (the UNM format)");
			err = -1;
			break;
		}
		/* Processes come in runs: look at the last one first. */
		if (!(npids && pids[last].pid == pid)) {
			for (i = 0; i < npids && pids[i].pid != pid; i++)
				;
			if (i == npids) {
				pids = xrealloc(pids, (npids + 1) * sizeof(*pids));
				snprintf(name, sizeof(name), "%s:%lld", file, pid);
				trace_new(r, name, family, set, prog);
				pids[npids].pid = pid;
				pids[npids].trace = r->ntraces - 1;
				pids[npids].cap = 0;
				npids++;
			}
			last = i;
		}
		trace_push(&r->traces[pids[last].trace], &pids[last].cap, call);
	}
	free(pids);
	return err;
}

/*
 * Calls numbered past the alphabet are counted by sys_enter and skipped,
 * as in the kernel, so a replay skips them too: one sentence says how
 * many, so that a trace in another numbering is not judged on what is
 * left of it without a word.
 */
static void warn_past_alphabet(const struct replay *r)
{
	const struct trace *first = NULL;
	unsigned long long calls = 0;
	size_t traces = 0, i, j, before;
	__u32 first_call = 0;

	for (i = 0; i < r->ntraces; i++) {
		before = calls;
		for (j = 0; j < r->traces[i].n; j++) {
			if (r->traces[i].calls[j] < EBPH_NR_LIMIT)
				continue;
			if (!first) {
				first = &r->traces[i];
				first_call = first->calls[j];
			}
			calls++;
		}
		traces += calls != before;
	}
	if (calls)
		say_err("%llu call%s in %zu trace%s %s numbered %u or more, past the alphabet (the first: %u in %s): skipped, as the kernel skips them",
			calls, calls == 1 ? "" : "s", traces, traces == 1 ? "" : "s",
			calls == 1 ? "is" : "are", EBPH_NR_LIMIT,
			first_call, first->name);
}

/* The intrusion called NAME, a new one unless it is known: a unit's
 * traces mostly come in a row, so the last one is looked at first. */
static int unit_index(struct replay *r, const char *name, int known)
{
	size_t i;

	if (known && r->nunits && !strcmp(r->units[r->nunits - 1], name))
		return r->nunits - 1;
	for (i = 0; known && i < r->nunits; i++)
		if (!strcmp(r->units[i], name))
			return i;
	r->units = xrealloc(r->units, (r->nunits + 1) * sizeof(*r->units));
	r->units[r->nunits] = xstrdup(name);
	return r->nunits++;
}

/*
 * The attack traces read from FILE (from index FROM on) into their
 * intrusion: each its own, FILE's, or that of the directory holding
 * FILE (ADFA-LD's Attack_Data_Master/Adduser_3).  A trace is always a
 * new unit: no search, however many thousand there are.
 */
static void assign_units(struct replay *r, const char *file, size_t from)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	size_t i;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == file ? 1 : slash - file), file);
	else
		snprintf(dir, sizeof(dir), ".");
	for (i = from; i < r->ntraces; i++) {
		struct trace *t = &r->traces[i];

		if (t->set != SET_ATTACK)
			continue;
		if (r->unit_mode == UNIT_TRACE)
			t->unit = unit_index(r, t->name, 0);
		else
			t->unit = unit_index(r, r->unit_mode == UNIT_DIR ? dir : file, 1);
	}
}

static int load_file(struct replay *r, const char *file, const char *family,
		     int set, int prog)
{
	size_t len, before = r->ntraces;
	char *buf = read_file(file, &len);
	int err, fmt = r->format;

	if (!buf)
		return -1;
	if (memchr(buf, 0, len)) {
		say_err("%s: a binary file, not a trace", file);
		free(buf);
		return -1;
	}
	if (fmt == FMT_AUTO)
		fmt = looks_unm(buf) ? FMT_UNM : FMT_ADFA;
	if (fmt == FMT_UNM)
		err = load_unm(r, file, buf, family, set, prog);
	else
		err = load_adfa(r, file, buf, family, set, prog);
	free(buf);
	if (!err)
		assign_units(r, file, before);
	return err;
}

static int skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Every regular file under DIR, in version order (Adduser_2 before
 * Adduser_10), recursively.  FAMILY is the family of files at this
 * level; a file in a subdirectory of the set's top directory belongs to
 * that subdirectory's family, named without its run number
 * ("Adduser_3" -> "Adduser").
 */
static int load_dir(struct replay *r, const char *dir, const char *family,
		    int top, int set, int prog)
{
	struct dirent **ents;
	char path[PATH_MAX];
	int n, i, err = 0;

	n = scandir(dir, &ents, skip_dot, versionsort);
	if (n < 0) {
		say_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct stat st;

		if (!err) {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (stat(path, &st)) {
				say_err("%s: %s", path, strerror(errno));
				err = -1;
			} else if (S_ISDIR(st.st_mode)) {
				char fam[256], *u;

				snprintf(fam, sizeof(fam), "%s", ents[i]->d_name);
				u = strrchr(fam, '_');
				if (u && u[1] && strspn(u + 1, "0123456789") == strlen(u + 1))
					*u = 0;
				err = load_dir(r, path, top ? fam : family, 0, set, prog);
			} else if (S_ISREG(st.st_mode)) {
				err = load_file(r, path, family, set, prog);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return err;
}

/*
 * One --train/--normal/--attack argument: [PROGRAM=]PATH, a trace file
 * or a directory of them.  Without PROGRAM every trace shares the
 * profile "all".
 */
static int add_path(struct replay *r, int set, const char *arg)
{
	const char *eq = strchr(arg, '='), *path = arg, *base;
	char pname[256] = "all", family[256];
	struct stat st;
	size_t before = r->ntraces;
	int p;

	if (eq && !memchr(arg, '/', eq - arg) && eq > arg) {
		snprintf(pname, sizeof(pname), "%.*s", (int)(eq - arg), arg);
		path = eq + 1;
	}
	if (stat(path, &st)) {
		say_err("%s: %s", path, strerror(errno));
		return -1;
	}
	p = program_index(r, pname);
	base = strrchr(path, '/');
	base = base && base[1] ? base + 1 : path;
	snprintf(family, sizeof(family), "%s", eq && path != arg ? pname : base);
	if (S_ISDIR(st.st_mode)) {
		if (load_dir(r, path, family, 1, set, p))
			return -1;
	} else if (load_file(r, path, family, set, p)) {
		return -1;
	}
	if (r->ntraces == before) {
		say_err("%s: no traces in it", path);
		return -1;
	}
	return 0;
}

/* ---- the kernel program --------------------------------------------------- */

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct replay *r = ctx;
	struct trace *t = r->cur;
	struct ebph_event ev;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (!t || ev.tid != r->tid) {
		r->foreign++;
		return 0;
	}
	switch (ev.type) {
	case EBPH_EV_ANOMALY:
		t->anomalies++;
		t->misses += ev.misses;
		t->seq_misses += ev.seq_miss != 0;
		break;
	case EBPH_EV_TOLERIZE:
		t->tolerized++;
		break;
	case EBPH_EV_STOP_NORMAL:
		t->stopped++;
		break;
	case EBPH_EV_START_NORMAL:
		t->normal++;
		break;
	case EBPH_EV_MESSAGE:
		/* A full map: the profile did not learn what the trace
		 * taught, so the figures would not be the algorithm's. */
		if (ev.code == EBPH_MSG_ROWS_FULL || ev.code == EBPH_MSG_SEQS_FULL)
			r->unlearned++;
		break;
	}
	return 0;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	((struct replay *)ctx)->lost += lost;
}

static int config_write(struct replay *r, __u64 normal_wait, __u32 anomaly_limit,
			__u32 tolerize_limit)
{
	struct ebph_config cfg = {
		.normal_wait = normal_wait,
		.anomaly_limit = anomaly_limit,
		.tolerize_limit = tolerize_limit,
		.monitoring = 1,
		.detectors = r->detectors,
		/* No BTF offsets: the task is always in the map before its
		 * first call, so the program never reads an executable (and
		 * the profiles it makes have an unknown owner: the quota
		 * must let them be). */
		.owner_quota = EBPH_OWNER_QUOTA,
		.users_max = EBPH_USERS_MAX,
	};
	__u32 zero = 0;
	int err = bpf_map_update(r->m.config, &zero, &cfg, BPF_ANY);

	if (err)
		say_err("cannot write the config map: %s", strerror(-err));
	return err;
}

static int kernel_open(struct replay *r)
{
	struct ld_prog *p;
	char buf[PATH_MAX];
	int err;

	if (!r->object)
		r->object = xstrdup(ebph_find_object(buf, sizeof(buf)));
	err = ld_open(&r->obj, r->object, r->verbose > 1);
	if (!err)
		err = ld_load(&r->obj);
	if (!err)
		err = ebph_maps_from_object(&r->m, &r->obj);
	if (err)
		return err;
	p = ld_find_prog(&r->obj, "ebph_sys_enter");
	if (!p) {
		say_err("%s: no program ebph_sys_enter", r->object);
		return -ENOENT;
	}
	r->prog_fd = p->fd;
	err = perf_reader_open(&r->pb, ld_map_fd(&r->obj, "events"),
			       PERF_PAGES, on_sample, on_lost, r);
	if (err) {
		say_err("cannot open the perf rings: %s", strerror(-err));
		return err;
	}
	r->pb_open = 1;
	return 0;
}

static void kernel_close(struct replay *r)
{
	if (r->pb_open)
		perf_reader_close(&r->pb);
	ld_close(&r->obj);
}

static int drain(struct replay *r)
{
	int err;

	while ((err = perf_reader_poll(&r->pb, 0)) > 0)
		;
	if (err < 0 && err != -EINTR) {
		say_err("reading events: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Run trace T through sys_enter: this thread becomes a task that has
 * just exec'd T's program, then makes T's calls one by one.
 */
static int run_trace(struct replay *r, struct trace *t)
{
	struct ebph_task task = {
		.profile = r->progs[t->prog].key,
		.pid = r->pid,
		.tid = r->tid,
	};
	__u64 ctx[2] = { 0, 0 }, want = 0;
	double t0 = now_s();
	size_t i;
	int err;

	for (i = 0; i < EBPH_SEQLEN; i++)
		task.seq[i] = EBPH_EMPTY;
	err = bpf_map_update(r->m.tasks, &r->tid, &task, BPF_ANY);
	if (err) {
		say_err("cannot write the task: %s", strerror(-err));
		return err;
	}
	r->cur = t;
	for (i = 0; i < t->n; i++) {
		__u32 retval = 0;

		ctx[1] = t->calls[i];
		want += t->calls[i] < EBPH_NR_LIMIT;
		err = bpf_prog_run_once(r->prog_fd, ctx, sizeof(ctx), &retval);
		if (err) {
			say_err("%s: BPF_PROG_TEST_RUN: %s", t->name, strerror(-err));
			return err;
		}
		if ((i + 1) % POLL_EVERY == 0 && (err = drain(r)))
			return err;
	}
	r->calls_run += t->n;
	r->run_secs += now_s() - t0;
	if ((err = drain(r)))
		return err;
	r->cur = NULL;

	err = bpf_map_lookup(r->m.tasks, &r->tid, &task);
	if (err) {
		say_err("%s: the task is gone from the tasks map after the trace", t->name);
		return err;
	}
	t->seen = task.count;
	t->max_lfc = task.max_lfc;
	/* The trace's process exits: what sched_process_exit does. */
	if (task.pending) {
		struct ebph_profile p;

		err = bpf_map_lookup(r->m.profiles, &task.profile, &p);
		if (!err) {
			ebph_counts_add(&p, task.pending);
			err = bpf_map_update(r->m.profiles, &task.profile, &p, BPF_EXIST);
		}
		if (err) {
			say_err("%s: cannot add the trace's last calls to its profile: %s",
				t->name, strerror(-err));
			return err;
		}
	}
	bpf_map_delete(r->m.tasks, &r->tid);
	/* Calls >= EBPH_NR_LIMIT are counted in stats and skipped, as
	 * in the kernel; every other call must have been seen. */
	if (t->seen != want) {
		say_err("%s: the program counted %llu calls of %llu: is %s from another version?",
			t->name, (unsigned long long)t->seen,
			(unsigned long long)want, r->object);
		return -EPROTO;
	}
	return 0;
}

/* ---- the protocol ----------------------------------------------------------- */

static int row_key_set(int fd, __u64 key, int call, int set, const void *row)
{
	struct ebph_row_key rk = { .profile = key, .call = call, .set = set };

	return row ? bpf_map_update(fd, &rk, row, BPF_ANY) : bpf_map_delete(fd, &rk);
}

/*
 * What `ebph normalize` and start_normal() in the kernel do, by their
 * rule (ebph_start_normal() in ebph.h), for the detectors that are on:
 * the train set becomes the test set, status NORMAL, counters zero.
 * Then the profile and its rows are read back as the snapshot every
 * test trace starts from (its sequences, all programs' at once, by
 * seqs_snapshot()).
 */
static int normalize(struct replay *r, struct program *pg)
{
	struct ebph_profile p;
	__u8 row[EBPH_NUM_SYSCALLS];
	int call, err, rows;

	err = bpf_map_lookup(r->m.profiles, &pg->key, &p);
	if (err) {
		say_err("program %s: no profile after training", pg->name);
		return err;
	}
	err = ebph_profile_change(&r->m, pg->key, ebph_start_normal, r->detectors, &p,
				  &rows);
	if (err) {
		say_err("program %s: cannot %s: %s", pg->name,
			rows < 0 ? "write its test rows" : "write the profile", strerror(-err));
		return err;
	}

	/* The snapshot. */
	profile_rec_free(&pg->snap);
	pg->snap.prof = p;
	snprintf(pg->snap.path, sizeof(pg->snap.path), "%s", pg->name);
	for (call = 0; call < EBPH_NUM_SYSCALLS; call++) {
		int set;

		for (set = EBPH_TRAIN; set <= EBPH_TEST; set++) {
			struct ebph_row_key rk = { .profile = pg->key, .call = call,
						   .set = set };

			if (bpf_map_lookup(r->m.rows, &rk, row))
				continue;
			if (!(r->detectors & EBPH_DET_PAIRS)) {
				say_err("program %s: a %s row of call %d with the pairs detector off: %s does not honour the detectors it is given",
					pg->name, set == EBPH_TEST ? "test" : "train", call,
					r->object);
				return -EPROTO;
			}
			pg->snap.rows[set][call] = xrealloc(NULL, EBPH_NUM_SYSCALLS);
			memcpy(pg->snap.rows[set][call], row, EBPH_NUM_SYSCALLS);
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* struct seq_elem begins with its sequence: cmp_u64 sorts them too. */
static const struct seq_elem *seq_find(const struct program *pg, __u64 seq)
{
	return bsearch(&seq, pg->seqs, pg->nseqs, sizeof(*pg->seqs), cmp_u64);
}

/* The program a profile key of ours belongs to, or NULL. */
static struct program *program_of(struct replay *r, __u64 key)
{
	__u64 i = key - REPLAY_KEY(0);

	return key >= REPLAY_KEY(0) && i < r->nprogs ? &r->progs[i] : NULL;
}

/* SEQ as its calls, oldest first ("-": no call yet), for a message. */
static const char *seq_str(char *buf, size_t len, __u64 seq)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = EBPH_SEQ_CALLS - 1; i >= 0 && n < len; i--) {
		__u32 c = ebph_seq_call(seq, i);

		n += c == EBPH_EMPTY ? snprintf(buf + n, len - n, "%s-", n ? " " : "")
				     : snprintf(buf + n, len - n, "%s%u", n ? " " : "", c);
	}
	return buf;
}

/*
 * Step 1 for the sequences: every element of the seqs map, read once
 * after normalization, into the programs they belong to.  With the seqs
 * detector off the map is empty, and must stay so.
 */
static int seqs_snapshot(struct replay *r)
{
	struct ebph_seq_key sk, next;
	size_t i, *cap = calloc(r->nprogs ? r->nprogs : 1, sizeof(*cap));
	int err;

	if (!cap) {
		say_err("out of memory");
		return -ENOMEM;
	}
	for (err = bpf_map_next_key(r->m.seqs, NULL, &next); !err;
	     err = bpf_map_next_key(r->m.seqs, &sk, &next)) {
		struct program *pg = program_of(r, next.profile);
		struct ebph_seq v;

		sk = next;
		if (!pg || !(r->detectors & EBPH_DET_SEQS)) {
			char calls[64];

			say_err("the sequence %s of profile %llx, %s: %s does not honour the detectors it is given, or is from another version",
				seq_str(calls, sizeof(calls), sk.seq),
				(unsigned long long)sk.profile,
				pg ? "learned with the seqs detector off" : "which no trace ran",
				r->object);
			err = -EPROTO;
			break;
		}
		err = bpf_map_lookup(r->m.seqs, &sk, &v);
		if (err)
			break;
		i = pg - r->progs;
		if (pg->nseqs == cap[i]) {
			cap[i] = cap[i] ? 2 * cap[i] : 1024;
			pg->seqs = xrealloc(pg->seqs, cap[i] * sizeof(*pg->seqs));
		}
		pg->seqs[pg->nseqs].seq = sk.seq;
		pg->seqs[pg->nseqs++].v = v;
	}
	free(cap);
	if (err == -EPROTO)
		return err;
	if (err != -ENOENT) {
		say_err("cannot read the seqs map: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < r->nprogs; i++)
		if (r->progs[i].nseqs)	/* qsort(NULL, 0) is undefined */
			qsort(r->progs[i].seqs, r->progs[i].nseqs,
			      sizeof(*r->progs[i].seqs), cmp_u64);
	return 0;
}

/*
 * The sequences trace T may have written, for restore(): those that are
 * not in the profile's train set after normalization.  The kernel's
 * window, the kernel's packing: the same sequence the kernel made of
 * each call.  Those in the train set are left to the check at the end.
 */
static void seqs_touched(struct program *pg, const struct trace *t)
{
	__u64 w0 = ~0ULL, w1 = ~0ULL;	/* every slot EBPH_EMPTY */
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct seq_elem *e;
		__u64 seq;

		if (t->calls[i] >= EBPH_NR_LIMIT)
			continue;	/* skipped by sys_enter too */
		w1 = w1 << 16 | w0 >> 48;
		w0 = w0 << 16 | t->calls[i];
		seq = ebph_seq_pack(w0, w1);
		e = seq_find(pg, seq);
		if (e && ebph_seq_in_train(&pg->snap.prof, &e->v))
			continue;
		if (pg->ntouched == pg->touched_cap) {
			pg->touched_cap = pg->touched_cap ? 2 * pg->touched_cap : 1024;
			pg->touched = xrealloc(pg->touched,
					       pg->touched_cap * sizeof(*pg->touched));
		}
		pg->touched[pg->ntouched++] = seq;
	}
}

/* Step 3 of the comment at the top: back to the snapshot. */
static int restore(struct replay *r, struct program *pg)
{
	size_t i;
	int call, err;

	err = bpf_map_update(r->m.profiles, &pg->key, &pg->snap.prof, BPF_ANY);
	for (call = 0; call < EBPH_NUM_SYSCALLS && !err; call++) {
		if (!pg->dirty[call])
			continue;
		pg->dirty[call] = 0;
		err = row_key_set(r->m.rows, pg->key, call, EBPH_TRAIN,
				  pg->snap.rows[EBPH_TRAIN][call]);
		if (err == -ENOENT)
			err = 0;
	}
	/* Sequences learned while testing go; sequences relearned (in the
	 * snapshot, outside its train set) get their stamps back. */
	if (pg->ntouched)	/* qsort(NULL, 0) is undefined */
		qsort(pg->touched, pg->ntouched, sizeof(*pg->touched), cmp_u64);
	for (i = 0; i < pg->ntouched && !err; i++) {
		struct ebph_seq_key sk = { .profile = pg->key, .seq = pg->touched[i] };
		const struct seq_elem *e;

		if (i && pg->touched[i] == pg->touched[i - 1])
			continue;
		e = seq_find(pg, sk.seq);
		if (e)
			err = bpf_map_update(r->m.seqs, &sk, &e->v, BPF_ANY);
		else if ((err = bpf_map_delete(r->m.seqs, &sk)) == -ENOENT)
			err = 0;	/* not stored: the map was full */
	}
	pg->ntouched = 0;
	if (err)
		say_err("program %s: cannot restore the profile: %s", pg->name, strerror(-err));
	pg->has_dirty = 0;
	return err;
}

/* Step 4: the rows map holds exactly the snapshots. */
static int check_rows(struct replay *r)
{
	struct ebph_row_key rk, next;
	__u8 row[EBPH_NUM_SYSCALLS];
	size_t want = 0, have = 0, i;
	int err, c, s;

	for (i = 0; i < r->nprogs; i++)
		for (s = 0; s < 2; s++)
			for (c = 0; c < EBPH_NUM_SYSCALLS; c++)
				want += r->progs[i].snap.rows[s][c] != NULL;
	for (err = bpf_map_next_key(r->m.rows, NULL, &next); !err;
	     err = bpf_map_next_key(r->m.rows, &rk, &next)) {
		__u8 *snap = NULL;

		rk = next;
		for (i = 0; i < r->nprogs; i++)
			if (r->progs[i].key == rk.profile && rk.call < EBPH_NUM_SYSCALLS &&
			    rk.set <= EBPH_TEST)
				snap = r->progs[i].snap.rows[rk.set][rk.call];
		if (!snap || bpf_map_lookup(r->m.rows, &rk, row) ||
		    memcmp(row, snap, sizeof(row))) {
			say_err("the %s row of call %u of profile %llx changed while testing: the verdicts would depend on the order of the traces; is %s from another version?",
				rk.set == EBPH_TEST ? "test" : "train", rk.call,
				(unsigned long long)rk.profile, r->object);
			return -EPROTO;
		}
		have++;
	}
	if (have != want) {
		say_err("%zu rows after testing, %zu in the normal profiles: a row was deleted while testing; is %s from another version?",
			have, want, r->object);
		return -EPROTO;
	}
	return 0;
}

/* Step 4 for the sequences: the seqs map holds exactly the snapshots. */
static int check_seqs(struct replay *r)
{
	struct ebph_seq_key sk, next;
	size_t want = 0, have = 0, i;
	char calls[64];
	int err;

	for (i = 0; i < r->nprogs; i++)
		want += r->progs[i].nseqs;
	for (err = bpf_map_next_key(r->m.seqs, NULL, &next); !err;
	     err = bpf_map_next_key(r->m.seqs, &sk, &next)) {
		struct program *pg = program_of(r, next.profile);
		const struct seq_elem *e = NULL;
		struct ebph_seq v;

		sk = next;
		if (pg)
			e = seq_find(pg, sk.seq);
		err = bpf_map_lookup(r->m.seqs, &sk, &v);
		if (err)
			break;
		if (!e) {
			say_err("the sequence %s of profile %llx was learned while testing and is still there: the verdicts would depend on the order of the traces; is %s from another version?",
				seq_str(calls, sizeof(calls), sk.seq),
				(unsigned long long)sk.profile, r->object);
			return -EPROTO;
		}
		if (memcmp(&v, &e->v, sizeof(v))) {
			say_err("the sequence %s of profile %llx changed while testing (stamp %u, prev %u; %u, %u when made normal): the verdicts would depend on the order of the traces; is %s from another version?",
				seq_str(calls, sizeof(calls), sk.seq),
				(unsigned long long)sk.profile, v.stamp, v.prev,
				e->v.stamp, e->v.prev, r->object);
			return -EPROTO;
		}
		have++;
	}
	if (err != -ENOENT) {
		say_err("cannot read the seqs map: %s", strerror(-err));
		return err;
	}
	if (have != want) {
		say_err("%zu sequences after testing, %zu in the normal profiles: a sequence was deleted while testing; is %s from another version?",
			have, want, r->object);
		return -EPROTO;
	}
	return 0;
}

static int train(struct replay *r)
{
	size_t i;
	int err;

	for (i = 0; i < r->ntraces; i++) {
		struct trace *t = &r->traces[i];

		if (t->set != SET_TRAIN)
			continue;
		err = run_trace(r, t);
		if (err)
			return err;
		r->progs[t->prog].ntrain++;
	}
	return 0;
}

static int test(struct replay *r)
{
	size_t i;
	int err, c;

	err = config_write(r, NEVER_NS, UINT32_MAX, UINT32_MAX);
	if (err)
		return err;
	for (i = 0; i < r->ntraces; i++) {
		struct trace *t = &r->traces[i];
		struct program *pg = &r->progs[t->prog];
		struct ebph_profile p;

		if (t->set == SET_TRAIN)
			continue;
		if (pg->has_dirty && (err = restore(r, pg)))
			return err;
		err = run_trace(r, t);
		if (err)
			return err;
		if (r->detectors & EBPH_DET_PAIRS)
			for (c = 0; c < (int)t->n; c++)
				if (t->calls[c] < EBPH_NR_LIMIT)
					pg->dirty[t->calls[c]] = 1;
		if (r->detectors & EBPH_DET_SEQS)
			seqs_touched(pg, t);
		pg->has_dirty = 1;
		/* A detector that is off must not miss (nor learn: see
		 * normalize() and seqs_snapshot()). */
		if ((!(r->detectors & EBPH_DET_PAIRS) && t->misses) ||
		    (!(r->detectors & EBPH_DET_SEQS) && t->seq_misses)) {
			say_err("%s: %s missed with the %s detector alone: %s does not honour the detectors it is given",
				t->name, t->misses ? "lookahead pairs" : "sequences",
				ebph_detectors_name(r->detectors), r->object);
			return -EPROTO;
		}
		/* With the limits out of reach nothing may change state... */
		if (t->normal || t->stopped || t->tolerized) {
			say_err("%s: the profile changed state while tested (made normal %u times, stopped %u, tolerized %u): %s does not honour the settings replay relies on",
				t->name, t->normal, t->stopped, t->tolerized, r->object);
			return -EPROTO;
		}
		/* ...and the events and the profile's counter must agree: a
		 * lost event would be a missed anomaly. */
		if (bpf_map_lookup(r->m.profiles, &pg->key, &p) ||
		    p.anomalies != t->anomalies || !(p.status & EBPH_NORMAL)) {
			say_err("%s: %u anomaly events, the profile counted %u (status %u): events lost?",
				t->name, t->anomalies, p.anomalies, p.status);
			return -EPROTO;
		}
	}
	for (i = 0; i < r->nprogs; i++)
		if (r->progs[i].has_dirty && (err = restore(r, &r->progs[i])))
			return err;
	if ((err = check_rows(r)))
		return err;
	return check_seqs(r);
}

static int save_profiles(struct replay *r)
{
	struct ebph_snapshot s;
	__s64 boot_to_real;
	struct timespec rt, bt;
	size_t i, j;
	int err;

	err = profile_dir_create(r->save_dir);
	if (err) {
		say_err("cannot create %s: %s", r->save_dir, strerror(-err));
		return err;
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	boot_to_real = (rt.tv_sec - bt.tv_sec) * 1000000000LL + rt.tv_nsec - bt.tv_nsec;
	err = ebph_snapshot_read(&r->m, &s);
	if (err) {
		say_err("cannot read the profiles: %s", strerror(-err));
		return err;
	}
	for (i = 0; i < s.n && !err; i++) {
		for (j = 0; j < r->nprogs; j++)
			if (r->progs[j].key == s.recs[i].prof.key)
				snprintf(s.recs[i].path, sizeof(s.recs[i].path), "%s",
					 r->progs[j].name);
		err = profile_save(r->save_dir, &s.recs[i], boot_to_real);
		if (err)
			say_err("cannot save profile %s in %s: %s", s.recs[i].path,
				r->save_dir, strerror(-err));
	}
	ebph_snapshot_free(&s);
	return err;
}

/* ---- scores and ROC ------------------------------------------------------------ */

/*
 * A trace's score; a trace is flagged when its score is at or above a
 * threshold.  Max LFC is pH's own measure (the tolerize and, in pH, the
 * delay response act on it); the count of anomalous calls is the
 * simplest; the rate divides the count by the trace's length.
 */
enum { SCORE_LFC, SCORE_COUNT, SCORE_RATE, NR_SCORES };
static const char *score_name[NR_SCORES] = { "max LFC", "anomalous calls", "anomaly rate" };
static const char *score_csv[NR_SCORES] = { "max_lfc", "anomalous_calls", "anomaly_rate" };

static double score(const struct trace *t, int kind)
{
	switch (kind) {
	case SCORE_LFC:
		return t->max_lfc;
	case SCORE_COUNT:
		return t->anomalies;
	default:
		return t->n ? (double)t->anomalies / t->n : 0;
	}
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

struct roc_point {
	double thr;		/* flagged: score >= thr */
	double tpr, fpr;
};

struct roc {
	struct roc_point *pts;	/* from (0,0) up to (1,1), thresholds falling */
	size_t n;
	double auc;
	struct roc_point op;	/* highest threshold with tpr >= 0.9 */
};

/*
 * ROC of POS (attack scores) against NEG (normal scores): one point per
 * distinct score, from the highest threshold (nothing flagged, (0,0))
 * down to the lowest (everything flagged, (1,1)).  AUC by trapezoids,
 * which counts a tie between an attack and a normal trace as half.
 */
static void roc_compute(double *pos, size_t np, double *neg, size_t nn, struct roc *out)
{
	size_t i = 0, j = 0;

	memset(out, 0, sizeof(*out));
	qsort(pos, np, sizeof(*pos), cmp_desc);
	qsort(neg, nn, sizeof(*neg), cmp_desc);
	out->pts = xrealloc(NULL, (np + nn + 1) * sizeof(*out->pts));
	out->pts[out->n++] = (struct roc_point){ INFINITY, 0, 0 };
	out->op = (struct roc_point){ NAN, NAN, NAN };
	while (i < np || j < nn) {
		double t = i < np && (j >= nn || pos[i] >= neg[j]) ? pos[i] : neg[j];
		struct roc_point *prev = &out->pts[out->n - 1], *pt;

		while (i < np && pos[i] >= t)
			i++;
		while (j < nn && neg[j] >= t)
			j++;
		pt = &out->pts[out->n++];
		pt->thr = t;
		pt->tpr = np ? (double)i / np : 0;
		pt->fpr = nn ? (double)j / nn : 0;
		out->auc += (pt->fpr - prev->fpr) * (pt->tpr + prev->tpr) / 2;
		if (isnan(out->op.thr) && pt->tpr >= 0.9)
			out->op = *pt;
	}
}

/* Detection rate of the traces of FAMILY (NULL: all attacks) at THR. */
static double rate_at(struct replay *r, int set, const char *family, int kind,
		      double thr, size_t *count)
{
	size_t i, n = 0, hit = 0;

	for (i = 0; i < r->ntraces; i++) {
		const struct trace *t = &r->traces[i];

		if (t->set != set || (family && strcmp(t->family, family)))
			continue;
		n++;
		hit += score(t, kind) >= thr;
	}
	if (count)
		*count = n;
	return n ? (double)hit / n : NAN;
}

static void roc_of(struct replay *r, const char *family, int kind, struct roc *out)
{
	double *pos = xrealloc(NULL, r->ntraces * sizeof(double));
	double *neg = xrealloc(NULL, r->ntraces * sizeof(double));
	size_t i, np = 0, nn = 0;

	for (i = 0; i < r->ntraces; i++) {
		const struct trace *t = &r->traces[i];

		if (t->set == SET_ATTACK && (!family || !strcmp(t->family, family)))
			pos[np++] = score(t, kind);
		else if (t->set == SET_NORMAL)
			neg[nn++] = score(t, kind);
	}
	roc_compute(pos, np, neg, nn, out);
	free(pos);
	free(neg);
}

/* ---- output -------------------------------------------------------------------- */

static void fmt_thr(char *buf, size_t len, int kind, double thr)
{
	if (isnan(thr))
		snprintf(buf, len, "-");
	else if (isinf(thr))
		snprintf(buf, len, "none");
	else if (kind == SCORE_RATE)
		snprintf(buf, len, ">= %.4f", thr);
	else
		snprintf(buf, len, ">= %.0f", thr);
}

static void pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", 100 * v);
}

/* CSV field: quoted when it holds a comma, a quote or a newline. */
static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_csv(struct replay *r)
{
	FILE *f = fopen(r->csv, "w");
	size_t i;

	if (!f) {
		say_err("%s: %s", r->csv, strerror(errno));
		return -1;
	}
	/* New columns go last: readers index the old ones. */
	fprintf(f, "set,program,family,trace,calls,anomalous_calls,misses,max_lfc,anomaly_rate,tolerized,stopped_normal,started_normal,seq_misses,detector,intrusion\n");
	for (i = 0; i < r->ntraces; i++) {
		const struct trace *t = &r->traces[i];

		fprintf(f, "%s,", set_name[t->set]);
		csv_str(f, r->progs[t->prog].name);
		fputc(',', f);
		csv_str(f, t->family);
		fputc(',', f);
		csv_str(f, t->name);
		fprintf(f, ",%zu,%u,%llu,%u,%.6f,%u,%u,%u,%u,%s,", t->n, t->anomalies,
			(unsigned long long)t->misses, t->max_lfc, score(t, SCORE_RATE),
			t->tolerized, t->stopped, t->normal, t->seq_misses,
			ebph_detectors_name(r->detectors));
		/* The intrusion an attack trace belongs to (--intrusion-unit). */
		csv_str(f, t->unit >= 0 ? r->units[t->unit] : "");
		fputc('\n', f);
	}
	if (fclose(f)) {
		say_err("%s: %s", r->csv, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_roc_csv(struct replay *r, struct roc rocs[NR_SCORES])
{
	FILE *f = fopen(r->roc_csv, "w");
	size_t i;
	int k;

	if (!f) {
		say_err("%s: %s", r->roc_csv, strerror(errno));
		return -1;
	}
	fprintf(f, "score,threshold,detection_rate,false_positive_rate,detector\n");
	for (k = 0; k < NR_SCORES; k++)
		for (i = 0; i < rocs[k].n; i++) {
			char thr[32] = "inf";	/* the first point: nothing flagged */

			if (!isinf(rocs[k].pts[i].thr))
				snprintf(thr, sizeof(thr), "%.6g", rocs[k].pts[i].thr);
			fprintf(f, "%s,%s,%.6f,%.6f,%s\n", score_csv[k], thr,
				rocs[k].pts[i].tpr, rocs[k].pts[i].fpr,
				ebph_detectors_name(r->detectors));
		}
	if (fclose(f)) {
		say_err("%s: %s", r->roc_csv, strerror(errno));
		return -1;
	}
	return 0;
}

static void print_traces(struct replay *r)
{
	size_t i;

	printf("%-8s %-44s %6s %6s %4s\n", "set", "trace", "calls", "anom", "LFC");
	for (i = 0; i < r->ntraces; i++) {
		const struct trace *t = &r->traces[i];
		const char *name = t->name;
		size_t len = strlen(name);

		if (len > 44)
			name += len - 44;
		printf("%-8s %-44s %6zu %6u %4u", set_name[t->set], name, t->n,
		       t->anomalies, t->max_lfc);
		if (t->tolerized || t->stopped || t->normal)
			printf("  (normal %u, tolerized %u, stopped %u)", t->normal,
			       t->tolerized, t->stopped);
		putchar('\n');
	}
	putchar('\n');
}

static void print_sets(struct replay *r)
{
	int s;

	printf("%-10s %7s %9s %15s %10s %7s\n", "set", "traces", "calls",
	       "with anomalies", "anomalous", "LFC>12");
	for (s = 0; s < NR_SETS; s++) {
		size_t i, n = 0, flagged = 0, lfc = 0;
		__u64 calls = 0, anom = 0;
		char buf[32];

		for (i = 0; i < r->ntraces; i++) {
			const struct trace *t = &r->traces[i];

			if (t->set != s)
				continue;
			n++;
			calls += t->n;
			anom += t->anomalies;
			flagged += t->anomalies > 0;
			lfc += t->max_lfc > EBPH_TOLERIZE_LIMIT;
		}
		if (!n)
			continue;
		snprintf(buf, sizeof(buf), "%zu (%.1f%%)", flagged, 100.0 * flagged / n);
		printf("%-10s %7zu %9llu %15s %10llu %7zu\n", set_name[s], n,
		       (unsigned long long)calls, buf, (unsigned long long)anom, lfc);
	}
}

/* Detection and false positive rates at THR: a point of ROC, found. */
static void roc_at(const struct roc *roc, double thr, double *tpr, double *fpr)
{
	size_t i;

	*tpr = *fpr = 0;
	for (i = 0; i < roc->n && roc->pts[i].thr >= thr; i++) {
		*tpr = roc->pts[i].tpr;
		*fpr = roc->pts[i].fpr;
	}
}

/* Per score: its AUC and the operating point, the highest threshold
 * with 90% detection. */
static void print_scores(struct roc rocs[NR_SCORES])
{
	int k;

	printf("\nA test trace is flagged when its score reaches the threshold.\n");
	printf("%-16s %6s  %s\n", "", "", "highest threshold with 90% detection");
	printf("%-16s %6s  %12s %10s %13s\n", "score", "AUC", "threshold",
	       "detection", "false pos.");
	for (k = 0; k < NR_SCORES; k++) {
		char thr[32], d[16], f[16];

		fmt_thr(thr, sizeof(thr), k, rocs[k].op.thr);
		pct(d, sizeof(d), rocs[k].op.tpr);
		pct(f, sizeof(f), rocs[k].op.fpr);
		printf("%-16s %6.3f  %12s %10s %13s\n", score_name[k], rocs[k].auc,
		       thr, d, f);
	}
	/* Every score is above 0 exactly when the trace has an anomalous
	 * call; reaching 90% only at threshold 0 is flagging every trace. */
	if (rocs[SCORE_LFC].op.thr <= 0) {
		double tpr, fpr;

		roc_at(&rocs[SCORE_LFC], 1, &tpr, &fpr);
		printf("Only %.1f%% of attack traces (and %.1f%% of normal ones) have an anomalous\n"
		       "call: 90%% detection is reached only by flagging every trace.\n",
		       100 * tpr, 100 * fpr);
	}
}

/* The ROC in words: a few thresholds of each integer score, side by
 * side, in traces and in intrusions; 13 is the first LFC over the
 * default tolerize limit. */
static const double lfc_thr[] = { 1, 2, 3, 4, 6, 8, 10, 13, 16, 24, 32, 64 };
static const double cnt_thr[] = { 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128, 256 };
#define NR_ROC_ROWS	(sizeof(lfc_thr) / sizeof(lfc_thr[0]))

static void print_roc_points(struct roc rocs[NR_SCORES])
{
	size_t i;

	printf("\nROC points, detection / false positives:\n");
	printf("%12s %10s %12s   %18s %10s %12s\n", "max LFC", "detection",
	       "false pos.", "anomalous calls", "detection", "false pos.");
	for (i = 0; i < NR_ROC_ROWS; i++) {
		double t1, f1, t2, f2;

		roc_at(&rocs[SCORE_LFC], lfc_thr[i], &t1, &f1);
		roc_at(&rocs[SCORE_COUNT], cnt_thr[i], &t2, &f2);
		printf("%9s%3.0f %9.1f%% %11.1f%%   %15s%3.0f %9.1f%% %11.1f%%\n",
		       ">= ", lfc_thr[i], 100 * t1, 100 * f1,
		       ">= ", cnt_thr[i], 100 * t2, 100 * f2);
	}
}

#define MAX_FAMILIES	64

/* The attack families, in order of first appearance, into FAM (at most
 * MAX_FAMILIES); returns how many. */
static size_t attack_families(struct replay *r, char fam[MAX_FAMILIES][64])
{
	size_t nfam = 0, i, j;

	for (i = 0; i < r->ntraces && nfam < MAX_FAMILIES; i++) {
		const struct trace *t = &r->traces[i];

		if (t->set != SET_ATTACK)
			continue;
		for (j = 0; j < nfam && strcmp(fam[j], t->family); j++)
			;
		if (j == nfam)
			snprintf(fam[nfam++], sizeof(fam[0]), "%s", t->family);
	}
	return nfam;
}

/* Per attack family, when there are two or more: each against all the
 * normal test traces. */
static void print_families(struct replay *r, struct roc rocs[NR_SCORES])
{
	char fam[MAX_FAMILIES][64];
	size_t nfam = attack_families(r, fam), j;

	if (nfam < 2)
		return;
	printf("\nPer attack family (AUC against all normal test traces; the 90%% points\n"
	       "are those of all attacks, by max LFC and by anomaly rate):\n");
	printf("%-18s %6s %9s %9s %9s %9s %9s %9s %9s\n", "", "", "any", "max LFC",
	       "at 90%", "AUC", "AUC", "rate at", "AUC");
	printf("%-18s %6s %9s %9s %9s %9s %9s %9s %9s\n", "family", "traces", "anomaly",
	       "> 12", "point", "max LFC", "count", "90%", "rate");
	for (j = 0; j < nfam; j++) {
		struct roc fl, fc, fr;
		char any[16], tol[16], op[16], opr[16];
		size_t n;

		roc_of(r, fam[j], SCORE_LFC, &fl);
		roc_of(r, fam[j], SCORE_COUNT, &fc);
		roc_of(r, fam[j], SCORE_RATE, &fr);
		pct(any, sizeof(any), rate_at(r, SET_ATTACK, fam[j], SCORE_LFC, 1, &n));
		pct(tol, sizeof(tol), rate_at(r, SET_ATTACK, fam[j], SCORE_LFC,
					      EBPH_TOLERIZE_LIMIT + 1, NULL));
		pct(op, sizeof(op), rate_at(r, SET_ATTACK, fam[j], SCORE_LFC,
					    rocs[SCORE_LFC].op.thr, NULL));
		pct(opr, sizeof(opr), rate_at(r, SET_ATTACK, fam[j], SCORE_RATE,
					      rocs[SCORE_RATE].op.thr, NULL));
		printf("%-18.18s %6zu %9s %9s %9s %9.3f %9.3f %9s %9.3f\n", fam[j], n,
		       any, tol, op, fl.auc, fc.auc, opr, fr.auc);
		free(fl.pts);
		free(fc.pts);
		free(fr.pts);
	}
}

/* ---- intrusions ------------------------------------------------------------------ */

/*
 * The figures again with the intrusion as the unit of detection, the
 * way the literature counts: an intrusion is detected at a threshold
 * when any of its traces is flagged there, so its score is the highest
 * of its traces' scores.  A false alarm is a flagged normal trace,
 * counted per normal trace (the false positive rate of the tables
 * above) and per 1,000 normal calls, which does not depend on how a
 * data set cuts its normal behaviour into traces.
 */
struct intrusions {
	double *best[NR_SCORES];	/* per intrusion, its highest score */
	double *neg[NR_SCORES];		/* per normal trace, its score */
	int *family;			/* per intrusion, its first trace's
					 * family: an index in fam[] */
	size_t n, nneg;
	unsigned long long neg_calls;
	char fam[MAX_FAMILIES][64];
	size_t nfam;
	struct roc roc[NR_SCORES];	/* intrusions against normal traces */
};

static void intrusions_compute(struct replay *r, struct intrusions *in)
{
	double *pos;
	size_t i, f;
	int k;

	memset(in, 0, sizeof(*in));
	in->n = r->nunits;
	in->nfam = attack_families(r, in->fam);
	in->family = xrealloc(NULL, in->n * sizeof(*in->family));
	for (k = 0; k < NR_SCORES; k++) {
		in->best[k] = xrealloc(NULL, in->n * sizeof(double));
		in->neg[k] = xrealloc(NULL, r->nset[SET_NORMAL] * sizeof(double));
		for (i = 0; i < in->n; i++)
			in->best[k][i] = -INFINITY;
	}
	for (i = 0; i < r->ntraces; i++) {
		const struct trace *t = &r->traces[i];

		if (t->set == SET_NORMAL) {
			for (k = 0; k < NR_SCORES; k++)
				in->neg[k][in->nneg] = score(t, k);
			in->nneg++;
			in->neg_calls += t->n;
		}
		if (t->set != SET_ATTACK || t->unit < 0)
			continue;
		if (in->best[0][t->unit] == -INFINITY) {
			for (f = 0; f < in->nfam && strcmp(in->fam[f], t->family); f++)
				;
			in->family[t->unit] = f;	/* nfam: past MAX_FAMILIES */
		}
		for (k = 0; k < NR_SCORES; k++)
			if (score(t, k) > in->best[k][t->unit])
				in->best[k][t->unit] = score(t, k);
	}
	/* roc_compute() sorts what it is given: it gets copies. */
	pos = xrealloc(NULL, in->n * sizeof(double));
	for (k = 0; k < NR_SCORES; k++) {
		double *neg = xrealloc(NULL, in->nneg * sizeof(double));

		memcpy(pos, in->best[k], in->n * sizeof(double));
		memcpy(neg, in->neg[k], in->nneg * sizeof(double));
		roc_compute(pos, in->n, neg, in->nneg, &in->roc[k]);
		free(neg);
	}
	free(pos);
}

static void intrusions_free(struct intrusions *in)
{
	int k;

	for (k = 0; k < NR_SCORES; k++) {
		free(in->best[k]);
		free(in->neg[k]);
		free(in->roc[k].pts);
	}
	free(in->family);
}

/* How many of V[0..N) are flagged at THR; of the intrusions of family
 * FAM only, unless FAM is negative. */
static size_t flagged_at(const double *v, size_t n, double thr,
			 const int *family, int fam, size_t *of)
{
	size_t i, hit = 0, all = 0;

	for (i = 0; i < n; i++) {
		if (fam >= 0 && family[i] != fam)
			continue;
		all++;
		hit += v[i] >= thr;
	}
	if (of)
		*of = all;
	return hit;
}

/* Score KIND at THR: the intrusions detected, "k of n" into K, and the
 * false alarms per normal trace and per 1,000 normal calls. */
static void alarms_at(const struct intrusions *in, int kind, double thr,
		      char k[32], double *per_trace, double *per_1000)
{
	size_t hit = flagged_at(in->best[kind], in->n, thr, NULL, -1, NULL);
	size_t fa = flagged_at(in->neg[kind], in->nneg, thr, NULL, -1, NULL);

	snprintf(k, 32, "%zu of %zu", hit, in->n);
	*per_trace = in->nneg ? (double)fa / in->nneg : NAN;
	*per_1000 = in->neg_calls ? 1000.0 * fa / in->neg_calls : NAN;
}

/* The columns the first two tables below end with. */
static void print_alarms(const struct intrusions *in, int kind, double thr)
{
	double per_trace, per_1000;
	char k[32], f[16];

	alarms_at(in, kind, thr, k, &per_trace, &per_1000);
	pct(f, sizeof(f), per_trace);
	printf(" %11s %13s %16.3f\n", k, f, per_1000);
}

/* At the trace tables' 90% point, and the intrusions' own 100% and 90%
 * points, per score. */
static void print_intrusion_points(const struct intrusions *in, struct roc rocs[NR_SCORES])
{
	char thr[32];
	size_t i;
	int k;

	printf("At the 90%% point of the traces above:\n");
	printf("%-16s %12s %11s %13s %16s\n", "score", "threshold", "intrusions",
	       "false alarms", "per 1,000 calls");
	for (k = 0; k < NR_SCORES; k++) {
		fmt_thr(thr, sizeof(thr), k, rocs[k].op.thr);
		printf("%-16s %12s", score_name[k], thr);
		print_alarms(in, k, rocs[k].op.thr);
	}
	printf("\nBy intrusion: AUC, and the highest threshold that detects all of them, then 90%%:\n");
	printf("%-16s %6s %-7s %12s %11s %13s %16s\n", "score", "AUC", "detects",
	       "threshold", "intrusions", "false alarms", "per 1,000 calls");
	for (k = 0; k < NR_SCORES; k++) {
		const struct roc *roc = &in->roc[k];

		/* The first point with every intrusion: (1,1) at worst. */
		for (i = 0; i < roc->n && roc->pts[i].tpr < 1; i++)
			;
		fmt_thr(thr, sizeof(thr), k, i < roc->n ? roc->pts[i].thr : NAN);
		printf("%-16s %6.3f %-7s %12s", score_name[k], roc->auc, "all", thr);
		print_alarms(in, k, i < roc->n ? roc->pts[i].thr : NAN);
		fmt_thr(thr, sizeof(thr), k, roc->op.thr);
		printf("%-16s %6s %-7s %12s", score_name[k], "", "90%", thr);
		print_alarms(in, k, roc->op.thr);
	}
}

/* The thresholds of print_roc_points(), in intrusions. */
static void print_intrusion_rows(const struct intrusions *in)
{
	size_t i;

	printf("\nROC points by intrusion: intrusions, false alarms per normal trace and per 1,000 calls:\n");
	printf("%12s %11s %10s %10s   %18s %11s %10s %10s\n", "max LFC", "intrusions",
	       "false al.", "per 1,000", "anomalous calls", "intrusions", "false al.",
	       "per 1,000");
	for (i = 0; i < NR_ROC_ROWS; i++) {
		double thr[2] = { lfc_thr[i], cnt_thr[i] };
		int kind[2] = { SCORE_LFC, SCORE_COUNT }, c;

		for (c = 0; c < 2; c++) {
			double per_trace, per_1000;
			char k[32];

			alarms_at(in, kind[c], thr[c], k, &per_trace, &per_1000);
			printf("%s%*s%3.0f %11s %9.1f%% %10.3f", c ? "   " : "", c ? 15 : 9,
			       ">= ", thr[c], k, 100 * per_trace, per_1000);
		}
		putchar('\n');
	}
}

/* Per attack family, when there are two or more: its intrusions
 * detected at each score's 90% point of the traces. */
static void print_intrusion_families(const struct intrusions *in, struct roc rocs[NR_SCORES])
{
	size_t f;
	int k;

	if (in->nfam < 2)
		return;
	printf("\nPer attack family, intrusions detected at the 90%% point of the traces:\n");
	printf("%-18s %16s %16s %16s\n", "family", score_name[SCORE_LFC],
	       score_name[SCORE_COUNT], score_name[SCORE_RATE]);
	for (f = 0; f < in->nfam; f++) {
		printf("%-18.18s", in->fam[f]);
		for (k = 0; k < NR_SCORES; k++) {
			size_t of, hit = flagged_at(in->best[k], in->n, rocs[k].op.thr,
						    in->family, f, &of);
			char buf[32];

			snprintf(buf, sizeof(buf), "%zu of %zu", hit, of);
			printf(" %16s", buf);
		}
		putchar('\n');
	}
}

static void print_intrusions(struct replay *r, struct roc rocs[NR_SCORES])
{
	static const char *what[] = { [UNIT_TRACE] = "each trace",
		[UNIT_FILE] = "the traces of a file", [UNIT_DIR] = "the traces of a directory" };
	struct intrusions in;

	intrusions_compute(r, &in);
	printf("\nIntrusions: %zu in %zu attack traces (--intrusion-unit %s: %s).\n",
	       in.n, r->nset[SET_ATTACK], unit_name[r->unit_mode], what[r->unit_mode]);
	printf("An intrusion is detected when any of its traces is flagged.  A false alarm\n"
	       "is a flagged normal trace: per normal trace (of %zu) and per 1,000 normal\n"
	       "calls (of %llu).\n", in.nneg, in.neg_calls);
	print_intrusion_points(&in, rocs);
	print_intrusion_rows(&in);
	print_intrusion_families(&in, rocs);
	intrusions_free(&in);
}

/* The sequences of profile P (key KEY) in its train and test sets. */
static void count_seqs(struct replay *r, __u64 key, const struct ebph_profile *p,
		       size_t *train, size_t *test)
{
	struct ebph_seq_key sk, next;
	int err;

	*train = *test = 0;
	for (err = bpf_map_next_key(r->m.seqs, NULL, &next); !err;
	     err = bpf_map_next_key(r->m.seqs, &sk, &next)) {
		struct ebph_seq v;

		sk = next;
		if (sk.profile != key || bpf_map_lookup(r->m.seqs, &sk, &v))
			continue;
		*train += ebph_seq_in_train(p, &v);
		*test += p->seq_test_to != p->seq_test_from && ebph_seq_in_test(p, &v);
	}
}

static void print_profiles(struct replay *r, int normalized)
{
	size_t i;

	for (i = 0; i < r->nprogs; i++) {
		const struct program *pg = &r->progs[i];
		struct ebph_profile p;
		int c, rows = 0, pairs = 0;
		size_t train, test;
		char learned[128], seqs[64] = "";

		if (bpf_map_lookup(r->m.profiles, &pg->key, &p))
			continue;
		/* What each detector that is on holds: the test set when
		 * made normal, else the train set. */
		count_seqs(r, pg->key, &p, &train, &test);
		if (r->detectors & EBPH_DET_SEQS)
			snprintf(seqs, sizeof(seqs), "%zu sequences of %d calls",
				 normalized ? test : train, EBPH_SEQ_CALLS);
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++) {
			struct ebph_row_key rk = { .profile = pg->key, .call = c,
						   .set = normalized ? EBPH_TEST : EBPH_TRAIN };
			__u8 row[EBPH_NUM_SYSCALLS];
			int b;

			if (bpf_map_lookup(r->m.rows, &rk, row))
				continue;
			rows++;
			for (b = 0; b < EBPH_NUM_SYSCALLS; b++)
				pairs += __builtin_popcount(row[b]);
		}
		if (r->detectors & EBPH_DET_PAIRS)
			snprintf(learned, sizeof(learned), "%d calls, %d lookahead pairs%s%s",
				 rows, pairs, *seqs ? ", " : "", seqs);
		else
			snprintf(learned, sizeof(learned), "%s", seqs);
		if (normalized)
			printf("profile %s: trained on %zu traces, made normal: %s\n",
			       pg->name, pg->ntrain, learned);
		else
			printf("profile %s: %zu traces, %llu calls; %s%s; %s learned\n",
			       pg->name, pg->ntrain, (unsigned long long)p.count,
			       p.status & EBPH_NORMAL ? "normal" : "training",
			       p.status & EBPH_FROZEN ? ", frozen" : "", learned);
	}
}

/* ---- command line ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph replay [OPTIONS] --adfa DIR\n"
"       ebph replay [OPTIONS] -t PATH... [-n PATH]... [-a PATH]...\n"
"Feed recorded system call traces through ebph's kernel program (a private,\n"
"unattached copy, run with BPF_PROG_TEST_RUN) and measure its detection.\n"
"\n"
"With test traces (--normal, --attack): train on the training traces, make\n"
"the profile normal, then judge every test trace against that same profile;\n"
"print per set, ROC and AUC, and the operating point at 90%% detection.\n"
"With training traces only: run them as a live system would (settings\n"
"below) and report what the program did; --save keeps the profiles.\n"
"\n"
"  -t, --train [PROG=]PATH   training traces: a file, or a directory (read\n"
"                            recursively); PROG names the program, whose\n"
"                            profile they train (default: one profile, all)\n"
"  -n, --normal [PROG=]PATH  normal test traces (false positives)\n"
"  -a, --attack [PROG=]PATH  attack test traces (detection); a subdirectory\n"
"                            is an attack family (Adduser_3 -> Adduser)\n"
"      --adfa DIR            ADFA-LD: --train DIR/Training_Data_Master\n"
"                            --normal DIR/Validation_Data_Master\n"
"                            --attack DIR/Attack_Data_Master\n"
"  -f, --format FMT          adfa (space-separated call numbers, one trace\n"
"                            per file), unm (\"PID CALL\" lines, a trace per\n"
"                            PID), or auto (default)\n"
"  -o, --object FILE         BPF object (default: ebph_kern.o beside ebph)\n"
"      --detector D          pairs (pH's lookahead pairs, the default), seqs\n"
"                            (the last 6 calls as one sequence, as STIDE),\n"
"                            seqs7 (the last 7 calls, anomalous when either\n"
"                            sequence of 6 in them misses) or both (pairs\n"
"                            and seqs, anomalous when either misses)\n"
"      --intrusion-unit U    what one intrusion is, detected when any of its\n"
"                            traces is flagged: trace, file (a UNM file's\n"
"                            PIDs together; the default) or dir (the traces\n"
"                            of a directory; the default with --adfa)\n"
"      --csv FILE            per-trace results as CSV\n"
"      --roc-csv FILE        the ROC points as CSV\n"
"      --save DIR            save the profiles (learn mode: as learned; with\n"
"                            test traces: as made normal)\n"
"  -w, --normal-wait TIME    learn mode: how long a frozen profile waits\n"
"                            before it becomes normal (default 1w; units\n"
"                            ms, s, m, h, d, w as for ebph run)\n"
"      --anomaly-limit N     learn mode (default %u)\n"
"      --tolerize-limit N    learn mode (default %u)\n"
"  -v, --verbose             a line per trace; twice: the loader's steps too\n"
"  -h, --help                this help\n"
"\n"
"Examples:\n"
"  sudo ebph replay --adfa ADFA-LD/           the ADFA-LD data set\n"
"  sudo ebph replay --adfa ADFA-LD/ --detector seqs\n"
"  sudo make evaluate                 each detector, docs/evaluation.md\n"
"  sudo ebph replay -t lpr=unm/lpr/train -n lpr=unm/lpr/normal \\\n"
"                   -a lpr=unm/lpr/exploit   a profile per program (UNM)\n"
"  sudo ebph replay -t traces/ -w 0 --save /tmp/profiles\n",
		EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT);
}

static int bad_usage(const char *fmt, const char *arg)
{
	return ebph_usage_error("replay", fmt, arg);
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end || *s == '-' || *v > max ? -1 : 0;
}

struct set_arg {
	int set;
	char *arg;		/* ours */
};

/* What the command holds besides struct replay. */
struct replay_args {
	struct set_arg *sets;
	size_t nsets;
	struct roc rocs[NR_SCORES];
};

/* One more --train, --normal or --attack PATH, for SET. */
static void add_set(struct replay_args *a, int set, const char *arg)
{
	a->sets = xrealloc(a->sets, (a->nsets + 1) * sizeof(*a->sets));
	a->sets[a->nsets].set = set;
	a->sets[a->nsets].arg = xstrdup(arg);
	a->nsets++;
}

/* --adfa DIR: ADFA-LD's three directories, one per set. */
static void add_adfa(struct replay *r, struct replay_args *a, const char *dir)
{
	static const char *sub[NR_SETS] = { "Training_Data_Master",
		"Validation_Data_Master", "Attack_Data_Master" };
	char path[PATH_MAX];
	int s;

	for (s = 0; s < NR_SETS; s++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[s]);
		add_set(a, s, path);
	}
	r->adfa = 1;
	r->format = FMT_ADFA;
}

enum { OPT_ADFA = 256, OPT_CSV, OPT_ROC_CSV, OPT_ANOMALY, OPT_TOLERIZE,
       OPT_DETECTOR, OPT_UNIT, OPT_SAVE };

/* Option C of getopt_long(), with ARG.  Returns -1 to go on, or the
 * exit status: 0 after -h, 2 for a bad value. */
static int parse_option(struct replay *r, struct replay_args *a, int c, char *arg)
{
	unsigned long long v;
	long long d;
	int u;

	switch (c) {
	case 't':
	case 'n':
	case 'a':
		add_set(a, c == 't' ? SET_TRAIN : c == 'n' ? SET_NORMAL : SET_ATTACK, arg);
		break;
	case OPT_ADFA:
		add_adfa(r, a, arg);
		break;
	case 'f':
		if (!strcmp(arg, "adfa"))
			r->format = FMT_ADFA;
		else if (!strcmp(arg, "unm"))
			r->format = FMT_UNM;
		else if (!strcmp(arg, "auto"))
			r->format = FMT_AUTO;
		else
			return bad_usage("unknown format '%s' (adfa, unm or auto)", arg);
		break;
	case 'o':
		free(r->object);
		r->object = xstrdup(arg);
		break;
	case OPT_DETECTOR:
		if (ebph_detectors_parse(arg, &r->detectors))
			return bad_usage("invalid --detector '%s' (pairs, seqs, seqs7 or both)", arg);
		break;
	case OPT_UNIT:
		for (u = UNIT_TRACE; u <= UNIT_DIR && strcmp(arg, unit_name[u]); u++)
			;
		if (u > UNIT_DIR)
			return bad_usage("invalid --intrusion-unit '%s' (trace, file or dir)", arg);
		r->unit_mode = u;
		break;
	case OPT_CSV:
		r->csv = arg;
		break;
	case OPT_ROC_CSV:
		r->roc_csv = arg;
		break;
	case OPT_SAVE:
		r->save_dir = arg;
		break;
	case 's':	/* -s is --save-interval */
		return ebph_option_moved("replay", c, "--save");
	case 'w':
		/* As `ebph run -w` takes it (ebph_util.c). */
		if ((d = parse_duration(arg)) < 0)
			return bad_usage("invalid --normal-wait '%s' (e.g. 0, 3s, 10m, 1w)", arg);
		r->normal_wait = d;
		break;
	case OPT_ANOMALY:
		if (parse_u64(arg, UINT32_MAX, &v))
			return bad_usage("invalid --anomaly-limit '%s'", arg);
		r->anomaly_limit = v;
		break;
	case OPT_TOLERIZE:
		if (parse_u64(arg, UINT32_MAX, &v))
			return bad_usage("invalid --tolerize-limit '%s'", arg);
		r->tolerize_limit = v;
		break;
	case 'v':
		r->verbose++;
		break;
	case 'h':
		usage(stdout);
		return 0;
	default:
		return ebph_try_help("replay");	/* getopt_long() said why */
	}
	return -1;
}

/* The command line into R and A, over the defaults.  Returns -1 to go
 * on, or the exit status. */
static int parse_args(struct replay *r, struct replay_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "train", required_argument, NULL, 't' },
		{ "normal", required_argument, NULL, 'n' },
		{ "attack", required_argument, NULL, 'a' },
		{ "adfa", required_argument, NULL, OPT_ADFA },
		{ "format", required_argument, NULL, 'f' },
		{ "object", required_argument, NULL, 'o' },
		{ "detector", required_argument, NULL, OPT_DETECTOR },
		{ "intrusion-unit", required_argument, NULL, OPT_UNIT },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "roc-csv", required_argument, NULL, OPT_ROC_CSV },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "normal-wait", required_argument, NULL, 'w' },
		{ "anomaly-limit", required_argument, NULL, OPT_ANOMALY },
		{ "tolerize-limit", required_argument, NULL, OPT_TOLERIZE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, ret;

	r->normal_wait = EBPH_NORMAL_WAIT;
	r->anomaly_limit = EBPH_ANOMALY_LIMIT;
	r->tolerize_limit = EBPH_TOLERIZE_LIMIT;
	r->detectors = EBPH_DET_PAIRS;	/* as `ebph run` */
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:n:a:f:o:s:w:vh", longopts, NULL)) != -1)
		if ((ret = parse_option(r, a, c, optarg)) >= 0)
			return ret;
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (!a->nsets)
		return bad_usage("%s", "no traces: give --adfa DIR, or --train PATH");
	if (r->unit_mode == UNIT_AUTO)
		r->unit_mode = r->adfa ? UNIT_DIR : UNIT_FILE;
	return -1;
}

/* Every trace, read before anything runs: a typo in the last path must
 * not cost the time of the first.  Each program needs training traces
 * for its test traces to be judged against. */
static int load_traces(struct replay *r, const struct replay_args *a)
{
	double t0 = now_s();
	size_t i;

	for (i = 0; i < a->nsets; i++)
		if (add_path(r, a->sets[i].set, a->sets[i].arg))
			return -1;
	warn_past_alphabet(r);
	for (i = 0; i < r->nprogs; i++) {
		size_t j, n = 0;

		for (j = 0; j < r->ntraces; j++)
			n += r->traces[j].prog == (int)i && r->traces[j].set == SET_TRAIN;
		if (!n) {
			say_err("program %s has test traces but no training traces", r->progs[i].name);
			return -1;
		}
	}
	if (r->verbose)
		fprintf(stderr, "%s: read %zu traces in %.2f s\n", prog, r->ntraces, now_s() - t0);
	return 0;
}

/*
 * The traces through the program.  Learn mode (no test traces): train
 * with the settings given, save if asked.  Evaluate mode: train, make
 * every profile normal and take the snapshot (steps 1 to 4 at the top:
 * normalize(), seqs_snapshot(), test()), save if asked, judge each test
 * trace.
 */
static int run_traces(struct replay *r, int testing)
{
	size_t i;
	int err;

	/* Training: in evaluate mode the profile must not become normal on
	 * its own half-way through the training set. */
	err = testing ? config_write(r, NEVER_NS, r->anomaly_limit, r->tolerize_limit)
		      : config_write(r, r->normal_wait, r->anomaly_limit, r->tolerize_limit);
	if (err || train(r))
		return -1;
	if (!testing)
		return r->save_dir && save_profiles(r) ? -1 : 0;
	for (i = 0; i < r->nprogs; i++)
		if (normalize(r, &r->progs[i]))
			return -1;
	if (seqs_snapshot(r))
		return -1;
	if (r->save_dir && save_profiles(r))
		return -1;
	return test(r) ? -1 : 0;
}

/* No figures from a run that missed something: a lost event is a
 * missed anomaly, a full map a pair or sequence not learned. */
static int check_complete(struct replay *r)
{
	if (r->lost) {
		say_err("%llu events lost: the counts would be wrong", (unsigned long long)r->lost);
		return -1;
	}
	if (r->unlearned) {
		say_err("the rows or seqs map was full %llu times: what the traces teach was not all learned, so the figures would not be the algorithm's",
			(unsigned long long)r->unlearned);
		return -1;
	}
	return 0;
}

/* The report: per trace (-v), per profile, per set, the ROC when there
 * are test traces of both kinds, and the CSV files asked for. */
static int report(struct replay *r, struct roc rocs[NR_SCORES], int testing)
{
	int k;

	if (r->verbose)
		print_traces(r);
	printf("ebph replay: %s, detector %s, %zu profile%s%s\n", r->object,
	       ebph_detectors_name(r->detectors), r->nprogs, r->nprogs == 1 ? "" : "s",
	       r->adfa ? " (ADFA-LD names no programs: one shared profile)" : "");
	print_profiles(r, testing);
	putchar('\n');
	print_sets(r);
	if (r->nset[SET_NORMAL] && r->nset[SET_ATTACK]) {
		for (k = 0; k < NR_SCORES; k++)
			roc_of(r, NULL, k, &rocs[k]);
		print_scores(rocs);
		print_roc_points(rocs);
		print_families(r, rocs);
		print_intrusions(r, rocs);
		if (r->roc_csv && write_roc_csv(r, rocs))
			return -1;
	} else if (r->roc_csv) {
		say_err("no ROC without both normal and attack test traces");
		return -1;
	}
	if (r->csv && write_csv(r))
		return -1;
	printf("\n%llu calls replayed in %.2f s (%.2f us per call)\n",
	       (unsigned long long)r->calls_run, r->run_secs,
	       r->calls_run ? 1e6 * r->run_secs / r->calls_run : 0.0);
	return 0;
}

/* The life cycle: options, traces, the kernel program, the run, the
 * checks, the report. */
static int replay_main(struct replay *r, struct replay_args *a, int argc, char **argv)
{
	int ret, testing;

	if ((ret = parse_args(r, a, argc, argv)) >= 0)
		return ret;
	if (load_traces(r, a))
		return 1;
	testing = r->nset[SET_NORMAL] || r->nset[SET_ATTACK];
	if (geteuid() != 0) {
		say_err("must run as root: it loads BPF programs");
		return 1;
	}
	r->pid = getpid();
	r->tid = syscall(SYS_gettid);
	ret = 1;
	if (!kernel_open(r) && !run_traces(r, testing) && !check_complete(r) &&
	    !report(r, a->rocs, testing))
		ret = 0;
	kernel_close(r);
	return ret;
}

/* Everything replay_main() allocated: a sanitizer build checks for leaks,
 * and a leak here would hide one elsewhere. */
static void replay_free(struct replay *r, struct replay_args *a)
{
	size_t i;

	for (i = 0; i < r->ntraces; i++) {
		free(r->traces[i].name);
		free(r->traces[i].family);
		free(r->traces[i].calls);
	}
	free(r->traces);
	for (i = 0; i < r->nunits; i++)
		free(r->units[i]);
	free(r->units);
	for (i = 0; i < r->nprogs; i++) {
		free(r->progs[i].name);
		profile_rec_free(&r->progs[i].snap);
		free(r->progs[i].seqs);
		free(r->progs[i].touched);
	}
	free(r->progs);
	free(r->object);
	for (i = 0; i < a->nsets; i++)
		free(a->sets[i].arg);
	free(a->sets);
	for (i = 0; i < NR_SCORES; i++)
		free(a->rocs[i].pts);
	free(r);
}

int cmd_replay(int argc, char **argv)
{
	struct replay_args a = { 0 };
	struct replay *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return 1;
	ret = replay_main(r, &a, argc, argv);
	replay_free(r, &a);
	return ret;
}
