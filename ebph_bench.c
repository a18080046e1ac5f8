// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_bench.c - what ebph costs, measured side by side (`make bench`).
 *
 * Not a test: it prints figures.  Each workload is run under several
 * configurations, interleaved slice by slice (a round runs one slice of
 * each, in a shuffled order), so that the drift of a shared 2-CPU
 * virtual machine falls on all of them alike:
 *
 *   baseline     no BPF program attached
 *   floor        an empty program on raw_tracepoint/sys_enter
 *                (bench_floor_kern.o): the price of any program there
 *   count        one hash lookup and add per call, by tid
 *                (bench_count_kern.o): a typical cheap eBPF tool
 *   pairs train  ebph_kern.o, all its programs, as `ebph run` runs it
 *                (the lookahead pairs, the default detector), the
 *                workload's profile training (in practice frozen:
 *                stable, not yet normal)
 *   pairs normal the same, the profile normal: trained and tested
 *   seqs train,  the same with the sequence detector alone (--detector
 *   seqs normal  seqs): one lookup in "seqs" per call instead of the
 *                pair rows
 *   both train,  both detectors (--detector both)
 *   both normal
 *
 * The loops (getppid, pipe) run all nine: the call is cheap there, so a
 * few ns of difference between the detectors shows.  fork+exec and the
 * build run the first five only: there ebph's whole cost is within
 * their noise, and a slice of the build takes half a second.
 *
 * fork+exec also runs pairs train with one part of ebph off, for the
 * breakdown of what it costs there:
 *
 *   pairs -events  no ring in the events map: no record, no wakeup
 *   pairs -exec,   ebph without its sched_process_exec, _fork or _exit
 *   -fork, -exit   program
 *
 * The 2-CPU loops (2cpu-shared, 2cpu-apart) run getppid in two
 * processes at once, one on each CPU, of one profile or of two (copies
 * of this program, --spin): what sharing a profile's counters between
 * CPUs costs.
 *
 * Every object goes through bpf_load.c, as `ebph run` loads it; ebph's
 * events are read by a thread, as `ebph run` reads them.  The profile
 * states are set from user space, as a "normalize" would: a warm-up run
 * under ebph with both detectors teaches every profile the workloads
 * use its pairs and sequences; each repetition starts by taking every
 * profile's test sets (the train rows copied to test rows, the sequence
 * epochs moved as start_normal() moves them); "normal" sets NORMAL on
 * the profiles of the workloads' executables, and "train" clears it.
 * The rest of the machine trains.  Under "seqs normal" and "both normal"
 * each slice checks that the bench's own profile is normal, has a test
 * set of sequences and that its loop's sequence is in it, so that the
 * figure is one of a detector that tests (print_workload() says so).
 *
 * Then: bytes of lookahead pairs and the number of sequences per profile
 * after the run, and the time `ebph run` takes from launch to attached
 * with 1,000 saved profiles, without and with their sequences.
 *
 * The life cycle: check, load, warm up, measure, memory, start-up, print.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf_load.h"
#include "bpf_sys.h"
#include "bpf_dirs.h"
#include "perf_reader.h"
#include "ebph.h"
#include "ebph_maps.h"
#include "ebph_state.h"		/* EBPH_LOCK_FILE */
#include "profile_store.h"

#define MAX_REPS	50
#define LOCK_FILE	EBPH_LOCK_FILE
#define STARTUP_PROFILES 1000
#define STARTUP_SETTLE_S 2	/* between two starts: see startup() */
/* Profile keys of the synthetic start-up profiles: no device has this
 * number, so they cannot be a real executable's. */
#define SYNTH_KEY(n)	(0xebbe0000ULL << 32 | (n))

static const char *prog = "ebph_bench";

enum config {
	CFG_BASE, CFG_FLOOR, CFG_COUNT,
	CFG_PAIRS_TRAIN, CFG_PAIRS_NORMAL,
	CFG_SEQS_TRAIN, CFG_SEQS_NORMAL,
	CFG_BOTH_TRAIN, CFG_BOTH_NORMAL,
	CFG_SEQS7_NORMAL,	/* trains as seqs: only its test differs */
	/* fork+exec's breakdown: pairs train with one part of ebph off
	 * (config_enter()), so that the difference to pairs train is what
	 * that part costs. */
	CFG_NO_EVENTS, CFG_NO_EXEC, CFG_NO_FORK, CFG_NO_EXIT,
	NCFG
};

static const char *cfg_name[NCFG] = {
	"baseline", "floor", "count", "pairs train", "pairs normal",
	"seqs train", "seqs normal", "both train", "both normal",
	"seqs7 normal", "pairs -events", "pairs -exec", "pairs -fork",
	"pairs -exit",
};

/* ebph's detectors in each configuration: 0 for the yardsticks. */
static const __u32 cfg_det[NCFG] = {
	[CFG_PAIRS_TRAIN] = EBPH_DET_PAIRS,
	[CFG_PAIRS_NORMAL] = EBPH_DET_PAIRS,
	[CFG_SEQS_TRAIN] = EBPH_DET_SEQS,
	[CFG_SEQS_NORMAL] = EBPH_DET_SEQS,
	[CFG_BOTH_TRAIN] = EBPH_DET_PAIRS | EBPH_DET_SEQS,
	[CFG_BOTH_NORMAL] = EBPH_DET_PAIRS | EBPH_DET_SEQS,
	[CFG_SEQS7_NORMAL] = EBPH_DET_SEQS | EBPH_DET_SEQS7,
	[CFG_NO_EVENTS] = EBPH_DET_PAIRS,
	[CFG_NO_EXEC] = EBPH_DET_PAIRS,
	[CFG_NO_FORK] = EBPH_DET_PAIRS,
	[CFG_NO_EXIT] = EBPH_DET_PAIRS,
};

/* The program each of fork+exec's breakdown configurations leaves off. */
static const char *cfg_without[NCFG] = {
	[CFG_NO_EXEC] = "ebph_exec",
	[CFG_NO_FORK] = "ebph_fork",
	[CFG_NO_EXIT] = "ebph_exit",
};

static int cfg_normal(enum config c)
{
	return c == CFG_PAIRS_NORMAL || c == CFG_SEQS_NORMAL ||
	       c == CFG_BOTH_NORMAL || c == CFG_SEQS7_NORMAL;
}

#define CFG_BIT(c)	(1U << (c))
/* What fork+exec and the build run: baseline to pairs normal. */
#define CFGS_PAIRS	(CFG_BIT(CFG_PAIRS_NORMAL + 1) - 1)
/* The loops: baseline to seqs7 normal. */
#define CFGS_ALL	(CFG_BIT(CFG_SEQS7_NORMAL + 1) - 1)
/* fork+exec: the pairs, and the breakdown. */
#define CFGS_FORK	(CFGS_PAIRS | CFG_BIT(CFG_NO_EVENTS) | CFG_BIT(CFG_NO_EXEC) | \
			 CFG_BIT(CFG_NO_FORK) | CFG_BIT(CFG_NO_EXIT))
/* -w startup: no workload, only the phases after them. */
#define W_STARTUP	(1U << 31)

struct bench {
	char dir[PATH_MAX];		/* where ebph_bench, ebph and the objects are */
	int reps;
	int quick;			/* small iteration counts: a smoke run */
	int cpu;			/* where the per-call loops are pinned */
	int cpu2;			/* another CPU, for the 2-CPU loops; -1: none */
	char spin[2][PATH_MAX];		/* copies of this program: two profiles */
	cpu_set_t all_cpus;
	int ncpus;			/* possible CPUs: per-CPU map values */
	int online;			/* CPUs to run on: make -j */
	struct ld_obj floor, count, ebph;
	struct ebph_maps m;
	struct ebph_config cfg;		/* as last written to the config map */
	__u64 self_key;			/* this program's profile; 0: unknown */
	unsigned int only;		/* -w: the workloads to run, by index */
	int hold_fd[BPF_LOAD_MAX_PROGS];	/* hold_tracepoints() */
	int nhold;
	struct perf_reader pb;
	pthread_t reader;
	int reader_on;
	volatile int reader_stop;
	__u64 events;			/* read by the reader thread */
	__u64 lost;
	int pipe_fd[2];
	char build_dir[64];		/* objects of the build-like job */
	__u64 keys[12];			/* profiles of the workloads' executables */
	int nkeys;
};

/* ---- small things ------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Min, median and max of N values (sorted in place). */
static void stats3(double *v, int n, double *min, double *med, double *max)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*min = v[0];
	*max = v[n - 1];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static __u64 stat_sum(struct bench *b, __u32 idx)
{
	__u64 v[b->ncpus], sum = 0;
	int i;

	if (bpf_map_lookup(b->m.stats, &idx, v))
		return 0;
	for (i = 0; i < b->ncpus; i++)
		sum += v[i];
	return sum;
}

/* fork + execv PATH with ARGV, stdout to OUT_FD unless it is -1 (then
 * /dev/null, like stderr).  Returns the pid or -errno. */
static pid_t spawn(const char *path, char *const argv[], int out_fd, int quiet)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (out_fd >= 0)
			dup2(out_fd, 1);
		else if (quiet)
			dup2(null, 1);
		if (quiet)
			dup2(null, 2);
		execvp(path, argv);
		_exit(127);
	}
	return pid;
}

static int wait_ok(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "%s: %s failed (status %#x)\n", prog, what, st);
		return -ECHILD;
	}
	return 0;
}

/* ---- the workloads ------------------------------------------------------- */

/* The per-call loops run on one CPU: no migration in the middle. */
static void pin(struct bench *b, int on)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(b->cpu, &one);
	sched_setaffinity(0, sizeof(cpu_set_t), on ? &one : &b->all_cpus);
}

/*
 * Every workload runs in slices, and the configuration changes between
 * slices (see run_all()): the state of a shared virtual machine drifts
 * by 10 or 20% over seconds, and configurations measured a few
 * milliseconds apart drift together.  A slice adds one or more samples
 * to its configuration's pool; a repetition's figure is the fastest
 * sample of the pool, or its median (struct workload).
 *
 * The fastest for the loops: a pinned loop of identical calls can only
 * be slowed down (an interrupt, a timer, the host), so its fastest slice
 * is the cost of the call itself.
 */

/* ns per getppid(2): the cheapest real system call, so the hook is most
 * of what changes.  syscall(), because a libc may cache getppid. */
static int s_getppid(struct bench *b, double *out)
{
	long n = b->quick ? 10000 : 50000, i;
	double t0;

	pin(b, 1);
	for (i = 0; i < 2000; i++)	/* warm: caches, pick-up */
		syscall(SYS_getppid);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	out[0] = (now_ns() - t0) / n;
	pin(b, 0);
	return 1;
}

/* ns per write(2) + read(2) of one byte through a pipe: two calls that
 * do some work, in one process. */
static int s_pipe(struct bench *b, double *out)
{
	long n = b->quick ? 2500 : 15000, i;
	double t0 = 0;
	char c = 'x';

	pin(b, 1);
	for (i = -1000; i < n; i++) {	/* the first 1000: warm up */
		if (!i)
			t0 = now_ns();
		if (write(b->pipe_fd[1], &c, 1) != 1 ||
		    read(b->pipe_fd[0], &c, 1) != 1) {
			pin(b, 0);
			return -1;
		}
	}
	out[0] = (now_ns() - t0) / n;
	pin(b, 0);
	return 1;
}

/*
 * us per fork + exec of /bin/true + wait: the life-cycle programs run,
 * and a process whose every call is new to its window.  Each iteration
 * is a sample and the figure is their median: an iteration that met a
 * busy host moves the mean, not the median.
 */
#define FORK_PER_SLICE 40

static int s_fork_exec(struct bench *b, double *out)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	int n = b->quick ? 10 : FORK_PER_SLICE, i, st;
	double t0;

	for (i = -2; i < n; i++) {	/* the first 2: warm up */
		pid_t pid;

		t0 = now_ns();
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			return -1;
		if (i >= 0)
			out[i] = (now_ns() - t0) / 1000;
	}
	return n;
}

/*
 * ms of wall time of a build: make -j<CPUs> of ebph's loader and profile
 * library (four sources, cc -O2) and a link, with make, cc, cc1, as,
 * collect2 and ld, their execs, files and page faults.  The sources are
 * copied by setup(), so the job stays the same through the run.
 */
static const char *build_srcs[] = {
	"bpf_load.c", "profile_store.c", "syscall_names.c", "ebph_maps.c",
	"ebph.h", "bpf_load.h", "bpf_helpers.h", "profile_store.h",
	"syscall_names.h", "ebph_maps.h", "bpf_dirs.h", "bpf_sys.h",
	"btf_blob.h", "btf_obj.h",
};
static const char *build_outs[] = {
	"bpf_load.o", "profile_store.o", "syscall_names.o", "ebph_maps.o",
	"main.o", "tool",
};

static int s_build(struct bench *b, double *out)
{
	char jobs[16];
	char *argv[] = { "make", "-s", jobs, "-C", b->build_dir, NULL };
	double t0;
	size_t i;
	pid_t pid;

	snprintf(jobs, sizeof(jobs), "-j%d", b->online);
	t0 = now_ns();
	pid = spawn("make", argv, -1, 1);
	if (pid < 0 || wait_ok(pid, "the build-like job (make, cc, libelf-dev)"))
		return -1;
	out[0] = (now_ns() - t0) / 1e6;
	for (i = 0; i < sizeof(build_outs) / sizeof(build_outs[0]); i++) {
		char path[sizeof(b->build_dir) + 32];

		snprintf(path, sizeof(path), "%s/%s", b->build_dir, build_outs[i]);
		unlink(path);
	}
	return 1;
}

/*
 * The cost of sharing a profile between CPUs: two processes, each
 * pinned to a CPU of its own, each N getppid(2) calls at the same time
 * (spin(), a copy of this program with --spin), once of the same
 * executable (one profile: every call of both writes its counters, a
 * cache line that goes from CPU to CPU) and once of two copies (two
 * profiles, one per CPU).  The figure is the mean of the two processes'
 * ns per call.  The processes are started before the clock, and told to
 * go together.
 */
#define SPIN_WARM	2000

static int spin(long n, int cpu)
{
	cpu_set_t one;
	double t0, ns;
	long i;
	char c = 'r';

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return 1;
	for (i = 0; i < SPIN_WARM; i++)
		syscall(SYS_getppid);
	if (write(1, &c, 1) != 1 || read(0, &c, 1) != 1)
		return 1;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	ns = (now_ns() - t0) / n;
	return write(1, &ns, sizeof(ns)) == sizeof(ns) ? 0 : 1;
}

static int s_2cpu(struct bench *b, double *out, const char *exe0,
		  const char *exe1)
{
	const char *exe[2] = { exe0, exe1 };
	int to[2][2] = { { -1, -1 }, { -1, -1 } }, from[2][2] = { { -1, -1 }, { -1, -1 } };
	char calls[24], cpu[2][12], c = 'g';
	double ns[2] = { -1, -1 };
	pid_t pid[2] = { -1, -1 };
	int k, ret = -1;

	if (b->cpu2 < 0)
		return -1;
	snprintf(calls, sizeof(calls), "%d", b->quick ? 10000 : 50000);
	snprintf(cpu[0], sizeof(cpu[0]), "%d", b->cpu);
	snprintf(cpu[1], sizeof(cpu[1]), "%d", b->cpu2);
	for (k = 0; k < 2; k++) {
		char *argv[] = { (char *)exe[k], "--spin", calls, cpu[k], NULL };

		if (pipe2(to[k], O_CLOEXEC) || pipe2(from[k], O_CLOEXEC))
			goto out;
		pid[k] = fork();
		if (pid[k] < 0)
			goto out;
		if (pid[k] == 0) {
			dup2(to[k][0], 0);
			dup2(from[k][1], 1);
			execv(exe[k], argv);
			_exit(127);
		}
		close(to[k][0]);
		close(from[k][1]);
		to[k][0] = from[k][1] = -1;
	}
	for (k = 0; k < 2; k++)		/* both ready, warmed up */
		if (read(from[k][0], &c, 1) != 1)
			goto out;
	for (k = 0; k < 2; k++)
		if (write(to[k][1], &c, 1) != 1)
			goto out;
	for (k = 0; k < 2; k++)
		if (read(from[k][0], &ns[k], sizeof(ns[k])) != sizeof(ns[k]))
			goto out;
	out[0] = (ns[0] + ns[1]) / 2;
	ret = 1;
out:
	for (k = 0; k < 2; k++) {
		int i;

		for (i = 0; i < 2; i++) {
			if (to[k][i] >= 0)
				close(to[k][i]);
			if (from[k][i] >= 0)
				close(from[k][i]);
		}
		if (pid[k] > 0 && wait_ok(pid[k], "a --spin copy"))
			ret = -1;
	}
	return ret;
}

static int s_2cpu_shared(struct bench *b, double *out)
{
	return s_2cpu(b, out, b->spin[0], b->spin[0]);
}

static int s_2cpu_apart(struct bench *b, double *out)
{
	return s_2cpu(b, out, b->spin[0], b->spin[1]);
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static int copy_file(const char *src, const char *dst)
{
	char *data = NULL, buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	int fd, err;

	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *d = realloc(data, len + n);

		if (!d) {
			n = -1;
			break;
		}
		data = d;
		memcpy(data + len, buf, n);
		len += n;
	}
	close(fd);
	err = n < 0 ? -EIO : write_file(dst, data, len);
	free(data);
	return err;
}

static int exe_key(const char *name, __u64 *key);

/* The objects call into the rest of the loader (bpf_sys.c, btf_blob.c,
 * ...), which the job does not build: main() calls none of it, so the
 * link lets those symbols be, and ld still reads every object. */
static int build_setup(struct bench *b)
{
	static const char makefile[] =
		"CFLAGS = -O2 -I.\n"
		"OBJS = main.o bpf_load.o profile_store.o syscall_names.o ebph_maps.o\n"
		"tool: $(OBJS)\n"
		"\t$(CC) -o $@ $(OBJS) -lelf -Wl,--unresolved-symbols=ignore-all\n"
		"%.o: %.c\n"
		"\t$(CC) $(CFLAGS) -c -o $@ $<\n";
	static const char main_c[] = "int main(void) { return 0; }\n";
	char path[PATH_MAX + 32], src[PATH_MAX + 32];
	size_t i;
	int err;

	snprintf(path, sizeof(path), "%s/Makefile", b->build_dir);
	if ((err = write_file(path, makefile, sizeof(makefile) - 1)))
		return err;
	snprintf(path, sizeof(path), "%s/main.c", b->build_dir);
	if ((err = write_file(path, main_c, sizeof(main_c) - 1)))
		return err;
	for (i = 0; i < sizeof(build_srcs) / sizeof(build_srcs[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s", b->dir, build_srcs[i]);
		snprintf(path, sizeof(path), "%s/%s", b->build_dir, build_srcs[i]);
		if ((err = copy_file(src, path)))
			return err;
	}
	/* The 2-CPU loops' two executables (s_2cpu()). */
	for (i = 0; i < 2; i++) {
		snprintf(b->spin[i], sizeof(b->spin[i]), "%s/spin%zu", b->build_dir, i);
		if ((err = copy_file("/proc/self/exe", b->spin[i])) ||
		    chmod(b->spin[i], 0700))
			return err ? err : -errno;
		if (!exe_key(b->spin[i], &b->keys[b->nkeys]))
			b->nkeys++;
	}
	return 0;
}

/* Remove what build_setup() and the runs left. */
static void build_cleanup(struct bench *b)
{
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(build_srcs) / sizeof(build_srcs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->build_dir, build_srcs[i]);
		unlink(path);
	}
	for (i = 0; i < sizeof(build_outs) / sizeof(build_outs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->build_dir, build_outs[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/Makefile", b->build_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/main.c", b->build_dir);
	unlink(path);
	for (i = 0; i < 2; i++)
		if (b->spin[i][0])
			unlink(b->spin[i]);
	rmdir(b->build_dir);
}

/*
 * Not measured: a short shell session of everyday tools, run once during
 * the warm-up, so that the memory figure covers more real programs than
 * the four workloads' handful.
 */
static int shell_session(struct bench *b)
{
	char script[2 * PATH_MAX + 1024];
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	pid_t pid;

	/* Each tool on its own: one missing (a minimal system without ps)
	 * costs the memory figure a profile, not the run. */
	snprintf(script, sizeof(script),
		 "cd '%s' || exit 1; ls -la; cat *.c | grep -c include; "
		 "sed -n 1,20p README.md | sort | uniq | wc -l; "
		 "find . -name '*.h' | xargs wc -l; tar cf - *.c | gzip -c; "
		 "ps ax; date; id; uname -a; stat Makefile; du -s .; df; "
		 "awk '{ n++ } END { print n }' Makefile; "
		 "head -c 100 /dev/urandom | md5sum; diff Makefile Makefile; "
		 "cp Makefile '%s/copy'; rm -f '%s/copy'; exit 0",
		 b->dir, b->build_dir, b->build_dir);
	pid = spawn("/bin/sh", argv, -1, 1);
	return pid < 0 ? pid : wait_ok(pid, "the shell session");
}

#define MAX_SAMPLES	512
#define MAX_ROUNDS	(MAX_REPS * 20)

struct workload {
	const char *name;
	const char *unit;
	/* Run one slice; write its samples to OUT; return how many, or -1. */
	int (*slice)(struct bench *b, double *out);
	int slices;			/* per configuration and repetition */
	int median;			/* figure: median sample, else the fastest */
	int paired;			/* added: paired_added(), else medians */
	unsigned int cfgs;		/* its configurations: CFG_BIT()s */
	/* A loop of two calls, newest first when the slice is at the
	 * first: the sequence the sequence detector sees at almost every
	 * call of the slice, which check_seqs() looks for (if has_loop). */
	int loop[2], has_loop;
	double v[NCFG][MAX_REPS];	/* the figures */
	double pool[NCFG][MAX_SAMPLES];	/* this repetition's samples */
	int npool[NCFG];
	/* Each slice's figure (its sample, or the median of its samples),
	 * by round: a round is one slice of every configuration, back to
	 * back, so the differences within a round are free of the drift
	 * between rounds. */
	double round[NCFG][MAX_ROUNDS];
	int nround;
	__u64 anomalies[NCFG];		/* normal: in the machine, in all */
	__u64 own_anomalies[NCFG];	/* normal: of the bench's own profile */
	/* Slices under seqs, both or seqs7 normal, and those that found the
	 * sequence detector testing (check_seqs()). */
	int seq_slices[NCFG], seq_tested[NCFG];
	int noisy;			/* slices kept though others ran */
	/* Events the reader read during the kept slices, and their
	 * samples: what a fork+exec sends (print_workload()). */
	__u64 events[NCFG], samples[NCFG];
};

static struct workload workloads[] = {
	{ .name = "getppid", .unit = "ns per call, fastest of 20 slices",
	  .slice = s_getppid, .slices = 20, .cfgs = CFGS_ALL,
	  .loop = { SYS_getppid, SYS_getppid }, .has_loop = 1 },
	{ .name = "pipe", .unit = "ns per 1-byte write+read, fastest of 20 slices",
	  .slice = s_pipe, .slices = 20, .cfgs = CFGS_ALL,
	  .loop = { SYS_read, SYS_write }, .has_loop = 1 },
	{ .name = "fork+exec", .unit = "us per fork, exec /bin/true, wait; median of 400",
	  .slice = s_fork_exec, .slices = 10, .median = 1, .paired = 1,
	  .cfgs = CFGS_FORK },
	{ .name = "build", .unit = "ms of make -j (5 x cc -O2, a link), fastest of 8",
	  .slice = s_build, .slices = 8, .paired = 1, .cfgs = CFGS_PAIRS },
	{ .name = "2cpu-shared", .unit = "ns per getppid, 2 processes of one profile on 2 CPUs, fastest of 20 slices",
	  .slice = s_2cpu_shared, .slices = 20, .cfgs = CFGS_PAIRS },
	{ .name = "2cpu-apart", .unit = "ns per getppid, 2 processes of two profiles on 2 CPUs, fastest of 20 slices",
	  .slice = s_2cpu_apart, .slices = 20, .cfgs = CFGS_PAIRS },
};
#define NWORK ((int)(sizeof(workloads) / sizeof(workloads[0])))

/* ---- ebph's state, set from user space ---------------------------------- */

/* Is KEY the profile of one of the workloads' executables? */
static int workload_key(struct bench *b, __u64 key)
{
	int i;

	for (i = 0; i < b->nkeys; i++)
		if (b->keys[i] == key)
			return 1;
	return 0;
}

/*
 * NORMAL set on the profiles of the workloads' executables when NORMAL
 * is asked for, and cleared everywhere else: the rest of the machine
 * trains, as it would with a week to go, and whatever else runs here
 * does not flood the rings with anomalies.  The anomaly counts go back
 * to 0 so that no profile nears the limit during the run.
 */
static int profiles_set_normal(struct bench *b, int normal)
{
	struct ebph_profile p;
	size_t n, i;
	__u64 *keys;
	int err;

	/* Gathered first: an update moves the key it changes. */
	err = bpf_map_keys(b->m.profiles, sizeof(*keys), (void **)&keys, &n);
	for (i = 0; i < n; i++) {
		__u32 status;

		if (bpf_map_lookup(b->m.profiles, &keys[i], &p))
			continue;
		status = normal && workload_key(b, keys[i]) ?
			 p.status | EBPH_NORMAL : p.status & ~EBPH_NORMAL;
		if (status == p.status && !p.anomalies)
			continue;
		p.status = status;
		p.anomalies = 0;
		bpf_map_update(b->m.profiles, &keys[i], &p, BPF_EXIST);
	}
	free(keys);
	return err;
}

/* The profile key of the executable PATH, or of NAME found in $PATH. */
static int exe_key(const char *name, __u64 *key)
{
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	char file[PATH_MAX];
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st))
			return -errno;
		*key = ebph_profile_key(st.st_dev, st.st_ino);
		return 0;
	}
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, name);
		if (!stat(file, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*key = ebph_profile_key(st.st_dev, st.st_ino);
			return 0;
		}
		path += len + (path[len] == ':');
	}
	return -ENOENT;
}

/*
 * The executables the workloads run: this program, /bin/true, make, cc
 * and what cc runs (cc -print-prog-name names them).  A link is followed,
 * as the kernel's mm->exe_file is the file itself.
 */
static void find_workload_keys(struct bench *b)
{
	static const char *tools[] = { "cc1", "as", "collect2", "ld" };
	const char *cc = getenv("CC") ? getenv("CC") : "cc";
	const char *names[] = { "/proc/self/exe", "/bin/true", "make", cc };
	size_t i;

	b->nkeys = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!exe_key(names[i], &b->keys[b->nkeys]))
			b->nkeys++;
	if (exe_key("/proc/self/exe", &b->self_key))
		b->self_key = 0;
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char opt[32], line[PATH_MAX];
		char *argv[] = { (char *)cc, opt, NULL };
		int fds[2];
		FILE *f;
		pid_t pid;

		snprintf(opt, sizeof(opt), "-print-prog-name=%s", tools[i]);
		if (pipe2(fds, O_CLOEXEC))
			continue;
		pid = spawn(cc, argv, fds[1], 1);
		close(fds[1]);
		f = fdopen(fds[0], "r");
		line[0] = 0;
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		} else {
			close(fds[0]);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		line[strcspn(line, "\n")] = 0;
		if (line[0] && !exe_key(line, &b->keys[b->nkeys]))
			b->nkeys++;
	}
}

/*
 * Test sets := train sets, for every profile, of both detectors: the
 * sets of start normal (ebph_take_test_set() in ebph.h, the kernel's
 * rule), the pair rows copied (ebph_rows_work()).  Every sequence
 * learned so far is then in the test range, and what is learned later
 * gets a stamp past it (until the next repetition takes it in).  Status
 * and counters are left alone: profiles_set_normal() sets NORMAL where a
 * configuration wants it.  The keys are gathered first: an update puts
 * the new element at the head of its bucket, and a walk that updates as
 * it goes can meet a profile twice, or go round two of them for ever.
 */
static int take_test_sets(struct bench *b)
{
	struct ebph_profile p;
	size_t n, i;
	__u64 *keys;
	int err, rows;

	err = bpf_map_keys(b->m.profiles, sizeof(*keys), (void **)&keys, &n);
	for (i = 0; i < n; i++)
		ebph_profile_change(&b->m, keys[i], ebph_take_test_set,
				    EBPH_DET_PAIRS | EBPH_DET_SEQS, &p, &rows);
	free(keys);
	return err;
}

/* Forget every task: tasks that exited while ebph was detached left
 * their entries, and a reused tid would run the wrong profile.  Each
 * task is picked up again, from its executable, at its next call.
 * The tids are gathered in one walk, then deleted: starting a walk
 * afresh for each one scans the buckets before it every time. */
static void tasks_clear(struct bench *b)
{
	__u32 *tids;
	size_t n, i;
	int err;

	err = bpf_map_keys(b->m.tasks, sizeof(*tids), (void **)&tids, &n);
	if (err)
		fprintf(stderr, "ebph_bench: cannot clear the tasks map: %s\n", strerror(-err));
	for (i = 0; i < n; i++)
		bpf_map_delete(b->m.tasks, &tids[i]);
	free(tids);
}

/* Run DET from now on (ebph detached: no call sees half a change). */
static int set_detectors(struct bench *b, __u32 det)
{
	__u32 zero = 0;

	if (b->cfg.detectors == det)
		return 0;
	b->cfg.detectors = det;
	return bpf_map_update(b->m.config, &zero, &b->cfg, BPF_ANY);
}

/*
 * "pairs -events": every CPU's ring taken out of the events map for the
 * slice, so that the programs' bpf_perf_event_output() finds none and
 * returns at once (a drop, counted): no record written, no reader
 * woken.  events_on() puts them back.
 */
static void events_off(struct bench *b)
{
	int fd = ld_map_fd(&b->ebph, "events"), i;

	for (i = 0; i < b->pb.nr_rings; i++)
		bpf_map_delete(fd, &b->pb.rings[i].cpu);
}

static void events_on(struct bench *b)
{
	int fd = ld_map_fd(&b->ebph, "events"), i;

	for (i = 0; i < b->pb.nr_rings; i++)
		bpf_map_update(fd, &b->pb.rings[i].cpu, &b->pb.rings[i].fd, BPF_ANY);
}

static void *close_event(void *arg);

/* ebph attached but for the program NAME ("pairs -exec" and so on). */
static int attach_without(struct bench *b, const char *name)
{
	struct ld_prog *p = ld_find_prog(&b->ebph, name);
	int err = ld_attach(&b->ebph);

	if (err || !p || p->attach_fd < 0)
		return err ? err : -ENOENT;
	close_event((void *)(long)p->attach_fd);
	p->attach_fd = -1;
	return 0;
}

static int config_enter(struct bench *b, enum config c)
{
	int err;

	switch (c) {
	case CFG_BASE:
		return 0;
	case CFG_FLOOR:
		return ld_attach(&b->floor);
	case CFG_COUNT:
		return ld_attach(&b->count);
	case CFG_PAIRS_TRAIN:
	case CFG_PAIRS_NORMAL:
	case CFG_SEQS_TRAIN:
	case CFG_SEQS_NORMAL:
	case CFG_BOTH_TRAIN:
	case CFG_BOTH_NORMAL:
	case CFG_SEQS7_NORMAL:
	case CFG_NO_EVENTS:
	case CFG_NO_EXEC:
	case CFG_NO_FORK:
	case CFG_NO_EXIT:
		if ((err = set_detectors(b, cfg_det[c])) ||
		    (err = profiles_set_normal(b, cfg_normal(c))))
			return err;
		tasks_clear(b);
		if (c == CFG_NO_EVENTS)
			events_off(b);
		if (cfg_without[c])
			return attach_without(b, cfg_without[c]);
		return ld_attach(&b->ebph);
	default:
		return -EINVAL;
	}
}

/*
 * At the end of a slice under ebph (still attached): is the sequence
 * detector testing the bench's own calls?  Its profile must be normal,
 * have a test set of sequences (else the kernel skips the test), and
 * hold W's loop sequence in it, learned in the warm-up (else every call
 * of the loop would be an anomaly).  Returns 1 if so.  *ANOMALIES gets
 * the profile's anomalies since config_enter() zeroed them.
 *
 * Called under every configuration of ebph, training too, and both
 * lookups made whatever the first finds: its calls are then the same
 * everywhere and learned in the warm-up, not anomalies of their own.
 */
static int check_seqs(struct bench *b, const struct workload *w,
		      __u64 *anomalies)
{
	struct ebph_seq_key key = { .profile = b->self_key };
	struct ebph_profile p;
	struct ebph_seq s;
	__u64 w0, w1;
	int no_p, no_s;

	/* The window as struct ebph_task holds it: seq[0] newest, four
	 * 16-bit lanes a word. */
	w0 = (__u64)w->loop[0] | (__u64)w->loop[1] << 16 |
	     (__u64)w->loop[0] << 32 | (__u64)w->loop[1] << 48;
	w1 = w0;
	key.seq = ebph_seq_pack(w0, w1);
	no_p = bpf_map_lookup(b->m.profiles, &b->self_key, &p);
	no_s = bpf_map_lookup(b->m.seqs, &key, &s);
	*anomalies = 0;
	if (!b->self_key || no_p)
		return 0;
	*anomalies = p.anomalies;
	if (!(p.status & EBPH_NORMAL) || p.seq_test_to == p.seq_test_from)
		return 0;
	return !w->has_loop || (!no_s && ebph_seq_in_test(&p, &s));
}

/*
 * Detaching ebph took 230 ms, most of the bench's time (ebph is
 * detached after every one of its slices): closing the perf event of
 * each of its tracepoints (the three sched ones, when it was measured)
 * waited 70 to 80 ms for RCU grace periods, one close after the other.
 * Two things bring that to some 65 ms, measured on this machine,
 * without changing what a figure measures:
 *
 * The bench holds a perf event of its own on each of ebph's tracepoints
 * through the measurements, disabled and without a program
 * (hold_tracepoints()).  ebph's event is then never the tracepoint's
 * last, whose close unregisters the kernel's perf probe and waits for
 * its callers to be gone (perf_trace_event_unreg()), under a mutex that
 * makes the closes wait for each other.  It costs every configuration
 * alike, baseline included: a call of the perf probe per fork, exec,
 * exit and io_uring request, which returns at once (no enabled event,
 * no program).  Released before the start-up test, whose `ebph run`
 * registers the probes itself, as it would on a machine without the
 * bench.
 *
 * The rest of each close, 35 to 50 ms (taking the program off the
 * tracepoint waits for a grace period too), is waited for side by side:
 * ebph_detach() closes them on threads of their own.
 */
static void hold_tracepoints(struct bench *b)
{
	static const char *dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	struct perf_event_attr pa = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(pa),
		.disabled = 1,
	};
	char path[PATH_MAX], buf[32];
	int i, fd = -1;
	size_t d;
	ssize_t n;

	for (i = 0; i < b->ebph.nr_progs; i++) {
		const struct ld_prog *p = &b->ebph.progs[i];

		if (p->type != BPF_PROG_TYPE_TRACEPOINT)
			continue;
		for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			snprintf(path, sizeof(path), "%s/events/%s/id", dirs[d],
				 p->attach_to);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
				break;
		}
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		fd = -1;
		if (n > 0) {
			buf[n] = 0;
			pa.config = strtoull(buf, NULL, 10);
			fd = syscall(__NR_perf_event_open, &pa, -1, 0, -1,
				     PERF_FLAG_FD_CLOEXEC);
		}
		if (fd < 0) {
			/* Not needed for the figures: only slower. */
			fprintf(stderr, "%s: cannot hold tracepoint %s: the run will be longer\n",
				prog, p->attach_to);
			continue;
		}
		b->hold_fd[b->nhold++] = fd;
	}
}

static void release_tracepoints(struct bench *b)
{
	while (b->nhold > 0)
		close(b->hold_fd[--b->nhold]);
}

static void *close_event(void *arg)
{
	int fd = (int)(long)arg;

	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	close(fd);
	return NULL;
}

/*
 * ld_detach() of ebph, its tracepoints closed side by side (see
 * above): sys_enter first, then a thread for each tracepoint.  It
 * returns, as ld_detach() does, when every program is off.
 * (The threads' own fork and exit may still meet ebph's life-cycle
 * programs: a stale task entry, which config_enter() clears.)
 */
static void ebph_detach(struct bench *b)
{
	struct ld_obj *obj = &b->ebph;
	pthread_t threads[BPF_LOAD_MAX_PROGS];
	int i, n = 0;

	for (i = 0; i < obj->nr_progs; i++) {
		struct ld_prog *p = &obj->progs[i];

		if (p->attach_fd >= 0 && p->type != BPF_PROG_TYPE_TRACEPOINT) {
			close(p->attach_fd);
			p->attach_fd = -1;
		}
	}
	for (i = 0; i < obj->nr_progs; i++) {
		struct ld_prog *p = &obj->progs[i];

		if (p->attach_fd < 0)
			continue;
		if (pthread_create(&threads[n], NULL, close_event,
				   (void *)(long)p->attach_fd))
			close_event((void *)(long)p->attach_fd);
		else
			n++;
		p->attach_fd = -1;
	}
	while (n--)
		pthread_join(threads[n], NULL);
}

static void config_leave(struct bench *b, enum config c)
{
	if (c == CFG_FLOOR)
		ld_detach(&b->floor);
	else if (c == CFG_COUNT)
		ld_detach(&b->count);
	else if (c != CFG_BASE)
		ebph_detach(b);
	if (c == CFG_NO_EVENTS)
		events_on(b);
}

/* ---- events: read as `ebph run` reads them --------------------------------- */

static int on_sample(void *ctx, int cpu, const void *data, uint32_t size)
{
	((struct bench *)ctx)->events++;
	return 0;
}

static void on_lost(void *ctx, int cpu, uint64_t lost)
{
	((struct bench *)ctx)->lost += lost;
}

static void *reader(void *arg)
{
	struct bench *b = arg;

	while (!b->reader_stop)
		perf_reader_poll(&b->pb, 200);
	return NULL;
}

/* ---- setup ------------------------------------------------------------------ */

static int open_object(struct bench *b, struct ld_obj *obj, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	if (ld_open(obj, path, 0))
		return -1;
	return ld_load(obj);
}

static int setup(struct bench *b)
{
	struct ebph_config cfg = {
		.normal_wait = EBPH_NORMAL_WAIT,
		/* No profile leaves normal, none is tolerized, during the
		 * run: the configuration must not change under a figure.
		 * (The checks themselves run on every call as usual.) */
		.anomaly_limit = ~0U,
		.tolerize_limit = EBPH_LOCALITY_WIN,
		.monitoring = 1,
		/* Each configuration sets its own (set_detectors()). */
		.detectors = EBPH_DET_PAIRS,
	};
	__u32 zero = 0;
	int err;

	find_workload_keys(b);
	if (open_object(b, &b->floor, "bench_floor_kern.o") ||
	    open_object(b, &b->count, "bench_count_kern.o") ||
	    open_object(b, &b->ebph, "ebph_kern.o") ||
	    ebph_maps_from_object(&b->m, &b->ebph))
		return -1;
	hold_tracepoints(b);
	if (ebph_config_offsets(&cfg, 0))
		return -1;
	b->cfg = cfg;
	err = bpf_map_update(b->m.config, &zero, &cfg, BPF_ANY);
	if (err) {
		fprintf(stderr, "%s: cannot write the config map: %s\n", prog, strerror(-err));
		return err;
	}
	err = perf_reader_open(&b->pb, ld_map_fd(&b->ebph, "events"), 64,
			       on_sample, on_lost, b);
	if (err) {
		fprintf(stderr, "%s: cannot open the perf rings: %s\n", prog, strerror(-err));
		return err;
	}
	if ((err = pthread_create(&b->reader, NULL, reader, b))) {
		fprintf(stderr, "%s: cannot start the event reader: %s\n", prog, strerror(err));
		return -err;
	}
	b->reader_on = 1;
	if (pipe2(b->pipe_fd, O_CLOEXEC)) {
		fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
		return -errno;
	}
	snprintf(b->build_dir, sizeof(b->build_dir), "/tmp/ebph-bench-build.XXXXXX");
	if (!mkdtemp(b->build_dir)) {
		fprintf(stderr, "%s: mkdtemp: %s\n", prog, strerror(errno));
		b->build_dir[0] = 0;
		return -errno;
	}
	if ((err = build_setup(b))) {
		fprintf(stderr, "%s: cannot copy the sources into %s: %s\n", prog,
			b->build_dir, strerror(-err));
		return err;
	}
	return 0;
}

/* ---- measuring ------------------------------------------------------------------ */

/* Seconds of CPU time all CPUs spent busy (steal included: a busy host
 * is noise too), from /proc/stat. */
static double busy_s(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = 0;

	if (f) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		fclose(f);
	}
	if (n != 8)
		return 0;
	/* user nice system [idle iowait] irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	       sysconf(_SC_CLK_TCK);
}

/* Seconds of CPU time this process and its (waited-for) children used. */
static double own_s(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return self.ru_utime.tv_sec + self.ru_stime.tv_sec +
	       kids.ru_utime.tv_sec + kids.ru_stime.tv_sec +
	       (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
		kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

/* An ebph is running (its maps are pinned), and its hook would be in
 * the figure.  Pins a crashed ebph left behind are told apart by inode. */
static ino_t stale_pins;

static int ebph_running(void)
{
	struct stat st;

	return !stat(EBPH_PIN_DIR, &st) && st.st_ino != stale_pins;
}

/* Ctrl-C: stop at the next slice, and clean up on the way out. */
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = sig;
}

/* Wait up to a minute for an ebph that runs to stop (a test's stops by
 * itself); 0 when none runs, -EBUSY or -EINTR. */
static int wait_no_ebph(void)
{
	int i;

	for (i = 0; ebph_running() && !stopping; i++) {
		if (i == 60) {
			fprintf(stderr, "%s: an ebph has been running for a minute: stop it, or it is in every figure\n",
				prog);
			return -EBUSY;
		}
		if (!i)
			fprintf(stderr, "%s: an ebph is running: waiting for it to stop\n", prog);
		sleep(1);
	}
	return stopping ? -EINTR : 0;
}

#define MAX_TRIES	5
#define SETTLE_US	20000

/*
 * One slice of workload W under configuration C; its samples go to the
 * pool of C unless KEEP is 0 (a warm-up).  A slice run while other
 * processes used more than a tenth of a CPU (this machine may be
 * shared), or while an ebph ran, is run again, up to MAX_TRIES times;
 * w->noisy counts the ones kept anyway.
 */
static int measure(struct bench *b, struct workload *w, enum config c, int keep)
{
	double out[MAX_SAMPLES], busy, own, wall;
	__u64 anomalies, own_anomalies, events;
	int err, tries, tested, n = 0;

	for (tries = 1; tries <= MAX_TRIES; tries++) {
		if ((err = wait_no_ebph()))
			return err;
		err = config_enter(b, c);
		if (err) {
			config_leave(b, c);
			fprintf(stderr, "%s: cannot set up '%s': %s\n", prog,
				cfg_name[c], strerror(-err));
			return err;
		}
		anomalies = stat_sum(b, EBPH_STAT_ANOMALIES);
		events = __atomic_load_n(&b->events, __ATOMIC_RELAXED);
		busy = busy_s();
		own = own_s();
		wall = now_ns();
		n = w->slice(b, out);
		wall = (now_ns() - wall) / 1e9;
		busy = busy_s() - busy;
		own = own_s() - own;
		/* The same calls under every configuration of ebph, and in
		 * the warm-up: they are then learned, and the anomalies
		 * counted are the workload's, not the bench's own checks. */
		anomalies = stat_sum(b, EBPH_STAT_ANOMALIES) - anomalies;
		tested = check_seqs(b, w, &own_anomalies);
		if (cfg_normal(c) && keep) {
			w->anomalies[c] += anomalies;
			w->own_anomalies[c] += own_anomalies;
			if (cfg_det[c] & EBPH_DET_SEQS) {
				w->seq_slices[c]++;
				w->seq_tested[c] += tested;
			}
		}
		config_leave(b, c);
		/* Let what a detach frees after it returns (RCU callbacks)
		 * be done before the next figure starts. */
		usleep(SETTLE_US);
		events = __atomic_load_n(&b->events, __ATOMIC_RELAXED) - events;
		if (n < 0) {
			fprintf(stderr, "%s: workload '%s' failed\n", prog, w->name);
			return -EIO;
		}
		if (!keep)
			return 0;
		/* /proc/stat counts in ticks: allow two of them. */
		if (busy - own <= 0.1 * wall + 2.0 / sysconf(_SC_CLK_TCK) &&
		    !ebph_running())
			break;
		if (tries == MAX_TRIES)
			w->noisy++;
	}
	if (w->nround < MAX_ROUNDS) {
		double fig = out[0], min, max;

		if (n > 1) {
			double copy[MAX_SAMPLES];

			memcpy(copy, out, n * sizeof(double));
			stats3(copy, n, &min, &fig, &max);
		}
		w->round[c][w->nround] = fig;
	}
	w->events[c] += events;
	w->samples[c] += n;
	if (w->npool[c] + n > MAX_SAMPLES)
		n = MAX_SAMPLES - w->npool[c];
	memcpy(&w->pool[c][w->npool[c]], out, n * sizeof(double));
	w->npool[c] += n;
	return 0;
}

/*
 * Every profile the workloads use is created and trained here, pairs
 * and sequences: twice, so that what the second run sees is what every
 * later run sees.  Then a shell session, for the memory figure.
 */
static int warm_up(struct bench *b)
{
	int i, k, err;

	fprintf(stderr, "%s: warming up: every workload twice under ebph\n", prog);
	for (k = 0; k < 2; k++)
		for (i = 0; i < NWORK; i++)
			if ((b->only & 1U << i) &&
			    measure(b, &workloads[i], CFG_BOTH_TRAIN, 0))
				return -1;
	if ((err = config_enter(b, CFG_BOTH_TRAIN)))
		return err;
	err = shell_session(b);
	config_leave(b, CFG_BOTH_TRAIN);
	return err;
}

/*
 * The configurations of a round, those in CFGS, in a random order (a
 * fixed seed: the same orders at every run); returns how many.  Not a
 * rotation: in a rotation each configuration always follows the same
 * one, and what the one before leaves behind (detaching ebph's
 * tracepoints frees things for a while after) would always fall on the
 * same configuration.
 */
static int shuffle(int order[NCFG], unsigned int cfgs, unsigned int *seed)
{
	int i, j, t, n = 0;

	for (i = 0; i < NCFG; i++)
		if (cfgs & CFG_BIT(i))
			order[n++] = i;
	for (i = n - 1; i > 0; i--) {
		*seed = *seed * 1103515245 + 12345;
		j = (*seed >> 16) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	return n;
}

static int run_all(struct bench *b)
{
	unsigned int seed = 1;
	int rep, i, k, s, c, err;

	for (rep = 0; rep < b->reps; rep++) {
		fprintf(stderr, "%s: repetition %d of %d\n", prog, rep + 1, b->reps);
		/* The test sets: what the profiles learned until now. */
		if ((err = take_test_sets(b)))
			return err;
		for (i = 0; i < NWORK; i++) {
			struct workload *w = &workloads[i];
			double t0 = now_ns();

			if (!(b->only & 1U << i))
				continue;
			memset(w->npool, 0, sizeof(w->npool));
			for (s = 0; s < w->slices; s++) {
				int order[NCFG], n;

				n = shuffle(order, w->cfgs, &seed);
				for (k = 0; k < n; k++)
					if (measure(b, w, order[k], 1))
						return -1;
				w->nround++;
			}
			for (c = 0; c < NCFG; c++) {
				double min, med, max;

				if (!w->npool[c])
					continue;
				stats3(w->pool[c], w->npool[c], &min, &med, &max);
				w->v[c][rep] = w->median ? med : min;
			}
			fprintf(stderr, "%s:   %s: %.1f s\n", prog, w->name,
				(now_ns() - t0) / 1e9);
		}
	}
	return 0;
}

/* ---- printing ---------------------------------------------------------------- */

struct row3 { double min, med, max; };

static struct row3 summarize(const struct workload *w, enum config c, int reps)
{
	double v[MAX_REPS];
	struct row3 r;

	memcpy(v, w->v[c], reps * sizeof(double));
	stats3(v, reps, &r.min, &r.med, &r.max);
	return r;
}

/*
 * What configuration C adds to workload W: the median, over the rounds,
 * of its figure minus the baseline's in the same round.
 */
static double paired_added(const struct workload *w, enum config c)
{
	double d[MAX_ROUNDS], min, med, max;
	int r, n = w->nround < MAX_ROUNDS ? w->nround : MAX_ROUNDS;

	for (r = 0; r < n; r++)
		d[r] = w->round[c][r] - w->round[CFG_BASE][r];
	stats3(d, n, &min, &med, &max);
	return med;
}

/*
 * One block per workload: min, median and max of each of its
 * configurations' figures (one per repetition).  "added" is the
 * configuration's median minus the baseline's for the loops, whose
 * figures are steady, and paired_added() for fork+exec and the build,
 * whose figures follow the machine's drift; "overhead" is that over the
 * baseline's median, and "/count" ebph's added cost over count's.
 * Then what ebph's normal configurations found: the anomalies, and
 * whether the sequence detector was testing (check_seqs()).
 */
static void print_workload(struct bench *b, const struct workload *w,
			   double over[NCFG], double per_count[NCFG],
			   double added[NCFG])
{
	struct row3 r[NCFG];
	const char *sep = "";
	int c, slices = 0, tested = 0;

	for (c = 0; c < NCFG; c++) {
		over[c] = per_count[c] = added[c] = 0;
		if (w->cfgs & CFG_BIT(c))
			r[c] = summarize(w, c, b->reps);
	}
	for (c = 0; c < NCFG; c++)
		if (c != CFG_BASE && (w->cfgs & CFG_BIT(c)))
			added[c] = w->paired ? paired_added(w, c)
					     : r[c].med - r[CFG_BASE].med;
	printf("\n%s: %s, %d runs\n", w->name, w->unit, b->reps);
	printf("  %-12s %9s %9s %9s %9s %9s %7s\n", "config", "min", "median",
	       "max", "added", "overhead", "/count");
	for (c = 0; c < NCFG; c++) {
		if (!(w->cfgs & CFG_BIT(c)))
			continue;
		over[c] = 100 * added[c] / r[CFG_BASE].med;
		per_count[c] = added[CFG_COUNT] > 0 ? added[c] / added[CFG_COUNT] : 0;
		printf("  %-12s %9.1f %9.1f %9.1f", cfg_name[c], r[c].min,
		       r[c].med, r[c].max);
		if (c == CFG_BASE)
			printf(" %9s %9s %7s\n", "-", "-", "-");
		else if (!cfg_det[c] || added[CFG_COUNT] <= 0)
			printf(" %9.1f %+8.1f%% %7s\n", added[c], over[c], "-");
		else
			printf(" %9.1f %+8.1f%% %6.2fx\n", added[c], over[c], per_count[c]);
	}
	if (w->noisy)
		printf("  (%d of these slices were taken while other processes were busy)\n",
		       w->noisy);
	/* Each record wakes the reader: a fork+exec should send none. */
	if (w->paired && w->samples[CFG_PAIRS_TRAIN]) {
		printf("  (events read per sample, the machine's included:");
		sep = "";
		for (c = CFG_PAIRS_TRAIN; c < NCFG; c++)
			if ((w->cfgs & CFG_BIT(c)) && w->samples[c]) {
				printf("%s %s %.2f", sep, cfg_name[c],
				       (double)w->events[c] / w->samples[c]);
				sep = ",";
			}
		printf(")\n");
		sep = "";
	}
	printf("  (anomalies during these runs, in the machine / of ebph_bench's own\n"
	       "   profile:");
	for (c = 0; c < NCFG; c++) {
		if (!cfg_normal(c) || !(w->cfgs & CFG_BIT(c)))
			continue;
		printf("%s %s %llu / %llu", sep, cfg_name[c],
		       (unsigned long long)w->anomalies[c],
		       (unsigned long long)w->own_anomalies[c]);
		sep = ",";
		slices += w->seq_slices[c];
		tested += w->seq_tested[c];
	}
	printf(")\n");
	if (slices && tested == slices)
		printf("  (seqs, both and seqs7 normal: sequences tested in all %d slices: the\n"
		       "   profile normal, its test set holding the loop's sequence)\n",
		       slices);
	else if (slices)
		printf("  (WARNING: seqs, both and seqs7 normal: sequences tested in only %d of\n"
		       "   %d slices; the others measured a detector that does not test)\n",
		       tested, slices);
}

/* ---- memory ------------------------------------------------------------------- */

struct memory {
	size_t profiles, rows;
	size_t median, total, max;	/* bytes of rows per profile */
	size_t seqs, seqs_median, seqs_max; /* sequences, per profile */
	/* What the kernel charges for the maps (fdinfo "memlock"): a hash
	 * map's buckets from its creation, its elements as they come. */
	size_t memlock_rows, memlock_seqs, memlock_all;
};

/* The "memlock" of map FD in /proc/self/fdinfo; 0 if unknown. */
static size_t map_memlock(int fd)
{
	char path[64], line[128];
	size_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %zu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Rows (train and test) of REC: counted here, not with
 * profile_rec_bytes(), which counts the sequences' bytes too. */
static size_t rec_rows(const struct ebph_profile_rec *rec)
{
	size_t rows = 0;
	int set, call;

	for (set = 0; set < 2; set++)
		for (call = 0; call < EBPH_NUM_CALLS; call++)
			rows += rec->rows[set][call] != NULL;
	return rows;
}

/* Median and max of N values (sorted in place); 0 for none. */
static void median_max(size_t *v, size_t n, size_t *median, size_t *max)
{
	*median = *max = 0;
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_size);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*max = v[n - 1];
}

/* Bytes of lookahead pairs per profile, the rows `ebph run` counts at
 * exit, and the sequences (train or test set: what a snapshot keeps),
 * apart. */
static int memory(struct bench *b, struct ebph_snapshot *s, struct memory *mem)
{
	size_t i, *v;
	int err;

	err = ebph_snapshot_read(&b->m, s);
	if (err) {
		fprintf(stderr, "%s: cannot read the profiles: %s\n", prog, strerror(-err));
		return err;
	}
	memset(mem, 0, sizeof(*mem));
	mem->profiles = s->n;
	v = calloc(s->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		v[i] = rec_rows(&s->recs[i]) * EBPH_NUM_SYSCALLS;
		mem->total += v[i];
	}
	mem->rows = mem->total / EBPH_NUM_SYSCALLS;
	median_max(v, s->n, &mem->median, &mem->max);
	for (i = 0; i < s->n; i++) {
		v[i] = s->recs[i].nseqs;
		mem->seqs += v[i];
	}
	median_max(v, s->n, &mem->seqs_median, &mem->seqs_max);
	free(v);
	mem->memlock_rows = map_memlock(b->m.rows);
	mem->memlock_seqs = map_memlock(b->m.seqs);
	mem->memlock_all = map_memlock(b->m.config) + map_memlock(b->m.stats) +
			   map_memlock(b->m.profiles) + map_memlock(b->m.paths) +
			   map_memlock(b->m.tasks) + mem->memlock_rows +
			   mem->memlock_seqs;
	return 0;
}

/* ---- start-up ------------------------------------------------------------------ */

static void remove_dir(const char *dir)
{
	char path[PATH_MAX + PROFILE_NAME_LEN + 2], name[PROFILE_NAME_LEN];
	int i;

	for (i = 0; i < STARTUP_PROFILES; i++) {
		profile_file_name(SYNTH_KEY(i), name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		unlink(path);
	}
	rmdir(dir);
}

/*
 * STARTUP_PROFILES profile files shaped like the real ones of S (their
 * rows and status, cycled), under keys of their own; with their
 * sequences if SEQS, else without, as a machine that never ran the
 * sequence detector saves them.
 */
static int write_profiles(const char *dir, struct ebph_snapshot *s, int seqs)
{
	__s64 boot_to_real;
	struct timespec rt, bt;
	int i, err;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	boot_to_real = (rt.tv_sec - bt.tv_sec) * 1000000000LL + rt.tv_nsec - bt.tv_nsec;
	for (i = 0; i < STARTUP_PROFILES; i++) {
		struct ebph_profile_rec *r = &s->recs[i % s->n];
		__u64 key = r->prof.key;
		size_t nseqs = r->nseqs;

		r->prof.key = SYNTH_KEY(i);
		if (!seqs)
			r->nseqs = 0;
		/* As ebph run saves them: counters CPUs left out of order
		 * put back first (profile_save() refuses them). */
		profile_rec_settle(r);
		err = profile_save(dir, r, boot_to_real);
		r->prof.key = key;
		r->nseqs = nseqs;
		if (err) {
			fprintf(stderr, "%s: cannot write a profile in %s: %s\n",
				prog, dir, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Launch `ebph run` on DIR, wait for "attached in X ms", stop it.
 * *ATTACHED gets X, *SEEN the time until the bench read that line. */
static int startup_once(struct bench *b, const char *dir, double *attached,
			double *seen, int *loaded)
{
	char ebph[PATH_MAX + 8], line[512];
	char *argv[] = { ebph, "run", "--profile-dir", (char *)dir, "--no-save", NULL };
	int fds[2], err = -EIO;
	double t0;
	FILE *f;
	pid_t pid;

	snprintf(ebph, sizeof(ebph), "%s/ebph", b->dir);
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	t0 = now_ns();
	pid = spawn(ebph, argv, fds[1], 0);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return pid;
	}
	f = fdopen(fds[0], "r");
	*loaded = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "loaded ");

		if (p && strstr(line, " profiles from "))
			*loaded = atoi(p + 7);
		p = strstr(line, "attached in ");
		if (p) {
			*seen = (now_ns() - t0) / 1e6;
			*attached = atof(p + 12);
			err = 0;
			break;
		}
	}
	kill(pid, SIGINT);
	while (f && fgets(line, sizeof(line), f))
		;
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (wait_ok(pid, "ebph run") && !err)
		err = -ECHILD;
	return err;
}

/* Start-up without (0) and with (1) the sequences in the files. */
struct startup {
	struct row3 attached[2], seen[2];
	int loaded;
	size_t rows, seqs;
};

/*
 * `ebph run` on the same profiles twice over: as a machine that ran only
 * the pairs saves them (the figure of the target: what start-up was
 * before the sequence detector), and with the sequences the warm-up
 * taught them, which `ebph run` loads whatever its detector.  The two
 * alternate, run after run.
 */
static int startup(struct bench *b, struct ebph_snapshot *s, struct startup *su)
{
	char dirs[2][32] = {
		"/tmp/ebph-bench-profiles.XXXXXX", "/tmp/ebph-bench-profiles.XXXXXX",
	};
	double att[2][MAX_REPS], seen[2][MAX_REPS];
	int i, k, err = 0, reps = b->reps;

	fprintf(stderr, "%s: start-up, %d times each without and with sequences\n",
		prog, reps);
	if (!s->n) {
		fprintf(stderr, "%s: no profiles to copy for the start-up test\n", prog);
		return -ENOENT;
	}
	for (k = 0; k < 2; k++) {
		if (!mkdtemp(dirs[k])) {	/* 0700, root's: what ebph wants */
			err = -errno;
			fprintf(stderr, "%s: mkdtemp: %s\n", prog, strerror(errno));
			dirs[k][0] = 0;
			break;
		}
		fprintf(stderr, "%s: writing %d profiles in %s (%s)\n", prog,
			STARTUP_PROFILES, dirs[k], k ? "with sequences" : "pairs only");
		if ((err = write_profiles(dirs[k], s, k)))
			break;
	}
	su->rows = su->seqs = 0;
	for (i = 0; i < STARTUP_PROFILES; i++) {
		su->rows += rec_rows(&s->recs[i % s->n]);
		su->seqs += s->recs[i % s->n].nseqs;
	}
	for (i = 0; i < reps && !err; i++) {
		for (k = 0; k < 2 && !err; k++) {
			/* The kernel frees the last run's maps after it exits
			 * (135,000 elements with sequences), on the CPUs the
			 * next start needs: back to back, "attached in" took
			 * 150 ms instead of 90.  That is the last run's cost,
			 * not this start's. */
			if (i + k)
				sleep(STARTUP_SETTLE_S);
			if ((err = wait_no_ebph()))
				break;
			err = startup_once(b, dirs[k], &att[k][i], &seen[k][i],
					   &su->loaded);
			if (err)
				fprintf(stderr, "%s: ebph run did not start on %s\n",
					prog, dirs[k]);
		}
	}
	for (k = 0; k < 2; k++)
		if (dirs[k][0])
			remove_dir(dirs[k]);
	if (err)
		return err;
	for (k = 0; k < 2; k++) {
		stats3(att[k], reps, &su->attached[k].min, &su->attached[k].med,
		       &su->attached[k].max);
		stats3(seen[k], reps, &su->seen[k].min, &su->seen[k].med,
		       &su->seen[k].max);
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

/*
 * --forks ROUNDS: ROUNDS slices of fork+exec as the workload runs them,
 * under whatever runs on the machine (nothing is loaded), and the median
 * in us.  For what the bench cannot run itself: the fork+exec of a real
 * `ebph run` (its event loop at work), against none, in turn:
 *	ebph_bench --forks 25; ebph run --no-load --no-save & ...; ebph_bench --forks 25
 */
static int forks(int rounds)
{
	static double v[MAX_SAMPLES * 4];
	struct bench b = { 0 };
	double min, med, max;
	int r, n = 0, got;

	if (rounds < 1 || rounds * FORK_PER_SLICE > (int)(sizeof(v) / sizeof(v[0]))) {
		fprintf(stderr, "%s: --forks: 1 to %zu rounds\n", prog,
			sizeof(v) / sizeof(v[0]) / FORK_PER_SLICE);
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		got = s_fork_exec(&b, &v[n]);
		if (got < 0) {
			fprintf(stderr, "%s: --forks: fork+exec failed\n", prog);
			return 1;
		}
		n += got;
	}
	stats3(v, n, &min, &med, &max);
	printf("fork+exec: %d samples, us: min %.1f median %.1f max %.1f\n",
	       n, min, med, max);
	return 0;
}

/* Target WHAT: VALUE (in UNIT) at most LIMIT.  A miss says by how much,
 * and WHY (a printf format of the rest, with the run's figures). */
static void verdict(const char *what, double value, const char *unit,
		    double limit, const char *why, ...)
{
	int prec = strcmp(unit, "x") ? 1 : 2;	/* ratios: 2 decimals */
	va_list ap;

	if (value <= limit) {
		printf("  %-44s %9.*f%-3s met\n", what, prec, value, unit);
		return;
	}
	printf("  %-44s %9.*f%-3s MISSED by %.*f%s\n", what, prec, value, unit,
	       prec, value - limit, unit);
	printf("      why: ");
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	printf("\n");
}

/* A target whose workload -w left out. */
static void not_run(const char *what)
{
	printf("  %-44s %12s not run\n", what, "");
}

/* verdict() for a target of workload WI, which -w may have left out. */
#define wverdict(b, wi, what, value, unit, limit, ...)			\
	do {								\
		if ((b)->only & 1U << (wi))				\
			verdict(what, value, unit, limit, __VA_ARGS__);	\
		else							\
			not_run(what);					\
	} while (0)

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph_bench [OPTIONS]\n"
"Measure what ebph costs per system call, per fork+exec and per build,\n"
"next to no BPF, an empty program and a one-lookup counter, and per call\n"
"with each detector (pairs, seqs, both; seqs7 normal); then its memory\n"
"per profile and its start-up time with %d saved profiles.\n"
"Needs root, and no ebph running (the figures would include it).\n"
"\n"
"  -r, --reps N   repetitions of every measurement (default 5, 1..%d)\n"
"  -q, --quick    small iteration counts: checks that it works, in\n"
"                 seconds; the figures are rough\n"
"  -w, --workloads LIST\n"
"                 only these workloads, comma-separated: getppid, pipe,\n"
"                 fork+exec, build, 2cpu-shared, 2cpu-apart (default:\n"
"                 all); the targets of the others are not judged; the\n"
"                 memory and start-up phases always run: \"-w startup\"\n"
"                 runs them alone\n"
"  -h, --help     this help\n"
"\n"
"Example:\n"
"  sudo make bench             build, then run with 5 repetitions\n"
"  sudo ./ebph_bench -r 9      more repetitions, steadier medians\n"
"  sudo make bench ARGS=\"-r 1 -w getppid,pipe\"\n"
"                              the detectors side by side, in a minute\n",
		STARTUP_PROFILES, MAX_REPS);
}

/* -w LIST to a mask of workload indices; 0 for a name not known. */
static unsigned int parse_workloads(const char *list)
{
	unsigned int mask = 0;
	int i;

	while (*list) {
		size_t len = strcspn(list, ",");

		if (len == 7 && !strncmp(list, "startup", 7)) {
			mask |= W_STARTUP;
			list += len + (list[len] == ',');
			continue;
		}
		for (i = 0; i < NWORK; i++)
			if (strlen(workloads[i].name) == len &&
			    !strncmp(workloads[i].name, list, len))
				break;
		if (i == NWORK)
			return 0;
		mask |= 1U << i;
		list += len + (list[len] == ',');
	}
	return mask;
}

/* -r, -q, -w into B.  Returns -1 to go on, or the exit status: 0 after
 * -h, 2 for a bad option. */
static int parse_options(struct bench *b, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "workloads", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "r:qw:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			errno = 0;
			b->reps = strtol(optarg, &end, 10);
			if (errno || *end || b->reps < 1 || b->reps > MAX_REPS) {
				fprintf(stderr, "%s: invalid --reps '%s' (1 to %d)\n",
					prog, optarg, MAX_REPS);
				return 2;
			}
			break;
		case 'q':
			b->quick = 1;
			break;
		case 'w':
			b->only = parse_workloads(optarg);
			if (!b->only) {
				fprintf(stderr, "%s: invalid --workloads '%s' (getppid, pipe, fork+exec, build, 2cpu-shared, 2cpu-apart, startup)\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s -h' for help.\n", prog);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s -h' for help.\n",
			prog, argv[optind], prog);
		return 2;
	}
	return -1;
}

/*
 * Root, and no ebph running, whose hook every figure would include.
 * The lock is only tested: the start-up phase's `ebph run` takes it.
 * Pins left with the lock free are a crashed ebph's: ebph_running()
 * tells them apart from a new one's.
 */
static int check_no_ebph(void)
{
	struct stat st;
	int i, lock_fd;

	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root: it loads and attaches BPF programs\n", prog);
		return -1;
	}
	/* No lock file: no ebph runs (a running one made it). */
	lock_fd = open(LOCK_FILE, O_RDONLY | O_CLOEXEC);
	if (lock_fd < 0 && errno == ENOENT)
		goto free;
	for (i = 0; lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB); i++) {
		/* A test's ebph stops by itself; a user's does not. */
		if (i == 60) {
			fprintf(stderr, "%s: an ebph is running (it holds %s): stop it first, or it is in every figure\n",
				prog, LOCK_FILE);
			return -1;
		}
		if (!i)
			fprintf(stderr, "%s: an ebph is running: waiting up to a minute for it to stop\n",
				prog);
		sleep(1);
	}
	if (lock_fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, LOCK_FILE, strerror(errno));
		return -1;
	}
	close(lock_fd);
free:
	if (!stat(EBPH_PIN_DIR, &st))
		stale_pins = st.st_ino;
	return 0;
}

/* Where the bench and its objects are, and the CPUs: the loops are
 * pinned to the last one this process may run on. */
static int find_machine(struct bench *b)
{
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", b->dir, sizeof(b->dir) - 1);
	if (n <= 0 || !(slash = strrchr(b->dir, '/'))) {
		fprintf(stderr, "%s: cannot find my own directory\n", prog);
		return -1;
	}
	*slash = 0;
	sched_getaffinity(0, sizeof(b->all_cpus), &b->all_cpus);
	b->ncpus = bpf_num_possible_cpus();
	b->online = sysconf(_SC_NPROCESSORS_ONLN);
	if (b->ncpus < 1 || b->online < 1) {
		fprintf(stderr, "%s: cannot count the CPUs\n", prog);
		return -1;
	}
	for (b->cpu = CPU_SETSIZE - 1; b->cpu > 0 && !CPU_ISSET(b->cpu, &b->all_cpus); b->cpu--)
		;
	for (b->cpu2 = 0; b->cpu2 < b->cpu && !CPU_ISSET(b->cpu2, &b->all_cpus); b->cpu2++)
		;
	if (b->cpu2 == b->cpu)
		b->cpu2 = -1;
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* What the phases found, for the report. */
struct results {
	/* Per workload and configuration, filled by print_workload() for
	 * the targets: overhead in %, and ebph's added cost over count's. */
	double over[NWORK][NCFG], per_count[NWORK][NCFG], added[NWORK][NCFG];
	struct ebph_snapshot snap;	/* the profiles after the run */
	struct memory mem;
	struct startup su;
};

/* The slab that BYTES of rows take: a row is a hash element of 584
 * bytes (header, key, value, the allocator's link), which the kernel
 * serves from its 1 KiB size class: measured, 1,028 bytes per row. */
static double mem_slab(size_t bytes)
{
	return (double)bytes / EBPH_NUM_SYSCALLS * 1028;
}

static void print_memory(const struct memory *mem)
{
	printf("\nmemory: lookahead-pair rows of %zu profiles after the run\n"
	       "(train and test sets, %d bytes per row; all normal, so both)\n",
	       mem->profiles, EBPH_NUM_SYSCALLS);
	printf("  median %.1f KB, mean %.1f KB, max %.1f KB per profile; %zu rows\n",
	       mem->median / 1024.0, mem->profiles ? mem->total / 1024.0 / mem->profiles : 0,
	       mem->max / 1024.0, mem->rows);
	printf("  in the kernel about twice that: a row's element comes from the\n"
	       "  1 KiB slab class (median profile: %.1f KB of slab)\n",
	       mem_slab(mem->median) / 1024.0);
	printf("  sequences (learned with seqs or both; one element of %zu bytes of\n"
	       "  key and value each): median %zu, max %zu per profile; %zu in all\n",
	       sizeof(struct ebph_seq_key) + sizeof(struct ebph_seq),
	       mem->seqs_median, mem->seqs_max, mem->seqs);
	/* The buckets of a hash map are allocated when it is created, for
	 * its max_entries: the seqs map's are there whatever the
	 * detector. */
	printf("  the maps, as the kernel charges them (memlock): %.1f MB in all,\n"
	       "  rows %.1f MB, seqs %.1f MB (most of it buckets, from load on)\n",
	       mem->memlock_all / 1e6, mem->memlock_rows / 1e6, mem->memlock_seqs / 1e6);
}

static void print_startup(const struct bench *b, const struct startup *su)
{
	printf("\nstart-up: ebph run --profile-dir DIR --no-save, %d saved profiles\n"
	       "(%zu rows; %zu sequences more in the second case), %d runs;\n"
	       "%d profiles loaded\n", STARTUP_PROFILES, su->rows, su->seqs, b->reps,
	       su->loaded);
	printf("  %-30s %9s %9s %9s\n", "", "min", "median", "max");
	printf("  %-30s %9.1f %9.1f %9.1f\n", "\"attached in\", ms",
	       su->attached[0].min, su->attached[0].med, su->attached[0].max);
	printf("  %-30s %9.1f %9.1f %9.1f\n", "launch to that line, ms",
	       su->seen[0].min, su->seen[0].med, su->seen[0].max);
	printf("  %-30s %9.1f %9.1f %9.1f\n", "with sequences: attached, ms",
	       su->attached[1].min, su->attached[1].med, su->attached[1].max);
	printf("  %-30s %9.1f %9.1f %9.1f\n", "  launch to that line, ms",
	       su->seen[1].min, su->seen[1].med, su->seen[1].max);
}

/* Judged on ebph as `ebph run` runs it by default: the pairs.  The
 * workloads by index in workloads[]: 0 getppid, 2 fork+exec, 3 build,
 * 4 2cpu-shared, 5 2cpu-apart.  A miss says why, with this run's
 * breakdown: the floor (any program on sys_enter) and count (the floor
 * and one lookup) beside the configuration. */
static void print_targets(const struct bench *b, const struct results *res)
{
	const double (*over)[NCFG] = res->over, (*per_count)[NCFG] = res->per_count;
	const double (*added)[NCFG] = res->added;
	const double *g = added[0], *fe = added[2];
	const double floor_ns = g[CFG_FLOOR], count_ns = g[CFG_COUNT] - g[CFG_FLOOR];
	/* What the lookups cost, measured once with variants of sys_enter
	 * that add one of a kind (docs/performance.md, What the cost is
	 * made of): not in this run. */
	const char *hot = "over the floor (%.1f ns: any program on sys_enter), count adds "
			  "%.1f ns (one lookup), %s %.1f: %s (docs/performance.md, "
			  "What the cost is made of)";
	const char *train_why = "hash lookups of the task (~9 ns), the profile (~7) and "
				"the train row (~11), and the algorithm (~10)";
	const char *normal_why = "training's lookups and the test row's (~15 ns), and "
				 "the test (~5)";
	const char *seq_why = "hash lookups of the task and the profile, and one of the "
			      "sequence (~11 ns), and the algorithm";
	const char *both_why = "the pairs' four hash lookups and the sequence's: five";

	printf("\ntargets\n");
	wverdict(b, 0, "getppid overhead, pairs train (<= +60%)",
		 over[0][CFG_PAIRS_TRAIN], "%", 60, "see added/count's below");
	wverdict(b, 0, "getppid overhead, pairs normal (<= +75%)",
		 over[0][CFG_PAIRS_NORMAL], "%", 75, "see added/count's below");
	/* Issue 13's: the cost added per call, against the one-lookup
	 * counter's, in this run. */
	wverdict(b, 0, "getppid added/count's, pairs train (<= 1.3x)",
		 per_count[0][CFG_PAIRS_TRAIN], "x", 1.3, hot, floor_ns, count_ns,
		 "pairs train", g[CFG_PAIRS_TRAIN] - floor_ns, train_why);
	wverdict(b, 0, "getppid added/count's, pairs normal (<= 1.5x)",
		 per_count[0][CFG_PAIRS_NORMAL], "x", 1.5, hot, floor_ns, count_ns,
		 "pairs normal", g[CFG_PAIRS_NORMAL] - floor_ns, normal_why);
	wverdict(b, 0, "getppid added/count's, seqs train (<= 1.3x)",
		 per_count[0][CFG_SEQS_TRAIN], "x", 1.3, hot, floor_ns, count_ns,
		 "seqs train", g[CFG_SEQS_TRAIN] - floor_ns, seq_why);
	wverdict(b, 0, "getppid added/count's, seqs normal (<= 1.5x)",
		 per_count[0][CFG_SEQS_NORMAL], "x", 1.5, hot, floor_ns, count_ns,
		 "seqs normal", g[CFG_SEQS_NORMAL] - floor_ns, seq_why);
	wverdict(b, 0, "getppid added/count's, both normal (<= 1.8x)",
		 per_count[0][CFG_BOTH_NORMAL], "x", 1.8, hot, floor_ns, count_ns,
		 "both normal", g[CFG_BOTH_NORMAL] - floor_ns, both_why);
	wverdict(b, 2, "fork+exec overhead, pairs train (<= +2%)",
		 over[2][CFG_PAIRS_TRAIN], "%", 2,
		 "pairs adds %.1f us a fork+exec, count %.1f; without the exec program "
		 "%.1f, without events %.1f: each difference is that part's share",
		 fe[CFG_PAIRS_TRAIN], fe[CFG_COUNT], fe[CFG_NO_EXEC], fe[CFG_NO_EVENTS]);
	wverdict(b, 2, "fork+exec overhead, pairs normal (<= +2%)",
		 over[2][CFG_PAIRS_NORMAL], "%", 2,
		 "pairs normal adds %.1f us a fork+exec, count %.1f (see training's line)",
		 fe[CFG_PAIRS_NORMAL], fe[CFG_COUNT]);
	wverdict(b, 3, "build-like overhead, pairs train (<= +2%)",
		 over[3][CFG_PAIRS_TRAIN], "%", 2, "the per-call cost above, over a build's calls");
	wverdict(b, 3, "build-like overhead, pairs normal (<= +2%)",
		 over[3][CFG_PAIRS_NORMAL], "%", 2, "the per-call cost above, over a build's calls");
	/* One profile's threads on both CPUs against two profiles: what is
	 * left of the profile's shared line (EBPH_FLUSH_CALLS). */
	if ((b->only & 1U << 4) && (b->only & 1U << 5) && added[5][CFG_PAIRS_TRAIN] > 0)
		verdict("2 CPUs, one profile/two, pairs train (<= 1.1x)",
			added[4][CFG_PAIRS_TRAIN] / added[5][CFG_PAIRS_TRAIN], "x", 1.1,
			"one profile adds %.1f ns a call on 2 CPUs, two profiles %.1f: "
			"the profile's shared line (docs/performance.md, Many cores)",
			added[4][CFG_PAIRS_TRAIN], added[5][CFG_PAIRS_TRAIN]);
	else
		not_run("2 CPUs, one profile/two, pairs train (<= 1.1x)");
	/* The slab a median profile's rows take: print_memory()'s 1,028
	 * bytes per row. */
	verdict("median slab per profile (<= 24 KB)",
		mem_slab(res->mem.median) / 1024.0, "KB", 24,
		"a row (%d bytes) is a hash element of 584 bytes with its header, key "
		"and link, which the kernel serves from its 1 KiB slab class",
		EBPH_NUM_SYSCALLS);
	verdict("start to attached, 1,000 profiles, median (<= 100 ms)",
		res->su.attached[0].med, "ms", 100,
		"the verifier of ebph_sys_enter (about 60 ms) is the critical path, "
		"beside restoring the rows on the other CPU");
	verdict("start to attached, 1,000 profiles, max (<= 100 ms)",
		res->su.attached[0].max, "ms", 100,
		"the verifier (about 60 ms) and the restore share 2 CPUs with whatever "
		"else runs; the slowest of %d starts", b->reps);
}

/* The report, on stdout, after every phase has run: the figures of one
 * phase are never printed half-way through another's. */
static void print_report(struct bench *b, struct results *res, double t_start)
{
	int i;

	printf("ebph_bench: %d CPUs, loops pinned to CPU %d, %d runs per figure, the\n"
	       "configurations interleaved slice by slice; \"normal\": %d executables\n"
	       "of the workloads normal%s\n", b->online, b->cpu, b->reps, b->nkeys,
	       b->quick ? "; QUICK: rough figures" : "");
	for (i = 0; i < NWORK; i++)
		if (b->only & 1U << i)
			print_workload(b, &workloads[i], res->over[i], res->per_count[i],
				       res->added[i]);
	print_memory(&res->mem);
	print_startup(b, &res->su);
	print_targets(b, res);
	printf("\n(%llu events read, %llu lost; bench took %.0f s)\n",
	       (unsigned long long)b->events, (unsigned long long)b->lost,
	       (now_ns() - t_start) / 1e9);
}

/* Whatever setup() and the phases left, however far they got. */
static void teardown(struct bench *b, struct results *res)
{
	ebph_snapshot_free(&res->snap);
	if (b->reader_on) {
		b->reader_stop = 1;
		pthread_join(b->reader, NULL);
		perf_reader_close(&b->pb);
	}
	release_tracepoints(b);
	if (b->build_dir[0])
		build_cleanup(b);
	ld_close(&b->ebph);
	ld_close(&b->count);
	ld_close(&b->floor);
}

int main(int argc, char **argv)
{
	static struct bench b = { .reps = 5, .only = (1U << NWORK) - 1 };
	static struct results res;
	double t_start = now_ns();
	int ret;

	/* A copy of this program in the 2-CPU loops (s_2cpu()). */
	if (argc == 4 && !strcmp(argv[1], "--spin"))
		return spin(atol(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "--forks"))
		return forks(atoi(argv[2]));
	/* check */
	if ((ret = parse_options(&b, argc, argv)) >= 0)
		return ret;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (check_no_ebph() || bpf_ensure_mounts(0) || find_machine(&b))
		return 1;
	if (b.cpu2 < 0 && (b.only & (3U << 4))) {
		fprintf(stderr, "%s: one CPU: the 2-CPU loops are not run\n", prog);
		b.only &= ~(3U << 4);
	}
	catch_signals();

	/* load, warm up, measure: the loops, fork+exec and the build */
	ret = 1;
	if (setup(&b) || warm_up(&b) || run_all(&b))
		goto out;

	/* memory, start-up (whose `ebph run` registers the probes itself) */
	release_tracepoints(&b);
	if (memory(&b, &res.snap, &res.mem) || startup(&b, &res.snap, &res.su))
		goto out;

	print_report(&b, &res, t_start);
	ret = 0;
out:
	teardown(&b, &res);
	return ret;
}
