// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_journal.c - `ebph run --syslog` to the systemd journal, with
 * fields it keeps and indexes (journalctl EBPH_PID=1417, MESSAGE_ID=...),
 * by its native protocol, written here: no libsystemd.
 *
 * One datagram an entry to JOURNAL_SOCKET, each field "KEY=value\n", or,
 * for a value with a newline in it (a file or a process may be named
 * so), "KEY\n", its length as 64 bits little-endian, the value, "\n".
 * The fields: MESSAGE (the line's text), PRIORITY, SYSLOG_FACILITY (3,
 * daemon), SYSLOG_IDENTIFIER=ebph, MESSAGE_ID (one per kind of event,
 * message_ids[] below, listed in ebph(8)), and EBPH_NAME for each member
 * "name" of the line's JSON object (ebph_log.c): EBPH_PID, EBPH_COMM,
 * EBPH_PROFILE... A null is left out; a list is its items, each
 * followed by a space but the last.  The JSON line is the one source of
 * the fields: what it says, the journal says, with no second formatter.
 *
 * Without a journal (no socket: a machine without journald) the lines
 * go to syslog(3), as they did before; the caller says so once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ebph_log.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

/* The MESSAGE_ID of each "event" of a JSON line: fixed, they are what a
 * journal catalog or a query names (journalctl MESSAGE_ID=...). */
static const struct {
	const char *event, *id;
} message_ids[] = {
	{ "anomaly",		"fca4a15dd3c14246b42c4293ea57fa1e" },
	{ "incident",		"3de320d79542428bb16fd24378176950" },
	{ "new_profile",	"38b362205ad349ed92d64547a82f29a6" },
	{ "assoc",		"5e848048dabe47dea943f40316580550" },
	{ "frozen",		"05605fec7c6d421780327b5d77c7f9c5" },
	{ "start_normal",	"7b4f01f379964253a7d35b89447a7765" },
	{ "stop_normal",	"a16f82f858d5463cbd00608db8f11161" },
	{ "tolerize",		"b36ae149301d4ab38c7650144ecaa3c7" },
	{ "new_seq",		"7be7c03a1c154248b77b6bebf512fbd9" },
	{ "message",		"c8e548fa821c4ca680e3573ab870aec4" },
	{ "unnamed_exec",	"9ab9f067a35d4f8eb74d44fb50cf5a74" },
	{ "io_uring",		"b9dd96f278cb4e409aeb8de739248143" },
	{ "audit",		"9e97fd44274e49aa9e60b3c188cd375e" },
	{ "config_change",	"e10ec613a27a4bf6a69eeefd4c13313a" },
	{ "log",		"bf992d15b77d48fbb49badf6222a0444" },
};

int journal_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), probe, err = 0;

	if (fd < 0)
		return -errno;
	/* Whether anyone listens there, now: connect() says, on a socket
	 * of its own (FD stays unconnected, see journal_send()). */
	probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0 || connect(probe, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	if (probe >= 0)
		close(probe);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

const char *journal_socket(void)
{
	return JOURNAL_SOCKET;
}

/* An entry being built: fields appended to BUF (big enough for any
 * line's: see journal_send()). */
struct entry {
	char *buf;
	size_t len;
};

/* Field KEY=VAL (N bytes) into E, in the binary form if VAL has a
 * newline. */
static void field(struct entry *e, const char *key, const char *val, size_t n)
{
	size_t k = strlen(key);
	int i;

	memcpy(e->buf + e->len, key, k);
	e->len += k;
	if (!memchr(val, '\n', n)) {
		e->buf[e->len++] = '=';
	} else {
		e->buf[e->len++] = '\n';
		for (i = 0; i < 8; i++)
			e->buf[e->len++] = (unsigned char)((__u64)n >> (8 * i));
	}
	memcpy(e->buf + e->len, val, n);
	e->len += n;
	e->buf[e->len++] = '\n';
}

/* The 4 hex digits at S, or -1. */
static long hex4(const char *s)
{
	char d[5] = { 0 }, *end;
	long v;

	memcpy(d, s, 4);
	v = strtol(d, &end, 16);
	return end == d + 4 ? v : -1;
}

/*
 * The JSON string at *P (at its opening quote) into OUT, unescaped, its
 * length into *N; *P past it.  \u00XX is the byte XX, as
 * ebph_json_str() writes a byte that is not UTF-8; other code points
 * become UTF-8.  0, or -1 if it is not a string.
 */
static int json_string(const char **p, char *out, size_t *n)
{
	const char *s = *p + 1;
	size_t len = 0;
	long cp;

	if (**p != '"')
		return -1;
	while (*s && *s != '"') {
		if (*s != '\\') {
			out[len++] = *s++;
			continue;
		}
		switch (s[1]) {
		case 'n': out[len++] = '\n'; break;
		case 't': out[len++] = '\t'; break;
		case 'r': out[len++] = '\r'; break;
		case 'b': out[len++] = '\b'; break;
		case 'f': out[len++] = '\f'; break;
		case 'u':
			cp = hex4(s + 2);
			if (cp < 0)
				return -1;
			if (cp < 0x100) {
				out[len++] = (char)cp;
			} else if (cp < 0x800) {
				out[len++] = (char)(0xc0 | cp >> 6);
				out[len++] = (char)(0x80 | (cp & 0x3f));
			} else {
				out[len++] = (char)(0xe0 | cp >> 12);
				out[len++] = (char)(0x80 | (cp >> 6 & 0x3f));
				out[len++] = (char)(0x80 | (cp & 0x3f));
			}
			s += 4;
			break;
		case 0:
			return -1;
		default:	/* \" \\ \/ */
			out[len++] = s[1];
		}
		s += 2;
	}
	if (*s != '"')
		return -1;
	*p = s + 1;
	*n = len;
	return 0;
}

/* A scalar at *P (string, number, true, false; null: *N = -1) into OUT. */
static int json_scalar(const char **p, char *out, long *n)
{
	size_t len;

	if (**p == '"') {
		if (json_string(p, out, &len))
			return -1;
		*n = len;
		return 0;
	}
	len = strcspn(*p, ",]}");
	if (!len)
		return -1;
	*n = strncmp(*p, "null", 4) ? (long)len : -1;
	memcpy(out, *p, len);
	*p += len;
	return 0;
}

/* The value at *P, a scalar or a list of them, into OUT: its length,
 * -1 for null, -2 if it is not one ebph_log.c writes. */
static long json_value(const char **p, char *out)
{
	long len = 0, n;

	if (**p != '[')
		return json_scalar(p, out, &n) ? -2 : n;
	(*p)++;
	while (**p != ']') {
		if (len)
			out[len++] = ' ';
		if (json_scalar(p, out + len, &n) || n < 0)
			return -2;
		len += n;
		if (**p == ',')
			(*p)++;
		else if (**p != ']')
			return -2;
	}
	(*p)++;
	return len;
}

/* The MESSAGE_ID of EVENT (N bytes), or NULL. */
static const char *message_id(const char *event, long n)
{
	size_t i;

	for (i = 0; i < sizeof(message_ids) / sizeof(message_ids[0]); i++)
		if ((long)strlen(message_ids[i].event) == n &&
		    !memcmp(message_ids[i].event, event, n))
			return message_ids[i].id;
	return NULL;
}

/*
 * JSON, one line of ebph_log.c's (a flat object), as the fields of one
 * entry into E, each value unescaped into VAL first (as long as JSON:
 * unescaping only shrinks): 0, or -1 if it is not such a line.
 */
static int json_fields(const char *json, struct entry *e, char *val)
{
	char key[64];
	const char *p = json, *id;
	size_t klen, i;
	long n;

	if (*p++ != '{')
		return -1;
	while (*p == '"') {
		if (json_string(&p, key + 5, &klen) || klen > sizeof(key) - 6 || *p++ != ':')
			return -1;
		n = json_value(&p, val);
		if (n == -2)
			return -1;
		key[5 + klen] = 0;
		if (!strcmp(key + 5, "message")) {
			field(e, "MESSAGE", val, n < 0 ? 0 : n);
		} else if (n >= 0) {
			/* "call_nr" is EBPH_CALL_NR */
			memcpy(key, "EBPH_", 5);
			for (i = 5; key[i]; i++)
				key[i] = key[i] >= 'a' && key[i] <= 'z' ? key[i] - 'a' + 'A' :
					 (key[i] >= 'A' && key[i] <= 'Z') ||
					 (key[i] >= '0' && key[i] <= '9') ? key[i] : '_';
			field(e, key, val, n);
			if (!strcmp(key, "EBPH_EVENT") && (id = message_id(val, n)))
				field(e, "MESSAGE_ID", id, strlen(id));
		}
		if (*p == ',')
			p++;
	}
	return *p == '}' ? 0 : -1;
}

int journal_send(int fd, const char *json, int priority)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
	size_t n = strlen(json);
	struct entry e;
	char prio[16], *val;
	ssize_t sent;
	int err = 0;

	/* A member "k":0, of 6 bytes becomes EBPH_K\n, 8 bytes of length,
	 * 0 and \n at most: 4 times the JSON is room enough. */
	e.buf = malloc(4 * n + 256);
	val = malloc(n + 1);
	if (!e.buf || !val) {
		err = -ENOMEM;
		goto out;
	}
	e.len = 0;
	snprintf(prio, sizeof(prio), "%d", priority);
	field(&e, "PRIORITY", prio, strlen(prio));
	field(&e, "SYSLOG_FACILITY", "3", 1);
	field(&e, "SYSLOG_IDENTIFIER", "ebph", 4);
	if (json_fields(json, &e, val)) {
		err = -EINVAL;
		goto out;
	}
	/* Never wait for a journal that is behind: the events would wait
	 * in the kernel's rings, and be dropped there.  The caller gives
	 * the line to syslog(3) instead.  The address each time: a
	 * journald restarted has a new socket there. */
	sent = sendto(fd, e.buf, e.len, MSG_DONTWAIT | MSG_NOSIGNAL,
		      (struct sockaddr *)&sa, sizeof(sa));
	if (sent < 0)
		err = -errno;
out:
	free(e.buf);
	free(val);
	return err;
}
