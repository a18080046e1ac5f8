// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_output.c - one perf event output, for test_ring.c's live
 * test: run with BPF_PROG_TEST_RUN (never attached), the program writes
 * the 8 bytes of args[0] to the current CPU's ring of "events".
 */
#include "bpf_helpers.h"

struct bpf_map_def SEC("maps") events = {
	.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 0,	/* one per CPU, sized by the loader */
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 value = ctx->args[0];

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &value, 8);
	return 0;
}

char _license[] SEC("license") = "GPL";
