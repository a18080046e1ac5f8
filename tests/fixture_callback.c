// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_callback.c - bpf_loop takes a function's address, which
 * the kernel accepts only with BTF func_info: refused at open. */
#include "bpf_helpers.h"

static long step(__u32 i, void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	bpf_loop(4, step, 0, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
