// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_dirs.c - tracefs and bpffs mounted, and private directories made
 * and checked (see bpf_dirs.h for why these are apart from the loader).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bpf_dirs.h"

#define TRACEFS_MAGIC	0x74726163
#define BPF_FS_MAGIC	0xcafe4a11

const char *bpf_tracefs_dir(void)
{
	struct statfs st;

	if (!statfs("/sys/kernel/tracing", &st) && st.f_type == TRACEFS_MAGIC)
		return "/sys/kernel/tracing";
	if (!statfs("/sys/kernel/debug/tracing", &st) && st.f_type == TRACEFS_MAGIC)
		return "/sys/kernel/debug/tracing";
	return NULL;
}

int bpf_private_dir(const char *path, int create)
{
	const char *why = NULL;
	char buf[64];
	struct stat st;
	int fd, err;

	if (create && mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		fprintf(stderr, "%s: cannot create %s: %s\n",
			program_invocation_short_name, path, strerror(errno));
		return err;
	}
	/* Opened without following a link, then checked through the fd:
	 * what is checked is what is used, whatever PATH names later. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT && !create)
			return err;	/* the caller knows what absent means */
		if ((err == -ELOOP || err == -ENOTDIR) && !lstat(path, &st))
			why = S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory";
		if (!why) {
			fprintf(stderr, "%s: cannot open %s: %s\n",
				program_invocation_short_name, path, strerror(-err));
			return err;
		}
	} else if (fstat(fd, &st)) {
		err = -errno;
		fprintf(stderr, "%s: cannot stat %s: %s\n",
			program_invocation_short_name, path, strerror(errno));
		close(fd);
		return err;
	} else if (st.st_uid != 0) {
		snprintf(buf, sizeof(buf), "owned by uid %u, not root", (unsigned int)st.st_uid);
		why = buf;
	} else if ((st.st_mode & 077) && !(st.st_mode & 022)) {
		/* Root's, and writable by root alone (an ebph before this one
		 * made /run/ebph 0755): nothing in it can be anyone else's,
		 * but it is not to be read by others either. */
		if (fchmod(fd, 0700)) {
			err = -errno;
			fprintf(stderr, "%s: cannot make %s private: %s\n",
				program_invocation_short_name, path, strerror(errno));
			close(fd);
			return err;
		}
		fprintf(stderr, "%s: %s was mode %04o: made private (0700)\n",
			program_invocation_short_name, path, (unsigned int)(st.st_mode & 07777));
	} else if (st.st_mode & 077) {
		snprintf(buf, sizeof(buf), "mode %04o, open to group or others",
			 (unsigned int)(st.st_mode & 07777));
		why = buf;
	}
	if (!why)
		return fd;
	fprintf(stderr, "%s: %s is %s: refused (remove it; ebph makes it itself, root's and 0700)\n",
		program_invocation_short_name, path, why);
	if (fd >= 0)
		close(fd);
	return -EPERM;
}

int bpf_private_dir_remove(int dirfd, const char *path, const char *keep)
{
	struct dirent *de;
	DIR *d = fdopendir(dirfd);
	int err = 0;

	if (!d) {
		err = -errno;
		close(dirfd);
	} else {
		/* Gone entries are skipped, not re-read: a bpffs or tmpfs
		 * directory read goes on from a cursor. */
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    (!keep || strcmp(de->d_name, keep)) &&
			    unlinkat(dirfd, de->d_name, 0) && !err)
				err = -errno;
		closedir(d);
	}
	if (!err && !keep && rmdir(path))
		err = -errno;
	if (err)
		fprintf(stderr, "%s: cannot remove %s: %s\n",
			program_invocation_short_name, path, strerror(-err));
	return err;
}

static int ensure_mount(const char *dir, const char *type, long magic, int verbose)
{
	struct statfs st;

	if (!statfs(dir, &st) && st.f_type == magic)
		return 0;
	if (mount(type, dir, type, 0, NULL)) {
		int err = -errno;

		fprintf(stderr, "%s: cannot mount %s at %s: %s\n",
			program_invocation_short_name, type, dir, strerror(errno));
		return err;
	}
	if (verbose)
		fprintf(stderr, "bpf_load: mounted %s at %s\n", type, dir);
	return 0;
}

int bpf_ensure_mounts(int verbose)
{
	int err = 0;

	if (!bpf_tracefs_dir())
		err = ensure_mount("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC, verbose);
	if (!err)
		err = ensure_mount("/sys/fs/bpf", "bpf", BPF_FS_MAGIC, verbose);
	return err;
}
