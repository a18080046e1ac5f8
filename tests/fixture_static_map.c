// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_static_map.c - a static map that is not first in "maps".
 * clang relocates a reference to a static (local) variable against the
 * section symbol "maps" (value 0) and puts the map's offset in the
 * ld_imm64's immediate, so the map must be found at st_value + imm.
 */
#include "bpf_helpers.h"

struct bpf_map_def SEC("maps") first = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

static struct bpf_map_def SEC("maps") second = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
};

/* Writes seen[args[1] & 7] = args[0]; never touches "first". */
SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = ctx->args[1] & 7;
	__u64 val = ctx->args[0];

	bpf_map_update_elem(&second, &key, &val, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
