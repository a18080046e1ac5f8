// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_origin.c - where an event came from (ebph_origin.h): the cgroup
 * path behind a cgroup id, and the container id in it.
 *
 * The kernel gives the cgroup v2 id of the task (bpf_get_current_cgroup_id(),
 * the id of the cgroup's kernfs node, which is also what
 * name_to_handle_at(2) returns as the handle of the cgroup's directory);
 * the path is user space's to find.  /proc/PID/cgroup names it while
 * the process lives; an anomaly's process has often exited by the time
 * its event is read, so the id itself is looked for too, by walking the
 * tree.  A small cache keeps both from running at every event.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebph_origin.h"

/* A walk for an id stops after this many cgroups: a host with more
 * gets null for a gone process's cgroup rather than a stalled log. */
#define WALK_MAX		4096

/* Where cgroup2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified
 * on a hybrid host), from /proc/self/mountinfo: "-" if nowhere. */
static void find_mount(struct ebph_cgroups *cg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];

	snprintf(cg->mount, sizeof(cg->mount), "-");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[256], *sep = strstr(line, " - ");

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE ... */
		if (!sep || strncmp(sep, " - cgroup2 ", 11) ||
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1)
			continue;
		snprintf(cg->mount, sizeof(cg->mount), "%s", mnt);
		break;
	}
	fclose(f);
}

/* The cgroup id of directory DIR (a path, or relative to DIRFD): its
 * file handle, 8 bytes on kernfs.  0 if it has none. */
static __u64 dir_id(int dirfd, const char *dir)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[16];
	} h = { .fh.handle_bytes = sizeof(h.bytes) };
	int mount_id;
	__u64 id;

	if (name_to_handle_at(dirfd, dir, &h.fh, &mount_id, 0) ||
	    h.fh.handle_bytes != sizeof(id))
		return 0;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

/* PID's cgroup v2 path, the "0::" line of /proc/PID/cgroup, into BUF. */
static int proc_path(__u32 pid, char *buf, size_t len)
{
	char name[64], line[EBPH_CGROUP_PATH_LEN + 8];
	FILE *f;
	int found = 0;

	snprintf(name, sizeof(name), "/proc/%u/cgroup", pid);
	f = fopen(name, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			size_t n = strcspn(line + 3, "\n");

			if (n >= len)
				n = len - 1;	/* cut: will not match the id */
			memcpy(buf, line + 3, n);
			buf[n] = 0;
			found = 1;
		}
	fclose(f);
	return found;
}

/* Depth first under the directory PATH (LEN bytes used of
 * EBPH_CGROUP_PATH_LEN, relative to the mount, "" for its root) for the
 * cgroup ID; *BUDGET cgroups at most.  1: PATH is it. */
static int walk(int dirfd, char *path, size_t len, __u64 id, int *budget)
{
	struct dirent *d;
	DIR *dir;
	int found = 0;

	if (--*budget < 0)
		return 0;
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return 0;
	}
	while (!found && (d = readdir(dir))) {
		int fd;

		if (d->d_type != DT_DIR || d->d_name[0] == '.' ||
		    len + 1 + strlen(d->d_name) >= EBPH_CGROUP_PATH_LEN)
			continue;
		snprintf(path + len, EBPH_CGROUP_PATH_LEN - len, "/%s", d->d_name);
		if (dir_id(dirfd, d->d_name) == id) {
			found = 1;
			break;
		}
		fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			found = walk(fd, path, strlen(path), id, budget);
	}
	if (!found)
		path[len] = 0;
	closedir(dir);
	return found;
}

/* The cache entry for ID, or the least recently used one, emptied. */
static struct ebph_cgroup_entry *cache_slot(struct ebph_cgroups *cg, __u64 id,
					    int *hit)
{
	struct ebph_cgroup_entry *old = &cg->cache[0];
	size_t i;

	for (i = 0; i < EBPH_CGROUP_CACHE; i++) {
		struct ebph_cgroup_entry *c = &cg->cache[i];

		if (c->used && c->id == id) {
			*hit = 1;
			c->used = ++cg->clock;
			return c;
		}
		if (c->used < old->used)
			old = c;
	}
	*hit = 0;
	memset(old, 0, sizeof(*old));
	old->id = id;
	old->used = ++cg->clock;
	return old;
}

const char *ebph_cgroup_path(struct ebph_cgroups *cg, __u64 id, __u32 pid)
{
	char dir[sizeof(cg->mount) + EBPH_CGROUP_PATH_LEN];
	struct ebph_cgroup_entry *c;
	int hit, fd, budget = WALK_MAX;

	if (!id)
		return NULL;
	if (!cg->mount[0])
		find_mount(cg);
	if (cg->mount[0] == '-')
		return NULL;
	c = cache_slot(cg, id, &hit);
	if (hit)
		return c->found ? c->path : NULL;
	/* The process's word for it, if it is still in that cgroup. */
	if (proc_path(pid, c->path, sizeof(c->path))) {
		snprintf(dir, sizeof(dir), "%s%s", cg->mount, c->path);
		if (dir_id(AT_FDCWD, dir) == id) {
			c->found = 1;
			return c->path;
		}
	}
	if (dir_id(AT_FDCWD, cg->mount) == id) {
		snprintf(c->path, sizeof(c->path), "/");
		c->found = 1;
		return c->path;
	}
	c->path[0] = 0;
	fd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	c->found = fd >= 0 && walk(fd, c->path, 0, id, &budget);
	return c->found ? c->path : NULL;
}

static int is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

const char *ebph_container_id(const char *path, char *buf)
{
	const char *p, *last = NULL;

	for (p = path; *p; p++) {
		size_t n = 0;

		if (!is_hex_digit(*p) || (p > path && is_hex_digit(p[-1])))
			continue;
		while (is_hex_digit(p[n]))
			n++;
		if (n == EBPH_CONTAINER_ID_LEN)
			last = p;
		p += n - 1;
	}
	if (!last)
		return NULL;
	memcpy(buf, last, EBPH_CONTAINER_ID_LEN);
	buf[EBPH_CONTAINER_ID_LEN] = 0;
	return buf;
}
