// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_width.c - the text tables' columns (ebph_width(), ebph_cut(),
 * ebph_pad() in ebph_log.c): measured in what a terminal
 * shows, in a UTF-8 locale, for wide (CJK) characters, combining marks,
 * bytes that are not UTF-8, and in the C locale; and that a column of
 * any of them ends where a column of ASCII ends.
 */
#define _GNU_SOURCE
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebph_log.h"
#include "test.h"

#define CJK	"\xe6\x97\xa5\xe6\x9c\xac"	/* 日本: two wide characters */
#define E_ACUTE	"e\xcc\x81"			/* e + U+0301 combining acute */

static void check_cut(const char *s, int width, const char *want, const char *what)
{
	char buf[64];

	ebph_cut(s, width, buf, sizeof(buf));
	CHECK(strcmp(buf, want), "%s: cut to %d: got '%s', want '%s'", what, width, buf, want);
}

static void check_pad(const char *s, int width, const char *want, const char *what)
{
	char buf[64];

	ebph_pad(s, width, buf, sizeof(buf));
	CHECK(strcmp(buf, want), "%s: pad to %d: got '%s', want '%s'", what, width, buf, want);
	CHECK_EQ(ebph_width(buf), width, what);
}

static void test_utf8(void)
{
	char buf[64];

	TEST("utf8");
	CHECK_EQ(ebph_width("ls"), 2, "ASCII");
	CHECK_EQ(ebph_width(""), 0, "empty");
	CHECK_EQ(ebph_width(CJK), 4, "two wide characters");
	CHECK_EQ(ebph_width("caf\xc3\xa9"), 4, "one two-byte character");
	CHECK_EQ(ebph_width("caf" E_ACUTE), 4, "a combining mark takes no column");
	CHECK_EQ(ebph_width("a\xff" "b"), 3, "a byte that is not UTF-8 takes one");
	CHECK_EQ(ebph_width("a\xe6\x97"), 3, "a character cut short: a column per byte");

	/* A wide character is kept whole or not at all. */
	check_cut(CJK, 4, CJK, "wide, fits");
	check_cut(CJK, 3, "\xe6\x97\xa5", "wide, one fits");
	check_cut(CJK, 1, "", "wide, none fits");
	/* A combining mark stays with its letter. */
	check_cut("caf" E_ACUTE "s", 4, "caf" E_ACUTE, "combining");
	check_cut("caf" E_ACUTE, 3, "caf", "combining, its letter cut");
	check_cut("ab\xff" "cd", 3, "ab\xff", "invalid byte");
	check_cut("abcdef", 3, "abc", "ASCII");
	check_cut("abc", 0, "", "no room");

	check_pad(CJK, 6, CJK "  ", "wide");
	check_pad(CJK, 3, "\xe6\x97\xa5 ", "wide cut, a space for its half");
	check_pad("caf" E_ACUTE, 6, "caf" E_ACUTE "  ", "combining");
	check_pad("\xff\xfe", 4, "\xff\xfe  ", "invalid");
	check_pad("toolongname", 4, "tool", "cut");

	/* Only what fits in the buffer, cut at a whole character. */
	ebph_cut(CJK, 10, buf, 5);
	CHECK(strcmp(buf, "\xe6\x97\xa5"), "a small buffer: got '%s'", buf);
	ebph_pad("abc", 10, buf, 5);
	CHECK(strcmp(buf, "abc "), "a small buffer, padded: got '%s'", buf);
}

/* Columns after a name of each kind start at the same place on screen. */
static void test_column(void)
{
	static const char *names[] = { "ls", CJK "x", "caf" E_ACUTE, "a\xff",
				       CJK CJK CJK CJK CJK };
	char *text = NULL, line[256], col[64];
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	TEST("column");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fputs(ebph_pad(names[i], 7, col, sizeof(col)), f);
		fputs("|\n", f);
	}
	fclose(f);
	f = fmemopen(text, len, "r");
	while (fgets(line, sizeof(line), f)) {
		char *bar = strrchr(line, '|');

		*bar = 0;
		CHECK_EQ(ebph_width(line), 7, line);
	}
	fclose(f);
	free(text);
}

/* In the C locale there are no wide characters: a byte, a column. */
static void test_c_locale(void)
{
	TEST("C locale");
	setlocale(LC_CTYPE, "C");
	CHECK_EQ(ebph_width(CJK), 6, "bytes");
	check_cut(CJK, 4, "\xe6\x97\xa5\xe6", "by bytes");
}

int main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		printf("FAIL width: no C.UTF-8 locale\n");
		return 1;
	}
	test_utf8();
	test_column();
	test_c_locale();
	return test_summary();
}
