// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_twoprogs.c - two programs in one section: refused. */
#include "bpf_helpers.h"

SEC("raw_tracepoint/sys_enter")
int first_prog(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int second_prog(void *ctx)
{
	return 1;
}

char _license[] SEC("license") = "GPL";
