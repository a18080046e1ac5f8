/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_dirs.h - the directories a BPF tool works in: tracefs and bpffs
 * mounted where the kernel's tools look for them, and private
 * directories, root's and 0700, checked through an fd before use.
 *
 * Apart from the loader because they are about paths, not objects: ebph
 * pins its maps in one private directory (in bpffs, /sys/fs/bpf/ebph)
 * and keeps its run state in another (in tmpfs, /run/ebph), and its
 * commands check both before they trust what is inside.  Named for
 * directories rather than for bpffs, which /run/ebph is not on.
 */
#ifndef BPF_DIRS_H
#define BPF_DIRS_H

/* Where tracefs is mounted (/sys/kernel/tracing or, on an older
 * system, /sys/kernel/debug/tracing), or NULL. */
const char *bpf_tracefs_dir(void);
/* Mount tracefs at /sys/kernel/tracing and bpffs at /sys/fs/bpf when they
 * are not mounted, as bpftool does. */
int bpf_ensure_mounts(int verbose);
/*
 * PATH as a directory that only root controls, open (O_DIRECTORY,
 * O_NOFOLLOW): with CREATE it is made (0700) when absent.  A symbolic
 * link (dangling or not), anything but a directory, one not owned by
 * root or open to group or others is refused with one sentence, -EPERM.
 * -ENOENT without a word when absent and not CREATE.  Returns the fd.
 */
int bpf_private_dir(const char *path, int create);
/* Remove everything in the directory DIRFD (from bpf_private_dir(PATH))
 * but the entry KEEP, close DIRFD, and remove PATH when KEEP is NULL;
 * one sentence on failure. */
int bpf_private_dir_remove(int dirfd, const char *path, const char *keep);

#endif /* BPF_DIRS_H */
