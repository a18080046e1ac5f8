/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_log.h - ebph's log lines for machines: one JSON object per line
 * (`ebph run --json`), and the syslog(3) priority of each line
 * (`--syslog`).  The text a person reads is composed by ebph_user.c; it
 * travels in the JSON object as "message", beside the event's fields.
 */
#ifndef EBPH_LOG_H
#define EBPH_LOG_H

#include <stdio.h>
#include <linux/types.h>

#include "ebph.h"

/*
 * Write one JSON object and a newline to F:
 *
 *   {"time":"2026-11-21T12:07:17.123456Z","level":"warning",
 *    "event":"anomaly","pid":1417,"tid":1417,"comm":"demo",
 *    "profile":"0000fe0000012345","executable":"/usr/local/bin/demo",
 *    "call":"write","call_nr":1,"misses":5,"seq_miss":false,"lfc":1,
 *    "anomalies":1,"sequence":["write","write","fstat"],
 *    "message":"PID 1417 ..."}
 *
 * REAL_NS is CLOCK_REALTIME; the time is RFC 3339 in UTC.  EV is the
 * kernel event the line reports, or NULL for ebph's own lines ("event":
 * "log"); PATH is its profile's executable (may be NULL); BOOT_TO_REAL
 * converts the kernel's CLOCK_BOOTTIME times in EV.  Strings are escaped
 * for JSON, and bytes that are not UTF-8 become \u00XX, so the line is
 * valid JSON whatever a process named itself.
 */
void ebph_json_line(FILE *f, __u64 real_ns, enum ebph_level level,
		    const char *msg, const struct ebph_event *ev,
		    const char *path, __s64 boot_to_real);

/* The syslog priority (LOG_WARNING...) of a line of LEVEL about EV. */
int ebph_syslog_priority(enum ebph_level level, const struct ebph_event *ev);

/* "anomaly", "new_profile"...: the "event" field of EV's type. */
const char *ebph_event_name(__u32 type);

#endif /* EBPH_LOG_H */
