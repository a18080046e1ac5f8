// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_data.c - an initialised global lives in .data: refused. */
#include "bpf_helpers.h"

__u64 limit = 5;

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[1] < limit;
}

char _license[] SEC("license") = "GPL";
