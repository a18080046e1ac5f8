// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_verifier_long.c - the missing NULL check of
 * fixture_verifier.c after a hundred instructions, so the verifier's log
 * is longer than the part of it the loader shows by default. */
#include "bpf_helpers.h"

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 x = ctx->args[0], *v;
	__u32 key = 0;

#pragma unroll
	for (int i = 0; i < 100; i++) {
		x += i;
		asm volatile("" : "+r"(x));	/* one instruction each, not folded */
	}
	v = bpf_map_lookup_elem(&counts, &key);
	*v += x;	/* no NULL check */
	return 0;
}

char _license[] SEC("license") = "GPL";
