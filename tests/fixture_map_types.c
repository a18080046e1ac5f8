// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fixture_map_types.c - a map whose key and value types are named
 * with BPF_MAP_TYPES(), and one whose are not: the first is created with
 * its BTF key and value type ids, the second without.
 */
#include "bpf_helpers.h"

struct pair_key {
	__u32 pid;
	__u32 nr;
};

struct pair_count {
	__u64 calls;
	__u64 last_ns;
};

struct bpf_map_def SEC("maps") pairs = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct pair_key),
	.value_size = sizeof(struct pair_count),
	.max_entries = 16,
};
BPF_MAP_TYPES(pairs, struct pair_key, struct pair_count);

struct bpf_map_def SEC("maps") plain = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	struct pair_key k = { .pid = bpf_get_current_pid_tgid() >> 32, .nr = 1 };
	struct pair_count c = { .calls = 1 };
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&plain, &zero);

	bpf_map_update_elem(&pairs, &k, &c, BPF_NOEXIST);
	if (v)
		*v += 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
