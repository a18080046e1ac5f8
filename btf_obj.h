/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btf_obj.h - the BTF of a BPF object: its .BTF section checked, fixed up
 * for the kernel and loaded (BPF_BTF_LOAD), and its .BTF.ext section's
 * func_info and line_info records handed out per ELF section.
 *
 * Why a loader wants them: with the object's BTF (prog_btf_fd) and those
 * records, the kernel knows each function's prototype (func_info; it
 * refuses bpf_loop callbacks and global functions without it) and each
 * instruction's source line (line_info; the verifier's log quotes the
 * source).  clang -g writes both sections.
 *
 * Apart from bpf_load.c, which parses the ELF file: this file knows BTF
 * and nothing of ELF; the loader tells it the sizes of sections and the
 * offsets of symbols through struct btf_elf_ops.  Apart from btf_blob.c
 * too, which reads the kernel's own BTF for struct offsets; the rule for
 * how long each kind of type is (btf_kind_extra()) is shared with it.
 *
 * The calls that can fail return -errno and put the reason, one phrase,
 * in WHY (of WHY_LEN bytes): the loader prints it with the file's name.
 */
#ifndef BTF_OBJ_H
#define BTF_OBJ_H

#include <stddef.h>
#include <stdint.h>

struct btf_obj {
	void *data;		/* .BTF copied, fixed up in place; NULL: none */
	size_t size;
	uint32_t nr_types;	/* not counting void, id 0 */
	uint32_t *type_offs;	/* where type id i starts: type_offs[i - 1],
				 * from the start of the types */
	uint32_t nr_datasecs;	/* DATASECs fixed up */
	void *ext;		/* .BTF.ext copied; NULL: none */
	size_t ext_size;
	int fd;			/* -1 until btf_obj_load() */
};

/* How the fix-ups ask the ELF file (bpf_load.c answers): SEC_SIZE, the
 * size of the section named SEC, or -1 if there is none; SYM_OFF, the
 * offset in section SEC of the global symbol NAME, or -1. */
struct btf_elf_ops {
	long (*sec_size)(void *ctx, const char *sec);
	long (*sym_off)(void *ctx, const char *sec, const char *name);
	void *ctx;
};

/* .BTF's SIZE bytes at DATA, checked (header, every type's length, the
 * strings) and copied into B, whose DATASECs then get their sizes and
 * their variables' offsets from the ELF file (see btf_fixup_datasec()). */
int btf_obj_parse(struct btf_obj *b, const void *data, size_t size,
		  const struct btf_elf_ops *elf, char *why, size_t why_len);
/* .BTF.ext's SIZE bytes, checked (header, each sub-section's records
 * inside it, section names in .BTF's strings) and copied into B. */
int btf_obj_parse_ext(struct btf_obj *b, const void *data, size_t size,
		      char *why, size_t why_len);

/* The two kinds of .BTF.ext records a program load takes. */
enum btf_ext_kind { BTF_EXT_FUNC_INFO, BTF_EXT_LINE_INFO };

/*
 * Append to *RECS (*N of them, realloc'd) the KIND records of ELF section
 * SEC, as the kernel takes them: struct bpf_func_info or bpf_line_info.
 * In the file a record's insn_off counts bytes from the start of SEC; in
 * the program it counts instructions, and section instruction i is at
 * POS[i] (< 0: not in the program, the record is dropped; POS NULL: at
 * i).  SEC_INSNS: the section's length, which every record must be in.
 */
int btf_obj_ext_records(const struct btf_obj *b, enum btf_ext_kind kind,
			const char *sec, size_t sec_insns, const long *pos,
			void **recs, uint32_t *n, char *why, size_t why_len);

/* The BTF ids of map MAP's key and value, from the struct
 * ____btf_map_MAP that BPF_MAP_TYPES() (bpf_helpers.h) defines: 0, or
 * -ENOENT when the object does not say them. */
int btf_obj_map_types(const struct btf_obj *b, const char *map,
		      uint32_t *key_id, uint32_t *value_id);

/* BPF_BTF_LOAD: B->fd, or -errno with the kernel's log in LOG (LOG_SIZE
 * bytes; the load is retried with it only after a refusal). */
int btf_obj_load(struct btf_obj *b, char *log, size_t log_size);
void btf_obj_free(struct btf_obj *b);

#endif /* BTF_OBJ_H */
