/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_log.h - ebph's log lines for machines: one JSON object per line
 * (`ebph run --json`), and the syslog(3) priority of each line
 * (`--syslog`).  The text a person reads is composed by ebph_print.c; it
 * travels in the JSON object as "message", beside the event's fields.
 * The commands' --json output (ebph_cmd.c) is made of the same pieces.
 * And the one escape every name a process or a file chose goes through
 * before it is printed as text (ebph_escape()).
 */
#ifndef EBPH_LOG_H
#define EBPH_LOG_H

#include <stdio.h>
#include <linux/types.h>

#include "ebph.h"

/*
 * The version of the JSON lines' fields ("schema"): it grows by one when
 * a field changes meaning or goes away, not when one is added.
 */
#define EBPH_JSON_SCHEMA	1

/*
 * What user space adds to a line for its reader: the host, and for a
 * kernel event what it resolved of the event's process (ebph_origin.h).
 * A NULL string is null in the JSON.
 */
struct ebph_line_info {
	const char *host;		/* gethostname(2), read once */
	const char *path;		/* the profile's executable */
	const char *cgroup;		/* the cgroup v2 path */
	const char *container;		/* 64 hex digits */
	__u32 incident;			/* an anomaly's incident; 0: none */
	const char *file;		/* exec_refused: the file it tried */
};

/*
 * Write one JSON object and a newline to F:
 *
 *   {"time":"2026-11-21T12:07:17.123456789Z","schema":1,"host":"web1",
 *    "level":"warning","event":"anomaly","pid":1417,"tid":1417,
 *    "ppid":1400,"uid":1000,"loginuid":1000,"comm":"demo",
 *    "cgroup_id":8813,"cgroup":"/user.slice/user-1000.slice/session-3.scope",
 *    "container":null,"profile":"0000fe0000012345",
 *    "executable":"/usr/local/bin/demo","call":"write","call_nr":1,
 *    "misses":5,"seq_miss":false,"lfc":1,"anomalies":1,
 *    "sequence":["write","write","fstat"],"message":"PID 1417 ..."}
 *
 * REAL_NS is CLOCK_REALTIME; the time is RFC 3339 in UTC, to the
 * nanosecond.  EV is the kernel event the line reports, or NULL for
 * ebph's own lines ("event": "log"); IN what user space knows besides
 * (IN->path, cgroup... are read only with an EV); BOOT_TO_REAL converts
 * the kernel's CLOCK_BOOTTIME times in EV.  Strings are escaped for
 * JSON, and bytes that are not UTF-8 become \u00XX, so the line is
 * valid JSON whatever a process named itself.
 */
void ebph_json_line(FILE *f, __u64 real_ns, enum ebph_level level,
		    const char *msg, const struct ebph_event *ev,
		    const struct ebph_line_info *in, __s64 boot_to_real);

/*
 * An incident's summary (ebph_incident.c): the anomalies of one process
 * from its first until it was over.
 */
struct ebph_incident_sum {
	__u32 id;			/* as the anomaly lines' "incident" */
	__u32 anomalies, max_lfc;
	__u64 start_ns, end_ns;		/* CLOCK_REALTIME of its first and
					 * last anomaly */
	const __u64 *calls;		/* EBPH_NUM_CALLS bits: the calls */
	const char *ended;		/* lfc_zero, exited, timeout, exec,
					 * stopped */
	__u64 lost;			/* events lost meanwhile, any process's */
};

/*
 * The JSON line of an incident over: "event":"incident", the process
 * fields of its FIRST anomaly and IN, then
 *
 *   "incident":3,"anomalies":5,"max_lfc":5,"calls":["write","read"],
 *   "start":"...","end":"...","duration_ns":1234567,"ended":"exited",
 *   "lost":0
 */
void ebph_json_incident(FILE *f, __u64 real_ns, enum ebph_level level,
			const char *msg, const struct ebph_event *first,
			const struct ebph_line_info *in,
			const struct ebph_incident_sum *s);

/*
 * A record of an admin's action, reported by `ebph run` as an "audit"
 * line: who (the sender's uid and PID, from the kernel; its login uid,
 * from /proc; SUDO_USER, as the command found it in its environment:
 * informative only), what (COMMAND, TARGET) and the change (OLD, NEW;
 * "" when there is no value to give).  PID 0: nobody is known, a change
 * to the config map that no command announced ("config_change").
 */
struct ebph_audit {
	__u32 uid, pid;
	__u32 loginuid;			/* EBPH_NO_LOGINUID: not set */
	const char *sudo_user;		/* NULL: not set */
	const char *command, *target, *old, *new;
};
#define EBPH_NO_LOGINUID	0xffffffffU	/* as /proc/PID/loginuid says it */

/*
 * The same JSON line for an admin's action A, from HOST:
 *
 *   {"time":"...","schema":1,"host":"web1","level":"info","event":"audit","uid":0,
 *    "sudo_user":"alice","loginuid":1000,"pid":4242,"command":"set",
 *    "target":"monitoring","old":"on","new":"off","message":"audit: ..."}
 *
 * or "event":"config_change" with uid, sudo_user, loginuid and pid null.
 * OLD and NEW that are "" are null.
 */
void ebph_json_audit(FILE *f, __u64 real_ns, enum ebph_level level,
		     const char *msg, const struct ebph_audit *a, const char *host);

/*
 * The pieces of those lines, for the commands' --json (ebph_cmd.c), so
 * that a thing is written the same way wherever it appears:
 *
 * S as a JSON string, quotes included ("\"" and "\\" escaped, control
 * characters and bytes that are not UTF-8 as \u00XX); null for NULL.
 */
void ebph_json_str(FILE *f, const char *s);
/* REAL_NS (CLOCK_REALTIME) in RFC 3339, UTC: "2026-11-21T12:07:17.123456Z". */
void ebph_json_time(FILE *f, __u64 real_ns);
/* Call NR as two members: "FIELD":"write","FIELD_nr":1. */
void ebph_json_call(FILE *f, const char *field, unsigned int nr);
/* A packed sequence (ebph_seq_pack()) as two members: "packed" (16 hex
 * digits) and "sequence", its calls newest first without empty slots. */
void ebph_json_packed(FILE *f, __u64 packed);

/*
 * S as text that cannot forge a line of a log nor drive a terminal, into
 * BUF of LEN bytes, C-style: a backslash as \\, newline and tab as \n and
 * \t, other control bytes and DEL as \xNN (always two hex digits), a
 * UTF-8 character as \uXXXX (\UXXXXXXXX past U+FFFF), and a byte that is
 * not UTF-8 as \xNN.  What comes out is printable ASCII: UTF-8 does not
 * pass through, because it can look like what it is not (a Cyrillic
 * "s" in "sshd"), reorder the rest of a line on the screen (U+202E),
 * be a control (U+009B is CSI to a terminal that takes 8-bit controls)
 * or a line break (U+2028) to a log viewer; JSON keeps the name as it
 * is.  The escape is reversible, and printable ASCII is unchanged.  A
 * string that does not fit is cut after a whole character or escape.
 * Returns BUF.  EBPH_ESCAPED_LEN(N) holds any N bytes escaped.
 */
const char *ebph_escape(const char *s, char *buf, size_t len);
#define EBPH_ESCAPED_LEN(n)	(4 * (n) + 1)

/*
 * The text tables' columns (ps, profiles, top), measured in what a
 * terminal shows, not in bytes: each character of S takes wcwidth(3)
 * columns in the locale's encoding (setlocale(LC_CTYPE, "") first, as
 * main() does), a wide one 2, a combining mark 0; a byte that is not a
 * character, and a character that is not printable, take 1 (terminals
 * show one sign for them).  A name is escaped first (ebph_escape()), so
 * that it is printable ASCII; the tables still count columns, so that no
 * text, escaped or not, shifts the ones after it.
 *
 * ebph_width(): the columns S takes.  ebph_cut(): S cut after the whole
 * characters that fit in WIDTH columns (with the combining marks of the
 * last), into BUF of LEN bytes.  ebph_pad(): the same, then spaces to
 * WIDTH columns (a wide character that did not fit leaves one).  Both
 * return BUF.
 */
int ebph_width(const char *s);
const char *ebph_cut(const char *s, int width, char *buf, size_t len);
const char *ebph_pad(const char *s, int width, char *buf, size_t len);

/* The syslog priority (LOG_WARNING...) of a line of LEVEL about EV. */
int ebph_syslog_priority(enum ebph_level level, const struct ebph_event *ev);

/* "anomaly", "new_profile"...: the "event" field of EV's type. */
const char *ebph_event_name(__u32 type);

#endif /* EBPH_LOG_H */
