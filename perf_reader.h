/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf_reader.h - the reader of a PERF_EVENT_ARRAY map: one perf ring
 * per CPU, mapped, polled and drained, each record handed to a callback.
 *
 * Apart from the loader because it runs for as long as the programs do,
 * on a map the loader made; perf_ring_consume() is apart from the rest
 * so that tests can run it on rings they write themselves.
 */
#ifndef PERF_READER_H
#define PERF_READER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/perf_event.h>
/*
 * Called for each PERF_RECORD_SAMPLE with its raw data, and for each
 * PERF_RECORD_LOST with the number of records the kernel dropped.  Return
 * 0 to go on; a negative value stops the read and is passed back.
 */
typedef int (*perf_sample_fn)(void *ctx, int cpu, const void *data,
			      uint32_t size);
typedef void (*perf_lost_fn)(void *ctx, int cpu, uint64_t lost);

/*
 * Consume every record between data_tail and data_head of one ring.  Pure:
 * it touches only the memory it is given, so tests can hand it synthetic
 * rings.  META is the ring's first (control) page, DATA its data area of
 * DATA_SIZE bytes (a power of two); a record that wraps around the end is
 * copied into SCRATCH (SCRATCH_SIZE bytes) first.  Returns the number of
 * records read, or -EBADMSG for a record whose size is impossible (the
 * ring is then skipped to data_head), or the callback's negative value.
 */
int perf_ring_consume(struct perf_event_mmap_page *meta, void *data,
		      size_t data_size, void *scratch, size_t scratch_size,
		      int cpu, perf_sample_fn on_sample, perf_lost_fn on_lost,
		      void *ctx);

/* One CPU's ring. */
struct perf_ring {
	int cpu;
	int fd;			/* the PERF_COUNT_SW_BPF_OUTPUT event */
	void *base;		/* mmap: control page + data */
	size_t data_size;
};

/* Every ring of a PERF_EVENT_ARRAY: one per possible CPU that is online
 * (perf_event_open() refuses an offline one), each one pollfd of PFDS. */
struct perf_reader {
	struct perf_ring *rings;
	int nr_rings;
	struct pollfd *pfds;
	void *scratch;
	size_t scratch_size;
	perf_sample_fn on_sample;
	perf_lost_fn on_lost;
	void *ctx;
};

/* One ring of PAGE_CNT data pages (a power of two) per possible CPU, each
 * stored in the PERF_EVENT_ARRAY MAP_FD at its CPU's index. */
int perf_reader_open(struct perf_reader *rd, int map_fd, int page_cnt,
		     perf_sample_fn on_sample, perf_lost_fn on_lost, void *ctx);
/* Wait up to TIMEOUT_MS for data, then drain every ring.  Returns records
 * read, 0 on timeout, -EINTR when a signal came, or another -errno. */
int perf_reader_poll(struct perf_reader *rd, int timeout_ms);
void perf_reader_close(struct perf_reader *rd);

#endif /* PERF_READER_H */
