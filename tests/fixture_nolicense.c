// SPDX-License-Identifier: GPL-2.0
/* tests/fixture_nolicense.c - no "license" section: refused. */
#include "bpf_helpers.h"

SEC("raw_tracepoint/sys_enter")
int raw_tracepoint__sys_enter(void *ctx)
{
	return 0;
}
