// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_syscalls.c - the syscall name tables against an independent
 * source.
 *
 * syscall_names.c was written from the kernel's syscall_64.tbl and
 * syscall_32.tbl.  The installed uapi headers were generated from the
 * same tables (for Linux 6.1), so every __NR_ they define must name the
 * same call here, and every name here below the headers' last number
 * must be in them, save the few calls added since.  Past the headers
 * (451..469) the names are checked by hand against the 6.18 table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebph.h"
#include "syscall_names.h"
#include "test.h"

#define UNISTD_64 "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
#define UNISTD_32 "/usr/include/x86_64-linux-gnu/asm/unistd_32.h"
#define MAX_NR 1024

/*
 * Calls in the 6.18 tables below the headers' highest number that the
 * 6.1 headers do not have: x86_64-only additions in the old 3xx range.
 */
static const unsigned int newer_x86_64[] = { 335 /* uretprobe */, 336 /* uprobe */ };

/* Read "#define __NR_name number" lines into names[number].  Returns the
 * count found, or -1 when the header is not there. */
static int parse_unistd(const char *path, char *names[MAX_NR])
{
	char line[256], name[128];
	unsigned int nr;
	int found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define __NR_%127s %u", name, &nr) != 2)
			continue;
		if (nr >= MAX_NR)
			continue;
		free(names[nr]);
		names[nr] = strdup(name);
		found++;
	}
	fclose(f);
	return found;
}

static int in_list(unsigned int nr, const unsigned int *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == nr)
			return 1;
	return 0;
}

/* Compare LOOKUP with the header at PATH; NEWER lists the numbers the
 * header may lack; REVERSE, when set, must map each name back. */
static void check_against_header(const char *abi, const char *path,
				 const char *(*lookup)(unsigned int),
				 const unsigned int *newer, size_t n_newer,
				 int (*reverse)(const char *))
{
	char *names[MAX_NR] = { 0 };
	unsigned int nr, max = 0;
	int found = parse_unistd(path, names);

	if (found < 0) {
		printf("SKIP %s: %s not installed (linux-libc-dev)\n", abi, path);
		return;
	}
	CHECK(found < 300, "%s: only %d __NR_ lines in %s", abi, found, path);

	for (nr = 0; nr < MAX_NR; nr++) {
		const char *mine = lookup(nr);

		if (!names[nr])
			continue;
		max = nr;
		CHECK(!mine || strcmp(mine, names[nr]) != 0,
		      "%s %u: header says %s, table says %s", abi, nr,
		      names[nr], mine ? mine : "(none)");
		if (reverse)
			CHECK_EQ(reverse(names[nr]), nr, names[nr]);
	}
	/* The other direction: nothing named here that the headers lack,
	 * below their last number, unless it is known to be newer. */
	for (nr = 0; nr <= max; nr++) {
		if (!lookup(nr) || names[nr])
			continue;
		CHECK(!in_list(nr, newer, n_newer),
		      "%s %u: table names %s, header has no such call",
		      abi, nr, lookup(nr));
	}
	for (nr = 0; nr < MAX_NR; nr++)
		free(names[nr]);
}

/* Linux 6.18 added these after the 6.1 headers, on every architecture
 * with the same numbers (syscall_64.tbl and syscall_32.tbl alike). */
static const char *const after_450[] = {
	"cachestat", "fchmodat2", "map_shadow_stack", "futex_wake",
	"futex_wait", "futex_requeue", "statmount", "listmount",
	"lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules",
	"mseal", "setxattrat", "getxattrat", "listxattrat", "removexattrat",
	"open_tree_attr", "file_getattr", "file_setattr",
};

static void test_after_headers(void)
{
	unsigned int i, nr;

	TEST("after_450");
	for (i = 0; i < sizeof(after_450) / sizeof(after_450[0]); i++) {
		const char *a = syscall_name(451 + i);
		const char *b = syscall_name_i386(451 + i);

		CHECK(!a || strcmp(a, after_450[i]),
		      "x86_64 %u: %s, want %s", 451 + i, a ? a : "(none)", after_450[i]);
		CHECK(!b || strcmp(b, after_450[i]),
		      "i386 %u: %s, want %s", 451 + i, b ? b : "(none)", after_450[i]);
	}
	CHECK_EQ(syscall_table_size(), 470, "x86_64 table size");
	CHECK_EQ(syscall_table_size_i386(), 470, "i386 table size");
	CHECK(!syscall_name(335) || strcmp(syscall_name(335), "uretprobe"),
	      "x86_64 335");
	CHECK(!syscall_name(336) || strcmp(syscall_name(336), "uprobe"),
	      "x86_64 336");

	/* The holes: no name, not a made-up one. */
	for (nr = 337; nr < 424; nr++)
		CHECK(syscall_name(nr) != NULL, "x86_64 %u is a hole, got %s",
		      nr, syscall_name(nr));
	for (nr = 387; nr < 393; nr++)
		CHECK(syscall_name_i386(nr) != NULL, "i386 %u is a hole", nr);
	CHECK(syscall_name_i386(415) != NULL, "i386 415 is a hole");
	CHECK(syscall_name(470) != NULL, "x86_64 470 (listns is 6.19)");
	CHECK(syscall_name(511) != NULL, "x86_64 511");
	CHECK(syscall_name(512) != NULL, "x86_64 512 (x32 range)");
	CHECK(syscall_name(~0u) != NULL, "x86_64 ~0");
	CHECK(syscall_name_i386(~0u) != NULL, "i386 ~0");
}

static void test_i386_spots(void)
{
	static const struct { unsigned int nr; const char *name; } spots[] = {
		{ 1, "exit" }, { 3, "read" }, { 4, "write" }, { 5, "open" },
		{ 11, "execve" }, { 102, "socketcall" }, { 162, "nanosleep" },
		{ 192, "mmap2" }, { 240, "futex" }, { 252, "exit_group" },
		{ 385, "io_pgetevents" }, { 386, "rseq" }, { 393, "semget" },
		{ 423, "sched_rr_get_interval_time64" },
	};
	unsigned int i;

	TEST("i386_spots");
	for (i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		const char *got = syscall_name_i386(spots[i].nr);

		CHECK(!got || strcmp(got, spots[i].name), "i386 %u: %s, want %s",
		      spots[i].nr, got ? got : "(none)", spots[i].name);
	}
}

static void test_fmt_and_number(void)
{
	char buf[32];

	TEST("fmt_number");
	syscall_name_fmt(257, buf, sizeof(buf));
	CHECK(strcmp(buf, "openat"), "257: %s", buf);
	syscall_name_fmt(400, buf, sizeof(buf));
	CHECK(strcmp(buf, "syscall_400"), "400: %s", buf);
	/* Symbols from EBPH_I386 on are i386 calls. */
	syscall_name_fmt(EBPH_I386 + 11, buf, sizeof(buf));
	CHECK(strcmp(buf, "i386:execve"), "i386 11: %s", buf);
	syscall_name_fmt(EBPH_I386 + 222, buf, sizeof(buf));
	CHECK(strcmp(buf, "i386:syscall_222"), "i386 222 (a hole): %s", buf);
	syscall_name_fmt(EBPH_NUM_CALLS + 5, buf, sizeof(buf));
	CHECK(strcmp(buf, "syscall_1029"), "past the alphabet: %s", buf);
	CHECK_EQ(syscall_number("i386:execve"), EBPH_I386 + 11, "i386:execve");
	CHECK_EQ(syscall_number("i386:syscall_222"), EBPH_I386 + 222, "i386:syscall_222");
	CHECK_EQ(syscall_number("i386:syscall_512"), -1, "i386:syscall_512");
	CHECK_EQ(syscall_number("i386:openat"), EBPH_I386 + 295, "i386:openat");
	CHECK_EQ(syscall_number("i386:"), -1, "i386: alone");
	syscall_name_fmt(257, buf, 4);
	CHECK(strcmp(buf, "ope"), "truncated: %s", buf);
	buf[0] = 'x';
	syscall_name_fmt(257, buf, 0);
	CHECK(buf[0] != 'x', "len 0 wrote into the buffer");

	CHECK_EQ(syscall_number("read"), 0, "read");
	CHECK_EQ(syscall_number("openat"), 257, "openat");
	CHECK_EQ(syscall_number("file_setattr"), 469, "file_setattr");
	CHECK_EQ(syscall_number("uprobe"), 336, "uprobe");
	CHECK_EQ(syscall_number("socketcall"), -1, "socketcall (i386 only)");
	CHECK_EQ(syscall_number("nope"), -1, "nope");
	CHECK_EQ(syscall_number(""), -1, "empty");
	CHECK_EQ(syscall_number(NULL), -1, "NULL");
	CHECK_EQ(syscall_number("syscall_400"), 400, "syscall_400");
	CHECK_EQ(syscall_number("syscall_0"), 0, "syscall_0");
	CHECK_EQ(syscall_number("syscall_"), -1, "syscall_");
	CHECK_EQ(syscall_number("syscall_4x"), -1, "syscall_4x");
	CHECK_EQ(syscall_number("syscall_-1"), -1, "syscall_-1");
	CHECK_EQ(syscall_number("syscall_99999999999999999999"), -1, "huge");
	CHECK_EQ(syscall_number("READ"), -1, "case matters");
}

/* A packed sequence: 10 bits a call, the newest lowest, 0x3ff empty. */
static void test_seq_fmt(void)
{
	/* newest close (3), then read (0), then openat (257), 3 empty */
	unsigned long long seq = 3ULL | 0ULL << 10 | 257ULL << 20 |
				 0x3ffULL << 30 | 0x3ffULL << 40 | 0x3ffULL << 50;
	char buf[64];

	TEST("seq_fmt");
	CHECK(strcmp(syscall_seq_fmt(seq, NULL, buf, sizeof(buf)),
		     "openat read close"), "empty slots left out: '%s'", buf);
	CHECK(strcmp(syscall_seq_fmt(seq, "-", buf, sizeof(buf)),
		     "- - - openat read close"), "empty slots as '-': '%s'", buf);
	CHECK(strcmp(syscall_seq_fmt(seq, NULL, buf, 12), "openat read"),
	      "a short buffer keeps whole names: '%s'", buf);
	CHECK(strcmp(syscall_seq_fmt(seq, NULL, buf, 4), ""),
	      "no room for the first name: '%s'", buf);
}

int main(void)
{
	TEST("x86_64_header");
	check_against_header("x86_64", UNISTD_64, syscall_name, newer_x86_64,
			     sizeof(newer_x86_64) / sizeof(newer_x86_64[0]),
			     syscall_number);
	TEST("i386_header");
	check_against_header("i386", UNISTD_32, syscall_name_i386, NULL, 0, NULL);
	test_after_headers();
	test_i386_spots();
	test_fmt_and_number();
	test_seq_fmt();
	return test_summary();
}
