// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_metrics.c - what `ebph status` reads (struct status), in the
 * Prometheus text exposition format: `ebph status --prometheus`, and the
 * file `ebph run --metrics` keeps for node_exporter's textfile collector
 * (ebph_metrics_file.c).  No HTTP server: a scraper reads a file or a
 * command's output, and ebph listens on no port.
 *
 * The names follow Prometheus's conventions: the ebph_ prefix, base
 * units (seconds, bytes), _total for counters.  A counter is the
 * kernel's, since the running ebph started; a gauge is what is there
 * now.  ebph_calls_total is the sum of the profiles' counts, as `ebph
 * status` gives it: a profile deleted takes its calls with it, which
 * rate() sees as a counter reset.  A value ebph could not read (a map
 * count) has no sample, as the JSON has null.  ebph(8), METRICS, lists
 * every name.
 */
#include <stdio.h>

#include "ebph.h"
#include "ebph_cmd.h"

/* # HELP and # TYPE of metric NAME. */
static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric of one sample, without labels. */
static void one(FILE *f, const char *name, const char *type, const char *help,
		unsigned long long v)
{
	head(f, name, type, help);
	fprintf(f, "%s %llu\n", name, v);
}

/* The sample NAME{LABEL="VALUE"} V; none for a count unreadable (V < 0). */
static void labelled(FILE *f, const char *name, const char *label,
		     const char *value, long long v)
{
	if (v >= 0)
		fprintf(f, "%s{%s=\"%s\"} %lld\n", name, label, value, v);
}

/* ebph_info: the value is 1, the version in its label. */
static void info(FILE *f)
{
	head(f, "ebph_info", "gauge", "The ebph binary's version, in the label; always 1.");
	labelled(f, "ebph_info", "version", EBPH_VERSION, 1);
}

void metrics_print_down(FILE *f)
{
	one(f, "ebph_up", "gauge", "1 while ebph runs and monitors, 0 once it stopped.", 0);
	info(f);
}

/* Each map's entries and its size. */
static void map_fill(FILE *f, const struct status *t)
{
	static const char *names[] = { "profiles", "tasks", "rows", "seqs" };
	const long used[] = { t->nprofiles, t->ntasks, t->nrows, t->nseqs };
	const long max[] = { EBPH_MAX_PROFILES, EBPH_MAX_TASKS, EBPH_MAX_ROWS, EBPH_MAX_SEQS };
	int i;

	head(f, "ebph_map_entries", "gauge", "Entries in each of ebph's BPF maps.");
	for (i = 0; i < 4; i++)
		labelled(f, "ebph_map_entries", "map", names[i], used[i]);
	head(f, "ebph_map_max_entries", "gauge", "The size of each of ebph's BPF maps.");
	for (i = 0; i < 4; i++)
		labelled(f, "ebph_map_max_entries", "map", names[i], max[i]);
}

/* What ebph could not do: each of the kernel's counters but the
 * anomalies, by what was lost (the label: why). */
static void losses(FILE *f, const __u64 st[EBPH_STAT_MAX])
{
	one(f, "ebph_events_dropped_total", "counter",
	    "Events lost because a perf ring was full (the only count of lost events).",
	    st[EBPH_STAT_EVENT_DROPS]);
	head(f, "ebph_untraced_threads_total", "counter",
	     "Threads left untraced: the tasks map was full, or their executable unreadable.");
	labelled(f, "ebph_untraced_threads_total", "reason", "tasks_full",
		 st[EBPH_STAT_TASKS_FULL]);
	labelled(f, "ebph_untraced_threads_total", "reason", "key_error",
		 st[EBPH_STAT_KEY_ERRORS]);
	head(f, "ebph_unprofiled_executables_total", "counter",
	     "Executables that got no profile: the profiles map was full, or their owner over the quota.");
	labelled(f, "ebph_unprofiled_executables_total", "reason", "profiles_full",
		 st[EBPH_STAT_PROFILES_FULL]);
	labelled(f, "ebph_unprofiled_executables_total", "reason", "owner_quota",
		 st[EBPH_STAT_OWNER_QUOTA]);
	one(f, "ebph_unlearned_pairs_total", "counter",
	    "Lookahead pairs not learned: the rows map was full.", st[EBPH_STAT_ROWS_FULL]);
	one(f, "ebph_unlearned_sequences_total", "counter",
	    "Sequences not learned: the seqs map was full.", st[EBPH_STAT_SEQS_FULL]);
	head(f, "ebph_skipped_calls_total", "counter",
	     "System calls not traced: numbered past the table, or x32.");
	labelled(f, "ebph_skipped_calls_total", "reason", "big_call", st[EBPH_STAT_BIG_CALL]);
	labelled(f, "ebph_skipped_calls_total", "reason", "x32", st[EBPH_STAT_X32]);
	one(f, "ebph_unnamed_execs_total", "counter",
	    "Execs of files with no name (memfd, deleted), never tested.",
	    st[EBPH_STAT_UNNAMED_EXEC]);
	one(f, "ebph_io_uring_requests_total", "counter",
	    "io_uring requests of traced tasks, not analyzed.", st[EBPH_STAT_IO_URING]);
	one(f, "ebph_signal_frame_overflows_total", "counter",
	    "Signal handler frames deeper than ebph keeps, or left by siglongjmp.",
	    st[EBPH_STAT_FRAMES_FULL]);
}

void metrics_print(FILE *f, const struct status *t)
{
	static const char *states[] = { "training", "frozen", "normal" };
	int i;

	one(f, "ebph_up", "gauge", "1 while ebph runs and monitors, 0 once it stopped.", 1);
	info(f);
	if (t->have_rs)
		one(f, "ebph_start_time_seconds", "gauge",
		    "When the running ebph started, in seconds since 1970.", t->rs.started);
	one(f, "ebph_monitoring", "gauge", "1 if system calls are traced, 0 after 'ebph set monitoring off'.",
	    t->cfg.monitoring);
	one(f, "ebph_calls_total", "counter", "System calls seen, the sum of the profiles' counts.",
	    t->calls);
	one(f, "ebph_anomalies_total", "counter", "Anomalous system calls since ebph started.",
	    t->st[EBPH_STAT_ANOMALIES]);
	head(f, "ebph_profiles", "gauge", "Profiles, by state.");
	for (i = 0; i < 3; i++)
		labelled(f, "ebph_profiles", "state", states[i], t->by_state[i]);
	if (t->ntasks >= 0)
		one(f, "ebph_tasks", "gauge", "Threads traced now.", t->ntasks);
	map_fill(f, t);
	if (t->nrows >= 0)
		one(f, "ebph_pairs_memory_bytes", "gauge", "Memory of the lookahead pairs' rows.",
		    (unsigned long long)t->nrows * EBPH_NUM_SYSCALLS);
	losses(f, t->st);
	if (t->have_rs)
		one(f, "ebph_saves_total", "counter", "Saves of the profiles finished.", t->rs.saves);
}
