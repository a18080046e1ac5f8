// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_elf.c - libFuzzer target for the ELF loader (make fuzz).
 *
 * The input is a BPF object file.  ld_open_mem() runs the
 * loader's steps 1 to 5 on it (ELF checks, maps, license, .BTF and
 * .BTF.ext, programs with the .text functions they call and their
 * func_info and line_info, relocations), exactly as
 * ld_open() does on a file; then, for an accepted object, the
 * maps get made-up fds instead of BPF_MAP_CREATE and
 * ld_relocate() writes them and the call offsets into the
 * instructions.  Nothing reaches bpf(2).
 *
 * Besides what ASan and UBSan catch, an accepted object must keep the
 * loader's promises, or the target aborts: every relocation inside its
 * program, on an ld_imm64 for a map that exists, and every bpf-to-bpf
 * call landing inside the program, and every func_info and line_info
 * record at one of its instructions.  The kernel's verifier would refuse
 * the rest, but the loader says it checked them first.
 *
 * Seeds: tests/corpus_elf/ (the fixtures and ebph_kern.o without their
 * debug sections, most without BTF, three with it, NAME-btf; and every
 * input a run found; make fuzz-seeds).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bpf_load.h"

#define FAKE_FD_BASE	1000	/* the fd "created" for map i: 1000 + i */

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_elf: broken promise: %s\n", what);
		abort();
	}
}

static void check_prog(const struct ld_obj *obj, const struct ld_prog *p)
{
	size_t i;

	check(p->insn_cnt > 0 && p->text_off <= p->insn_cnt, "program size");
	for (i = 0; i < p->reloc_cnt; i++) {
		const struct ld_reloc *r = &p->relocs[i];
		const struct bpf_insn *insn = &p->insns[r->insn_idx];

		check(r->insn_idx < p->insn_cnt, "relocation inside the program");
		if (r->kind == LD_RELOC_MAP) {
			check(r->target < (unsigned int)obj->nr_maps, "map relocation names a map");
			check(r->insn_idx + 1 < p->insn_cnt &&
			      insn->code == (BPF_LD | BPF_IMM | BPF_DW),
			      "map relocation on an ld_imm64");
			check(insn->imm == FAKE_FD_BASE + (int)r->target &&
			      insn->src_reg == BPF_PSEUDO_MAP_FD, "map fd written");
		} else {
			check(r->kind == LD_RELOC_CALL, "relocation kind");
		}
	}
	/* Every bpf-to-bpf call, relocated or left relative by clang. */
	for (i = 0; i < p->insn_cnt; i++) {
		const struct bpf_insn *insn = &p->insns[i];
		long to;

		if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg != BPF_PSEUDO_CALL)
			continue;
		to = (long)i + insn->imm + 1;
		check(to >= 0 && (size_t)to < p->insn_cnt, "call lands inside the program");
	}
	/* .BTF.ext's records, moved to where the loader put the code. */
	for (i = 0; i < p->nr_func_info; i++)
		check(p->func_info[i].insn_off < p->insn_cnt, "func_info inside the program");
	for (i = 0; i < p->nr_line_info; i++)
		check(p->line_info[i].insn_off < p->insn_cnt, "line_info inside the program");
}

/*
 * The loader's error lines would flood the fuzzer's output: they go to
 * /dev/null unless FUZZ_VERBOSE is set.  Only the stderr stream is
 * swapped, not fd 2, on which ASan and libFuzzer (which took its own
 * copy of the stream at start) report.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	if (getenv("FUZZ_VERBOSE"))
		return 0;
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ld_obj obj;	/* 11 KB: not on the stack */
	int i;

	if (ld_open_mem(&obj, "fuzz.o", data, size, 0))
		return 0;
	check(obj.nr_progs > 0 && obj.nr_progs <= BPF_LOAD_MAX_PROGS, "program count");
	check(obj.nr_maps >= 0 && obj.nr_maps <= BPF_LOAD_MAX_MAPS, "map count");
	for (i = 0; i < obj.nr_maps; i++) {
		uint32_t key_id = 0, value_id = 0;

		/* What create_map() asks the BTF, then BPF_MAP_CREATE,
		 * stubbed. */
		if (!btf_obj_map_types(&obj.btf, obj.maps[i].name, &key_id, &value_id))
			check(key_id && key_id <= obj.btf.nr_types &&
			      value_id && value_id <= obj.btf.nr_types, "map types are types");
		obj.maps[i].fd = FAKE_FD_BASE + i;
	}
	ld_relocate(&obj);
	for (i = 0; i < obj.nr_progs; i++)
		check_prog(&obj, &obj.progs[i]);
	for (i = 0; i < obj.nr_maps; i++)
		obj.maps[i].fd = -1;		/* not ours to close */
	ld_close(&obj);
	return 0;
}
