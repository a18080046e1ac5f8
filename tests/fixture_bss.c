// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_bss.c - a static counter lives in .bss: refused. */
#include "bpf_helpers.h"

static __u64 calls;

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	calls++;
	return 0;
}

char _license[] SEC("license") = "GPL";
