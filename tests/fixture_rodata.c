// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_rodata.c - a string constant lives in .rodata: refused. */
#include "bpf_helpers.h"

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	char buf[40];

	bpf_probe_read_kernel_str(buf, sizeof(buf),
				  "a string constant that lives in .rodata");
	return buf[0];
}

char _license[] SEC("license") = "GPL";
