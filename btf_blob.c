// SPDX-License-Identifier: GPL-2.0
/*
 * btf_blob.c - the BTF reader: a file's types indexed by id, and the
 * offset of a field looked up by struct and field name (see btf_blob.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>

#include "btf_blob.h"
#include "bpf_sys.h"

struct btf_blob {
	void *data;
	size_t size;
	const char *strs;
	__u32 str_len;
	const struct btf_type **types;	/* by id; types[0] is void */
	__u32 nr_types;
};

/* Bytes a type's description takes after its struct btf_type (also the
 * object's BTF, btf_obj.c). */
long btf_type_extra(const struct btf_type *t)
{
	__u16 vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:		return 4;
	case BTF_KIND_ARRAY:		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:	return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:		return sizeof(struct btf_decl_tag);
	case 19 /* BTF_KIND_ENUM64 */:	return vlen * 12;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return 0;
	default:			return -1;
	}
}

void btf_blob_free(struct btf_blob *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->data);
	free(btf);
}

int btf_blob_read(const char *path, struct btf_blob **out)
{
	const struct btf_header *h;
	struct btf_blob *btf;
	size_t cap = 0;
	char *p, *end;
	int fd, err = -EINVAL;

	btf = calloc(1, sizeof(*btf));
	if (!btf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: %s: %s (is the kernel built with CONFIG_DEBUG_INFO_BTF?)\n",
			program_invocation_short_name, path, strerror(errno));
		goto fail;
	}
	err = bpf_read_all(fd, SIZE_MAX, &btf->data, &btf->size);
	close(fd);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			path, strerror(-err));
		goto fail;
	}
	err = -EINVAL;

	h = btf->data;
	if (btf->size < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len > btf->size ||
	    (size_t)h->hdr_len + h->type_off + h->type_len > btf->size ||
	    (size_t)h->hdr_len + h->str_off + h->str_len > btf->size) {
		fprintf(stderr, "%s: %s: not a valid BTF file\n",
			program_invocation_short_name, path);
		goto fail;
	}
	btf->strs = (const char *)btf->data + h->hdr_len + h->str_off;
	btf->str_len = h->str_len;

	/* Index the types by id so members can be followed. */
	p = (char *)btf->data + h->hdr_len + h->type_off;
	end = p + h->type_len;
	cap = 0;
	btf->nr_types = 1;		/* id 0 is void */
	while (p + sizeof(struct btf_type) <= end) {
		const struct btf_type *t = (const void *)p;
		long extra = btf_type_extra(t);

		if (extra < 0) {
			fprintf(stderr, "%s: %s: unknown BTF kind %u\n",
				program_invocation_short_name, path, BTF_INFO_KIND(t->info));
			goto fail;
		}
		if (btf->nr_types >= cap) {
			void *nt = realloc(btf->types, (cap = cap ? cap * 2 : 65536) * sizeof(*btf->types));

			if (!nt) {
				err = -ENOMEM;
				goto fail;
			}
			btf->types = nt;
		}
		btf->types[btf->nr_types++] = t;
		p += sizeof(*t) + extra;
	}
	if (p != end) {
		fprintf(stderr, "%s: %s: truncated BTF type section\n",
			program_invocation_short_name, path);
		goto fail;
	}
	*out = btf;
	return 0;
fail:
	btf_blob_free(btf);
	return err;
}

static const char *btf_str(const struct btf_blob *btf, __u32 off)
{
	return off < btf->str_len ? btf->strs + off : "";
}

/* Follow typedefs and qualifiers to the type that has members. */
static const struct btf_type *btf_resolve(const struct btf_blob *btf, __u32 id)
{
	int depth;

	for (depth = 0; depth < 32 && id && id < btf->nr_types; depth++) {
		const struct btf_type *t = btf->types[id];

		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

/*
 * Find FIELD in struct or union T.  Most of mm_struct sits inside an
 * anonymous struct on 6.x kernels, so a member without a name is searched
 * too, and its own offset added.  Offsets are in bits in BTF.
 */
static int btf_find_member(const struct btf_blob *btf, const struct btf_type *t,
			   const char *field, __u32 *bits, int depth)
{
	const struct btf_member *m = (const void *)(t + 1);
	__u16 i, vlen = BTF_INFO_VLEN(t->info);
	int kflag = BTF_INFO_KFLAG(t->info);

	if (depth > 8)
		return -ENOENT;
	for (i = 0; i < vlen; i++, m++) {
		__u32 off = kflag ? m->offset & 0xffffff : m->offset;
		const char *name = btf_str(btf, m->name_off);

		if (*name && !strcmp(name, field)) {
			if (kflag && (m->offset >> 24))
				return -EINVAL;		/* a bitfield */
			*bits = off;
			return 0;
		}
		if (!*name) {
			const struct btf_type *inner = btf_resolve(btf, m->type);
			__u32 sub;

			if (inner && (BTF_INFO_KIND(inner->info) == BTF_KIND_STRUCT ||
				      BTF_INFO_KIND(inner->info) == BTF_KIND_UNION) &&
			    !btf_find_member(btf, inner, field, &sub, depth + 1)) {
				*bits = off + sub;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int btf_blob_member_offset(const struct btf_blob *btf, const char *struct_name,
			   const char *field, uint32_t *offset)
{
	__u32 id, bits;
	int err;

	for (id = 1; id < btf->nr_types; id++) {
		const struct btf_type *t = btf->types[id];

		if (BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT ||
		    strcmp(btf_str(btf, t->name_off), struct_name))
			continue;
		err = btf_find_member(btf, t, field, &bits, 0);
		if (err)
			return err;
		if (bits % 8)
			return -EINVAL;
		*offset = bits / 8;
		return 0;
	}
	return -ENOENT;
}

int btf_blob_find(const struct btf_blob *btf, const char *name,
		  unsigned int kind, uint32_t *id)
{
	__u32 i;

	for (i = 1; i < btf->nr_types; i++) {
		const struct btf_type *t = btf->types[i];

		if (BTF_INFO_KIND(t->info) == kind &&
		    !strcmp(btf_str(btf, t->name_off), name)) {
			*id = i;
			return 0;
		}
	}
	return -ENOENT;
}
