// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_rules.c - one rule for each change of a profile's state:
 * the kernel program, the commands and replay must leave a profile in
 * the same state after each one (ebph.h, state changes of a profile).
 *
 * ebph_kern.o is loaded (never attached), as in test_kern.c, and a
 * profile is trained by running sys_enter with BPF_PROG_TEST_RUN on a
 * trace of calls made by this thread.  That state (the profile, its rows
 * and sequences, our task) is where each comparison starts from, for
 * each detector setting (pairs, sequences, both):
 *
 *   kernel   the state written back, then one call that makes the kernel
 *            change it: a frozen profile past its normal_time (start
 *            normal), an anomaly over the anomaly limit (stop normal), a
 *            locality frame over the tolerize limit (reset training);
 *   command  the state written back, the same call with that change out
 *            of reach (normal_time still to come, the limit at its
 *            maximum), then cmd_apply() on the same maps: normalize,
 *            tolerize, sensitize.
 *
 * The two profiles must then be equal field by field, and their rows
 * and sequences element by element.  normal_time alone is compared with
 * what it was before: the rule keeps it, and it had to differ for the
 * same call to start normal in one path and not in the other.
 *
 *   replay   `ebph replay` trains on the same trace in a copy of the
 *            program of its own, makes the profile normal as it does
 *            before testing, and saves it (--save); the file must hold
 *            what normalize made of the same training here, normal_time
 *            included (both froze a century ahead, within seconds).
 *
 * cmd_apply() tells a running ebph of each change (cmd_audit()); this
 * test runs in a mount namespace of its own with an empty /run, so that
 * an ebph running on the machine is not told of changes to maps not its
 * own.  Needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "ebph.h"
#include "ebph_cmd.h"
#include "ebph_maps.h"
#include "profile_store.h"
#include "test.h"

#define OBJ_PATH	"ebph_kern.o"
#define FOREIGN		300	/* a call the trace never makes */
/* Replay's normal wait while it trains for testing (NEVER_NS there). */
#define CENTURY_NS	(100ULL * 366 * 86400 * 1000000000ULL)
/* The profile replay makes of its first program (REPLAY_KEY(0)). */
#define REPLAY_KEY0	(0x7265706cULL << 32)

/* Profile keys no real executable has: dev 0xebebec is not a device. */
#define KEY(n)		(0xebebec00ULL << 32 | (n))

static struct ld_obj obj;
static struct ebph_maps m;
static struct ebph_config cfg;
static int prog_fd;
static __u32 my_pid, my_tid;
static char tmp[] = "/tmp/ebph-rules.XXXXXX";
static int made_tmp;

/*
 * The trace: ten calls, then a cycle of three.  Its pairs and sequences
 * are all learned within the first cycles; the rest only ages them, and
 * the profile freezes.  After TRACE_LEN calls the next one, TRACE_NEXT,
 * is known: it adds no pair and no sequence.
 */
#define TRACE_LEN	160
#define TRACE_NEXT	trace_call(TRACE_LEN)

static __u32 trace_call(int i)
{
	static const __u32 head[10] = { 59, 12, 9, 21, 257, 0, 3, 5, 9, 10 };
	static const __u32 cycle[3] = { 0, 1, 39 };

	return i < 10 ? head[i] : cycle[(i - 10) % 3];
}

/* ---- the program and its maps --------------------------------------------- */

static void config_set(__u32 det, __u64 normal_wait, __u32 anomaly_limit,
		       __u32 tolerize_limit)
{
	__u32 zero = 0;

	cfg.monitoring = 1;
	cfg.detectors = det;
	cfg.normal_wait = normal_wait;
	cfg.anomaly_limit = anomaly_limit;
	cfg.tolerize_limit = tolerize_limit;
	cfg.owner_quota = EBPH_OWNER_QUOTA;
	cfg.users_max = EBPH_USERS_MAX;
	CHECK(bpf_map_update(m.config, &zero, &cfg, BPF_ANY), "cannot write the config map");
}

/* Run sys_enter once, as if this thread made system call CALL. */
static void run(__u64 call)
{
	__u64 ctx[2] = { 0, call };
	__u32 retval = ~0U;
	int err = bpf_prog_run_once(prog_fd, ctx, sizeof(ctx), &retval);

	/* A failure counts, a pass does not: the calls are not checks. */
	if (err || retval) {
		printf("FAIL %s: BPF_PROG_TEST_RUN: %s, retval %u\n", test_name,
		       strerror(-err), retval);
		test_failed++;
	}
}

/* This thread, as a task that has just exec'd profile KEY, whose
 * profile, rows and sequences do not exist yet. */
static void fresh(__u64 key)
{
	struct ebph_task t = { .profile = key, .pid = my_pid, .tid = my_tid };
	int i;

	ebph_rows_work(&m, key, EBPH_WORK_RESET | EBPH_WORK_DROP_TEST);
	ebph_seqs_delete(&m, key);
	bpf_map_delete(m.profiles, &key);
	bpf_map_delete(m.paths, &key);
	for (i = 0; i < EBPH_SEQLEN; i++)
		t.seq[i] = EBPH_EMPTY;
	CHECK(bpf_map_update(m.tasks, &my_tid, &t, BPF_ANY), "cannot write our task");
}

static void train(__u64 key)
{
	int i;

	fresh(key);
	for (i = 0; i < TRACE_LEN; i++)
		run(trace_call(i));
}

static __u64 normal_time_ahead(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec + EBPH_NORMAL_WAIT;
}

/* ---- a profile's whole state ------------------------------------------------ */

struct seq_elem {
	struct ebph_seq_key k;
	struct ebph_seq v;
};

struct state {
	struct ebph_profile p;
	struct ebph_task t;
	__u8 *rows[2][EBPH_NUM_CALLS];
	struct seq_elem *seqs;
	size_t nseqs;
};

static int cmp_seq_elem(const void *a, const void *b)
{
	const struct seq_elem *x = a, *y = b;

	return x->k.seq < y->k.seq ? -1 : x->k.seq > y->k.seq;
}

static void state_free(struct state *s)
{
	int set, c;

	for (set = 0; set < 2; set++)
		for (c = 0; c < EBPH_NUM_CALLS; c++)
			free(s->rows[set][c]);
	free(s->seqs);
	memset(s, 0, sizeof(*s));
}

static void state_read(__u64 key, struct state *s)
{
	struct ebph_row_key rk = { .profile = key };
	struct ebph_seq_key *keys = NULL;
	__u8 row[EBPH_NUM_SYSCALLS];
	size_t n = 0, i;

	memset(s, 0, sizeof(*s));
	CHECK(bpf_map_lookup(m.profiles, &key, &s->p), "no profile %llx",
	      (unsigned long long)key);
	CHECK(bpf_map_lookup(m.tasks, &my_tid, &s->t), "no task");
	for (rk.set = EBPH_TRAIN; rk.set <= EBPH_TEST; rk.set++)
		for (rk.call = 0; rk.call < EBPH_NUM_CALLS; rk.call++)
			if (!bpf_map_lookup(m.rows, &rk, row)) {
				s->rows[rk.set][rk.call] = malloc(EBPH_NUM_SYSCALLS);
				memcpy(s->rows[rk.set][rk.call], row, EBPH_NUM_SYSCALLS);
			}
	CHECK(bpf_map_keys(m.seqs, sizeof(*keys), (void **)&keys, &n), "cannot walk the seqs");
	s->seqs = calloc(n ? n : 1, sizeof(*s->seqs));
	for (i = 0; i < n; i++) {
		if (keys[i].profile != key)
			continue;
		s->seqs[s->nseqs].k = keys[i];
		if (!bpf_map_lookup(m.seqs, &keys[i], &s->seqs[s->nseqs].v))
			s->nseqs++;
	}
	free(keys);
	qsort(s->seqs, s->nseqs, sizeof(*s->seqs), cmp_seq_elem);
}

/* Make S the state of its profile again, with NORMAL_TIME. */
static void state_write(const struct state *s, __u64 normal_time)
{
	struct ebph_profile p = s->p;
	struct ebph_row_key rk = { .profile = p.key };
	size_t i;
	int err = 0;

	ebph_rows_work(&m, p.key, EBPH_WORK_RESET | EBPH_WORK_DROP_TEST);
	ebph_seqs_delete(&m, p.key);
	for (rk.set = EBPH_TRAIN; rk.set <= EBPH_TEST; rk.set++)
		for (rk.call = 0; rk.call < EBPH_NUM_CALLS; rk.call++)
			if (s->rows[rk.set][rk.call])
				err |= bpf_map_update(m.rows, &rk, s->rows[rk.set][rk.call],
						      BPF_ANY);
	for (i = 0; i < s->nseqs; i++)
		err |= bpf_map_update(m.seqs, &s->seqs[i].k, &s->seqs[i].v, BPF_ANY);
	p.normal_time = normal_time;
	err |= bpf_map_update(m.profiles, &p.key, &p, BPF_ANY);
	err |= bpf_map_update(m.tasks, &my_tid, &s->t, BPF_ANY);
	CHECK(err, "cannot write the state back");
}

static int rows_of(const struct state *s, int set)
{
	int c, n = 0;

	for (c = 0; c < EBPH_NUM_CALLS; c++)
		n += !!s->rows[set][c];
	return n;
}

#define SAME(field) CHECK_EQ(c->p.field, k->p.field, "command vs kernel: " #field)

/* The kernel's K and the command's C: the same state (normal_time
 * excepted, see the top). */
static void state_compare(const struct state *k, const struct state *c)
{
	size_t i;
	int set, call, bad = 0;

	SAME(key);
	SAME(train_count);
	SAME(last_mod_count);
	SAME(count);
	SAME(anomalies);
	SAME(status);
	SAME(seq_epoch);
	SAME(seq_train_from);
	SAME(seq_test_from);
	SAME(seq_test_to);
	SAME(owner);
	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++) {
			const __u8 *a = k->rows[set][call], *b = c->rows[set][call];

			if (!a != !b || (a && memcmp(a, b, EBPH_NUM_SYSCALLS)))
				if (!bad++)
					printf("     %s row of call %d: %s\n", set ? "test" : "train",
					       call, !a ? "only after the command" :
					       !b ? "only after the kernel" : "different bytes");
		}
	CHECK(bad, "command vs kernel: %d rows differ", bad);
	bad = k->nseqs != c->nseqs;
	for (i = 0; !bad && i < k->nseqs; i++)
		bad = k->seqs[i].k.seq != c->seqs[i].k.seq ||
		      k->seqs[i].v.stamp != c->seqs[i].v.stamp ||
		      k->seqs[i].v.prev != c->seqs[i].v.prev;
	CHECK(bad, "command vs kernel: sequences differ (%zu and %zu of them)",
	      c->nseqs, k->nseqs);
}

/* ---- kernel and command ------------------------------------------------------ */

/*
 * cmd_apply() on profile KEY, after our task's calls reached the profile.
 * The kernel flushes a task's calls (EBPH_FLUSH_CALLS) before a change it
 * makes; a command cannot, so calls still in a live task when a command
 * resets the counters are counted after the reset (fewer than
 * EBPH_FLUSH_CALLS a task: docs/DESIGN.md, Sharing state with commands).
 * Here they are flushed first, as a task's exit would, so that the
 * command starts from the counters the kernel's change started from.
 */
static int command(__u64 key, enum cmd_action act)
{
	char msg[512], warn[256];
	struct ebph_profile p;
	struct ebph_task t;
	int err;

	if (!bpf_map_lookup(m.tasks, &my_tid, &t) && t.profile == key && t.pending &&
	    !bpf_map_lookup(m.profiles, &key, &p)) {
		ebph_counts_add(&p, t.pending);
		t.pending = 0;
		CHECK(bpf_map_update(m.profiles, &key, &p, BPF_EXIST) ||
		      bpf_map_update(m.tasks, &my_tid, &t, BPF_EXIST),
		      "cannot flush our task");
	}
	err = cmd_apply(&m, key, act, msg, sizeof(msg), warn, sizeof(warn));

	CHECK(err, "cmd_apply %d: %s", act, msg);
	return err;
}

static const char *det_name(__u32 det)
{
	return ebph_detectors_name(det);
}

/*
 * Start normal: S is frozen.  The kernel's call finds normal_time past,
 * the command's finds it a week ahead.  Returns the kernel's state in
 * *NORMAL, the start of the next two comparisons.
 */
static void start_normal(__u32 det, const struct state *s, struct state *normal)
{
	struct state c;

	config_set(det, EBPH_NORMAL_WAIT, EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT);
	state_write(s, 1);
	run(TRACE_NEXT);
	state_read(s->p.key, normal);
	CHECK(normal->p.status != EBPH_NORMAL, "setup: the kernel did not make it normal: status %u",
	      normal->p.status);
	CHECK_EQ(normal->p.normal_time, 1, "kernel: normal_time kept");

	state_write(s, s->p.normal_time);
	run(TRACE_NEXT);
	if (!command(s->p.key, ACT_NORMALIZE)) {
		state_read(s->p.key, &c);
		state_compare(normal, &c);
		CHECK_EQ(c.p.normal_time, s->p.normal_time, "command: normal_time kept");
		state_free(&c);
	}
	/* The pairs' test set is the train set, exactly; without the pairs
	 * detector the rows are left alone. */
	CHECK((det & EBPH_DET_PAIRS) && rows_of(normal, EBPH_TEST) != rows_of(normal, EBPH_TRAIN),
	      "%d test rows of %d train rows", rows_of(normal, EBPH_TEST),
	      rows_of(normal, EBPH_TRAIN));
	CHECK(!normal->rows[EBPH_TEST][FOREIGN + 1] != !!(det & EBPH_DET_PAIRS),
	      "the stale test row %s with detectors %s",
	      normal->rows[EBPH_TEST][FOREIGN + 1] ? "stayed" : "went", det_name(det));
}

/*
 * From NORMAL, the state the next two changes start from: the profile
 * has learned FOREIGN (a window of it, twelve calls) since it became
 * normal, so that a thirteenth is in its train set and not in its test
 * set: an anomaly that learns nothing new.  And it is frozen again, its
 * normal_time a week ahead, with our locality frame empty: the changes
 * must clear FROZEN themselves, not leave it to a new pair.
 */
static void learn_foreign(__u32 det, const struct state *normal, struct state *n)
{
	int i;

	config_set(det, EBPH_NORMAL_WAIT, 1000, 255);
	state_write(normal, normal->p.normal_time);
	for (i = 0; i < 12; i++)
		run(FOREIGN);
	state_read(normal->p.key, n);
	n->p.status = EBPH_NORMAL | EBPH_FROZEN;
	n->p.normal_time = normal_time_ahead();
	memset(n->t.lf, 0, sizeof(n->t.lf));
	n->t.lf_pos = n->t.lfc = 0;
}

/* Stop normal: N has 5 anomalies, and the next one is the sixth, over
 * the kernel's limit of 5 and under the command's. */
static void stop_normal(__u32 det, const struct state *n)
{
	struct state k, c, s = *n;

	s.p.anomalies = 5;
	config_set(det, EBPH_NORMAL_WAIT, 5, 255);
	state_write(&s, s.p.normal_time);
	run(FOREIGN);
	state_read(s.p.key, &k);
	CHECK(k.p.status & EBPH_NORMAL, "setup: the kernel did not stop normal: status %u",
	      k.p.status);

	config_set(det, EBPH_NORMAL_WAIT, UINT32_MAX, 255);
	state_write(&s, s.p.normal_time);
	run(FOREIGN);
	state_read(s.p.key, &c);
	CHECK(c.p.status != (EBPH_NORMAL | EBPH_FROZEN), "setup: the call changed the state: status %u",
	      c.p.status);
	state_free(&c);
	if (!command(s.p.key, ACT_TOLERIZE)) {
		state_read(s.p.key, &c);
		state_compare(&k, &c);
		CHECK_EQ(c.p.normal_time, k.p.normal_time, "normal_time");
		state_free(&c);
	}
	state_free(&k);
}

/* Reset training: the anomaly puts our LFC at 1, over the kernel's
 * tolerize limit of 0, and under the command's. */
static void reset_train(__u32 det, const struct state *n)
{
	struct state k, c;

	config_set(det, EBPH_NORMAL_WAIT, 1000, 0);
	state_write(n, n->p.normal_time);
	run(FOREIGN);
	state_read(n->p.key, &k);
	CHECK(k.p.train_count, "setup: the kernel did not reset training: %llu calls trained",
	      (unsigned long long)k.p.train_count);

	config_set(det, EBPH_NORMAL_WAIT, 1000, 255);
	state_write(n, n->p.normal_time);
	run(FOREIGN);
	if (!command(n->p.key, ACT_SENSITIZE)) {
		state_read(n->p.key, &c);
		state_compare(&k, &c);
		CHECK_EQ(c.p.normal_time, k.p.normal_time, "normal_time");
		state_free(&c);
	}
	state_free(&k);
}

static void test_kernel_and_commands(__u32 det, __u64 key)
{
	static char name[64];
	struct state s, normal, n;

	snprintf(name, sizeof(name), "kernel and commands, %s", det_name(det));
	TEST(name);
	config_set(det, EBPH_NORMAL_WAIT, EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT);
	train(key);
	state_read(key, &s);
	if (CHECK(s.p.status != EBPH_FROZEN, "setup: the trace did not freeze the profile: status %u",
		  s.p.status))
		goto out;
	/* As if it had been normal before and stopped: a test row whose
	 * train row is gone since (start normal drops it), and anomalies
	 * (start normal counts them from 0 again). */
	s.rows[EBPH_TEST][FOREIGN + 1] = calloc(1, EBPH_NUM_SYSCALLS);
	s.rows[EBPH_TEST][FOREIGN + 1][0] = 1;
	s.p.anomalies = 3;
	start_normal(det, &s, &normal);
	learn_foreign(det, &normal, &n);
	stop_normal(det, &n);
	reset_train(det, &n);
	state_free(&n);
	state_free(&normal);
out:
	state_free(&s);
}

/* ---- replay ------------------------------------------------------------------ */

static int ebph(const char *out, char *const argv[])
{
	int status;
	pid_t pid = test_spawn(argv, out, 0);

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_trace(const char *file, int n)
{
	FILE *f = fopen(file, "w");
	int i;

	if (!f)
		return -errno;
	for (i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? " " : "", trace_call(i));
	fputc('\n', f);
	return fclose(f) ? -errno : 0;
}

static __s64 boot_to_real(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (rt.tv_sec - bt.tv_sec) * 1000000000LL + rt.tv_nsec - bt.tv_nsec;
}

static int cmp_seq_rec(const void *a, const void *b)
{
	const struct ebph_seq_rec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

#define SAME_R(field) CHECK_EQ(r.prof.field, c->prof.field, "replay vs command: " #field)

/*
 * Replay's normalize, from the outside: `ebph replay` trains on the
 * trace, makes the profile normal and saves it; here the same training,
 * then `ebph normalize` (cmd_apply).  The file's sequence epochs are the
 * canonical ones, so the sequences are compared set by set.
 */
static void test_replay(__u32 det, __u64 key)
{
	char train_f[600], test_f[600], dir[600], out[600], file[700], why[128] = "";
	char pname[PROFILE_NAME_LEN];
	char *argv[] = { "./ebph", "replay", "-o", OBJ_PATH, "-t", train_f, "-n", test_f,
			 "--detector", (char *)det_name(det), "--save", dir, NULL };
	struct ebph_profile_rec r = {}, *c;
	struct ebph_snapshot snap = {};
	static char name[64];
	size_t i;
	int rc, call, set, bad = 0;
	__s64 dt;

	snprintf(name, sizeof(name), "replay and commands, %s", det_name(det));
	TEST(name);
	snprintf(train_f, sizeof(train_f), "%s/train-%s", tmp, det_name(det));
	snprintf(test_f, sizeof(test_f), "%s/test-%s", tmp, det_name(det));
	snprintf(dir, sizeof(dir), "%s/saved-%s", tmp, det_name(det));
	snprintf(out, sizeof(out), "%s/replay-%s.out", tmp, det_name(det));
	if (CHECK(write_trace(train_f, TRACE_LEN) || write_trace(test_f, 20), "cannot write traces"))
		return;
	rc = ebph(out, argv);
	if (CHECK(rc, "ebph replay exited %d (see %s)", rc, out))
		return;
	profile_file_name(REPLAY_KEY0, pname);
	snprintf(file, sizeof(file), "%s/%s", dir, pname);
	if (CHECK(profile_load(file, &r, boot_to_real(), why, sizeof(why)), "%s: %s", file, why))
		return;

	/* Replay trains with the normal wait a century and no offsets. */
	config_set(det, CENTURY_NS, EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT);
	train(key);
	if (command(key, ACT_NORMALIZE) || CHECK(ebph_snapshot_read(&m, &snap), "snapshot"))
		goto out;
	c = ebph_snapshot_find(&snap, key);
	if (CHECK(!c, "no profile %llx", (unsigned long long)key))
		goto out;
	SAME_R(status);
	SAME_R(count);
	SAME_R(train_count);
	SAME_R(last_mod_count);
	SAME_R(anomalies);
	SAME_R(owner);
	CHECK_EQ(r.prof.seq_test_to != r.prof.seq_test_from,
		 c->prof.seq_test_to != c->prof.seq_test_from, "replay vs command: a test set of sequences");
	/* Both froze a century ahead, replay a little earlier. */
	dt = (__s64)(c->prof.normal_time - r.prof.normal_time);
	CHECK(dt < 0 || dt > 60 * 1000000000LL,
	      "replay vs command: normal_time %llu, command's %llu",
	      (unsigned long long)r.prof.normal_time, (unsigned long long)c->prof.normal_time);
	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++) {
			const __u8 *a = r.rows[set][call], *b = c->rows[set][call];

			bad += !a != !b || (a && memcmp(a, b, EBPH_NUM_SYSCALLS));
		}
	CHECK(bad, "replay vs command: %d rows differ", bad);
	if (r.nseqs)
		qsort(r.seqs, r.nseqs, sizeof(*r.seqs), cmp_seq_rec);
	if (c->nseqs)
		qsort(c->seqs, c->nseqs, sizeof(*c->seqs), cmp_seq_rec);
	bad = r.nseqs != c->nseqs;
	for (i = 0; !bad && i < r.nseqs; i++)
		bad = r.seqs[i].seq != c->seqs[i].seq || r.seqs[i].sets != c->seqs[i].sets;
	CHECK(bad, "replay vs command: sequences differ (%zu and %zu of them)", r.nseqs, c->nseqs);
	CHECK(!(det & EBPH_DET_SEQS) != !r.nseqs, "%zu sequences with detectors %s", r.nseqs,
	      det_name(det));
out:
	ebph_snapshot_free(&snap);
	profile_rec_free(&r);
}

/* A mount namespace with an empty /run: see the top. */
static int isolate(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755"))
		return -errno;
	return 0;
}

int main(void)
{
	static const __u32 dets[] = { EBPH_DET_PAIRS, EBPH_DET_SEQS,
				      EBPH_DET_PAIRS | EBPH_DET_SEQS,
				      EBPH_DET_SEQS | EBPH_DET_SEQS7 };
	struct ld_prog *prog;
	size_t i;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_chdir_top();
	my_pid = getpid();
	my_tid = syscall(SYS_gettid);
	TEST("setup");
	err = isolate();
	if (CHECK(err, "no mount namespace of our own: %s", strerror(-err)))
		return test_summary();
	if (CHECK(!mkdtemp(tmp), "mkdtemp: %s", strerror(errno)))
		return test_summary();
	made_tmp = 1;
	err = ld_open(&obj, OBJ_PATH, 0);
	if (!err)
		err = ld_load(&obj);
	if (!err)
		err = ebph_maps_from_object(&m, &obj);
	if (CHECK(err, "cannot load %s: %s (run as root)", OBJ_PATH, strerror(-err)))
		goto out;
	prog = ld_find_prog(&obj, "ebph_sys_enter");
	if (CHECK(!prog, "no program ebph_sys_enter"))
		goto out;
	prog_fd = prog->fd;

	for (i = 0; i < sizeof(dets) / sizeof(dets[0]); i++) {
		test_kernel_and_commands(dets[i], KEY(i));
		test_replay(dets[i], KEY(16 + i));
	}
out:
	bpf_map_delete(m.tasks, &my_tid);
	ld_close(&obj);
	if (made_tmp) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		if (system(cmd))
			printf("could not remove %s\n", tmp);
	}
	return test_summary();
}
