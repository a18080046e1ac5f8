/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_load.h - a small ELF loader for BPF objects, on raw bpf(2).
 *
 * Life cycle of an object, in the order the calls are made:
 *
 *   ld_open()      parse the ELF file: maps, BTF, programs, license,
 *                  relocations; check every assumption; no syscalls
 *   ld_load()      load the object's BTF if it has one, create the
 *                  maps, patch their fds into the programs, load the
 *                  programs with their BTF (verifier log on failure);
 *                  ld_create_maps() before it loads only the BTF and
 *                  the maps, for a caller that fills them while the
 *                  verifier checks the programs
 *   ld_pin_maps()  optionally, pin every map in a private directory
 *   ld_attach()    attach each program where its section name says
 *   ld_detach()    stop the programs running; maps stay readable
 *   ld_close()     detach, unpin, close, free; safe on a half-built object
 *
 * Maps and programs are found by name (ld_find_map(), ld_find_prog()),
 * never by position; those two return NULL, silently.  The calls that
 * can fail return 0 (ld_map_fd(): the fd) or -errno and print one error
 * line, prefixed with the object's file name and the section, where it
 * knows the most.
 *
 * Only objects here: the raw bpf(2) calls on their maps are in
 * bpf_sys.h, the pin directories and mounts in bpf_dirs.h.
 */
#ifndef BPF_LOAD_H
#define BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpf_helpers.h"	/* struct bpf_map_def: the "maps" section ABI */
#include "btf_obj.h"

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
	/* From .BTF.ext, at instruction indexes of insns (the section's,
	 * then those of each .text function where it was appended): each
	 * function's BTF type, each instruction's source line.  NULL, 0:
	 * the object has no BTF. */
	struct bpf_func_info *func_info;
	uint32_t nr_func_info;
	struct bpf_line_info *line_info;
	uint32_t nr_line_info;
	int fd;				/* -1 until loaded */
	__u32 attach_btf_id;		/* lsm/: the hook's FUNC in vmlinux BTF */
	int attach_fd;			/* raw tp or LSM link, perf event; -1 */
	int optional;			/* an LSM program's from ld_open(),
					 * cleared or set before loading, or
					 * set before attaching (a tracepoint):
					 * one this kernel lacks or refuses is
					 * skipped, and fd or attach_fd stays
					 * -1 */
};

struct ld_obj {
	char path[256];
	int verbose;			/* print each step to stderr */
	char license[64];
	struct ld_map maps[BPF_LOAD_MAX_MAPS];
	int nr_maps;
	struct ld_prog progs[BPF_LOAD_MAX_PROGS];
	int nr_progs;
	struct btf_obj btf;		/* .BTF and .BTF.ext; btf.data NULL: none */
	char *pin_dir;			/* set by ld_pin_maps() */
	int pin_dirfd;			/* the directory checked, open */
};

int ld_open(struct ld_obj *obj, const char *path, int verbose);
/* ld_open() on SIZE bytes in memory (copied), NAME in the messages: the
 * same parsing, and no file and no syscall, for the fuzzer
 * (tests/fuzz_elf.c). */
int ld_open_mem(struct ld_obj *obj, const char *name,
		const void *image, size_t size, int verbose);
int ld_create_maps(struct ld_obj *obj);
int ld_load(struct ld_obj *obj);
/* The part of ld_load() between the two: write each map's fd and each
 * call's offset into the instructions.  No syscall; exposed for the
 * fuzzer, which gives the maps made-up fds. */
void ld_relocate(struct ld_obj *obj);
int ld_attach(struct ld_obj *obj);
void ld_detach(struct ld_obj *obj);
void ld_close(struct ld_obj *obj);

struct ld_map *ld_find_map(struct ld_obj *obj, const char *name);
struct ld_prog *ld_find_prog(struct ld_obj *obj, const char *name);
/* The map's fd, or -ENOENT with a message naming the missing map. */
int ld_map_fd(struct ld_obj *obj, const char *name);

/* Whether the kernel runs BPF LSM programs: 1, 0, or -errno when it
 * cannot tell.  A kernel built with CONFIG_BPF_LSM but booted without
 * "bpf" in its lsm= list loads and attaches an LSM program and never
 * runs it: the list of active LSMs says. */
int ld_bpf_lsm_active(void);

/* Pin every map as DIR/NAME, DIR as bpf_private_dir(DIR, 1) made and
 * checked it; unpin them and remove DIR. */
int ld_pin_maps(struct ld_obj *obj, const char *dir);
int ld_unpin_maps(struct ld_obj *obj);

#endif /* BPF_LOAD_H */
