// SPDX-License-Identifier: GPL-2.0
/*
 * perf_reader.c - the perf ring reader (see perf_reader.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "perf_reader.h"
#include "bpf_sys.h"

int perf_ring_consume(struct perf_event_mmap_page *meta, void *data,
		      size_t data_size, void *scratch, size_t scratch_size,
		      int cpu, perf_sample_fn on_sample, perf_lost_fn on_lost,
		      void *ctx)
{
	/*
	 * The kernel writes a record, then publishes data_head with a store
	 * release.  The acquire load pairs with it: every byte below head is
	 * visible once head is.  Our release store of data_tail tells the
	 * kernel the bytes below it may be overwritten, so it must come after
	 * our last read of them.
	 */
	__u64 head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	__u64 tail = meta->data_tail;
	int nr = 0, ret = 0;

	while (tail < head) {
		size_t off = tail & (data_size - 1);
		struct perf_event_header *h = (void *)((char *)data + off);
		__u64 avail = head - tail;
		char *rec;

		/* Records are 8-byte aligned, so the 8-byte header itself never
		 * wraps; its size field still must be believed only within
		 * limits, and only when it keeps the next header aligned. */
		if (avail < sizeof(*h) || h->size < sizeof(*h) || h->size % 8 || h->size > avail ||
		    h->size > data_size || h->size > scratch_size) {
			ret = -EBADMSG;
			tail = head;	/* resynchronise: drop the rest */
			break;
		}
		rec = (char *)h;
		if (off + h->size > data_size) {
			/* Wraps around the end: make it contiguous. */
			size_t first = data_size - off;

			memcpy(scratch, rec, first);
			memcpy((char *)scratch + first, data, h->size - first);
			rec = scratch;
		}

		if (h->type == PERF_RECORD_SAMPLE) {
			/* PERF_SAMPLE_RAW: u32 size, then the bytes. */
			__u32 raw;

			if (h->size < sizeof(*h) + sizeof(raw)) {
				ret = -EBADMSG;
				tail = head;
				break;
			}
			memcpy(&raw, rec + sizeof(*h), sizeof(raw));
			if (sizeof(*h) + sizeof(raw) + raw > h->size) {
				ret = -EBADMSG;
				tail = head;
				break;
			}
			ret = on_sample(ctx, cpu, rec + sizeof(*h) + sizeof(raw), raw);
		} else if (h->type == PERF_RECORD_LOST) {
			/* struct { header; u64 id; u64 lost; } */
			__u64 lost;

			if (h->size < sizeof(*h) + 2 * sizeof(__u64)) {
				ret = -EBADMSG;
				tail = head;
				break;
			}
			memcpy(&lost, rec + sizeof(*h) + sizeof(__u64), sizeof(lost));
			if (on_lost)
				on_lost(ctx, cpu, lost);
		}
		tail += h->size;
		nr++;
		if (ret < 0)
			break;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret < 0 ? ret : nr;
}

void perf_reader_close(struct perf_reader *rd)
{
	int i;

	for (i = 0; i < rd->nr_rings; i++) {
		struct perf_ring *r = &rd->rings[i];

		if (r->fd >= 0) {
			ioctl(r->fd, PERF_EVENT_IOC_DISABLE, 0);
			close(r->fd);
		}
		if (r->base)
			munmap(r->base, getpagesize() + r->data_size);
	}
	free(rd->rings);
	free(rd->pfds);
	free(rd->scratch);
	memset(rd, 0, sizeof(*rd));
}

int perf_reader_open(struct perf_reader *rd, int map_fd, int page_cnt,
		     perf_sample_fn on_sample, perf_lost_fn on_lost, void *ctx)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = 1,	/* wake poll() for every record */
	};
	size_t page = getpagesize();
	int cpus = bpf_num_possible_cpus(), cpu, err;

	memset(rd, 0, sizeof(*rd));
	if (cpus < 0)
		return cpus;
	if (page_cnt <= 0 || (page_cnt & (page_cnt - 1)))
		return -EINVAL;
	rd->rings = calloc(cpus, sizeof(*rd->rings));
	rd->pfds = calloc(cpus, sizeof(*rd->pfds));
	rd->scratch_size = page_cnt * page;
	rd->scratch = malloc(rd->scratch_size);
	if (!rd->rings || !rd->pfds || !rd->scratch) {
		perf_reader_close(rd);
		return -ENOMEM;
	}
	rd->on_sample = on_sample;
	rd->on_lost = on_lost;
	rd->ctx = ctx;

	for (cpu = 0; cpu < cpus; cpu++) {
		struct perf_ring *r = &rd->rings[rd->nr_rings];
		int fd;

		fd = sys_perf_event_open(&attr, -1, cpu);
		if (fd < 0) {
			if (fd == -ENODEV)	/* possible but offline */
				continue;
			err = fd;
			fprintf(stderr, "%s: perf_event_open on CPU %d: %s\n",
				program_invocation_short_name, cpu, strerror(-fd));
			goto fail;
		}
		r->cpu = cpu;
		r->fd = fd;
		r->data_size = page_cnt * page;
		rd->nr_rings++;
		r->base = mmap(NULL, page + r->data_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);
		if (r->base == MAP_FAILED) {
			r->base = NULL;
			err = -errno;
			fprintf(stderr, "%s: mmap of the perf ring on CPU %d: %s\n",
				program_invocation_short_name, cpu, strerror(errno));
			goto fail;
		}
		err = bpf_map_update(map_fd, &cpu, &fd, BPF_ANY);
		if (err) {
			fprintf(stderr, "%s: cannot put CPU %d's ring in the events map: %s\n",
				program_invocation_short_name, cpu, strerror(-err));
			goto fail;
		}
		if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
			err = -errno;
			goto fail;
		}
		rd->pfds[rd->nr_rings - 1].fd = fd;
		rd->pfds[rd->nr_rings - 1].events = POLLIN;
	}
	return 0;
fail:
	perf_reader_close(rd);
	return err;
}

int perf_reader_poll(struct perf_reader *rd, int timeout_ms)
{
	int i, n, total = 0;

	n = poll(rd->pfds, rd->nr_rings, timeout_ms);
	if (n < 0)
		return -errno;
	/* Drain every ring, not only those poll named: a quiet ring may
	 * still hold records that did not reach its wakeup mark. */
	for (i = 0; i < rd->nr_rings; i++) {
		struct perf_ring *r = &rd->rings[i];
		int ret = perf_ring_consume(r->base, (char *)r->base + getpagesize(),
					    r->data_size, rd->scratch, rd->scratch_size,
					    r->cpu, rd->on_sample, rd->on_lost, rd->ctx);

		if (ret == -EBADMSG) {
			fprintf(stderr, "%s: corrupt record in the perf ring of CPU %d; its contents were skipped\n",
				program_invocation_short_name, r->cpu);
			continue;
		}
		if (ret < 0)
			return ret;
		total += ret;
	}
	return total;
}
