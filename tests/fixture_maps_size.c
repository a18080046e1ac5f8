// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_maps_size.c - "maps" holds 64 bytes for 3 maps (20 + 20 +
 * 24): not a whole number of equal definitions, refused. */
#include "bpf_helpers.h"

struct bpf_map_def_long {
	unsigned int type, key_size, value_size, max_entries, map_flags;
	unsigned int extra;
};

struct bpf_map_def SEC("maps") one = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
};
struct bpf_map_def SEC("maps") two = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
};
struct bpf_map_def_long SEC("maps") three = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&one, &k) != 0;
}

char _license[] SEC("license") = "GPL";
