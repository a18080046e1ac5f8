// SPDX-License-Identifier: GPL-2.0
/*
 * btf_obj.c - an object's BTF for the kernel (see btf_obj.h).
 *
 * The steps, in the order the loader runs them:
 *
 *   1. parse   .BTF: a header, then types, then strings; each type is a
 *              struct btf_type and a tail whose length its kind gives;
 *   2. fix up  what clang leaves for the loader to fill in: the DATASEC
 *              types (one per data section, "maps" and "license" here)
 *              say size 0 and offset 0 for every variable, because only
 *              the linker or the loader knows where things end up;
 *              the kernel refuses a DATASEC of size 0;
 *   2b. maps   a map's key and value types, when the object names them
 *              (BPF_MAP_TYPES(), bpf_helpers.h), for BPF_MAP_CREATE;
 *   3. ext     .BTF.ext: for each ELF section, its functions' type ids
 *              (func_info) and its instructions' source lines
 *              (line_info), at byte offsets of the section;
 *   4. load    BPF_BTF_LOAD gives an fd that BPF_PROG_LOAD takes as
 *              prog_btf_fd, with the records of step 3 turned into
 *              instruction indexes of the program as loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "btf_obj.h"
#include "btf_blob.h"
#include "bpf_sys.h"

/* Not in the UAPI headers: .BTF.ext is a file format between clang and
 * loaders, the kernel never sees it whole (tools/lib/bpf/libbpf_internal.h
 * has the same layout).  Offsets count from the end of the header. */
struct btf_ext_header {
	__u16 magic;		/* BTF_MAGIC, as .BTF's */
	__u8 version;		/* 1 */
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
	/* clang also writes core_relo_off and core_relo_len: CO-RE
	 * relocations, which this loader does not apply (it asks the
	 * kernel's BTF for offsets itself, btf_blob.h). */
};

/* What the kernel takes for each kind of record: .BTF.ext says how long
 * its records are, which may be longer for a newer clang. */
static const size_t kernel_rec_size[] = {
	[BTF_EXT_FUNC_INFO] = sizeof(struct bpf_func_info),
	[BTF_EXT_LINE_INFO] = sizeof(struct bpf_line_info),
};
static const char *const kind_name[] = {
	[BTF_EXT_FUNC_INFO] = "func_info",
	[BTF_EXT_LINE_INFO] = "line_info",
};

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- 1. parse ----------------------------------------------------------- */

static const struct btf_header *hdr(const struct btf_obj *b)
{
	return b->data;
}

static const char *strs(const struct btf_obj *b)
{
	return (const char *)b->data + hdr(b)->hdr_len + hdr(b)->str_off;
}

/* The string at OFF of .BTF's string section, NULL past its end (the
 * section ends in a NUL: btf_check_header() made sure). */
static const char *btf_str(const struct btf_obj *b, __u32 off)
{
	return off < hdr(b)->str_len ? strs(b) + off : NULL;
}

/* The header says where the types and the strings are: inside the blob,
 * 4-byte aligned (types are read as __u32s), strings NUL-terminated. */
static int btf_check_header(const struct btf_obj *b, char *why, size_t why_len)
{
	const struct btf_header *h = hdr(b);
	__u64 body;

	if (b->size < sizeof(*h))
		return fail(why, why_len, "%zu bytes, shorter than a BTF header", b->size);
	if (h->magic != BTF_MAGIC || h->version != BTF_VERSION)
		return fail(why, why_len, "not BTF (magic 0x%x, version %u)", h->magic, h->version);
	if (h->hdr_len < sizeof(*h) || h->hdr_len > b->size || h->hdr_len % 4)
		return fail(why, why_len, "header length %u does not fit the %zu bytes",
			    h->hdr_len, b->size);
	body = b->size - h->hdr_len;
	if (h->type_off % 4 || (__u64)h->type_off + h->type_len > body ||
	    (__u64)h->str_off + h->str_len > body)
		return fail(why, why_len, "types or strings past the end of the section (truncated?)");
	if (!h->str_len || strs(b)[0] || strs(b)[h->str_len - 1])
		return fail(why, why_len, "the string section does not start and end with a NUL");
	return 0;
}

/* Walk the types once: each one's length known from its kind, the last
 * ending where the type section does.  *OFFS gets where each id starts,
 * from the start of the types (id 0, void, has no entry). */
static int btf_index_types(struct btf_obj *b, __u32 **offs, char *why, size_t why_len)
{
	const struct btf_header *h = hdr(b);
	const char *types = (const char *)b->data + h->hdr_len + h->type_off;
	size_t at = 0, cap = 0;

	*offs = NULL;
	b->nr_types = 0;
	while (at < h->type_len) {
		const struct btf_type *t = (const void *)(types + at);
		long extra;

		if (h->type_len - at < sizeof(*t) ||
		    (extra = btf_type_extra(t)) < 0 ||
		    (size_t)extra > h->type_len - at - sizeof(*t)) {
			free(*offs);
			*offs = NULL;
			return fail(why, why_len, "type %u is %s", b->nr_types + 1,
				    h->type_len - at < sizeof(*t) || extra >= 0 ?
				    "cut short" : "of an unknown kind");
		}
		if (b->nr_types == cap) {
			__u32 *n = realloc(*offs, (cap = cap ? cap * 2 : 256) * sizeof(*n));

			if (!n) {
				free(*offs);
				*offs = NULL;
				return -ENOMEM;
			}
			*offs = n;
		}
		(*offs)[b->nr_types++] = at;
		at += sizeof(*t) + extra;
	}
	return 0;
}

/* ---- 2. fix up ---------------------------------------------------------- */

static struct btf_type *type_at(const struct btf_obj *b, __u32 id)
{
	return (struct btf_type *)((char *)b->data + hdr(b)->hdr_len +
				   hdr(b)->type_off + b->type_offs[id - 1]);
}

/* The kernel wants a DATASEC's variables in the order of their offsets,
 * not overlapping; clang lists them as declared.  A few dozen at most:
 * an insertion sort. */
static void sort_by_offset(struct btf_var_secinfo *v, __u16 n)
{
	__u16 i, k;

	for (i = 1; i < n; i++) {
		struct btf_var_secinfo cur = v[i];

		for (k = i; k > 0 && v[k - 1].offset > cur.offset; k--)
			v[k] = v[k - 1];
		v[k] = cur;
	}
}

/*
 * One DATASEC T: its size is its ELF section's, each variable's offset
 * its symbol's, as the kernel checks them (a size of 0, or a variable
 * past the end, is "Invalid size" / "Invalid offset").  libbpf does the
 * same at load time (btf_fixup_datasec()).
 */
static int fixup_datasec(struct btf_obj *b, struct btf_type *t,
			 const struct btf_elf_ops *elf, char *why, size_t why_len)
{
	struct btf_var_secinfo *v = (void *)(t + 1);
	const char *sec = btf_str(b, t->name_off);
	__u16 i, vlen = BTF_INFO_VLEN(t->info);
	long size;

	if (!sec || !*sec)
		return fail(why, why_len, "a DATASEC without a name");
	size = elf->sec_size(elf->ctx, sec);
	if (size < 0)
		return fail(why, why_len, "DATASEC '%s' names no section of the file", sec);
	t->size = size;
	for (i = 0; i < vlen; i++) {
		const struct btf_type *var;
		const char *name;
		long off;

		if (!v[i].type || v[i].type > b->nr_types ||
		    BTF_INFO_KIND((var = type_at(b, v[i].type))->info) != BTF_KIND_VAR ||
		    !(name = btf_str(b, var->name_off)))
			return fail(why, why_len, "DATASEC '%s': entry %u is not a named VAR", sec, i);
		off = elf->sym_off(elf->ctx, sec, name);
		if (off < 0)
			return fail(why, why_len, "DATASEC '%s': variable '%s' has no symbol in the section",
				    sec, name);
		v[i].offset = off;
	}
	sort_by_offset(v, vlen);
	b->nr_datasecs++;
	return 0;
}

int btf_obj_parse(struct btf_obj *b, const void *data, size_t size,
		  const struct btf_elf_ops *elf, char *why, size_t why_len)
{
	__u32 id;
	int err;

	b->fd = -1;
	b->data = malloc(size ? size : 1);	/* ours to fix up, aligned */
	if (!b->data)
		return -ENOMEM;
	memcpy(b->data, data, size);
	b->size = size;
	if ((err = btf_check_header(b, why, why_len)) ||
	    (err = btf_index_types(b, &b->type_offs, why, why_len)))
		goto out;
	for (id = 1; id <= b->nr_types; id++) {
		struct btf_type *t = type_at(b, id);

		if (BTF_INFO_KIND(t->info) == BTF_KIND_DATASEC &&
		    (err = fixup_datasec(b, t, elf, why, why_len)))
			break;
	}
out:
	if (err) {
		free(b->data);
		free(b->type_offs);
		b->data = NULL;
		b->type_offs = NULL;
	}
	return err;
}

/* ---- 2b. map types ----------------------------------------------------- */

/* The type id of member NAME of struct T, 0 if it has none. */
static __u32 member_type(const struct btf_obj *b, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = (const void *)(t + 1);
	__u16 i;

	for (i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const char *s = btf_str(b, m[i].name_off);

		if (s && !strcmp(s, name) && m[i].type <= b->nr_types)
			return m[i].type;
	}
	return 0;
}

int btf_obj_map_types(const struct btf_obj *b, const char *map,
		      uint32_t *key_id, uint32_t *value_id)
{
	char want[128];
	__u32 id;

	if (!b->data)
		return -ENOENT;
	snprintf(want, sizeof(want), "____btf_map_%s", map);
	for (id = 1; id <= b->nr_types; id++) {
		const struct btf_type *t = type_at(b, id);
		const char *name = btf_str(b, t->name_off);

		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT || !name || strcmp(name, want))
			continue;
		/* The kernel checks that their sizes are the map's. */
		*key_id = member_type(b, t, "key");
		*value_id = member_type(b, t, "value");
		return *key_id && *value_id ? 0 : -ENOENT;
	}
	return -ENOENT;
}

/* ---- 3. ext ------------------------------------------------------------- */

static const struct btf_ext_header *ext_hdr(const struct btf_obj *b)
{
	return b->ext;
}

/* Where the KIND sub-section is, from the start of B->ext, and how long. */
static void ext_sub(const struct btf_obj *b, enum btf_ext_kind kind,
		    __u32 *off, __u32 *len)
{
	const struct btf_ext_header *h = ext_hdr(b);

	*off = h->hdr_len + (kind == BTF_EXT_FUNC_INFO ? h->func_info_off : h->line_info_off);
	*len = kind == BTF_EXT_FUNC_INFO ? h->func_info_len : h->line_info_len;
}

/*
 * A sub-section is a record size, then blocks: a section's name (an
 * offset in .BTF's strings), a record count, the records.  Check that
 * every block is inside the sub-section and names a string, once, here,
 * so that btf_obj_ext_records() can walk it blind.
 */
static int check_ext_sub(const struct btf_obj *b, enum btf_ext_kind kind,
			 char *why, size_t why_len)
{
	const char *base = b->ext;
	__u32 off, len, rec_size, at;

	ext_sub(b, kind, &off, &len);
	if (!len)
		return 0;
	if (off % 4 || len % 4 || len < 4)
		return fail(why, why_len, "%s is misaligned", kind_name[kind]);
	rec_size = *(const __u32 *)(base + off);
	if (rec_size < kernel_rec_size[kind] || rec_size % 4)
		return fail(why, why_len, "%s records of %u bytes", kind_name[kind], rec_size);
	for (at = 4; at < len; ) {
		const __u32 *blk = (const void *)(base + off + at);

		if (len - at < 8 || !btf_str(b, blk[0]))
			return fail(why, why_len, "%s block at byte %u is cut short or unnamed",
				    kind_name[kind], at);
		if ((__u64)blk[1] * rec_size > len - at - 8)
			return fail(why, why_len, "%s of '%s': %u records past the end",
				    kind_name[kind], btf_str(b, blk[0]), blk[1]);
		at += 8 + blk[1] * rec_size;
	}
	return 0;
}

int btf_obj_parse_ext(struct btf_obj *b, const void *data, size_t size,
		      char *why, size_t why_len)
{
	const struct btf_ext_header *h;
	int err;

	b->ext = malloc(size ? size : 1);
	if (!b->ext)
		return -ENOMEM;
	memcpy(b->ext, data, size);
	b->ext_size = size;
	h = b->ext;
	/* The header as this loader knows it (24 bytes), maybe longer. */
	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != 1 ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > size || h->hdr_len % 4 ||
	    (__u64)h->func_info_off + h->func_info_len > size - h->hdr_len ||
	    (__u64)h->line_info_off + h->line_info_len > size - h->hdr_len)
		err = fail(why, why_len, "a header that does not fit its %zu bytes (truncated?)",
			   size);
	else if (!(err = check_ext_sub(b, BTF_EXT_FUNC_INFO, why, why_len)))
		err = check_ext_sub(b, BTF_EXT_LINE_INFO, why, why_len);
	if (err) {
		free(b->ext);
		b->ext = NULL;
	}
	return err;
}

int btf_obj_ext_records(const struct btf_obj *b, enum btf_ext_kind kind,
			const char *sec, size_t sec_insns, const long *pos,
			void **recs, uint32_t *n, char *why, size_t why_len)
{
	const char *base = b->ext;
	size_t ksize = kernel_rec_size[kind];
	__u32 off, len, rec_size, at, i;

	if (!b->ext)
		return 0;
	ext_sub(b, kind, &off, &len);
	if (!len)
		return 0;
	rec_size = *(const __u32 *)(base + off);
	for (at = 4; at < len; at += 8 + ((const __u32 *)(base + off + at))[1] * rec_size) {
		const __u32 *blk = (const void *)(base + off + at);
		char *out;

		if (strcmp(btf_str(b, blk[0]), sec))
			continue;
		out = realloc(*recs, (*n + blk[1]) * ksize);
		if (!out)
			return -ENOMEM;
		*recs = out;
		for (i = 0; i < blk[1]; i++) {
			const char *rec = (const char *)(blk + 2) + (size_t)i * rec_size;
			/* Both kinds of record start with insn_off. */
			__u32 byte = *(const __u32 *)rec, insn = byte / 8;
			long at_insn;

			if (byte % 8 || insn >= sec_insns)
				return fail(why, why_len, "%s record %u of '%s' is at byte %u, not an instruction of the section's %zu",
					    kind_name[kind], i, sec, byte, sec_insns);
			at_insn = pos ? pos[insn] : (long)insn;
			if (at_insn < 0)
				continue;	/* a function this program does not call */
			memcpy(out + (size_t)*n * ksize, rec, ksize);
			*(__u32 *)(out + (size_t)*n * ksize) = at_insn;
			(*n)++;
		}
	}
	return 0;
}

/* ---- 4. load ------------------------------------------------------------ */

int btf_obj_load(struct btf_obj *b, char *log, size_t log_size)
{
	union bpf_attr attr = {
		.btf = ptr_to_u64(b->data),
		.btf_size = b->size,
	};
	int fd;

	/* As for programs: a log only when the first try is refused. */
	fd = sys_bpf(BPF_BTF_LOAD, &attr);
	if (fd < 0 && log && log_size) {
		log[0] = 0;
		attr.btf_log_buf = ptr_to_u64(log);
		attr.btf_log_size = log_size;
		attr.btf_log_level = 1;
		fd = sys_bpf(BPF_BTF_LOAD, &attr);
	}
	if (fd >= 0)
		b->fd = fd;
	return fd;
}

void btf_obj_free(struct btf_obj *b)
{
	/* fd means something only once data is set (btf_obj_parse() makes
	 * it -1 first): an object never opened is all zeros, fd 0 too. */
	if (b->data && b->fd >= 0)
		close(b->fd);
	free(b->data);
	free(b->type_offs);
	free(b->ext);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}
