// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_sha256.c - sha256.c against the NIST vectors (FIPS 180-4's
 * examples and the Secure Hash Algorithm Validation System's), whole and
 * streamed in chunks of odd sizes, and sha256_fd() on a file; every
 * length from 0 to 200 (each way the padding falls in a block) against
 * coreutils' sha256sum.
 */
#include <stdlib.h>

#include "sha256.h"
#include "test.h"

static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
	{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

/* One million 'a': FIPS 180-4's long example. */
#define MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void check_hex(const uint8_t d[SHA256_LEN], const char *want, const char *what)
{
	char hex[2 * SHA256_LEN + 1];

	sha256_hex(d, hex);
	CHECK(strcmp(hex, want), "%s: got %s, want %s", what, hex, want);
}

int main(void)
{
	static const size_t chunks[] = { 1, 3, 7, 55, 56, 63, 64, 65, 127, 1000, 4093 };
	uint8_t d[SHA256_LEN];
	struct sha256 s;
	char *a, path[] = "/tmp/ebph-sha256.XXXXXX";
	size_t i, j, off, len;
	int fd;

	TEST("vectors");
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		sha256(vectors[i].msg, strlen(vectors[i].msg), d);
		check_hex(d, vectors[i].hex, vectors[i].msg);
	}

	TEST("streamed");
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			len = strlen(vectors[i].msg);
			sha256_init(&s);
			for (off = 0; off < len; off += chunks[j])
				sha256_update(&s, vectors[i].msg + off,
					      len - off < chunks[j] ? len - off : chunks[j]);
			sha256_final(&s, d);
			check_hex(d, vectors[i].hex, vectors[i].msg);
		}
	}

	TEST("million a");
	a = malloc(1000000);
	if (CHECK(!a, "out of memory"))
		return test_summary();
	memset(a, 'a', 1000000);
	sha256(a, 1000000, d);
	check_hex(d, MILLION_A, "whole");
	for (j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
		sha256_init(&s);
		for (off = 0; off < 1000000; off += chunks[j])
			sha256_update(&s, a + off,
				      1000000 - off < chunks[j] ? 1000000 - off : chunks[j]);
		sha256_final(&s, d);
		check_hex(d, MILLION_A, "streamed");
	}

	TEST("fd");
	fd = mkstemp(path);
	if (!CHECK(fd < 0, "mkstemp")) {
		CHECK(write(fd, a, 1000000) != 1000000, "write");
		lseek(fd, 0, SEEK_SET);
		CHECK(sha256_fd(fd, d), "sha256_fd");
		check_hex(d, MILLION_A, "sha256_fd");
		close(fd);
		unlink(path);
	}

	/* The vectors above miss the lengths where the padding spills into
	 * a block of its own (55 and 56 mod 64): every length, against an
	 * implementation that is not this one. */
	TEST("lengths");
	strcpy(path, "/tmp/ebph-sha256.XXXXXX");
	fd = mkstemp(path);
	if (!CHECK(fd < 0, "mkstemp")) {
		for (len = 0; len <= 200; len++) {
			char cmd[128], want[2 * SHA256_LEN + 1] = "";
			FILE *f;

			for (i = 0; i < len; i++)
				a[i] = (char)(i * 7 + len);
			CHECK(ftruncate(fd, 0) || pwrite(fd, a, len, 0) != (ssize_t)len, "write");
			snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
			f = popen(cmd, "r");
			if (CHECK(!f, "popen"))
				break;
			CHECK(fscanf(f, "%64s", want) != 1, "sha256sum output");
			pclose(f);
			sha256(a, len, d);
			check_hex(d, want, "length");
		}
		close(fd);
		unlink(path);
	}
	free(a);
	return test_summary();
}
