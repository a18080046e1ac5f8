// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_tp_missing.c - a tracepoint no kernel has: attaching it
 * fails, unless the program is marked optional. */
#include "bpf_helpers.h"

SEC("tracepoint/ebph_test/no_such_event")
int tracepoint__ebph_test__no_such_event(void *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
