// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_map_tail.c - map definitions longer than the loader's
 * struct bpf_map_def, with a field it does not know set: refused, as a
 * newer object would be rather than misread. */
#include "bpf_helpers.h"

struct bpf_map_def_long {
	unsigned int type, key_size, value_size, max_entries, map_flags;
	unsigned int pinning;	/* unknown to the loader */
};

struct bpf_map_def_long SEC("maps") plain = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
};
struct bpf_map_def_long SEC("maps") pinned = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1,
	.pinning = 1,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&pinned, &k) != 0;
}

char _license[] SEC("license") = "GPL";
