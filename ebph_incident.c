// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_incident.c - one alert per incident (ebph_run.h): the anomalies
 * of a process, from its first until its LFC is back to 0, as one line
 * when it begins and one summary when it ends, not one line a call.
 *
 * The kernel sends an event for each anomalous call, with the thread's
 * LFC (the anomalies among its last EBPH_LOCALITY_WIN calls), but none
 * when the LFC falls back to 0: that takes normal calls, which send
 * nothing.  So user space looks: every INCIDENT_TICK it reads, from the
 * tasks map, the LFC of each thread that had an anomaly.  An incident
 * ends when each such thread has an LFC of 0 ("lfc_zero") or is gone
 * ("exited": sched_process_exit deletes its entry), or when no anomaly
 * came for the time limit (--incident-timeout, "timeout": a process
 * that sleeps keeps its LFC), or when ebph stops ("stopped").
 *
 * Nothing is dropped without being counted: each anomaly folded into
 * an incident is in its summary's count, and the events the kernel
 * could not send meanwhile (EBPH_STAT_EVENT_DROPS, for every process)
 * are in it too, as check_stats() reports them.  A process that finds
 * the table full gets each anomaly's line, as with --every-anomaly.
 */
#include <stdlib.h>
#include <string.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_util.h"

/* How often the LFCs are read, at most (ns). */
#define INCIDENT_TICK		(250 * 1000000ULL)

/* The sum of the per-CPU event drop counter now. */
static __u64 event_drops(struct ebph *e)
{
	__u32 idx = EBPH_STAT_EVENT_DROPS;
	__u64 vals[e->ncpus > 0 ? e->ncpus : 1], sum = 0;
	int c;

	if (e->ncpus <= 0 || bpf_map_lookup(e->m.stats, &idx, vals))
		return 0;
	for (c = 0; c < e->ncpus; c++)
		sum += vals[c];
	return sum;
}

/* The open incident of process PID, or NULL. */
static struct incident *incident_of(struct ebph *e, __u32 pid)
{
	size_t i;

	for (i = 0; e->incidents && i < INCIDENT_MAX; i++)
		if (e->incidents[i].pid == pid)
			return &e->incidents[i];
	return NULL;
}

/* INC's summary, then its slot free. */
static void incident_end(struct ebph *e, struct incident *inc, const char *why)
{
	inc->lost = event_drops(e) - inc->drops0;
	print_incident(e, inc, why);
	inc->pid = 0;
}

/* TID (a thread of INC) into its list, if there is room: a thread left
 * out of it is not waited for, as if its LFC were 0. */
static void add_tid(struct incident *inc, __u32 tid)
{
	__u32 i;

	for (i = 0; i < inc->ntids; i++)
		if (inc->tids[i] == tid)
			return;
	if (inc->ntids < INCIDENT_TIDS)
		inc->tids[inc->ntids++] = tid;
}

int incident_anomaly(struct ebph *e, const struct ebph_event *ev, __u32 *id)
{
	struct incident *inc = incident_of(e, ev->pid);
	size_t i;

	if (inc && inc->first.profile != ev->profile) {
		/* An exec since: a new program, a new incident. */
		incident_end(e, inc, "exec");
		inc = NULL;
	}
	if (inc) {
		inc->anomalies++;
		if (ev->lfc > inc->max_lfc)
			inc->max_lfc = ev->lfc;
		inc->last_ns = ev->ts;
		inc->last_mono = clock_ns(CLOCK_MONOTONIC);
		inc->calls[ev->call / 64] |= 1ULL << (ev->call % 64);
		add_tid(inc, ev->tid);
		*id = inc->id;
		return 0;
	}
	if (!e->incidents)
		e->incidents = calloc(INCIDENT_MAX, sizeof(*e->incidents));
	for (i = 0; e->incidents && i < INCIDENT_MAX; i++)
		if (!e->incidents[i].pid)
			break;
	if (!e->incidents || i == INCIDENT_MAX) {
		*id = 0;
		return -1;	/* its line, as with --every-anomaly */
	}
	inc = &e->incidents[i];
	memset(inc, 0, sizeof(*inc));
	inc->pid = ev->pid;
	inc->id = ++e->incident_seq;
	inc->first = *ev;
	inc->anomalies = 1;
	inc->max_lfc = ev->lfc;
	inc->last_ns = ev->ts;
	inc->last_mono = clock_ns(CLOCK_MONOTONIC);
	inc->drops0 = event_drops(e);
	inc->calls[ev->call / 64] |= 1ULL << (ev->call % 64);
	add_tid(inc, ev->tid);
	*id = inc->id;
	return 1;
}

/* Why INC is over, or NULL while one of its threads has an LFC. */
static const char *incident_over(struct ebph *e, const struct incident *inc, __u64 now)
{
	int live = 0;
	__u32 i;

	for (i = 0; i < inc->ntids; i++) {
		struct ebph_task t;

		if (bpf_map_lookup(e->m.tasks, &inc->tids[i], &t) || t.pid != inc->pid)
			continue;	/* gone, or the TID is another's now */
		live = 1;
		if (t.lfc)
			return now - inc->last_mono >= e->opt.incident_timeout ? "timeout" : NULL;
	}
	return live ? "lfc_zero" : "exited";
}

void incident_check(struct ebph *e, int final)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC);
	size_t i;

	if (!e->incidents || (!final && now < e->incident_next))
		return;
	e->incident_next = now + INCIDENT_TICK;
	for (i = 0; i < INCIDENT_MAX; i++) {
		struct incident *inc = &e->incidents[i];
		const char *why;

		if (!inc->pid)
			continue;
		why = incident_over(e, inc, now);
		if (!why && final)
			why = "stopped";
		if (why)
			incident_end(e, inc, why);
	}
	if (final) {
		free(e->incidents);
		e->incidents = NULL;
	}
}
