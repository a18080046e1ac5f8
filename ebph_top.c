// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_top.c - `ebph top`: a live view of the running ebph in a terminal.
 *
 * Once a second it reads the pinned maps (profiles, tasks, stats,
 * config) and /run/ebph/anomalies, and redraws:
 *
 *   summary      PID, uptime, monitoring, detectors, profiles by state,
 *                tasks, calls, anomalies, rows (and sequences, with that
 *                detector), events dropped
 *   profiles     the normal ones first, then frozen, then training,
 *                each by anomalies, then by path; one is selected (j/k
 *                or the arrow keys), and the selection follows it
 *   anomalies    the most recent ones, newest first
 *   highest LFC  the tasks with the most anomalous calls among their
 *                last 128
 *
 * and t, n, s, d tolerize, normalize, sensitize or delete the selected
 * profile (s and d ask first), as the commands of the same names do.
 *
 * Where the anomalies come from.  The kernel sends each anomaly once,
 * to the running `ebph run`; no map remembers them.  So `ebph run`
 * keeps the last EBPH_RECENT_MAX in /run/ebph/anomalies (ebph_state.c),
 * rewritten at most once per turn of its event loop, and top reads that
 * file.  The maps give the rest: counts per profile, LFC per task.
 *
 * The terminal.  Plain ANSI escapes and termios raw mode, no curses: the
 * alternate screen, the cursor hidden, each line drawn and cleared to
 * its end, so that nothing flickers.  The terminal is restored on every
 * way out: q, Ctrl-C (a key in raw mode, and SIGINT/SIGTERM/SIGHUP from
 * outside), an error, and exit() through atexit().  Fits 80x24; a
 * taller terminal shows more of each list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "bpf_sys.h"
#include "ebph.h"
#include "ebph_cmd.h"
#include "ebph_log.h"
#include "ebph_maps.h"
#include "ebph_state.h"
#include "ebph_util.h"
#include "syscall_names.h"

#define NS	1000000000ULL

static const char top_usage[] =
"Usage: ebph top [-b] [--delay SECONDS]\n"
"A live view of the running ebph, redrawn every second: a summary,\n"
"the profiles by state, the most recent anomalies and the tasks with\n"
"the highest LFC.\n"
"\n"
"  -b, --batch         print one screen as plain text and exit\n"
"      --delay SECS    seconds between redraws (1 to 60, default 1)\n"
"  -h, --help          this help\n"
"\n"
"Keys: j/k or the arrows select a profile; t tolerizes it, n normalizes\n"
"it, s sensitizes it and d deletes it (s and d ask y/n first); q or\n"
"Ctrl-C quits.\n"
"\n"
"Examples:\n"
"  sudo ebph top\n"
"  sudo ebph top --delay 5\n"
"  sudo ebph top -b | head -20       one screen, for a script or a mail\n";

/* ---- the terminal ---------------------------------------------------- */

static struct termios saved_tio;
static int tio_saved;
static volatile sig_atomic_t quit_signal, resized;

static void term_restore(void)
{
	if (!tio_saved)
		return;
	/* Cursor back, main screen back, attributes off. */
	fputs("\033[m\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = 0;
}

static void on_quit(int sig)
{
	quit_signal = sig;
}

static void on_winch(int sig)
{
	resized = 1;
}

static int term_raw(void)
{
	struct sigaction sa = { .sa_handler = on_quit };
	struct sigaction sw = { .sa_handler = on_winch };
	struct termios tio;

	if (tcgetattr(STDIN_FILENO, &saved_tio))
		return -errno;
	tio = saved_tio;
	/* No line editing, no echo, no signals from keys (Ctrl-C is read
	 * as a key, so that quitting always goes through the restore), no
	 * output processing surprises beyond \n -> \r\n. */
	tio.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	tio.c_iflag &= ~(IXON | ICRNL);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio))
		return -errno;
	tio_saved = 1;
	atexit(term_restore);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sw, NULL);
	/* Alternate screen, cursor hidden. */
	fputs("\033[?1049h\033[?25l", stdout);
	return 0;
}

static void term_size(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* ---- what is shown ----------------------------------------------------- */

struct view {
	struct ebph_maps m;
	int ncpus;
	struct ebph_snapshot s;		/* sorted by key: lookups */
	struct ebph_profile_rec **order; /* the list as shown */
	struct cmd_task *tasks;
	size_t ntasks;
	struct ebph_anomaly_rec recent[EBPH_RECENT_MAX];
	int nrecent;
	struct ebph_config cfg;
	struct ebph_runstate rs;
	int have_rs;
	pid_t pid;			/* the ebph we watch */
	__u64 anomalies, drops, refused;	/* refused: execs, EBPH_STAT_EXEC_REFUSED */
	long nrows, nseqs;		/* nseqs: -1 without the detector */
	__u64 selected;			/* key of the selected profile */
	size_t sel, first;		/* its index, the first one shown */
	char status[EBPH_ESCAPED_LEN(EBPH_PATH_LEN) + 640]; /* the last action's outcome */
	int confirm;			/* 'd' or 's' waiting for y/n */
	int esc;			/* of an arrow's ESC [ A: bytes seen */
	int changed;			/* a key changed a profile: read again */
};

static int state_rank(__u32 status)
{
	return status & EBPH_NORMAL ? 0 : status & EBPH_FROZEN ? 1 : 2;
}

static int cmp_order(const void *a, const void *b)
{
	const struct ebph_profile_rec *x = *(struct ebph_profile_rec *const *)a;
	const struct ebph_profile_rec *y = *(struct ebph_profile_rec *const *)b;
	int d = state_rank(x->prof.status) - state_rank(y->prof.status);

	if (d)
		return d;
	if (x->prof.anomalies != y->prof.anomalies)
		return x->prof.anomalies > y->prof.anomalies ? -1 : 1;
	/* Then by name, not by a count that changes every second: a list
	 * that reshuffles under the cursor cannot be pointed at. */
	d = strcmp(x->path, y->path);
	if (d)
		return d;
	return x->prof.key < y->prof.key ? -1 : x->prof.key > y->prof.key;
}

static int cmp_lfc(const void *a, const void *b)
{
	const struct cmd_task *x = a, *y = b;

	if (x->lfc != y->lfc)
		return x->lfc > y->lfc ? -1 : 1;
	if (x->max_lfc != y->max_lfc)
		return x->max_lfc > y->max_lfc ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The profiles in the order shown: v->order points into v->s. */
static int view_sort_profiles(struct view *v)
{
	size_t i;

	v->order = calloc(v->s.n + 1, sizeof(*v->order));
	if (!v->order)
		return -ENOMEM;
	for (i = 0; i < v->s.n; i++)
		v->order[i] = &v->s.recs[i];
	qsort(v->order, v->s.n, sizeof(*v->order), cmp_order);
	return 0;
}

/* The tasks, by LFC. */
static int view_read_tasks(struct view *v)
{
	int err;

	free(v->tasks);
	err = cmd_read_tasks(&v->m, &v->tasks, &v->ntasks);
	if (err)
		return err;
	qsort(v->tasks, v->ntasks, sizeof(*v->tasks), cmp_lfc);
	return 0;
}

/* The counters of the summary: per-CPU stats summed, and map sizes. */
static void view_read_counts(struct view *v)
{
	__u32 idx;

	v->anomalies = v->drops = v->refused = 0;
	for (idx = EBPH_STAT_ANOMALIES; idx <= EBPH_STAT_EXEC_REFUSED; idx++) {
		__u64 vals[v->ncpus > 0 ? v->ncpus : 1], sum = 0;
		int c;

		if (v->ncpus > 0 && !bpf_map_lookup(v->m.stats, &idx, vals))
			for (c = 0; c < v->ncpus; c++)
				sum += vals[c];
		if (idx == EBPH_STAT_ANOMALIES)
			v->anomalies = sum;
		else if (idx == EBPH_STAT_EVENT_DROPS)
			v->drops = sum;
		else if (idx == EBPH_STAT_EXEC_REFUSED)
			v->refused = sum;
	}
	v->nrows = bpf_map_count(v->m.rows, sizeof(struct ebph_row_key));
	/* A walk of up to a million keys a second: only when it is the
	 * detector's map that fills. */
	v->nseqs = v->cfg.detectors & EBPH_DET_SEQS ?
		   bpf_map_count(v->m.seqs, sizeof(struct ebph_seq_key)) : -1;
}

/* The selection follows its profile as the list is re-sorted; if it is
 * gone, the same place in the list. */
static void view_follow_selection(struct view *v)
{
	size_t i;

	for (i = 0; i < v->s.n; i++)
		if (v->order[i]->prof.key == v->selected)
			break;
	if (i == v->s.n)
		i = v->sel < v->s.n ? v->sel : v->s.n ? v->s.n - 1 : 0;
	v->sel = i;
	v->selected = v->s.n ? v->order[i]->prof.key : 0;
}

/* Read everything anew.  0, -ESRCH when ebph stopped, another -errno
 * when a map could not be read. */
static int view_read(struct view *v)
{
	__u32 zero = 0;
	int err;

	ebph_snapshot_free(&v->s);
	free(v->order);
	v->order = NULL;
	v->ntasks = 0;
	err = bpf_map_lookup(v->m.config, &zero, &v->cfg);
	if (!err)
		err = ebph_snapshot_read_profiles(&v->m, &v->s);
	if (!err)
		err = view_sort_profiles(v);
	if (!err)
		err = view_read_tasks(v);
	if (err)
		return err;
	view_read_counts(v);
	/* Our map fds keep the maps alive after ebph stops and unpins
	 * them: its state file (removed when it stops) and its PID tell. */
	v->have_rs = !ebph_state_read(&v->rs);
	if (v->pid && (!v->have_rs || v->rs.pid != v->pid ||
		       (kill(v->pid, 0) && errno == ESRCH)))
		return -ESRCH;
	if (!v->pid && v->have_rs)
		v->pid = v->rs.pid;
	v->nrecent = ebph_recent_read(v->recent, EBPH_RECENT_MAX);
	if (v->nrecent < 0)
		v->nrecent = 0;
	view_follow_selection(v);
	return 0;
}

/* ---- drawing -------------------------------------------------------------- */

/* One screen line: printf-style, cut to the width, and in raw mode each
 * line clears to its end (the previous frame may have been longer).
 * Names a process or a file chose come escaped (ebph_escape()), in
 * buffers of their column's width, so that one cannot reach past it. */
static void line(int raw, int cols, int reverse, const char *fmt, ...)
{
	char all[512], buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(all, sizeof(all), fmt, ap);
	va_end(ap);
	/* cols - 1: writing the last column makes some terminals wrap.
	 * Columns of the terminal, not bytes (ebph_cut()). */
	ebph_cut(all, cols > 1 ? cols - 1 : 0, buf, sizeof(buf));
	if (raw)
		printf("%s%s\033[K%s\r\n", reverse ? "\033[7m" : "", buf, reverse ? "\033[m" : "");
	else
		printf("%s\n", buf);
}

static const char *name_of(struct view *v, __u64 key, char *buf, size_t len)
{
	struct ebph_profile_rec *r = ebph_snapshot_find(&v->s, key);

	if (r)
		return cmd_profile_name(r, buf, len);
	snprintf(buf, len, "%llx", (unsigned long long)key);	/* a name: cmd_profile_name() */
	return buf;
}

/* Summary: four lines (the fourth, execve refusal, was a blank). */
static void draw_summary(struct view *v, int raw, int cols, time_t t)
{
	size_t by_state[3] = { 0 }, i;
	char a[64], b[128], now[16];
	__u64 calls = 0;
	struct tm tm;

	for (i = 0; i < v->s.n; i++) {
		by_state[state_rank(v->s.recs[i].prof.status)]++;
		calls += v->s.recs[i].prof.count;
	}
	localtime_r(&t, &tm);
	strftime(now, sizeof(now), "%H:%M:%S", &tm);
	if (v->have_rs)
		cmd_fmt_duration((t - v->rs.started) * NS, a, sizeof(a));
	snprintf(b, sizeof(b), "ebph top - PID %d, up %s, monitoring %s, detector %s",
		 v->have_rs ? v->rs.pid : 0, v->have_rs ? a : "?",
		 v->cfg.monitoring ? "on" : "OFF", ebph_detectors_name(v->cfg.detectors));
	line(raw, cols, 0, "%-*s%s", cols - 1 - (int)strlen(now) > 0 ?
	     cols - 1 - (int)strlen(now) : 0, b, now);
	line(raw, cols, 0, "Profiles %zu: %zu training, %zu frozen, %zu normal;"
	     " tasks %zu; anomalies %llu", v->s.n, by_state[2], by_state[1],
	     by_state[0], v->ntasks, (unsigned long long)v->anomalies);
	if (v->nseqs >= 0)
		snprintf(b, sizeof(b), "; seqs %ld", v->nseqs);
	line(raw, cols, 0, "Calls %llu; rows %ld (%ld KiB)%s; events dropped %llu",
	     (unsigned long long)calls, v->nrows,
	     v->nrows * EBPH_NUM_SYSCALLS / 1024, v->nseqs >= 0 ? b : "",
	     (unsigned long long)v->drops);
	/* In the place of the blank line: the same height. */
	line(raw, cols, 0, "Enforce %s (execve-lfc %u): %llu execs refused",
	     v->cfg.enforce ? "ON" : "off", v->cfg.execve_lfc,
	     (unsigned long long)v->refused);
}

/* NPROF lines of profiles, scrolled to keep the selection in view. */
static void draw_profiles(struct view *v, int raw, int cols, int nprof)
{
	size_t i, n;

	if (v->sel < v->first)
		v->first = v->sel;
	if (v->sel >= v->first + nprof)
		v->first = v->sel - nprof + 1;
	line(raw, cols, 1, "  %-16s %-8s %8s %8s %4s %-10s %-16s", "PROFILE", "STATE",
	     "TRAIN", "STABLE", "ANOM", "NORMAL", "KEY");
	for (n = 0, i = v->first; n < (size_t)nprof; n++, i++) {
		const struct ebph_profile *p;
		char name[17], when[72];	/* name: its column, escaped */
		char pn[64];			/* the same, padded */

		if (i >= v->s.n) {
			line(raw, cols, 0, "");
			continue;
		}
		p = &v->order[i]->prof;
		cmd_fmt_normal_col(p, when, sizeof(when));
		line(raw, cols, raw && i == v->sel, "%c %s %-8s %8llu %8llu %4u %-10s %016llx",
		     i == v->sel ? '>' : ' ',
		     ebph_pad(cmd_profile_name(v->order[i], name, sizeof(name)), 16, pn, sizeof(pn)),
		     cmd_state_name(p->status), (unsigned long long)p->train_count,
		     (unsigned long long)p->last_mod_count, p->anomalies, when,
		     (unsigned long long)p->key);
	}
}

/* NANOM lines of the most recent anomalies. */
static void draw_anomalies(struct view *v, int raw, int cols, int nanom)
{
	char a[64];
	struct tm tm;
	size_t i;

	line(raw, cols, 1, "%-8s %7s %-15s %-14s %-16s %4s %3s", "ANOMALY", "PID", "COMM",
	     "PROFILE", "CALL", "MISS", "LFC");
	for (i = 0; i < (size_t)nanom; i++) {
		const struct ebph_anomaly_rec *r = &v->recent[i];
		char name[15], comm[16], call[SYSCALL_NAME_LEN];	/* its column, escaped */
		char pn[64], pc[64];			/* the same, padded */
		time_t at;

		if ((int)i >= v->nrecent) {
			line(raw, cols, 0, i || v->nrecent ? "" : "(none yet)");
			continue;
		}
		at = r->time / NS;
		localtime_r(&at, &tm);
		strftime(a, sizeof(a), "%H:%M:%S", &tm);
		syscall_name_fmt(r->call, call, sizeof(call));
		/* Printable already (ebph_state.c), escaped as every name. */
		ebph_escape(r->comm, comm, sizeof(comm));
		line(raw, cols, 0, "%-8s %7u %s %s %-16.16s %4u %3u", a, r->pid,
		     ebph_pad(comm, 15, pc, sizeof(pc)),
		     ebph_pad(name_of(v, r->profile, name, sizeof(name)), 14, pn, sizeof(pn)),
		     call, r->misses, r->lfc);
	}
}

/* The comm of task TK, escaped, or "-" if it exited meanwhile. */
static void task_comm(const struct cmd_task *tk, char *comm, size_t len)
{
	char raw_comm[64], path[64];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", tk->pid, tk->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	got = fd >= 0 ? read(fd, raw_comm, sizeof(raw_comm) - 1) : -1;
	if (fd >= 0)
		close(fd);
	/* The kernel's newline ends it; one inside is the task's. */
	if (got > 0 && raw_comm[got - 1] == '\n')
		got--;
	raw_comm[got > 0 ? got : 0] = 0;
	if (got > 0)
		ebph_escape(raw_comm, comm, len);
	else
		snprintf(comm, len, "-");
}

/* NLFC lines of the tasks with the highest LFC. */
static void draw_lfc(struct view *v, int raw, int cols, int nlfc)
{
	size_t i;

	line(raw, cols, 1, "%-8s %7s %-15s %-14s %-8s %3s %3s %9s", "HIGH LFC", "TID",
	     "COMM", "PROFILE", "STATE", "LFC", "MAX", "CALLS");
	for (i = 0; i < (size_t)nlfc; i++) {
		const struct cmd_task *tk = &v->tasks[i];
		struct ebph_profile_rec *r;
		char name[15], comm[16];	/* the columns' widths, escaped */
		char pn[64], pc[64];		/* the same, padded */

		if (i >= v->ntasks) {
			line(raw, cols, 0, "");
			continue;
		}
		task_comm(tk, comm, sizeof(comm));
		r = ebph_snapshot_find(&v->s, tk->profile);
		line(raw, cols, 0, "%-8s %7u %s %s %-8s %3u %3u %9llu", "", tk->tid,
		     ebph_pad(comm, 15, pc, sizeof(pc)),
		     ebph_pad(name_of(v, tk->profile, name, sizeof(name)), 14, pn, sizeof(pn)),
		     r ? cmd_state_name(r->prof.status) : "-", tk->lfc, tk->max_lfc,
		     (unsigned long long)tk->count);
	}
}

/* The last line, in raw mode: a question, the last action's outcome,
 * or the keys.  It is not ended: a newline there would scroll. */
static void draw_status(struct view *v, int cols)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)] = "", msg[sizeof(v->status)];

	if (v->s.n)
		cmd_profile_name(v->order[v->sel], name, sizeof(name));
	if (v->confirm)
		snprintf(msg, sizeof(msg), "%s %s? y/n",
			 v->confirm == 'd' ? "delete" : "sensitize", name);
	else
		snprintf(msg, sizeof(msg), "%s", v->status[0] ? v->status :
			 "q quit  j/k select  t tolerize  n normalize  s sensitize  d delete");
	printf("\033[7m%-*.*s\033[m\033[J", cols - 1, cols - 1, msg);
}

/* One screen: in raw mode over the last one, else as plain text of
 * 80x24. */
static void draw(struct view *v, int raw)
{
	int rows, cols, nprof, nanom, nlfc, spare;

	term_size(&rows, &cols);
	if (!raw)
		rows = 24, cols = 80;
	if (raw)
		fputs("\033[H", stdout);
	if (rows < 16 || cols < 40) {
		line(raw, cols, 0, "ebph top: the terminal is too small (%dx%d)", cols, rows);
		if (raw)
			fputs("\033[J", stdout);
		fflush(stdout);
		return;
	}
	/* Fixed lines: the summary's 4 + 3 headers + the status line = 8;
	 * the rest is shared 7:5:4 at 24 rows, and the profiles take half
	 * of anything more. */
	spare = rows - 8;
	nanom = 5 + (spare - 16) / 4;
	nlfc = 4 + (spare - 16) / 4;
	nprof = spare - nanom - nlfc;

	draw_summary(v, raw, cols, time(NULL));
	draw_profiles(v, raw, cols, nprof);
	draw_anomalies(v, raw, cols, nanom);
	draw_lfc(v, raw, cols, nlfc);
	if (raw)
		draw_status(v, cols);
	fflush(stdout);
}

/* ---- keys ----------------------------------------------------------------- */

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void act(struct view *v, enum cmd_action what)
{
	char msg[256], name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], warn[256];
	static const char *verb[] = {
		[ACT_NORMALIZE] = "normalize", [ACT_SENSITIZE] = "sensitize",
		[ACT_TOLERIZE] = "tolerize", [ACT_DELETE] = "delete",
	};
	int err;

	if (!v->s.n)
		return;
	cmd_profile_name(v->order[v->sel], name, sizeof(name));
	err = cmd_apply(&v->m, v->selected, what, msg, sizeof(msg), warn, sizeof(warn));
	snprintf(v->status, sizeof(v->status), "%s %s: %s%s%s%s", verb[what], name,
		 err ? "failed: " : "", msg, warn[0] ? "; warning: " : "", warn);
	v->changed = 1;
}

/* Handle the bytes read; returns 1 to quit. */
static int keys(struct view *v, const char *buf, ssize_t n)
{
	ssize_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (v->confirm) {
			if (c == 'y' || c == 'Y')
				act(v, v->confirm == 'd' ? ACT_DELETE : ACT_SENSITIZE);
			else
				snprintf(v->status, sizeof(v->status), "nothing done");
			v->confirm = 0;
			continue;
		}
		/* ESC [ A and ESC [ B (or ESC O A, B): the arrows.  A
		 * slow terminal may split them across reads, so the bytes
		 * seen so far are kept in v->esc. */
		if (v->esc == 2) {
			v->esc = 0;
			c = c == 'A' ? 'k' : c == 'B' ? 'j' : 0;
		} else if (v->esc == 1) {
			v->esc = c == '[' || c == 'O' ? 2 : 0;
			if (v->esc)
				continue;
		} else if (c == '\033') {
			v->esc = 1;
			continue;
		}
		switch (c) {
		case 'q':
		case 'Q':
		case 3:		/* Ctrl-C, read as a key in raw mode */
			return 1;
		case 'j':
			if (v->sel + 1 < v->s.n)
				v->sel++;
			break;
		case 'k':
			if (v->sel > 0)
				v->sel--;
			break;
		case 't':
			act(v, ACT_TOLERIZE);
			break;
		case 'n':
			act(v, ACT_NORMALIZE);
			break;
		case 'd':
		case 's':
			if (v->s.n)
				v->confirm = c;
			break;
		}
		if (v->s.n)
			v->selected = v->order[v->sel]->prof.key;
	}
	return 0;
}

/* The options: -1 to go on, else the exit status. */
static int top_options(int argc, char **argv, int *batch, int *delay)
{
	enum { OPT_DELAY = 256 };
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, OPT_DELAY },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "bd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			*batch = 1;
			break;
		case OPT_DELAY:
			errno = 0;
			*delay = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || *delay < 1 || *delay > 60)
				return ebph_usage_error("top", "invalid --delay '%s' (1 to 60 seconds)",
							optarg);
			break;
		case 'd':	/* -d is --profile-dir */
			return ebph_option_moved("top", c, "--delay");
		case 'h':
			fputs(top_usage, stdout);
			return 0;
		default:
			return ebph_try_help("top");
		}
	}
	if (optind < argc)
		return ebph_usage_error("top", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* Read the maps again in the loop: 0 to go on, else the exit status
 * (the terminal restored and why said).  A map read can fail under
 * memory pressure: say so, keep trying, give up after a few seconds of
 * it (*FAILURES in a row). */
static int top_reread(struct view *v, int *failures)
{
	int err = view_read(v);

	if (err == -ESRCH) {
		term_restore();
		return ebph_error("top", "the running ebph stopped");
	}
	*failures = err ? *failures + 1 : 0;
	if (*failures)
		snprintf(v->status, sizeof(v->status), "cannot read the maps: %s",
			 strerror(-err));
	if (*failures > 5) {
		term_restore();
		return ebph_error("top", "cannot read the running ebph's maps: %s",
				  strerror(-err));
	}
	return 0;
}

/* The live view, in raw mode, until q, a signal, or an error: the exit
 * status. */
static int top_loop(struct view *v, int delay)
{
	long long next = mono_ms() + delay * 1000;
	int failures = 0;

	fputs("\033[2J", stdout);
	while (!quit_signal) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		long long wait;
		char buf[64];
		ssize_t n;
		int r;

		if (resized) {
			resized = 0;
			fputs("\033[2J", stdout);
		}
		draw(v, 1);
		/* Keys are answered at once, from what was read last; the
		 * maps are read again every DELAY seconds, and right after
		 * a key changed a profile. */
		wait = next - mono_ms();
		r = poll(&pfd, 1, wait > 0 ? (int)wait : 0);
		if (r < 0)
			continue;		/* a signal: quit or resize */
		if (r > 0) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;		/* the terminal went away */
			if (keys(v, buf, n))
				break;
			if (!v->changed)
				continue;
			v->changed = 0;
		} else {
			next = mono_ms() + delay * 1000;
		}
		if (top_reread(v, &failures))
			return 1;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct view v = { 0 };
	int batch = 0, delay = 1, rc, err;

	rc = top_options(argc, argv, &batch, &delay);
	if (rc >= 0)
		return rc;
	if (!batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return ebph_error("top", "needs a terminal; 'ebph top -b' prints one screen");
	if (cmd_open("top", &v.m))
		return 1;
	v.ncpus = bpf_num_possible_cpus();
	rc = 0;
	if (view_read(&v)) {
		rc = ebph_error("top", "cannot read the running ebph's maps");
	} else if (batch) {
		draw(&v, 0);
	} else if ((err = term_raw())) {
		rc = ebph_error("top", "cannot set up the terminal: %s", strerror(-err));
	} else {
		rc = top_loop(&v, delay);
		term_restore();
	}
	ebph_snapshot_free(&v.s);
	free(v.order);
	free(v.tasks);
	ebph_maps_close(&v.m);
	return rc;
}
