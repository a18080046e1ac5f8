/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_origin.h - where an event came from, as a log reader wants it:
 * the cgroup path and container id behind the cgroup id the kernel gave
 * (struct ebph_event).
 */
#ifndef EBPH_ORIGIN_H
#define EBPH_ORIGIN_H

#include <stddef.h>
#include <linux/types.h>

#define EBPH_CGROUP_PATH_LEN	512
#define EBPH_CONTAINER_ID_LEN	64	/* hex digits */

/* The cgroup ids ebph_cgroup_path() remembers, found or not. */
#define EBPH_CGROUP_CACHE	64

struct ebph_cgroup_entry {
	__u64 id;
	int found;			/* 0: no cgroup of this id was found */
	__u64 used;			/* a clock for the least recently used */
	char path[EBPH_CGROUP_PATH_LEN];
};

/* What the resolver keeps: the cgroup v2 mount, and the cache. */
struct ebph_cgroups {
	char mount[256];		/* "" until found; "-": none */
	__u64 clock;
	struct ebph_cgroup_entry cache[EBPH_CGROUP_CACHE];
};

/*
 * The path (as /proc/PID/cgroup writes it, "/system.slice/x.service")
 * of the cgroup v2 whose id is ID, the one process PID was in: read
 * from /proc/PID/cgroup and checked against ID (name_to_handle_at(2) on
 * the cgroup's directory gives its id), else, when PID is gone or has
 * moved since, found by walking the cgroup v2 tree for ID.  Each answer,
 * a miss too, is cached: a storm of events in one cgroup reads one file.
 * Returns the path, in the cache (valid until the next call), or NULL.
 */
const char *ebph_cgroup_path(struct ebph_cgroups *cg, __u64 id, __u32 pid);

/* The container id in PATH: the last 64-hex-digit run of a component,
 * alone or between non-hex characters ("/docker/ID",
 * "docker-ID.scope", "cri-containerd-ID.scope", "libpod-ID.scope"),
 * into BUF (EBPH_CONTAINER_ID_LEN + 1 bytes).  Returns BUF, or NULL. */
const char *ebph_container_id(const char *path, char *buf);

#endif /* EBPH_ORIGIN_H */
