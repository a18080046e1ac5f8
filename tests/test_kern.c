// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_kern.c - the real sys_enter program, run on synthetic calls.
 *
 * ebph_kern.o is loaded (never attached) and its raw_tracepoint/sys_enter
 * program is run with BPF_PROG_TEST_RUN, once per call, on the context
 * the tracepoint would give it: { pt_regs pointer (unused), call number }.
 * bpf_get_current_pid_tgid() in the program then returns this thread, so
 * a task entry under our own tid makes the program treat us as a process
 * running profile K.  The maps are read back to check each step of the
 * algorithm (docs/DESIGN.md, The algorithm) and the events read from the
 * perf rings.
 *
 * Every test uses a profile key of its own, so one test's rows cannot
 * make another pass.  EBPH_TEST_OBJECT=FILE loads FILE instead of
 * ebph_kern.o: how a deliberately broken program is shown to fail.  Needs root (BPF_PROG_LOAD, BPF_PROG_TEST_RUN); it
 * is run as root here and in CI, so it does not skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "bpf_dirs.h"
#include "bpf_load.h"
#include "bpf_sys.h"
#include "btf_blob.h"
#include "perf_reader.h"
#include "ebph.h"
#include "ebph_maps.h"
#include "test.h"

#define OBJ_PATH	"ebph_kern.o"
#define BTF_PATH	"/sys/kernel/btf/vmlinux"

/* A call number seen in training, and one foreign to it. */
#define KNOWN		5
#define FOREIGN		7

/* Profile keys no real executable has: dev 0xebebeb is not a device. */
#define KEY(n)		(0xebebeb00ULL << 32 | (n))

static struct ld_obj obj;
static struct ebph_maps m;
static int prog_fd, config_fd, stats_fd, profiles_fd, paths_fd, tasks_fd,
	   rows_fd, seqs_fd, events_fd, untraced_fd, owners_fd;
static struct ebph_config cfg;
static __u32 my_pid, my_tid;
static int ncpus;
static int run_errors;		/* BPF_PROG_TEST_RUN failures */

/* ---- events -------------------------------------------------------------- */

#define MAX_EVENTS 8192
static struct ebph_event events[MAX_EVENTS];
static int nr_events;
static unsigned long long lost_events;
static struct perf_reader pb;
static int pb_open;

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	/* The raw sample is padded to 8 bytes after its u32 size. */
	if (size < sizeof(struct ebph_event) || nr_events == MAX_EVENTS)
		return 0;
	memcpy(&events[nr_events++], data, sizeof(struct ebph_event));
	return 0;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	lost_events += lost;
}

/* Read what the rings hold, then forget earlier events. */
static void events_clear(void)
{
	if (pb_open)
		while (perf_reader_poll(&pb, 0) > 0)
			;
	nr_events = 0;
}

static void events_read(void)
{
	if (pb_open)
		while (perf_reader_poll(&pb, 0) > 0)
			;
}

static int events_count(__u32 type)
{
	int i, n = 0;

	for (i = 0; i < nr_events; i++)
		n += events[i].type == type;
	return n;
}

/* The Nth event of TYPE (from 0), or NULL. */
static const struct ebph_event *event_nth(__u32 type, int nth)
{
	int i;

	for (i = 0; i < nr_events; i++)
		if (events[i].type == type && nth-- == 0)
			return &events[i];
	return NULL;
}

/* ---- maps ---------------------------------------------------------------- */

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void config_set(__u64 normal_wait, __u32 anomaly_limit,
		       __u32 tolerize_limit, __u32 log_sequences)
{
	__u32 zero = 0;

	cfg.monitoring = 1;
	cfg.normal_wait = normal_wait;
	cfg.anomaly_limit = anomaly_limit;
	cfg.tolerize_limit = tolerize_limit;
	cfg.log_sequences = log_sequences;
	if (bpf_map_update(config_fd, &zero, &cfg, BPF_ANY))
		CHECK(1, "cannot write the config map");
}

/* The sum of a per-CPU counter over every CPU. */
static __u64 stat_sum(__u32 idx)
{
	__u64 v[ncpus], sum = 0;
	int i;

	if (bpf_map_lookup(stats_fd, &idx, v))
		return ~0ULL;
	for (i = 0; i < ncpus; i++)
		sum += v[i];
	return sum;
}

static int row_get(__u64 key, __u32 call, __u32 set, __u8 row[EBPH_NUM_SYSCALLS])
{
	struct ebph_row_key k = { .profile = key, .call = call, .set = set };

	return bpf_map_lookup(rows_fd, &k, row);
}

static int rows_count(__u64 key, __u32 set)
{
	__u8 row[EBPH_NUM_SYSCALLS];
	int call, n = 0;

	for (call = 0; call < EBPH_NUM_SYSCALLS; call++)
		n += !row_get(key, call, set, row);
	return n;
}

static void rows_delete(__u64 key)
{
	struct ebph_row_key k = { .profile = key };

	for (k.call = 0; k.call < EBPH_NUM_SYSCALLS; k.call++)
		for (k.set = EBPH_TRAIN; k.set <= EBPH_TEST; k.set++)
			bpf_map_delete(rows_fd, &k);
}

/* Profile KEY as user space reads it: with the calls this thread has not
 * flushed to it yet (EBPH_FLUSH_CALLS), as ebph_snapshot_read_profiles()
 * adds them. */
static struct ebph_profile profile_get(__u64 key)
{
	struct ebph_profile p;
	struct ebph_task t;

	if (bpf_map_lookup(profiles_fd, &key, &p))
		memset(&p, 0xff, sizeof(p));	/* fails every check */
	else if (!bpf_map_lookup(tasks_fd, &my_tid, &t) && t.profile == key)
		ebph_counts_add(&p, t.pending);
	return p;
}

static struct ebph_task task_get(void)
{
	struct ebph_task t;

	if (bpf_map_lookup(tasks_fd, &my_tid, &t))
		memset(&t, 0xff, sizeof(t));
	return t;
}

/* The sequences of profile KEY: how many, and each in *SEQS (if not
 * NULL, up to MAX of them); DELETE deletes them after the walk. */
static int seqs_walk(__u64 key, struct ebph_seq_key *out, int max, int delete)
{
	struct ebph_seq_key k, next, mine[256];
	int n = 0, i;

	for (int err = bpf_map_next_key(seqs_fd, NULL, &next); !err;
	     err = bpf_map_next_key(seqs_fd, &k, &next)) {
		k = next;
		if (k.profile != key)
			continue;
		if (n < 256)
			mine[n] = k;
		if (out && n < max)
			out[n] = k;
		n++;
	}
	if (delete)
		for (i = 0; i < n && i < 256; i++)
			bpf_map_delete(seqs_fd, &mine[i]);
	return n;
}

static int seqs_count(__u64 key)
{
	return seqs_walk(key, NULL, 0, 0);
}

/* The element of sequence SEQ of KEY; stamps ~0 when there is none. */
static struct ebph_seq seq_get(__u64 key, __u64 seq)
{
	struct ebph_seq_key k = { .profile = key, .seq = seq };
	struct ebph_seq v;

	if (bpf_map_lookup(seqs_fd, &k, &v))
		v.stamp = v.prev = ~0U;
	return v;
}

/* The packed sequence of C0 (the newest) ... C5, written out by hand,
 * not with ebph_seq_pack(): 10 bits a call, an empty slot 0x3ff. */
#define E10	0x3ffULL
#define SEQ6(c0, c1, c2, c3, c4, c5) \
	((__u64)(c0) | (__u64)(c1) << 10 | (__u64)(c2) << 20 | \
	 (__u64)(c3) << 30 | (__u64)(c4) << 40 | (__u64)(c5) << 50)

/* A new, empty training profile KEY, with no rows or sequences. */
static void profile_new(__u64 key)
{
	struct ebph_profile p = { .key = key };

	rows_delete(key);
	seqs_walk(key, NULL, 0, 1);
	bpf_map_delete(paths_fd, &key);
	if (bpf_map_update(profiles_fd, &key, &p, BPF_ANY))
		CHECK(1, "cannot write profile %llx", (unsigned long long)key);
}

/* This thread, as a task that has just exec'd profile KEY. */
static void task_new(__u64 key)
{
	struct ebph_task t = { .profile = key, .pid = my_pid, .tid = my_tid };
	int i;

	for (i = 0; i < EBPH_SEQLEN; i++)
		t.seq[i] = EBPH_EMPTY;
	if (bpf_map_update(tasks_fd, &my_tid, &t, BPF_ANY))
		CHECK(1, "cannot write our task");
}

/* Run sys_enter once, as if this thread made system call CALL. */
static void run(__u64 call)
{
	__u64 ctx[2] = { 0, call };
	__u32 retval = ~0U;
	int err;

	err = bpf_prog_run_once(prog_fd, ctx, sizeof(ctx), &retval);
	if (err || retval) {
		if (!run_errors++)
			printf("FAIL %s: BPF_PROG_TEST_RUN: %s, retval %u\n",
			       test_name, strerror(-err), retval);
		test_failed++;
	}
}

static void run_n(__u64 call, int n)
{
	while (n-- > 0)
		run(call);
}

/*
 * KEY made normal the way the algorithm does it, with detectors DET:
 * KNOWN 34 times from an empty window freezes it (see test_freeze; with
 * sequences alone it freezes sooner, at the 22nd), and a call after a
 * 1 ms wait makes it normal.  Its test set is then one pair row,
 * test[KNOWN][KNOWN] = 0xff, every distance, and the six sequences of
 * KNOWN filling the window.  The wait is set long again afterwards so
 * that the profile, which keeps training, cannot copy train to test
 * again behind a test's back.
 */
static void profile_make_normal_det(__u64 key, __u32 det)
{
	struct ebph_profile p;

	cfg.detectors = det;
	config_set(1000000, cfg.anomaly_limit, cfg.tolerize_limit, 0);
	profile_new(key);
	task_new(key);
	run_n(KNOWN, 34);
	sleep_ms(5);
	run(KNOWN);
	config_set(EBPH_NORMAL_WAIT, cfg.anomaly_limit, cfg.tolerize_limit, 0);
	p = profile_get(key);
	CHECK(p.status != EBPH_NORMAL, "setup: profile %llx not normal: status %u",
	      (unsigned long long)key, p.status);
}

static void profile_make_normal(__u64 key)
{
	profile_make_normal_det(key, EBPH_DET_PAIRS);
}

/* ---- the tests ------------------------------------------------------------ */

/* Run before the perf rings exist: a lost event must be counted. */
static void test_event_drops(void)
{
	__u64 before = stat_sum(EBPH_STAT_EVENT_DROPS);
	__u64 key = KEY(1);
	struct ebph_profile p;

	TEST("event_drops");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	/* The freeze emits FROZEN; with no ring in "events" it is lost. */
	run_n(KNOWN, 34);
	p = profile_get(key);
	CHECK(!(p.status & EBPH_FROZEN), "not frozen: status %u", p.status);
	CHECK(stat_sum(EBPH_STAT_EVENT_DROPS) <= before,
	      "a lost FROZEN event was not counted (drops %llu -> %llu)",
	      (unsigned long long)before,
	      (unsigned long long)stat_sum(EBPH_STAT_EVENT_DROPS));
}

/*
 * Calls 10, 11, ..., 20 from an empty window.  When 20 is made, 19 was 1
 * call before it, ..., 12 was 8 calls before, 11 was 9 and 10 was 10:
 * train[20] must have bit i-1 at byte 20-i for i = 1..8 and nothing else.
 */
static void test_pairs(void)
{
	__u64 key = KEY(2);
	__u8 row[EBPH_NUM_SYSCALLS];
	struct ebph_profile p;
	struct ebph_task t;
	int c, i, bad;

	TEST("pairs");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	for (c = 10; c <= 20; c++)
		run(c);

	if (!CHECK(row_get(key, 20, EBPH_TRAIN, row), "no train row for 20")) {
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++) {
			__u8 want = c >= 12 && c <= 19 ? 1 << (20 - c - 1) : 0;

			CHECK(row[c] != want, "train[20][%d] = %#x, want %#x",
			      c, row[c], want);
		}
	}
	/* Every row: call c's pairs are exactly the calls before it, at
	 * distances 1..8. */
	bad = 0;
	for (c = 10; c <= 20; c++) {
		if (row_get(key, c, EBPH_TRAIN, row)) {
			bad++;
			continue;
		}
		for (i = 0; i < EBPH_NUM_SYSCALLS; i++) {
			int d = c - i;
			__u8 want = i >= 10 && d >= 1 && d <= 8 ? 1 << (d - 1) : 0;

			bad += row[i] != want;
		}
	}
	CHECK_EQ(bad, 0, "wrong bytes in train rows 10..20");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 11, "train rows");
	CHECK_EQ(rows_count(key, EBPH_TEST), 0, "test rows while training");

	p = profile_get(key);
	t = task_get();
	CHECK_EQ(p.count, 11, "profile count");
	CHECK_EQ(p.train_count, 11, "train_count");
	/* Every call had a new pair but the first, whose window was empty. */
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count");
	CHECK_EQ(t.count, 11, "task count");
	for (i = 0; i < EBPH_SEQLEN; i++)
		CHECK_EQ(t.seq[i], 20 - i, "window slot");
}

/*
 * A window that is not full yet: its empty slots are no pairs.  The
 * program reads row[511] for an empty slot (to stay branch-free), so a
 * bit there, or a byte for 0xffff's low bits, would be the bug.
 */
static void test_empty_slots(void)
{
	__u64 key = KEY(3);
	__u8 row[EBPH_NUM_SYSCALLS];
	struct ebph_profile p;
	int c, set = 0;

	TEST("empty_slots");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 1);
	events_clear();
	profile_new(key);
	task_new(key);
	run(100);
	if (!CHECK(row_get(key, 100, EBPH_TRAIN, row), "no train row for 100"))
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++)
			set += row[c] != 0;
	CHECK_EQ(set, 0, "bytes set in the row of a call with an empty window");
	p = profile_get(key);
	/* No pair, so no change: this call counts towards freezing. */
	CHECK_EQ(p.last_mod_count, 1, "last_mod_count after a pairless call");

	run(101);		/* window 101, 100, then 7 empty slots */
	set = 0;
	if (!CHECK(row_get(key, 101, EBPH_TRAIN, row), "no train row for 101"))
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++)
			set += row[c] != (c == 100 ? 1 : 0);
	CHECK_EQ(set, 0, "wrong bytes in train[101]");

	/* NEW_SEQ, one per pair: only (100, 101) at distance 1. */
	events_read();
	CHECK_EQ(events_count(EBPH_EV_NEW_SEQ), 1, "NEW_SEQ events");
	if (event_nth(EBPH_EV_NEW_SEQ, 0)) {
		const struct ebph_event *e = event_nth(EBPH_EV_NEW_SEQ, 0);

		CHECK_EQ(e->call, 101, "NEW_SEQ call");
		CHECK_EQ(e->arg, 100, "NEW_SEQ arg (earlier call)");
		CHECK_EQ(e->misses, 1, "NEW_SEQ misses (distance)");
		CHECK_EQ(e->profile, key, "NEW_SEQ profile");
	}

	/* Then 8 pairs per call once the window is full: the 9th call has
	 * 8 new pairs (c, c-i) for i = 1..8. */
	events_clear();
	for (c = 102; c <= 108; c++)
		run(c);
	events_read();
	/* Calls 102..108 add 2, 3, ..., 8 pairs. */
	CHECK_EQ(events_count(EBPH_EV_NEW_SEQ), 2 + 3 + 4 + 5 + 6 + 7 + 8,
		 "NEW_SEQ events for calls 102..108");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
}

/*
 * The 3/4 rule, counted by hand for KNOWN repeated from an empty window
 * (train_count and last_mod_count are the values before the call adds 1
 * to train_count):
 *   call 1: no pair, no change: last_mod_count 1; 0 - 1 < 0: no freeze.
 *   calls 2..9: the pair at distance n-1 is new: last_mod_count 0.
 *   call n >= 10: no new pair: train_count n-1, last_mod_count n-9,
 *     stable = 8; freeze when (n-1) * 32 > 8 * 128, i.e. n - 1 > 32.
 * So call 33 must not freeze (32 * 32 == 1024) and call 34 must.
 */
static void test_freeze(void)
{
	__u64 key = KEY(4), wait = 1000000000000ULL, before, after;
	struct ebph_profile p;
	const struct ebph_event *e;

	TEST("freeze");
	config_set(wait, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	run_n(KNOWN, 33);
	p = profile_get(key);
	CHECK(p.status & EBPH_FROZEN, "frozen after 33 calls");
	CHECK_EQ(p.train_count, 33, "train_count after 33");
	CHECK_EQ(p.last_mod_count, 33 - 9, "last_mod_count after 33");

	events_clear();
	before = now_ns();
	run(KNOWN);
	after = now_ns();
	p = profile_get(key);
	CHECK(!(p.status & EBPH_FROZEN), "not frozen after 34 calls: status %u",
	      p.status);
	CHECK(p.status & EBPH_NORMAL, "normal at once, wait %llu ns",
	      (unsigned long long)wait);
	CHECK(p.normal_time < before + wait || p.normal_time > after + wait,
	      "normal_time %llu not now + wait (%llu..%llu)",
	      (unsigned long long)p.normal_time,
	      (unsigned long long)(before + wait),
	      (unsigned long long)(after + wait));
	events_read();
	CHECK_EQ(events_count(EBPH_EV_FROZEN), 1, "FROZEN events");
	e = event_nth(EBPH_EV_FROZEN, 0);
	if (e) {
		CHECK_EQ(e->profile, key, "FROZEN profile");
		CHECK_EQ(e->arg, p.normal_time, "FROZEN arg (normal_time)");
		CHECK_EQ(e->tid, my_tid, "FROZEN tid");
	}

	/* A new pair thaws it. */
	run(FOREIGN);
	p = profile_get(key);
	CHECK(p.status & EBPH_FROZEN, "still frozen after a new pair");
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count after a new pair");
}

/*
 * The counters reach the profile a flush at a time (EBPH_FLUSH_CALLS):
 * at the call that freezes it (34, as test_freeze() counts), then every
 * EBPH_FLUSH_CALLS calls; in between the calls wait in the task.
 */
static void test_flush(void)
{
	__u64 key = KEY(4);
	struct ebph_profile p;
	struct ebph_task t;

	TEST("flush");
	config_set(1000000000000ULL, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	run_n(KNOWN, 34);
	if (CHECK(bpf_map_lookup(profiles_fd, &key, &p), "no profile"))
		return;
	CHECK(!(p.status & EBPH_FROZEN), "not frozen at call 34");
	CHECK_EQ(p.count, 34, "profile count flushed at the freeze");
	CHECK_EQ(task_get().pending, 0, "pending after the freeze");

	run_n(KNOWN, 10);
	bpf_map_lookup(profiles_fd, &key, &p);
	t = task_get();
	CHECK_EQ(p.count, 34, "profile count between flushes");
	CHECK_EQ(t.pending, 10, "pending between flushes");
	CHECK_EQ(profile_get(key).count, 44, "count with pending");

	run_n(KNOWN, EBPH_FLUSH_CALLS - 10);
	bpf_map_lookup(profiles_fd, &key, &p);
	CHECK_EQ(p.count, 34 + EBPH_FLUSH_CALLS, "profile count at the flush");
	CHECK_EQ(p.train_count, 34 + EBPH_FLUSH_CALLS, "train_count at the flush");
	CHECK_EQ(p.last_mod_count, 34 + EBPH_FLUSH_CALLS - 9,
		 "last_mod_count at the flush");
	CHECK_EQ(task_get().pending, 0, "pending after the flush");

	/* A new pair flushes what waited, then counts itself. */
	run_n(KNOWN, 5);
	run(FOREIGN);
	bpf_map_lookup(profiles_fd, &key, &p);
	CHECK_EQ(p.count, 34 + EBPH_FLUSH_CALLS + 6, "profile count at a change");
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count at a change");
	CHECK_EQ(task_get().pending, 0, "pending after a change");
}

/* Frozen is not normal until normal_wait has passed; then train is
 * copied to test, once, and the counters restart. */
static void test_normal_wait(void)
{
	__u64 key = KEY(5);
	__u8 train[EBPH_NUM_SYSCALLS], test[EBPH_NUM_SYSCALLS];
	struct ebph_profile p;
	struct ebph_task t;
	int c, differ = 0, missing = 0, extra = 0;

	TEST("normal_wait");
	/* A long wait: frozen, and it stays frozen, not normal. */
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	run_n(KNOWN, 34);
	run_n(KNOWN, 100);
	p = profile_get(key);
	CHECK(p.status != EBPH_FROZEN, "long wait: status %u, want frozen only",
	      p.status);
	CHECK_EQ(rows_count(key, EBPH_TEST), 0, "long wait: test rows");

	/* A short one: still not normal before it has passed. */
	config_set(300000000, 1000, 200, 0);	/* 300 ms */
	profile_new(key);
	task_new(key);
	run(3);
	run(4);			/* two more rows, so the copy has 3 */
	run_n(KNOWN, 34 + 7);	/* 7 more: the first pairs with 3 and 4 */
	p = profile_get(key);
	CHECK(p.status != EBPH_FROZEN, "short wait: status %u, want frozen",
	      p.status);
	run(KNOWN);
	p = profile_get(key);
	CHECK(p.status & EBPH_NORMAL, "normal before the wait passed");

	sleep_ms(350);
	events_clear();
	run(KNOWN);
	p = profile_get(key);
	t = task_get();
	CHECK_EQ(p.status, EBPH_NORMAL, "status after the wait");
	CHECK_EQ(p.train_count, 0, "train_count after normal");
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count after normal");
	CHECK_EQ(p.anomalies, 0, "anomalies after normal");
	CHECK_EQ(t.lfc, 0, "task lfc after normal");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_START_NORMAL), 1, "START_NORMAL events");
	/* The call that made it normal was tested against the fresh copy,
	 * which holds its pairs. */
	CHECK_EQ(events_count(EBPH_EV_ANOMALY), 0, "anomalies");

	for (c = 0; c < EBPH_NUM_SYSCALLS; c++) {
		int has_train = !row_get(key, c, EBPH_TRAIN, train);
		int has_test = !row_get(key, c, EBPH_TEST, test);

		missing += has_train && !has_test;
		extra += !has_train && has_test;
		differ += has_train && has_test &&
			  memcmp(train, test, sizeof(train));
	}
	CHECK_EQ(missing, 0, "train rows with no test row");
	CHECK_EQ(extra, 0, "test rows with no train row");
	CHECK_EQ(differ, 0, "test rows unlike their train rows");
	CHECK_EQ(rows_count(key, EBPH_TEST), 3, "test rows");
}

/*
 * A normal profile keeps training, freezes again once stable, and after
 * normal_wait copies train to test once more: the anomalies it collected
 * and the task's LFC start again from 0.
 */
static void test_normal_again(void)
{
	__u64 key = KEY(13);
	struct ebph_profile p;
	struct ebph_task t;
	int n;

	TEST("normal_again");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 200;
	profile_make_normal(key);
	config_set(1000000, 1000, 200, 0);	/* 1 ms */
	run_n(FOREIGN, 2);
	for (n = 0; n < 1000 && !(profile_get(key).status & EBPH_FROZEN); n++)
		run(KNOWN);
	p = profile_get(key);
	t = task_get();
	CHECK(!(p.status & EBPH_FROZEN), "not frozen again after %d calls", n);
	/* 2 FOREIGN calls, then 8 KNOWN calls with FOREIGN in the window. */
	CHECK_EQ(p.anomalies, 10, "anomalies before normal again");
	CHECK_EQ(t.lfc, 10, "lfc before normal again");
	CHECK_EQ(rows_count(key, EBPH_TEST), 1, "test rows before");

	sleep_ms(5);
	events_clear();
	run(KNOWN);
	p = profile_get(key);
	t = task_get();
	CHECK_EQ(p.status, EBPH_NORMAL, "status after normal again");
	CHECK_EQ(p.anomalies, 0, "anomalies after normal again");
	CHECK_EQ(t.lfc, 0, "lfc after normal again");
	CHECK_EQ(t.lf[0] | t.lf[1], 0, "locality frame after normal again");
	CHECK_EQ(rows_count(key, EBPH_TEST), 2, "test rows after");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_START_NORMAL), 1, "START_NORMAL events");

	/* FOREIGN is normal now. */
	run(FOREIGN);
	CHECK_EQ(profile_get(key).anomalies, 0, "anomalies for a learned call");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
}

/* A normal profile goes on training; its test set does not move. */
static void test_test_set_unchanged(void)
{
	__u64 key = KEY(6);
	__u8 before[EBPH_NUM_SYSCALLS], train[EBPH_NUM_SYSCALLS],
	     test[EBPH_NUM_SYSCALLS];

	TEST("test_set_unchanged");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 200;
	profile_make_normal(key);
	if (CHECK(row_get(key, KNOWN, EBPH_TEST, before), "no test row"))
		return;
	CHECK_EQ(before[KNOWN], 0xff, "test[KNOWN][KNOWN]");

	run_n(FOREIGN, 3);
	run_n(KNOWN, 10);

	CHECK(row_get(key, FOREIGN, EBPH_TRAIN, train),
	      "train did not learn the foreign call's row");
	CHECK(!row_get(key, FOREIGN, EBPH_TEST, test),
	      "a test row appeared for the foreign call");
	if (!CHECK(row_get(key, KNOWN, EBPH_TRAIN, train), "no train row")) {
		CHECK(train[FOREIGN] == 0, "train[KNOWN] did not learn FOREIGN");
	}
	if (!CHECK(row_get(key, KNOWN, EBPH_TEST, test), "test row gone"))
		CHECK(memcmp(before, test, sizeof(test)),
		      "test[KNOWN] changed while training");
	CHECK_EQ(rows_count(key, EBPH_TEST), 1, "test rows");
}

/*
 * A foreign call in a normal profile whose test set is test[KNOWN][KNOWN]
 * = 0xff.  From an empty window, the calls K K F K K give, by hand:
 *   K: window K            no pairs                           0 misses
 *   K: window K K          (K,1) known                        0
 *   F: window F K K        no test row for F: 2 filled slots  2
 *   K: window K F K K      (F,1) missing, (K,2), (K,3) known  1
 *   K: window K K F K K    (F,2) missing, the rest known      1
 */
static void test_misses(void)
{
	static const __u32 calls[] = { KNOWN, KNOWN, FOREIGN, KNOWN, KNOWN };
	static const __u32 misses[] = { 2, 1, 1 };
	__u64 key = KEY(7), anomalies = stat_sum(EBPH_STAT_ANOMALIES);
	struct ebph_profile p;
	struct ebph_task t;
	unsigned int i;

	TEST("misses");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 200;
	profile_make_normal(key);
	task_new(key);
	events_clear();
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		run(calls[i]);
	events_read();

	p = profile_get(key);
	t = task_get();
	CHECK_EQ(p.anomalies, 3, "profile anomalies");
	CHECK_EQ(t.lfc, 3, "task lfc");
	CHECK_EQ(t.max_lfc, 3, "task max_lfc");
	CHECK_EQ(stat_sum(EBPH_STAT_ANOMALIES) - anomalies, 3,
		 "EBPH_STAT_ANOMALIES");
	CHECK_EQ(events_count(EBPH_EV_ANOMALY), 3, "ANOMALY events");
	for (i = 0; i < 3; i++) {
		const struct ebph_event *e = event_nth(EBPH_EV_ANOMALY, i);

		if (!e)
			break;
		CHECK_EQ(e->misses, misses[i], "ANOMALY misses");
		CHECK_EQ(e->call, calls[i + 2], "ANOMALY call");
		CHECK_EQ(e->anomalies, i + 1, "ANOMALY profile anomalies");
		CHECK_EQ(e->lfc, i + 1, "ANOMALY lfc");
		CHECK_EQ(e->pid, my_pid, "ANOMALY pid");
		CHECK_EQ(e->tid, my_tid, "ANOMALY tid");
		CHECK_EQ(e->profile, key, "ANOMALY profile");
		CHECK_EQ(e->seq[0], calls[i + 2], "ANOMALY seq[0]");
		CHECK_EQ(e->seq[1], calls[i + 1], "ANOMALY seq[1]");
		CHECK(strncmp(e->comm, "test_kern", sizeof(e->comm)),
		      "ANOMALY comm '%.16s'", e->comm);
	}
}

/*
 * The LFC is the number of anomalous calls among the task's last 128.
 * From an empty window: 8 normal calls (lf slots 0..7), 10 FOREIGN calls
 * (no test row: anomalous, slots 8..17), then KNOWN calls, anomalous
 * while FOREIGN is in the window: the next 8 (slots 18..25).  So 18
 * anomalies in slots 8..25.  Slot 8 is reused by the task's 137th call
 * (index 136), slot 25 by its 154th: the LFC drops by one per call there.
 */
static void test_lfc(void)
{
	__u64 key = KEY(8);
	struct ebph_task t;
	int n;

	TEST("lfc");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 200;	/* never: the LFC is at most 128 */
	profile_make_normal(key);
	task_new(key);
	run_n(KNOWN, 8);
	CHECK_EQ(task_get().lfc, 0, "lfc after 8 normal calls");
	run_n(FOREIGN, 10);
	CHECK_EQ(task_get().lfc, 10, "lfc after 10 foreign calls");
	run_n(KNOWN, 8);
	CHECK_EQ(task_get().lfc, 18, "lfc once FOREIGN left the window");
	run(KNOWN);
	CHECK_EQ(task_get().lfc, 18, "lfc after a normal call");
	n = 27;			/* calls made */
	run_n(KNOWN, 136 - n);	/* up to index 135: slot 8 still holds */
	n = 136;
	t = task_get();
	CHECK_EQ(t.lfc, 18, "lfc after 136 calls");
	CHECK_EQ(t.lf_pos, 136 % 128, "lf_pos after 136 calls");
	run(KNOWN);		/* index 136 reuses slot 8 */
	CHECK_EQ(task_get().lfc, 17, "lfc after 137 calls");
	run_n(KNOWN, 4);
	CHECK_EQ(task_get().lfc, 13, "lfc after 141 calls");
	run_n(KNOWN, 154 - 141);
	t = task_get();
	CHECK_EQ(t.lfc, 0, "lfc after 154 calls");
	CHECK_EQ(t.max_lfc, 18, "max_lfc");
	CHECK_EQ(t.lf[0] | t.lf[1], 0, "locality frame bits");
	CHECK_EQ(profile_get(key).anomalies, 18, "profile anomalies");
}

/*
 * An LFC over tolerize_limit (12) resets the profile's training data and
 * the task's LFC; the profile stays normal and keeps its test set.
 */
static void test_tolerize(void)
{
	__u64 key = KEY(9);
	__u8 row[EBPH_NUM_SYSCALLS];
	const struct ebph_event *e;
	struct ebph_profile p;
	struct ebph_task t;
	__u64 train0;

	TEST("tolerize");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 12;
	profile_make_normal(key);
	/* Calls count from the one that made it normal: on a loaded machine
	 * the 1 ms wait can pass before the setup's last call, which then
	 * counts too. */
	train0 = profile_get(key).train_count;
	CHECK(train0 >= 35, "train_count not reset when normal: %llu",
	      (unsigned long long)train0);
	task_new(key);
	run_n(KNOWN, 8);
	events_clear();
	run_n(FOREIGN, 12);
	t = task_get();
	p = profile_get(key);
	CHECK_EQ(t.lfc, 12, "lfc at the limit");
	CHECK_EQ(events_count(EBPH_EV_TOLERIZE), 0, "TOLERIZE at the limit");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 2, "train rows before tolerize");
	/* Counted since the profile became normal: 8 + 12 calls more. */
	CHECK_EQ(p.train_count, train0 + 20, "train_count before tolerize");

	run(FOREIGN);		/* the 13th anomaly: 13 > 12 */
	t = task_get();
	p = profile_get(key);
	CHECK_EQ(t.lfc, 0, "task lfc after tolerize");
	CHECK_EQ(t.lf[0] | t.lf[1], 0, "locality frame after tolerize");
	CHECK_EQ(t.max_lfc, 13, "max_lfc after tolerize");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 0, "train rows after tolerize");
	CHECK_EQ(p.train_count, 0, "train_count after tolerize");
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count after tolerize");
	CHECK_EQ(p.status, EBPH_NORMAL, "status after tolerize");
	CHECK_EQ(rows_count(key, EBPH_TEST), 1, "test rows after tolerize");
	if (!CHECK(row_get(key, KNOWN, EBPH_TEST, row), "test row gone"))
		CHECK_EQ(row[KNOWN], 0xff, "test[KNOWN][KNOWN]");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_TOLERIZE), 1, "TOLERIZE events");
	e = event_nth(EBPH_EV_TOLERIZE, 0);
	if (e) {
		CHECK_EQ(e->lfc, 13, "TOLERIZE lfc");
		CHECK_EQ(e->profile, key, "TOLERIZE profile");
	}

	/* Learning starts again, and one more anomaly does not tolerize
	 * again: the LFC went with the training data. */
	run(FOREIGN);
	t = task_get();
	p = profile_get(key);
	CHECK_EQ(t.lfc, 1, "lfc after the next anomaly");
	CHECK_EQ(p.train_count, 1, "train_count after the next call");
	CHECK(row_get(key, FOREIGN, EBPH_TRAIN, row),
	      "no train row after the next call");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_TOLERIZE), 1, "TOLERIZE events later");
}

/* More than anomaly_limit anomalies: back to training, data kept. */
static void test_anomaly_limit(void)
{
	__u64 key = KEY(10);
	__u8 row[EBPH_NUM_SYSCALLS];
	const struct ebph_event *e;
	struct ebph_profile p;

	TEST("anomaly_limit");
	cfg.anomaly_limit = 3;
	cfg.tolerize_limit = 200;
	profile_make_normal(key);
	task_new(key);
	run_n(KNOWN, 8);
	events_clear();
	run_n(FOREIGN, 3);
	p = profile_get(key);
	CHECK_EQ(p.anomalies, 3, "anomalies at the limit");
	CHECK_EQ(p.status, EBPH_NORMAL, "status at the limit");

	run(FOREIGN);
	p = profile_get(key);
	CHECK_EQ(p.anomalies, 4, "anomalies over the limit");
	CHECK_EQ(p.status & (EBPH_NORMAL | EBPH_FROZEN), 0,
		 "status over the limit");
	CHECK(row_get(key, KNOWN, EBPH_TRAIN, row) || row[KNOWN] != 0xff,
	      "train data not kept");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_ANOMALY), 4, "ANOMALY events");
	CHECK_EQ(events_count(EBPH_EV_STOP_NORMAL), 1, "STOP_NORMAL events");
	e = event_nth(EBPH_EV_STOP_NORMAL, 0);
	if (e)
		CHECK_EQ(e->anomalies, 4, "STOP_NORMAL anomalies");

	/* Training only now: no more anomalies. */
	run(FOREIGN + 1);
	CHECK_EQ(profile_get(key).anomalies, 4, "anomalies while training");
}

/* A call number at or above EBPH_NR_LIMIT is counted and skipped, an
 * x32 call apart. */
static void test_big_call(void)
{
	__u64 key = KEY(11), big = stat_sum(EBPH_STAT_BIG_CALL);
	__u64 x32 = stat_sum(EBPH_STAT_X32);
	struct ebph_task before, after;
	struct ebph_profile p;

	TEST("big_call");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	run(1);
	run(2);
	before = task_get();
	run(EBPH_NUM_SYSCALLS);
	run(EBPH_NR_LIMIT);	/* 511: no call, and 0x3ff marks an empty slot */
	run(~0ULL);		/* syscall(-1) */
	run(1ULL << 32 | 3);	/* not call 3 */
	run(EBPH_X32_BIT | 39);	/* x32 getpid */
	after = task_get();
	CHECK_EQ(stat_sum(EBPH_STAT_BIG_CALL) - big, 4, "EBPH_STAT_BIG_CALL");
	CHECK_EQ(stat_sum(EBPH_STAT_X32) - x32, 1, "EBPH_STAT_X32");
	CHECK(memcmp(&before, &after, sizeof(before)), "task changed");
	p = profile_get(key);
	CHECK_EQ(p.count, 2, "profile count");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 2, "train rows");

	run(EBPH_NR_LIMIT - 1);	/* the highest call is a call */
	after = task_get();
	CHECK_EQ(after.seq[0], EBPH_NR_LIMIT - 1, "window after call 510");
	CHECK_EQ(after.seq[1], 2, "window slot 1 after call 510");
}

/* monitoring == 0: sys_enter does nothing. */
static void test_monitoring_off(void)
{
	__u64 key = KEY(12);
	struct ebph_task before;
	__u32 zero = 0;

	TEST("monitoring_off");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	before = task_get();
	cfg.monitoring = 0;
	bpf_map_update(config_fd, &zero, &cfg, BPF_ANY);
	run(1);
	bpf_map_delete(tasks_fd, &my_tid);
	run(1);
	cfg.monitoring = 1;
	bpf_map_update(config_fd, &zero, &cfg, BPF_ANY);
	CHECK_EQ(profile_get(key).count, 0, "profile count");
	CHECK(!bpf_map_lookup(tasks_fd, &my_tid, &before),
	      "a task was picked up while not monitoring");
}

/* The BTF offsets into cfg and the config map, so that pick_up() can
 * read a task's key.  Returns nonzero (reported) if one is missing. */
static int config_offsets(void)
{
	struct btf_blob *btf = NULL;
	__u32 zero = 0;
	int err;

	err = btf_blob_read(BTF_PATH, &btf);
	if (CHECK(err, "btf_blob_read %s: %s", BTF_PATH, strerror(-err)))
		return err;
	err = btf_blob_member_offset(btf, "task_struct", "mm", &cfg.off_task_mm) ||
	      btf_blob_member_offset(btf, "mm_struct", "exe_file", &cfg.off_mm_exe_file) ||
	      btf_blob_member_offset(btf, "file", "f_inode", &cfg.off_file_inode) ||
	      btf_blob_member_offset(btf, "inode", "i_ino", &cfg.off_inode_ino) ||
	      btf_blob_member_offset(btf, "inode", "i_sb", &cfg.off_inode_sb) ||
	      btf_blob_member_offset(btf, "super_block", "s_dev", &cfg.off_sb_dev) ||
	      btf_blob_member_offset(btf, "inode", "i_uid", &cfg.off_inode_uid);
	btf_blob_free(btf);
	if (CHECK(err, "a BTF offset is missing"))
		return -ENOENT;
	return bpf_map_update(config_fd, &zero, &cfg, BPF_ANY);
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Make TID's last failed attempt older than the retry interval. */
static void untraced_age(__u32 tid)
{
	__u64 then = clock_ns(CLOCK_BOOTTIME) - 2 * EBPH_UNTRACED_RETRY_NS;

	CHECK(bpf_map_update(untraced_fd, &tid, &then, BPF_EXIST),
	      "no untraced entry for tid %u", tid);
}

/*
 * A full tasks map: a thread that cannot be added is counted and
 * reported once, not at each of its calls, and retried once a second.
 * The map is filled with tids no thread has (above PID_MAX_LIMIT,
 * 2^22), which go when the object is closed.
 */
static void test_tasks_full(void)
{
	enum { BATCH = 4096 };
	static __u32 tids[BATCH];
	static struct ebph_task vals[BATCH];
	__u64 key = KEY(40), full0 = stat_sum(EBPH_STAT_TASKS_FULL), last;
	struct ebph_task t;
	__u32 n, i, b;
	int err = 0;

	TEST("tasks_full");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	bpf_map_delete(tasks_fd, &my_tid);
	bpf_map_delete(untraced_fd, &my_tid);
	for (b = 0; !err && b < EBPH_MAX_TASKS / BATCH + 1; b++) {
		for (i = 0; i < BATCH; i++)
			tids[i] = (1U << 23) + b * BATCH + i;
		n = BATCH;
		err = bpf_map_update_many(tasks_fd, tids, vals, &n, BPF_ANY);
	}
	CHECK(err != -E2BIG && err != -ENOMEM && err != -ENOSPC,
	      "filling the tasks map ended with %d, want a full map", err);
	/* With the offsets: the pick-up reads the key, then tries the map. */
	if (config_offsets())
		return;
	events_clear();
	for (i = 0; i < 5; i++)
		run(KNOWN);
	CHECK(!bpf_map_lookup(tasks_fd, &my_tid, &t), "a task in a full map");
	CHECK_EQ(stat_sum(EBPH_STAT_TASKS_FULL) - full0, 1,
		 "EBPH_STAT_TASKS_FULL after 5 calls of one thread");
	CHECK(bpf_map_lookup(untraced_fd, &my_tid, &last), "not in the untraced map");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_MESSAGE), 1, "MESSAGE events for 5 calls");
	if (event_nth(EBPH_EV_MESSAGE, 0)) {
		CHECK_EQ(event_nth(EBPH_EV_MESSAGE, 0)->code, EBPH_MSG_TASKS_FULL,
			 "message code");
		CHECK_EQ(event_nth(EBPH_EV_MESSAGE, 0)->arg, my_tid, "message arg: the tid");
	}
	/* Retried after a second, still full: not counted again. */
	untraced_age(my_tid);
	run(KNOWN);
	CHECK_EQ(stat_sum(EBPH_STAT_TASKS_FULL) - full0, 1,
		 "EBPH_STAT_TASKS_FULL after a retry of the same thread");
	for (b = 0; b < EBPH_MAX_TASKS / BATCH + 1; b++)
		for (i = 0; i < BATCH; i++) {
			__u32 tid = (1U << 23) + b * BATCH + i;

			bpf_map_delete(tasks_fd, &tid);
		}
	bpf_map_delete(untraced_fd, &my_tid);
	cfg.off_task_mm = 0;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
}

/*
 * A thread with no task entry is picked up at its next call: its key is
 * read from current->mm->exe_file in the kernel and must be what stat(2)
 * says of /proc/self/exe.
 */
static void test_pick_up(void)
{
	__u64 key, last, keyerr = stat_sum(EBPH_STAT_KEY_ERRORS);
	struct ebph_config saved = cfg;
	struct ebph_profile p;
	struct ebph_path path;
	struct ebph_task t;
	struct stat st;
	__u32 zero = 0;
	int i;

	TEST("pick_up");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	if (CHECK(stat("/proc/self/exe", &st), "stat /proc/self/exe: %s",
		  strerror(errno)))
		return;
	key = ebph_profile_key(st.st_dev, st.st_ino);
	bpf_map_delete(profiles_fd, &key);
	bpf_map_delete(paths_fd, &key);
	rows_delete(key);

	/* Without the BTF offsets the key cannot be read: counted once for
	 * the thread however many calls it makes, and no task is made. */
	bpf_map_delete(tasks_fd, &my_tid);
	bpf_map_delete(untraced_fd, &my_tid);
	events_clear();
	run(KNOWN);
	run(KNOWN);
	run(KNOWN);
	CHECK_EQ(stat_sum(EBPH_STAT_KEY_ERRORS) - keyerr, 1,
		 "EBPH_STAT_KEY_ERRORS without offsets, 3 calls of one thread");
	CHECK(!bpf_map_lookup(tasks_fd, &my_tid, &t),
	      "a task was made without a key");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_MESSAGE), 1, "MESSAGE events for 3 calls");
	if (event_nth(EBPH_EV_MESSAGE, 0)) {
		CHECK_EQ(event_nth(EBPH_EV_MESSAGE, 0)->code, EBPH_MSG_KEY_ERROR,
			 "message code");
		CHECK_EQ(event_nth(EBPH_EV_MESSAGE, 0)->arg, EBPH_KEY_NO_OFFSETS,
			 "message arg");
	}

	if (config_offsets())
		return;

	/* Within a second of the failure the pick-up is not retried; after
	 * it, it is, and the thread is no longer untraced. */
	run(KNOWN);
	CHECK(!bpf_map_lookup(tasks_fd, &my_tid, &t),
	      "picked up again within EBPH_UNTRACED_RETRY_NS");
	untraced_age(my_tid);
	events_clear();
	run(KNOWN);
	CHECK(!bpf_map_lookup(untraced_fd, &my_tid, &last),
	      "still in the untraced map once picked up");
	if (!CHECK(bpf_map_lookup(tasks_fd, &my_tid, &t), "not picked up")) {
		CHECK(t.profile != key,
		      "picked-up key %#llx, stat(2) says %#llx (dev %#llx ino %llu)",
		      (unsigned long long)t.profile, (unsigned long long)key,
		      (unsigned long long)st.st_dev,
		      (unsigned long long)st.st_ino);
		CHECK_EQ(t.pid, my_pid, "pid");
		CHECK_EQ(t.tid, my_tid, "tid");
		CHECK_EQ(t.count, 1, "count");
		CHECK_EQ(t.seq[0], KNOWN, "seq[0]");
		for (i = 1; i < EBPH_SEQLEN; i++)
			CHECK_EQ(t.seq[i], EBPH_EMPTY, "seq[i]");
	}
	p = profile_get(key);
	CHECK_EQ(p.key, key, "profile created");
	CHECK_EQ(p.count, 1, "profile count");
	if (!CHECK(bpf_map_lookup(paths_fd, &key, &path), "no path"))
		CHECK(strcmp(path.path, "test_kern"), "path '%.256s', want the comm",
		      path.path);
	events_read();
	CHECK_EQ(events_count(EBPH_EV_NEW_PROFILE), 1, "NEW_PROFILE events");
	CHECK_EQ(events_count(EBPH_EV_ASSOC), 1, "ASSOC events");
	if (event_nth(EBPH_EV_ASSOC, 0))
		CHECK_EQ(event_nth(EBPH_EV_ASSOC, 0)->profile, key, "ASSOC profile");

	/* A deleted profile is made again, empty, at the next call. */
	bpf_map_delete(profiles_fd, &key);
	run(KNOWN);
	p = profile_get(key);
	CHECK_EQ(p.key, key, "profile made again");
	CHECK_EQ(p.count, 1, "count of the profile made again");

	/* A forked task's pid is 0 until its first call fills it in. */
	t = task_get();
	t.pid = 0;
	bpf_map_update(tasks_fd, &my_tid, &t, BPF_ANY);
	run(KNOWN);
	CHECK_EQ(task_get().pid, my_pid, "pid filled in at the first call");

	bpf_map_delete(profiles_fd, &key);
	bpf_map_delete(paths_fd, &key);
	rows_delete(key);
	cfg = saved;
	cfg.off_task_mm = 0;
	bpf_map_update(config_fd, &zero, &cfg, BPF_ANY);
}


/* ---- owners ---------------------------------------------------------------- */

static __u64 owner_get(__u32 uid, __u32 kind)
{
	struct ebph_owner_key k = { .uid = uid, .kind = kind };
	__u64 v;

	return bpf_map_lookup(owners_fd, &k, &v) ? 0 : v;
}

static void owner_set(__u32 uid, __u32 kind, __u64 v)
{
	struct ebph_owner_key k = { .uid = uid, .kind = kind };

	if (bpf_map_update(owners_fd, &k, &v, BPF_ANY))
		CHECK(1, "cannot write owner %u counter %u", uid, kind);
}

static void owners_clear(void)
{
	__u32 uids[] = { 0, 1001, EBPH_OWNER_ALL, EBPH_OWNER_UNKNOWN };
	struct ebph_owner_key k;

	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++)
		for (k.uid = uids[i], k.kind = 0; k.kind <= EBPH_OWNER_REFUSED; k.kind++)
			bpf_map_delete(owners_fd, &k);
}

/*
 * The quota, through the real sys_enter: pick_up() and the deleted-profile
 * path create profiles through profile_create_comm(), which reads the
 * owner of our own executable.  So this test makes its executable
 * 1001's for a while (chown, undone at the end): the kernel reads i_uid
 * live.  The exec program, a tracepoint, cannot be run this way:
 * tests/test_quota.sh runs it for real.
 */
static void test_owner_quota(void)
{
	struct ebph_config saved = cfg;
	__u64 key, quota0 = stat_sum(EBPH_STAT_OWNER_QUOTA), full0;
	struct ebph_profile p;
	struct stat st;
	int fd;

	TEST("owner_quota");
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (CHECK(fd < 0 || fstat(fd, &st), "open /proc/self/exe: %s", strerror(errno)))
		return;
	key = ebph_profile_key(st.st_dev, st.st_ino);
	if (config_offsets() || CHECK(fchown(fd, 1001, 1001), "chown our executable to 1001: %s",
				      strerror(errno)))
		goto out;
	cfg.owner_quota = 2;
	cfg.users_max = 100;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	bpf_map_delete(profiles_fd, &key);
	bpf_map_delete(paths_fd, &key);
	bpf_map_delete(tasks_fd, &my_tid);
	owners_clear();

	/* 1001 has its 2 already: refused, counted, no event.  Each try
	 * counts in the stat: pick_up() tries, then sys_enter, finding no
	 * profile, tries again (as for a profile deleted meanwhile).  The
	 * owner's REFUSED counts execs only: none here. */
	owner_set(1001, EBPH_OWNER_MADE, 2);
	owner_set(EBPH_OWNER_ALL, EBPH_OWNER_MADE, 2);
	full0 = stat_sum(EBPH_STAT_PROFILES_FULL);
	events_clear();
	run(KNOWN);
	CHECK(!bpf_map_lookup(profiles_fd, &key, &p), "a profile over quota was made");
	CHECK_EQ(stat_sum(EBPH_STAT_OWNER_QUOTA) - quota0, 2, "EBPH_STAT_OWNER_QUOTA");
	CHECK_EQ(owner_get(1001, EBPH_OWNER_REFUSED), 0, "1001's refused execs");
	CHECK_EQ(owner_get(1001, EBPH_OWNER_MADE), 2, "1001's profiles made");
	CHECK_EQ(stat_sum(EBPH_STAT_PROFILES_FULL), full0, "counted as a full map");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_NEW_PROFILE), 0, "NEW_PROFILE events");
	CHECK_EQ(events_count(EBPH_EV_MESSAGE), 0, "a message per refusal");
	/* Refused, the task is not tried again at its next calls: once per
	 * EBPH_UNTRACED_RETRY_NS (the untraced map), not at each call. */
	run(KNOWN);
	run(KNOWN);
	CHECK_EQ(stat_sum(EBPH_STAT_OWNER_QUOTA) - quota0, 2, "tried again within a second");

	/* User space deleted one of them: room again, at the next try. */
	owner_set(1001, EBPH_OWNER_FREED, 1);
	owner_set(EBPH_OWNER_ALL, EBPH_OWNER_FREED, 1);
	untraced_age(my_tid);
	run(KNOWN);
	p = profile_get(key);
	CHECK_EQ(p.key, key, "profile made under quota");
	CHECK_EQ(p.owner, 1001, "its owner");
	CHECK_EQ(owner_get(1001, EBPH_OWNER_MADE), 3, "1001's profiles made, after");
	CHECK_EQ(owner_get(EBPH_OWNER_ALL, EBPH_OWNER_MADE), 3, "all users' profiles made");
	/* Existing profiles are not counted again. */
	run(KNOWN);
	CHECK_EQ(owner_get(1001, EBPH_OWNER_MADE), 3, "made once");

	/* Under its own quota but all users over theirs: refused too. */
	bpf_map_delete(profiles_fd, &key);
	owner_set(1001, EBPH_OWNER_FREED, 3);
	owner_set(EBPH_OWNER_ALL, EBPH_OWNER_MADE, 100);
	owner_set(EBPH_OWNER_ALL, EBPH_OWNER_FREED, 0);
	run(KNOWN);
	CHECK(!bpf_map_lookup(profiles_fd, &key, &p), "made past users_max");
	CHECK_EQ(stat_sum(EBPH_STAT_OWNER_QUOTA) - quota0, 3, "refused at users_max");
	owner_set(EBPH_OWNER_ALL, EBPH_OWNER_FREED, 1);
	untraced_age(my_tid);
	run(KNOWN);
	CHECK_EQ(profile_get(key).owner, 1001, "made below users_max");

	/* Root's executables are never refused, nor counted. */
	CHECK(fchown(fd, 0, 0), "chown back to root: %s", strerror(errno));
	cfg.owner_quota = 0;
	cfg.users_max = 0;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	bpf_map_delete(profiles_fd, &key);
	run(KNOWN);
	p = profile_get(key);
	CHECK_EQ(p.key, key, "root's profile with a quota of 0");
	CHECK_EQ(p.owner, 0, "root's profile's owner");
	CHECK_EQ(owner_get(0, EBPH_OWNER_MADE), 0, "root counted");

	/* A task whose executable is not its profile's: owner unknown,
	 * and limited like a user. */
	task_new(KEY(90));
	bpf_map_delete(profiles_fd, &(__u64){ KEY(90) });
	run(KNOWN);
	CHECK(!bpf_map_lookup(profiles_fd, &(__u64){ KEY(90) }, &p),
	      "unknown owner not limited");
	CHECK_EQ(stat_sum(EBPH_STAT_OWNER_QUOTA) - quota0, 4, "unknown owner refused");
	cfg.owner_quota = 10;
	cfg.users_max = 1000;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	untraced_age(my_tid);
	run(KNOWN);
	CHECK_EQ(profile_get(KEY(90)).owner, EBPH_OWNER_UNKNOWN, "unknown owner");
	bpf_map_delete(profiles_fd, &(__u64){ KEY(90) });
	bpf_map_delete(paths_fd, &(__u64){ KEY(90) });
	rows_delete(KEY(90));
out:
	if (fchown(fd, st.st_uid, st.st_gid))
		CHECK(1, "cannot give our executable back to uid %u", st.st_uid);
	close(fd);
	bpf_map_delete(tasks_fd, &my_tid);
	bpf_map_delete(profiles_fd, &key);
	bpf_map_delete(paths_fd, &key);
	rows_delete(key);
	owners_clear();
	cfg = saved;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
}

/* ---- the sequence detector ------------------------------------------------ */

/* ebph_seq_pack() against the layout written out by hand. */
static void test_seq_pack(void)
{
	__u16 win[8] = { 15, 14, 13, 12, 11, 10, 9, 8 };
	__u16 part[8] = { 10, EBPH_EMPTY, EBPH_EMPTY, EBPH_EMPTY, EBPH_EMPTY,
			  EBPH_EMPTY, EBPH_EMPTY, EBPH_EMPTY };
	__u64 w0, w1;
	int i;

	TEST("seq_pack");
	memcpy(&w0, win, 8);
	memcpy(&w1, win + 4, 8);
	CHECK_EQ(ebph_seq_pack(w0, w1), SEQ6(15, 14, 13, 12, 11, 10), "full window");
	memcpy(&w0, part, 8);
	memcpy(&w1, part + 4, 8);
	CHECK_EQ(ebph_seq_pack(w0, w1), SEQ6(10, E10, E10, E10, E10, E10),
		 "one call, five empty slots");
	/* The largest call and an empty slot stay apart. */
	win[0] = EBPH_NUM_SYSCALLS - 1;
	memcpy(&w0, win, 8);
	memcpy(&w1, win + 4, 8);
	CHECK(ebph_seq_pack(w0, w1) == SEQ6(E10, 14, 13, 12, 11, 10),
	      "call 511 packs as an empty slot");
	for (i = 0; i < 6; i++)
		CHECK_EQ(ebph_seq_call(SEQ6(1, 2, 3, E10, E10, E10), i),
			 i < 3 ? i + 1 : EBPH_EMPTY, "ebph_seq_call");
}

/*
 * Calls 10..20 with only the sequence detector: one sequence per call,
 * the windows still filling included, and no pair rows at all.
 */
static void test_seq_learn(void)
{
	__u64 key = KEY(30);
	struct ebph_profile p;
	const struct ebph_event *e;
	int c;

	TEST("seq_learn");
	cfg.detectors = EBPH_DET_SEQS;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 1);
	profile_new(key);
	task_new(key);
	events_clear();
	for (c = 10; c <= 20; c++)
		run(c);
	CHECK_EQ(seqs_count(key), 11, "sequences after 11 distinct windows");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 0, "pair rows with pairs off");
	CHECK_EQ(seq_get(key, SEQ6(10, E10, E10, E10, E10, E10)).stamp, 0,
		 "the first window (10, five empty slots)");
	CHECK_EQ(seq_get(key, SEQ6(12, 11, 10, E10, E10, E10)).stamp, 0,
		 "window (12, 11, 10)");
	CHECK_EQ(seq_get(key, SEQ6(20, 19, 18, 17, 16, 15)).stamp, 0,
		 "window (20 .. 15)");
	CHECK_EQ(seq_get(key, SEQ6(20, 19, 18, 17, 16, 14)).stamp, ~0U,
		 "a window that never was");
	p = profile_get(key);
	CHECK_EQ(p.last_mod_count, 0, "last_mod_count: every call new");
	CHECK_EQ(p.train_count, 11, "train_count");

	/* One NEW_SEQ per sequence: misses 0, arg the packed sequence. */
	events_read();
	CHECK_EQ(events_count(EBPH_EV_NEW_SEQ), 11, "NEW_SEQ events");
	e = event_nth(EBPH_EV_NEW_SEQ, 10);
	if (e) {
		CHECK_EQ(e->misses, 0, "NEW_SEQ misses (0: a sequence)");
		CHECK_EQ(e->arg, SEQ6(20, 19, 18, 17, 16, 15), "NEW_SEQ arg");
		CHECK_EQ(e->call, 20, "NEW_SEQ call");
	}

	/* The same calls again, from a new exec: nothing new. */
	task_new(key);
	for (c = 10; c <= 20; c++)
		run(c);
	p = profile_get(key);
	CHECK_EQ(p.last_mod_count, 11, "last_mod_count after known windows");
	CHECK_EQ(seqs_count(key), 11, "sequences after known windows");

	/* The default, pairs only, learns no sequence. */
	cfg.detectors = EBPH_DET_PAIRS;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	task_new(key);
	for (c = 10; c <= 20; c++)
		run(c);
	CHECK_EQ(seqs_count(key), 0, "sequences with pairs only");
	CHECK_EQ(rows_count(key, EBPH_TRAIN), 11, "pair rows with pairs only");
}

/* A normal profile: known windows pass, and a foreign call spoils the
 * six windows it is in. */
static void test_seq_test(void)
{
	__u64 key = KEY(31);
	const struct ebph_event *e;
	struct ebph_profile p;
	struct ebph_task t;

	TEST("seq_test");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 100;
	profile_make_normal_det(key, EBPH_DET_SEQS);
	p = profile_get(key);
	/* Taken as start_normal() says: [train_from, epoch + 1), then a
	 * new epoch for what is learned later. */
	CHECK_EQ(p.seq_test_from, 0, "seq_test_from");
	CHECK_EQ(p.seq_test_to, 1, "seq_test_to");
	CHECK_EQ(p.seq_epoch, 1, "seq_epoch after start_normal");
	CHECK_EQ(seqs_count(key), 6, "sequences of KNOWN repeated");
	CHECK_EQ(rows_count(key, EBPH_TEST), 0, "test rows with pairs off");

	task_new(key);
	events_clear();
	run_n(KNOWN, 10);
	events_read();
	CHECK_EQ(events_count(EBPH_EV_ANOMALY), 0, "anomalies on known windows");

	run(FOREIGN);
	run_n(KNOWN, 5);
	t = task_get();
	CHECK_EQ(t.lfc, 6, "lfc: the six windows holding FOREIGN");
	run(KNOWN);
	t = task_get();
	CHECK_EQ(t.lfc, 6, "lfc once FOREIGN has left the window");
	p = profile_get(key);
	CHECK_EQ(p.anomalies, 6, "profile anomalies");
	events_read();
	CHECK_EQ(events_count(EBPH_EV_ANOMALY), 6, "ANOMALY events");
	e = event_nth(EBPH_EV_ANOMALY, 0);
	if (e) {
		CHECK_EQ(e->seq_miss, 1, "ANOMALY seq_miss");
		CHECK_EQ(e->misses, 0, "ANOMALY misses (pairs off)");
		CHECK_EQ(e->call, FOREIGN, "ANOMALY call");
		CHECK_EQ(e->lfc, 1, "ANOMALY lfc");
	}
	/* Learned meanwhile, but not in the test set: still anomalous. */
	CHECK_EQ(seq_get(key, SEQ6(FOREIGN, KNOWN, KNOWN, KNOWN, KNOWN, KNOWN)).stamp,
		 1, "the new window, learned in epoch 1");
	task_new(key);
	run_n(KNOWN, 8);
	events_clear();
	run(FOREIGN);
	t = task_get();
	CHECK_EQ(t.lfc, 1, "a window learned after start_normal still misses");
}

/*
 * Tolerize forgets the train set of sequences (a new epoch) and keeps
 * the test set, also for a sequence learned again afterwards: prev
 * keeps its test stamp.
 */
static void test_seq_tolerize(void)
{
	__u64 key = KEY(32), full = SEQ6(KNOWN, KNOWN, KNOWN, KNOWN, KNOWN, KNOWN);
	struct ebph_profile p;
	struct ebph_seq v;
	struct ebph_task t;

	TEST("seq_tolerize");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 3;
	profile_make_normal_det(key, EBPH_DET_SEQS);
	task_new(key);
	run_n(KNOWN, 8);
	events_clear();
	run_n(FOREIGN, 4);		/* LFC 4 > 3: tolerize */
	events_read();
	CHECK_EQ(events_count(EBPH_EV_TOLERIZE), 1, "TOLERIZE events");
	p = profile_get(key);
	CHECK_EQ(p.seq_epoch, 2, "seq_epoch after tolerize");
	CHECK_EQ(p.seq_train_from, 2, "seq_train_from after tolerize");
	CHECK_EQ(p.seq_test_from, 0, "seq_test_from kept");
	CHECK_EQ(p.seq_test_to, 1, "seq_test_to kept");
	CHECK_EQ(p.status, EBPH_NORMAL, "status after tolerize");

	/* Relearned: new to the train set, still in the test set. */
	task_new(key);
	run_n(KNOWN, 8);
	v = seq_get(key, full);
	CHECK_EQ(v.stamp, 2, "stamp of a sequence learned again");
	CHECK_EQ(v.prev, 0, "prev keeps the test stamp");
	t = task_get();
	CHECK_EQ(t.lfc, 0, "no anomaly on windows learned again");
	p = profile_get(key);
	CHECK_EQ(p.last_mod_count, 8 - 6, "relearned windows count as new");

	/* A second tolerize and relearning keep prev in the test range. */
	task_new(key);
	run_n(FOREIGN, 4);
	task_new(key);
	run_n(KNOWN, 8);
	v = seq_get(key, full);
	CHECK_EQ(v.stamp, 3, "stamp after the second relearning");
	CHECK_EQ(v.prev, 0, "prev after the second relearning");
	CHECK_EQ(task_get().lfc, 0, "no anomaly after the second relearning");

	/* The next normalization takes the train set of now (KNOWN's
	 * windows, learned again in epoch 3) as test set; FOREIGN's, learned
	 * in epoch 2 and forgotten by the second tolerize, are not in it. */
	p = profile_get(key);
	p.status = EBPH_FROZEN;
	p.normal_time = 1;
	bpf_map_update(profiles_fd, &key, &p, BPF_ANY);
	task_new(key);
	run_n(KNOWN, 8);
	p = profile_get(key);
	CHECK_EQ(p.status, EBPH_NORMAL, "normal again");
	CHECK_EQ(p.seq_test_from, 3, "seq_test_from at the second normal");
	CHECK_EQ(p.seq_test_to, 4, "seq_test_to at the second normal");
	CHECK_EQ(task_get().lfc, 0, "KNOWN's windows in the new test set");
	task_new(key);
	run(FOREIGN);
	CHECK_EQ(task_get().lfc, 1, "a forgotten window is not in the new test set");

	/* Forgotten and learned again once more: now its stamp (3), not
	 * its first one (0), is what puts it in the test set, and prev
	 * must take it over. */
	task_new(key);
	run_n(FOREIGN, 4);
	p = profile_get(key);
	CHECK_EQ(p.seq_train_from, 5, "seq_train_from after the third tolerize");
	task_new(key);
	run_n(KNOWN, 8);
	v = seq_get(key, full);
	CHECK_EQ(v.stamp, 5, "stamp after the third relearning");
	CHECK_EQ(v.prev, 3, "prev takes over the stamp of the test set");
	CHECK_EQ(task_get().lfc, 0, "no anomaly after the third relearning");
}

/*
 * Both detectors: a call whose pairs are all known but whose window is
 * not.  Trained on 1 2 1 2 ..., a new exec that starts with 2 has no
 * pair to miss (its window is empty) but a window, (2), never seen.
 */
static void test_seq_both(void)
{
	__u64 key = KEY(33);
	struct ebph_profile p;
	const struct ebph_event *e;
	int i;

	TEST("seq_both");
	cfg.detectors = EBPH_DET_PAIRS | EBPH_DET_SEQS;
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 100;
	config_set(1000000, cfg.anomaly_limit, cfg.tolerize_limit, 0);
	profile_new(key);
	task_new(key);
	for (i = 0; i < 60; i++)
		run(1 + i % 2);
	sleep_ms(5);
	run(1);
	config_set(EBPH_NORMAL_WAIT, cfg.anomaly_limit, cfg.tolerize_limit, 0);
	p = profile_get(key);
	CHECK_EQ(p.status, EBPH_NORMAL, "normal with both detectors");
	CHECK(rows_count(key, EBPH_TEST) != 2, "test rows: %d, want 2",
	      rows_count(key, EBPH_TEST));
	CHECK(seqs_count(key) != 7, "sequences: %d, want 7 (5 filling, 2 full)",
	      seqs_count(key));

	task_new(key);
	events_clear();
	run(2);
	events_read();
	e = event_nth(EBPH_EV_ANOMALY, 0);
	if (!CHECK(!e, "no anomaly for an unseen window with known pairs")) {
		CHECK_EQ(e->misses, 0, "pair misses");
		CHECK_EQ(e->seq_miss, 1, "seq_miss");
	}
	/* And a foreign call misses both ways. */
	task_new(key);
	for (i = 0; i < 8; i++)
		run(1 + i % 2);
	events_clear();
	run(FOREIGN);
	events_read();
	e = event_nth(EBPH_EV_ANOMALY, 0);
	if (!CHECK(!e, "no anomaly for a foreign call")) {
		CHECK_EQ(e->misses, 8, "pair misses of a foreign call");
		CHECK_EQ(e->seq_miss, 1, "seq_miss of a foreign call");
	}
	CHECK_EQ(task_get().lfc, 1, "one anomalous call, counted once");
}

/* A profile that went normal while the detector was off has no test set
 * of sequences: it is not tested on them (everything would miss). */
static void test_seq_no_test_set(void)
{
	__u64 key = KEY(34);
	struct ebph_profile p;

	TEST("seq_no_test_set");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 100;
	profile_make_normal_det(key, EBPH_DET_PAIRS);
	p = profile_get(key);
	CHECK_EQ(p.seq_test_to - p.seq_test_from, 0, "no sequence test set");
	cfg.detectors = EBPH_DET_SEQS;
	config_set(EBPH_NORMAL_WAIT, cfg.anomaly_limit, cfg.tolerize_limit, 0);
	task_new(key);
	run_n(KNOWN, 3);
	run(FOREIGN);
	CHECK_EQ(task_get().lfc, 0, "tested on sequences without a test set");
	CHECK(seqs_count(key) == 0, "nothing learned meanwhile");
}

/*
 * A full seqs map: the sequence is counted and reported, and counts as
 * new so that a profile that cannot learn cannot freeze.  Run last: it
 * fills the map with 2^20 elements, which go when the object is closed.
 */
static void test_seqs_full(void)
{
	enum { BATCH = 65536 };
	static struct ebph_seq_key keys[BATCH];
	static struct ebph_seq vals[BATCH];
	__u64 key = KEY(35), full0 = stat_sum(EBPH_STAT_SEQS_FULL);
	struct ebph_profile p;
	const struct ebph_event *e;
	__u32 n, i, b;
	int err = 0;

	TEST("seqs_full");
	cfg.detectors = EBPH_DET_SEQS;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	profile_new(key);
	for (b = 0; !err && b < EBPH_MAX_SEQS / BATCH + 1; b++) {
		for (i = 0; i < BATCH; i++) {
			keys[i].profile = KEY(36);
			keys[i].seq = (__u64)b * BATCH + i;
		}
		n = BATCH;
		err = bpf_map_update_many(seqs_fd, keys, vals, &n, BPF_ANY);
	}
	CHECK(err != -E2BIG && err != -ENOMEM && err != -ENOSPC,
	      "filling the seqs map ended with %d, want a full map", err);
	task_new(key);
	events_clear();
	run(KNOWN);
	CHECK_EQ(stat_sum(EBPH_STAT_SEQS_FULL) - full0, 1, "EBPH_STAT_SEQS_FULL");
	p = profile_get(key);
	CHECK_EQ(p.last_mod_count, 0, "a sequence not stored counts as new");
	events_read();
	e = event_nth(EBPH_EV_MESSAGE, 0);
	if (!CHECK(!e, "no message for a full seqs map")) {
		CHECK_EQ(e->code, EBPH_MSG_SEQS_FULL, "message code");
		CHECK_EQ(e->arg, SEQ6(KNOWN, E10, E10, E10, E10, E10), "message arg");
		CHECK_EQ(e->level, EBPH_ERROR, "message level");
	}
	cfg.detectors = EBPH_DET_PAIRS;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
}

/* ---- signal frames ----------------------------------------------------------
 *
 * ebph_signal is a tracepoint program, which BPF_PROG_TEST_RUN cannot
 * run: it is attached for real to signal/signal_deliver, and this thread
 * sends itself signals.  The handler makes no call, and sys_enter is not
 * attached, so the window changes only by the pushes and by run().
 */

static void on_signal(int sig)
{
}

/* PROG attached to tracepoint CATEGORY/NAME: the perf event's fd (close
 * it to detach), or -1. */
static int tp_attach(const char *prog, const char *tp)
{
	struct perf_event_attr pa = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(pa),
		.sample_period = 1,
		.wakeup_events = 1,
	};
	struct ld_prog *p = ld_find_prog(&obj, prog);
	char path[256], buf[32] = "";
	int fd, n;

	/* ebph mounts tracefs where it is not (a fresh machine): so do we. */
	if (CHECK(bpf_ensure_mounts(0) || !bpf_tracefs_dir(), "no tracefs"))
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/id", bpf_tracefs_dir(), tp);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (CHECK(!p || n <= 0, "no program %s or no tracepoint %s", prog, path))
		return -1;
	pa.config = atoi(buf);
	fd = syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (CHECK(fd < 0, "perf_event_open %s: %s", tp, strerror(errno)))
		return -1;
	if (CHECK(ioctl(fd, PERF_EVENT_IOC_SET_BPF, p->fd) ||
		  ioctl(fd, PERF_EVENT_IOC_ENABLE, 0), "attach %s: %s", prog,
		  strerror(errno))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* SIG to this thread: handled (its delivery fires the tracepoint) before
 * tgkill returns. */
static void signal_self(int sig)
{
	syscall(SYS_tgkill, my_pid, my_tid, sig);
}

/* The newest window TASK saved. */
static const __u16 *saved_newest(const struct ebph_task *t)
{
	return t->saved[(t->saved_top + EBPH_FRAMES - 1) % EBPH_FRAMES];
}

/* Slots I.. of window SEQ (EBPH_EMPTY padded) are C0, C1, ...: -1 ends. */
static int window_is(const __u16 *seq, const int *want)
{
	int i, c;

	for (i = 0, c = 0; i < EBPH_SEQLEN; i++) {
		int w = want[c] < 0 ? EBPH_EMPTY : want[c++];

		if (seq[i] != w)
			return 0;
	}
	return 1;
}

/* Whether profile KEY's train row for CALL has PREV at distance D. */
static int learned(__u64 key, __u32 call, __u32 prev, int d)
{
	__u8 row[EBPH_NUM_SYSCALLS];

	return !row_get(key, call, EBPH_TRAIN, row) && (row[prev] & 1 << (d - 1));
}

/*
 * A handler's calls in a window of their own: a delivery to a handler
 * saves the window and empties it; the handler's calls are learned from
 * the empty window; its rt_sigreturn, learned there too, brings the
 * saved window back.  Nested: two saved exactly, a third overwrites the
 * oldest (counted), and a sigreturn with nothing saved leaves the window
 * alone.  No push for an ignored signal, with signal_frames off or
 * monitoring off; a child forked in a handler inherits the ring.
 */
static void test_frames(void)
{
	static const int w321[] = { 3, 2, 1, -1 }, none[] = { -1 };
	static const int w5[] = { 5, -1 }, w4[] = { 4, -1 };
	static const int w15_4[] = { 15, 4, -1 };
	struct sigaction sa = { .sa_handler = on_signal }, ign = { .sa_handler = SIG_IGN };
	__u64 key = KEY(41), full0 = stat_sum(EBPH_STAT_FRAMES_FULL);
	struct ebph_task t;
	sigset_t set;
	int fd, fork_fd, status;
	pid_t child;

	TEST("frames");
	cfg.detectors = EBPH_DET_PAIRS;
	cfg.signal_frames = 1;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	fd = tp_attach("ebph_signal", "signal/signal_deliver");
	if (fd < 0)
		return;
	sigaction(SIGUSR1, &sa, NULL);
	profile_new(key);
	task_new(key);
	run(1);
	run(2);
	run(3);
	signal_self(SIGUSR1);
	t = task_get();
	CHECK_EQ(t.frames, 1, "frames after a delivery");
	CHECK(!window_is(t.seq, none), "the handler's window is not empty");
	CHECK(!window_is(t.saved[0], w321), "saved window %u %u %u", t.saved[0][0],
	      t.saved[0][1], t.saved[0][2]);
	CHECK_EQ(t.saved_top, 1, "ring top after one push");
	run(39);		/* getpid */
	run(1);			/* write */
	run(EBPH_NR_RT_SIGRETURN);
	t = task_get();
	CHECK_EQ(t.frames, 0, "frames after rt_sigreturn");
	CHECK(!window_is(t.seq, w321), "window after rt_sigreturn: %u %u %u %u",
	      t.seq[0], t.seq[1], t.seq[2], t.seq[3]);
	CHECK(!learned(key, 1, 39, 1) || !learned(key, EBPH_NR_RT_SIGRETURN, 39, 2),
	      "the handler's pairs not learned");
	CHECK(learned(key, 39, 3, 1), "getpid learned after the interrupted call");
	run(4);
	CHECK(!learned(key, 4, 3, 1) || learned(key, 4, EBPH_NR_RT_SIGRETURN, 1),
	      "after the return, 4 follows 3, not the handler");

	/* Three deep: the third push overwrites the oldest window. */
	task_new(key);
	run(3);
	signal_self(SIGUSR1);
	run(4);
	signal_self(SIGUSR1);
	run(5);
	signal_self(SIGUSR1);
	t = task_get();
	CHECK_EQ(t.frames, EBPH_FRAMES, "frames three deep");
	CHECK_EQ(stat_sum(EBPH_STAT_FRAMES_FULL) - full0, 1, "EBPH_STAT_FRAMES_FULL");
	run(EBPH_NR_RT_SIGRETURN);
	CHECK(!window_is(task_get().seq, w5), "first return: not the window [5]");
	run(EBPH_NR_RT_SIGRETURN);
	CHECK(!window_is(task_get().seq, w4), "second return: not the window [4]");
	run(EBPH_NR_RT_SIGRETURN);
	t = task_get();
	CHECK(!window_is(t.seq, w15_4), "a return with nothing saved changed the window");
	CHECK_EQ(t.frames, 0, "frames after three returns");

	/* No push: an ignored signal (blocked, so that it is queued and
	 * delivered at the unblock), signal_frames off, monitoring off. */
	task_new(key);
	run(5);
	sigaction(SIGUSR2, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal_self(SIGUSR2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	CHECK_EQ(task_get().frames, 0, "frames after an ignored signal");
	cfg.signal_frames = 0;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	signal_self(SIGUSR1);
	CHECK_EQ(task_get().frames, 0, "frames after a signal, signal_frames off");
	cfg.signal_frames = 1;
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	cfg.monitoring = 0;
	bpf_map_update(config_fd, &(__u32){ 0 }, &cfg, BPF_ANY);
	signal_self(SIGUSR1);
	CHECK_EQ(task_get().frames, 0, "frames after a signal, monitoring off");
	config_set(EBPH_NORMAL_WAIT, 1000, 200, 0);
	CHECK(!window_is(task_get().seq, (const int[]){ 5, -1 }), "window changed without a push");

	/* Forked in a handler: the child has the saved window too. */
	signal_self(SIGUSR1);
	fork_fd = tp_attach("ebph_fork", "sched/sched_process_fork");
	child = fork_fd < 0 ? -1 : fork();
	if (child == 0)
		_exit(0);
	if (fork_fd >= 0)
		close(fork_fd);
	if (!CHECK(child < 0, "fork: %s", strerror(errno))) {
		__u32 ctid = child;

		waitpid(child, &status, 0);
		CHECK(bpf_map_lookup(tasks_fd, &ctid, &t), "no task for the child");
		CHECK_EQ(t.frames, 1, "the child's frames");
		CHECK(!window_is(saved_newest(&t), w5), "the child's saved window");
		bpf_map_delete(tasks_fd, &ctid);
	}
	close(fd);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	task_new(key);
}

/*
 * --detector seqs7: a call is anomalous when its sequence or the
 * previous call's misses, so one foreign call makes 7 anomalies, not 6;
 * the verdict kept (EBPH_TASK_SEQ_MISS) is dropped when a signal frame
 * is pushed or popped, as the window it judged is not the one going on.
 */
static void test_seq7(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	__u64 key = KEY(42);
	struct ebph_task t;
	int fd;

	TEST("seq7");
	cfg.anomaly_limit = 1000;
	cfg.tolerize_limit = 100;
	cfg.signal_frames = 1;
	profile_make_normal_det(key, EBPH_DET_SEQS | EBPH_DET_SEQS7);
	task_new(key);
	run_n(KNOWN, 10);
	t = task_get();
	CHECK_EQ(t.lfc, 0, "lfc on known windows");
	CHECK_EQ(t.flags & EBPH_TASK_SEQ_MISS, 0, "a verdict kept on known windows");
	run(FOREIGN);
	t = task_get();
	CHECK_EQ(t.lfc, 1, "lfc at FOREIGN");
	CHECK(!(t.flags & EBPH_TASK_SEQ_MISS), "no verdict kept after a miss");
	run_n(KNOWN, 5);
	CHECK_EQ(task_get().lfc, 6, "lfc: the six windows holding FOREIGN");
	run(KNOWN);
	t = task_get();
	CHECK_EQ(t.lfc, 7, "lfc: and the window after, joined to the last miss");
	CHECK_EQ(t.flags & EBPH_TASK_SEQ_MISS, 0, "a verdict kept after a known window");
	run(KNOWN);
	CHECK_EQ(task_get().lfc, 7, "lfc once both windows are known");

	/* A miss, then a handler: its first call, known in the empty
	 * window, is not joined to the interrupted window's miss. */
	fd = tp_attach("ebph_signal", "signal/signal_deliver");
	if (fd < 0)
		return;
	sigaction(SIGUSR1, &sa, NULL);
	task_new(key);
	run_n(KNOWN, 8);
	run(FOREIGN);
	signal_self(SIGUSR1);
	t = task_get();
	CHECK_EQ(t.frames, 1, "frames after a delivery");
	CHECK_EQ(t.flags & EBPH_TASK_SEQ_MISS, 0, "the verdict kept across a push");
	run(KNOWN);
	CHECK_EQ(task_get().lfc, 1, "lfc at the handler's first, known, call");
	run(EBPH_NR_RT_SIGRETURN);	/* unknown in the handler's window */
	t = task_get();
	CHECK_EQ(t.frames, 0, "frames after rt_sigreturn");
	CHECK_EQ(t.lfc, 2, "lfc at the sigreturn");
	CHECK_EQ(t.flags & EBPH_TASK_SEQ_MISS, 0, "the verdict kept across a pop");
	close(fd);
	signal(SIGUSR1, SIG_DFL);
	task_new(key);
}

/*
 * The programs, by the names user space finds them by (ebph run, replay,
 * these tests), each in the section that says where it attaches, and
 * named whole in the kernel, which keeps 15 characters of a name: what
 * `bpftool prog show` prints.
 */
static void test_prog_names(void)
{
	static const struct { const char *name, *section; } want[] = {
		{ "ebph_sys_enter", "raw_tracepoint/sys_enter" },
		{ "ebph_exec", "tracepoint/sched/sched_process_exec" },
		{ "ebph_fork", "tracepoint/sched/sched_process_fork" },
		{ "ebph_exit", "tracepoint/sched/sched_process_exit" },
		{ "ebph_io_uring", "tracepoint/io_uring/io_uring_submit_req" },
		{ "ebph_signal", "tracepoint/signal/signal_deliver" },
		{ "ebph_bprm_check", "lsm/bprm_check_security" },
	};
	size_t i;

	TEST("prog_names");
	CHECK_EQ(obj.nr_progs, sizeof(want) / sizeof(want[0]), "programs");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ld_prog *p = ld_find_prog(&obj, want[i].name);
		struct bpf_prog_info info = {};
		union bpf_attr attr = {};

		if (CHECK(!p, "no program %s", want[i].name))
			continue;
		CHECK(strcmp(p->section, want[i].section),
		      "%s is in section %s, not %s", want[i].name, p->section,
		      want[i].section);
		if (p->fd < 0 && p->optional)
			continue;	/* a kernel that refuses LSM programs */
		attr.info.bpf_fd = p->fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (__u64)(unsigned long)&info;
		if (CHECK(syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr,
				  sizeof(attr)), "BPF_OBJ_GET_INFO_BY_FD on %s: %s",
			  want[i].name, strerror(errno)))
			continue;
		CHECK(strncmp(info.name, want[i].name, sizeof(info.name)),
		      "the kernel names %s '%.*s'", want[i].name,
		      (int)sizeof(info.name), info.name);
	}
}

int main(void)
{
	struct ld_prog *prog;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.detectors = EBPH_DET_PAIRS;
	cfg.owner_quota = EBPH_OWNER_QUOTA;
	cfg.users_max = EBPH_USERS_MAX;
	my_pid = getpid();
	my_tid = syscall(SYS_gettid);
	ncpus = bpf_num_possible_cpus();
	if (CHECK(ncpus <= 0, "cannot count the possible CPUs"))
		return test_summary();

	err = ld_open(&obj, getenv("EBPH_TEST_OBJECT") ?
				    getenv("EBPH_TEST_OBJECT") : OBJ_PATH, 0);
	if (!err)
		err = ld_load(&obj);
	if (CHECK(err, "cannot load %s: %s (run from the top directory, as root)",
		  OBJ_PATH, strerror(-err)))
		goto out;
	prog = ld_find_prog(&obj, "ebph_sys_enter");
	if (CHECK(!prog, "no program ebph_sys_enter"))
		goto out;
	prog_fd = prog->fd;
	/* The maps by the one list of their names (EBPH_MAPS), and the two
	 * private ones this test reads too. */
	err = ebph_maps_from_object(&m, &obj);
	if (CHECK(err, "the maps: %s", strerror(-err)))
		goto out;
	config_fd = m.config;
	stats_fd = m.stats;
	profiles_fd = m.profiles;
	paths_fd = m.paths;
	tasks_fd = m.tasks;
	rows_fd = m.rows;
	seqs_fd = m.seqs;
	owners_fd = m.owners;
	events_fd = ld_map_fd(&obj, "events");
	untraced_fd = ld_map_fd(&obj, "untraced");
	if (CHECK(events_fd < 0 || untraced_fd < 0, "a map is missing"))
		goto out;

	test_prog_names();
	test_event_drops();

	err = perf_reader_open(&pb, events_fd, 64, on_sample, on_lost, NULL);
	if (CHECK(err, "perf_reader_open: %s", strerror(-err)))
		goto out;
	pb_open = 1;

	test_pairs();
	test_empty_slots();
	test_freeze();
	test_flush();
	test_normal_wait();
	test_test_set_unchanged();
	test_normal_again();
	test_misses();
	test_lfc();
	test_tolerize();
	test_anomaly_limit();
	test_big_call();
	test_monitoring_off();
	test_pick_up();
	test_tasks_full();
	test_owner_quota();
	test_seq_pack();
	test_seq_learn();
	test_seq_test();
	test_seq_tolerize();
	test_seq_both();
	test_seq_no_test_set();
	test_frames();
	test_seq7();
	test_seqs_full();

	TEST("events");
	CHECK_EQ(lost_events, 0, "perf records lost");
out:
	bpf_map_delete(tasks_fd, &my_tid);
	if (pb_open)
		perf_reader_close(&pb);
	ld_close(&obj);
	return test_summary();
}
