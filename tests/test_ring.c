// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_ring.c - the perf ring reader.
 *
 * perf_ring_consume() is a pure function over a mapped buffer, so most of
 * this file feeds it rings built in ordinary memory: a struct
 * perf_event_mmap_page and a power-of-two data area, records written as
 * the kernel writes them (struct perf_event_header, then for
 * PERF_RECORD_SAMPLE with PERF_SAMPLE_RAW a u32 size and the bytes padded
 * to 8, for PERF_RECORD_LOST a u64 id and a u64 count), data_head and
 * data_tail set by hand.  The last test runs a BPF program that calls
 * bpf_perf_event_output() and reads the sample through perf_reader_open()
 * and perf_reader_poll(), end to end (root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "perf_reader.h"
#include "test.h"

#define DATA_SIZE	256		/* a small ring: wraps come quickly */
#define CPU		3		/* handed through to the callbacks */
#define MAX_RECS	64

/* ---- a synthetic ring ---------------------------------------------------- */

static struct perf_event_mmap_page meta;
static unsigned char *ring;		/* DATA_SIZE bytes */
static unsigned char ring_mem[DATA_SIZE] __attribute__((aligned(8)));
static unsigned char scratch[2 * DATA_SIZE];	/* more than any record */
static __u64 wpos;			/* where the next record goes */

/* Empty the ring, with head and tail at POS. */
static void ring_reset(__u64 pos)
{
	ring = ring_mem;
	memset(&meta, 0, sizeof(meta));
	memset(ring, 0xa5, DATA_SIZE);	/* stale bytes, as a real ring has */
	meta.data_head = meta.data_tail = wpos = pos;
}

static void ring_put(const void *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		ring[(wpos + i) & (DATA_SIZE - 1)] = ((const unsigned char *)src)[i];
	wpos += len;
}

static void put_header(__u32 type, __u16 size)
{
	struct perf_event_header h = { .type = type, .misc = 0, .size = size };

	ring_put(&h, sizeof(h));
}

/* A sample of N bytes: header, u32 N, the bytes, zeros up to 8. */
static void put_sample(const void *payload, __u32 n)
{
	static const unsigned char zeros[8];
	size_t body = (sizeof(__u32) + n + 7) & ~7ul;

	put_header(PERF_RECORD_SAMPLE, sizeof(struct perf_event_header) + body);
	ring_put(&n, sizeof(n));
	ring_put(payload, n);
	ring_put(zeros, body - sizeof(__u32) - n);
}

static void put_lost(__u64 id, __u64 lost)
{
	put_header(PERF_RECORD_LOST, sizeof(struct perf_event_header) + 16);
	ring_put(&id, sizeof(id));
	ring_put(&lost, sizeof(lost));
}

/* Make what was written visible to the reader. */
static void publish(void)
{
	meta.data_head = wpos;
}

/* ---- what the callbacks saw ---------------------------------------------- */

struct rec {
	int lost;			/* 1: on_lost, 0: on_sample */
	int cpu;
	__u32 size;
	__u64 count;			/* on_lost's */
	const void *where;		/* the pointer on_sample was given */
	unsigned char bytes[DATA_SIZE];
};

struct log {
	int n;
	struct rec r[MAX_RECS];
	int stop_at;			/* on_sample number stop_at returns stop_ret */
	int stop_ret;
};

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct log *log = ctx;
	struct rec *r;

	if (log->n == MAX_RECS)
		return -E2BIG;
	r = &log->r[log->n++];
	r->lost = 0;
	r->cpu = cpu;
	r->size = size;
	r->where = data;
	memcpy(r->bytes, data, size < DATA_SIZE ? size : DATA_SIZE);
	return log->n == log->stop_at ? log->stop_ret : 0;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	struct log *log = ctx;
	struct rec *r;

	if (log->n == MAX_RECS)
		return;
	r = &log->r[log->n++];
	r->lost = 1;
	r->cpu = cpu;
	r->count = lost;
}

static int consume(struct log *log)
{
	return perf_ring_consume(&meta, ring, DATA_SIZE, scratch, sizeof(scratch),
				 CPU, on_sample, on_lost, log);
}

/* Payload number I of length N: bytes no other payload has there. */
static void fill(unsigned char *p, int i, __u32 n)
{
	__u32 k;

	for (k = 0; k < n; k++)
		p[k] = (unsigned char)(i * 37 + k * 7 + 1);
}

/* Sample number I of the log is payload I of length N. */
static void check_sample(struct log *log, int at, int i, __u32 n)
{
	unsigned char want[DATA_SIZE];
	struct rec *r = &log->r[at];

	if (CHECK(at >= log->n, "record %d was not delivered", at))
		return;
	fill(want, i, n);
	CHECK(r->lost, "record %d: on_lost, not on_sample", at);
	CHECK_EQ(r->cpu, CPU, "cpu");
	CHECK_EQ(r->size, n, "sample size");
	CHECK(memcmp(r->bytes, want, n), "record %d: payload %d differs", at, i);
}

static int in_ring(const void *p)
{
	return (const unsigned char *)p >= ring &&
	       (const unsigned char *)p < ring + DATA_SIZE;
}

static int in_scratch(const void *p)
{
	return (const unsigned char *)p >= scratch &&
	       (const unsigned char *)p < scratch + sizeof(scratch);
}

/* Write samples of these sizes, payloads 0, 1, ...; return the count. */
static int put_samples(const __u32 *sizes, int n)
{
	unsigned char buf[DATA_SIZE];
	int i;

	for (i = 0; i < n; i++) {
		fill(buf, i, sizes[i]);
		put_sample(buf, sizes[i]);
	}
	return n;
}

/* ---- records that are fine ---------------------------------------------- */

static void test_empty(void)
{
	struct log log = {};

	TEST("ring_empty");
	ring_reset(0);
	CHECK_EQ(consume(&log), 0, "records from an empty ring");
	CHECK_EQ(log.n, 0, "callbacks");
	CHECK_EQ(meta.data_tail, 0, "data_tail");

	ring_reset(0x1234567 * (__u64)DATA_SIZE + 72);
	CHECK_EQ(consume(&log), 0, "records from an empty ring far along");
	CHECK_EQ(log.n, 0, "callbacks");
	CHECK_EQ(meta.data_tail, 0x1234567 * (__u64)DATA_SIZE + 72, "data_tail");
}

static void test_in_order(void)
{
	static const __u32 sizes[] = { 0, 1, 4, 8, 13, 20 };
	struct log log = {};
	int i, n;

	TEST("ring_in_order");
	ring_reset(0);
	n = put_samples(sizes, 6);
	publish();
	CHECK_EQ(consume(&log), n, "records read");
	CHECK_EQ(log.n, n, "callbacks");
	for (i = 0; i < n; i++) {
		check_sample(&log, i, i, sizes[i]);
		CHECK(i < log.n && !in_ring(log.r[i].where),
		      "record %d not handed out in place", i);
	}
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail after reading");
	CHECK_EQ(consume(&log), 0, "records on a second read");
	CHECK_EQ(log.n, n, "callbacks after a second read");
}

/* A record that runs past the end continues at the start. */
static void test_wrap(void)
{
	static const __u32 sizes[] = { 28, 3 };
	unsigned char buf[DATA_SIZE];
	struct log log = {};

	/* Header and size at the end, the payload mostly at the start. */
	TEST("ring_wrap_payload");
	ring_reset(DATA_SIZE - 16);
	put_samples(sizes, 2);
	publish();
	CHECK_EQ(consume(&log), 2, "records read");
	check_sample(&log, 0, 0, 28);
	CHECK(log.n < 1 || !in_scratch(log.r[0].where),
	      "the wrapped record was not made contiguous in scratch");
	check_sample(&log, 1, 1, 3);
	CHECK(log.n < 2 || !in_ring(log.r[1].where), "the next record not in place");
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");

	/* Only the header fits before the end. */
	TEST("ring_wrap_after_header");
	memset(&log, 0, sizeof(log));
	ring_reset(DATA_SIZE - 8);
	fill(buf, 0, 28);
	put_sample(buf, 28);
	publish();
	CHECK_EQ(consume(&log), 1, "records read");
	check_sample(&log, 0, 0, 28);
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");

	/* Ends exactly at the end: no wrap, handed out in place. */
	TEST("ring_end_exactly");
	memset(&log, 0, sizeof(log));
	ring_reset(DATA_SIZE - 40);
	fill(buf, 0, 28);
	put_sample(buf, 28);		/* 8 + 4 + 28 = 40 */
	publish();
	CHECK_EQ(consume(&log), 1, "records read");
	check_sample(&log, 0, 0, 28);
	CHECK(log.n < 1 || !in_ring(log.r[0].where), "not handed out in place");

	/* A full ring: head - tail is the whole data area. */
	TEST("ring_full");
	memset(&log, 0, sizeof(log));
	ring_reset(5 * DATA_SIZE + 200);
	fill(buf, 0, 116);
	put_sample(buf, 116);		/* 128 */
	fill(buf, 1, 116);
	put_sample(buf, 116);		/* 128 */
	publish();
	CHECK_EQ(meta.data_head - meta.data_tail, DATA_SIZE, "the test fills the ring");
	CHECK_EQ(consume(&log), 2, "records read");
	check_sample(&log, 0, 0, 116);
	check_sample(&log, 1, 1, 116);
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");
}

/* Positions are u64 byte counts that have gone round the ring many times. */
static void test_big_positions(void)
{
	static const __u32 sizes[] = { 40, 60, 9, 33, 17 };
	static const __u64 starts[] = {
		1000003ULL * DATA_SIZE + 232,
		(1ULL << 40) + 248,
		(1ULL << 63) - 3 * DATA_SIZE - 16,
	};
	struct log log;
	size_t s;
	int i;

	TEST("ring_big_positions");
	for (s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		memset(&log, 0, sizeof(log));
		ring_reset(starts[s]);
		put_samples(sizes, 5);
		publish();
		CHECK_EQ(consume(&log), 5, "records read");
		for (i = 0; i < 5; i++)
			check_sample(&log, i, i, sizes[i]);
		CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");
		CHECK_EQ(meta.data_tail, starts[s] + 56 + 72 + 24 + 48 + 32,
			 "data_tail: the sum of the record sizes");
	}
}

static void test_lost(void)
{
	unsigned char buf[16];
	struct log log = {};
	int n;

	TEST("ring_lost");
	ring_reset(DATA_SIZE - 32);	/* the LOST record wraps */
	fill(buf, 0, 5);
	put_sample(buf, 5);
	put_lost(77, 1234567);
	fill(buf, 1, 16);
	put_sample(buf, 16);
	publish();
	n = consume(&log);
	CHECK_EQ(n, 3, "records read");
	check_sample(&log, 0, 0, 5);
	if (!CHECK(log.n < 2, "on_lost not called")) {
		CHECK(!log.r[1].lost, "second record not reported as lost");
		CHECK_EQ(log.r[1].count, 1234567, "lost count");
		CHECK_EQ(log.r[1].cpu, CPU, "on_lost cpu");
	}
	check_sample(&log, 2, 1, 16);
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");

	/* Without an on_lost callback the count is dropped, nothing else. */
	TEST("ring_lost_no_callback");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_lost(1, 2);
	fill(buf, 0, 3);
	put_sample(buf, 3);
	publish();
	CHECK_EQ(perf_ring_consume(&meta, ring, DATA_SIZE, scratch, sizeof(scratch),
				   CPU, on_sample, NULL, &log), 2, "records read");
	CHECK_EQ(log.n, 1, "callbacks");
	check_sample(&log, 0, 0, 3);
}

static void test_unknown_type(void)
{
	unsigned char buf[32];
	struct log log = {};

	TEST("ring_unknown_type");
	ring_reset(DATA_SIZE - 8);
	memset(buf, 0xee, sizeof(buf));
	put_header(PERF_RECORD_MMAP, 8 + 32);	/* not asked for, but skippable */
	ring_put(buf, 32);
	put_header(0x7fff, 8);			/* a type from the future */
	fill(buf, 0, 11);
	put_sample(buf, 11);
	publish();
	consume(&log);
	CHECK_EQ(log.n, 1, "callbacks");
	check_sample(&log, 0, 0, 11);
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");
}

/* The callback says stop: the read ends just after that record. */
static void test_stop(void)
{
	static const __u32 sizes[] = { 4, 12, 20 };
	struct log log = { .stop_at = 2, .stop_ret = -42 };
	__u64 start = 3 * DATA_SIZE + 200;

	TEST("ring_callback_stops");
	ring_reset(start);
	put_samples(sizes, 3);
	publish();
	CHECK_EQ(consume(&log), -42, "the callback's value");
	CHECK_EQ(log.n, 2, "callbacks");
	CHECK_EQ(meta.data_tail, start + 16 + 24, "data_tail just past the second record");

	TEST("ring_callback_stops_then_resumes");
	log.stop_at = 0;
	CHECK_EQ(consume(&log), 1, "records on the next read");
	check_sample(&log, 2, 2, 20);
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail");
}

/* ---- records that cannot be ---------------------------------------------- */

/* Read, expecting -EBADMSG, the ring resynchronised at data_head and the
 * GOOD records before the bad one delivered. */
static void expect_bad(struct log *log, int good, size_t scratch_size)
{
	int ret = perf_ring_consume(&meta, ring, DATA_SIZE, scratch, scratch_size,
				    CPU, on_sample, on_lost, log);

	CHECK_EQ(ret, -EBADMSG, "perf_ring_consume");
	CHECK_EQ(log->n, good, "records delivered before the bad one");
	CHECK_EQ(meta.data_tail, meta.data_head, "data_tail moved to data_head");
}

static void test_bad(void)
{
	unsigned char buf[DATA_SIZE];
	struct log log = {};
	__u32 raw;

	/* The header promises more than head - tail holds. */
	TEST("ring_truncated_record");
	ring_reset(DATA_SIZE - 16);
	fill(buf, 0, 4);
	put_sample(buf, 4);
	put_header(PERF_RECORD_SAMPLE, 64);
	raw = 52;
	ring_put(&raw, 4);
	ring_put(buf, 20);
	publish();
	expect_bad(&log, 1, sizeof(scratch));
	check_sample(&log, 0, 0, 4);

	/* Fewer bytes than a header. */
	TEST("ring_truncated_header");
	memset(&log, 0, sizeof(log));
	ring_reset(64);
	put_header(PERF_RECORD_SAMPLE, 16);
	meta.data_head = 64 + 4;
	expect_bad(&log, 0, sizeof(scratch));

	/* A size smaller than the header itself: 4, and 0, which would
	 * never move the tail (main's alarm ends a reader that spins).  A
	 * type the reader skips, so no per-type check can stand in. */
	TEST("ring_header_size_4");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_header(PERF_RECORD_MMAP, 4);
	put_header(PERF_RECORD_MMAP, 4);
	fill(buf, 0, 4);
	put_sample(buf, 4);
	publish();
	expect_bad(&log, 0, sizeof(scratch));
	TEST("ring_header_size_0");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_header(PERF_RECORD_MMAP, 0);
	ring_put(buf, 24);
	publish();
	expect_bad(&log, 0, sizeof(scratch));

	/* The raw size runs past the record. */
	TEST("ring_raw_size_too_big");
	memset(&log, 0, sizeof(log));
	ring_reset(8);
	put_header(PERF_RECORD_SAMPLE, 24);
	raw = 13;			/* 8 + 4 + 13 > 24 */
	ring_put(&raw, 4);
	ring_put(buf, 12);
	fill(buf, 1, 4);
	put_sample(buf, 4);
	publish();
	expect_bad(&log, 0, sizeof(scratch));

	TEST("ring_raw_size_huge");
	memset(&log, 0, sizeof(log));
	ring_reset(8);
	put_header(PERF_RECORD_SAMPLE, 16);
	raw = 0xfffffffc;		/* would wrap a 32-bit sum */
	ring_put(&raw, 4);
	ring_put(buf, 4);
	publish();
	expect_bad(&log, 0, sizeof(scratch));

	/* A sample with no room for its raw size, a LOST with no count. */
	TEST("ring_sample_without_raw_size");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_header(PERF_RECORD_SAMPLE, 8);
	publish();
	expect_bad(&log, 0, sizeof(scratch));
	TEST("ring_lost_too_short");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_header(PERF_RECORD_LOST, 16);
	ring_put(buf, 8);
	publish();
	expect_bad(&log, 0, sizeof(scratch));

	/* A record that wraps and does not fit the scratch buffer. */
	TEST("ring_record_bigger_than_scratch");
	memset(&log, 0, sizeof(log));
	ring_reset(DATA_SIZE - 16);
	fill(buf, 0, 36);
	put_sample(buf, 36);		/* 48 bytes */
	publish();
	expect_bad(&log, 0, 32);

	/* A record larger than the whole ring, though scratch could hold it. */
	TEST("ring_record_bigger_than_ring");
	memset(&log, 0, sizeof(log));
	ring_reset(0);
	put_header(PERF_RECORD_SAMPLE, DATA_SIZE + 8);
	ring_put(&(__u32){ DATA_SIZE - 4 }, 4);
	meta.data_head = DATA_SIZE + 8;
	expect_bad(&log, 0, sizeof(scratch));
}

/*
 * Records the reader must refuse before reading past them: the data area
 * is put against an inaccessible page, and the read runs in a child, so
 * a fault is a failed check, not a lost test run.  SETUP writes the
 * records.  Returns the child's wait status.
 */
static int consume_guarded(void (*setup)(void))
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *mem;
	int status = -1;
	pid_t pid;

	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	if (mprotect(mem + page, page, PROT_NONE))
		goto out;
	ring_reset(0);
	ring = mem + page - DATA_SIZE;
	memset(ring, 0, DATA_SIZE);
	setup();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct log log = {};
		int ret = consume(&log);

		_exit(ret == -EBADMSG && meta.data_tail == meta.data_head && !log.n ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
out:
	munmap(mem, 2 * page);
	ring = ring_mem;
	return status;
}

static void check_guarded(void (*setup)(void), const char *what)
{
	int status = consume_guarded(setup);

	if (CHECK(status == -1, "cannot set up a guarded ring"))
		return;
	CHECK(WIFSIGNALED(status),
	      "the reader read past the end of the data area (signal %d)",
	      WTERMSIG(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status),
	      "%s was not refused with -EBADMSG before any callback", what);
}

/* A sample header in the last 8 bytes, claiming 8 bytes: its raw size
 * would be the 4 bytes after the end. */
static void setup_sample_header_at_end(void)
{
	wpos = DATA_SIZE - 8;
	meta.data_tail = wpos;
	put_header(PERF_RECORD_SAMPLE, 8);
	publish();
}

/*
 * Records are 8-byte aligned, which is why a header can never wrap; a
 * size that is not a multiple of 8 is as impossible as a size of 4.  A
 * 252-byte record followed by 8 more bytes: believing its size means
 * reading the next header across the end of the data area.
 */
static void setup_size_not_multiple_of_8(void)
{
	unsigned char buf[240];

	fill(buf, 0, 240);
	put_header(PERF_RECORD_SAMPLE, 8 + 4 + 240);	/* 252 */
	ring_put(&(__u32){ 240 }, 4);
	ring_put(buf, 240);
	meta.data_head = 260;		/* a second header's worth past it */
}

static void test_guarded(void)
{
	TEST("ring_sample_header_at_end");
	check_guarded(setup_sample_header_at_end, "an 8-byte sample");
	TEST("ring_size_not_multiple_of_8");
	check_guarded(setup_size_not_multiple_of_8, "a 252-byte record");
}

/* ---- the real thing (root) ------------------------------------------------ */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static void test_live(void)
{
	static const __u64 values[] = { 0x0123456789abcdefULL, 1, 2, 0xfeedfacecafebeefULL };
	struct perf_reader pb;
	struct ld_obj obj;
	struct ld_prog *p;
	struct log log = {};
	__u64 ctx[2] = { 0, 0 };
	__u32 retval;
	cpu_set_t set, old;
	int fds = count_fds(), cpu, map_fd, n, i, err;

	TEST("live_perf_buffer");
	/* Stay on one CPU, so BPF_F_CURRENT_CPU means this CPU's ring. */
	cpu = sched_getcpu();
	if (CHECK(cpu < 0 || sched_getaffinity(0, sizeof(old), &old), "sched_getcpu"))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (CHECK(sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity"))
		return;

	err = ld_open(&obj, "tests/fixture_output.o", 0);
	if (!CHECK(err, "open tests/fixture_output.o: %d", err))
		err = ld_load(&obj);
	if (CHECK(err, "load tests/fixture_output.o: %d", err))
		goto out_obj;
	p = ld_find_prog(&obj, "raw_tracepoint__sys_enter");
	map_fd = ld_map_fd(&obj, "events");
	if (CHECK(!p || map_fd < 0, "no program or no events map"))
		goto out_obj;
	err = perf_reader_open(&pb, map_fd, 8, on_sample, on_lost, &log);
	if (CHECK(err, "perf_reader_open: %d", err))
		goto out_obj;
	/* One ring per possible CPU that is online; ours among them. */
	CHECK(pb.nr_rings < 1 || pb.nr_rings > bpf_num_possible_cpus(),
	      "%d rings for %d possible CPUs", pb.nr_rings, bpf_num_possible_cpus());
	for (i = 0; i < pb.nr_rings && pb.rings[i].cpu != cpu; i++)
		;
	CHECK(i == pb.nr_rings, "no ring for CPU %d", cpu);

	ctx[0] = values[0];
	CHECK_EQ(bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval), 0, "BPF_PROG_TEST_RUN");
	n = perf_reader_poll(&pb, 1000);
	CHECK_EQ(n, 1, "records polled");
	if (!CHECK_EQ(log.n, 1, "samples")) {
		CHECK(log.r[0].lost, "a LOST record instead of the sample");
		CHECK_EQ(log.r[0].cpu, cpu, "the sample's CPU");
		/* The kernel pads the raw data so the record ends on 8
		 * bytes, and counts the padding in the raw size:
		 * 8 bytes become round_up(4 + 8, 8) - 4 = 12. */
		CHECK_EQ(log.r[0].size, 12, "raw size");
		CHECK(memcmp(log.r[0].bytes, &values[0], 8),
		      "sample bytes %016llx, want %016llx",
		      *(unsigned long long *)log.r[0].bytes,
		      (unsigned long long)values[0]);
	}

	/* Several, read in one poll, in order. */
	TEST("live_perf_buffer_several");
	for (i = 1; i < 4; i++) {
		ctx[0] = values[i];
		CHECK_EQ(bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval), 0,
			 "BPF_PROG_TEST_RUN");
	}
	n = perf_reader_poll(&pb, 1000);
	CHECK_EQ(n, 3, "records polled");
	CHECK_EQ(log.n, 4, "samples in all");
	for (i = 1; i < 4 && i < log.n; i++)
		CHECK(memcmp(log.r[i].bytes, &values[i], 8), "sample %d bytes", i);

	TEST("live_perf_buffer_quiet");
	CHECK_EQ(perf_reader_poll(&pb, 50), 0, "poll with nothing written");
	CHECK_EQ(log.n, 4, "samples in all");

	perf_reader_close(&pb);
out_obj:
	ld_close(&obj);
	sched_setaffinity(0, sizeof(old), &old);
	TEST("live_perf_buffer_close");
	CHECK_EQ(count_fds(), fds, "descriptors open after closing");
}

int main(int argc, char **argv)
{
	test_chdir_top();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A reader that never moves its tail spins forever: end it, and
	 * tests/run counts the missing summary line as a failure. */
	alarm(30);

	test_empty();
	test_in_order();
	test_wrap();
	test_big_positions();
	test_lost();
	test_unknown_type();
	test_stop();
	test_bad();
	test_guarded();
	test_live();

	return test_summary();
}
