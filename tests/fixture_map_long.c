// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_map_long.c - map definitions longer than the loader's
 * struct bpf_map_def whose extra bytes are all zero: accepted. */
#include "bpf_helpers.h"

struct bpf_map_def_long {
	unsigned int type, key_size, value_size, max_entries, map_flags;
	unsigned int pinning, reserved[2];	/* unknown to the loader, zero */
};

struct bpf_map_def_long SEC("maps") first = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2,
};
struct bpf_map_def_long SEC("maps") second = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 16, .max_entries = 3,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&second, &k) != 0;
}

char _license[] SEC("license") = "GPL";
