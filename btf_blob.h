/* SPDX-License-Identifier: GPL-2.0 */
/*
 * btf_blob.h - a reader of the kernel's BTF (/sys/kernel/btf/vmlinux)
 * for two questions: at which byte offset a struct has a field, and
 * which id a named type (a kernel function) has.
 *
 * Apart from the object's own BTF, which the loader loads (btf_obj.h):
 * ebph asks this one for the offsets of the kernel struct fields its BPF
 * program reads through pointers (task_struct.mm, mm_struct.exe_file,
 * ...), which differ from kernel to kernel, before it loads the program.
 */
#ifndef BTF_BLOB_H
#define BTF_BLOB_H

#include <stdint.h>
struct btf_blob;
/* Parse a BTF blob from a file, e.g. /sys/kernel/btf/vmlinux. */
int btf_blob_read(const char *path, struct btf_blob **out);
void btf_blob_free(struct btf_blob *btf);
struct btf_type;
/* Bytes type T's description takes after its struct btf_type, by kind;
 * -1 for a kind this reader does not know.  The one rule of a type's
 * length, for the kernel's BTF and for an object's (btf_obj.c). */
long btf_type_extra(const struct btf_type *t);
/* Byte offset of FIELD in struct STRUCT_NAME, looking inside anonymous
 * structs and unions; -ENOENT if absent, -EINVAL for a bitfield. */
int btf_blob_member_offset(const struct btf_blob *btf, const char *struct_name,
			   const char *field, uint32_t *offset);
/* The id of the type of kind KIND (BTF_KIND_*) named NAME, e.g. the FUNC
 * bpf_lsm_bprm_check_security an LSM program attaches to; -ENOENT if
 * there is none. */
int btf_blob_find(const struct btf_blob *btf, const char *name,
		  unsigned int kind, uint32_t *id);

#endif /* BTF_BLOB_H */
