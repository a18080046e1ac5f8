// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_load.c - a small ELF loader for BPF objects, on raw bpf(2).
 *
 * The pipeline, in the order it runs:
 *
 *   1. open    libelf reads the object built by clang -target bpf and
 *              checks it is a relocatable BPF ELF file;
 *   2. maps    each symbol in section "maps" is one struct bpf_map_def,
 *              sized from the section, unknown trailing bytes must be zero;
 *   3. license the "license" section, needed for GPL-only helpers;
 *   3b. btf    .BTF and .BTF.ext, when clang -g wrote them: the types
 *              checked and fixed up for the kernel (btf_obj.c);
 *   4. progs   each executable section is one program, its type taken from
 *              the section name (raw_tracepoint/, tracepoint/, lsm/); functions in
 *              .text (bpf-to-bpf calls) are appended to every program that
 *              calls them, as the kernel expects; .BTF.ext's records for
 *              the section and for those functions go with it;
 *   5. relocs  every relocation is checked (type, symbol section,
 *              instruction bounds, opcode) and remembered;
 *   6. load    the BTF loaded (BPF_BTF_LOAD), maps created, their fds
 *              written into the ld_imm64 instructions, programs loaded
 *              with the BTF's fd and their records; a refusal prints the
 *              verifier log, with source lines when there is BTF; an
 *              lsm/HOOK program is loaded for the kernel's function
 *              bpf_lsm_HOOK, its id found in /sys/kernel/btf/vmlinux;
 *   7. attach  raw tracepoints through BPF_RAW_TRACEPOINT_OPEN,
 *              tracepoints through perf_event_open + PERF_EVENT_IOC_SET_BPF,
 *              LSM programs through BPF_LINK_CREATE;
 *   8. close   detach, unpin, close, free.
 *
 * Between 6 and 7 a caller may pin the maps (ld_pin_maps()), so that
 * they outlive it or other processes can open them.
 *
 * Only this pipeline is here; what it stands on has files of its own:
 * btf_obj.c (the object's BTF: checked, fixed up, loaded, its .BTF.ext
 * records), bpf_sys.c (the raw bpf(2) and perf_event_open(2) calls, the
 * CPU count) and bpf_dirs.c (where tracefs is, the private directory
 * maps are pinned in).  The other pieces ebph needs to run its programs
 * are apart too: btf_blob.c (kernel struct offsets) and perf_reader.c
 * (the perf rings).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "bpf_dirs.h"
#include "btf_blob.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64 1		/* ld_imm64: a map or a function address */
#endif
#ifndef R_BPF_64_32
#define R_BPF_64_32 10		/* call: a bpf-to-bpf call target */
#endif

/* The verifier's log can be long for a big program; ENOSPC says it was
 * longer still. */
#define VERIFIER_LOG_SIZE (16u << 20)

/* ---- messages ----------------------------------------------------------- */

/* One error format: "ebph: FILE: section 'S': what went wrong". */
static void obj_err(const struct ld_obj *obj, const char *sec,
		    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", program_invocation_short_name, obj->path);
	if (sec)
		fprintf(stderr, "section '%s': ", sec);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void obj_step(const struct ld_obj *obj, const char *fmt, ...)
{
	va_list ap;

	if (!obj->verbose)
		return;
	fprintf(stderr, "bpf_load: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- 1. open ------------------------------------------------------------ */

/* A BPF object is tens or hundreds of kilobytes: a file larger than
 * this is not one, and is not read into memory. */
#define BPF_OBJECT_MAX_SIZE (64u << 20)

/* What open_image() learns about the ELF file and needs until it is done. */
struct elf_ctx {
	Elf *elf;
	void *image;		/* the whole file, which libelf reads */
	size_t size;
	size_t shstrndx;
	Elf_Data *symbols;
	size_t strtabidx;
	size_t nr_syms;
	int maps_idx;		/* section index of "maps", or -1 */
	int text_idx;		/* section index of ".text", or -1 */
	Elf_Data *text;		/* its instructions, if any */
	Elf_Data *btf;		/* ".BTF", NULL if none (built without -g) */
	Elf_Data *btf_ext;	/* ".BTF.ext", NULL if none */
};

static const char *sec_name(struct elf_ctx *ec, size_t idx)
{
	Elf_Scn *scn = elf_getscn(ec->elf, idx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return NULL;
	return elf_strptr(ec->elf, ec->shstrndx, sh.sh_name);
}

static const char *sym_name(struct elf_ctx *ec, const GElf_Sym *sym)
{
	const char *n = elf_strptr(ec->elf, ec->strtabidx, sym->st_name);

	return n && *n ? n : "(anonymous)";
}

/* Global data would need .data/.bss/.rodata maps; this loader has none. */
static int is_data_section(const char *name)
{
	return !strncmp(name, ".data", 5) || !strncmp(name, ".bss", 4) ||
	       !strncmp(name, ".rodata", 7);
}

/* 2. maps: one bpf_map_def per symbol in "maps". */
static int parse_maps(struct ld_obj *obj, struct elf_ctx *ec, Elf_Data *data)
{
	size_t nr = 0, def_sz, i;
	GElf_Sym sym;

	for (i = 0; i < ec->nr_syms; i++)
		if (gelf_getsym(ec->symbols, i, &sym) &&
		    sym.st_shndx == (size_t)ec->maps_idx &&
		    GELF_ST_TYPE(sym.st_info) == STT_OBJECT)
			nr++;
	if (!nr) {
		obj_err(obj, "maps", "section has no map symbols");
		return -EINVAL;
	}
	if (nr > BPF_LOAD_MAX_MAPS) {
		obj_err(obj, "maps", "%zu maps, at most %d supported", nr,
			BPF_LOAD_MAX_MAPS);
		return -E2BIG;
	}
	/* Size the definition from the section, as samples/bpf does: an
	 * object built with a longer struct still loads if the fields this
	 * loader does not know are all zero. */
	if (data->d_size % nr) {
		obj_err(obj, "maps", "size %zu is not a multiple of %zu maps",
			data->d_size, nr);
		return -EINVAL;
	}
	def_sz = data->d_size / nr;
	if (def_sz < offsetof(struct bpf_map_def, map_flags)) {
		obj_err(obj, "maps", "map definitions of %zu bytes are too short",
			def_sz);
		return -EINVAL;
	}

	for (i = 0; i < ec->nr_syms; i++) {
		struct ld_map *m;
		const unsigned char *def;
		size_t k;

		if (!gelf_getsym(ec->symbols, i, &sym) ||
		    sym.st_shndx != (size_t)ec->maps_idx ||
		    GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		/* def_sz <= d_size; st_value + def_sz could wrap. */
		if (sym.st_value % def_sz || sym.st_value > data->d_size - def_sz) {
			obj_err(obj, "maps", "map '%s' at offset %llu is not a whole definition",
				sym_name(ec, &sym), (unsigned long long)sym.st_value);
			return -EINVAL;
		}
		def = (const unsigned char *)data->d_buf + sym.st_value;
		for (k = sizeof(struct bpf_map_def); k < def_sz; k++) {
			if (def[k]) {
				obj_err(obj, "maps", "map '%s' sets fields this loader does not know (byte %zu)",
					sym_name(ec, &sym), k);
				return -EINVAL;
			}
		}
		m = &obj->maps[obj->nr_maps++];
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		snprintf(m->name, sizeof(m->name), "%s", sym_name(ec, &sym));
		memcpy(&m->def, def, def_sz < sizeof(m->def) ? def_sz : sizeof(m->def));
		/* The symbol's offset identifies the map in relocations. */
		m->def_off = sym.st_value;
	}
	return 0;
}

/* Program type from the section name prefix; NULL attach_to: unknown. */
static int prog_type_of(struct ld_prog *p)
{
	static const struct {
		const char *prefix;
		enum bpf_prog_type type;
	} kinds[] = {
		{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT },
		{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT },
		{ "lsm/", BPF_PROG_TYPE_LSM },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (!strncmp(p->section, kinds[i].prefix, n) && p->section[n]) {
			p->type = kinds[i].type;
			p->attach_to = p->section + n;
			/* A kernel may run no BPF LSM, or refuse such
			 * programs: one is optional until its caller needs
			 * it (ebph run --enforce clears this). */
			p->optional = p->type == BPF_PROG_TYPE_LSM;
			return 0;
		}
	}
	return -EINVAL;
}

/* Which map a relocation's symbol names: the one defined at its offset. */
static int map_at(struct ld_obj *obj, GElf_Addr off)
{
	int i;

	for (i = 0; i < obj->nr_maps; i++)
		if (obj->maps[i].def_off == off)
			return i;
	return -1;
}

static int is_pseudo_call(const struct bpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->src_reg == BPF_PSEUDO_CALL;
}

/*
 * The relocation parse_relocs() is at, and the section it reads: the
 * section's name SEC, its SEC_INSNS instructions SRC, where they land in
 * P (POS) and where .text does (TEXT_POS), as parse_relocs() says; the
 * relocation's number I, its TYPE and symbol SYM, the section SYM is in
 * (TARGET), and the instruction IDX of SRC it is on, AT in P (< 0: not
 * in P).
 */
struct reloc_ctx {
	struct ld_prog *p;
	const char *sec;
	const struct bpf_insn *src;
	size_t sec_insns;
	const long *pos, *text_pos;
	size_t i, idx;
	long at;
	int type;
	GElf_Sym sym;
	const char *target;
};

/* Relocation RC->i of REL into RC: it names a symbol that exists and an
 * instruction of the section that no other relocation patches. */
static int reloc_read(struct ld_obj *obj, struct elf_ctx *ec, Elf_Data *rel,
		      struct reloc_ctx *rc)
{
	GElf_Rel gr;
	size_t k;

	if (!gelf_getrel(rel, rc->i, &gr)) {
		obj_err(obj, rc->sec, "relocation %zu unreadable: %s", rc->i, elf_errmsg(-1));
		return -EINVAL;
	}
	rc->type = GELF_R_TYPE(gr.r_info);
	if (!gelf_getsym(ec->symbols, GELF_R_SYM(gr.r_info), &rc->sym)) {
		obj_err(obj, rc->sec, "relocation %zu names symbol %llu, which does not exist",
			rc->i, (unsigned long long)GELF_R_SYM(gr.r_info));
		return -EINVAL;
	}
	rc->idx = gr.r_offset / sizeof(struct bpf_insn);
	if (gr.r_offset % sizeof(struct bpf_insn) || rc->idx >= rc->sec_insns) {
		obj_err(obj, rc->sec, "relocation %zu at offset %llu is outside the section's %zu instructions",
			rc->i, (unsigned long long)gr.r_offset, rc->sec_insns);
		return -EINVAL;
	}
	rc->at = rc->pos ? rc->pos[rc->idx] : (long)rc->idx;
	/* Two would both be applied, the last one winning. */
	for (k = 0; rc->at >= 0 && k < rc->p->reloc_cnt; k++)
		if (rc->p->relocs[k].insn_idx == (unsigned long)rc->at) {
			obj_err(obj, rc->sec, "relocation %zu: instruction %zu already has one",
				rc->i, rc->idx);
			return -EINVAL;
		}
	rc->target = sec_name(ec, rc->sym.st_shndx);
	if (!rc->target)
		rc->target = "(none)";
	return 0;
}

/* Remember that instruction AT of P gets TARGET, of KIND, at load time. */
static void reloc_add(struct ld_prog *p, long at, enum ld_reloc_kind kind,
		      unsigned int target)
{
	struct ld_reloc *r = &p->relocs[p->reloc_cnt++];

	r->insn_idx = at;
	r->kind = kind;
	r->target = target;
}

/* A call into .text: made relative to where the callee lands in this
 * program, at load time. */
static int reloc_call(struct ld_obj *obj, struct elf_ctx *ec,
		      const struct reloc_ctx *rc)
{
	const struct bpf_insn *insn = &rc->src[rc->idx];
	long t = rc->sym.st_value / sizeof(struct bpf_insn) + insn->imm + 1;

	if (rc->at < 0)
		return 0;	/* in a function P does not call */
	/* text_reach() placed every callee it found; a second
	 * relocation of one call is not among them. */
	if (t < 0 || (size_t)t >= ec->text->d_size / sizeof(*insn) ||
	    rc->text_pos[t] < 0) {
		obj_err(obj, rc->sec, "relocation %zu at instruction %zu calls .text+%ld, where no function of this program starts",
			rc->i, rc->idx, t);
		return -EINVAL;
	}
	reloc_add(rc->p, rc->at, LD_RELOC_CALL, rc->text_pos[t] - rc->p->text_off);
	return 0;
}

/* What an ld_imm64 loads: a map, the one defined where its symbol and
 * immediate point in "maps"; global data and functions are refused. */
static int reloc_map(struct ld_obj *obj, struct elf_ctx *ec,
		     const struct reloc_ctx *rc)
{
	long off;
	int m;

	if (is_data_section(rc->target)) {
		/* A static variable or a string constant is reached
		 * through the section symbol: it has no name to give. */
		if (GELF_ST_TYPE(rc->sym.st_info) == STT_SECTION)
			obj_err(obj, rc->sec, "instruction %zu uses global data in '%s'; this loader has no .data/.bss/.rodata: keep settings in an ARRAY map",
				rc->idx, rc->target);
		else
			obj_err(obj, rc->sec, "instruction %zu uses global data '%s' in '%s'; this loader has no .data/.bss/.rodata: keep settings in an ARRAY map",
				rc->idx, sym_name(ec, &rc->sym), rc->target);
		return -EINVAL;
	}
	if ((int)rc->sym.st_shndx == ec->text_idx) {
		/* The address of a function: a bpf_loop or
		 * for_each_map_elem callback.  The kernel accepts one
		 * only from a program loaded with BTF func_info, which
		 * this loader now gives, and as an ld_imm64 marked
		 * BPF_PSEUDO_FUNC aimed at the appended callee, which it
		 * does not write yet. */
		obj_err(obj, rc->sec, "instruction %zu takes the address of a function (a callback); this loader does not relocate function addresses (BPF_PSEUDO_FUNC) yet: use a bounded loop instead",
			rc->idx);
		return -EINVAL;
	}
	if ((int)rc->sym.st_shndx != ec->maps_idx) {
		obj_err(obj, rc->sec, "relocation %zu at instruction %zu refers to '%s' in section '%s', which is not a map",
			rc->i, rc->idx, sym_name(ec, &rc->sym), rc->target);
		return -EINVAL;
	}
	/* A global map is its own symbol, with an immediate of 0; a
	 * static one is the section symbol plus its offset in the
	 * immediate, as clang writes it. */
	off = (long)rc->sym.st_value + rc->src[rc->idx].imm;
	m = map_at(obj, off);
	if (m < 0) {
		obj_err(obj, rc->sec, "relocation %zu refers to offset %ld of 'maps', where no map is defined",
			rc->i, off);
		return -EINVAL;
	}
	if (rc->at >= 0)	/* else in a function P does not call */
		reloc_add(rc->p, rc->at, LD_RELOC_MAP, m);
	return 0;
}

/* Any relocation but a call into .text: an R_BPF_64_64 on a whole
 * ld_imm64, whose two halves stay together in P. */
static int reloc_ld_imm64(struct ld_obj *obj, struct elf_ctx *ec,
			  const struct reloc_ctx *rc)
{
	const struct bpf_insn *insn = &rc->src[rc->idx];

	if (rc->type == R_BPF_64_32) {
		obj_err(obj, rc->sec, "relocation %zu at instruction %zu is a call relocation (R_BPF_64_32) that does not call a function in .text",
			rc->i, rc->idx);
		return -EINVAL;
	}
	if (rc->type != R_BPF_64_64) {
		obj_err(obj, rc->sec, "relocation %zu at instruction %zu has type %d; only R_BPF_64_64 (maps, functions) and R_BPF_64_32 (calls) are supported",
			rc->i, rc->idx, rc->type);
		return -EINVAL;
	}
	if (insn->code != (BPF_LD | BPF_IMM | BPF_DW) || rc->idx + 1 >= rc->sec_insns) {
		obj_err(obj, rc->sec, "relocation %zu points at instruction %zu (opcode 0x%02x), not at a 16-byte ld_imm64",
			rc->i, rc->idx, insn->code);
		return -EINVAL;
	}
	/* Both halves in P, one after the other: a function whose
	 * symbol ends between them would be copied without the second. */
	if (rc->pos && rc->at >= 0 && rc->pos[rc->idx + 1] != rc->at + 1) {
		obj_err(obj, rc->sec, "relocation %zu: the ld_imm64 at instruction %zu is cut in two by the end of its function",
			rc->i, rc->idx);
		return -EINVAL;
	}
	return reloc_map(obj, ec, rc);
}

/*
 * 5. relocations of one section, whose instructions are SRC.  Instruction
 * i of SRC is instruction POS[i] of P, or not in P when POS[i] < 0 (a .text
 * function P does not call); POS NULL: i itself.  TEXT_POS places .text
 * the same way, for call targets.  Every assumption is checked, in P or
 * not, and named: a relocation that is skipped would leave a program that
 * runs with a bogus pointer.
 */
static int parse_relocs(struct ld_obj *obj, struct elf_ctx *ec,
			struct ld_prog *p, const char *sec, Elf_Data *rel,
			const struct bpf_insn *src, size_t sec_insns,
			const long *pos, const long *text_pos)
{
	struct reloc_ctx rc = {
		.p = p, .sec = sec, .src = src, .sec_insns = sec_insns,
		.pos = pos, .text_pos = text_pos,
	};
	size_t nr = rel->d_size / sizeof(Elf64_Rel);
	int err;

	for (rc.i = 0; rc.i < nr; rc.i++) {
		if ((err = reloc_read(obj, ec, rel, &rc)))
			return err;
		if (rc.type == R_BPF_64_32 && is_pseudo_call(&src[rc.idx]) &&
		    (int)rc.sym.st_shndx == ec->text_idx)
			err = reloc_call(obj, ec, &rc);
		else
			err = reloc_ld_imm64(obj, ec, &rc);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The relocations of section SEC_IDX (named SEC) into *REL, NULL if it
 * has none.  One that cannot be read is an error, never "none": the
 * program would load with its map and call instructions unpatched.
 */
static int relocs_for(struct ld_obj *obj, struct elf_ctx *ec, size_t sec_idx,
		      const char *sec, Elf_Data **rel)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	*rel = NULL;
	while ((scn = elf_nextscn(ec->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL ||
		    sh.sh_info != sec_idx)
			continue;
		if (*rel) {
			obj_err(obj, sec, "has two relocation sections");
			return -EINVAL;
		}
		*rel = elf_getdata(scn, NULL);
		if (!*rel || (*rel)->d_size % sizeof(Elf64_Rel)) {
			obj_err(obj, sec, "corrupt relocation section '%s': %s",
				elf_strptr(ec->elf, ec->shstrndx, sh.sh_name) ?: "?",
				*rel ? "not a whole number of entries" : elf_errmsg(-1));
			return -EINVAL;
		}
	}
	return 0;
}

/* Does any relocation of REL point into .text? Then the program needs it. */
static int uses_text(struct elf_ctx *ec, Elf_Data *rel)
{
	size_t nr = rel ? rel->d_size / sizeof(Elf64_Rel) : 0, i;
	GElf_Rel gr;
	GElf_Sym sym;

	for (i = 0; i < nr; i++)
		if (gelf_getrel(rel, i, &gr) &&
		    gelf_getsym(ec->symbols, GELF_R_SYM(gr.r_info), &sym) &&
		    (int)sym.st_shndx == ec->text_idx)
			return 1;
	return 0;
}

/* The .text instruction the call at .text instruction I goes to: through
 * its relocation if it has one (*RELOCATED set), else relative, as clang
 * leaves calls inside a section. */
static long text_call_target(struct elf_ctx *ec, Elf_Data *text_rel, size_t i,
			     int *relocated)
{
	const struct bpf_insn *insn = (const struct bpf_insn *)ec->text->d_buf + i;
	size_t nr = text_rel ? text_rel->d_size / sizeof(Elf64_Rel) : 0, k;
	GElf_Rel gr;
	GElf_Sym sym;

	*relocated = 1;
	for (k = 0; k < nr; k++)
		if (gelf_getrel(text_rel, k, &gr) &&
		    gr.r_offset == i * sizeof(struct bpf_insn) &&
		    GELF_R_TYPE(gr.r_info) == R_BPF_64_32 &&
		    gelf_getsym(ec->symbols, GELF_R_SYM(gr.r_info), &sym) &&
		    (int)sym.st_shndx == ec->text_idx)
			return sym.st_value / sizeof(struct bpf_insn) + insn->imm + 1;
	*relocated = 0;
	return (long)i + insn->imm + 1;
}

/* The function of .text that starts at instruction T: [*start, *end). */
static int text_func_at(struct elf_ctx *ec, long t, size_t *start, size_t *end)
{
	GElf_Sym sym;
	size_t i;

	for (i = 0; i < ec->nr_syms; i++)
		/* A whole number of instructions, at least one, all in
		 * .text: a size that rounds down to none, or that wraps the
		 * end around, would be a callee nothing is copied of. */
		if (gelf_getsym(ec->symbols, i, &sym) &&
		    (int)sym.st_shndx == ec->text_idx &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_size &&
		    !(sym.st_size % sizeof(struct bpf_insn)) &&
		    (long)(sym.st_value / sizeof(struct bpf_insn)) == t &&
		    sym.st_value <= ec->text->d_size &&
		    sym.st_size <= ec->text->d_size - sym.st_value) {
			*start = t;
			*end = (sym.st_value + sym.st_size) / sizeof(struct bpf_insn);
			return 1;
		}
	return 0;
}

/*
 * Which functions of .text the program (instructions PROG, N of them,
 * relocations REL) reaches, directly or through each other.  The kernel
 * refuses a program holding code it cannot reach ("unreachable insn"),
 * so only those are appended, in .text order, from instruction N on:
 * POS[i] gets where .text instruction i lands, or -1; *USED the count.
 */
static int text_reach(struct ld_obj *obj, struct elf_ctx *ec,
		      const char *sec, const struct bpf_insn *prog, size_t n,
		      Elf_Data *rel, Elf_Data *text_rel, long *pos, size_t *used)
{
	const struct bpf_insn *text = ec->text->d_buf;
	size_t text_n = ec->text->d_size / sizeof(*text);
	size_t nr = rel->d_size / sizeof(Elf64_Rel), ntodo = 0, i, k, start, end;
	long *todo = malloc((nr + text_n + 1) * sizeof(*todo));
	GElf_Rel gr;
	GElf_Sym sym;
	int relocated;

	if (!todo)
		return -ENOMEM;
	for (i = 0; i < text_n; i++)
		pos[i] = -1;
	/* Every call a function pushes is one of its instructions, and a
	 * function is scanned once: todo never holds more than nr + text_n. */
	for (i = 0; i < nr; i++) {
		if (gelf_getrel(rel, i, &gr) && GELF_R_TYPE(gr.r_info) == R_BPF_64_32 &&
		    gr.r_offset / sizeof(*prog) < n &&
		    is_pseudo_call(&prog[gr.r_offset / sizeof(*prog)]) &&
		    gelf_getsym(ec->symbols, GELF_R_SYM(gr.r_info), &sym) &&
		    (int)sym.st_shndx == ec->text_idx)
			todo[ntodo++] = sym.st_value / sizeof(*prog) +
					prog[gr.r_offset / sizeof(*prog)].imm + 1;
	}
	while (ntodo) {
		long t = todo[--ntodo];

		if (t < 0 || (size_t)t >= text_n || !text_func_at(ec, t, &start, &end) ||
		    end > text_n) {
			obj_err(obj, sec, "calls .text+%ld, where no function starts", t);
			free(todo);
			return -EINVAL;
		}
		if (pos[start] != -1)
			continue;		/* already in */
		for (k = start; k < end; k++) {
			/* Functions may overlap (symbols are input too): an
			 * instruction is scanned once, or todo overflows. */
			if (pos[k] != -1)
				continue;
			pos[k] = -2;
			if (is_pseudo_call(&text[k]))
				todo[ntodo++] = text_call_target(ec, text_rel, k, &relocated);
		}
	}
	free(todo);
	*used = 0;
	for (i = 0; i < text_n; i++)
		if (pos[i] == -2)
			pos[i] = n + (*used)++;
	return 0;
}

/*
 * DATA, of section NAME, as the instructions the loader reads it as: a
 * whole number of them, and where a struct bpf_insn may be read.  clang
 * aligns code sections to 8 bytes; libelf hands out a byte section in
 * place, so one at an odd offset of the file is misaligned in memory.
 */
static int check_insns(struct ld_obj *obj, const char *name, Elf_Data *data)
{
	if (!data || !data->d_buf) {
		obj_err(obj, name, "corrupt: its instructions cannot be read from the file");
		return -EINVAL;
	}
	if (data->d_size % sizeof(struct bpf_insn) || !data->d_size) {
		obj_err(obj, name, "size %zu is not a whole number of instructions",
			data->d_size);
		return -EINVAL;
	}
	if ((uintptr_t)data->d_buf % __alignof__(struct bpf_insn)) {
		obj_err(obj, name, "corrupt: instructions not aligned to %zu bytes in the file",
			__alignof__(struct bpf_insn));
		return -EINVAL;
	}
	return 0;
}

/* A call in P's own section without a relocation is relative, and must
 * stay inside that section: past its end is where .text is appended. */
static int check_local_calls(struct ld_obj *obj, const struct ld_prog *p,
			     const char *sec)
{
	size_t i, k;

	for (i = 0; i < p->text_off; i++) {
		long t = (long)i + p->insns[i].imm + 1;

		if (!is_pseudo_call(&p->insns[i]))
			continue;
		for (k = 0; k < p->reloc_cnt; k++)
			if (p->relocs[k].insn_idx == i)
				break;
		if (k == p->reloc_cnt && (t < 0 || (size_t)t >= p->text_off)) {
			obj_err(obj, sec, "instruction %zu calls instruction %ld, outside the section's %zu",
				i, t, p->text_off);
			return -EINVAL;
		}
	}
	return 0;
}

/* P's name: the one global function symbol in its section IDX (NAME). */
static int prog_name(struct ld_obj *obj, struct elf_ctx *ec, struct ld_prog *p,
		     size_t idx, const char *name)
{
	GElf_Sym sym;
	size_t i;

	for (i = 0; i < ec->nr_syms; i++)
		if (gelf_getsym(ec->symbols, i, &sym) && sym.st_shndx == idx &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
		    GELF_ST_BIND(sym.st_info) == STB_GLOBAL) {
			if (p->name[0]) {
				obj_err(obj, name, "holds two programs ('%s', '%s'); put each in its own section",
					p->name, sym_name(ec, &sym));
				return -EINVAL;
			}
			snprintf(p->name, sizeof(p->name), "%s", sym_name(ec, &sym));
		}
	if (!p->name[0]) {
		obj_err(obj, name, "no global function names the program");
		return -EINVAL;
	}
	return 0;
}

/* Copy into P the functions of .text it reaches, each where POS puts it
 * (text_reach()), and aim the calls among them that clang left relative
 * at where their callees now are. */
static void append_text(struct elf_ctx *ec, struct ld_prog *p,
			Elf_Data *text_rel, const long *pos)
{
	const struct bpf_insn *text = ec->text->d_buf;
	size_t text_n = ec->text->d_size / sizeof(*text), i;

	for (i = 0; i < text_n; i++) {
		long t;
		int relocated;

		if (pos[i] < 0)
			continue;
		p->insns[pos[i]] = text[i];
		if (!is_pseudo_call(&text[i]))
			continue;
		/* text_reach() checked that the callee is in. */
		t = text_call_target(ec, text_rel, i, &relocated);
		if (!relocated)
			p->insns[pos[i]].imm = pos[t] - pos[i] - 1;
	}
}

/*
 * .BTF.ext's records of one KIND for P, in the order the kernel wants
 * them (by instruction): those of P's section (N instructions, where
 * they are in P), then those of .text (TEXT_N instructions) through POS,
 * which drops the functions P does not call and moves the others to
 * where append_text() put them.
 */
static int prog_ext_kind(struct ld_obj *obj, struct ld_prog *p, enum btf_ext_kind kind,
			 size_t n, const long *pos, size_t text_n, void **recs, uint32_t *nr)
{
	char why[256];
	int err;

	err = btf_obj_ext_records(&obj->btf, kind, p->section, n, NULL, recs, nr,
				  why, sizeof(why));
	if (!err && pos)
		err = btf_obj_ext_records(&obj->btf, kind, ".text", text_n, pos, recs, nr,
					  why, sizeof(why));
	if (err == -EINVAL)
		obj_err(obj, ".BTF.ext", "corrupt: %s", why);
	return err;
}

/* P's func_info and line_info, when the object has .BTF.ext. */
static int prog_btf_ext(struct ld_obj *obj, struct ld_prog *p, size_t n,
			const long *pos, size_t text_n)
{
	void *fi = NULL, *li = NULL;
	int err;

	err = prog_ext_kind(obj, p, BTF_EXT_FUNC_INFO, n, pos, text_n, &fi, &p->nr_func_info);
	p->func_info = fi;
	if (!err)
		err = prog_ext_kind(obj, p, BTF_EXT_LINE_INFO, n, pos, text_n, &li,
				    &p->nr_line_info);
	p->line_info = li;
	return err;
}

/* 4. One program: its section, plus .text when it calls into it. */
static int parse_prog(struct ld_obj *obj, struct elf_ctx *ec, size_t idx,
		      const char *name, Elf_Data *data)
{
	Elf_Data *rel, *text_rel = NULL;
	size_t n = data ? data->d_size / sizeof(struct bpf_insn) : 0, text_n = 0, used = 0;
	long *pos = NULL;
	size_t max_relocs;
	struct ld_prog *p;
	int err;

	if (obj->nr_progs == BPF_LOAD_MAX_PROGS) {
		obj_err(obj, name, "more than %d programs", BPF_LOAD_MAX_PROGS);
		return -E2BIG;
	}
	if ((err = check_insns(obj, name, data)) ||
	    (err = relocs_for(obj, ec, idx, name, &rel)))
		return err;
	p = &obj->progs[obj->nr_progs++];
	memset(p, 0, sizeof(*p));
	p->fd = p->attach_fd = -1;
	snprintf(p->section, sizeof(p->section), "%s", name);
	if (prog_type_of(p)) {
		obj_err(obj, name, "unknown program type: the section name must start with raw_tracepoint/ or tracepoint/ and name the attach point");
		return -EINVAL;
	}
	if ((err = prog_name(obj, ec, p, idx, name)))
		return err;

	if (ec->text && uses_text(ec, rel)) {
		text_n = ec->text->d_size / sizeof(struct bpf_insn);
		if ((err = relocs_for(obj, ec, ec->text_idx, ".text", &text_rel)))
			return err;
		pos = malloc(text_n * sizeof(*pos));
		if (!pos)
			return -ENOMEM;
		err = text_reach(obj, ec, name, data->d_buf, n, rel, text_rel, pos, &used);
		if (err)
			goto out;
	}
	p->insn_cnt = n + used;
	p->text_off = n;
	p->insns = malloc(p->insn_cnt * sizeof(struct bpf_insn));
	max_relocs = (rel ? rel->d_size / sizeof(Elf64_Rel) : 0) +
		     (text_rel ? text_rel->d_size / sizeof(Elf64_Rel) : 0);
	p->relocs = calloc(max_relocs + 1, sizeof(*p->relocs));
	err = -ENOMEM;
	if (!p->insns || !p->relocs)
		goto out;
	memcpy(p->insns, data->d_buf, data->d_size);
	if (pos)
		append_text(ec, p, text_rel, pos);

	if (rel && (err = parse_relocs(obj, ec, p, name, rel, data->d_buf, n, NULL, pos)))
		goto out;
	if (text_rel && (err = parse_relocs(obj, ec, p, ".text", text_rel, ec->text->d_buf,
					    text_n, pos, pos)))
		goto out;
	if ((err = check_local_calls(obj, p, name)) ||
	    (err = prog_btf_ext(obj, p, n, pos, text_n)))
		goto out;
	obj_step(obj, "program '%s' in section '%s': %zu instructions%s, %zu relocations",
		 p->name, p->section, n, used ? " plus the .text functions it calls" : "",
		 p->reloc_cnt);
	if (obj->btf.ext)
		obj_step(obj, "  func_info: %u functions, line_info: %u lines",
			 p->nr_func_info, p->nr_line_info);
	err = 0;
out:
	free(pos);
	return err;
}

/*
 * Every section header readable and every section inside the file, or the
 * object is truncated or corrupt, and says so: libelf would only fail to
 * give that section's data later, which reads as the section missing.
 */
static int check_sections(struct ld_obj *obj, struct elf_ctx *ec)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t n;

	if (elf_getshdrnum(ec->elf, &n)) {
		obj_err(obj, NULL, "truncated or corrupt: section headers unreadable: %s",
			elf_errmsg(-1));
		return -EINVAL;
	}
	while ((scn = elf_nextscn(ec->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh)) {
			obj_err(obj, NULL, "truncated or corrupt: header of section %zu unreadable: %s",
				elf_ndxscn(scn), elf_errmsg(-1));
			return -EINVAL;
		}
		if (sh.sh_type == SHT_NOBITS ||
		    (sh.sh_offset <= ec->size && sh.sh_size <= ec->size - sh.sh_offset))
			continue;
		name = elf_strptr(ec->elf, ec->shstrndx, sh.sh_name);
		obj_err(obj, name, "truncated or corrupt: bytes %llu to %llu are past the end of the file (%zu bytes)",
			(unsigned long long)sh.sh_offset,
			(unsigned long long)sh.sh_offset + sh.sh_size, ec->size);
		return -EINVAL;
	}
	return 0;
}

/* EC->image, EC->size: the object's bytes.  Is it a BPF object, intact? */
static int elf_setup(struct ld_obj *obj, struct elf_ctx *ec)
{
	static const unsigned char elfmag[SELFMAG] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	uint64_t shdrs;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		obj_err(obj, NULL, "libelf: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	/* An image libelf refuses that starts as an ELF file is a broken
	 * one, most likely cut short: say so, not "not an object". */
	ec->elf = elf_memory(ec->image, ec->size);
	if (!ec->elf || elf_kind(ec->elf) != ELF_K_ELF || !gelf_getehdr(ec->elf, &eh)) {
		int e = elf_errno();

		if (ec->size >= SELFMAG && !memcmp(ec->image, elfmag, SELFMAG))
			obj_err(obj, NULL, "truncated or corrupt ELF file (%zu bytes): %s",
				ec->size, e ? elf_errmsg(e) : "no whole ELF header");
		else
			obj_err(obj, NULL, "not a BPF ELF object (build it with clang -target bpf -c)");
		return -EINVAL;
	}
	if (gelf_getclass(ec->elf) != ELFCLASS64 || eh.e_machine != EM_BPF ||
	    eh.e_type != ET_REL) {
		obj_err(obj, NULL, "not a BPF ELF object (build it with clang -target bpf -c)");
		return -EINVAL;
	}
	/* libelf takes section headers past the end of the image for no
	 * sections at all, which would read as a stripped object.  (More
	 * than 65,279 sections: e_shnum is 0 and section 0 holds the count.) */
	shdrs = (eh.e_shnum ? eh.e_shnum : eh.e_shoff ? 1 : 0) * sizeof(Elf64_Shdr);
	if (eh.e_shoff > ec->size || shdrs > ec->size - eh.e_shoff) {
		obj_err(obj, NULL, "truncated or corrupt: the section headers, bytes %llu to %llu, are past the end of the file (%zu bytes)",
			(unsigned long long)eh.e_shoff,
			(unsigned long long)(eh.e_shoff + shdrs), ec->size);
		return -EINVAL;
	}
	if (elf_getshdrstrndx(ec->elf, &ec->shstrndx)) {
		obj_err(obj, NULL, "truncated or corrupt: no section name table: %s",
			elf_errmsg(-1));
		return -EINVAL;
	}
	if ((err = check_sections(obj, ec)))
		return err;
	ec->maps_idx = ec->text_idx = -1;
	while ((scn = elf_nextscn(ec->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			if (ec->symbols) {
				obj_err(obj, NULL, "more than one symbol table");
				return -EINVAL;
			}
			ec->symbols = elf_getdata(scn, NULL);
			if (!ec->symbols) {
				obj_err(obj, NULL, "corrupt symbol table: %s", elf_errmsg(-1));
				return -EINVAL;
			}
			ec->strtabidx = sh.sh_link;
			ec->nr_syms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		}
	}
	if (!ec->symbols) {
		obj_err(obj, NULL, "no symbol table (was the object stripped?)");
		return -EINVAL;
	}
	return 0;
}

/* The "license" section's bytes DATA, into OBJ->license. */
static int read_license(struct ld_obj *obj, Elf_Data *data)
{
	if (!data->d_size || data->d_size > sizeof(obj->license) ||
	    memchr(data->d_buf, 0, data->d_size) == NULL) {
		obj_err(obj, "license", "must be a NUL-terminated string of at most %zu bytes",
			sizeof(obj->license));
		return -EINVAL;
	}
	memcpy(obj->license, data->d_buf, data->d_size);
	return 0;
}

/* First pass: the sections everything else refers to, "maps" and .text
 * (into EC), and the license, which an object must have. */
static int find_sections(struct ld_obj *obj, struct elf_ctx *ec)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int err;

	while ((scn = elf_nextscn(ec->elf, scn))) {
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(ec->elf, ec->shstrndx, sh.sh_name)))
			continue;
		data = elf_getdata(scn, NULL);
		/* Both are read as bytes: they must be bytes in the file. */
		if ((!strcmp(name, "maps") || !strcmp(name, "license")) &&
		    (sh.sh_type != SHT_PROGBITS || !data || (data->d_size && !data->d_buf))) {
			obj_err(obj, name, "corrupt: not a section of bytes in the file (type %u)",
				(unsigned int)sh.sh_type);
			return -EINVAL;
		}
		if (!strcmp(name, "maps")) {
			ec->maps_idx = elf_ndxscn(scn);
		} else if (!strcmp(name, ".text") && sh.sh_size) {
			if ((err = check_insns(obj, name, data)))
				return err;
			ec->text_idx = elf_ndxscn(scn);
			ec->text = data;
		} else if (!strcmp(name, "license") && data) {
			if ((err = read_license(obj, data)))
				return err;
		} else if (!strcmp(name, ".BTF") || !strcmp(name, ".BTF.ext")) {
			if (sh.sh_type != SHT_PROGBITS || !data || !data->d_buf) {
				obj_err(obj, name, "corrupt: not a section of bytes in the file (type %u)",
					(unsigned int)sh.sh_type);
				return -EINVAL;
			}
			*(name[4] ? &ec->btf_ext : &ec->btf) = data;
		}
	}
	if (!obj->license[0]) {
		obj_err(obj, NULL, "no 'license' section; declare char _license[] SEC(\"license\") = \"GPL\"");
		return -EINVAL;
	}
	return 0;
}

/* Second pass: each executable section but .text is a program, with its
 * relocations. */
static int parse_progs(struct ld_obj *obj, struct elf_ctx *ec)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int err;

	while ((scn = elf_nextscn(ec->elf, scn))) {
		const char *name;
		size_t idx = elf_ndxscn(scn);

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size ||
		    (int)idx == ec->text_idx)
			continue;
		name = elf_strptr(ec->elf, ec->shstrndx, sh.sh_name);
		err = parse_prog(obj, ec, idx, name ? name : "?", elf_getdata(scn, NULL));
		if (err)
			return err;
	}
	if (!obj->nr_progs) {
		obj_err(obj, NULL, "no programs: no executable section other than .text");
		return -EINVAL;
	}
	return 0;
}

/* ---- 3b. BTF ------------------------------------------------------------ */

/* What btf_obj.c asks of the ELF file to fix up the DATASECs: a
 * section's size, a symbol's offset in it. */
static long elf_sec_size(void *ctx, const char *sec)
{
	struct elf_ctx *ec = ctx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(ec->elf, scn))) {
		const char *name = sec_name(ec, elf_ndxscn(scn));

		if (name && !strcmp(name, sec) && gelf_getshdr(scn, &sh))
			return sh.sh_size;
	}
	return -1;
}

static long elf_sym_off(void *ctx, const char *sec, const char *var)
{
	struct elf_ctx *ec = ctx;
	GElf_Sym sym;
	size_t i;

	for (i = 0; i < ec->nr_syms; i++) {
		const char *s;

		if (!gelf_getsym(ec->symbols, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		s = sec_name(ec, sym.st_shndx);
		if (s && !strcmp(s, sec) && !strcmp(sym_name(ec, &sym), var))
			return sym.st_value;
	}
	return -1;
}

/*
 * 3b. The object's BTF, if clang -g wrote it: checked and fixed up now,
 * loaded with the maps (ld_create_maps()).  An object without .BTF
 * loads as it always did, without source lines; a .BTF that is there
 * but broken is refused, as any corrupt section is.
 */
static int parse_btf(struct ld_obj *obj, struct elf_ctx *ec)
{
	struct btf_elf_ops ops = { elf_sec_size, elf_sym_off, ec };
	char why[256];
	int err;

	if (!ec->btf) {
		obj_step(obj, "no .BTF section (built without -g): programs load without BTF");
		return 0;
	}
	err = btf_obj_parse(&obj->btf, ec->btf->d_buf, ec->btf->d_size, &ops,
			    why, sizeof(why));
	if (!err && ec->btf_ext)
		err = btf_obj_parse_ext(&obj->btf, ec->btf_ext->d_buf, ec->btf_ext->d_size,
					why, sizeof(why));
	if (err == -EINVAL)
		obj_err(obj, err && obj->btf.data ? ".BTF.ext" : ".BTF", "corrupt: %s", why);
	if (err)
		return err;
	obj_step(obj, ".BTF: %u types, %u DATASECs given their sizes and offsets%s",
		 obj->btf.nr_types, obj->btf.nr_datasecs,
		 obj->btf.ext ? "; .BTF.ext read" : "; no .BTF.ext: no source lines");
	return 0;
}

/* Steps 1 to 5 on the SIZE bytes at IMAGE (which libelf may write to),
 * into OBJ, whose path and verbose are set. */
static int open_image(struct ld_obj *obj, void *image, size_t size)
{
	struct elf_ctx ec = { .image = image, .size = size };
	int err;

	err = elf_setup(obj, &ec);
	if (!err)
		err = find_sections(obj, &ec);
	if (!err && ec.maps_idx >= 0)
		err = parse_maps(obj, &ec, elf_getdata(elf_getscn(ec.elf, ec.maps_idx), NULL));
	if (!err)
		err = parse_btf(obj, &ec);
	if (!err)
		err = parse_progs(obj, &ec);
	if (!err)
		obj_step(obj, "opened %s: %d maps, %d programs, license \"%s\"",
			 obj->path, obj->nr_maps, obj->nr_progs, obj->license);
	if (ec.elf)
		elf_end(ec.elf);
	if (err)
		ld_close(obj);
	return err;
}

/* The whole file is read first and parsed in memory, as the fuzzer
 * parses its inputs (ld_open_mem()): one path, and libelf knows the
 * size, so it checks every offset against it. */
int ld_open(struct ld_obj *obj, const char *path, int verbose)
{
	struct stat st;
	void *image;
	size_t size;
	int fd, err;

	memset(obj, 0, sizeof(*obj));
	obj->verbose = verbose;
	snprintf(obj->path, sizeof(obj->path), "%s", path);
	obj->btf.fd = -1;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		obj_err(obj, NULL, "cannot open: %s%s", strerror(errno),
			errno == ENOENT ? " (run make to build it)" : "");
		return err;
	}
	/* Not a FIFO or a device, which could block or never end. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		obj_err(obj, NULL, "not a regular file");
		return -EINVAL;
	}
	err = bpf_read_all(fd, BPF_OBJECT_MAX_SIZE, &image, &size);
	close(fd);
	if (err) {
		obj_err(obj, NULL, "cannot read: %s", err == -EFBIG ?
			"larger than 64 MiB, which no BPF object is" : strerror(-err));
		return err;
	}
	err = open_image(obj, image, size);
	free(image);
	return err;
}

int ld_open_mem(struct ld_obj *obj, const char *name,
		const void *image, size_t size, int verbose)
{
	void *copy = malloc(size ? size : 1);
	int err;

	memset(obj, 0, sizeof(*obj));
	obj->verbose = verbose;
	snprintf(obj->path, sizeof(obj->path), "%s", name);
	obj->btf.fd = -1;
	if (!copy)
		return -ENOMEM;
	memcpy(copy, image, size);
	err = open_image(obj, copy, size);
	free(copy);
	return err;
}

/* ---- 6. load ------------------------------------------------------------ */

/* The kernel keeps 15 characters of a map or program name, and only
 * [A-Za-z0-9_.]; anything else makes BPF_MAP_CREATE fail with EINVAL. */
static void kernel_name(char dst[BPF_OBJ_NAME_LEN], const char *src)
{
	size_t i;

	for (i = 0; i < BPF_OBJ_NAME_LEN - 1 && src[i]; i++) {
		char c = src[i];

		dst[i] = (c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ? c : '_';
	}
	dst[i] = 0;
}

static int create_map(struct ld_obj *obj, struct ld_map *m)
{
	union bpf_attr attr = {
		.map_type = m->def.type,
		.key_size = m->def.key_size,
		.value_size = m->def.value_size,
		.max_entries = m->def.max_entries,
		.map_flags = m->def.map_flags,
	};
	int fd;

	/* A perf event array has one slot per CPU; the object cannot know
	 * how many this machine has. */
	if (m->def.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !attr.max_entries) {
		int n = bpf_num_possible_cpus();

		if (n < 0)
			return n;
		attr.max_entries = m->def.max_entries = n;
	}
	kernel_name(attr.map_name, m->name);
	/* Its key and value types, if the object names them: the kernel
	 * then checks their sizes, and bpftool prints fields by name. */
	if (obj->btf.fd >= 0 &&
	    !btf_obj_map_types(&obj->btf, m->name, &attr.btf_key_type_id,
			       &attr.btf_value_type_id))
		attr.btf_fd = obj->btf.fd;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0) {
		obj_err(obj, "maps", "map '%s': BPF_MAP_CREATE: %s%s", m->name,
			strerror(-fd), fd == -EPERM ? " (run as root)" :
			fd == -ENOSYS ? " (this kernel has no bpf(2): CONFIG_BPF_SYSCALL is off)" :
			attr.btf_fd ? " (do the types of its BPF_MAP_TYPES() have the sizes of its key and value?)" : "");
		return fd;
	}
	m->fd = fd;
	obj_step(obj, "map '%s' created: %s, key %u, value %u, max %u entries%s (fd %d)",
		 m->name, bpf_map_type_name(m->def.type), m->def.key_size,
		 m->def.value_size, m->def.max_entries,
		 attr.btf_fd ? ", key and value types from BTF" : "", fd);
	return 0;
}

/* Write map fds and function offsets into the instructions. */
static void apply_relocs(struct ld_obj *obj, struct ld_prog *p)
{
	size_t i;

	for (i = 0; i < p->reloc_cnt; i++) {
		struct ld_reloc *r = &p->relocs[i];
		struct bpf_insn *insn = &p->insns[r->insn_idx];
		/* Targets in .text count from the start of its copy. */
		long rel = (long)(p->text_off + r->target) - (long)r->insn_idx - 1;

		switch (r->kind) {
		case LD_RELOC_MAP:
			insn->src_reg = BPF_PSEUDO_MAP_FD;
			insn->imm = obj->maps[r->target].fd;
			obj_step(obj, "  %s: instruction %u -> map '%s' (fd %d)",
				 p->name, r->insn_idx, obj->maps[r->target].name,
				 insn->imm);
			break;
		case LD_RELOC_CALL:
			insn->imm = rel;
			obj_step(obj, "  %s: instruction %u -> call .text+%u",
				 p->name, r->insn_idx, r->target);
			break;
		}
	}
}

/*
 * The verifier's reason is at the end of its log; a program it gave up on
 * can leave a million lines before it.  Show the last VERIFIER_LOG_TAIL
 * lines unless -v asks for all of them.
 */
#define VERIFIER_LOG_TAIL 60

static void print_verifier_log(const struct ld_obj *obj,
			       const struct ld_prog *p, const char *log)
{
	size_t len = strlen(log), lines = 0;
	const char *start = log + len;

	if (len && log[len - 1] == '\n')
		start--;
	while (start > log && (obj->verbose || lines < VERIFIER_LOG_TAIL)) {
		start--;
		if (*start == '\n')
			lines++;
	}
	if (start > log) {
		size_t skipped = 0;
		const char *c;

		start++;
		for (c = log; c < start; c++)
			skipped += *c == '\n';
		fprintf(stderr, "---- verifier log for %s (last %d lines, %zu before them; -v shows all) ----\n",
			p->name, VERIFIER_LOG_TAIL, skipped);
	} else {
		fprintf(stderr, "---- verifier log for %s ----\n", p->name);
	}
	fputs(start, stderr);
	if (log[len - 1] != '\n')
		fputc('\n', stderr);
	fprintf(stderr, "---- end of verifier log ----\n");
}

/* LSM_ID_BPF of <linux/lsm.h> (6.8), and lsm_list_modules(2)'s number. */
#define LD_LSM_ID_BPF		109
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules	461	/* x86_64 and i386 alike */
#endif

int ld_bpf_lsm_active(void)
{
	__u64 ids[64];
	__u32 size = sizeof(ids);
	char list[512];
	ssize_t n;
	long i, nr;
	int fd;

	nr = syscall(__NR_lsm_list_modules, ids, &size, 0);
	if (nr >= 0) {
		for (i = 0; i < nr; i++)
			if (ids[i] == LD_LSM_ID_BPF)
				return 1;
		return 0;
	}
	/* Before 6.8: securityfs's list, "lockdown,capability,bpf". */
	fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	list[n] = 0;
	for (char *tok = strtok(list, ",\n"); tok; tok = strtok(NULL, ",\n"))
		if (!strcmp(tok, "bpf"))
			return 1;
	return 0;
}

/*
 * An lsm/HOOK program runs as the kernel's empty function bpf_lsm_HOOK:
 * its BTF id goes into the load.  0, or why this kernel cannot run it,
 * in WHY: a kernel without the BPF LSM, or without that hook.
 */
static int lsm_hook_id(struct ld_prog *p, char *why, size_t len)
{
	struct btf_blob *btf;
	char func[BPF_LOAD_NAME_LEN + 16];
	int err, active = ld_bpf_lsm_active();

	if (active <= 0) {
		snprintf(why, len, active ? "cannot tell whether the BPF LSM is active (%s)" :
			 "the BPF LSM is not active in this kernel (boot it with \"bpf\" in lsm=)",
			 active ? strerror(-active) : "");
		return active ? active : -EOPNOTSUPP;
	}
	err = btf_blob_read("/sys/kernel/btf/vmlinux", &btf);
	if (err) {
		snprintf(why, len, "no kernel BTF to find the hook in");
		return err;
	}
	snprintf(func, sizeof(func), "bpf_lsm_%s", p->attach_to);
	err = btf_blob_find(btf, func, BTF_KIND_FUNC, &p->attach_btf_id);
	btf_blob_free(btf);
	if (err)
		snprintf(why, len, "this kernel has no LSM hook %s (no FUNC %s in /sys/kernel/btf/vmlinux)",
			 p->attach_to, func);
	return err;
}

static int load_prog(struct ld_obj *obj, struct ld_prog *p)
{
	union bpf_attr attr = {
		.prog_type = p->type,
		.insns = ptr_to_u64(p->insns),
		.insn_cnt = p->insn_cnt,
		.license = ptr_to_u64(obj->license),
	};
	struct bpf_prog_info info = {};
	char btf_says[64] = "";
	union bpf_attr info_attr = {};
	const char *what;
	char *log;
	int fd, fd2;

	kernel_name(attr.prog_name, p->name);
	if (p->type == BPF_PROG_TYPE_LSM) {
		attr.expected_attach_type = BPF_LSM_MAC;
		attr.attach_btf_id = p->attach_btf_id;
	}
	/* The BTF, and where in it each function's prototype is, and each
	 * instruction's source line: the verifier checks them against the
	 * program (one func_info per function, at its first instruction). */
	if (obj->btf.fd >= 0 && (p->nr_func_info || p->nr_line_info)) {
		attr.prog_btf_fd = obj->btf.fd;
		attr.func_info = ptr_to_u64(p->func_info);
		attr.func_info_cnt = p->nr_func_info;
		attr.func_info_rec_size = sizeof(struct bpf_func_info);
		attr.line_info = ptr_to_u64(p->line_info);
		attr.line_info_cnt = p->nr_line_info;
		attr.line_info_rec_size = sizeof(struct bpf_line_info);
	}

	/* Load without a log; only a failure pays for one (tools/lib/bpf). */
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		goto loaded;

	log = malloc(VERIFIER_LOG_SIZE);
	if (!log)
		return -ENOMEM;
	log[0] = 0;
	attr.log_buf = ptr_to_u64(log);
	attr.log_size = VERIFIER_LOG_SIZE;
	attr.log_level = 1;
	fd2 = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd2 >= 0) {		/* loaded the second time: nothing to show */
		free(log);
		fd = fd2;
		goto loaded;
	}
	/* Root refused an LSM program: lockdown, or a policy of the
	 * kernel's.  An optional program is skipped, said with -v. */
	what = fd2 == -EPERM && !geteuid() ? " (refused to root: this kernel does not let programs of this type load)" :
	       fd2 == -EPERM ? " (run as root)" :
	       fd2 == -ENOSPC ? " (the verifier log did not fit its buffer)" : "";
	if (p->optional)
		obj_step(obj, "program '%s' not loaded: BPF_PROG_LOAD: %s%s", p->name,
			 strerror(-fd2), what);
	else
		obj_err(obj, p->section, "BPF_PROG_LOAD: %s%s", strerror(-fd2), what);
	/* Print the log only when the verifier wrote one: EPERM or ENOMEM
	 * have nothing to do with the program's code. */
	if (log[0] && (!p->optional || obj->verbose))
		print_verifier_log(obj, p, log);
	free(log);
	return fd2;

loaded:
	p->fd = fd;
	info_attr.info.bpf_fd = fd;
	info_attr.info.info_len = sizeof(info);
	info_attr.info.info = ptr_to_u64(&info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &info_attr) == 0) {
		if (info.btf_id)
			snprintf(btf_says, sizeof(btf_says), ", BTF id %u, %u func_info, %u line_info",
				 info.btf_id, info.nr_func_info, info.nr_line_info);
		obj_step(obj, "program '%s' loaded: %zu instructions, %u verified, %u after rewrite, %u bytes JITed%s (fd %d)",
			 p->name, p->insn_cnt, info.verified_insns,
			 info.xlated_prog_len / 8, info.jited_prog_len, btf_says, fd);
	}
	return 0;
}

/* The kernel's BTF log lists every type it checked, then why it stopped:
 * a few hundred lines for an object like ebph's. */
#define BTF_LOG_SIZE (4u << 20)

/*
 * BPF_BTF_LOAD the object's BTF, fixed up at open time (btf_obj.c).  A
 * kernel that refuses it is an error, not a warning: the programs would
 * load without the function prototypes that callbacks need and without
 * source lines, and ebph, a security tool, would be running something
 * other than what it was built as.  The log's last line says why; -v
 * prints all of it.
 */
static int load_btf(struct ld_obj *obj)
{
	char *log = malloc(BTF_LOG_SIZE), *last;
	int fd;

	fd = btf_obj_load(&obj->btf, log, log ? BTF_LOG_SIZE : 0);
	if (fd >= 0) {
		obj_step(obj, "BTF loaded: %u types, fd %d", obj->btf.nr_types, fd);
		free(log);
		return 0;
	}
	last = NULL;
	if (log && log[0]) {
		size_t len = strlen(log);

		while (len && log[len - 1] == '\n')
			log[--len] = 0;
		last = strrchr(log, '\n');
		last = last ? last + 1 : log;
		if (obj->verbose)
			fprintf(stderr, "---- BTF log ----\n%s\n---- end of BTF log ----\n", log);
	}
	obj_err(obj, ".BTF", "BPF_BTF_LOAD: %s%s%s%s", strerror(-fd),
		fd == -EPERM ? " (run as root)" : "",
		last ? "; the kernel says: " : "", last ? last : "");
	free(log);
	return fd;
}

int ld_create_maps(struct ld_obj *obj)
{
	int i, err;

	if (obj->btf.data && obj->btf.fd < 0 && (err = load_btf(obj)))
		return err;
	for (i = 0; i < obj->nr_maps; i++)
		if (obj->maps[i].fd < 0 && (err = create_map(obj, &obj->maps[i])))
			return err;
	return 0;
}

void ld_relocate(struct ld_obj *obj)
{
	int i;

	for (i = 0; i < obj->nr_progs; i++)
		apply_relocs(obj, &obj->progs[i]);
}

int ld_load(struct ld_obj *obj)
{
	int i, err;

	if ((err = ld_create_maps(obj)))
		return err;
	ld_relocate(obj);
	for (i = 0; i < obj->nr_progs; i++) {
		struct ld_prog *p = &obj->progs[i];
		char why[160];

		if (p->type == BPF_PROG_TYPE_LSM && (err = lsm_hook_id(p, why, sizeof(why)))) {
			if (!p->optional) {
				obj_err(obj, p->section, "%s", why);
				return err;
			}
			obj_step(obj, "program '%s' not loaded: %s", p->name, why);
			continue;
		}
		if (p->type == BPF_PROG_TYPE_LSM)
			obj_step(obj, "program '%s': LSM hook bpf_lsm_%s, BTF id %u in vmlinux",
				 p->name, p->attach_to, p->attach_btf_id);
		if ((err = load_prog(obj, p)) && !p->optional)
			return err;
	}
	return 0;
}

/* ---- 7. attach ---------------------------------------------------------- */

static int read_tracepoint_id(struct ld_obj *obj, struct ld_prog *p)
{
	const char *dir = bpf_tracefs_dir();
	char path[512], buf[32];
	ssize_t n;
	int fd;

	if (!dir) {
		obj_err(obj, p->section, "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/%s/id", dir, p->attach_to);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;

		obj_err(obj, p->section, "no tracepoint '%s' in this kernel (%s: %s)",
			p->attach_to, path, strerror(errno));
		return err;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		obj_err(obj, p->section, "cannot read %s", path);
		return -EIO;
	}
	buf[n] = 0;
	return atoi(buf);
}

/* Whether tracefs knows P's tracepoint (it is mounted: the caller made
 * sure, and read_tracepoint_id() says so if not). */
static int tracepoint_exists(const struct ld_prog *p)
{
	const char *dir = bpf_tracefs_dir();
	char path[512];

	if (!dir)
		return 1;	/* let read_tracepoint_id() say it */
	snprintf(path, sizeof(path), "%s/events/%s/id", dir, p->attach_to);
	return !access(path, F_OK);
}

static int attach_prog(struct ld_obj *obj, struct ld_prog *p)
{
	struct perf_event_attr pa = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(pa),
		.sample_period = 1,
		.wakeup_events = 1,
	};
	union bpf_attr attr = {};
	int fd, id;

	switch (p->type) {
	case BPF_PROG_TYPE_LSM:
		if (p->fd < 0 && p->optional)
			return 0;	/* not loaded: ld_load() said why */
		attr.link_create.prog_fd = p->fd;
		attr.link_create.attach_type = BPF_LSM_MAC;
		fd = sys_bpf(BPF_LINK_CREATE, &attr);
		if (fd < 0 && p->optional) {
			obj_step(obj, "program '%s' not attached: BPF_LINK_CREATE (BPF_LSM_MAC): %s",
				 p->name, strerror(-fd));
			return 0;
		}
		if (fd < 0) {
			obj_err(obj, p->section, "BPF_LINK_CREATE (BPF_LSM_MAC): %s",
				strerror(-fd));
			return fd;
		}
		break;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		attr.raw_tracepoint.name = ptr_to_u64(p->attach_to);
		attr.raw_tracepoint.prog_fd = p->fd;
		fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &attr);
		if (fd < 0) {
			obj_err(obj, p->section, "BPF_RAW_TRACEPOINT_OPEN '%s': %s",
				p->attach_to, strerror(-fd));
			return fd;
		}
		break;
	case BPF_PROG_TYPE_TRACEPOINT:
		if (p->optional && !tracepoint_exists(p)) {
			obj_step(obj, "program '%s' not attached: this kernel has no tracepoint %s",
				 p->name, p->attach_to);
			return 0;
		}
		id = read_tracepoint_id(obj, p);
		if (id < 0)
			return id;
		pa.config = id;
		/* One event, on CPU 0 for all tasks: a tracepoint runs its
		 * BPF program on whatever CPU hits it (samples/bpf). */
		fd = sys_perf_event_open(&pa, -1, 0);
		if (fd < 0) {
			obj_err(obj, p->section, "perf_event_open tracepoint %d: %s",
				id, strerror(-fd));
			return fd;
		}
		if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, p->fd) ||
		    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
			int err = -errno;

			obj_err(obj, p->section, "PERF_EVENT_IOC_SET_BPF: %s", strerror(errno));
			close(fd);
			return err;
		}
		break;
	default:
		obj_err(obj, p->section, "cannot attach this program type");
		return -EINVAL;
	}
	p->attach_fd = fd;
	obj_step(obj, "program '%s' attached to %s", p->name, p->section);
	return 0;
}

int ld_attach(struct ld_obj *obj)
{
	int i, err;

	for (i = 0; i < obj->nr_progs; i++)
		if ((err = attach_prog(obj, &obj->progs[i])))
			return err;
	return 0;
}

/* ---- lookup by name ----------------------------------------------------- */

struct ld_map *ld_find_map(struct ld_obj *obj, const char *name)
{
	int i;

	for (i = 0; i < obj->nr_maps; i++)
		if (!strcmp(obj->maps[i].name, name))
			return &obj->maps[i];
	return NULL;
}

struct ld_prog *ld_find_prog(struct ld_obj *obj, const char *name)
{
	int i;

	for (i = 0; i < obj->nr_progs; i++)
		if (!strcmp(obj->progs[i].name, name) ||
		    !strcmp(obj->progs[i].section, name))
			return &obj->progs[i];
	return NULL;
}

int ld_map_fd(struct ld_obj *obj, const char *name)
{
	struct ld_map *m = ld_find_map(obj, name);

	if (!m || m->fd < 0) {
		obj_err(obj, "maps", "no map named '%s'%s", name,
			m ? " has been created" : "");
		return -ENOENT;
	}
	return m->fd;
}

/* ---- pinning ------------------------------------------------------------ */

int ld_pin_maps(struct ld_obj *obj, const char *dir)
{
	int i, err, dirfd;

	if (obj->pin_dir) {
		obj_err(obj, NULL, "maps are pinned already, at %s", obj->pin_dir);
		return -EBUSY;
	}
	dirfd = bpf_private_dir(dir, 1);
	if (dirfd < 0)
		return dirfd;
	obj->pin_dir = strdup(dir);
	if (!obj->pin_dir) {
		close(dirfd);
		return -ENOMEM;
	}
	obj->pin_dirfd = dirfd;
	for (i = 0; i < obj->nr_maps; i++) {
		/* Into the directory just checked, not whatever DIR names now. */
		err = bpf_pin_make_at(obj->maps[i].fd, dirfd, obj->maps[i].name);
		if (err) {
			obj_err(obj, NULL, "cannot pin map '%s' at %s/%s: %s",
				obj->maps[i].name, dir, obj->maps[i].name, strerror(-err));
			return err;
		}
		obj->maps[i].pinned = 1;
		obj_step(obj, "map '%s' pinned at %s/%s", obj->maps[i].name, dir,
			 obj->maps[i].name);
	}
	return 0;
}

int ld_unpin_maps(struct ld_obj *obj)
{
	int i, err = 0;

	if (!obj->pin_dir)
		return 0;
	for (i = 0; i < obj->nr_maps; i++) {
		if (!obj->maps[i].pinned)
			continue;
		if (unlinkat(obj->pin_dirfd, obj->maps[i].name, 0) && errno != ENOENT) {
			err = -errno;
			fprintf(stderr, "%s: cannot unpin %s/%s: %s\n",
				program_invocation_short_name, obj->pin_dir,
				obj->maps[i].name, strerror(errno));
		}
		obj->maps[i].pinned = 0;
	}
	close(obj->pin_dirfd);
	/* By name: only root can have put another directory there (it is
	 * root's, in a sticky /sys/fs/bpf), and rmdir removes only an
	 * empty one. */
	if (rmdir(obj->pin_dir) && errno != ENOENT && !err) {
		err = -errno;
		fprintf(stderr, "%s: cannot remove %s: %s\n",
			program_invocation_short_name, obj->pin_dir, strerror(errno));
	}
	free(obj->pin_dir);
	obj->pin_dir = NULL;
	return err;
}

/* ---- 8. close ----------------------------------------------------------- */

void ld_detach(struct ld_obj *obj)
{
	int i;

	for (i = 0; i < obj->nr_progs; i++) {
		struct ld_prog *p = &obj->progs[i];

		if (p->attach_fd < 0)
			continue;
		if (p->type == BPF_PROG_TYPE_TRACEPOINT)
			ioctl(p->attach_fd, PERF_EVENT_IOC_DISABLE, 0);
		close(p->attach_fd);
		p->attach_fd = -1;
		obj_step(obj, "program '%s' detached", p->name);
	}
}

void ld_close(struct ld_obj *obj)
{
	int i;

	/* Detach first, so nothing runs while the maps go away. */
	ld_detach(obj);
	for (i = 0; i < obj->nr_progs; i++) {
		struct ld_prog *p = &obj->progs[i];

		if (p->fd >= 0)
			close(p->fd);
		free(p->insns);
		free(p->relocs);
		free(p->func_info);
		free(p->line_info);
		p->fd = -1;
		p->insns = NULL;
		p->relocs = NULL;
		p->func_info = NULL;
		p->line_info = NULL;
	}
	ld_unpin_maps(obj);
	for (i = 0; i < obj->nr_maps; i++) {
		if (obj->maps[i].fd >= 0)
			close(obj->maps[i].fd);
		obj->maps[i].fd = -1;
	}
	btf_obj_free(&obj->btf);	/* the kernel keeps it while a program uses it */
	obj->nr_progs = obj->nr_maps = 0;
}
