// SPDX-License-Identifier: GPL-2.0
/*
 * tests/config_poke.c - change the running ebph's settings behind its
 * back, as bpftool would: write the pinned config map directly, not
 * through `ebph set`, so that no notice reaches the audit trail.
 *
 *   tests/config_poke monitoring 0
 *
 * Fields: monitoring, anomaly-limit, owner-quota, self-tgid (the PID
 * the kernel takes for ebph's, which no response acts on).  Exit 0 when the map
 * was written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_sys.h"
#include "ebph.h"

int main(int argc, char **argv)
{
	struct ebph_config cfg;
	__u32 zero = 0;
	unsigned long v;
	int fd, err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s monitoring|anomaly-limit|owner-quota|self-tgid VALUE\n", argv[0]);
		return 2;
	}
	v = strtoul(argv[2], NULL, 10);
	fd = bpf_pin_open(EBPH_PIN_DIR "/config");
	if (fd < 0) {
		fprintf(stderr, "config_poke: %s/config: %s\n", EBPH_PIN_DIR, strerror(-fd));
		return 1;
	}
	err = bpf_map_lookup(fd, &zero, &cfg);
	if (!err) {
		if (!strcmp(argv[1], "monitoring"))
			cfg.monitoring = v;
		else if (!strcmp(argv[1], "anomaly-limit"))
			cfg.anomaly_limit = v;
		else if (!strcmp(argv[1], "owner-quota"))
			cfg.owner_quota = v;
		else if (!strcmp(argv[1], "self-tgid"))
			cfg.self_tgid = v;
		else
			err = -EINVAL;
	}
	if (!err)
		err = bpf_map_update(fd, &zero, &cfg, BPF_ANY);
	if (err) {
		fprintf(stderr, "config_poke: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
