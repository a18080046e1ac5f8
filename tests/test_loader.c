// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_loader.c - bpf_load.c on small clang-built objects.
 *
 * The expected values come from the fixtures' sources and from reading
 * the same ELF files here with libelf, never from the loader itself.
 *
 *   parse    ld_open() on tests/fixture_good.o: sections, program
 *            names and types, maps exactly as written, every relocation;
 *            lookups by name.  No syscalls.
 *   refuse   every object the loader must not take, each with its error
 *            and the sentence that names the reason on stderr: fixtures
 *            clang builds, and copies of fixture_good.o patched here with
 *            libelf for what clang never emits.
 *   load     (root) maps created as defined, the raw tracepoint program
 *            run with BPF_PROG_TEST_RUN to prove relocations and the
 *            .text calls, a verifier refusal with its log, close without
 *            leaking a descriptor, pinning; walks of a map that
 *            changes under them (keys updated, deleted, replaced).
 *   btf      a hand-made BTF file with known offsets, then vmlinux;
 *            (root) an object's own BTF: loaded, each program's
 *            func_info and line_info given (BPF_OBJ_GET_INFO_BY_FD),
 *            map key and value types (BPF_MAP_TYPES()), source
 *            lines in a verifier log, an object without BTF as
 *            before, a damaged .BTF or .BTF.ext refused in one line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "bpf_dirs.h"
#include "btf_blob.h"
#include "test.h"

#define GOOD		"tests/fixture_good.o"
#define RAW_SEC		"raw_tracepoint/sys_enter"
#define TP_SEC		"tracepoint/syscalls/sys_enter_getpid"
#define RAW_PROG	"raw_tracepoint__sys_enter"
#define TP_PROG		"tracepoint__syscalls__sys_enter_getpid"

#define LD_IMM64	(BPF_LD | BPF_IMM | BPF_DW)
#define CALL		(BPF_JMP | BPF_CALL)

/* ---- stderr capture ------------------------------------------------------ */

/* What the loader printed on stderr during the last capture. */
static char err_text[1 << 16];
static int capture_fd = -1, saved_stderr = -1;

static void capture_start(void)
{
	char path[] = "/tmp/ebph_test_stderr_XXXXXX";

	fflush(stderr);
	capture_fd = mkstemp(path);
	if (capture_fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(path);
	saved_stderr = dup(2);
	dup2(capture_fd, 2);
}

static const char *capture_end(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(capture_fd, err_text, sizeof(err_text) - 1, 0);
	close(capture_fd);
	err_text[n > 0 ? n : 0] = 0;
	return err_text;
}

/* Expect PHRASE in what was captured, and show all of it if absent. */
#define CHECK_SAID(phrase)						\
	CHECK(!strstr(err_text, (phrase)),				\
	      "stderr lacks \"%s\"; it said:\n%s", (phrase), err_text)

/* ---- reading the fixtures independently ---------------------------------- */

struct elf_file {
	int fd;
	Elf *elf;
	size_t shstrndx;
};

static int elf_file_open(struct elf_file *ef, const char *path, int rdwr)
{
	elf_version(EV_CURRENT);
	ef->fd = open(path, rdwr ? O_RDWR : O_RDONLY);
	if (ef->fd < 0)
		return -errno;
	ef->elf = elf_begin(ef->fd, rdwr ? ELF_C_RDWR : ELF_C_READ, NULL);
	if (!ef->elf || elf_getshdrstrndx(ef->elf, &ef->shstrndx)) {
		if (ef->elf)
			elf_end(ef->elf);
		close(ef->fd);
		return -EINVAL;
	}
	return 0;
}

static void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);
	close(ef->fd);
}

static Elf_Scn *elf_section(struct elf_file *ef, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(ef->elf, scn))) {
		const char *n;

		if (gelf_getshdr(scn, &sh) &&
		    (n = elf_strptr(ef->elf, ef->shstrndx, sh.sh_name)) &&
		    !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static Elf_Scn *elf_symtab(struct elf_file *ef, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(ef->elf, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == SHT_SYMTAB)
			return scn;
	return NULL;
}

/* The bytes of section NAME of PATH, malloc'ed; *size gets their count. */
static void *elf_section_bytes(const char *path, const char *name, size_t *size)
{
	struct elf_file ef;
	Elf_Scn *scn;
	Elf_Data *d;
	void *copy = NULL;

	*size = 0;
	if (elf_file_open(&ef, path, 0))
		return NULL;
	scn = elf_section(&ef, name);
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (d && (copy = malloc(d->d_size ? d->d_size : 1))) {
		memcpy(copy, d->d_buf, d->d_size);
		*size = d->d_size;
	}
	elf_file_close(&ef);
	return copy;
}

/* Symbol NAME of PATH: its index (returned) and value; -1 if absent. */
static long elf_symbol(const char *path, const char *name, GElf_Addr *value)
{
	struct elf_file ef;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *d;
	Elf_Scn *scn;
	long found = -1;
	size_t i;

	if (elf_file_open(&ef, path, 0))
		return -1;
	scn = elf_symtab(&ef, &sh);
	d = scn ? elf_getdata(scn, NULL) : NULL;
	for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
		const char *n;

		if (gelf_getsym(d, i, &sym) &&
		    (n = elf_strptr(ef.elf, sh.sh_link, sym.st_name)) &&
		    !strcmp(n, name)) {
			found = i;
			if (value)
				*value = sym.st_value;
			break;
		}
	}
	elf_file_close(&ef);
	return found;
}

static long elf_symbol_count(const char *path)
{
	struct elf_file ef;
	GElf_Shdr sh;
	long n = -1;

	if (elf_file_open(&ef, path, 0))
		return -1;
	if (elf_symtab(&ef, &sh))
		n = sh.sh_size / sh.sh_entsize;
	elf_file_close(&ef);
	return n;
}

/* ---- patched copies --------------------------------------------------- */

/* Copy SRC into a new file under /tmp; its name goes to DST (64 bytes). */
static int copy_to_tmp(const char *src, char *dst)
{
	char buf[65536];
	ssize_t n;
	int in, out, err = 0;

	strcpy(dst, "/tmp/ebph_test_obj_XXXXXX");
	in = open(src, O_RDONLY);
	if (in < 0)
		return -errno;
	out = mkstemp(dst);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			err = -EIO;
			break;
		}
	if (n < 0)
		err = -errno;
	close(in);
	close(out);
	return err;
}

#define KEEP (-1LL)

/*
 * In a copy of the good fixture, change relocation NR of section SEC: its
 * offset, symbol index and type (KEEP leaves one as it is).  The layout
 * is kept, so nothing else in the file moves.
 */
static int patch_reloc(char *copy, const char *sec, int nr, long long offset,
		       long long sym, long long type)
{
	struct elf_file ef;
	Elf_Scn *target, *scn = NULL;
	Elf_Data *d = NULL;
	GElf_Shdr sh;
	GElf_Rel r;
	int err;

	if ((err = copy_to_tmp(GOOD, copy)))
		return err;
	if ((err = elf_file_open(&ef, copy, 1)))
		return err;
	target = elf_section(&ef, sec);
	while (target && (scn = elf_nextscn(ef.elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_REL &&
		    sh.sh_info == elf_ndxscn(target)) {
			d = elf_getdata(scn, NULL);
			break;
		}
	err = -EINVAL;
	if (d && gelf_getrel(d, nr, &r)) {
		if (offset != KEEP)
			r.r_offset = offset;
		r.r_info = GELF_R_INFO(sym != KEEP ? (Elf64_Xword)sym : GELF_R_SYM(r.r_info),
				       type != KEEP ? (Elf64_Xword)type : GELF_R_TYPE(r.r_info));
		if (gelf_update_rel(d, nr, &r) &&
		    elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY) &&
		    elf_flagelf(ef.elf, ELF_C_SET, ELF_F_LAYOUT) &&
		    elf_update(ef.elf, ELF_C_WRITE) > 0)
			err = 0;
	}
	elf_file_close(&ef);
	return err;
}

/* In a copy of the good fixture, set the header's machine and type. */
static int patch_ehdr(char *copy, int machine, int type)
{
	struct elf_file ef;
	GElf_Ehdr eh;
	int err;

	if ((err = copy_to_tmp(GOOD, copy)))
		return err;
	if ((err = elf_file_open(&ef, copy, 1)))
		return err;
	err = -EINVAL;
	if (gelf_getehdr(ef.elf, &eh)) {
		eh.e_machine = machine;
		eh.e_type = type;
		if (gelf_update_ehdr(ef.elf, &eh) &&
		    elf_flagelf(ef.elf, ELF_C_SET, ELF_F_LAYOUT) &&
		    elf_update(ef.elf, ELF_C_WRITE) > 0)
			err = 0;
	}
	elf_file_close(&ef);
	return err;
}

/* ---- small helpers ------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

/* BPF_OBJ_GET_INFO_BY_FD on a map or a program: LEN bytes of INFO. */
static int obj_info(int fd, void *info, size_t len)
{
	union bpf_attr attr = {};

	memset(info, 0, len);
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = (unsigned long)info;
	return syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) ? -errno : 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	return obj_info(fd, info, sizeof(*info));
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	return obj_info(fd, info, sizeof(*info));
}

/* Open PATH expecting refusal WANT with PHRASE on stderr, and also the
 * file's name, as the one error format promises. */
static void expect_open_refused(const char *path, int want, const char *phrase)
{
	struct ld_obj obj;
	int err;

	capture_start();
	err = ld_open(&obj, path, 0);
	capture_end();
	CHECK_EQ(err, want, "ld_open's error");
	CHECK_SAID(phrase);
	CHECK_SAID(path);
	CHECK(obj.nr_maps || obj.nr_progs,
	      "a refused object still holds %d maps and %d programs",
	      obj.nr_maps, obj.nr_progs);
	ld_close(&obj);		/* already closed: must be harmless */
}

static int expected_cpus(void)
{
	char buf[256], *p = buf;
	int lo, hi, max = -1, n;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	while (sscanf(p, "%d%n", &lo, &n) == 1) {
		hi = lo;
		p += n;
		if (*p == '-' && sscanf(p + 1, "%d%n", &hi, &n) == 1)
			p += n + 1;
		if (hi > max)
			max = hi;
		if (*p != ',')
			break;
		p++;
	}
	return max + 1;
}

/* ---- parse ------------------------------------------------------------- */

static void check_map_def(struct ld_obj *obj, const char *name,
			  unsigned int type, unsigned int key, unsigned int value,
			  unsigned int max, unsigned int flags, unsigned long off)
{
	struct ld_map *m = ld_find_map(obj, name);

	if (CHECK(!m, "map '%s' not found", name))
		return;
	CHECK(strcmp(m->name, name), "map name '%s', want '%s'", m->name, name);
	CHECK_EQ(m->def.type, type, name);
	CHECK_EQ(m->def.key_size, key, name);
	CHECK_EQ(m->def.value_size, value, name);
	CHECK_EQ(m->def.max_entries, max, name);
	CHECK_EQ(m->def.map_flags, flags, name);
	CHECK_EQ(m->def_off, off, name);
	CHECK_EQ(m->fd, -1, "fd before load");
}

/*
 * One program of the good fixture: its instructions are its section then
 * all of .text, byte for byte; its relocations are exactly the MAP and
 * CALL ones in its section and in .text, each at the right opcode and
 * aiming at the right map or function.
 */
static void check_good_prog(struct ld_obj *obj, const char *name,
			    const char *sec, enum bpf_prog_type type,
			    const char *attach_to, const char *sec_map,
			    const char **callees, int nr_callees)
{
	struct ld_prog *p = ld_find_prog(obj, name);
	size_t sec_sz, text_sz, i;
	void *sec_bytes = elf_section_bytes(GOOD, sec, &sec_sz);
	void *text_bytes = elf_section_bytes(GOOD, ".text", &text_sz);
	int maps_in_sec = 0, maps_in_text = 0, calls_seen = 0, c;

	if (CHECK(!p, "program '%s' not found", name) ||
	    CHECK(!sec_bytes || !text_bytes, "cannot read the fixture's sections"))
		goto out;
	CHECK(strcmp(p->name, name), "name '%s', want '%s'", p->name, name);
	CHECK(strcmp(p->section, sec), "section '%s', want '%s'", p->section, sec);
	CHECK_EQ(p->type, type, "program type");
	CHECK(!p->attach_to || strcmp(p->attach_to, attach_to),
	      "attach_to '%s', want '%s'", p->attach_to ? p->attach_to : "(null)",
	      attach_to);
	CHECK_EQ(p->fd, -1, "fd before load");
	CHECK_EQ(p->attach_fd, -1, "attach_fd before attach");
	CHECK_EQ(p->text_off, sec_sz / 8, "text_off: the section's instructions");
	CHECK_EQ(p->insn_cnt, (sec_sz + text_sz) / 8, "insn_cnt: section plus .text");
	if (p->insn_cnt == (sec_sz + text_sz) / 8) {
		CHECK(memcmp(p->insns, sec_bytes, sec_sz),
		      "the program's instructions differ from its section");
		CHECK(memcmp(p->insns + sec_sz / 8, text_bytes, text_sz),
		      "the appended copy differs from .text");
	}
	/* One MAP relocation in the section, one in .text, one CALL each. */
	CHECK_EQ(p->reloc_cnt, 2 + nr_callees, "relocation count");
	for (i = 0; i < p->reloc_cnt; i++) {
		struct ld_reloc *r = &p->relocs[i];
		struct bpf_insn *insn;

		if (CHECK(r->insn_idx >= p->insn_cnt, "relocation %zu at %u is outside",
			  i, r->insn_idx))
			continue;
		insn = &p->insns[r->insn_idx];
		if (r->kind == LD_RELOC_MAP) {
			int in_text = r->insn_idx >= p->text_off;
			const char *want = in_text ? "counts" : sec_map;

			CHECK(insn->code != LD_IMM64, "MAP relocation %zu at opcode 0x%02x",
			      i, insn->code);
			CHECK(r->target >= (unsigned int)obj->nr_maps ||
			      strcmp(obj->maps[r->target].name, want),
			      "MAP relocation %zu at %u names map %u, want '%s'",
			      i, r->insn_idx, r->target, want);
			if (in_text)
				maps_in_text++;
			else
				maps_in_sec++;
		} else if (r->kind == LD_RELOC_CALL) {
			int hit = 0;

			CHECK(insn->code != CALL || insn->src_reg != BPF_PSEUDO_CALL ||
			      r->insn_idx >= p->text_off,
			      "CALL relocation %zu at %u is not a bpf-to-bpf call in the section",
			      i, r->insn_idx);
			for (c = 0; c < nr_callees; c++) {
				GElf_Addr v = ~0ULL;

				elf_symbol(GOOD, callees[c], &v);
				if (r->target == v / 8) {
					hit = 1;
					calls_seen |= 1 << c;
				}
			}
			CHECK(!hit, "CALL relocation %zu targets .text+%u, no callee starts there",
			      i, r->target);
		} else {
			CHECK(1, "relocation %zu of unknown kind %d", i, r->kind);
		}
	}
	CHECK_EQ(maps_in_sec, 1, "MAP relocations in the section");
	CHECK_EQ(maps_in_text, 1, "MAP relocations in .text");
	CHECK_EQ(calls_seen, (1 << nr_callees) - 1, "callees reached (bit mask)");
out:
	free(sec_bytes);
	free(text_bytes);
}

static void test_parse_good(void)
{
	static const char *raw_callees[] = { "bump", "twice" };
	static const char *tp_callees[] = { "bump", "twice" };
	struct ld_obj obj;
	int err;

	TEST("parse_good");
	capture_start();
	err = ld_open(&obj, GOOD, 0);
	capture_end();
	if (CHECK(err, "ld_open: %d\n%s", err, err_text))
		return;
	CHECK(err_text[0], "a quiet open printed: %s", err_text);
	CHECK(strcmp(obj.license, "GPL"), "license '%s'", obj.license);
	CHECK_EQ(obj.nr_maps, 3, "maps");
	CHECK_EQ(obj.nr_progs, 2, "programs");
	/* As written in fixture_good.c, at their offsets in "maps". */
	check_map_def(&obj, "counts", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
	check_map_def(&obj, "seen", BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_NO_PREALLOC, 20);
	check_map_def(&obj, "events", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, 0, 40);
	check_good_prog(&obj, RAW_PROG, RAW_SEC, BPF_PROG_TYPE_RAW_TRACEPOINT,
			"sys_enter", "seen", raw_callees, 2);
	check_good_prog(&obj, TP_PROG, TP_SEC, BPF_PROG_TYPE_TRACEPOINT,
			"syscalls/sys_enter_getpid", "events", tp_callees, 2);
	ld_close(&obj);
	CHECK(obj.nr_maps || obj.nr_progs, "close left %d maps, %d programs",
	      obj.nr_maps, obj.nr_progs);
	ld_close(&obj);		/* twice is harmless */
}

/* The verbose mode shows its work: each step on stderr. */
static void test_parse_verbose(void)
{
	struct ld_obj obj;
	int err;

	TEST("parse_verbose");
	capture_start();
	err = ld_open(&obj, GOOD, 1);
	capture_end();
	CHECK_EQ(err, 0, "ld_open");
	CHECK_SAID("program '" RAW_PROG "' in section '" RAW_SEC "'");
	CHECK_SAID("4 relocations");
	if (!err)
		ld_close(&obj);
}

static void test_lookup(void)
{
	struct ld_obj obj;
	struct ld_prog *p;
	int err;

	TEST("lookup");
	if (CHECK(ld_open(&obj, GOOD, 0), "cannot open " GOOD))
		return;
	CHECK(!ld_find_map(&obj, "seen") ||
	      strcmp(ld_find_map(&obj, "seen")->name, "seen"), "map 'seen'");
	CHECK(ld_find_map(&obj, "nosuchmap"), "a missing map was found");
	CHECK(ld_find_map(&obj, "see"), "a prefix of a name was found");
	p = ld_find_prog(&obj, TP_PROG);
	CHECK(!p || p->type != BPF_PROG_TYPE_TRACEPOINT, "program by name");
	CHECK(ld_find_prog(&obj, RAW_SEC) != ld_find_prog(&obj, RAW_PROG) ||
	      !ld_find_prog(&obj, RAW_SEC), "program by section name");
	CHECK(ld_find_prog(&obj, "nosuchprog"), "a missing program was found");

	capture_start();
	err = ld_map_fd(&obj, "nosuchmap");
	capture_end();
	CHECK_EQ(err, -ENOENT, "ld_map_fd of a missing map");
	CHECK_SAID("nosuchmap");
	/* Parsed but not created: no fd yet either. */
	capture_start();
	err = ld_map_fd(&obj, "counts");
	capture_end();
	CHECK_EQ(err, -ENOENT, "ld_map_fd before load");
	ld_close(&obj);
}

/* Longer definitions whose unknown tail is zero are read, not refused. */
static void test_parse_long_maps(void)
{
	struct ld_obj obj;

	TEST("parse_long_maps");
	if (CHECK(ld_open(&obj, "tests/fixture_map_long.o", 0),
		  "fixture_map_long.o refused"))
		return;
	CHECK_EQ(obj.nr_maps, 2, "maps");
	check_map_def(&obj, "first", BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0, 0);
	check_map_def(&obj, "second", BPF_MAP_TYPE_HASH, 4, 16, 3, 0, 32);
	ld_close(&obj);
}

/* ---- refusals ------------------------------------------------------------- */

static void test_refuse_files(void)
{
	char path[64];
	int fd;

	TEST("refuse_missing_file");
	expect_open_refused("tests/fixture_does_not_exist.o", -ENOENT, "cannot open");
	CHECK_SAID("No such file");

	TEST("refuse_not_elf");
	strcpy(path, "/tmp/ebph_test_text_XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd < 0, "mkstemp")) {
		if (write(fd, "this is not an ELF file\n", 24) != 24)
			CHECK(1, "write");
		close(fd);
		expect_open_refused(path, -EINVAL, "not a BPF ELF object");
		unlink(path);
	}

	TEST("refuse_empty_file");
	strcpy(path, "/tmp/ebph_test_empty_XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd < 0, "mkstemp")) {
		close(fd);
		expect_open_refused(path, -EINVAL, "not a BPF ELF object");
		unlink(path);
	}

	/* A linked x86-64 program: wrong machine and not relocatable. */
	TEST("refuse_x86_64_executable");
	expect_open_refused("/proc/self/exe", -EINVAL, "not a BPF ELF object");

	/* A relocatable object for another machine: only e_machine differs. */
	TEST("refuse_x86_64_object");
	if (!CHECK(patch_ehdr(path, EM_X86_64, ET_REL), "cannot patch a copy")) {
		expect_open_refused(path, -EINVAL, "not a BPF ELF object");
		unlink(path);
	}

	/* A BPF file that is not relocatable: only e_type differs. */
	TEST("refuse_bpf_executable");
	if (!CHECK(patch_ehdr(path, EM_BPF, ET_EXEC), "cannot patch a copy")) {
		expect_open_refused(path, -EINVAL, "not a BPF ELF object");
		unlink(path);
	}

	/* The patching itself is sound: an unchanged round trip loads. */
	TEST("patched_copy_control");
	if (!CHECK(patch_ehdr(path, EM_BPF, ET_REL), "cannot patch a copy")) {
		struct ld_obj obj;

		CHECK(ld_open(&obj, path, 0), "an unchanged copy was refused");
		ld_close(&obj);
		unlink(path);
	}
}

/* Overlapping function symbols (fixture_overlap.c): each instruction of
 * .text is copied once and every call lands on its callee's copy. */
static void test_overlap(void)
{
	struct ld_obj obj;
	struct ld_prog *p;
	size_t i, calls = 0;
	int err;

	TEST("overlapping_functions");
	capture_start();
	err = ld_open(&obj, "tests/fixture_overlap.o", 0);
	capture_end();
	if (CHECK_EQ(err, 0, "ld_open of fixture_overlap.o"))
		return;
	p = ld_find_prog(&obj, RAW_PROG);
	if (!CHECK(!p, "no program " RAW_PROG)) {
		ld_relocate(&obj);
		CHECK_EQ(p->insn_cnt, 2 + 17, "the program and all of .text, once");
		for (i = 0; i < p->insn_cnt; i++) {
			long to = (long)i + p->insns[i].imm + 1;

			if (p->insns[i].code != CALL || p->insns[i].src_reg != BPF_PSEUDO_CALL)
				continue;
			calls++;
			CHECK(to < (long)p->text_off || to >= (long)p->insn_cnt,
			      "the call at %zu goes to %ld, outside the copy of .text", i, to);
		}
		CHECK_EQ(calls, 1 + 16, "calls in the program");
	}
	ld_close(&obj);
}

static void test_refuse_fixtures(void)
{
	TEST("refuse_bss");
	expect_open_refused("tests/fixture_bss.o", -EINVAL, "'.bss'");
	CHECK_SAID("ARRAY map");
	TEST("refuse_data");
	expect_open_refused("tests/fixture_data.o", -EINVAL, "global data 'limit' in '.data'");
	CHECK_SAID("ARRAY map");
	TEST("refuse_rodata");
	expect_open_refused("tests/fixture_rodata.o", -EINVAL, "'.rodata");
	CHECK_SAID("ARRAY map");

	TEST("refuse_callback");
	expect_open_refused("tests/fixture_callback.o", -EINVAL,
			    "takes the address of a function (a callback)");
	CHECK_SAID("section '" RAW_SEC "'");

	TEST("refuse_maps_size");
	expect_open_refused("tests/fixture_maps_size.o", -EINVAL,
			    "size 64 is not a multiple of 3 maps");
	TEST("refuse_map_tail");
	expect_open_refused("tests/fixture_map_tail.o", -EINVAL,
			    "map 'pinned' sets fields this loader does not know (byte 20)");

	TEST("refuse_unknown_section");
	expect_open_refused("tests/fixture_kprobe.o", -EINVAL, "unknown program type");
	CHECK_SAID("section 'kprobe/foo'");
	TEST("refuse_no_license");
	expect_open_refused("tests/fixture_nolicense.o", -EINVAL, "no 'license' section");
	TEST("refuse_two_programs");
	expect_open_refused("tests/fixture_twoprogs.o", -EINVAL,
			    "holds two programs ('first_prog', 'second_prog')");
}

/*
 * What clang never writes, written into copies of the good fixture.  Its
 * raw tracepoint section has relocations: 0 a call (instruction 5),
 * 1 a call (8), 2 the map "seen" (13); instruction 0 is a load.
 */
static void test_refuse_patched(void)
{
	char path[64];
	long nsyms = elf_symbol_count(GOOD);
	long license = elf_symbol(GOOD, "_license", NULL);
	long prog_sym = elf_symbol(GOOD, RAW_PROG, NULL);
	size_t sec_sz;
	void *sec = elf_section_bytes(GOOD, RAW_SEC, &sec_sz);
	struct bpf_insn *insns = sec;

	TEST("patched_preconditions");
	if (CHECK(nsyms <= 0 || license < 0 || prog_sym < 0 || !sec ||
		  sec_sz != 19 * 8 || insns[13].code != LD_IMM64 ||
		  insns[0].code == LD_IMM64,
		  "fixture_good.o is not laid out as this test expects")) {
		free(sec);
		return;
	}
	free(sec);

	TEST("refuse_reloc_type");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, KEEP, KEEP, 2), "patch")) {
		expect_open_refused(path, -EINVAL, "relocation 2 at instruction 13 has type 2");
		unlink(path);
	}
	TEST("refuse_reloc_beyond_section");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, 19 * 8, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "is outside the section's 19 instructions");
		unlink(path);
	}
	TEST("refuse_reloc_far_beyond_section");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, 1ULL << 40, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "is outside the section");
		unlink(path);
	}
	TEST("refuse_reloc_misaligned");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, 13 * 8 + 4, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "is outside the section");
		unlink(path);
	}
	TEST("refuse_reloc_not_ld_imm64");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, 0, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "points at instruction 0 (opcode 0x79), not at a 16-byte ld_imm64");
		unlink(path);
	}
	TEST("refuse_reloc_symbol_not_map");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, KEEP, license, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "refers to '_license' in section 'license', which is not a map");
		unlink(path);
	}
	TEST("refuse_reloc_symbol_program");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, KEEP, prog_sym, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "which is not a map");
		unlink(path);
	}
	TEST("refuse_reloc_symbol_out_of_range");
	if (!CHECK(patch_reloc(path, RAW_SEC, 2, KEEP, nsyms + 5, KEEP), "patch")) {
		char want[96];

		snprintf(want, sizeof(want), "names symbol %ld, which does not exist", nsyms + 5);
		expect_open_refused(path, -EINVAL, want);
		unlink(path);
	}
	/* The same checks guard the relocations of .text (only one: counts). */
	TEST("refuse_text_reloc_type");
	if (!CHECK(patch_reloc(path, ".text", 0, KEEP, KEEP, 3), "patch")) {
		expect_open_refused(path, -EINVAL, "has type 3");
		CHECK_SAID("section '.text'");
		unlink(path);
	}
	TEST("refuse_text_reloc_beyond_section");
	if (!CHECK(patch_reloc(path, ".text", 0, 13 * 8, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "is outside the section's 13 instructions");
		unlink(path);
	}
	/* Two relocations of one instruction (the fuzzer's were two maps
	 * for one ld_imm64): both were applied, the last one winning. */
	TEST("refuse_reloc_twice");
	if (!CHECK(patch_reloc(path, RAW_SEC, 1, 5 * 8, KEEP, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "relocation 1: instruction 5 already has one");
		unlink(path);
	}
	/* A call relocation whose symbol is not in .text. */
	TEST("refuse_call_reloc_not_text");
	if (!CHECK(patch_reloc(path, RAW_SEC, 0, KEEP, license, KEEP), "patch")) {
		expect_open_refused(path, -EINVAL, "relocation 0 at instruction 5");
		unlink(path);
	}
}

/* ---- load (root) ------------------------------------------------------------ */

/* A tracepoint this kernel lacks: attaching fails with a sentence,
 * unless the program is optional, which is then left unattached. */
static void test_optional_attach(void)
{
	struct ld_obj obj;
	struct ld_prog *p;
	int err;

	TEST("optional_attach");
	if (CHECK(ld_open(&obj, "tests/fixture_tp_missing.o", 0),
		  "cannot open tests/fixture_tp_missing.o"))
		return;
	err = ld_load(&obj);
	if (CHECK(err, "ld_load: %d", err)) {
		ld_close(&obj);
		return;
	}
	capture_start();
	err = ld_attach(&obj);
	capture_end();
	CHECK(err != -ENOENT, "attach of a missing tracepoint: %d, want -ENOENT", err);
	CHECK(!strstr(err_text, "no tracepoint 'ebph_test/no_such_event'"),
	      "the refusal names it: %s", err_text);
	p = ld_find_prog(&obj, "tracepoint__ebph_test__no_such_event");
	if (!CHECK(!p, "no program by name")) {
		p->optional = 1;
		capture_start();
		err = ld_attach(&obj);
		capture_end();
		CHECK(err, "optional: attach returned %d: %s", err, err_text);
		CHECK(p->attach_fd >= 0, "optional: attached to what?");
	}
	ld_close(&obj);
}

static void test_load_good(void)
{
	struct ld_obj obj;
	struct bpf_map_info info;
	struct ld_prog *p;
	__u64 ctx[2], v;
	__u32 key, retval = 0;
	int fds = count_fds(), fd, err, i, cpus = expected_cpus();
	static const struct {
		const char *name;
		unsigned int type, key, value, flags;
		int max;	/* -1: one per possible CPU */
	} want[] = {
		{ "counts", BPF_MAP_TYPE_ARRAY, 4, 8, 0, 4 },
		{ "seen", BPF_MAP_TYPE_HASH, 4, 8, BPF_F_NO_PREALLOC, 16 },
		{ "events", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 0, -1 },
	};

	TEST("load_good");
	if (CHECK(ld_open(&obj, GOOD, 0), "cannot open " GOOD))
		return;
	capture_start();
	err = ld_load(&obj);
	capture_end();
	if (CHECK(err, "ld_load: %d\n%s", err, err_text)) {
		ld_close(&obj);
		return;
	}
	CHECK(err_text[0], "a quiet load printed: %s", err_text);
	for (i = 0; i < obj.nr_progs; i++)
		CHECK(obj.progs[i].fd < 0, "program '%s' has no fd", obj.progs[i].name);

	/* The kernel's view of each map is its definition. */
	for (i = 0; i < 3; i++) {
		unsigned int max = want[i].max < 0 ? (unsigned int)cpus : (unsigned int)want[i].max;

		fd = ld_map_fd(&obj, want[i].name);
		if (CHECK(fd < 0, "map '%s' has no fd", want[i].name) ||
		    CHECK(map_info(fd, &info), "BPF_OBJ_GET_INFO_BY_FD on '%s'", want[i].name))
			continue;
		CHECK_EQ(info.type, want[i].type, want[i].name);
		CHECK_EQ(info.key_size, want[i].key, want[i].name);
		CHECK_EQ(info.value_size, want[i].value, want[i].name);
		CHECK_EQ(info.max_entries, max, want[i].name);
		CHECK_EQ(info.map_flags, want[i].flags, want[i].name);
		CHECK(strcmp(info.name, want[i].name), "kernel name '%s'", info.name);
	}
	CHECK_EQ(ld_find_map(&obj, "events")->def.max_entries, cpus,
		 "events max_entries after load");

	/* counts[2] += 2 * 5, then += 2 * 100; seen[2] = 100; return 7. */
	TEST("load_good_run");
	p = ld_find_prog(&obj, RAW_PROG);
	if (CHECK(!p, "no program " RAW_PROG))
		goto out;
	ctx[0] = 5;
	ctx[1] = 6;
	err = bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval);
	CHECK_EQ(err, 0, "BPF_PROG_TEST_RUN");
	CHECK_EQ(retval, 7, "program's return value");
	ctx[0] = 100;
	err = bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval);
	CHECK_EQ(err, 0, "second BPF_PROG_TEST_RUN");
	fd = ld_map_fd(&obj, "counts");
	for (key = 0; key < 4; key++) {
		v = ~0ULL;
		CHECK_EQ(bpf_map_lookup(fd, &key, &v), 0, "lookup counts");
		CHECK_EQ(v, key == 2 ? 210 : 0, "counts[key]: bump(key, twice(args[0]))");
	}
	fd = ld_map_fd(&obj, "seen");
	key = 2;
	v = 0;
	CHECK_EQ(bpf_map_lookup(fd, &key, &v), 0, "lookup seen[2]");
	CHECK_EQ(v, 100, "seen[2]: the last args[0]");
	key = 0;
	CHECK_EQ(bpf_map_next_key(fd, NULL, &key), 0, "first key of seen");
	CHECK_EQ(key, 2, "seen's only key");
	CHECK_EQ(bpf_map_next_key(fd, &key, &key), -ENOENT, "seen has one key");
out:
	TEST("load_good_close");
	ld_close(&obj);
	CHECK_EQ(count_fds(), fds, "descriptors open after close");
	ld_close(&obj);
	CHECK_EQ(count_fds(), fds, "descriptors open after a second close");
}

/* A static map after the first: clang relocates it against the section
 * symbol "maps" with the map's offset in the instruction's immediate. */
static void test_static_map(void)
{
	struct ld_obj obj;
	struct ld_prog *p;
	__u64 ctx[2] = { 77, 3 }, v = 0;
	__u32 key = 3, retval;
	int fd, err;

	TEST("static_map_reloc");
	if (CHECK(ld_open(&obj, "tests/fixture_static_map.o", 0),
		  "fixture_static_map.o refused"))
		return;
	p = ld_find_prog(&obj, RAW_PROG);
	if (!CHECK(!p || p->reloc_cnt != 1, "one relocation expected") &&
	    !CHECK(p->relocs[0].kind != LD_RELOC_MAP, "a MAP relocation expected"))
		CHECK(strcmp(obj.maps[p->relocs[0].target].name, "second"),
		      "the relocation names map '%s', want 'second'",
		      obj.maps[p->relocs[0].target].name);

	TEST("static_map_run");
	capture_start();
	err = ld_load(&obj);
	capture_end();
	if (!CHECK(err || !p, "load: %d\n%s", err, err_text)) {
		CHECK_EQ(bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval), 0, "test run");
		fd = ld_map_fd(&obj, "second");
		CHECK_EQ(bpf_map_lookup(fd, &key, &v), 0, "lookup second[3]");
		CHECK_EQ(v, 77, "second[3]");
	}
	ld_close(&obj);
}

/* Each program calls a different .text function: each must load. */
static void test_unused_subprog(void)
{
	static const struct { const char *prog; __u32 key; __u64 want; } runs[] = {
		{ "raw_tracepoint__sys_enter", 0, 22 },	/* plus_one_doubled(10) */
		{ "raw_tracepoint__sys_exit", 1, 30 },	/* times_three(10) */
	};
	struct ld_obj obj;
	struct ld_prog *p;
	__u64 ctx[2] = { 10, 0 }, v;
	__u32 retval;
	int err, fd, i;

	TEST("unused_subprog");
	if (CHECK(ld_open(&obj, "tests/fixture_subprog.o", 0),
		  "fixture_subprog.o refused"))
		return;
	capture_start();
	err = ld_load(&obj);
	capture_end();
	if (!CHECK(err, "ld_load: %d\n%s", err, err_text)) {
		fd = ld_map_fd(&obj, "results");
		for (i = 0; i < 2; i++) {
			p = ld_find_prog(&obj, runs[i].prog);
			v = 0;
			CHECK(!p || bpf_prog_run_once(p->fd, ctx, sizeof(ctx), &retval),
			      "run %s", runs[i].prog);
			CHECK_EQ(bpf_map_lookup(fd, &runs[i].key, &v), 0, "lookup results");
			CHECK_EQ(v, runs[i].want, runs[i].prog);
		}
	}
	ld_close(&obj);
}

static void test_verifier_refusal(void)
{
	struct ld_obj obj;
	int fds = count_fds(), err;

	TEST("verifier_refusal");
	if (CHECK(ld_open(&obj, "tests/fixture_verifier.o", 0),
		  "fixture_verifier.o refused at open"))
		return;
	capture_start();
	err = ld_load(&obj);
	capture_end();
	CHECK(err != -EACCES && err != -EINVAL, "ld_load: %d", err);
	CHECK_SAID("tests/fixture_verifier.o: section '" RAW_SEC "': BPF_PROG_LOAD: ");
	CHECK_SAID("---- verifier log for " RAW_PROG " ----");	/* all of it */
	CHECK_SAID("map_value_or_null");	/* the complaint itself */
	CHECK_SAID("---- end of verifier log ----");
	CHECK(strstr(err_text, "map_value_or_null") > strstr(err_text, "---- end of"),
	      "the complaint is not inside the log markers");
	/* Half built: the map was created, the program was not loaded. */
	CHECK(obj.maps[0].fd < 0, "the map was not created before the refusal");
	CHECK_EQ(obj.progs[0].fd, -1, "refused program's fd");
	ld_close(&obj);
	CHECK_EQ(count_fds(), fds, "descriptors open after closing a half-built object");
}

/* Lines of TEXT from the line after the one holding FROM up to the line
 * holding TO; -1 if either is missing. */
static int lines_between(const char *text, const char *from, const char *to)
{
	const char *a = strstr(text, from), *b;
	int n = 0;

	if (!a || !(a = strchr(a, '\n')) || !(b = strstr(a, to)))
		return -1;
	for (; a < b; a++)
		n += *a == '\n';
	return n - 1;
}

/* The line of TEXT before the one that starts with END, in a static
 * buffer of its own for each of two calls. */
static const char *last_log_line(const char *text, const char *end)
{
	static char bufs[2][256];
	static int which;
	const char *e = strstr(text, end), *b;
	char *buf = bufs[which++ % 2];

	buf[0] = 0;
	if (!e || e == text)
		return buf;
	for (b = e - 1; b > text && b[-1] != '\n'; b--)
		;
	snprintf(buf, sizeof(bufs[0]), "%.*s", (int)(e - 1 - b), b);
	return buf;
}

/*
 * A long log is cut to its last lines, the verifier's reason among them,
 * and the header says how many were left out; -v shows every line.
 */
static void test_verifier_log_tail(void)
{
	static char quiet[sizeof(err_text)];
	const char *hdr = "---- verifier log for " RAW_PROG " (last ";
	const char *end = "---- end of verifier log ----";
	struct ld_obj obj;
	const char *h;
	int shown = -1, all;
	size_t before = 0;

	TEST("verifier_log_tail");
	capture_start();
	if (!ld_open(&obj, "tests/fixture_verifier_long.o", 0))
		ld_load(&obj);
	capture_end();
	ld_close(&obj);
	memcpy(quiet, err_text, sizeof(quiet));
	CHECK_SAID(hdr);
	CHECK_SAID("map_value_or_null");
	CHECK_SAID(end);
	h = strstr(quiet, hdr);
	CHECK(!h || sscanf(h + strlen(hdr), "%d lines, %zu before them", &shown, &before) != 2,
	      "no line counts in the header");
	CHECK_EQ(lines_between(quiet, hdr, end), shown, "lines shown, as the header says");

	TEST("verifier_log_verbose");
	capture_start();
	if (!ld_open(&obj, "tests/fixture_verifier_long.o", 1))
		ld_load(&obj);
	capture_end();
	ld_close(&obj);
	CHECK_SAID("---- verifier log for " RAW_PROG " ----\n");
	all = lines_between(err_text, "---- verifier log for " RAW_PROG " ----", end);
	CHECK(all <= shown, "-v showed %d lines, the default %d", all, shown);
	CHECK_EQ(all, (long long)shown + (long long)before, "all lines: shown plus skipped");
	/* Both end with the same last line, the verifier's summary. */
	CHECK(strcmp(last_log_line(quiet, end), last_log_line(err_text, end)) ||
	      !strstr(last_log_line(quiet, end), "processed"),
	      "the tail does not end the log: '%s' and '%s'",
	      last_log_line(quiet, end), last_log_line(err_text, end));
}

static void test_pin(void)
{
	struct ld_obj obj;
	struct bpf_map_info a, b;
	char dir[128], path[256];
	struct stat st;
	int i, fd, err;

	TEST("pin");
	CHECK_EQ(bpf_ensure_mounts(0), 0, "bpf_ensure_mounts");
	if (CHECK(ld_open(&obj, GOOD, 0) || ld_load(&obj),
		  "cannot load " GOOD))
		goto out;
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/ebph_test_loader_%d", (int)getpid());
	err = ld_pin_maps(&obj, dir);
	if (CHECK_EQ(err, 0, "ld_pin_maps"))
		goto out;
	for (i = 0; i < obj.nr_maps; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, obj.maps[i].name);
		fd = bpf_pin_open(path);
		if (CHECK(fd < 0, "bpf_pin_open %s: %d", path, fd))
			continue;
		CHECK(map_info(fd, &a) || map_info(obj.maps[i].fd, &b) || a.id != b.id,
		      "%s is not map '%s'", path, obj.maps[i].name);
		close(fd);
	}
	CHECK_EQ(ld_unpin_maps(&obj), 0, "ld_unpin_maps");
	for (i = 0; i < obj.nr_maps; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, obj.maps[i].name);
		CHECK(!stat(path, &st), "%s still exists", path);
	}
	CHECK(!stat(dir, &st), "%s still exists", dir);

	/* Closing a pinned object unpins it. */
	TEST("pin_close");
	if (!CHECK_EQ(ld_pin_maps(&obj, dir), 0, "pin again")) {
		ld_close(&obj);
		CHECK(!stat(dir, &st), "%s still exists after close", dir);
	}
out:
	ld_close(&obj);
}

/* ---- walks ---------------------------------------------------------------- */

#define WALK_MAX	64	/* entries, and hash buckets */
#define WALK_KEYS	50

/* A hash map of __u32 keys and values, WALK_MAX entries; with a zero
 * hash seed, so that which keys share a bucket is the same every run. */
static int walk_map(void)
{
	union bpf_attr attr = {
		.map_type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 4,
		.max_entries = WALK_MAX, .map_flags = BPF_F_ZERO_SEED,
	};
	__u32 k;
	int fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));

	for (k = 0; fd >= 0 && k < WALK_KEYS; k++)
		if (bpf_map_update(fd, &k, &k, BPF_NOEXIST))
			return -1;
	return fd;
}

struct walk_seen {
	int fd;
	unsigned int calls, times[4 * WALK_MAX];
	__u32 next_new;		/* the key the next insert adds */
	enum { WALK_READ, WALK_UPDATE, WALK_DELETE, WALK_CHURN } what;
};

/* The change under the walk happens here, between two GET_NEXT_KEYs. */
static int walk_step(void *ctx, const void *key)
{
	struct walk_seen *w = ctx;
	__u32 k = *(const __u32 *)key, v = 1;

	w->calls++;
	if (k < sizeof(w->times) / sizeof(w->times[0]))
		w->times[k]++;
	switch (w->what) {
	case WALK_READ:
		break;
	case WALK_UPDATE:	/* moves K to the head of its bucket */
		bpf_map_update(w->fd, &k, &v, BPF_EXIST);
		break;
	case WALK_DELETE:	/* the next step starts from the first key */
		bpf_map_delete(w->fd, &k);
		break;
	case WALK_CHURN:	/* ...and there is always one more */
		bpf_map_delete(w->fd, &k);
		bpf_map_update(w->fd, &w->next_new, &v, BPF_NOEXIST);
		w->next_new++;
		break;
	}
	return 0;
}

/* Keys met more than once, and keys of 0..WALK_KEYS-1 never met. */
static void walk_tally(const struct walk_seen *w, int *twice, int *missed)
{
	size_t k;

	*twice = *missed = 0;
	for (k = 0; k < sizeof(w->times) / sizeof(w->times[0]); k++) {
		*twice += w->times[k] > 1;
		*missed += k < WALK_KEYS && !w->times[k];
	}
}

static void test_walk(void)
{
	struct walk_seen w;
	int fd, err, twice, missed;
	__u32 *keys;
	size_t n;
	long count;

	TEST("walk");
	fd = walk_map();
	if (CHECK(fd < 0, "cannot make a hash map: %s", strerror(errno)))
		return;
	capture_start();
	err = bpf_map_keys(fd, sizeof(*keys), (void **)&keys, &n);
	count = bpf_map_count(fd, sizeof(*keys));
	capture_end();
	CHECK_EQ(err, 0, "bpf_map_keys");
	CHECK_EQ(n, WALK_KEYS, "keys gathered");
	CHECK_EQ(count, WALK_KEYS, "bpf_map_count");
	CHECK(err_text[0], "a walk of a map that does not change said: %s", err_text);
	free(keys);

	/* A key of another size would be read past its end: refused. */
	TEST("walk_key_size");
	capture_start();
	err = bpf_map_keys(fd, 8, (void **)&keys, &n);
	capture_end();
	CHECK_EQ(err, -EINVAL, "bpf_map_keys with 8-byte keys on a map of 4");
	CHECK_SAID("has 4-byte keys, not 8: not walked");

	/* Each update moves a key to the head of its bucket, where the
	 * walk goes on from: the keys before it come again. */
	TEST("walk_update");
	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.what = WALK_UPDATE;
	capture_start();
	err = bpf_map_walk(fd, 4, walk_step, &w);
	capture_end();
	walk_tally(&w, &twice, &missed);
	CHECK_EQ(err, 0, "bpf_map_walk");
	CHECK_EQ(twice, 0, "keys passed twice while updated under the walk");
	CHECK_EQ(missed, 0, "keys missed while updated under the walk");
	CHECK(err_text[0], "a walk that updates said: %s", err_text);

	/* Deleting the current key sends the walk back to the first key,
	 * every time: still each key once, and all of them. */
	TEST("walk_delete");
	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.what = WALK_DELETE;
	err = bpf_map_walk(fd, 4, walk_step, &w);
	walk_tally(&w, &twice, &missed);
	CHECK_EQ(err, 0, "bpf_map_walk");
	CHECK_EQ(w.calls, WALK_KEYS, "keys passed while deleted under the walk");
	CHECK_EQ(missed, 0, "keys missed while deleted under the walk");
	CHECK_EQ(bpf_map_count(fd, 4), 0, "keys left");

	/* A map that never runs out of new keys (each one met is replaced
	 * by another): the walk ends, with a warning, after 2 * max_entries
	 * steps.  Without the bound this never returns. */
	TEST("walk_churn");
	close(fd);
	fd = walk_map();
	if (CHECK(fd < 0, "cannot make a hash map: %s", strerror(errno)))
		return;
	memset(&w, 0, sizeof(w));
	w.fd = fd;
	w.what = WALK_CHURN;
	w.next_new = WALK_KEYS;
	alarm(20);	/* a walk that goes round for ever fails, not hangs */
	capture_start();
	err = bpf_map_walk(fd, 4, walk_step, &w);
	capture_end();
	alarm(0);
	CHECK_EQ(err, -EAGAIN, "bpf_map_walk cut short: keys may be missing");
	CHECK(w.calls > 2 * WALK_MAX, "%u keys passed, more than 2 * max_entries", w.calls);
	CHECK_SAID("changed too much while it was read: stopped after 128 steps");
	close(fd);
}

/* ---- the machine ------------------------------------------------------------ */

static void test_cpus(void)
{
	TEST("possible_cpus");
	CHECK(expected_cpus() <= 0, "cannot read /sys/devices/system/cpu/possible");
	CHECK_EQ(bpf_num_possible_cpus(), expected_cpus(), "bpf_num_possible_cpus");
}

/* ---- BTF ---------------------------------------------------------------- */

/*
 * A BTF file made by hand, so the answers are known:
 *
 *   struct outer {				(kind_flag: bitfield offsets)
 *	int a;					 0
 *	struct {				 8
 *		int pad;			 8
 *		union { int u_a; int u_b; };	12
 *	};
 *	int flags:3;				16, a bitfield
 *	int last;				20
 *   };
 */
static const char btf_strs[] = "\0int\0u_a\0u_b\0pad\0outer\0a\0flags\0last";
#define S_INT 1
#define S_U_A 5
#define S_U_B 9
#define S_PAD 13
#define S_OUTER 17
#define S_A 23
#define S_FLAGS 25
#define S_LAST 31

static size_t make_btf(unsigned char *buf)
{
	__u32 types[] = {
		/* 1: int */
		S_INT, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32,
		/* 2: union { int u_a; int u_b; } */
		0, (BTF_KIND_UNION << 24) | 2, 4,
		S_U_A, 1, 0,
		S_U_B, 1, 0,
		/* 3: struct { int pad; union; } */
		0, (BTF_KIND_STRUCT << 24) | 2, 8,
		S_PAD, 1, 0,
		0, 2, 32,
		/* 4: struct outer */
		S_OUTER, (1u << 31) | (BTF_KIND_STRUCT << 24) | 4, 24,
		S_A, 1, 0,
		0, 3, 64,
		S_FLAGS, 1, (3u << 24) | 128,
		S_LAST, 1, 160,
	};
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = sizeof(types),
		.str_off = sizeof(types), .str_len = sizeof(btf_strs),
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), types, sizeof(types));
	memcpy(buf + sizeof(h) + sizeof(types), btf_strs, sizeof(btf_strs));
	return sizeof(h) + sizeof(types) + sizeof(btf_strs);
}

static int write_tmp(char *path, const void *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/ebph_test_btf_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* btf_blob_read(PATH) must fail, saying SAYS. */
static void expect_btf_refused(const char *path, const char *says)
{
	struct btf_blob *btf = NULL;
	int err;

	capture_start();
	err = btf_blob_read(path, &btf);
	capture_end();
	CHECK(err >= 0, "btf_blob_read accepted %s", path);
	CHECK_SAID(says);
	if (!err)
		btf_blob_free(btf);
}

/* ---- damaged copies ------------------------------------------------------ */

/* The whole of PATH, malloc'd; NULL on failure. */
static uint8_t *slurp(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	buf = fstat(fd, &st) ? NULL : malloc(st.st_size + 4096);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*size = st.st_size;
	close(fd);
	return buf;
}

/* Section SEC's header in BUF, the raw bytes of fixture PATH, found with
 * libelf on the file; NULL if absent. */
static Elf64_Shdr *raw_shdr(const char *path, uint8_t *buf, const char *sec)
{
	struct elf_file ef;
	Elf_Scn *scn;
	size_t idx = 0;

	if (elf_file_open(&ef, path, 0))
		return NULL;
	scn = elf_section(&ef, sec);
	if (scn)
		idx = elf_ndxscn(scn);
	elf_file_close(&ef);
	if (!idx)
		return NULL;
	return (Elf64_Shdr *)(buf + ((Elf64_Ehdr *)buf)->e_shoff) + idx;
}

/*
 * Cut short, a section moved past the end, instructions at an odd
 * offset: each is refused as truncated or corrupt, not as a stripped
 * object (a truncated copy used to be "no symbol table (was the object
 * stripped?)"), and the same bytes given in memory get the same answer
 * (ld_open_mem(), the fuzzer's way in).
 */
static void test_refuse_damaged(void)
{
	static const size_t cuts[] = { 40, 1000, 0 /* half */, 1 /* size - 1 */ };
	struct ld_obj obj;
	size_t size, i;
	uint8_t *good = slurp(GOOD, &size), *bad;
	Elf64_Shdr *sh;
	char path[64];
	int err;

	TEST("damaged_preconditions");
	if (CHECK(!good || size < 4000 || !raw_shdr(GOOD, good, RAW_SEC) ||
		  ((Elf64_Ehdr *)good)->e_shoff + 64 > size,
		  "fixture_good.o is not laid out as this test expects")) {
		free(good);
		return;
	}
	bad = malloc(size + 4096);
	if (CHECK(!bad, "malloc")) {
		free(good);
		return;
	}

	TEST("open_mem_good");
	err = ld_open_mem(&obj, "in memory", good, size, 0);
	CHECK_EQ(err, 0, "ld_open_mem of the fixture's bytes");
	CHECK(!err && (obj.nr_progs != 2 || !ld_find_prog(&obj, RAW_PROG)),
	      "in memory: %d programs", obj.nr_progs);
	ld_close(&obj);

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t n = cuts[i] == 0 ? size / 2 : cuts[i] == 1 ? size - 1 : cuts[i];

		TEST("refuse_truncated");
		if (CHECK(write_tmp(path, good, n), "cannot write a truncated copy"))
			continue;
		expect_open_refused(path, -EINVAL, "truncated or corrupt");
		CHECK(strstr(err_text, "stripped") != NULL,
		      "a copy cut to %zu of %zu bytes is called stripped:\n%s",
		      n, size, err_text);
		unlink(path);
		capture_start();
		err = ld_open_mem(&obj, "in memory", good, n, 0);
		capture_end();
		CHECK_EQ(err, -EINVAL, "ld_open_mem of the truncated bytes");
		CHECK_SAID("truncated or corrupt");
	}

	/* The section headers intact, one section's bytes past the end. */
	TEST("refuse_section_past_end");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, RAW_SEC);
	sh->sh_offset = size + 64;
	if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
		expect_open_refused(path, -EINVAL, "truncated or corrupt");
		CHECK_SAID("past the end of the file");
		CHECK_SAID(RAW_SEC);
		unlink(path);
	}

	/* The program's instructions moved to an odd offset at the end of
	 * the file: misaligned in memory, where libelf leaves them (the
	 * fuzzer's first finding, UBSan: misaligned struct bpf_insn). */
	TEST("refuse_misaligned_insns");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, RAW_SEC);
	bad[size] = 0;
	memcpy(bad + size + 1, good + sh->sh_offset, sh->sh_size);
	sh->sh_offset = size + 1;
	if (!CHECK(write_tmp(path, bad, size + 1 + sh->sh_size), "cannot write a patched copy")) {
		expect_open_refused(path, -EINVAL, "not aligned");
		CHECK_SAID(RAW_SEC);
		unlink(path);
	}
	/* The same move to an aligned offset loads: only alignment counts. */
	TEST("moved_aligned_control");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, RAW_SEC);
	memset(bad + size, 0, 8);
	memcpy(bad + size + 8, good + sh->sh_offset, sh->sh_size);
	sh->sh_offset = size + 8;
	err = ld_open_mem(&obj, "in memory", bad, size + 8 + sh->sh_size, 0);
	CHECK_EQ(err, 0, "the section moved to an aligned offset");
	ld_close(&obj);

	/* Relocations cut to a partial entry: libelf cannot give them,
	 * which used to read as "no relocations", and the program was
	 * taken with its map loads unpatched (found by the fuzzer). */
	TEST("refuse_corrupt_relocs");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, ".rel" RAW_SEC);
	if (!CHECK(!sh || sh->sh_size < 16, "no relocations for " RAW_SEC)) {
		sh->sh_size -= 3;
		if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
			expect_open_refused(path, -EINVAL, "corrupt relocation section");
			CHECK_SAID(RAW_SEC);
			unlink(path);
		}
	}

	/* A "maps" section with no bytes in the file (the fuzzer's was a
	 * DYNSYM libelf would not convert): read through a NULL pointer. */
	TEST("refuse_maps_not_bytes");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, "maps");
	if (!CHECK(!sh, "no maps section")) {
		sh->sh_type = SHT_NOBITS;
		if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
			expect_open_refused(path, -EINVAL, "corrupt: not a section of bytes");
			CHECK_SAID("section 'maps'");
			unlink(path);
		}
	}

	/* bump()'s symbol made to end inside its ld_imm64 (instructions 4
	 * and 5 of .text): the copy held only the first half, and the next
	 * function's first instruction as the second (found by the fuzzer). */
	TEST("refuse_ld_imm64_cut");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, ".symtab");
	i = elf_symbol(GOOD, "bump", NULL);
	if (!CHECK(!sh || (long)i < 0, "no symbol bump")) {
		Elf64_Sym *bump = (Elf64_Sym *)(bad + sh->sh_offset) + i;

		CHECK_EQ(bump->st_size, 80, "bump's size in fixture_good.o");
		bump->st_size = 5 * 8;
		if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
			expect_open_refused(path, -EINVAL, "the ld_imm64 at instruction 4 is cut in two");
			unlink(path);
		}
	}

	/* A map symbol so far out that its offset plus the definition's
	 * size wraps around: it passed the bounds check and was read from
	 * before the section (found by the fuzzer, UBSan: pointer overflow). */
	TEST("refuse_map_offset_wraps");
	memcpy(bad, good, size);
	sh = raw_shdr(GOOD, bad, ".symtab");
	i = elf_symbol(GOOD, "counts", NULL);
	{
		Elf64_Shdr *maps = raw_shdr(GOOD, bad, "maps");

		if (!CHECK(!sh || !maps || (long)i < 0 || maps->sh_size % 3,
			   "no symbol counts, or no maps of 3 definitions")) {
			Elf64_Sym *counts = (Elf64_Sym *)(bad + sh->sh_offset) + i;
			uint64_t def_sz = maps->sh_size / 3;

			counts->st_value = UINT64_MAX / def_sz * def_sz;
			if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
				expect_open_refused(path, -EINVAL, "is not a whole definition");
				unlink(path);
			}
		}
	}

	/* doubled()'s symbol one byte long in fixture_subprog.o, whose
	 * plus_one_doubled() calls it without a relocation: a callee of no
	 * instruction, so nothing was copied and the call was aimed before
	 * the program's first instruction (found by the fuzzer). */
	TEST("refuse_empty_callee");
	{
		size_t sub_size;
		uint8_t *sub = slurp("tests/fixture_subprog.o", &sub_size);
		long d = elf_symbol("tests/fixture_subprog.o", "doubled", NULL);

		/* ...and one so large that its end wraps around to before its
		 * start (the fuzzer's next one). */
		static const uint64_t sizes[] = { 1, -16ULL };

		sh = sub ? raw_shdr("tests/fixture_subprog.o", sub, ".symtab") : NULL;
		for (i = 0; i < 2 && !CHECK(!sh || d < 0, "fixture_subprog.o has no symbol doubled"); i++) {
			((Elf64_Sym *)(sub + sh->sh_offset))[d].st_size = sizes[i];
			if (!CHECK(write_tmp(path, sub, sub_size), "cannot write a patched copy")) {
				expect_open_refused(path, -EINVAL, "where no function starts");
				unlink(path);
			}
		}
		free(sub);
	}

	/* Not a regular file: a FIFO would block the open, or the read. */
	TEST("refuse_fifo");
	strcpy(path, "/tmp/ebph_test_fifo_XXXXXX");
	if (!CHECK(!mkdtemp(path), "mkdtemp")) {
		char fifo[80];

		snprintf(fifo, sizeof(fifo), "%s/obj.o", path);
		if (!CHECK(mkfifo(fifo, 0600), "mkfifo")) {
			expect_open_refused(fifo, -EINVAL, "not a regular file");
			unlink(fifo);
		}
		rmdir(path);
	}
	free(bad);
	free(good);
}

static void test_btf_synthetic(void)
{
	static const struct { const char *field; int err; __u32 off; } want[] = {
		{ "a", 0, 0 }, { "pad", 0, 8 }, { "u_a", 0, 12 }, { "u_b", 0, 12 },
		{ "last", 0, 20 }, { "flags", -EINVAL, 0 }, { "nosuchfield", -ENOENT, 0 },
	};
	unsigned char buf[512];
	char path[64];
	struct btf_blob *btf = NULL;
	size_t len = make_btf(buf), i;
	__u32 off;
	int err;

	TEST("btf_synthetic");
	if (CHECK(write_tmp(path, buf, len), "cannot write a BTF file"))
		return;
	err = btf_blob_read(path, &btf);
	if (!CHECK_EQ(err, 0, "btf_blob_read of the hand-made file")) {
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			off = 0xdead;
			err = btf_blob_member_offset(btf, "outer", want[i].field, &off);
			CHECK(err != want[i].err || (!err && off != want[i].off),
			      "outer.%s: error %d offset %u, want error %d offset %u",
			      want[i].field, err, off, want[i].err, want[i].off);
		}
		CHECK_EQ(btf_blob_member_offset(btf, "nosuchstruct", "a", &off), -ENOENT,
			 "a missing struct");
		btf_blob_free(btf);
	}
	unlink(path);

	TEST("btf_corrupt_synthetic");
	if (!write_tmp(path, buf, len - 3)) {		/* strings cut short */
		expect_btf_refused(path, "not a valid BTF file");
		unlink(path);
	}
	if (!write_tmp(path, buf, 20)) {		/* header cut short */
		expect_btf_refused(path, "not a valid BTF file");
		unlink(path);
	}
	buf[0] ^= 0xff;					/* bad magic */
	if (!write_tmp(path, buf, len)) {
		expect_btf_refused(path, "not a valid BTF file");
		unlink(path);
	}
	buf[0] ^= 0xff;
	buf[sizeof(struct btf_header) + 7] = 31;	/* type 1: kind 31 */
	if (!write_tmp(path, buf, len)) {
		expect_btf_refused(path, "unknown BTF kind 31");
		unlink(path);
	}
	len = make_btf(buf);
	((struct btf_header *)buf)->type_len -= 4;	/* ends inside a type */
	if (!write_tmp(path, buf, len)) {
		expect_btf_refused(path, "truncated BTF type section");
		unlink(path);
	}
}

static void test_btf_vmlinux(void)
{
	static const struct { const char *s, *f; unsigned int align; } fields[] = {
		{ "task_struct", "mm", 8 },
		{ "mm_struct", "exe_file", 8 },	/* in an anonymous struct on 6.x */
		{ "file", "f_inode", 8 },
		{ "inode", "i_ino", 8 },
		{ "inode", "i_sb", 8 },
		{ "super_block", "s_dev", 4 },
	};
	struct btf_blob *btf = NULL;
	__u32 off;
	size_t i;
	int err;

	TEST("btf_vmlinux");
	err = btf_blob_read("/sys/kernel/btf/vmlinux", &btf);
	if (CHECK_EQ(err, 0, "btf_blob_read /sys/kernel/btf/vmlinux"))
		return;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		off = 0;
		err = btf_blob_member_offset(btf, fields[i].s, fields[i].f, &off);
		CHECK(err, "%s.%s: %d", fields[i].s, fields[i].f, err);
		/* None of them is a struct's first member. */
		CHECK(!err && (off == 0 || off % fields[i].align),
		      "%s.%s at %u", fields[i].s, fields[i].f, off);
	}
	/* super_block has begun with a list_head then s_dev for decades. */
	CHECK(btf_blob_member_offset(btf, "super_block", "s_dev", &off) || off != 16,
	      "super_block.s_dev at %u, want 16", off);
	CHECK_EQ(btf_blob_member_offset(btf, "task_struct", "no_such_field", &off), -ENOENT,
		 "a missing field");
	CHECK_EQ(btf_blob_member_offset(btf, "no_such_struct_ebph", "mm", &off), -ENOENT,
		 "a missing struct");
	btf_blob_free(btf);

	TEST("btf_missing_file");
	err = 0;
	capture_start();
	err = btf_blob_read("/tmp/ebph_no_such_btf_file", &btf);
	capture_end();
	CHECK_EQ(err, -ENOENT, "btf_blob_read of a missing file");
}

/* A truncated copy of the kernel's BTF. */
static void test_btf_truncated(void)
{
	static char buf[1 << 20];
	char path[64];
	size_t got = 0;
	ssize_t n;
	int fd;

	TEST("btf_truncated_vmlinux");
	fd = open("/sys/kernel/btf/vmlinux", O_RDONLY);
	if (CHECK(fd < 0, "cannot read /sys/kernel/btf/vmlinux"))
		return;
	/* sysfs hands it out a page at a time: take the first megabyte. */
	while (got < sizeof(buf) && (n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	close(fd);
	if (CHECK(got != sizeof(buf), "short read of vmlinux BTF: %zu", got))
		return;
	if (!CHECK(write_tmp(path, buf, sizeof(buf)), "cannot write a copy")) {
		expect_btf_refused(path, "not a valid BTF file");
		unlink(path);
	}
}

/* ---- the object's BTF ---------------------------------------------------- */

/* Lines in what was captured. */
static int said_lines(void)
{
	const char *c;
	int n = 0;

	for (c = err_text; *c; c++)
		n += *c == '\n';
	return n;
}

/*
 * fixture_subprog.o, built with -g as every fixture is: its BTF loaded,
 * each program given one func_info per function it holds (its own, then
 * the .text functions appended to it) and line_info.  The kernel checks
 * that a func_info starts each function, so the load itself says the
 * .text records were moved to where the loader copied the functions;
 * the test checks it too, on the calls.
 */
static void test_btf_object(void)
{
	static const struct { const char *prog; unsigned int funcs; } want[] = {
		{ RAW_PROG, 3 },			/* plus_one_doubled(), doubled() */
		{ "raw_tracepoint__sys_exit", 2 },	/* times_three() */
	};
	struct bpf_prog_info info;
	struct ld_obj obj;
	size_t i, k, c;
	int fds = count_fds(), err;

	TEST("btf_object_loaded");
	if (CHECK(ld_open(&obj, "tests/fixture_subprog.o", 0), "cannot open fixture_subprog.o"))
		return;
	capture_start();
	err = ld_load(&obj);
	capture_end();
	if (CHECK(err, "ld_load: %d\n%s", err, err_text)) {
		ld_close(&obj);
		return;
	}
	CHECK(obj.btf.fd < 0, "no BTF fd after ld_load");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ld_prog *p = ld_find_prog(&obj, want[i].prog);

		if (CHECK(!p || prog_info(p->fd, &info), "no program %s", want[i].prog))
			continue;
		CHECK(!info.btf_id, "%s: btf_id 0: loaded without BTF", p->name);
		CHECK_EQ(info.nr_func_info, want[i].funcs, p->name);
		CHECK(!info.nr_line_info, "%s: no line_info", p->name);
		CHECK_EQ(p->nr_func_info, want[i].funcs, "the loader's func_info");
		CHECK(p->nr_func_info && p->func_info[0].insn_off,
		      "%s: the first func_info is not at instruction 0", p->name);
		/* Every other one at an appended function a call lands on. */
		for (k = 1; k < p->nr_func_info; k++) {
			for (c = 0; c < p->insn_cnt; c++)
				if (p->insns[c].code == CALL && p->insns[c].src_reg == BPF_PSEUDO_CALL &&
				    (long)c + p->insns[c].imm + 1 == (long)p->func_info[k].insn_off)
					break;
			CHECK(p->func_info[k].insn_off < p->text_off || c == p->insn_cnt,
			      "%s: func_info %zu at instruction %u, where no call lands",
			      p->name, k, p->func_info[k].insn_off);
		}
	}
	ld_close(&obj);
	CHECK_EQ(count_fds(), fds, "descriptors open after closing");

	/* The same fixture without .BTF and .BTF.ext (make fuzz-seeds
	 * strips them for the fuzzer): it loads as objects always did. */
	TEST("btf_absent_loads");
	if (CHECK(ld_open(&obj, "tests/corpus_elf/fixture_subprog", 0),
		  "cannot open tests/corpus_elf/fixture_subprog"))
		return;
	CHECK(obj.btf.data != NULL, "BTF found in an object without .BTF");
	err = ld_load(&obj);
	CHECK_EQ(err, 0, "ld_load without BTF");
	if (!err && !CHECK(prog_info(obj.progs[0].fd, &info), "BPF_OBJ_GET_INFO_BY_FD"))
		CHECK(info.btf_id || info.nr_func_info || info.nr_line_info,
		      "a program without BTF has btf_id %u", info.btf_id);
	ld_close(&obj);
}

/* A map whose types BPF_MAP_TYPES() names is created with them, and
 * one without keeps none (fixture_map_types.o). */
static void test_btf_map_types(void)
{
	struct bpf_map_info info;
	struct ld_obj obj;
	struct ld_map *m;
	int err;

	TEST("btf_map_types");
	if (CHECK(ld_open(&obj, "tests/fixture_map_types.o", 0), "cannot open fixture_map_types.o"))
		return;
	capture_start();
	err = ld_load(&obj);
	capture_end();
	if (!CHECK(err, "ld_load: %d\n%s", err, err_text)) {
		m = ld_find_map(&obj, "pairs");
		if (!CHECK(!m || map_info(m->fd, &info), "no map pairs"))
			CHECK(!info.btf_id || !info.btf_key_type_id || !info.btf_value_type_id,
			      "pairs: btf %u, key type %u, value type %u", info.btf_id,
			      info.btf_key_type_id, info.btf_value_type_id);
		m = ld_find_map(&obj, "plain");
		if (!CHECK(!m || map_info(m->fd, &info), "no map plain"))
			CHECK(info.btf_key_type_id || info.btf_value_type_id,
			      "plain has types without BPF_MAP_TYPES()");
	}
	ld_close(&obj);
}

/* With line_info, the verifier's log quotes the source of each step,
 * and the line it refused. */
static void test_btf_source_lines(void)
{
	struct ld_obj obj;

	TEST("btf_verifier_source_line");
	if (CHECK(ld_open(&obj, "tests/fixture_verifier.o", 0),
		  "fixture_verifier.o refused at open"))
		return;
	capture_start();
	ld_load(&obj);
	capture_end();
	ld_close(&obj);
	CHECK_SAID("; *v += 1;");		/* the line the verifier refused */
	CHECK_SAID("@ fixture_verifier.c:21");
}

/*
 * A damaged .BTF or .BTF.ext is refused at open in one line naming the
 * section; a .BTF this loader takes but the kernel does not is refused
 * by ld_load() in one line with the kernel's reason, before any map is
 * created.
 */
static void test_btf_refused(void)
{
	size_t size;
	uint8_t *good = slurp(GOOD, &size), *bad = good ? malloc(size) : NULL;
	Elf64_Shdr *sh, *ext;
	struct btf_header *h;
	struct ld_obj obj;
	char path[64];
	int fds, err;

	TEST("btf_preconditions");
	sh = good ? raw_shdr(GOOD, good, ".BTF") : NULL;
	ext = good ? raw_shdr(GOOD, good, ".BTF.ext") : NULL;
	if (CHECK(!bad || !sh || !ext || sh->sh_size < 100 || ext->sh_size < 100,
		  GOOD " has no .BTF and .BTF.ext (built without -g?)"))
		goto out;

	TEST("refuse_btf_truncated_header");
	memcpy(bad, good, size);
	raw_shdr(GOOD, bad, ".BTF")->sh_size = 10;
	if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
		expect_open_refused(path, -EINVAL,
				    "section '.BTF': corrupt: 10 bytes, shorter than a BTF header");
		CHECK_EQ(said_lines(), 1, "lines said");
		unlink(path);
	}

	TEST("refuse_btf_types_past_end");
	memcpy(bad, good, size);
	h = (struct btf_header *)(bad + sh->sh_offset);
	h->type_len += 4096;
	if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
		expect_open_refused(path, -EINVAL, "section '.BTF': corrupt: types or strings past the end");
		unlink(path);
	}

	TEST("refuse_btf_ext_truncated");
	memcpy(bad, good, size);
	raw_shdr(GOOD, bad, ".BTF.ext")->sh_size = 12;
	if (!CHECK(write_tmp(path, bad, size), "cannot write a patched copy")) {
		expect_open_refused(path, -EINVAL, "section '.BTF.ext': corrupt: a header that does not fit");
		CHECK_EQ(said_lines(), 1, "lines said");
		unlink(path);
	}

	/* Type 1 (a pointer) aimed at a type that does not exist: a blob
	 * this loader passes on, which the kernel checks and refuses. */
	TEST("btf_kernel_refuses");
	memcpy(bad, good, size);
	((__u32 *)(bad + sh->sh_offset + ((struct btf_header *)(good + sh->sh_offset))->hdr_len))[2] =
		0x7fffffff;
	fds = count_fds();
	err = ld_open_mem(&obj, "patched.o", bad, size, 0);
	if (!CHECK_EQ(err, 0, "ld_open_mem of a .BTF only the kernel can judge")) {
		capture_start();
		err = ld_load(&obj);
		capture_end();
		CHECK_EQ(err, -EINVAL, "ld_load's error");
		CHECK_SAID("patched.o: section '.BTF': BPF_BTF_LOAD: Invalid argument; the kernel says: ");
		CHECK_EQ(said_lines(), 1, "lines said");
		CHECK(obj.maps[0].fd >= 0 || obj.progs[0].fd >= 0,
		      "a map or a program was made without the BTF");
	}
	ld_close(&obj);
	CHECK_EQ(count_fds(), fds, "descriptors open after the refusal");
out:
	free(good);
	free(bad);
}

int main(int argc, char **argv)
{
	test_chdir_top();
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* No syscalls: the ELF side. */
	test_parse_good();
	test_parse_verbose();
	test_lookup();
	test_parse_long_maps();
	test_refuse_files();
	test_refuse_fixtures();
	test_overlap();
	test_refuse_patched();
	test_cpus();
	test_btf_synthetic();
	test_refuse_damaged();

	/* Root and a kernel. */
	test_load_good();
	test_optional_attach();
	test_static_map();
	test_unused_subprog();
	test_verifier_refusal();
	test_verifier_log_tail();
	test_pin();
	test_walk();
	test_btf_vmlinux();
	test_btf_truncated();
	test_btf_object();
	test_btf_map_types();
	test_btf_source_lines();
	test_btf_refused();

	return test_summary();
}
