// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_bench.c - what ebph costs, measured side by side (`make bench`).
 *
 * Not a test: it prints figures.  Each workload is run under five
 * configurations, interleaved slice by slice (a round runs one slice of
 * each, in a shuffled order), so that the drift of a shared 2-CPU
 * virtual machine falls on all of them alike:
 *
 *   baseline     no BPF program attached
 *   floor        an empty program on raw_tracepoint/sys_enter
 *                (bench_floor_kern.o): the price of any program there
 *   count        one hash lookup and add per call, by tid
 *                (bench_count_kern.o): a typical cheap eBPF tool
 *   ebph train   ebph_kern.o, all four programs, the workload's profile
 *                training (in practice frozen: stable, not yet normal)
 *   ebph normal  the same, the profile normal: trained and tested
 *
 * Every object goes through bpf_load.c, as `ebph run` loads it; ebph's
 * events are read by a thread, as `ebph run` reads them.  The profile
 * states are set from user space, as a "normalize" would: a warm-up run
 * under ebph teaches every profile the workloads use; each repetition
 * starts by copying every profile's train rows to its test rows; "normal"
 * sets NORMAL on the profiles of the workloads' executables, and "train"
 * clears it.  The rest of the machine trains.
 *
 * Then: bytes of lookahead pairs per profile after the run, and the time
 * `ebph run` takes from launch to attached with 1,000 saved profiles.
 *
 * The life cycle: check, load, warm up, measure, memory, start-up, print.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf_load.h"
#include "ebph.h"
#include "ebph_maps.h"
#include "profile_store.h"

#define MAX_REPS	50
#define LOCK_FILE	"/run/ebph.lock"
#define STARTUP_PROFILES 1000
/* Profile keys of the synthetic start-up profiles: no device has this
 * number, so they cannot be a real executable's. */
#define SYNTH_KEY(n)	(0xebbe0000ULL << 32 | (n))

static const char *prog = "ebph_bench";

enum config { CFG_BASE, CFG_FLOOR, CFG_COUNT, CFG_TRAIN, CFG_NORMAL, NCFG };

static const char *cfg_name[NCFG] = {
	"baseline", "floor", "count", "ebph train", "ebph normal",
};

struct bench {
	char dir[PATH_MAX];		/* where ebph_bench, ebph and the objects are */
	int reps;
	int quick;			/* small iteration counts: a smoke run */
	int cpu;			/* where the per-call loops are pinned */
	cpu_set_t all_cpus;
	int ncpus;			/* possible CPUs: per-CPU map values */
	int online;			/* CPUs to run on: make -j */
	struct bpf_object floor, count, ebph;
	struct ebph_maps m;
	struct perf_buffer pb;
	pthread_t reader;
	int reader_on;
	volatile int reader_stop;
	__u64 events;			/* read by the reader thread */
	__u64 lost;
	int pipe_fd[2];
	char build_dir[64];		/* objects of the build-like job */
	__u64 keys[8];			/* profiles of the workloads' executables */
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
	"syscall_names.h", "ebph_maps.h",
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

static int build_setup(struct bench *b)
{
	static const char makefile[] =
		"CFLAGS = -O2 -I.\n"
		"OBJS = main.o bpf_load.o profile_store.o syscall_names.o ebph_maps.o\n"
		"tool: $(OBJS)\n"
		"\t$(CC) -o $@ $(OBJS) -lelf\n"
		"%.o: %.c\n"
		"\t$(CC) $(CFLAGS) -c -o $@ $<\n";
	static const char main_c[] = "int main(void) { return 0; }\n";
	char path[PATH_MAX + 32], buf[1 << 16];
	size_t i;
	int err;

	snprintf(path, sizeof(path), "%s/Makefile", b->build_dir);
	if ((err = write_file(path, makefile, sizeof(makefile) - 1)))
		return err;
	snprintf(path, sizeof(path), "%s/main.c", b->build_dir);
	if ((err = write_file(path, main_c, sizeof(main_c) - 1)))
		return err;
	for (i = 0; i < sizeof(build_srcs) / sizeof(build_srcs[0]); i++) {
		char *data = NULL;
		size_t len = 0;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", b->dir, build_srcs[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
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
		snprintf(path, sizeof(path), "%s/%s", b->build_dir, build_srcs[i]);
		err = n < 0 ? -EIO : write_file(path, data, len);
		free(data);
		if (err)
			return err;
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
	double v[NCFG][MAX_REPS];	/* the figures */
	double pool[NCFG][MAX_SAMPLES];	/* this repetition's samples */
	int npool[NCFG];
	/* Each slice's figure (its sample, or the median of its samples),
	 * by round: a round is one slice of every configuration, back to
	 * back, so the differences within a round are free of the drift
	 * between rounds. */
	double round[NCFG][MAX_ROUNDS];
	int nround;
	__u64 anomalies;		/* under ebph normal, in all */
	int noisy;			/* slices kept though others ran */
};

static struct workload workloads[] = {
	{ .name = "getppid", .unit = "ns per call, fastest of 20 slices",
	  .slice = s_getppid, .slices = 20 },
	{ .name = "pipe", .unit = "ns per 1-byte write+read, fastest of 20 slices",
	  .slice = s_pipe, .slices = 20 },
	{ .name = "fork+exec", .unit = "us per fork, exec /bin/true, wait; median of 400",
	  .slice = s_fork_exec, .slices = 10, .median = 1, .paired = 1 },
	{ .name = "build", .unit = "ms of make -j (5 x cc -O2, a link), fastest of 8",
	  .slice = s_build, .slices = 8, .paired = 1 },
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
	__u64 key, next, *pk = NULL;
	struct ebph_profile p;
	int err;

	while (!(err = bpf_map_next_key(b->m.profiles, pk, &next))) {
		__u32 status;

		key = next;
		pk = &key;
		if (bpf_map_lookup(b->m.profiles, &key, &p))
			continue;
		status = normal && workload_key(b, key) ?
			 p.status | EBPH_NORMAL : p.status & ~EBPH_NORMAL;
		if (status == p.status && !p.anomalies)
			continue;
		p.status = status;
		p.anomalies = 0;
		bpf_map_update(b->m.profiles, &key, &p, BPF_EXIST);
	}
	return err == -ENOENT ? 0 : err;
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
		*key = ((__u64)st.st_dev << 32) + st.st_ino;
		return 0;
	}
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, name);
		if (!stat(file, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*key = ((__u64)st.st_dev << 32) + st.st_ino;
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

/* Test set := train set, for every profile (what start_normal does in
 * the kernel).  The keys are gathered first: inserting while walking a
 * hash map can make the walk start over. */
static int rows_train_to_test(struct bench *b)
{
	struct ebph_row_key k, next, *pk = NULL, *keys = NULL;
	__u8 row[EBPH_NUM_SYSCALLS];
	size_t n = 0, cap = 0, i;
	int err;

	while (!(err = bpf_map_next_key(b->m.rows, pk, &next))) {
		k = next;
		pk = &k;
		if (k.set != EBPH_TRAIN)
			continue;
		if (n == cap) {
			void *nk = realloc(keys, (cap = cap ? 2 * cap : 1024) * sizeof(*keys));

			if (!nk) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
		}
		keys[n++] = k;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup(b->m.rows, &keys[i], row))
			continue;
		keys[i].set = EBPH_TEST;
		bpf_map_update(b->m.rows, &keys[i], row, BPF_ANY);
	}
	free(keys);
	return err == -ENOENT ? 0 : err;
}

/* Forget every task: tasks that exited while ebph was detached left
 * their entries, and a reused tid would run the wrong profile.  Each
 * task is picked up again, from its executable, at its next call. */
static void tasks_clear(struct bench *b)
{
	__u32 tid;

	while (!bpf_map_next_key(b->m.tasks, NULL, &tid))
		bpf_map_delete(b->m.tasks, &tid);
}

static int config_enter(struct bench *b, enum config c)
{
	int err;

	switch (c) {
	case CFG_BASE:
		return 0;
	case CFG_FLOOR:
		return bpf_object_attach(&b->floor);
	case CFG_COUNT:
		return bpf_object_attach(&b->count);
	case CFG_TRAIN:
	case CFG_NORMAL:
		if ((err = profiles_set_normal(b, c == CFG_NORMAL)))
			return err;
		tasks_clear(b);
		return bpf_object_attach(&b->ebph);
	default:
		return -EINVAL;
	}
}

static void config_leave(struct bench *b, enum config c)
{
	if (c == CFG_FLOOR)
		bpf_object_detach(&b->floor);
	else if (c == CFG_COUNT)
		bpf_object_detach(&b->count);
	else if (c != CFG_BASE)
		bpf_object_detach(&b->ebph);
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
		perf_buffer_poll(&b->pb, 200);
	return NULL;
}

/* ---- setup ------------------------------------------------------------------ */

static int open_object(struct bench *b, struct bpf_object *obj, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	if (bpf_object_open(obj, path, 0))
		return -1;
	return bpf_object_load(obj);
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
	if (ebph_config_offsets(&cfg, 0))
		return -1;
	err = bpf_map_update(b->m.config, &zero, &cfg, BPF_ANY);
	if (err) {
		fprintf(stderr, "%s: cannot write the config map: %s\n", prog, strerror(-err));
		return err;
	}
	err = perf_buffer_open(&b->pb, bpf_object_map_fd(&b->ebph, "events"), 64,
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
	__u64 anomalies;
	int err, tries, n = 0;

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
		busy = busy_s();
		own = own_s();
		wall = now_ns();
		n = w->slice(b, out);
		wall = (now_ns() - wall) / 1e9;
		busy = busy_s() - busy;
		own = own_s() - own;
		if (c == CFG_NORMAL)
			w->anomalies += stat_sum(b, EBPH_STAT_ANOMALIES) - anomalies;
		config_leave(b, c);
		/* Let what a detach frees after it returns (RCU callbacks)
		 * be done before the next figure starts. */
		usleep(SETTLE_US);
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
	if (w->npool[c] + n > MAX_SAMPLES)
		n = MAX_SAMPLES - w->npool[c];
	memcpy(&w->pool[c][w->npool[c]], out, n * sizeof(double));
	w->npool[c] += n;
	return 0;
}

/*
 * Every profile the workloads use is created and trained here: twice,
 * so that what the second run sees is what every later run sees.  Then
 * a shell session, for the memory figure.
 */
static int warm_up(struct bench *b)
{
	int i, k, err;

	for (k = 0; k < 2; k++)
		for (i = 0; i < NWORK; i++)
			if (measure(b, &workloads[i], CFG_TRAIN, 0))
				return -1;
	if ((err = config_enter(b, CFG_TRAIN)))
		return err;
	err = shell_session(b);
	config_leave(b, CFG_TRAIN);
	return err;
}

/*
 * The configurations of a round in a random order (a fixed seed: the
 * same orders at every run).  Not a rotation: in a rotation each
 * configuration always follows the same one, and what the one before
 * leaves behind (detaching ebph's tracepoints frees things for a while
 * after) would always fall on the same configuration.
 */
static void shuffle(int order[NCFG], unsigned int *seed)
{
	int i, j, t;

	for (i = 0; i < NCFG; i++)
		order[i] = i;
	for (i = NCFG - 1; i > 0; i--) {
		*seed = *seed * 1103515245 + 12345;
		j = (*seed >> 16) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static int run_all(struct bench *b)
{
	unsigned int seed = 1;
	int rep, i, k, s, c, err;

	for (rep = 0; rep < b->reps; rep++) {
		fprintf(stderr, "%s: repetition %d of %d\n", prog, rep + 1, b->reps);
		/* The test sets: what the profiles learned until now. */
		if ((err = rows_train_to_test(b)))
			return err;
		for (i = 0; i < NWORK; i++) {
			struct workload *w = &workloads[i];

			double t0 = now_ns();

			memset(w->npool, 0, sizeof(w->npool));
			for (s = 0; s < w->slices; s++) {
				int order[NCFG];

				shuffle(order, &seed);
				for (k = 0; k < NCFG; k++)
					if (measure(b, w, order[k], 1))
						return -1;
				w->nround++;
			}
			for (c = 0; c < NCFG; c++) {
				double min, med, max;

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
 * One block per workload: min, median and max of each configuration's
 * figures (one per repetition).  "added" is the configuration's median
 * minus the baseline's for the loops, whose figures are steady, and
 * paired_added() for fork+exec and the build, whose figures follow the
 * machine's drift; "overhead" is that over the baseline's median, and
 * "/count" ebph's added cost over count's.
 */
static void print_workload(struct bench *b, const struct workload *w,
			   double over[NCFG], double per_count[NCFG])
{
	double added[NCFG];
	struct row3 r[NCFG];
	int c;

	for (c = 0; c < NCFG; c++)
		r[c] = summarize(w, c, b->reps);
	for (c = 0; c < NCFG; c++)
		added[c] = c == CFG_BASE ? 0 : w->paired ? paired_added(w, c)
						  : r[c].med - r[CFG_BASE].med;
	printf("\n%s: %s, %d runs\n", w->name, w->unit, b->reps);
	printf("  %-12s %9s %9s %9s %9s %9s %7s\n", "config", "min", "median",
	       "max", "added", "overhead", "/count");
	for (c = 0; c < NCFG; c++) {
		over[c] = 100 * added[c] / r[CFG_BASE].med;
		per_count[c] = added[CFG_COUNT] > 0 ? added[c] / added[CFG_COUNT] : 0;
		printf("  %-12s %9.1f %9.1f %9.1f", cfg_name[c], r[c].min,
		       r[c].med, r[c].max);
		if (c == CFG_BASE)
			printf(" %9s %9s %7s\n", "-", "-", "-");
		else if (c < CFG_TRAIN || added[CFG_COUNT] <= 0)
			printf(" %9.1f %+8.1f%% %7s\n", added[c], over[c], "-");
		else
			printf(" %9.1f %+8.1f%% %6.2fx\n", added[c], over[c], per_count[c]);
	}
	if (w->noisy)
		printf("  (%d of these slices were taken while other processes were busy)\n",
		       w->noisy);
	if (w->anomalies)
		printf("  (ebph normal: %llu anomalies in the machine during these runs)\n",
		       (unsigned long long)w->anomalies);
}

/* ---- memory ------------------------------------------------------------------- */

struct memory {
	size_t profiles, rows;
	size_t median, total, max;	/* bytes of rows per profile */
};

/* Bytes of lookahead pairs per profile, as `ebph run` reports at exit
 * (ebph_snapshot_bytes()). */
static int memory(struct bench *b, struct ebph_snapshot *s, struct memory *mem)
{
	size_t i;
	int err;

	err = ebph_snapshot_read(&b->m, s);
	if (err) {
		fprintf(stderr, "%s: cannot read the profiles: %s\n", prog, strerror(-err));
		return err;
	}
	memset(mem, 0, sizeof(*mem));
	ebph_snapshot_bytes(s, &mem->median, &mem->total);
	for (i = 0; i < s->n; i++) {
		size_t bytes = profile_rec_bytes(&s->recs[i]);

		if (bytes > mem->max)
			mem->max = bytes;
	}
	mem->profiles = s->n;
	mem->rows = mem->total / EBPH_NUM_SYSCALLS;
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
 * rows and status, cycled), under keys of their own.
 */
static int write_profiles(const char *dir, struct ebph_snapshot *s)
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

		r->prof.key = SYNTH_KEY(i);
		err = profile_save(dir, r, boot_to_real);
		r->prof.key = key;
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

struct startup {
	struct row3 attached, seen;
	int loaded;
	size_t rows;
};

static int startup(struct bench *b, struct ebph_snapshot *s, struct startup *su)
{
	char dir[] = "/tmp/ebph-bench-profiles.XXXXXX";
	double att[MAX_REPS], seen[MAX_REPS];
	int i, err, reps = b->reps;

	if (!s->n) {
		fprintf(stderr, "%s: no profiles to copy for the start-up test\n", prog);
		return -ENOENT;
	}
	if (!mkdtemp(dir)) {		/* 0700, root's: what ebph wants */
		fprintf(stderr, "%s: mkdtemp: %s\n", prog, strerror(errno));
		return -errno;
	}
	fprintf(stderr, "%s: writing %d profiles in %s\n", prog, STARTUP_PROFILES, dir);
	err = write_profiles(dir, s);
	su->rows = 0;
	for (i = 0; i < STARTUP_PROFILES; i++)
		su->rows += profile_rec_bytes(&s->recs[i % s->n]) / EBPH_NUM_SYSCALLS;
	for (i = 0; i < reps && !err; i++) {
		if ((err = wait_no_ebph()))
			break;
		err = startup_once(b, dir, &att[i], &seen[i], &su->loaded);
		if (err)
			fprintf(stderr, "%s: ebph run did not start on %s\n", prog, dir);
	}
	remove_dir(dir);
	if (err)
		return err;
	stats3(att, reps, &su->attached.min, &su->attached.med, &su->attached.max);
	stats3(seen, reps, &su->seen.min, &su->seen.med, &su->seen.max);
	return 0;
}

/* ---- the run ------------------------------------------------------------------------ */

static void verdict(const char *what, double value, const char *unit,
		    int met)
{
	printf("  %-44s %9.1f%-3s %s\n", what, value, unit, met ? "met" : "MISSED");
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ebph_bench [OPTIONS]\n"
"Measure what ebph costs per system call, per fork+exec and per build,\n"
"next to no BPF, an empty program and a one-lookup counter; then its\n"
"memory per profile and its start-up time with %d saved profiles.\n"
"Needs root, and no ebph running (the figures would include it).\n"
"\n"
"  -r, --reps N   repetitions of every measurement (default 5, 1..%d)\n"
"  -q, --quick    small iteration counts: checks that it works, in\n"
"                 seconds; the figures are rough\n"
"  -h, --help     this help\n"
"\n"
"Example:\n"
"  sudo make bench             build, then run with 5 repetitions\n"
"  sudo ./ebph_bench -r 9      more repetitions, steadier medians\n",
		STARTUP_PROFILES, MAX_REPS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct bench b = { .reps = 5 };
	double over[NWORK][NCFG], per_count[NWORK][NCFG], t_start = now_ns();
	struct ebph_snapshot snap = { 0 };
	struct memory mem;
	struct startup su;
	int c, i, lock_fd, ret = 1;
	char *slash, *end;
	ssize_t n;

	while ((c = getopt_long(argc, argv, "r:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			errno = 0;
			b.reps = strtol(optarg, &end, 10);
			if (errno || *end || b.reps < 1 || b.reps > MAX_REPS) {
				fprintf(stderr, "%s: invalid --reps '%s' (1 to %d)\n",
					prog, optarg, MAX_REPS);
				return 2;
			}
			break;
		case 'q':
			b.quick = 1;
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
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* check: root, and no ebph running, whose hook every figure would
	 * include.  The lock is only tested: `ebph run` takes it below. */
	if (geteuid() != 0) {
		fprintf(stderr, "%s: must run as root: it loads and attaches BPF programs\n", prog);
		return 1;
	}
	lock_fd = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	for (i = 0; lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB); i++) {
		/* A test's ebph stops by itself; a user's does not. */
		if (i == 60) {
			fprintf(stderr, "%s: an ebph is running (it holds %s): stop it first, or it is in every figure\n",
				prog, LOCK_FILE);
			return 1;
		}
		if (!i)
			fprintf(stderr, "%s: an ebph is running: waiting up to a minute for it to stop\n",
				prog);
		sleep(1);
	}
	if (lock_fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, LOCK_FILE, strerror(errno));
		return 1;
	}
	close(lock_fd);
	{
		struct stat st;

		if (!stat(EBPH_PIN_DIR, &st))	/* no ebph holds the lock */
			stale_pins = st.st_ino;
	}
	if (bpf_ensure_mounts(0))
		return 1;
	n = readlink("/proc/self/exe", b.dir, sizeof(b.dir) - 1);
	if (n <= 0 || !(slash = strrchr(b.dir, '/'))) {
		fprintf(stderr, "%s: cannot find my own directory\n", prog);
		return 1;
	}
	*slash = 0;
	sched_getaffinity(0, sizeof(b.all_cpus), &b.all_cpus);
	b.ncpus = bpf_num_possible_cpus();
	b.online = sysconf(_SC_NPROCESSORS_ONLN);
	if (b.ncpus < 1 || b.online < 1) {
		fprintf(stderr, "%s: cannot count the CPUs\n", prog);
		return 1;
	}
	for (b.cpu = CPU_SETSIZE - 1; b.cpu > 0 && !CPU_ISSET(b.cpu, &b.all_cpus); b.cpu--)
		;

	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}

	/* load, warm up, measure */
	if (setup(&b))
		goto out;
	fprintf(stderr, "%s: warming up: every workload twice under ebph\n", prog);
	if (warm_up(&b) || run_all(&b))
		goto out;

	/* memory, start-up */
	if (memory(&b, &snap, &mem))
		goto out;
	fprintf(stderr, "%s: start-up, %d times\n", prog, b.reps);
	if (startup(&b, &snap, &su))
		goto out;

	/* print */
	printf("ebph_bench: %d CPUs, loops pinned to CPU %d, %d runs per figure, the\n"
	       "configurations interleaved slice by slice; \"ebph normal\": %d executables\n"
	       "of the workloads normal%s\n", b.online, b.cpu, b.reps, b.nkeys,
	       b.quick ? "; QUICK: rough figures" : "");
	for (i = 0; i < NWORK; i++)
		print_workload(&b, &workloads[i], over[i], per_count[i]);

	printf("\nmemory: lookahead-pair rows of %zu profiles after the run\n"
	       "(train and test sets, %d bytes per row; all normal, so both)\n",
	       mem.profiles, EBPH_NUM_SYSCALLS);
	printf("  median %.1f KB, mean %.1f KB, max %.1f KB per profile; %zu rows\n",
	       mem.median / 1024.0, mem.profiles ? mem.total / 1024.0 / mem.profiles : 0,
	       mem.max / 1024.0, mem.rows);
	/* A row is a hash element of 584 bytes (header, key, value, the
	 * allocator's link), which the kernel serves from its 1 KiB size
	 * class: measured, 1,028 bytes of slab per row. */
	printf("  in the kernel about twice that: a row's element comes from the\n"
	       "  1 KiB slab class (median profile: %.1f KB of slab)\n",
	       mem.median / EBPH_NUM_SYSCALLS * 1028 / 1024.0);

	printf("\nstart-up: ebph run --profile-dir DIR --no-save, %d saved profiles\n"
	       "(%zu rows), %d runs; %d profiles loaded\n", STARTUP_PROFILES,
	       su.rows, b.reps, su.loaded);
	printf("  %-30s %9s %9s %9s\n", "", "min", "median", "max");
	printf("  %-30s %9.1f %9.1f %9.1f\n", "\"attached in\", ms",
	       su.attached.min, su.attached.med, su.attached.max);
	printf("  %-30s %9.1f %9.1f %9.1f\n", "launch to that line, ms",
	       su.seen.min, su.seen.med, su.seen.max);

	printf("\ntargets\n");
	verdict("getppid overhead, ebph train (<= +60%)", over[0][CFG_TRAIN], "%",
		over[0][CFG_TRAIN] <= 60);
	verdict("getppid overhead, ebph normal (<= +75%)", over[0][CFG_NORMAL], "%",
		over[0][CFG_NORMAL] <= 75);
	verdict("getppid added/count's, train (<= 1.5x)", per_count[0][CFG_TRAIN], "x",
		per_count[0][CFG_TRAIN] <= 1.5);
	verdict("getppid added/count's, normal (<= 1.5x)", per_count[0][CFG_NORMAL], "x",
		per_count[0][CFG_NORMAL] <= 1.5);
	verdict("fork+exec overhead, ebph train (<= +5%)", over[2][CFG_TRAIN], "%",
		over[2][CFG_TRAIN] <= 5);
	verdict("fork+exec overhead, ebph normal (<= +5%)", over[2][CFG_NORMAL], "%",
		over[2][CFG_NORMAL] <= 5);
	verdict("build-like overhead, ebph train (<= +2%)", over[3][CFG_TRAIN], "%",
		over[3][CFG_TRAIN] <= 2);
	verdict("build-like overhead, ebph normal (<= +2%)", over[3][CFG_NORMAL], "%",
		over[3][CFG_NORMAL] <= 2);
	verdict("median memory per profile (<= 40 KB)", mem.median / 1024.0, "KB",
		mem.median <= 40 * 1024);
	verdict("start to attached, 1,000 profiles (< 100 ms)", su.attached.med, "ms",
		su.attached.med < 100);
	printf("\n(%llu events read, %llu lost; bench took %.0f s)\n",
	       (unsigned long long)b.events, (unsigned long long)b.lost,
	       (now_ns() - t_start) / 1e9);
	ret = 0;
out:
	ebph_snapshot_free(&snap);
	if (b.reader_on) {
		b.reader_stop = 1;
		pthread_join(b.reader, NULL);
		perf_buffer_close(&b.pb);
	}
	if (b.build_dir[0])
		build_cleanup(&b);
	bpf_object_close(&b.ebph);
	bpf_object_close(&b.count);
	bpf_object_close(&b.floor);
	return ret;
}
