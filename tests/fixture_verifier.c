// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_verifier.c - parses and relocates fine, but uses a map
 * value without the NULL check: the verifier must refuse it.  A hash map,
 * because the verifier knows that an array lookup with a constant key in
 * range cannot fail (Linux 6.13 and later). */
#include "bpf_helpers.h"

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	*v += 1;	/* no NULL check */
	return 0;
}

char _license[] SEC("license") = "GPL";
