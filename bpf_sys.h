/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_sys.h - the kernel's BPF interface, raw: bpf(2) on maps, pins and
 * programs, walks of a map's keys that end, perf_event_open(2), the
 * number of CPUs, and reading a file whole.
 *
 * Apart from the loader (bpf_load.h) because most of ebph needs only
 * this: the commands read the pinned maps of a running ebph without
 * opening an object, and the loader, the BTF reader and the perf reader
 * stand on it.  Each call returns what the system call does (0, an fd)
 * or -errno, and prints nothing unless its comment says so.
 */
#ifndef BPF_SYS_H
#define BPF_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/* ---- bpf(2) ------------------------------------------------------------- */

/* bpf(2) itself: its answer, or -errno. */
int sys_bpf(int cmd, union bpf_attr *attr);

/* A pointer as union bpf_attr carries it. */
static inline __u64 ptr_to_u64(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* ---- maps --------------------------------------------------------------- */

int bpf_map_lookup(int fd, const void *key, void *value);
int bpf_map_update(int fd, const void *key, const void *value, uint64_t flags);
/* BPF_MAP_UPDATE_BATCH: *COUNT keys and values, packed arrays, in one
 * call; *COUNT is set to how many went in (all of them, unless it fails). */
int bpf_map_update_many(int fd, const void *keys, const void *values,
			uint32_t *count, uint64_t elem_flags);
int bpf_map_delete(int fd, const void *key);
int bpf_map_next_key(int fd, const void *key, void *next_key);
/* The map's type, sizes and name (BPF_OBJ_GET_INFO_BY_FD); -EINVAL
 * when FD is not a map (a pinned program, say). */
int bpf_map_get_info(int fd, struct bpf_map_info *info);
/* "hash", "array", ...: for messages. */
const char *bpf_map_type_name(unsigned int type);

/* ---- walks of a map's keys ---------------------------------------------- */

/*
 * Walk every key of the map FD, whose keys must be KEY_SIZE bytes
 * (-EINVAL with a message otherwise), calling FN(CTX, KEY) once for each.
 * FN returns 0 to go on; anything else ends the walk and is returned.
 * The map may change under the walk: a key deleted or updated during it
 * sends BPF_MAP_GET_NEXT_KEY back to the first key.  The walk still
 * meets each key once, and ends after at most twice max_entries steps:
 * then, with a warning on stderr, it returns -EAGAIN, because keys may
 * be missing (a listing may show what it has; a save must not write
 * it).  0 when done, or -errno.  FN may change the map.
 */
typedef int (*bpf_map_key_fn)(void *ctx, const void *key);
int bpf_map_walk(int fd, size_t key_size, bpf_map_key_fn fn, void *ctx);
/* Every key of the map FD, by the same walk: *KEYS is a malloc'd array
 * of *N of them (NULL for none), for a caller that changes the map as it
 * goes through them. */
int bpf_map_keys(int fd, size_t key_size, void **keys, size_t *n);
/* How many keys the map FD holds, by the same walk; or -errno. */
long bpf_map_count(int fd, size_t key_size);

/* ---- pins and programs -------------------------------------------------- */

/* The object pinned at PATH, open (BPF_OBJ_GET). */
int bpf_pin_open(const char *path);
/* The object pinned as NAME in the directory DIRFD is open on. */
int bpf_pin_open_at(int dirfd, const char *name);
/* Pin the object FD as NAME in the directory DIRFD is open on
 * (BPF_OBJ_PIN). */
int bpf_pin_make_at(int fd, int dirfd, const char *name);
/* Run a program once on ctx (BPF_PROG_TEST_RUN); *retval gets its return. */
int bpf_prog_run_once(int prog_fd, void *ctx, uint32_t ctx_size,
		      uint32_t *retval);

/* ---- perf events and the machine ---------------------------------------- */

struct perf_event_attr;
/* perf_event_open(2) for PID on CPU, in no group, close-on-exec: the
 * event's fd, or -errno. */
int sys_perf_event_open(struct perf_event_attr *attr, int pid, int cpu);
/* Number of possible CPUs (/sys/devices/system/cpu/possible). */
int bpf_num_possible_cpus(void);
/* Read FD to its end (a BPF object, a file of /sys) into a malloc'd *BUF
 * of *SIZE bytes; -EFBIG past MAX bytes. */
int bpf_read_all(int fd, size_t max, void **buf, size_t *size);

#endif /* BPF_SYS_H */
