// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz_profile.c - libFuzzer target for the profile reader (make
 * fuzz).
 *
 * The input is the content of a profile file.  profile_parse() is the
 * parser profile_load() runs once a file has passed its owner, mode and
 * size checks, so this is the reader a file on disk meets.  Each input
 * is parsed twice: as it is, and with its checksum recomputed, because
 * a fuzzer cannot forge FNV-1a by mutation and would otherwise never get
 * past it to the fields.  The name given is the one the key in the
 * header asks for, so the name check passes too.
 *
 * Besides what ASan and UBSan catch, the target aborts if parsing into
 * a record and checking only (REC NULL, as profile_save() checks the
 * file it replaces) disagree, or if an accepted profile breaks what
 * profile_store.h promises: a NUL-terminated path, rows only where the
 * record has them, at most PROFILE_MAX_SEQS sequences in order.
 *
 * Seeds: tests/corpus_profile/ (files profile_save() wrote, of several
 * kinds, and every input a run found; make fuzz-seeds).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_store.h"

/* CLOCK_REALTIME - CLOCK_BOOTTIME on a machine up for a day in 2026,
 * what ebph passes: the file is hostile, the clock is not. */
#define BOOT_TO_REAL_NS	1796000000000000000LL

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_profile: broken promise: %s\n", what);
		abort();
	}
}

static void parse(const uint8_t *data, size_t size)
{
	static struct ebph_profile_rec rec;	/* 8.5 KB: not on the stack */
	char name[PROFILE_NAME_LEN], why[160];
	uint64_t key = 0;
	size_t i;
	int err, err_check;

	for (i = 0; i < 8 && 24 + i < size; i++)
		key |= (uint64_t)data[24 + i] << (8 * i);
	profile_file_name(key, name);

	err_check = profile_parse(data, size, name, NULL, BOOT_TO_REAL_NS, why, sizeof(why));
	err = profile_parse(data, size, name, &rec, BOOT_TO_REAL_NS, why, sizeof(why));
	check(err == err_check || err == -ENOMEM, "parse and check-only agree");
	if (err) {
		check(!rec.seqs && !rec.nseqs, "a refused profile leaves the record empty");
		check(memchr(why, 0, sizeof(why)) != NULL, "a reason");
		return;
	}
	check(rec.prof.key == key, "the key is the header's");
	check(memchr(rec.path, 0, sizeof(rec.path)) != NULL, "path NUL-terminated");
	check(rec.nseqs <= PROFILE_MAX_SEQS, "sequence count");
	for (i = 1; i < rec.nseqs; i++)
		check(rec.seqs[i - 1].seq < rec.seqs[i].seq, "sequences in order");
	profile_rec_free(&rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint64_t sum;
	size_t i;

	parse(data, size);
	if (size < PROFILE_SUM_SIZE)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sum = profile_fnv1a64(copy, size - PROFILE_SUM_SIZE);
	for (i = 0; i < 8; i++)
		copy[size - PROFILE_SUM_SIZE + i] = sum >> (8 * i);
	parse(copy, size);
	free(copy);
	return 0;
}
