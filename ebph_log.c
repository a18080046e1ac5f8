// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_log.c - events as JSON lines and syslog priorities (ebph_log.h).
 *
 * Field names are stable: log shippers index on them, and "schema"
 * (EBPH_JSON_SCHEMA) says which set a line has.  Every event has time
 * (RFC 3339, UTC, nanoseconds), schema, host, level, event and message;
 * a kernel event adds its process (pid, tid, ppid, uid, loginuid, comm,
 * cgroup_id, cgroup, container), profile (the key, 16 hex digits, as
 * every command writes it) and executable, then the fields of its type.
 * A value ebph does not know is null: a ppid the kernel could not read,
 * a login uid never set, a cgroup gone before it was looked up.  Calls
 * are given by name and by number ("call", "call_nr"), so a reader needs
 * no system call table.  ebph(8), EVENTS, is the field reference.
 *
 * Every anomaly has "seq_miss": true when the sequence detector
 * (ebph run --detector seqs|both) finds its last 6 calls not in the test
 * set, always false without that detector (with it alone, "misses" is
 * 0), and a new_seq line is "kind"
 * "pair" (call, previous, distance, the window) or "sequence" (call,
 * "packed" as 16 hex digits, the calls of the sequence newest first).
 * Sequences, like the window, list the newest call first.
 *
 * An admin's action is "audit" (uid, sudo_user, loginuid, pid, command,
 * target, old, new), a change to the settings that no command announced
 * "config_change" (the same fields, who unknown: null).
 */
#define _GNU_SOURCE		/* wcwidth() */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <wchar.h>

#include "ebph_log.h"
#include "syscall_names.h"

const char *ebph_event_name(__u32 type)
{
	static const char *names[EBPH_EV_MAX] = {
		[EBPH_EV_ANOMALY] = "anomaly",
		[EBPH_EV_NEW_PROFILE] = "new_profile",
		[EBPH_EV_ASSOC] = "assoc",
		[EBPH_EV_FROZEN] = "frozen",
		[EBPH_EV_START_NORMAL] = "start_normal",
		[EBPH_EV_STOP_NORMAL] = "stop_normal",
		[EBPH_EV_TOLERIZE] = "tolerize",
		[EBPH_EV_NEW_SEQ] = "new_seq",
		[EBPH_EV_MESSAGE] = "message",
		[EBPH_EV_UNNAMED_EXEC] = "unnamed_exec",
		[EBPH_EV_IO_URING] = "io_uring",
		[EBPH_EV_DELAY] = "delay",
		[EBPH_EV_EXEC_REFUSED] = "exec_refused",
	};

	return type < EBPH_EV_MAX && names[type] ? names[type] : "unknown";
}

static const char *msg_code_name(__u16 code)
{
	switch (code) {
	case EBPH_MSG_KEY_ERROR:	return "key_error";
	case EBPH_MSG_TASKS_FULL:	return "tasks_full";
	case EBPH_MSG_PROFILES_FULL:	return "profiles_full";
	case EBPH_MSG_ROWS_FULL:	return "rows_full";
	case EBPH_MSG_SEQS_FULL:	return "seqs_full";
	default:			return "unknown";
	}
}

/* Length of the UTF-8 sequence at S (1 to 4), or 0 if it is not one:
 * overlong forms, surrogates and code points past U+10FFFF are not.
 * Its code point goes into *CP. */
static int utf8_char(const unsigned char *s, unsigned int *cp)
{
	int n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, *cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, *cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && *cp < 0x80) || (n == 3 && *cp < 0x800) ||
	    (n == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static int utf8_len(const unsigned char *s)
{
	unsigned int cp;

	return utf8_char(s, &cp);
}

const char *ebph_escape(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0;

	if (!len)
		return buf;
	while (*p) {
		char unit[16];
		unsigned int cp;
		int n = utf8_char(p, &cp), w;

		if (*p == '\\')
			w = snprintf(unit, sizeof(unit), "\\\\");
		else if (*p == '\n')
			w = snprintf(unit, sizeof(unit), "\\n");
		else if (*p == '\t')
			w = snprintf(unit, sizeof(unit), "\\t");
		else if (*p >= 0x20 && *p < 0x7f)
			w = snprintf(unit, sizeof(unit), "%c", *p);
		else if (n > 1 && cp > 0xffff)
			w = snprintf(unit, sizeof(unit), "\\U%08x", cp);
		else if (n > 1)
			w = snprintf(unit, sizeof(unit), "\\u%04x", cp);
		else
			n = 1, w = snprintf(unit, sizeof(unit), "\\x%02x", *p);
		if (used + w >= len)
			break;		/* cut at a whole character */
		memcpy(buf + used, unit, w);
		used += w;
		p += n;
	}
	buf[used] = 0;
	return buf;
}

/* The next character of S (which is not at its end): its bytes, and
 * its columns into *W (ebph_width()).  *PS is the conversion's state. */
static size_t next_char(const char *s, mbstate_t *ps, int *w)
{
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, strnlen(s, MB_LEN_MAX), ps);

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* Not a character (or cut short): one byte, one sign. */
		memset(ps, 0, sizeof(*ps));
		*w = 1;
		return 1;
	}
	*w = wcwidth(wc);
	if (*w < 0)
		*w = 1;
	return n;
}

int ebph_width(const char *s)
{
	mbstate_t ps;
	int cols = 0, w;

	memset(&ps, 0, sizeof(ps));
	while (*s) {
		s += next_char(s, &ps, &w);
		cols += w;
	}
	return cols;
}

/* S cut to WIDTH columns into BUF (ebph_cut()); its columns into *COLS. */
static const char *cut(const char *s, int width, char *buf, size_t len, int *cols)
{
	size_t used = 0, n;
	mbstate_t ps;
	int w;

	*cols = 0;
	if (!len)
		return buf;
	memset(&ps, 0, sizeof(ps));
	while (*s) {
		n = next_char(s, &ps, &w);
		if (*cols + w > width || used + n >= len)
			break;
		memcpy(buf + used, s, n);
		used += n;
		*cols += w;
		s += n;
	}
	buf[used] = 0;
	return buf;
}

const char *ebph_cut(const char *s, int width, char *buf, size_t len)
{
	int cols;

	return cut(s, width, buf, len, &cols);
}

const char *ebph_pad(const char *s, int width, char *buf, size_t len)
{
	size_t used;
	int cols;

	cut(s, width, buf, len, &cols);
	used = strlen(buf);
	for (; cols < width && used + 1 < len; cols++)
		buf[used++] = ' ';
	if (len)
		buf[used] = 0;
	return buf;
}

void ebph_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	while (*p) {
		int n = utf8_len(p);

		if (*p == '"' || *p == '\\') {
			putc('\\', f);
			putc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f), p++;
		} else if (*p == '\t') {
			fputs("\\t", f), p++;
		} else if (*p < 0x20 || *p == 0x7f || !n) {
			/* Control characters, and bytes that are not UTF-8
			 * (read as Latin-1: the line stays valid JSON and
			 * the byte's value survives). */
			fprintf(f, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	putc('"', f);
}

/* A bounded, maybe unterminated kernel string (comm) as JSON. */
static void json_strn(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t n = strnlen(s, max < sizeof(buf) ? max : sizeof(buf) - 1);

	memcpy(buf, s, n);
	buf[n] = 0;
	ebph_json_str(f, buf);
}

/* "2026-11-21T12:07:17.123456789Z": the kernel's clock is in ns. */
void ebph_json_time(FILE *f, __u64 real_ns)
{
	time_t t = real_ns / 1000000000ULL;
	char stamp[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "\"%s.%09uZ\"", stamp, (unsigned int)(real_ns % 1000000000ULL));
}

void ebph_json_call(FILE *f, const char *field, unsigned int nr)
{
	char name[SYSCALL_NAME_LEN];

	syscall_name_fmt(nr, name, sizeof(name));
	fprintf(f, "\"%s\":", field);
	ebph_json_str(f, name);
	fprintf(f, ",\"%s_nr\":%u", field, nr);
}

/* Members of an event after its first: a comma, then the member. */
static void json_call(FILE *f, const char *field, unsigned int nr)
{
	putc(',', f);
	ebph_json_call(f, field, nr);
}

/* The window, newest first, without the empty slots of a young task. */
static void json_sequence(FILE *f, const struct ebph_event *ev)
{
	char name[SYSCALL_NAME_LEN];
	int i, first = 1;

	fputs(",\"sequence\":[", f);
	for (i = 0; i < EBPH_SEQLEN; i++) {
		if (ev->seq[i] == EBPH_EMPTY)
			continue;
		syscall_name_fmt(ev->seq[i], name, sizeof(name));
		if (!first)
			putc(',', f);
		ebph_json_str(f, name);
		first = 0;
	}
	putc(']', f);
}

void ebph_json_packed(FILE *f, __u64 packed)
{
	char name[SYSCALL_NAME_LEN];
	int i, first = 1;

	fprintf(f, "\"packed\":\"%016llx\",\"sequence\":[", (unsigned long long)packed);
	for (i = 0; i < EBPH_SEQ_CALLS; i++) {
		__u32 c = ebph_seq_call(packed, i);

		if (c == EBPH_EMPTY)
			continue;
		syscall_name_fmt(c, name, sizeof(name));
		if (!first)
			putc(',', f);
		ebph_json_str(f, name);
		first = 0;
	}
	putc(']', f);
}

/* The same, for a packed sequence. */
static void json_packed(FILE *f, __u64 packed)
{
	putc(',', f);
	ebph_json_packed(f, packed);
}

/* ,"NAME":S, or null for a NULL (or, with EMPTY_NULL, an empty) S. */
static void json_field(FILE *f, const char *name, const char *s, int empty_null)
{
	fprintf(f, ",\"%s\":", name);
	ebph_json_str(f, empty_null && s && !*s ? NULL : s);
}

/* ,"NAME":N, or null for EBPH_NO_LOGINUID, as the kernel says "none". */
static void json_uid(FILE *f, const char *name, __u32 uid)
{
	if (uid == EBPH_NO_LOGINUID)
		fprintf(f, ",\"%s\":null", name);
	else
		fprintf(f, ",\"%s\":%u", name, uid);
}

/* The fields every line begins with: time, schema, host, level, event. */
static void json_head(FILE *f, __u64 real_ns, const char *host, enum ebph_level level,
		      const char *event)
{
	static const char *levels[] = {
		[EBPH_DEBUG] = "debug", [EBPH_INFO] = "info",
		[EBPH_WARNING] = "warning", [EBPH_ERROR] = "error",
	};

	fputs("{\"time\":", f);
	ebph_json_time(f, real_ns);
	fprintf(f, ",\"schema\":%d", EBPH_JSON_SCHEMA);
	json_field(f, "host", host, 1);
	fprintf(f, ",\"level\":\"%s\",\"event\":\"%s\"",
		levels[level <= EBPH_ERROR ? level : EBPH_ERROR], event);
}

void ebph_json_audit(FILE *f, __u64 real_ns, enum ebph_level level,
		     const char *msg, const struct ebph_audit *a, const char *host)
{
	json_head(f, real_ns, host, level, a->pid ? "audit" : "config_change");
	if (a->pid) {
		fprintf(f, ",\"uid\":%u", a->uid);
		json_field(f, "sudo_user", a->sudo_user, 1);
		json_uid(f, "loginuid", a->loginuid);
		fprintf(f, ",\"pid\":%u", a->pid);
	} else {
		fputs(",\"uid\":null,\"sudo_user\":null,\"loginuid\":null,\"pid\":null", f);
	}
	json_field(f, "command", a->command, 1);
	json_field(f, "target", a->target, 1);
	json_field(f, "old", a->old, 1);
	json_field(f, "new", a->new, 1);
	json_field(f, "message", msg, 0);
	fputs("}\n", f);
}

/* The process a kernel event came from: who, its parent, which cgroup. */
static void json_process(FILE *f, const struct ebph_event *ev,
			 const struct ebph_line_info *in)
{
	fprintf(f, ",\"pid\":%u,\"tid\":%u", ev->pid, ev->tid);
	if (ev->ppid)
		fprintf(f, ",\"ppid\":%u", ev->ppid);
	else
		fputs(",\"ppid\":null", f);
	fprintf(f, ",\"uid\":%u", ev->uid);
	json_uid(f, "loginuid", ev->loginuid);
	fputs(",\"comm\":", f);
	json_strn(f, ev->comm, sizeof(ev->comm));
	fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)ev->cgroup);
	json_field(f, "cgroup", in->cgroup, 0);
	json_field(f, "container", in->container, 1);
}

void ebph_json_line(FILE *f, __u64 real_ns, enum ebph_level level,
		    const char *msg, const struct ebph_event *ev,
		    const struct ebph_line_info *in, __s64 boot_to_real)
{
	json_head(f, real_ns, in->host, level, ev ? ebph_event_name(ev->type) : "log");
	if (ev) {
		json_process(f, ev, in);
		fprintf(f, ",\"profile\":\"" EBPH_KEY_FMT "\"", (unsigned long long)ev->profile);
		json_field(f, "executable", in->path, 0);
		switch (ev->type) {
		case EBPH_EV_ANOMALY:
			json_call(f, "call", ev->call);
			fprintf(f, ",\"misses\":%u,\"seq_miss\":%s,\"lfc\":%u,\"anomalies\":%u",
				ev->misses, ev->seq_miss ? "true" : "false", ev->lfc,
				ev->anomalies);
			json_sequence(f, ev);
			if (in->incident)
				fprintf(f, ",\"incident\":%u", in->incident);
			else
				fputs(",\"incident\":null", f);
			break;
		case EBPH_EV_FROZEN:
			fputs(",\"normal_at\":", f);
			ebph_json_time(f, ev->arg + boot_to_real);
			break;
		case EBPH_EV_STOP_NORMAL:
			fprintf(f, ",\"anomalies\":%u", ev->anomalies);
			break;
		case EBPH_EV_IO_URING:
			fprintf(f, ",\"opcode\":%u", ev->call);
			break;
		case EBPH_EV_TOLERIZE:
			fprintf(f, ",\"lfc\":%u,\"anomalies\":%u", ev->lfc, ev->anomalies);
			break;
		case EBPH_EV_DELAY:
			fprintf(f, ",\"lfc\":%u,\"delay_ns\":%llu", ev->lfc,
				(unsigned long long)ev->arg);
			break;
		case EBPH_EV_EXEC_REFUSED:
			json_field(f, "file", in->file, 0);
			fprintf(f, ",\"lfc\":%u,\"execve_lfc\":%llu", ev->lfc,
				(unsigned long long)ev->arg);
			break;
		case EBPH_EV_NEW_SEQ:
			/* misses: a pair's distance; 0 for a whole sequence */
			if (!ev->misses) {
				fputs(",\"kind\":\"sequence\"", f);
				json_call(f, "call", ev->call);
				json_packed(f, ev->arg);
				break;
			}
			fputs(",\"kind\":\"pair\"", f);
			json_call(f, "call", ev->call);
			json_call(f, "previous", (unsigned int)ev->arg);
			fprintf(f, ",\"distance\":%u", ev->misses);
			json_sequence(f, ev);
			break;
		case EBPH_EV_MESSAGE:
			fprintf(f, ",\"code\":\"%s\",\"arg\":%llu", msg_code_name(ev->code),
				(unsigned long long)ev->arg);
			if (ev->code == EBPH_MSG_SEQS_FULL)
				json_packed(f, ev->arg);
			break;
		}
	}
	json_field(f, "message", msg, 0);
	fputs("}\n", f);
}

void ebph_json_incident(FILE *f, __u64 real_ns, enum ebph_level level,
			const char *msg, const struct ebph_event *first,
			const struct ebph_line_info *in,
			const struct ebph_incident_sum *s)
{
	char name[SYSCALL_NAME_LEN];
	unsigned int c, n = 0;

	json_head(f, real_ns, in->host, level, "incident");
	json_process(f, first, in);
	fprintf(f, ",\"profile\":\"" EBPH_KEY_FMT "\"", (unsigned long long)first->profile);
	json_field(f, "executable", in->path, 0);
	fprintf(f, ",\"incident\":%u,\"anomalies\":%u,\"max_lfc\":%u,\"calls\":[",
		s->id, s->anomalies, s->max_lfc);
	for (c = 0; c < EBPH_NUM_CALLS; c++) {
		if (!(s->calls[c / 64] & 1ULL << (c % 64)))
			continue;
		syscall_name_fmt(c, name, sizeof(name));
		if (n++)
			putc(',', f);
		ebph_json_str(f, name);
	}
	fputs("],\"start\":", f);
	ebph_json_time(f, s->start_ns);
	fputs(",\"end\":", f);
	ebph_json_time(f, s->end_ns);
	fprintf(f, ",\"duration_ns\":%llu", (unsigned long long)(s->end_ns - s->start_ns));
	json_field(f, "ended", s->ended, 0);
	fprintf(f, ",\"lost\":%llu", (unsigned long long)s->lost);
	json_field(f, "message", msg, 0);
	fputs("}\n", f);
}

int ebph_syslog_priority(enum ebph_level level, const struct ebph_event *ev)
{
	/* A profile that starts or stops testing is the news an admin
	 * watches for, above the info of every new executable. */
	if (ev && (ev->type == EBPH_EV_START_NORMAL || ev->type == EBPH_EV_STOP_NORMAL) &&
	    level <= EBPH_INFO)
		return LOG_NOTICE;
	switch (level) {
	case EBPH_DEBUG:	return LOG_DEBUG;
	case EBPH_INFO:		return LOG_INFO;
	case EBPH_WARNING:	return LOG_WARNING;
	default:		return LOG_ERR;
	}
}
