// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_user.c - the ebph program: loads ebph_kern.o, learns and reports.
 *
 * main() runs a subcommand (each in a file of its own), or `ebph run`:
 * parse_options(), then run(), the whole life cycle, one step per
 * function below, in this order:
 *
 *   check         root, and no other ebph (a lock held to the end)
 *   prepare       bpffs and tracefs mounted, what a crash left removed,
 *                 the profile directory checked
 *   open_object   parse ebph_kern.o (bpf_load.c)
 *   load          create the maps; restore the saved profiles into
 *                 them in a thread (ebph_persist.c) while the verifier
 *                 checks the programs; configure the settings and BTF
 *                 field offsets into the "config" map
 *   open_rings    one perf ring per CPU on the "events" map
 *   publish       the maps pinned under /sys/fs/bpf/ebph, the state
 *                 files and the control socket, for the other commands
 *   attach        sys_enter and the sched tracepoints: monitoring starts
 *   event_loop    each event in words (on_sample(), ebph_print.c), the
 *                 processes stopped for a delay resumed (ebph_delay.c), the
 *                 kernel's counters watched, the admin actions the
 *                 commands announce logged (ebph_audit.c), the owners'
 *                 quota kept (ebph_quota.c), the profiles saved every
 *                 save interval, on SIGUSR1 (`ebph save`) and SIGHUP
 *   detach        detach, then drain the rings and say what is left, and
 *                 resume every process still stopped for a delay
 *   save_at_exit  save, and what the profiles cost
 *
 * and run() cleans up: unpin, close, unlock.  What the steps share is
 * struct ebph (ebph_run.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <syslog.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "bpf_dirs.h"
#include "perf_reader.h"
#include "ebph.h"
#include "profile_store.h"
#include "ebph_maps.h"
#include "ebph_cmd.h"
#include "ebph_state.h"
#include "ebph_replay.h"
#include "ebph_run.h"
#include "ebph_util.h"
#include "ebph_notify.h"

#define LOCK_FILE		EBPH_LOCK_FILE
#define PERF_PAGES		64	/* per CPU: 256 KiB, ~2700 events */

static const char *prog = "ebph";

/* ---- signals --------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal, hup_request;
volatile sig_atomic_t save_request;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* SIGUSR1, from `ebph save`: save at the next turn of the loop. */
static void on_save_signal(int sig)
{
	save_request = 1;
}

/* SIGHUP: a reload (systemctl reload ebph), or a closed terminal: the
 * config file read again, the profiles saved, and go on. */
static void on_hup(int sig)
{
	hup_request = 1;
}

/*
 * Only SIGKILL may lose more than the last save interval.  SIGHUP saves
 * and goes on.  SIGPIPE is ignored: a closed stdout is an error from
 * write(2), handled by say().  SIGXFSZ too: a save over the file size
 * limit fails with EFBIG and is reported.  Every other signal whose
 * default is to end the process, crashes apart, stops ebph as SIGINT
 * and SIGTERM do: it saves, cleans up and exits 0.  SIGUSR1 is handled
 * later, once there are maps to save (publish()).
 */
static void handle_signals(void)
{
	static const int stops[] = {
		SIGINT, SIGTERM, SIGQUIT, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
		SIGXCPU, SIGIO, SIGPWR, SIGSTKFLT,
	};
	/* SA_RESTART: a write to a slow stdout or a flock() is not cut
	 * short by a signal (poll() still is, which wakes the loop). */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct sigaction hup = { .sa_handler = on_hup, .sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	size_t i;
	int sig;

	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaction(stops[i], &sa, NULL);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
	sigaction(SIGHUP, &hup, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGXFSZ, &ign, NULL);
}

/* ---- check, prepare ----------------------------------------------------------- */

/* An older ebph holds its lock at EBPH_OLD_LOCK_FILE: one still running
 * there is refused (-EBUSY, said), one it left is removed (quietly: in
 * a sandbox where /run is read-only it cannot be, nor can one be made). */
static int old_lock_free(void)
{
	int fd = open(EBPH_OLD_LOCK_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK) {
		fprintf(stderr, "%s: an older ebph is already running (it holds %s)\n",
			prog, EBPH_OLD_LOCK_FILE);
		close(fd);
		return -EBUSY;
	}
	unlink(EBPH_OLD_LOCK_FILE);
	close(fd);
	return 0;
}

/* One instance per machine: the pinned maps are a single namespace.
 * The lock dies with the process, so pins left by a crash are known to
 * be stale.  It is in the run directory, root's and private, made here
 * if need be: first of all, before anything else changes, as systemd's
 * RuntimeDirectory= would have made it (and the only part of /run a
 * sandboxed ebph may write).  The lock file itself stays when ebph stops
 * (ebph_state.h says why). */
static int take_lock(void)
{
	int dir, fd, err;

	dir = bpf_private_dir(EBPH_RUN_DIR, 1);	/* says why it refuses */
	if (dir < 0)
		return dir;
	fd = openat(dir, EBPH_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = errno;
	close(dir);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, LOCK_FILE, strerror(err));
		return -err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "%s: another ebph is already running (it holds %s)\n",
			prog, LOCK_FILE);
		close(fd);
		return -EBUSY;
	}
	if (old_lock_free()) {
		close(fd);
		return -EBUSY;
	}
	/* Our PID, for the subcommands; the lock held says it is alive. */
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	return fd;
}

/* Root, and the lock in e->lock_fd: 0, or -1 with a message. */
static int check(struct ebph *e)
{
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root: it loads BPF programs and reads every process's system calls\n",
			prog);
		return -1;
	}
	e->lock_fd = take_lock();
	return e->lock_fd < 0 ? -1 : 0;
}

/* Pins left by an ebph that did not stop (we hold the lock: none runs).
 * Only from a directory that only root controls, where everything is
 * ebph's: whatever maps the object had, by the directory's own list;
 * the processes its delays map lists resumed first (ebph_delay.c). */
static int remove_stale_pins(void)
{
	int fd = bpf_private_dir(EBPH_PIN_DIR, 0);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	/* First what it stopped for a delay: its pins say. */
	delay_recover(fd);
	fprintf(stderr, "%s: removing stale pins in %s left by an ebph that did not stop cleanly\n",
		prog, EBPH_PIN_DIR);
	return bpf_private_dir_remove(fd, EBPH_PIN_DIR, NULL);
}

/*
 * The profile directory, made if need be, root's and private (or it is
 * refused, profile_dir_check()), and writable if we save: found now,
 * not at the first save, minutes or days later.  0, or -1 with a
 * message.
 */
static int check_profile_dir(struct ebph *e)
{
	const char *dir = e->opt.profile_dir;
	char why[256];
	int err, n;

	if (e->opt.load || e->opt.save) {
		err = profile_dir_create(dir);
		if (err) {
			fprintf(stderr, "%s: cannot create profile directory %s: %s\n",
				prog, dir, strerror(-err));
			return -1;
		}
		why[0] = 0;
		err = profile_dir_check(dir, why, sizeof(why));
		if (err) {
			fprintf(stderr, "%s: profile directory %s refused: %s\n", prog,
				dir, why[0] ? why : strerror(-err));
			return -1;
		}
	}
	if (!e->opt.save)
		return 0;
	/* The kernel's answer for a create in it: a read-only mount
	 * (EROFS), an immutable directory (EPERM), or permissions. */
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "%s: profile directory %s cannot be written (%s): fix it, or run with --no-save\n",
			prog, dir, strerror(errno));
		return -1;
	}
	/* A save we were killed in the middle of leaves a temporary file:
	 * only that profile's next save would remove it. */
	n = profile_dir_sweep(dir);
	if (n > 0)
		fprintf(stderr, "%s: removed %d temporary file%s in %s left by saves that were cut short\n",
			prog, n, n == 1 ? "" : "s", dir);
	else if (n < 0)
		fprintf(stderr, "%s: cannot look for temporary files in %s: %s\n",
			prog, dir, strerror(-n));
	return 0;
}

/* --syslog: the journal, if one listens; else syslog(3), said once. */
static void open_journal(struct ebph *e)
{
	if (!e->opt.syslog)
		return;
	e->journal = journal_open();
	if (e->journal < 0)
		say(e, EBPH_INFO, "no journal at %s (%s): the log goes to syslog(3), without the events' fields",
		    journal_socket(), strerror(-e->journal));
}

/*
 * The machine ready for us: bpffs and tracefs mounted, the pins and
 * state files an ebph that did not stop left removed, the profile
 * directory checked, the CPUs counted (the per-CPU counters) and the
 * boot clock's offset taken (the kernel stamps events with it).  0, or
 * -1 with a message.
 */
static int prepare(struct ebph *e)
{
	if (bpf_ensure_mounts(e->opt.verbose))
		return -1;
	if (remove_stale_pins() || ebph_state_remove_stale())
		return -1;
	if (check_profile_dir(e))
		return -1;
	e->ncpus = bpf_num_possible_cpus();
	if (e->ncpus < 0) {
		fprintf(stderr, "%s: cannot count the CPUs: %s\n", prog, strerror(-e->ncpus));
		return -1;
	}
	e->boot_to_real = (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
	/* Once: a log shipper names the host a line came from by this, and
	 * a host renamed while ebph runs keeps its old name here, as
	 * syslog(3) keeps the one it was given. */
	if (gethostname(e->host, sizeof(e->host) - 1))
		e->host[0] = 0;
	open_journal(e);
	return 0;
}

/* ---- open, load ------------------------------------------------------------------ */

/* ebph_kern.o (-o, else ebph_find_object()) parsed, nothing loaded yet:
 * 0, or -1 with the loader's message. */
static int open_object(struct ebph *e)
{
	static char objbuf[PATH_MAX];	/* e->opt.object, from now on */

	if (!e->opt.object)
		e->opt.object = ebph_find_object(objbuf, sizeof(objbuf));
	return ld_open(&e->obj, e->opt.object, e->opt.verbose) ? -1 : 0;
}

/* The settings of the command line, and the kernel's struct offsets
 * from BTF, into the config map: 0, or -errno with a message. */
static int configure(struct ebph *e)
{
	struct ebph_config cfg = {
		.normal_wait = e->opt.normal_wait,
		.anomaly_limit = e->opt.anomaly_limit,
		.tolerize_limit = e->opt.tolerize_limit,
		.monitoring = 1,
		.log_sequences = e->opt.log_sequences,
		.detectors = e->opt.detectors,
		.owner_quota = e->opt.owner_quota,
		.users_max = EBPH_USERS_MAX,
		.signal_frames = e->opt.signal_frames,
		.enforce = e->opt.enforce,
		.execve_lfc = e->opt.execve_lfc,
		.self_tgid = getpid(),
		.delay_factor = e->opt.delay_factor,
		/* Only -v prints them (print_assoc()). */
		.assoc_events = e->opt.verbose,
	};
	__u32 zero = 0;
	int err;

	err = ebph_config_offsets(&cfg, e->opt.verbose);
	if (err)
		return err;
	err = bpf_map_update(e->m.config, &zero, &cfg, BPF_ANY);
	if (err)
		fprintf(stderr, "%s: cannot write the config map: %s\n", prog, strerror(-err));
	e->cfg_seen = cfg;	/* for config_check() */
	return err;
}

/*
 * The maps first: the saved profiles go into them (restore_start(), a
 * thread) while the verifier checks the programs (ld_load()); then the
 * settings (configure()), and restore_finish() waits for the profiles,
 * whatever happened meanwhile.  0, or -1 with a message.
 */
static int load(struct ebph *e)
{
	struct ld_prog *lsm;
	int err, prio, boosted;

	if (ld_create_maps(&e->obj) || ebph_maps_from_object(&e->m, &e->obj))
		return -1;
	/* Without --enforce, a kernel that runs no BPF LSM programs runs
	 * ebph all the same, refusing nothing (attach() says so; the
	 * loader makes an LSM program optional); with it, ld_load()
	 * fails, saying why. */
	lsm = ld_find_prog(&e->obj, "ebph_bprm_check");
	if (lsm && e->opt.enforce)
		lsm->optional = 0;
	if (e->opt.load && restore_start(e))
		return -1;
	/*
	 * The verifier is start-up's critical path (sys_enter alone, some
	 * 60 ms on this machine), and the restore's workers, one per CPU,
	 * took half a CPU from it: 120 to 160 ms instead of 60.  So this
	 * thread goes first while it verifies (nice is per thread on
	 * Linux, and the workers started at ours); the workers get the
	 * other CPUs, then all.  With 1,000 saved profiles on 2 CPUs the
	 * verifier took mostly 57 to 67 ms instead of 117 to 164, and
	 * "attached in" 86 and 92 ms against 109 and 93 (medians of 5,
	 * two rounds each; max 93 and 102 against 126 and 98): the
	 * restore is then the last to finish (docs/performance.md).  Root
	 * may; without the right, it only costs the time.
	 */
	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	boosted = !errno && !setpriority(PRIO_PROCESS, 0, -10);
	err = ld_load(&e->obj);
	if (boosted)
		setpriority(PRIO_PROCESS, 0, prio);
	if (!err)
		err = configure(e);
	if (restore_finish(e) || err)
		return -1;
	return 0;
}

/* ---- open_rings, publish, attach ----------------------------------------------- */

/* Each record of a ring, an event: the first link from the kernel to a
 * line (print_event()). */
static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	struct ebph *e = ctx;
	struct ebph_event ev;

	if (size < sizeof(ev)) {
		say(e, EBPH_ERROR, "short event (%u bytes) on CPU %d: is ebph_kern.o from another version?",
		    size, cpu);
		return 0;
	}
	memcpy(&ev, data, sizeof(ev));	/* the ring gives 4-byte alignment */
	if (ev.type == EBPH_EV_EXEC_REFUSED && size >= sizeof(struct ebph_refusal)) {
		struct ebph_refusal r;

		memcpy(&r, data, sizeof(r));
		r.file[sizeof(r.file) - 1] = 0;
		print_refusal(e, &r);
		return 0;
	}
	print_event(e, &ev);
	if (ev.type == EBPH_EV_DELAY)
		delay_event(e, &ev);
	return 0;
}

/* One perf ring per CPU on the events map, read by on_sample(): 0, or
 * -1 with a message.  No on_lost: a record the ring lost is one the
 * kernel failed to write, and counted (EBPH_STAT_EVENT_DROPS): counted
 * once. */
static int open_rings(struct ebph *e)
{
	int err = perf_reader_open(&e->pb, ld_map_fd(&e->obj, "events"),
				   PERF_PAGES, on_sample, NULL, e);

	if (err) {
		fprintf(stderr, "%s: cannot open the perf rings: %s\n", prog, strerror(-err));
		return -1;
	}
	return 0;
}

/*
 * What the other subcommands find us by: the maps pinned under
 * EBPH_PIN_DIR, SIGUSR1 for `ebph save`, the state files (ebph_state.c),
 * and the control socket for the audit trail, which only says so when
 * it cannot be opened.  0, or -1 with a message.
 */
static int publish(struct ebph *e)
{
	struct sigaction sa_save = { .sa_handler = on_save_signal, .sa_flags = SA_RESTART };
	int err;

	if (ld_pin_maps(&e->obj, EBPH_PIN_DIR))
		return -1;
	sigaction(SIGUSR1, &sa_save, NULL);
	/* After SIGUSR1 is handled: `ebph save` finds us through this. */
	if (ebph_state_start(getpid(), e->opt.profile_dir, e->opt.save))
		return -1;
	err = control_open(e);
	if (err)
		fprintf(stderr, "%s: cannot open %s: %s (the commands' changes will not be logged)\n",
			prog, EBPH_CONTROL_SOCK, strerror(-err));
	return 0;
}

/* ebph_bprm_check is attached: say so in the config map, where `ebph
 * set enforce on` looks (and config_check() sees no stranger's change). */
static void mark_execve_hook(struct ebph *e)
{
	struct ebph_config cfg;
	__u32 zero = 0;
	int err;

	err = bpf_map_lookup(e->m.config, &zero, &cfg);
	if (!err) {
		cfg.execve_hook = 1;
		err = bpf_map_update(e->m.config, &zero, &cfg, BPF_ANY);
	}
	if (!err)
		e->cfg_seen.execve_hook = 1;
	else
		say(e, EBPH_ERROR, "cannot write the config map: %s", strerror(-err));
}

/* The programs on their hooks: monitoring starts.  0, or -1 with the
 * loader's message. */
static int attach(struct ebph *e)
{
	struct ld_prog *uring, *sig, *lsm;

	/* A kernel without io_uring's tracepoint runs ebph all the same. */
	uring = ld_find_prog(&e->obj, "ebph_io_uring");
	if (uring)
		uring->optional = 1;
	sig = ld_find_prog(&e->obj, "ebph_signal");
	if (sig)
		sig->optional = 1;
	if (ld_attach(&e->obj))
		return -1;
	say(e, EBPH_INFO, "ebph attached in %.1f ms: monitoring every system call, detector %s (Ctrl-C to stop)",
	    (clock_ns(CLOCK_MONOTONIC) - e->t0) / 1e6, ebph_detectors_name(e->opt.detectors));
	if (uring && uring->attach_fd < 0)
		say(e, EBPH_WARNING, "this kernel has no io_uring/io_uring_submit_req tracepoint: io_uring requests go unnoticed");
	lsm = ld_find_prog(&e->obj, "ebph_bprm_check");
	if (lsm && lsm->attach_fd >= 0)
		mark_execve_hook(e);
	else
		say(e, EBPH_WARNING, "this kernel runs no BPF LSM programs: ebph cannot refuse execve ('ebph set enforce on' will say so)");
	if (sig && sig->attach_fd < 0 && e->opt.signal_frames)
		say(e, EBPH_WARNING, "this kernel has no signal/signal_deliver tracepoint: signal handlers' calls go into the windows they interrupt");
	/* Only now: a service ordered after ebph starts monitored. */
	notify("READY=1\nSTATUS=monitoring every system call, detector %s",
	       ebph_detectors_name(e->opt.detectors));
	return 0;
}

/* ---- the event loop ------------------------------------------------------------ */

/* Up to TIMEOUT_NS for a record in a ring or a notice on the control
 * socket, then drain the rings (perf_reader_poll(), which calls
 * on_sample() for each record): a notice is answered at once, not at
 * the next event.  In ns, not poll()'s ms: a delay may be 200 us. */
static int wait_events(struct ebph *e, __u64 timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000ULL, timeout_ns % 1000000000ULL };
	int nr = e->pb.nr_rings;
	struct pollfd pfds[nr + 1];

	memcpy(pfds, e->pb.pfds, nr * sizeof(*pfds));
	pfds[nr] = (struct pollfd){ .fd = e->ctl, .events = POLLIN };
	if (ppoll(pfds, nr + (e->ctl >= 0), &ts, NULL) < 0)
		return -errno;
	return perf_reader_poll(&e->pb, 0);
}

/* The saves of a turn: every save interval (*NEXT_SAVE is when), and
 * on a request (SIGUSR1, SIGHUP, a stdout that failed). */
static void save_when_due(struct ebph *e, __u64 *next_save)
{
	if (e->opt.save && e->opt.save_interval &&
	    clock_ns(CLOCK_MONOTONIC) >= *next_save) {
		save_profiles(e);
		*next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
	}
	if (hup_request) {
		hup_request = 0;
		/* The save stays: a terminal that hangs up may be the last
		 * word before a kill, and a reload is a good checkpoint. */
		options_reload(e);
		say(e, EBPH_INFO, "SIGHUP: %s; going on",
		    e->opt.save ? "saving the profiles" : "nothing to save (--no-save)");
		save_request = 1;
	}
	if (save_request) {
		save_request = 0;
		if (e->opt.save)
			save_profiles(e);
	}
}

/*
 * Until a signal stops us, each turn: the events (printed as they are
 * read), the kernel's counters, the commands' notices and the config
 * map (the audit trail), the owners over their quota, the saves due,
 * and the state files for `ebph status` and `ebph top`.  0 on a stop
 * signal, -1 with a message if the rings cannot be read.
 */
static int event_loop(struct ebph *e)
{
	__u64 next_save = clock_ns(CLOCK_MONOTONIC) + e->opt.save_interval;
	int err;

	while (!stop_signal) {
		err = wait_events(e, delay_timeout(e, 1000000000ULL));
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: reading events: %s\n", prog, strerror(-err));
			return -1;
		}
		check_stats(e, 0);
		incident_check(e, 0);
		control_read(e);	/* before the save it may announce */
		config_check(e, 0);
		delay_check(e);
		check_owners(e, save_request ? OWNERS_NOW : OWNERS_TICK);
		save_when_due(e, &next_save);
		ebph_state_flush();
		metrics_tick(e);	/* after the state file: its saves */
	}
	return 0;
}

/* ---- detach, save ----------------------------------------------------------- */

/* Detached first: nothing may change the maps while they are saved.
 * Then what is left: the rings drained, the counters, notices, config
 * changes and owners said at once. */
static void detach(struct ebph *e)
{
	say(e, EBPH_INFO, "stopping on %s", strsignal(stop_signal));
	notify("STOPPING=1\nSTATUS=stopping: saving the profiles");
	ld_detach(&e->obj);
	perf_reader_poll(&e->pb, 0);
	delay_release_all(e, "ebph is stopping");
	check_stats(e, 1);
	incident_check(e, 1);
	control_read(e);
	config_check(e, 1);
	check_owners(e, OWNERS_FLUSH);
}

/* The last save (unless --no-save), and what the profiles cost: the
 * exit status, 1 if the save failed. */
static int save_at_exit(struct ebph *e)
{
	int ret = 0;

	if (e->opt.save && save_profiles(e))
		ret = 1;
	report_memory(e);
	return ret;
}

/* ---- run ---------------------------------------------------------------------- */

/*
 * `ebph run`: each step checked, and on a failure (the step said why)
 * what the steps before made is undone, in the reverse order.  Returns
 * the exit status: 0 after a stop signal (1 if the last save failed),
 * else 1.
 */
static int run(struct ebph *e)
{
	int ret = 1;

	e->t0 = clock_ns(CLOCK_MONOTONIC);	/* "attached in N ms" */
	e->conf = e->opt;			/* what a reload compares with */
	/* Root, and no other ebph: the lock is ours until we return. */
	if (check(e))
		return 1;
	handle_signals();
	/* The mounts, what a crash left, the profile directory; the object. */
	if (prepare(e) || open_object(e))
		goto out_lock;
	/* The maps, the saved profiles, the programs verified, the
	 * settings; the rings to read the events from. */
	if (load(e) || open_rings(e))
		goto out_obj;
	/* Pins, state files, control socket: the other commands find us;
	 * the list of delays, before anything can be delayed. */
	if (publish(e) || delay_start(e))
		goto out_pb;
	if (stop_signal) {	/* while starting: nothing learned to save */
		say(e, EBPH_INFO, "stopping on %s, before attaching", strsignal(stop_signal));
		notify("STOPPING=1");
		ret = 0;
		goto out_pb;
	}
	/* Monitoring, until a signal stops it. */
	if (attach(e) || event_loop(e))
		goto out_pb;
	/* The last events said, the profiles saved: 1 if the save failed. */
	detach(e);
	ret = save_at_exit(e);
	metrics_stop(e);
out_pb:
	/* Whatever failed: no process stays stopped for a delay. */
	if (e->delays) {
		ld_detach(&e->obj);
		delay_release_all(e, "ebph is stopping");
		delay_stop(e);
	}
	control_close(e);
	ebph_state_stop();
	perf_reader_close(&e->pb);
out_obj:
	ld_close(&e->obj);	/* detaches and unpins too */
out_lock:
	if (e->journal >= 0)
		close(e->journal);
	close(e->lock_fd);
	free(e->notes);
	return ret;
}

/* ---- command line ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph [run] [OPTIONS]\n"
"Learn which system calls every executable makes and report processes\n"
"that break a learned pattern (pH, process homeostasis, on eBPF).\n"
"Runs in the foreground as root until Ctrl-C (SIGINT) or SIGTERM, which\n"
"save the profiles and exit 0; SIGHUP reads the config file again, saves\n"
"and goes on.\n"
"\n"
"Options:\n"
"  -d, --profile-dir DIR     where profiles are saved and loaded\n"
"                            (default " EBPH_DEFAULT_PROFILE_DIR ")\n"
"  -w, --normal-wait TIME    how long a frozen profile waits before it\n"
"                            becomes normal (default 1w)\n"
"  -s, --save-interval TIME  save profiles this often (default 10m; 0: only\n"
"                            on exit)\n"
"      --anomaly-limit N     anomalies before a normal profile goes back\n"
"                            to training (default %u)\n"
"      --tolerize-limit N    a task's LFC above this resets the profile's\n"
"                            training data (default %u)\n"
"      --no-load             start with no profiles\n"
"      --no-save             do not write profiles\n"
"  -o, --object FILE         BPF object (default: ebph_kern.o beside ebph,\n"
"                            else " EBPH_LIBDIR "/ebph_kern.o)\n"
"  -v, --verbose             print each loader step and DEBUG events\n"
"  -j, --json                events as JSON, one object per line\n"
"      --syslog              events to syslog (daemon facility), not to\n"
"                            stdout (unless --json)\n"
"      --log-sequences       report each new pair (or sequence) learned\n"
"      --every-anomaly       a line for each anomalous call, not only the\n"
"                            first of an incident (each incident is\n"
"                            summed up when it is over, either way)\n"
"      --incident-timeout TIME  an incident is over after TIME with no\n"
"                            anomaly, if its LFC is not back to 0 before\n"
"                            (default 1m)\n"
"      --owner-quota N       profiles one user (not root) may make by\n"
"                            running programs (default %u); all users\n"
"                            together have at most %u\n"
"      --detector D          pairs (pH's lookahead pairs, the default), seqs\n"
"                            (the last 6 calls as one sequence, as STIDE),\n"
"                            seqs7 (the last 7 calls, anomalous when either\n"
"                            sequence of 6 in them misses) or both; a normal profile saved without seqs\n"
"                            is tested on sequences only once it is made\n"
"                            normal again\n"
"      --no-signal-frames    a signal handler's calls go into the window of\n"
"                            the calls it interrupted (default: a window\n"
"                            of their own, until the handler returns)\n"
"      --metrics FILE        the counters of 'status --prometheus' in FILE,\n"
"                            rewritten atomically (for node_exporter's\n"
"                            textfile collector); ebph_up 0 at exit\n"
"      --metrics-interval TIME  how often (default 15s)\n"
"      --delay-factor TIME   pH's delays: stop a process of a normal profile\n"
"                            for 2^LFC x TIME at each call while its LFC is\n"
"                            over 0, at most 1 s a call (default 0: off;\n"
"                            e.g. 100us, 1ms)\n"
"      --enforce             refuse execve (EPERM) to a task of a normal\n"
"                            profile whose LFC is at --execve-lfc or above\n"
"                            (BPF LSM; 'ebph set enforce on|off')\n"
"      --execve-lfc N        that LFC, 1 to 128 (default 4)\n"
"      --config FILE         settings from FILE: lines of these long options,\n"
"                            without -- (default " EBPH_CONFIG_FILE ", if any);\n"
"                            the command line's win\n"
"      --no-config           no config file\n"
"  -h, --help                this help\n"
"\n"
"Commands on the running ebph (each has -h):\n"
"  status [-j|--prometheus]  state, settings, map fill, lost events\n"
"  ps [-T] [-j]              traced processes (threads)\n"
"  profiles [-W] [-j]        every profile and its state\n"
"  show [--test] [--seqs] [-j] PROFILE|--pid PID\n"
"                            a profile and its lookahead pairs (or its\n"
"                            sequences)\n"
"  top [-b] [--delay SECS]   live view; d deletes, t tolerizes\n"
"  normalize|sensitize|tolerize|delete PROFILE|--pid PID\n"
"  save                      save the profiles now\n"
"  set SETTING VALUE         normal-wait, anomaly-limit, tolerize-limit,\n"
"                            monitoring on|off, log-sequences on|off,\n"
"                            delay-factor TIME\n"
"  export [--seccomp] [--output FILE] PROFILE\n"
"                            a profile as a file another machine imports,\n"
"                            or its calls as a seccomp allow-list (JSON)\n"
"  import [-d DIR] FILE      a profile that export wrote, if this machine's\n"
"                            program at its path has the same contents\n"
"  -j, --json                status, ps, profiles, show: one JSON object\n"
"\n"
"Other commands:\n"
"  replay --adfa DIR | -t PATH...\n"
"                            recorded traces through the kernel program,\n"
"                            without attaching it: detection measured\n"
"  help [COMMAND]            this help, or COMMAND's (as COMMAND -h)\n"
"  version, --version        the version\n"
"\n"
"TIME is a number with a unit: ns, us, ms, s, m, h, d or w (plain\n"
"numbers are seconds).  A short option means one thing in every command\n"
"that takes it (-d is --profile-dir, -s --save-interval...); the rest\n"
"are long only.\n"
"\n"
"Examples:\n"
"  sudo ebph                           learn, detect, save every 10 minutes\n"
"  sudo ebph -d profiles -w 3s         profiles in ./profiles, normal after 3s\n"
"  sudo ebph --no-load --no-save -v    a clean slate, loader steps shown\n",
		EBPH_ANOMALY_LIMIT, EBPH_TOLERIZE_LIMIT, EBPH_OWNER_QUOTA, EBPH_USERS_MAX);
}

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

/*
 * Subcommands other than run, each in a file of its own (but help and
 * version, below).  Each gets its own argv (argv[0] is the command's
 * name), parses it with getopt_long, and returns the exit status: 0, 1
 * on failure, 2 for a bad argument.
 */
static const struct ebph_command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "replay", cmd_replay },
	{ "status", cmd_status },
	{ "ps", cmd_ps },
	{ "profiles", cmd_profiles },
	{ "show", cmd_show },
	{ "normalize", cmd_normalize },
	{ "sensitize", cmd_sensitize },
	{ "tolerize", cmd_tolerize },
	{ "delete", cmd_delete },
	{ "save", cmd_save },
	{ "set", cmd_set },
	{ "top", cmd_top },
	{ "export", cmd_export },
	{ "import", cmd_import },
	{ "help", cmd_help },
	{ "version", cmd_version },
	{ NULL, NULL }
};

/* `ebph version` and `ebph --version`: the version, and that of the
 * profile files it writes (which another ebph must read). */
static int cmd_version(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: ebph version\n"
		       "       ebph --version\n"
		       "The version of ebph, and of the profile files it writes.\n"
		       "\n"
		       "Examples:\n"
		       "  ebph version\n");
		return 0;
	}
	if (argc > 1)
		return ebph_usage_error("version", "unexpected argument '%s'", argv[1]);
	printf("ebph %s (profile files: version %d)\n", EBPH_VERSION, PROFILE_VERSION);
	return 0;
}

/* `ebph help`: the usage; `ebph help COMMAND`: COMMAND's, as its -h
 * prints it (help, version and run: the usage). */
static int cmd_help(int argc, char **argv)
{
	char help[] = "-h", *args[] = { NULL, help, NULL };
	const struct ebph_command *cmd;

	if (argc > 2)
		return ebph_usage_error("help", "one command at a time");
	if (argc < 2 || !strcmp(argv[1], "run") || !strcmp(argv[1], "help") ||
	    !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (cmd = commands; cmd->name; cmd++) {
		if (!strcmp(argv[1], cmd->name)) {
			args[0] = ebph_getopt_name(argv[1]);
			return cmd->fn(2, args);
		}
	}
	return ebph_usage_error("help", "there is no command '%s' (the commands: ebph help)",
				argv[1]);
}

/*
 * The settings of `ebph run` into O: its defaults, the config file's,
 * and the command line's over them (ebph_options.c).  Returns -1 to
 * run, else the exit status: 0 after -h, 2 for a bad option, value or
 * line of the config file (said).
 */
static int parse_options(int argc, char **argv, struct options *o)
{
	int rc = options_parse(argc, argv, o);

	if (rc == 'h') {
		usage(stdout);
		return 0;
	}
	return rc ? rc : -1;
}

/* `ebph COMMAND ARGS...` runs COMMAND (exit 2 if there is none such);
 * `ebph --version` is `ebph version`; `ebph [run] [OPTIONS]`, the life
 * cycle. */
int main(int argc, char **argv)
{
	struct ebph e = {
		.ctl = -1,
		.journal = -1,
		.owner_lock = PTHREAD_MUTEX_INITIALIZER,
	};
	const struct ebph_command *cmd;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* one event, one line, now */
	/* The tables' columns count what a terminal shows (ebph_width()). */
	setlocale(LC_CTYPE, "");
	if (argc > 1 && !strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	if (argc > 1 && argv[1][0] != '-') {
		if (strcmp(argv[1], "run")) {
			/* argv[0] names getopt_long()'s complaints:
			 * "ebph ps: ...", as ours. */
			for (cmd = commands; cmd->name; cmd++)
				if (!strcmp(argv[1], cmd->name)) {
					argv[1] = ebph_getopt_name(cmd->name);
					return cmd->fn(argc - 1, argv + 1);
				}
			return ebph_usage_error(NULL, "unknown command '%s'", argv[1]);
		}
		argc--;		/* "run" is not an option */
		argv++;
	}
	/* `ebph [run]` is ebph itself: its messages say "ebph: ". */
	argv[0] = (char *)"ebph";
	ret = parse_options(argc, argv, &e.opt);
	if (ret >= 0)
		return ret;
	return run(&e);
}
