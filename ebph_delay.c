// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_delay.c - pH's delays, user space's half (EBPH_DELAYS in ebph.h):
 * the processes the kernel stopped, resumed when their delay has passed.
 *
 * The kernel stops a process (SIGSTOP) and says so with an EBPH_EV_DELAY
 * event; delay_event() puts it on the list with a pidfd, which names
 * that process and no later one of the same PID, and delay_check(), at
 * every turn of the event loop, resumes each one that is due, or that
 * no longer has a reason to wait: delays turned off (`ebph set
 * delay-factor 0`), its profile no longer normal (`ebph tolerize`) or
 * normal anew (`ebph normalize`), its LFC back to 0, its thread gone.
 * delay_timeout() tells the loop when the next is due.
 *
 * No process is ever left stopped by ebph:
 *   - at a stop (any signal that ends ebph, crashes included, but
 *     SIGKILL), delay_release_all() (or delay_on_crash()) resumes all;
 *   - after a SIGKILL the pinned "delays" map still lists them, and the
 *     next `ebph run` resumes them (delay_recover()) before it removes
 *     the pins;
 *   - an event lost (a full ring) leaves an entry with no event:
 *     delay_check() adopts the map's entries it has not heard of.
 *
 * One rule decides whether a process is resumed (resume()): only if no
 * other stop was asked for meanwhile.  SIGSTOP is one bit per process,
 * so ebph cannot tell its stop from a shell's or a debugger's once both
 * are taken; what it can see is a stop signal still pending, which a
 * job-control stop sent while ebph's held (Ctrl-Z, kill -STOP) is: the
 * kernel takes it at the next resume.  SIGCONT would discard it, so
 * ebph leaves such a process stopped, for whoever stopped it.  The race
 * left: a stop sent between the kernel's SIGSTOP and the moment it is
 * taken (the call returning to user space: microseconds) merges with
 * ebph's and is resumed with it; so is a process someone else resumed
 * (fg) and stopped again (Ctrl-Z) within ebph's delay (at most 1 s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_state.h"
#include "ebph_util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif

/* The stop signals: a pending one is someone else's stop. */
#define STOP_SIGNALS	((1ULL << (SIGSTOP - 1)) | (1ULL << (SIGTSTP - 1)) | \
			 (1ULL << (SIGTTIN - 1)) | (1ULL << (SIGTTOU - 1)))

/* For delay_on_crash(), which has no other way to the list. */
static struct ebph *crash_e;

static __u64 boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

/*
 * What /proc says of process PID: its state letter, its start time
 * (CLOCK_BOOTTIME, ns, to the clock tick) and whether a stop signal is
 * pending for it (the process's or a thread's).  0, or -1 if it is
 * gone.
 */
static int proc_read(__u32 pid, char *state, __u64 *start, int *stop_pending)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0, mask;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	FILE *f;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* After the comm's last ')': state is field 3, starttime 22. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c", state) != 1)
		return -1;
	for (i = 3; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &t) != 1)
		return -1;
	*start = t * (1000000000ULL / (hz > 0 ? hz : 100));
	*stop_pending = 0;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if ((sscanf(buf, "ShdPnd: %llx", &mask) == 1 ||
		     sscanf(buf, "SigPnd: %llx", &mask) == 1) && (mask & STOP_SIGNALS))
			*stop_pending = 1;
	fclose(f);
	return 0;
}

/* Whether process PID, which /proc says started at START, can be the
 * one stopped at STOP_TS: a later process of the same PID started after
 * that one died, which is after its stop.  (/proc's start time is in
 * clock ticks: one started in the tick of the stop is taken for it.) */
static int same_process(__u64 start, __u64 stop_ts)
{
	return start <= stop_ts;
}

/* A pidfd on process PID if it is the one stopped at STOP_TS; -1 if it
 * is gone.  Opened before /proc is read: if /proc then says it started
 * before the stop, the pidfd is on that process. */
static int pidfd_for(__u32 pid, __u64 stop_ts)
{
	int stop_pending, fd = syscall(SYS_pidfd_open, pid, 0);
	__u64 start;
	char state;

	if (fd < 0)
		return -1;
	if (proc_read(pid, &state, &start, &stop_pending) ||
	    !same_process(start, stop_ts)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Slot I of the list off it, its pidfd closed. */
static void slot_drop(struct ebph *e, size_t i)
{
	if (e->delays[i].pidfd >= 0)
		close(e->delays[i].pidfd);
	e->delays[i] = e->delays[--e->ndelays];
}

/*
 * The one rule (the top of this file): resume D's process unless another
 * stop is pending for it; its map entry goes first, so that its next
 * anomalous call can be delayed again.  WHY says why now, in the log.
 */
static void resume(struct ebph *e, const struct delay_slot *d, const char *why)
{
	int stop_pending = 0;
	__u64 start;
	char state;

	bpf_map_delete(e->m.delays, &d->pid);
	if (d->pidfd < 0)
		return;		/* gone: nothing to resume */
	/* Stopped, ebph's SIGSTOP was taken: a stop pending now is someone
	 * else's.  Not stopped yet, the pending one may be ebph's own (the
	 * call has not returned to user space), which SIGCONT cancels. */
	if (!proc_read(d->pid, &state, &start, &stop_pending) && state == 'T' &&
	    stop_pending) {
		ebph_state_resumed(1);
		say(e, EBPH_WARNING, "PID %u: not resumed (%s): another stop is pending for it (job control, a debugger): it stays stopped for whoever stopped it",
		    d->pid, why);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, d->pidfd, SIGCONT, NULL, 0)) {
		if (errno != ESRCH)
			say(e, EBPH_ERROR, "PID %u: cannot resume it (%s): %s", d->pid, why,
			    strerror(errno));
		return;
	}
	ebph_state_resumed(0);
	if (strcmp(why, "its delay is over"))
		say(e, EBPH_INFO, "PID %u resumed: %s", d->pid, why);
}

/* Process PID stopped at STOP_TS for NS: on the list, with a pidfd.
 * 0, or -1 if the list is full (the caller resumes it). */
static int slot_add(struct ebph *e, __u32 pid, const struct ebph_delay *d,
		    __u64 profile, __u32 anomalies)
{
	struct delay_slot *s;

	if (e->ndelays == EBPH_MAX_DELAYS)
		return -1;
	s = &e->delays[e->ndelays++];
	*s = (struct delay_slot){
		.pid = pid, .tid = d->tid, .due = d->ts + d->ns,
		.profile = profile, .anomalies = anomalies,
		.pidfd = pidfd_for(pid, d->ts),
	};
	return 0;
}

/* The profile of thread TID's task and that profile, from the maps:
 * 0, or -1 if either is gone. */
static int task_profile(struct ebph *e, __u32 tid, struct ebph_task *t,
			struct ebph_profile *p)
{
	if (bpf_map_lookup(e->m.tasks, &tid, t))
		return -1;
	return bpf_map_lookup(e->m.profiles, &t->profile, p) ? -1 : 0;
}

void delay_event(struct ebph *e, const struct ebph_event *ev)
{
	struct ebph_delay d = { .ts = ev->ts, .ns = ev->arg, .tid = ev->tid, .lfc = ev->lfc };
	struct ebph_profile p = { 0 };
	struct ebph_task t;
	size_t i;

	for (i = 0; i < e->ndelays; i++)
		if (e->delays[i].pid == ev->pid)
			return;		/* adopted from the map already */
	task_profile(e, ev->tid, &t, &p);
	if (slot_add(e, ev->pid, &d, ev->profile, p.anomalies)) {
		struct delay_slot s = { .pid = ev->pid, .pidfd = pidfd_for(ev->pid, ev->ts) };

		resume(e, &s, "too many processes delayed at once");
		if (s.pidfd >= 0)
			close(s.pidfd);
	}
}

/* Why D's process should not wait for the end of its delay, or NULL
 * (CFG: the config map as it is now). */
static const char *release_reason(struct ebph *e, const struct delay_slot *d,
				  const struct ebph_config *cfg)
{
	struct ebph_profile p;
	struct ebph_task t;

	if (!cfg->delay_factor)
		return "delays are off (delay-factor 0)";
	if (task_profile(e, d->tid, &t, &p))
		return "its thread or profile is gone";
	if (t.profile != d->profile || !(p.status & EBPH_NORMAL))
		return "its profile is not normal";
	if (p.anomalies < d->anomalies)
		return "its profile was made normal again";
	if (!t.lfc)
		return "its LFC is back to 0";
	return NULL;
}

/* The map's entries that no event told us of (a lost event), on the
 * list: none may stay stopped for want of a timer. */
static void adopt_unheard(struct ebph *e)
{
	__u32 key, next, *prev = NULL;
	struct ebph_delay d;
	size_t i;

	while (!bpf_map_next_key(e->m.delays, prev, &next)) {
		key = next;
		prev = &key;
		for (i = 0; i < e->ndelays && e->delays[i].pid != key; i++)
			;
		if (i < e->ndelays || bpf_map_lookup(e->m.delays, &key, &d))
			continue;
		/* An event still in the ring is older than its entry by
		 * microseconds: one second's grace before adopting. */
		if (boot_ns() - d.ts < 1000000000ULL)
			continue;
		if (slot_add(e, key, &d, 0, 0))	/* profile 0: not compared */
			break;
	}
}

void delay_check(struct ebph *e)
{
	struct ebph_config cfg;
	__u64 now = boot_ns();
	const char *why;
	__u32 zero = 0;
	size_t i;

	if (bpf_map_lookup(e->m.config, &zero, &cfg))
		cfg.delay_factor = 1;	/* unknown: only the timers */
	adopt_unheard(e);
	for (i = 0; i < e->ndelays;) {
		struct delay_slot *d = &e->delays[i];

		why = now >= d->due ? "its delay is over" : d->profile ? release_reason(e, d, &cfg) :
		      !cfg.delay_factor ? "delays are off (delay-factor 0)" : NULL;
		if (!why) {
			i++;
			continue;
		}
		resume(e, d, why);
		slot_drop(e, i);
	}
}

__u64 delay_timeout(struct ebph *e, __u64 max_ns)
{
	__u64 now = boot_ns(), t = max_ns;
	size_t i;

	for (i = 0; i < e->ndelays; i++) {
		if (e->delays[i].due <= now)
			return 0;
		if (e->delays[i].due - now < t)
			t = e->delays[i].due - now;
	}
	return t;
}

void delay_release_all(struct ebph *e, const char *why)
{
	struct delay_slot none = { .pidfd = -1 };
	int n = 0;
	__u32 key;

	while (e->ndelays) {
		resume(e, &e->delays[0], why);
		slot_drop(e, 0);
	}
	/* And any the kernel stopped that no event has told us of yet
	 * (resume() deletes each; the count bounds a delete that fails). */
	while (n++ < 2 * EBPH_MAX_DELAYS && !bpf_map_next_key(e->m.delays, NULL, &key)) {
		struct ebph_delay d;

		if (bpf_map_lookup(e->m.delays, &key, &d)) {
			bpf_map_delete(e->m.delays, &key);
			continue;
		}
		none.pid = key;
		none.pidfd = pidfd_for(key, d.ts);
		resume(e, &none, why);
		if (none.pidfd >= 0)
			close(none.pidfd);
	}
}

/*
 * A crash (SIGSEGV...): only async-signal-safe calls (bpf(2), pidfd_open(2)
 * and pidfd_send_signal(2) are system calls).  Delays off first, in the
 * config map: the programs stay attached until the process is gone, and
 * would stop a resumed process again.  Then each process in the delays
 * map, the list's and any whose event is not read yet: its entry
 * deleted, SIGCONT.  Then the signal again with its default action
 * (SA_RESETHAND), which dumps core as it would have.  Left out: the
 * rule for a pending stop and the check of the start time (they read
 * /proc with stdio); an entry is a stop of the last second, whose PID
 * cannot have been reused since.
 */
static void delay_on_crash(int sig)
{
	static struct ebph_config cfg;
	__u32 zero = 0, key;
	int fd, n = 0;

	if (crash_e && !bpf_map_lookup(crash_e->m.config, &zero, &cfg)) {
		cfg.delay_factor = 0;
		bpf_map_update(crash_e->m.config, &zero, &cfg, BPF_ANY);
	}
	while (crash_e && n++ < 2 * EBPH_MAX_DELAYS &&
	       !bpf_map_next_key(crash_e->m.delays, NULL, &key)) {
		bpf_map_delete(crash_e->m.delays, &key);
		fd = syscall(SYS_pidfd_open, key, 0);
		if (fd >= 0) {
			syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0);
			close(fd);
		}
	}
	raise(sig);
}

int delay_start(struct ebph *e)
{
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP };
	struct sigaction sa = { .sa_handler = delay_on_crash,
				.sa_flags = SA_RESETHAND | SA_NODEFER };
	size_t i;

	e->delays = calloc(EBPH_MAX_DELAYS, sizeof(*e->delays));
	if (!e->delays) {
		fprintf(stderr, "ebph: out of memory for the list of delays\n");
		return -1;
	}
	crash_e = e;
	for (i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		sigaction(crashes[i], &sa, NULL);
	return 0;
}

void delay_stop(struct ebph *e)
{
	crash_e = NULL;
	free(e->delays);
	e->delays = NULL;
	e->ndelays = 0;
}

int delay_recover(int dir)
{
	int fd, pfd, stop_pending, n = 0;
	__u32 key, *prev = NULL, next;
	struct ebph_delay d;
	__u64 start;
	char state;

	fd = bpf_pin_open_at(dir, "delays");
	if (fd < 0)
		return 0;	/* an older ebph's pins: it had no delays */
	while (!bpf_map_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup(fd, &key, &d))
			continue;
		/* The pidfd before /proc, as pidfd_for() says why. */
		pfd = syscall(SYS_pidfd_open, key, 0);
		if (pfd < 0)
			continue;	/* gone */
		if (proc_read(key, &state, &start, &stop_pending) ||
		    !same_process(start, d.ts) || state != 'T') {
			/* A later process of that PID; or resumed since (by
			 * hand, or by the crash path). */
		} else if (stop_pending) {
			fprintf(stderr, "ebph: PID %u, stopped for a delay by an ebph that was killed, is not resumed: another stop is pending for it (job control, a debugger)\n",
				key);
		} else if (!syscall(SYS_pidfd_send_signal, pfd, SIGCONT, NULL, 0)) {
			fprintf(stderr, "ebph: PID %u resumed: stopped for a delay by an ebph that was killed\n",
				key);
			n++;
		}
		close(pfd);
	}
	close(fd);
	return n;
}
