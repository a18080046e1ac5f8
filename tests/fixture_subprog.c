// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_subprog.c - two programs that each call different static
 * functions in .text, one of them through another.  The kernel refuses a
 * program with code it cannot reach ("unreachable insn"), so each program
 * must be given only the functions it calls, not all of .text; and the
 * call inside .text, which clang leaves relative, must still land.
 */
#include "bpf_helpers.h"

struct bpf_map_def SEC("maps") results = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

static __attribute__((noinline)) __u64 doubled(__u64 x)
{
	return x * 2;
}

static __attribute__((noinline)) __u64 times_three(__u64 x)
{
	return x * 3;
}

static __attribute__((noinline)) __u64 plus_one_doubled(__u64 x)
{
	return doubled(x + 1);
}

static __always_inline void store(__u32 key, __u64 val)
{
	bpf_map_update_elem(&results, &key, &val, BPF_ANY);
}

/* results[0] = (args[0] + 1) * 2 */
SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	store(0, plus_one_doubled(ctx->args[0]));
	return 0;
}

/* results[1] = args[0] * 3 */
SEC("raw_tracepoint/sys_exit")
int raw_tracepoint__sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	store(1, times_three(ctx->args[0]));
	return 0;
}

char _license[] SEC("license") = "GPL";
