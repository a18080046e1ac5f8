/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_load.h - a small ELF loader for BPF objects, on raw bpf(2).
 *
 * Life cycle of an object, in the order the calls are made:
 *
 *   ld_open()     parse the ELF file: maps, programs, license,
 *                         relocations; check every assumption; no syscalls
 *   ld_load()     create the maps, patch their fds into the
 *                         programs, load the programs (verifier log on failure);
 *                         ld_create_maps() before it creates only the
 *                         maps, for a caller that fills them while the
 *                         verifier checks the programs
 *   ld_attach()   attach each program where its section name says
 *   ld_detach()   stop the programs running; maps stay readable
 *   ld_close()    detach, unpin, close, free; safe on a half-built object
 *
 * Maps and programs are found by name (ld_find_map(), ld_find_prog()),
 * never by position.  Every function returns 0 or -errno and prints one
 * error line, prefixed with the object's file name and the section, where
 * it knows the most.
 */
#ifndef BPF_LOAD_H
#define BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "bpf_helpers.h"	/* struct bpf_map_def: the "maps" section ABI */

#define BPF_LOAD_MAX_MAPS	32
#define BPF_LOAD_MAX_PROGS	16
#define BPF_LOAD_NAME_LEN	64

struct ld_map {
	char name[BPF_LOAD_NAME_LEN];	/* the ELF symbol */
	struct bpf_map_def def;
	unsigned long def_off;		/* its offset in "maps": relocations name it so */
	int fd;				/* -1 until created */
	int pinned;
};

/*
 * A relocation found and checked at open time, applied at load time.
 * MAP: instruction insn_idx is an ld_imm64 that gets map target's fd.
 * CALL: a bpf-to-bpf call to instruction target of .text.
 */
enum ld_reloc_kind { LD_RELOC_MAP, LD_RELOC_CALL };

struct ld_reloc {
	unsigned int insn_idx;
	enum ld_reloc_kind kind;
	unsigned int target;
};

struct ld_prog {
	char name[BPF_LOAD_NAME_LEN];	/* the function symbol */
	char section[128];		/* e.g. "raw_tracepoint/sys_enter" */
	enum bpf_prog_type type;
	const char *attach_to;		/* section name after the prefix */
	struct bpf_insn *insns;		/* the section, then .text if used */
	size_t insn_cnt;
	size_t text_off;		/* where the copy of .text starts */
	struct ld_reloc *relocs;
	size_t reloc_cnt;
	int fd;				/* -1 until loaded */
	int attach_fd;			/* raw tp link or perf event; -1 */
	int optional;			/* set before attaching: a tracepoint
					 * this kernel lacks is skipped, and
					 * attach_fd stays -1 */
};

struct ld_obj {
	char path[256];
	int verbose;			/* print each step to stderr */
	char license[64];
	struct ld_map maps[BPF_LOAD_MAX_MAPS];
	int nr_maps;
	struct ld_prog progs[BPF_LOAD_MAX_PROGS];
	int nr_progs;
	char *pin_dir;			/* set by ld_pin_maps() */
	int pin_dirfd;			/* the directory checked, open */
};

int ld_open(struct ld_obj *obj, const char *path, int verbose);
/* ld_open() on SIZE bytes in memory (copied), NAME in the
 * messages: the same parsing, and no file and no syscall, for the fuzzer
 * (tests/fuzz_elf.c). */
int ld_open_mem(struct ld_obj *obj, const char *name,
			const void *image, size_t size, int verbose);
int ld_create_maps(struct ld_obj *obj);
int ld_load(struct ld_obj *obj);
/* The part of ld_load() between the two: write each map's fd
 * and each call's offset into the instructions.  No syscall; exposed
 * for the fuzzer, which gives the maps made-up fds. */
void ld_relocate(struct ld_obj *obj);
int ld_attach(struct ld_obj *obj);
void ld_detach(struct ld_obj *obj);
void ld_close(struct ld_obj *obj);

struct ld_map *ld_find_map(struct ld_obj *obj, const char *name);
struct ld_prog *ld_find_prog(struct ld_obj *obj, const char *name);
/* The map's fd, or -ENOENT with a message naming the missing map. */
int ld_map_fd(struct ld_obj *obj, const char *name);

/* Pin every map as DIR/NAME, DIR as bpf_private_dir(DIR, 1) made and
 * checked it; unpin them and remove DIR. */
int ld_pin_maps(struct ld_obj *obj, const char *dir);
int ld_unpin_maps(struct ld_obj *obj);

/* ---- raw bpf(2) ------------------------------------------------------- */

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
int bpf_pin_open(const char *path);
/* The object pinned as NAME in the directory DIRFD is open on. */
int bpf_pin_open_at(int dirfd, const char *name);
/* Run a program once on ctx (BPF_PROG_TEST_RUN); *retval gets its return. */
int bpf_prog_run_once(int prog_fd, void *ctx, uint32_t ctx_size,
		      uint32_t *retval);

/* ---- the machine ----------------------------------------------------- */

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
/* Remove everything in the directory DIRFD (from bpf_private_dir(PATH)),
 * close DIRFD and remove PATH; one sentence on failure. */
int bpf_private_dir_remove(int dirfd, const char *path);
/* Number of possible CPUs (/sys/devices/system/cpu/possible). */
int bpf_num_possible_cpus(void);

/* ---- BTF: kernel struct field offsets ---------------------------------- */

struct btf_blob;
/* Parse a BTF blob from a file, e.g. /sys/kernel/btf/vmlinux. */
int btf_blob_read(const char *path, struct btf_blob **out);
void btf_blob_free(struct btf_blob *btf);
/* Byte offset of FIELD in struct STRUCT_NAME, looking inside anonymous
 * structs and unions; -ENOENT if absent, -EINVAL for a bitfield. */
int btf_blob_member_offset(const struct btf_blob *btf, const char *struct_name,
		      const char *field, uint32_t *offset);

/* ---- perf ring buffers ------------------------------------------------- */

/*
 * Called for each PERF_RECORD_SAMPLE with its raw data, and for each
 * PERF_RECORD_LOST with the number of records the kernel dropped.  Return
 * 0 to go on; a negative value stops the read and is passed back.
 */
typedef int (*perf_sample_fn)(void *ctx, int cpu, const void *data,
			      uint32_t size);
typedef void (*perf_lost_fn)(void *ctx, int cpu, uint64_t lost);

/*
 * Consume every record between data_tail and data_head of one ring.  Pure:
 * it touches only the memory it is given, so tests can hand it synthetic
 * rings.  META is the ring's first (control) page, DATA its data area of
 * DATA_SIZE bytes (a power of two); a record that wraps around the end is
 * copied into SCRATCH (SCRATCH_SIZE bytes) first.  Returns the number of
 * records read, or -EBADMSG for a record whose size is impossible (the
 * ring is then skipped to data_head), or the callback's negative value.
 */
int perf_ring_consume(struct perf_event_mmap_page *meta, void *data,
		      size_t data_size, void *scratch, size_t scratch_size,
		      int cpu, perf_sample_fn on_sample, perf_lost_fn on_lost,
		      void *ctx);

struct perf_ring {
	int cpu;
	int fd;			/* the PERF_COUNT_SW_BPF_OUTPUT event */
	void *base;		/* mmap: control page + data */
	size_t data_size;
};

struct perf_reader {
	struct perf_ring *rings;
	int nr_rings;
	struct pollfd *pfds;
	void *scratch;
	size_t scratch_size;
	perf_sample_fn on_sample;
	perf_lost_fn on_lost;
	void *ctx;
};

/* One ring of PAGE_CNT data pages (a power of two) per possible CPU, each
 * stored in the PERF_EVENT_ARRAY MAP_FD at its CPU's index. */
int perf_reader_open(struct perf_reader *pb, int map_fd, int page_cnt,
		     perf_sample_fn on_sample, perf_lost_fn on_lost, void *ctx);
/* Wait up to TIMEOUT_MS for data, then drain every ring.  Returns records
 * read, 0 on timeout, -EINTR when a signal came, or another -errno. */
int perf_reader_poll(struct perf_reader *pb, int timeout_ms);
void perf_reader_close(struct perf_reader *pb);

#endif /* BPF_LOAD_H */
