// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_sys.c - the kernel's BPF interface, raw: bpf(2) on maps, pins and
 * programs, the bounded walk of a map's keys, perf_event_open(2), the
 * number of CPUs, and reading a file whole.
 *
 * Apart from the loader, which stands on it, because ebph's commands
 * need this and nothing of the ELF parsing (see bpf_sys.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "bpf_sys.h"

/* ---- bpf(2) ------------------------------------------------------------- */

int sys_bpf(int cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

/* ---- maps --------------------------------------------------------------- */

int bpf_map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr attr = {
		.map_fd = fd, .key = ptr_to_u64(key), .value = ptr_to_u64(value),
	};

	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
}

int bpf_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr attr = {
		.map_fd = fd, .key = ptr_to_u64(key), .value = ptr_to_u64(value),
		.flags = flags,
	};

	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
}

int bpf_map_update_many(int fd, const void *keys, const void *values,
			uint32_t *count, uint64_t elem_flags)
{
	union bpf_attr attr = {};
	int err;

	attr.batch.map_fd = fd;
	attr.batch.keys = ptr_to_u64(keys);
	attr.batch.values = ptr_to_u64(values);
	attr.batch.count = *count;
	attr.batch.elem_flags = elem_flags;
	err = sys_bpf(BPF_MAP_UPDATE_BATCH, &attr);
	*count = attr.batch.count;	/* how many went in, even on error */
	return err;
}

int bpf_map_delete(int fd, const void *key)
{
	union bpf_attr attr = { .map_fd = fd, .key = ptr_to_u64(key) };

	return sys_bpf(BPF_MAP_DELETE_ELEM, &attr);
}

/* KEY NULL gives the first key; -ENOENT after the last. */
int bpf_map_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr = {
		.map_fd = fd, .key = ptr_to_u64(key),
		.next_key = ptr_to_u64(next_key),
	};

	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr);
}

int bpf_map_get_info(int fd, struct bpf_map_info *info)
{
	union bpf_attr attr = {};
	char link[64], what[32];
	ssize_t n;

	/* BPF_OBJ_GET_INFO_BY_FD answers for a program or a link too, in
	 * another struct: make sure FD is a map before reading one. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, what, sizeof(what) - 1);
	if (n < 0)
		return -errno;
	what[n] = 0;
	if (strcmp(what, "anon_inode:bpf-map"))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = ptr_to_u64(info);
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

const char *bpf_map_type_name(unsigned int type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:			return "hash";
	case BPF_MAP_TYPE_ARRAY:		return "array";
	case BPF_MAP_TYPE_PERCPU_ARRAY:		return "percpu_array";
	case BPF_MAP_TYPE_PERCPU_HASH:		return "percpu_hash";
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:	return "perf_event_array";
	case BPF_MAP_TYPE_LRU_HASH:		return "lru_hash";
	default:				return "map";
	}
}

/* ---- walks of a map's keys ---------------------------------------------- */

/*
 * The keys a walk has met, each once: KEYS holds them in the order met,
 * SLOTS is an open-addressing index into KEYS (a power of two, at least
 * twice as many slots as keys; 0 is empty, else index + 1).
 */
struct key_set {
	char *keys;
	size_t n, cap, key_size;
	uint32_t *slots;
	size_t nslots;
};

static size_t key_hash(const struct key_set *ks, const void *key)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < ks->key_size; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Slot of KEY in KS: where it is, or the empty one where it would go. */
static uint32_t *key_slot(const struct key_set *ks, const void *key)
{
	size_t mask = ks->nslots - 1, i = key_hash(ks, key) & mask;

	while (ks->slots[i] &&
	       memcmp(ks->keys + (ks->slots[i] - 1) * ks->key_size, key, ks->key_size))
		i = (i + 1) & mask;
	return &ks->slots[i];
}

/* Add KEY unless there; 1 when added, 0 when it was there, -ENOMEM. */
static int key_set_add(struct key_set *ks, const void *key)
{
	uint32_t *slot;
	size_t i;

	if (2 * (ks->n + 1) > ks->nslots) {
		size_t nslots = ks->nslots ? 2 * ks->nslots : 512;
		uint32_t *old = ks->slots;

		ks->slots = calloc(nslots, sizeof(*ks->slots));
		if (!ks->slots) {
			ks->slots = old;
			return -ENOMEM;
		}
		ks->nslots = nslots;
		for (i = 0; i < ks->n; i++)
			*key_slot(ks, ks->keys + i * ks->key_size) = i + 1;
		free(old);
	}
	slot = key_slot(ks, key);
	if (*slot)
		return 0;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap ? 2 * ks->cap : 256;
		char *more = realloc(ks->keys, cap * ks->key_size);

		if (!more)
			return -ENOMEM;
		ks->keys = more;
		ks->cap = cap;
	}
	memcpy(ks->keys + ks->n * ks->key_size, key, ks->key_size);
	*slot = ++ks->n;
	return 1;
}

/* 'tasks', or id 12 for a map without a name: for messages. */
static const char *map_label(const struct bpf_map_info *info, char *buf, size_t len)
{
	if (info->name[0])
		snprintf(buf, len, "'%.*s'", (int)sizeof(info->name), info->name);
	else
		snprintf(buf, len, "id %u", info->id);
	return buf;
}

/*
 * The one walk of a map.  BPF_MAP_GET_NEXT_KEY steps from a key to the
 * next; given a key that is no longer there (deleted meanwhile, or
 * updated, which moves it to the head of its hash bucket) it starts
 * again from the first key, so a walk of a changing map can meet keys
 * twice, or go round for ever.  Every key met is kept (KS), to pass each
 * to FN once, and the walk takes at most twice as many steps as the map
 * can hold keys: a map that does not change is walked in max_entries.
 * A walk cut short says so on stderr and keeps what it found.
 */
static int map_walk(int fd, size_t key_size, bpf_map_key_fn fn, void *ctx,
		    struct key_set *ks)
{
	struct bpf_map_info info;
	unsigned long long steps = 0, bound;
	char *key, *prev = NULL, label[32];
	int err;

	memset(ks, 0, sizeof(*ks));
	ks->key_size = key_size;
	err = bpf_map_get_info(fd, &info);
	if (err)
		return err;
	if (info.key_size != key_size) {
		fprintf(stderr, "%s: map %s has %u-byte keys, not %zu: not walked\n",
			program_invocation_short_name,
			map_label(&info, label, sizeof(label)), info.key_size, key_size);
		return -EINVAL;
	}
	bound = 2ULL * info.max_entries;
	key = malloc(2 * key_size);
	if (!key)
		return -ENOMEM;
	for (;;) {
		char *next = key + (prev == key ? key_size : 0);

		err = bpf_map_next_key(fd, prev, next);
		if (err) {
			if (err == -ENOENT)
				err = 0;
			break;
		}
		if (++steps > bound) {
			fprintf(stderr, "%s: map %s changed too much while it was read: stopped after %llu steps with %zu keys, others may be missing\n",
				program_invocation_short_name,
				map_label(&info, label, sizeof(label)), bound, ks->n);
			err = -EAGAIN;
			break;
		}
		prev = next;
		err = key_set_add(ks, next);
		if (err < 0)
			break;
		if (err && fn && (err = fn(ctx, next)))
			break;
		err = 0;
	}
	free(key);
	return err;
}

static void key_set_free(struct key_set *ks)
{
	free(ks->keys);
	free(ks->slots);
	memset(ks, 0, sizeof(*ks));
}

int bpf_map_walk(int fd, size_t key_size, bpf_map_key_fn fn, void *ctx)
{
	struct key_set ks;
	int err = map_walk(fd, key_size, fn, ctx, &ks);

	key_set_free(&ks);
	return err;
}

int bpf_map_keys(int fd, size_t key_size, void **keys, size_t *n)
{
	struct key_set ks;
	int err = map_walk(fd, key_size, NULL, NULL, &ks);

	*keys = NULL;
	*n = 0;
	free(ks.slots);
	if (err) {
		free(ks.keys);
		return err;
	}
	*keys = ks.keys;
	*n = ks.n;
	return 0;
}

long bpf_map_count(int fd, size_t key_size)
{
	struct key_set ks;
	int err = map_walk(fd, key_size, NULL, NULL, &ks);
	long n = ks.n;

	key_set_free(&ks);
	return err ? err : n;
}

/* ---- pins and programs -------------------------------------------------- */

int bpf_pin_open(const char *path)
{
	union bpf_attr attr = { .pathname = ptr_to_u64(path) };

	return sys_bpf(BPF_OBJ_GET, &attr);
}

static int pin_make(int fd, const char *path)
{
	union bpf_attr attr = { .pathname = ptr_to_u64(path), .bpf_fd = fd };

	return sys_bpf(BPF_OBJ_PIN, &attr);
}

/* NAME in the directory DIRFD is open on.  The kernel resolves
 * /proc/self/fd/N like the directory N is open on, whatever its path has
 * become since: no path lookup to race with. */
static void pin_path_at(char path[PATH_MAX], int dirfd, const char *name)
{
	snprintf(path, PATH_MAX, "/proc/self/fd/%d/%s", dirfd, name);
}

int bpf_pin_open_at(int dirfd, const char *name)
{
	char path[PATH_MAX];

	pin_path_at(path, dirfd, name);
	return bpf_pin_open(path);
}

int bpf_pin_make_at(int fd, int dirfd, const char *name)
{
	char path[PATH_MAX];

	pin_path_at(path, dirfd, name);
	return pin_make(fd, path);
}

int bpf_prog_run_once(int prog_fd, void *ctx, uint32_t ctx_size,
		      uint32_t *retval)
{
	union bpf_attr attr = {
		.test.prog_fd = prog_fd,
		.test.ctx_in = ptr_to_u64(ctx),
		.test.ctx_size_in = ctx_size,
	};
	int err = sys_bpf(BPF_PROG_TEST_RUN, &attr);

	if (!err && retval)
		*retval = attr.test.retval;
	return err;
}

/* ---- perf events and the machine ---------------------------------------- */

int sys_perf_event_open(struct perf_event_attr *attr, int pid, int cpu)
{
	int fd = syscall(__NR_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* "0-3,5,7-8" -> 9: the highest CPU number plus one, since the perf
 * event array is indexed by CPU number. */
int bpf_num_possible_cpus(void)
{
	char buf[256], *p;
	int fd, n, max = -1;
	ssize_t len;

	fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	for (p = buf; *p;) {
		char *end;

		n = strtol(p, &end, 10);
		if (end == p)
			break;
		if (*end == '-')
			n = strtol(end + 1, &end, 10);
		if (n > max)
			max = n;
		p = *end == ',' ? end + 1 : end;
		if (*p == '\n')
			break;
	}
	return max < 0 ? -EINVAL : max + 1;
}

/* Until EOF, not st_size: sysfs files report none. */
int bpf_read_all(int fd, size_t max, void **buf, size_t *size)
{
	char *data = NULL, *more;
	size_t cap = 0, len = 0;
	ssize_t n;
	int err;

	for (;;) {
		if (len == cap) {
			more = realloc(data, cap = cap ? 2 * cap : 1 << 16);
			if (!more) {
				err = -ENOMEM;
				goto fail;
			}
			data = more;
		}
		n = read(fd, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (!n)
			break;
		len += n;
		if (len > max) {
			err = -EFBIG;
			goto fail;
		}
	}
	*buf = data;
	*size = len;
	return 0;
fail:
	free(data);
	return err;
}
