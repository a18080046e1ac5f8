// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_good.c - an object the loader must accept, and whose every
 * detail test_loader.c checks: three maps of different types, a raw
 * tracepoint and a tracepoint program, and two static functions in .text
 * that both programs call (one of them uses a map, so .text has
 * relocations of its own).  Nothing is attached; the raw tracepoint program is run with
 * BPF_PROG_TEST_RUN.
 */
#include "bpf_helpers.h"

#define COUNTS_MAX 4

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = COUNTS_MAX,
};

struct bpf_map_def SEC("maps") seen = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct bpf_map_def SEC("maps") events = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 0,	/* the loader makes it one per CPU */
};

/* Two bpf-to-bpf callees; noinline keeps them real calls into .text. */
static __attribute__((noinline)) __u64 twice(__u64 x)
{
	return x * 2;
}

static __attribute__((noinline)) int bump(__u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, by);
	return 1;
}

/* Key args[1] & 3: counts[key] += 2 * args[0]; seen[key] = args[0]. */
SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = ctx->args[1] & (COUNTS_MAX - 1);
	__u64 val = ctx->args[0];

	bump(key, twice(val));
	bpf_map_update_elem(&seen, &key, &val, BPF_ANY);
	return 7;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tracepoint__syscalls__sys_enter_getpid(void *ctx)
{
	__u64 one = 1;

	bump(3, twice(ctx != 0));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &one, sizeof(one));
	return 0;
}

char _license[] SEC("license") = "GPL";
