// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_json.c - `ebph run --json` lines, for every event kind,
 * including the kernel messages a live test cannot provoke (a full map,
 * an unreadable inode), and strings no JSON parser should choke on: a
 * comm with quotes, backslashes and control characters, and a path that
 * is not UTF-8.  Python's json module is the judge: it parses each line
 * and the test compares what it read with what went in.  The sequence
 * detector's fields too: seq_miss in an anomaly, a learned sequence in
 * new_seq, the seqs map full.  The audit trail's lines (audit,
 * config_change).  And ebph_escape(), the text form of the same hostile
 * strings: what it makes of each kind of byte, and where it cuts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ebph.h"
#include "ebph_log.h"
#include "ebph_origin.h"
#include "test.h"

/* The sequence read close openat (newest first), then two empty slots,
 * as ebph_seq_pack() packs it: 10 bits a slot, the newest lowest. */
#define PACKED	(0ULL | 3ULL << 10 | 257ULL << 20 | 0x3ffULL << 30 | \
		 0x3ffULL << 40 | 0x3ffULL << 50)

/* 2026-11-21T12:13:57.123456789Z */
#define T0	1795263237123456789ULL

/* A container's cgroup, as systemd names docker's. */
#define CID	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CGROUP	"/system.slice/docker-" CID ".scope"

/* Reads JSON lines; prints, per line, the fields the C side checks, as
 * repr() so that the exact characters are visible, or FAIL and why. */
static const char checker[] =
"import json, re, sys\n"
"for n, line in enumerate(sys.stdin.buffer, 1):\n"
"    try:\n"
"        o = json.loads(line.decode('utf-8'))\n"
"    except Exception as e:\n"
"        print('FAIL line %d: %s' % (n, e)); continue\n"
"    if not isinstance(o, dict):\n"
"        print('FAIL line %d: not an object' % n); continue\n"
"    if not re.fullmatch(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z', o.get('time', '')):\n"
"        print('FAIL line %d: time %r' % (n, o.get('time')))\n"
"    print('%s|%s|%r|%r|%r|%r|%r|%r|%r|%r|%r|%r|%r' % (o['event'], o['level'],\n"
"          o.get('comm'), o.get('executable'), o.get('call'), o.get('sequence'),\n"
"          o.get('code'), o.get('normal_at'), o['message'], o.get('misses'),\n"
"          o.get('seq_miss'), o.get('kind'), o.get('packed')))\n";

/* Where each line came from: the fields every line has, and a kernel
 * event's process ('-': not there at all). */
static const char origin_checker[] =
"import json, sys\n"
"for line in sys.stdin.buffer:\n"
"    o = json.loads(line.decode('utf-8'))\n"
"    print('|'.join(repr(o.get(k, '-')) for k in ('time', 'schema', 'host',\n"
"          'pid', 'tid', 'ppid', 'uid', 'loginuid', 'cgroup_id', 'cgroup', 'container')))\n";

/* An incident's summary, and the anomaly that began it. */
static const char incident_checker[] =
"import json, sys\n"
"for line in sys.stdin.buffer:\n"
"    o = json.loads(line.decode('utf-8'))\n"
"    print('|'.join(repr(o.get(k, '-')) for k in ('event', 'pid', 'ppid', 'cgroup',\n"
"          'profile', 'executable', 'incident', 'anomalies', 'max_lfc', 'calls', 'start',\n"
"          'end', 'duration_ns', 'ended', 'lost', 'message')))\n";

/* The audit lines: their own fields. */
static const char audit_checker[] =
"import json, sys\n"
"for line in sys.stdin.buffer:\n"
"    o = json.loads(line.decode('utf-8'))\n"
"    print('%s|%s|%r|%r|%r|%r|%r|%r|%r|%r|%r|%r|%r' % (o['event'], o['level'], o['uid'],\n"
"          o['sudo_user'], o['loginuid'], o['pid'], o['command'], o['target'],\n"
"          o['old'], o['new'], o['message'], o['schema'], o['host']))\n";

/* ebph_escape(IN) into a buffer of LEN bytes is WANT. */
static void check_escape(const char *in, size_t len, const char *want)
{
	char buf[256];

	ebph_escape(in, buf, len);
	CHECK(strcmp(buf, want), "escape of %zu bytes into %zu: got '%s', want '%s'",
	      strlen(in), len, buf, want);
}

static void test_escape(void)
{
	char big[EBPH_ESCAPED_LEN(8)], buf[4] = "xyz";
	unsigned char all[256];
	int i;

	TEST("escape");
	check_escape("/usr/bin/demo", 64, "/usr/bin/demo");	/* unchanged */
	check_escape("", 64, "");
	/* The forged line of issue 9: ESC, a newline, a fake INFO line. */
	check_escape("evil\033[31m\nINFO: fake line", 64, "evil\\x1b[31m\\nINFO: fake line");
	check_escape("a\\b\tc\rd\x01\x7f", 64, "a\\\\b\\tc\\x0dd\\x01\\x7f");
	/* Not UTF-8: a lone byte, a cut sequence, an overlong '/', a
	 * surrogate, past U+10FFFF: each byte on its own. */
	check_escape("\xff|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80", 128,
		     "\\xff|\\xe2\\x82|\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80");
	/* UTF-8 as code points: é, CSI as a C1 control, RLO, an emoji. */
	check_escape("caf\xc3\xa9 \xc2\x9b \xe2\x80\xae \xf0\x9f\x98\x80", 128,
		     "caf\\u00e9 \\u009b \\u202e \\U0001f600");
	/* Cut after a whole escape, never inside one. */
	check_escape("ab\033cd", 6, "ab");
	check_escape("ab\033cd", 7, "ab\\x1b");
	check_escape("ab\xc3\xa9", 8, "ab");
	check_escape("ab\xc3\xa9", 9, "ab\\u00e9");
	ebph_escape("abc", buf, 1);
	CHECK(buf[0], "a buffer of 1 byte holds the NUL only: '%s'", buf);
	/* Every byte value: printable ASCII out, and 4 bytes at most each. */
	for (i = 0; i < 255; i++)
		all[i] = i + 1;
	all[255] = 0;
	for (i = 0; i < 255; i += 8) {
		char in[9] = { 0 }, *p;

		memcpy(in, all + i, i + 8 <= 255 ? 8 : 255 - i);
		ebph_escape(in, big, sizeof(big));
		CHECK(strlen(big) < strlen(in), "bytes %d..: '%s' lost some", i + 1, big);
		for (p = big; *p >= 0x20 && *p <= 0x7e; p++)
			;
		CHECK(*p, "bytes %d..: 0x%02x in '%s'", i + 1, (unsigned char)*p, big);
	}
}

static struct ebph_event event(__u32 type)
{
	struct ebph_event ev = {
		.type = type, .pid = 1417, .tid = 1418, .call = 1,
		.ts = 1000, .profile = 0xfe0000012345ULL, .misses = 5,
		.lfc = 2, .anomalies = 3, .ppid = 1400, .uid = 1000,
		.loginuid = 1000, .cgroup = 8813,
	};
	int i;

	for (i = 0; i < EBPH_SEQLEN; i++)
		ev.seq[i] = i < 3 ? (__u16)(i * 5) : EBPH_EMPTY; /* 0 5 10, then empty */
	memcpy(ev.comm, "demo", 5);
	return ev;
}

/* What user space adds: PATH, and the rest as the tests expect it. */
static const struct ebph_line_info *info(const char *path)
{
	static struct ebph_line_info in;
	static char id[EBPH_CONTAINER_ID_LEN + 1];

	in = (struct ebph_line_info){ .host = "web1", .path = path, .cgroup = CGROUP,
				      .container = ebph_container_id(CGROUP, id) };
	return &in;
}

/* ebph_container_id(PATH) is WANT (NULL: none). */
static void check_container(const char *path, const char *want)
{
	char buf[EBPH_CONTAINER_ID_LEN + 1];
	const char *got = ebph_container_id(path, buf);

	CHECK(!got != !want || (got && strcmp(got, want)), "container of %s: %s, want %s",
	      path, got ? got : "none", want ? want : "none");
}

static void test_container(void)
{
	TEST("container");
	check_container(CGROUP, CID);
	check_container("/docker/" CID, CID);
	check_container("/kubepods.slice/kubepods-pod1.slice/cri-containerd-" CID ".scope", CID);
	check_container("/machine.slice/libpod-" CID ".scope/container", CID);
	check_container("/user.slice/user-1000.slice/session-3.scope", NULL);
	check_container("/", NULL);
	/* 63 or 65 digits, or capitals, are not an id */
	check_container("/docker/" CID "0", NULL);
	check_container("/docker/123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL);
	check_container("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL);
}

/*
 * ebph_cgroup_path() for a process that is gone (PID 0, which /proc has
 * not): a cgroup made here, found by its id alone, by the walk of the
 * cgroup2 tree; then from the cache, the cgroup gone.  As root, on a
 * host with cgroup2 (the live test, test_log.sh, has the rest).
 */
static void test_cgroup_walk(void)
{
	struct ebph_cgroups *cg = calloc(1, sizeof(*cg));
	struct {
		struct file_handle fh;
		unsigned char bytes[16];
	} h = { .fh.handle_bytes = sizeof(h.bytes) };
	char top[600], sub[700], want[128];
	const char *got;
	int mnt_id;
	__u64 id = 0;

	TEST("cgroup walk");
	if (CHECK(!cg, "calloc"))
		return;
	got = ebph_cgroup_path(cg, 1, 0);	/* the root's id: finds the mount */
	if (geteuid() || cg->mount[0] == '-') {
		printf("  (skipped: %s)\n", geteuid() ? "not root" : "no cgroup2");
		free(cg);
		return;
	}
	CHECK(!got || strcmp(got, "/"), "the root cgroup: %s", got ? got : "NULL");
	snprintf(want, sizeof(want), "/ebph-test-json-%d/libpod-" CID ".scope", getpid());
	snprintf(top, sizeof(top), "%s/ebph-test-json-%d", cg->mount, getpid());
	snprintf(sub, sizeof(sub), "%s%s", cg->mount, want);
	if (CHECK(mkdir(top, 0755) || mkdir(sub, 0755), "mkdir %s", sub))
		goto out;
	if (!CHECK(name_to_handle_at(AT_FDCWD, sub, &h.fh, &mnt_id, 0) ||
		   h.fh.handle_bytes != 8, "name_to_handle_at %s", sub))
		memcpy(&id, h.fh.f_handle, sizeof(id));
	got = ebph_cgroup_path(cg, id, 0);
	CHECK(!got || strcmp(got, want), "id %llu: %s, want %s", (unsigned long long)id,
	      got ? got : "NULL", want);
	rmdir(sub);
	got = ebph_cgroup_path(cg, id, 0);
	CHECK(!got || strcmp(got, want), "cached: %s", got ? got : "NULL");
	got = ebph_cgroup_path(cg, id + 1000000, 0);
	CHECK(got != NULL, "an id no cgroup has: %s", got ? got : "NULL");
out:
	rmdir(sub);
	rmdir(top);
	free(cg);
}

/* The fields of origin_checker's line N of the first file. */
static void check_origin(int n, const char *line)
{
	static const char time_host[] = "'2026-11-21T12:13:57.123456789Z'|1|'web1'|";
	char want[512];

	if (n == 14)		/* ebph's own line: no process */
		snprintf(want, sizeof(want), "%s'-'|'-'|'-'|'-'|'-'|'-'|'-'|'-'", time_host);
	else if (n == 22)	/* a parent the kernel could not read, no login uid */
		snprintf(want, sizeof(want), "%s1417|1418|None|0|None|8813|'%s'|'%s'",
			 time_host, CGROUP, CID);
	else
		snprintf(want, sizeof(want), "%s1417|1418|1400|1000|1000|8813|'%s'|'%s'",
			 time_host, CGROUP, CID);
	CHECK(strcmp(line, want), "origin of line %d: %s, want %s", n, line, want);
}

int main(void)
{
	char tmpl[] = "/tmp/ebph-json.XXXXXX", cmd[256], line[4096];
	struct ebph_event ev;
	FILE *f, *p;
	int fd, n = 0, fails = 0;
	__u32 t;

	TEST("write");
	fd = mkstemp(tmpl);
	if (CHECK(fd < 0, "mkstemp"))
		return test_summary();
	f = fdopen(fd, "w");

	/* 1..9: every kernel event kind up to the message (the later ones
	 * come after line 20, so that these lines keep their numbers) */
	for (t = EBPH_EV_ANOMALY; t <= EBPH_EV_MESSAGE; t++) {
		ev = event(t);
		if (t == EBPH_EV_FROZEN)
			ev.arg = 3600ULL * 1000000000ULL;	/* an hour after boot */
		if (t == EBPH_EV_NEW_SEQ)
			ev.arg = 0, ev.misses = 2;
		ebph_json_line(f, T0, EBPH_INFO, "a message", &ev, info("/usr/bin/demo"), 0);
	}
	/* 10..13: each kernel message code */
	for (t = EBPH_MSG_KEY_ERROR; t <= EBPH_MSG_ROWS_FULL; t++) {
		ev = event(EBPH_EV_MESSAGE);
		ev.level = EBPH_ERROR;
		ev.code = t;
		ev.arg = 7;
		ebph_json_line(f, T0, EBPH_ERROR, "map full", &ev, info(NULL), 0);
	}
	/* 14: ebph's own line */
	ebph_json_line(f, T0, EBPH_WARNING, "12 events lost on CPU 0", NULL, info(NULL), 0);
	/* 15: hostile strings: quote, backslash, newline, tab, \x01, DEL,
	 * a lone \xff, a truncated UTF-8 sequence, and good UTF-8 (é) */
	ev = event(EBPH_EV_ANOMALY);
	memcpy(ev.comm, "a\"b\\c\n\t\x01\x7f\xff\xc3\xa9z", 14);
	ebph_json_line(f, T0, EBPH_WARNING, "say \"hi\"\\", &ev, info("/tmp/\xe2\x82/x\xc3\xa9"), 0);
	/* 16: a comm of 16 bytes with no NUL, as the kernel may send it */
	ev = event(EBPH_EV_ASSOC);
	memcpy(ev.comm, "0123456789abcdefGARBAGE", EBPH_COMM_LEN);
	ebph_json_line(f, T0, EBPH_DEBUG, "", &ev, info(""), 0);
	/* 17: the seqs map full, arg the packed sequence */
	ev = event(EBPH_EV_MESSAGE);
	ev.level = EBPH_ERROR;
	ev.code = EBPH_MSG_SEQS_FULL;
	ev.arg = PACKED;
	ebph_json_line(f, T0, EBPH_ERROR, "seqs full", &ev, info(NULL), 0);
	/* 18: an anomaly of the sequence detector alone: no pair missed */
	ev = event(EBPH_EV_ANOMALY);
	ev.misses = 0;
	ev.seq_miss = 1;
	ebph_json_line(f, T0, EBPH_WARNING, "seq", &ev, info(NULL), 0);
	/* 19: both detectors missed */
	ev = event(EBPH_EV_ANOMALY);
	ev.seq_miss = 1;
	ebph_json_line(f, T0, EBPH_WARNING, "both", &ev, info(NULL), 0);
	/* 20: a sequence learned: misses 0, arg packed */
	ev = event(EBPH_EV_NEW_SEQ);
	ev.misses = 0;
	ev.arg = PACKED;
	ebph_json_line(f, T0, EBPH_INFO, "learned", &ev, info(NULL), 0);
	/* 21: an exec of a file with no name */
	ev = event(EBPH_EV_UNNAMED_EXEC);
	ebph_json_line(f, T0, EBPH_WARNING, "no name", &ev, info("/dev/fd/3"), 0);
	/* 22: a process's first io_uring request, call its opcode */
	ev = event(EBPH_EV_IO_URING);
	ev.call = 22;
	ev.ppid = 0;
	ev.uid = 0;
	ev.loginuid = EBPH_NO_LOGINUID;
	ebph_json_line(f, T0, EBPH_WARNING, "io_uring", &ev, info(NULL), 0);
	fclose(f);

	TEST("parse");
	snprintf(cmd, sizeof(cmd), "python3 -c \"$EBPH_CHECKER\" < %s", tmpl);
	setenv("EBPH_CHECKER", checker, 1);
	p = popen(cmd, "r");
	if (CHECK(!p, "popen python3"))
		goto out;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		n++;
		if (!strncmp(line, "FAIL", 4)) {
			CHECK(1, "%s", line);
			fails++;
			continue;
		}
		TEST("fields");
		switch (n) {
		case 1:
			CHECK(strcmp(line, "anomaly|info|'demo'|'/usr/bin/demo'|'write'|"
				     "['read', 'fstat', 'mprotect']|None|None|'a message'|"
				     "5|False|None|None"),
			      "anomaly: %s", line);
			break;
		case 4:
			CHECK(!strstr(line, "frozen|") ||
			      !strstr(line, "'1970-01-01T01:00:00.000000000Z'"),
			      "frozen: normal_at an hour after the epoch: %s", line);
			break;
		case 8:
			CHECK(strncmp(line, "new_seq|info|'demo'|'/usr/bin/demo'|'write'|", 44) ||
			      !strstr(line, "|None|None|'pair'|None"),
			      "new_seq of a pair: %s", line);
			break;
		case 10:
			CHECK(!strstr(line, "message|error|") || !strstr(line, "'key_error'") ||
			      !strstr(line, "|None|"), "key_error: %s", line);
			break;
		case 13:
			CHECK(!strstr(line, "'rows_full'"), "rows_full: %s", line);
			break;
		case 14:
			CHECK(strcmp(line, "log|warning|None|None|None|None|None|None|"
				     "'12 events lost on CPU 0'|None|None|None|None"),
			      "log line: %s", line);
			break;
		case 15:
			/* Python's repr: the bytes that are not UTF-8 come
			 * back as the code points of their values. */
			CHECK(strcmp(line, "anomaly|warning|'a\"b\\\\c\\n\\t\\x01\\x7f\u00ff\u00e9z'"
				     "|'/tmp/\u00e2\\x82/x\u00e9'|'write'|['read', 'fstat', 'mprotect']|"
				     "None|None|'say \"hi\"\\\\'|5|False|None|None"),
			      "hostile strings: %s", line);
			break;
		case 16:
			CHECK(strcmp(line, "assoc|debug|'0123456789abcdef'|''|None|None|None|None|''|"
				     "None|None|None|None"),
			      "unterminated comm: %s", line);
			break;
		case 17:
			CHECK(strcmp(line, "message|error|'demo'|None|None|"
				     "['read', 'close', 'openat']|'seqs_full'|None|'seqs full'|"
				     "None|None|None|'0fffffffd0100c00'"),
			      "seqs_full: %s", line);
			break;
		case 18:
			CHECK(strcmp(line, "anomaly|warning|'demo'|None|'write'|"
				     "['read', 'fstat', 'mprotect']|None|None|'seq'|0|True|None|None"),
			      "anomaly, sequence only: %s", line);
			break;
		case 19:
			CHECK(!strstr(line, "|'both'|5|True|None|None"),
			      "anomaly, pairs and sequence: %s", line);
			break;
		case 20:
			CHECK(strcmp(line, "new_seq|info|'demo'|None|'write'|"
				     "['read', 'close', 'openat']|None|None|'learned'|"
				     "None|None|'sequence'|'0fffffffd0100c00'"),
			      "new_seq of a sequence: %s", line);
			break;
		case 21:
			CHECK(strncmp(line, "unnamed_exec|warning|'demo'|'/dev/fd/3'|", 40),
			      "unnamed_exec: %s", line);
			break;
		case 22:
			CHECK(strncmp(line, "io_uring|warning|'demo'|", 24),
			      "io_uring: %s", line);
			break;
		}
	}
	CHECK(pclose(p) != 0, "python3 failed");
	TEST("count");
	CHECK_EQ(n, 22, "lines parsed");
	CHECK_EQ(fails, 0, "lines python could not parse");

	TEST("origin");
	snprintf(cmd, sizeof(cmd), "python3 -c \"$EBPH_ORIGIN\" < %s", tmpl);
	setenv("EBPH_ORIGIN", origin_checker, 1);
	p = popen(cmd, "r");
	if (CHECK(!p, "popen python3"))
		goto out;
	for (n = 1; fgets(line, sizeof(line), p); n++) {
		line[strcspn(line, "\n")] = 0;
		check_origin(n, line);
	}
	CHECK(pclose(p) != 0, "python3 failed on the origins");
	CHECK_EQ(n - 1, 22, "origin lines");

	TEST("audit");
	f = fopen(tmpl, "w");
	if (CHECK(!f, "reopen %s", tmpl))
		goto out;
	ebph_json_audit(f, T0, EBPH_INFO, "audit: ...", &(struct ebph_audit){
		.uid = 0, .pid = 4242, .loginuid = 1000, .sudo_user = "al\"ice",
		.command = "set", .target = "monitoring", .old = "on", .new = "off" }, "web1");
	ebph_json_audit(f, T0, EBPH_INFO, "save", &(struct ebph_audit){
		.uid = 7, .pid = 1, .loginuid = EBPH_NO_LOGINUID,
		.command = "save", .target = "/p\n\033", .old = "", .new = "" }, "web1");
	ebph_json_audit(f, T0, EBPH_WARNING, "config changed", &(struct ebph_audit){
		.command = "", .target = "monitoring", .old = "on", .new = "off" }, "web1");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c \"$EBPH_AUDIT\" < %s", tmpl);
	setenv("EBPH_AUDIT", audit_checker, 1);
	p = popen(cmd, "r");
	if (CHECK(!p, "popen python3"))
		goto out;
	for (n = 1; fgets(line, sizeof(line), p); n++) {
		static const char *want[] = {
			"audit|info|0|'al\"ice'|1000|4242|'set'|'monitoring'|'on'|'off'|'audit: ...'|1|'web1'",
			"audit|info|7|None|None|1|'save'|'/p\\n\\x1b'|None|None|'save'|1|'web1'",
			"config_change|warning|None|None|None|None|None|'monitoring'|'on'|'off'|"
			"'config changed'|1|'web1'",
		};

		line[strcspn(line, "\n")] = 0;
		if (n <= 3)
			CHECK(strcmp(line, want[n - 1]), "audit line %d: %s", n, line);
	}
	CHECK(pclose(p) != 0, "python3 failed on the audit lines");
	CHECK_EQ(n - 1, 3, "audit lines parsed");

	TEST("incident");
	f = fopen(tmpl, "w");
	if (CHECK(!f, "reopen %s", tmpl))
		goto out;
	{
		struct ebph_line_info in = *info("/usr/bin/demo");
		__u64 calls[EBPH_NUM_CALLS / 64] = { 0 };
		struct ebph_incident_sum sum = {
			.id = 3, .anomalies = 5, .max_lfc = 4, .start_ns = T0,
			.end_ns = T0 + 1234567, .calls = calls, .ended = "lfc_zero", .lost = 2,
		};

		calls[0] = 1 << 0 | 1 << 1;			/* read, write */
		calls[EBPH_I386 / 64] |= 1ULL << (EBPH_I386 % 64 + 11);	/* i386:execve */
		ev = event(EBPH_EV_ANOMALY);
		in.incident = 3;
		ebph_json_line(f, T0, EBPH_WARNING, "begins", &ev, &in, 0);
		ebph_json_incident(f, T0 + 5, EBPH_WARNING, "over", &ev, &in, &sum);
		in.incident = 0;
		ebph_json_line(f, T0, EBPH_WARNING, "no room", &ev, &in, 0);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 -c \"$EBPH_INCIDENT\" < %s", tmpl);
	setenv("EBPH_INCIDENT", incident_checker, 1);
	p = popen(cmd, "r");
	if (CHECK(!p, "popen python3"))
		goto out;
	for (n = 1; fgets(line, sizeof(line), p); n++) {
		static const char *want[] = {
			"'anomaly'|1417|1400|'" CGROUP "'|'0000fe0000012345'|'/usr/bin/demo'|3|3|'-'|"
			"'-'|'-'|'-'|'-'|'-'|'-'|'begins'",
			"'incident'|1417|1400|'" CGROUP "'|'0000fe0000012345'|'/usr/bin/demo'|3|5|4|"
			"['read', 'write', 'i386:execve']|'2026-11-21T12:13:57.123456789Z'|"
			"'2026-11-21T12:13:57.124691356Z'|1234567|'lfc_zero'|2|'over'",
			"'anomaly'|1417|1400|'" CGROUP "'|'0000fe0000012345'|'/usr/bin/demo'|None|3|'-'|"
			"'-'|'-'|'-'|'-'|'-'|'-'|'no room'",
		};

		line[strcspn(line, "\n")] = 0;
		if (n <= 3)
			CHECK(strcmp(line, want[n - 1]), "incident line %d: %s\n  want %s", n, line,
			      want[n - 1]);
	}
	CHECK(pclose(p) != 0, "python3 failed on the incident lines");
	CHECK_EQ(n - 1, 3, "incident lines parsed");

	test_escape();
	test_container();
	test_cgroup_walk();

	TEST("syslog");
	ev = event(EBPH_EV_ANOMALY);
	CHECK_EQ(ebph_syslog_priority(EBPH_WARNING, &ev), LOG_WARNING, "anomaly");
	ev = event(EBPH_EV_START_NORMAL);
	CHECK_EQ(ebph_syslog_priority(EBPH_INFO, &ev), LOG_NOTICE, "start_normal");
	ev = event(EBPH_EV_NEW_PROFILE);
	CHECK_EQ(ebph_syslog_priority(EBPH_INFO, &ev), LOG_INFO, "new_profile");
	CHECK_EQ(ebph_syslog_priority(EBPH_DEBUG, NULL), LOG_DEBUG, "debug");
	CHECK_EQ(ebph_syslog_priority(EBPH_ERROR, NULL), LOG_ERR, "error");
out:
	unlink(tmpl);
	return test_summary();
}
