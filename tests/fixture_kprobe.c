// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_kprobe.c - a section prefix the loader does not know. */
#include "bpf_helpers.h"

SEC("kprobe/foo")
int kprobe__foo(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
