// SPDX-License-Identifier: GPL-2.0
/*
 * bench_kern.c - the yardsticks ebph_bench.c measures ebph against, on
 * the hook of ebph's hot path (raw_tracepoint/sys_enter), loaded and
 * attached by the same loader:
 *
 *   floor  (bench_floor_kern.o, -DBENCH_FLOOR)  does nothing: what any
 *          program on sys_enter costs (the system call's slow path into
 *          the tracepoint, and the BPF dispatch)
 *   count  (bench_count_kern.o, -DBENCH_COUNT)  one hash lookup and one
 *          add per call, keyed by tid: what a typical cheap eBPF tool
 *          (syscount, a per-thread counter) costs
 *
 * The loader takes one program per section and attaches it where the
 * section name says, so each yardstick is its own object, built from this
 * one file: ld_attach() then does for them exactly what it does
 * for ebph_kern.o.  Each program is named after its yardstick
 * (bench_floor, bench_count), short enough for `bpftool prog show`.
 */
#include <linux/types.h>
#include <linux/bpf.h>

#include "bpf_helpers.h"

#if defined(BENCH_FLOOR)

SEC("raw_tracepoint/sys_enter")
int bench_floor(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

#elif defined(BENCH_COUNT)

/* A hash keyed by tid, as ebph's "tasks" map is, but preallocated (the
 * default, which such tools keep); "tasks" is allocated on use, and a
 * lookup costs the same either way (see there, in ebph_kern.c). */
struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 65536,
};

SEC("raw_tracepoint/sys_enter")
int bench_count(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *n, one = 1;

	n = bpf_map_lookup_elem(&counts, &tid);
	if (n)
		__sync_fetch_and_add(n, 1);	/* what tools write */
	else
		bpf_map_update_elem(&counts, &tid, &one, BPF_NOEXIST);
	return 0;
}

#else
#error "build with -DBENCH_FLOOR or -DBENCH_COUNT"
#endif

char _license[] SEC("license") = "GPL";
