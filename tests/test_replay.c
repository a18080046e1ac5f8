// SPDX-License-Identifier: GPL-2.0
/*
 * tests/test_replay.c - `ebph replay`, from the outside (needs root).
 *
 *   protocol   synthetic traces replayed with the train/normal/attack
 *              protocol, with each detector (--detector pairs, seqs,
 *              both, seqs7); every test trace's anomalous calls and max LFC
 *              must be what a plain model computes, whatever was tested
 *              before it: pH (lookahead pairs of the training traces; a
 *              call is anomalous when a pair of its window is missing),
 *              STIDE (the set of windows of 6 calls of the training
 *              traces, those still filling after an exec included; a
 *              call is anomalous when its window is not in the set),
 *              either, or for seqs7 STIDE's verdict joined to the
 *              previous call's; LFC over the last 128 calls.  AUC and the ROC
 *              points checked against a count of the pairs of scores
 *   isolation  each test trace replayed alone gets the verdict it gets
 *              among the others, in either order of the sets, for each
 *              detector
 *   formats    the UNM format (interleaved PIDs) gives each PID the
 *              verdict of the same calls in a file of its own; one
 *              profile per program with PROG=PATH
 *   intrusions attack traces grouped into intrusions (--intrusion-unit
 *              dir, file, trace; dir by default with --adfa, else file):
 *              an intrusion of several traces of which one alone is
 *              anomalous is detected, a clean one is not, and the false
 *              alarms per normal trace and per 1,000 normal calls are
 *              those counted by hand, at the trace tables' 90% point,
 *              the intrusions' own 100% and 90% points and the ROC rows
 *   errors     what a user gets wrong is refused with a sentence
 *   live       same code, same answer: tests/replay_prog runs under a
 *              live `ebph run --normal-wait 0` while the raw_syscalls
 *              tracepoint records its calls (the tracepoint sys_enter
 *              hangs on, so it sees exactly the calls ebph sees); the
 *              record is replayed in learn mode and the replayed profile
 *              must equal, row for row and counter for counter, what the
 *              live run learned and saved.  Along the way the profile
 *              becomes normal, flags, tolerizes and crosses the anomaly
 *              limit, so this covers testing as well as learning.
 *              Once with lookahead pairs, once with sequences (whose
 *              relearning after a tolerize, the prev stamp, only such a
 *              history reaches).
 *
 * EBPH_TEST_OBJECT=FILE makes every replay load FILE instead of
 * ebph_kern.o (the live run always loads ebph_kern.o, the reference):
 * this is how a deliberately broken copy of the kernel program is shown
 * to fail these tests.  EBPH_TEST_KEEP=1 keeps the files (traces, CSV,
 * profiles, logs) in /tmp for a look.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bpf_dirs.h"
#include "ebph.h"
#include "profile_store.h"
#include "test.h"

#define TRACEFS		"/sys/kernel/tracing"
#define MAX_CALLS	4096
#define MAX_ROWS	64

static const char *object = "ebph_kern.o";
static char tmp[] = "/tmp/ebph-replay.XXXXXX";

/* ---- small helpers ---------------------------------------------------------- */

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static char *path(const char *fmt, ...)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];
	int n = snprintf(b, 512, "%s/", tmp);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b + n, 512 - n, fmt, ap);
	va_end(ap);
	return b;
}

static int write_str(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* The whole of FILE, NUL-terminated (malloc'd), or NULL. */
static char *slurp(const char *file)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += n;
	} while (n > 0);
	close(fd);
	buf[len] = 0;
	return buf;
}

static void mkdirs(const char *dir)
{
	char b[512], *s;

	snprintf(b, sizeof(b), "%s", dir);
	for (s = b + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(b, 0700);
			*s = '/';
		}
	mkdir(b, 0700);
}

/* A trace in the ADFA-LD format: numbers, a space after each. */
static void write_trace(const char *file, const int *calls, int n)
{
	char *buf = malloc(n * 5 + 1), *p = buf;
	int i;

	for (i = 0; i < n; i++)
		p += sprintf(p, "%d ", calls[i]);
	*p = 0;
	CHECK(write_str(file, buf), "cannot write %s", file);
	free(buf);
}

/* Run ./ebph ARGS... with stdout to OUT and stderr to ERR; its status. */
static int ebph(const char *out, const char *err, ...)
{
	char *argv[64];
	int argc = 0, status;
	va_list ap;
	pid_t pid;

	argv[argc++] = "./ebph";
	va_start(ap, err);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void show(const char *file)
{
	char *s = slurp(file);

	if (s) {
		printf("---- %s ----\n%s", file, s);
		free(s);
	}
}

static int file_has(const char *file, const char *needle)
{
	char *s = slurp(file);
	int has = s && strstr(s, needle);

	free(s);
	return has;
}

static int file_lines(const char *file)
{
	char *s = slurp(file), *p;
	int n = 0;

	for (p = s; p && *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* ---- ebph replay's CSV ----------------------------------------------------- */

struct row {
	char set[16], program[32], family[32], trace[256], detector[16];
	long calls, anomalies, misses, max_lfc, tolerized, stopped, normal;
	long seq_misses;
};

static int read_csv(const char *file, struct row *rows, int max)
{
	char *buf = slurp(file), *line, *save = NULL;
	int n = 0;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct row *r = &rows[n];
		double rate;

		if (!strncmp(line, "set,", 4) || n == max)
			continue;
		if (sscanf(line, "%15[^,],%31[^,],%31[^,],%255[^,],%ld,%ld,%ld,%ld,%lf,%ld,%ld,%ld,%ld,%15[^,]",
			   r->set, r->program, r->family, r->trace, &r->calls,
			   &r->anomalies, &r->misses, &r->max_lfc, &rate,
			   &r->tolerized, &r->stopped, &r->normal, &r->seq_misses,
			   r->detector) == 14)
			n++;
	}
	free(buf);
	return n;
}

/* The row whose trace name ends with SUFFIX. */
static struct row *find(struct row *rows, int n, const char *suffix)
{
	size_t ls = strlen(suffix);
	int i;

	for (i = 0; i < n; i++) {
		size_t lt = strlen(rows[i].trace);

		if (lt >= ls && !strcmp(rows[i].trace + lt - ls, suffix))
			return &rows[i];
	}
	return NULL;
}

/* ---- the models: pH and STIDE on paper ------------------------------------------ */

/* Which detectors a model run uses (ebph replay --detector). */
enum { DET_PAIRS = 1, DET_SEQS = 2, DET_BOTH = 3, DET_LINK = 4,
       DET_SEQS7 = DET_SEQS | DET_LINK, NR_DET };
static const char *det_name[] = { [DET_PAIRS] = "pairs", [DET_SEQS] = "seqs",
				   [DET_BOTH] = "both", [DET_SEQS7] = "seqs7" };

/* pairs[c][p] bit i-1: p was seen i calls before c. */
static unsigned char pairs[EBPH_NUM_SYSCALLS][EBPH_NUM_SYSCALLS];

/*
 * STIDE's database: the windows of the last STIDE_LEN calls, newest
 * first, -1 in the slots before a trace's first call (a window still
 * filling is a window of its own).  Written out, not packed as the
 * kernel packs them, and searched one by one: the data set is small.
 */
#define STIDE_LEN	6
#define MAX_WINDOWS	4096

struct window {
	int c[STIDE_LEN];
};
static struct window windows[MAX_WINDOWS];
static int nwindows;

static void window_at(const int *t, int j, struct window *w)
{
	int i;

	for (i = 0; i < STIDE_LEN; i++)
		w->c[i] = j - i >= 0 ? t[j - i] : -1;
}

static int window_known(const struct window *w)
{
	int k;

	for (k = 0; k < nwindows; k++)
		if (!memcmp(&windows[k], w, sizeof(*w)))
			return 1;
	return 0;
}

static void model_forget(void)
{
	memset(pairs, 0, sizeof(pairs));
	nwindows = 0;
}

static void model_train(const int *t, int n)
{
	struct window w;
	int j, i;

	for (j = 0; j < n; j++) {
		for (i = 1; i < EBPH_SEQLEN && j - i >= 0; i++)
			pairs[t[j]][t[j - i]] |= 1 << (i - 1);
		window_at(t, j, &w);
		if (window_known(&w))
			continue;
		if (nwindows == MAX_WINDOWS) {
			CHECK(1, "the model's table of windows is full: raise MAX_WINDOWS");
			return;
		}
		windows[nwindows++] = w;
	}
}

/* Call J of T, for pH: one of its pairs is not in the profile. */
static int pair_missing(const int *t, int j)
{
	int i;

	for (i = 1; i < EBPH_SEQLEN && j - i >= 0; i++)
		if (!(pairs[t[j]][t[j - i]] & (1 << (i - 1))))
			return 1;
	return 0;
}

/* Call J of T, for STIDE: its window is not in the database. */
static int window_missing(const int *t, int j)
{
	struct window w;

	window_at(t, j, &w);
	return !window_known(&w);
}

/* Call J of T, for seqs7: one of the two windows of 6 in its last 7
 * calls is not in the database (the first call has one). */
static int window7_missing(const int *t, int j)
{
	return window_missing(t, j) || (j > 0 && window_missing(t, j - 1));
}

static void model_judge(const int *t, int n, int det, long *anomalies, long *max_lfc)
{
	char bad[MAX_CALLS];
	long lfc = 0;
	int j;

	*anomalies = *max_lfc = 0;
	for (j = 0; j < n; j++) {
		bad[j] = ((det & DET_PAIRS) && pair_missing(t, j)) ||
			 ((det & DET_SEQS) && ((det & DET_LINK) ? window7_missing(t, j)
								 : window_missing(t, j)));
		*anomalies += bad[j];
		lfc += bad[j] - (j >= EBPH_LOCALITY_WIN ? bad[j - EBPH_LOCALITY_WIN] : 0);
		if (lfc > *max_lfc)
			*max_lfc = lfc;
	}
}

/* ---- the synthetic data set ------------------------------------------------------- */

struct tr {
	const char *file;	/* under tmp */
	int calls[MAX_CALLS];
	int n;
};

/* Append PATTERN (a -1-terminated list) TIMES times. */
static void add(struct tr *t, int times, ...)
{
	int pat[16], np = 0, v;
	va_list ap;

	va_start(ap, times);
	while ((v = va_arg(ap, int)) >= 0)
		pat[np++] = v;
	va_end(ap);
	while (times-- > 0)
		for (v = 0; v < np; v++)
			t->calls[t->n++] = pat[v];
}

enum { T1, T2, N1, N2, N3, N4, A1, A2, A3, A4, B1, NR_TR };
static struct tr tr[NR_TR] = {
	[T1] = { "syn/train/t1" },
	[T2] = { "syn/train/t2" },
	[N1] = { "syn/normal/n1" },		/* = t1: nothing new */
	[N2] = { "syn/normal/n2" },		/* the two patterns joined */
	[N3] = { "syn/normal/n3" },		/* = t2 */
	[N4] = { "syn/normal/n4_rotated" },	/* t1 from its second call:
						 * every pair known, not the
						 * windows filling up */
	[A1] = { "syn/attack/famA_1/a1_big" },	/* 60 anomalous calls in a row */
	[A2] = { "syn/attack/famA_1/a2_learn" },/* a new pattern, long enough to freeze */
	[A3] = { "syn/attack/famA_2/a3_small" },/* an odd call, twice, far apart */
	[A4] = { "syn/attack/famA_2/a4_learn" },/* a2 again */
	[B1] = { "syn/attack/famB_1/b1" },
};

static void make_dataset(void)
{
	int i;

	add(&tr[T1], 20, 1, 2, 3, 4, 5, -1);
	add(&tr[T2], 20, 1, 2, 3, 6, 7, -1);
	add(&tr[N1], 20, 1, 2, 3, 4, 5, -1);
	add(&tr[N2], 10, 1, 2, 3, 4, 5, -1);
	add(&tr[N2], 10, 1, 2, 3, 6, 7, -1);
	add(&tr[N3], 20, 1, 2, 3, 6, 7, -1);
	add(&tr[N4], 20, 2, 3, 4, 5, 1, -1);
	add(&tr[A1], 4, 1, 2, 3, 4, 5, -1);
	add(&tr[A1], 20, 9, 10, 11, -1);
	add(&tr[A1], 4, 1, 2, 3, 4, 5, -1);
	add(&tr[A2], 50, 13, 14, -1);
	add(&tr[A3], 10, 1, 2, 3, 4, 5, -1);
	add(&tr[A3], 1, 12, -1);
	add(&tr[A3], 30, 1, 2, 3, 4, 5, -1);	/* the first leave the LFC */
	add(&tr[A3], 1, 12, -1);
	add(&tr[A3], 10, 1, 2, 3, 4, 5, -1);
	add(&tr[A4], 50, 13, 14, -1);
	add(&tr[B1], 5, 1, 2, 3, 4, 5, -1);
	add(&tr[B1], 5, 1, 2, 4, 3, 5, -1);
	add(&tr[B1], 5, 1, 2, 3, 4, 5, -1);

	mkdirs(path("syn/train"));
	mkdirs(path("syn/normal"));
	mkdirs(path("syn/attack/famA_1"));
	mkdirs(path("syn/attack/famA_2"));
	mkdirs(path("syn/attack/famB_1"));
	for (i = 0; i < NR_TR; i++)
		write_trace(path("%s", tr[i].file), tr[i].calls, tr[i].n);
	model_forget();
	model_train(tr[T1].calls, tr[T1].n);
	model_train(tr[T2].calls, tr[T2].n);
}

/* The AUC by its definition: P(attack > normal) + P(tie) / 2, over every
 * pair of an attack and a normal trace. */
static double auc_pairs(int det, int score_lfc)
{
	double sum = 0;
	int a, n, np = 0, nn = 0;

	for (a = A1; a <= B1; a++)
		for (n = N1; n <= N4; n++) {
			long aa, al, na, nl, x, y;

			model_judge(tr[a].calls, tr[a].n, det, &aa, &al);
			model_judge(tr[n].calls, tr[n].n, det, &na, &nl);
			x = score_lfc ? al : aa;
			y = score_lfc ? nl : na;
			sum += x > y ? 1 : x == y ? 0.5 : 0;
		}
	np = B1 - A1 + 1;
	nn = N4 - N1 + 1;
	return sum / (np * nn);
}

/* "max LFC   0.875 ..." in the summary: the AUC column. */
static double printed_auc(const char *out, const char *score)
{
	char *buf = slurp(out), *line, *save = NULL;
	double auc = NAN;

	if (!buf)
		return NAN;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, score, strlen(score)) &&
		    sscanf(line + strlen(score), " %lf", &auc) == 1)
			break;
	free(buf);
	return auc;
}

/* ---- the tests --------------------------------------------------------------------- */

/* The results of test_protocol() for each detector. */
static struct row batches[NR_DET][MAX_ROWS];
static int nbatches[NR_DET];

/* What the model for DET is called in a message. */
static const char *model_name(int det)
{
	return det == DET_PAIRS ? "pH" : det == DET_SEQS ? "STIDE" :
	       det == DET_SEQS7 ? "STIDE's two windows" : "pH or STIDE";
}

/* The data set tells the detectors apart, or the runs below would
 * prove nothing about which one replay ran. */
static void test_dataset(void)
{
	long a[NR_DET], l[NR_DET];
	int d;

	TEST("dataset");
	for (d = DET_PAIRS; d < NR_DET; d++)
		model_judge(tr[N4].calls, tr[N4].n, d, &a[d], &l[d]);
	CHECK(a[DET_PAIRS] != 0 || a[DET_SEQS] != STIDE_LEN - 1 || a[DET_BOTH] != a[DET_SEQS],
	      "n4: %ld, %ld, %ld anomalies by pairs, sequences, both; want 0, %d, %d",
	      a[DET_PAIRS], a[DET_SEQS], a[DET_BOTH], STIDE_LEN - 1, STIDE_LEN - 1);
	/* seqs7: the first full window is anomalous too, its earlier
	 * window (the last one still filling) being unknown. */
	CHECK(a[DET_SEQS7] != STIDE_LEN, "n4: %ld anomalies by seqs7, want %d",
	      a[DET_SEQS7], STIDE_LEN);
}

/* --detector DET, or (pairs) no --detector at all: the default. */
static void test_protocol(int det, int explicit)
{
	static char name[32];
	char out[512], err[512], csv[512], rocf[512], *roc;
	struct row *batch = batches[det];
	int i, rc, nb;

	/* Copies: path()'s buffers are reused. */
	snprintf(out, sizeof(out), "%s", path("protocol-%s.out", det_name[det]));
	snprintf(err, sizeof(err), "%s", path("protocol-%s.err", det_name[det]));
	snprintf(csv, sizeof(csv), "%s", path("protocol-%s.csv", det_name[det]));
	snprintf(rocf, sizeof(rocf), "%s", path("roc-%s.csv", det_name[det]));
	snprintf(name, sizeof(name), "protocol %s%s", det_name[det],
		 explicit ? "" : " (default)");
	TEST(name);
	rc = ebph(out, err, "replay", "-o", object, "-t", path("syn/train"),
		  "-n", path("syn/normal"), "-a", path("syn/attack"),
		  "--csv", csv, "--roc-csv", rocf,
		  explicit ? "--detector" : NULL, det_name[det], NULL);
	if (CHECK(rc != 0, "ebph replay exited %d", rc)) {
		show(err);
		return;
	}
	nb = nbatches[det] = read_csv(csv, batch, MAX_ROWS);
	CHECK_EQ(nb, NR_TR, "CSV rows");
	for (i = 0; i < NR_TR; i++) {
		struct row *r = find(batch, nb, tr[i].file);
		long anomalies, max_lfc;

		if (CHECK(!r, "no CSV row for %s", tr[i].file))
			continue;
		CHECK_EQ(r->calls, tr[i].n, tr[i].file);
		CHECK(strcmp(r->detector, det_name[det]), "%s: detector '%s' in the CSV, want %s",
		      tr[i].file, r->detector, det_name[det]);
		if (i <= T2) {
			CHECK(strcmp(r->set, "training") || r->anomalies || r->max_lfc,
			      "%s: set %s, %ld anomalies while training", tr[i].file,
			      r->set, r->anomalies);
			continue;
		}
		model_judge(tr[i].calls, tr[i].n, det, &anomalies, &max_lfc);
		CHECK(r->anomalies != anomalies || r->max_lfc != max_lfc,
		      "%s: %ld anomalous calls, max LFC %ld; %s says %ld and %ld",
		      tr[i].file, r->anomalies, r->max_lfc, model_name(det),
		      anomalies, max_lfc);
		/* Which detector missed, from the events: a sequence miss
		 * is a call whose window STIDE does not know. */
		if (det & DET_SEQS) {
			long a, l;

			model_judge(tr[i].calls, tr[i].n, det & ~DET_PAIRS, &a, &l);
			CHECK(r->seq_misses != a, "%s: %ld sequence misses, %s says %ld",
			      tr[i].file, r->seq_misses, model_name(det & ~DET_PAIRS), a);
		} else {
			CHECK(r->seq_misses != 0, "%s: %ld sequence misses with pairs alone",
			      tr[i].file, r->seq_misses);
		}
		if (!(det & DET_PAIRS))
			CHECK(r->misses != 0, "%s: %ld pairs missed with sequences alone",
			      tr[i].file, r->misses);
	}
	/* The cases the data set was made for, spelled out. */
	if (find(batch, nb, "/n1") && find(batch, nb, "/a1_big") &&
	    find(batch, nb, "/a2_learn") && find(batch, nb, "/a4_learn")) {
		struct row *n1 = find(batch, nb, "/n1");
		struct row *a1 = find(batch, nb, "/a1_big");
		struct row *a2 = find(batch, nb, "/a2_learn");
		struct row *a4 = find(batch, nb, "/a4_learn");

		CHECK_EQ(n1->anomalies, 0, "a normal trace equal to a training trace");
		/* Past the limits, yet fully counted and followed by more
		 * verdicts: the limits are out of reach while testing. */
		CHECK(a1->anomalies <= EBPH_ANOMALY_LIMIT || a1->max_lfc <= EBPH_TOLERIZE_LIMIT,
		      "a1_big: %ld anomalies, max LFC %ld: not past the limits",
		      a1->anomalies, a1->max_lfc);
		CHECK_EQ(a1->tolerized + a1->stopped, 0, "tolerized or stopped while testing");
		/* a2 is learned while it is tested; a4, the same calls later,
		 * must still be judged by the profile made normal. */
		CHECK(a2->anomalies == 0, "a2_learn has no anomalies");
		CHECK_EQ(a4->anomalies, a2->anomalies, "a4 (= a2, tested after it)");
		CHECK_EQ(a4->max_lfc, a2->max_lfc, "a4 max LFC");
		CHECK_EQ(a2->normal, 0, "a profile made normal again while testing");
	}
	CHECK(!find(batch, nb, "/a3_small") ||
	      strcmp(find(batch, nb, "/a3_small")->family, "famA"),
	      "family of famA_2/a3_small: want famA");
	CHECK(!find(batch, nb, "/b1") || strcmp(find(batch, nb, "/b1")->family, "famB"),
	      "family of famB_1/b1: want famB");
	{
		char line[64];

		snprintf(line, sizeof(line), ", detector %s, ", det_name[det]);
		CHECK(!file_has(out, line), "the summary does not say '%s'", line);
	}

	/* AUC, by the definition, against the table's. */
	CHECK(fabs(printed_auc(out, "max LFC") - auc_pairs(det, 1)) > 0.0005,
	      "AUC of max LFC: printed %.3f, by pairs of traces %.4f",
	      printed_auc(out, "max LFC"), auc_pairs(det, 1));
	CHECK(fabs(printed_auc(out, "anomalous calls") - auc_pairs(det, 0)) > 0.0005,
	      "AUC of anomalous calls: printed %.3f, by pairs of traces %.4f",
	      printed_auc(out, "anomalous calls"), auc_pairs(det, 0));

	/* The ROC: from (0,0) to (1,1), never going back, and named. */
	roc = slurp(rocf);
	if (!CHECK(!roc, "no ROC CSV")) {
		char *line, *save = NULL, score[32], prev[32] = "", d[16];
		double thr, tpr, fpr, ptpr = 0, pfpr = 0;
		int bad = 0, starts = 0, ends = 0, named = 0, points = 0;

		for (line = strtok_r(roc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (sscanf(line, "%31[^,],%lf,%lf,%lf,%15s", score, &thr, &tpr, &fpr, d) != 5)
				continue;
			points++;
			named += !strcmp(d, det_name[det]);
			if (strcmp(score, prev)) {
				starts += tpr == 0 && fpr == 0 && isinf(thr);
				snprintf(prev, sizeof(prev), "%s", score);
			} else {
				bad += tpr < ptpr || fpr < pfpr;
			}
			ends += tpr == 1 && fpr == 1;
			ptpr = tpr;
			pfpr = fpr;
		}
		CHECK_EQ(starts, 3, "ROC curves starting at (0,0)");
		CHECK_EQ(ends, 3, "ROC curves ending at (1,1)");
		CHECK_EQ(bad, 0, "ROC points going back");
		CHECK_EQ(named, points, "ROC points naming the detector");
		free(roc);
	}
}

/* Each test trace alone, then all in the other order of the sets. */
static void test_isolation(int det)
{
	struct row rows[MAX_ROWS], *batch = batches[det];
	int i, n, rc, nbatch = nbatches[det];
	static char name[32];

	snprintf(name, sizeof(name), "isolation %s", det_name[det]);
	TEST(name);
	for (i = N1; i < NR_TR; i++) {
		struct row *b = find(batch, nbatch, tr[i].file);

		rc = ebph(path("alone.out"), path("alone.err"), "replay", "-o", object,
			  "-t", path("syn/train"), "-a", path("%s", tr[i].file),
			  "--csv", path("alone.csv"), "--detector", det_name[det], NULL);
		if (CHECK(rc != 0, "%s alone: exit %d", tr[i].file, rc)) {
			show(path("alone.err"));
			continue;
		}
		n = read_csv(path("alone.csv"), rows, MAX_ROWS);
		if (CHECK(!b || !find(rows, n, tr[i].file), "%s: no result", tr[i].file))
			continue;
		CHECK(find(rows, n, tr[i].file)->anomalies != b->anomalies ||
		      find(rows, n, tr[i].file)->max_lfc != b->max_lfc ||
		      find(rows, n, tr[i].file)->seq_misses != b->seq_misses,
		      "%s alone: %ld anomalies, max LFC %ld, %ld sequence misses; among the others %ld, %ld, %ld",
		      tr[i].file, find(rows, n, tr[i].file)->anomalies,
		      find(rows, n, tr[i].file)->max_lfc,
		      find(rows, n, tr[i].file)->seq_misses, b->anomalies, b->max_lfc,
		      b->seq_misses);
	}

	rc = ebph(path("rev.out"), path("rev.err"), "replay", "-o", object,
		  "-a", path("syn/attack"), "-n", path("syn/normal"),
		  "-t", path("syn/train"), "--csv", path("rev.csv"),
		  "--detector", det_name[det], NULL);
	if (CHECK(rc != 0, "reversed: exit %d", rc)) {
		show(path("rev.err"));
		return;
	}
	n = read_csv(path("rev.csv"), rows, MAX_ROWS);
	CHECK_EQ(n, NR_TR, "rows, reversed");
	for (i = 0; i < NR_TR; i++) {
		struct row *a = find(rows, n, tr[i].file), *b = find(batch, nbatch, tr[i].file);

		CHECK(!a || !b || a->anomalies != b->anomalies || a->max_lfc != b->max_lfc ||
		      a->seq_misses != b->seq_misses,
		      "%s: another verdict with the sets in another order", tr[i].file);
	}
}

static void test_formats(void)
{
	struct row rows[MAX_ROWS], *r;
	char *buf, *p;
	int i, n, rc;
	long anomalies, max_lfc;

	/* N2 as PID 7 and A3 as PID 9, one line each in turn. */
	TEST("unm");
	mkdirs(path("unm"));
	p = buf = malloc(32 * (tr[N2].n + tr[A3].n) + 1);
	for (i = 0; i < tr[N2].n || i < tr[A3].n; i++) {
		if (i < tr[N2].n)
			p += sprintf(p, "7 %d\n", tr[N2].calls[i]);
		if (i < tr[A3].n)
			p += sprintf(p, "9 %d\n", tr[A3].calls[i]);
	}
	CHECK(write_str(path("unm/mixed.int"), buf), "cannot write the UNM file");
	free(buf);
	rc = ebph(path("unm.out"), path("unm.err"), "replay", "-o", object,
		  "-t", path("syn/train"), "-n", path("unm/mixed.int"),
		  "--csv", path("unm.csv"), NULL);
	if (CHECK(rc != 0, "UNM: exit %d", rc)) {
		show(path("unm.err"));
	} else {
		n = read_csv(path("unm.csv"), rows, MAX_ROWS);
		CHECK_EQ(n, 2 + 2, "rows: 2 training traces, 2 PIDs");
		r = find(rows, n, "mixed.int:7");
		model_judge(tr[N2].calls, tr[N2].n, DET_PAIRS, &anomalies, &max_lfc);
		CHECK(!r || r->calls != tr[N2].n || r->anomalies != anomalies ||
		      r->max_lfc != max_lfc, "PID 7: not the verdict on n2");
		r = find(rows, n, "mixed.int:9");
		model_judge(tr[A3].calls, tr[A3].n, DET_PAIRS, &anomalies, &max_lfc);
		CHECK(!r || r->calls != tr[A3].n || r->anomalies != anomalies ||
		      r->max_lfc != max_lfc || anomalies == 0, "PID 9: not the verdict on a3");
	}

	/* Two programs: t2's calls are normal for the one trained on t2
	 * only, and anomalous for the one trained on t1 only. */
	TEST("programs");
	{
		char t1[600], t2[600], x1[600], x2[600];

		snprintf(t1, sizeof(t1), "one=%s", path("%s", tr[T1].file));
		snprintf(t2, sizeof(t2), "two=%s", path("%s", tr[T2].file));
		snprintf(x1, sizeof(x1), "one=%s", path("%s", tr[N3].file));
		snprintf(x2, sizeof(x2), "two=%s", path("%s", tr[N3].file));
		rc = ebph(path("prog.out"), path("prog.err"), "replay", "-o", object,
			  "-t", t1, "-t", t2, "-a", x1, "-a", x2,
			  "--csv", path("prog.csv"), NULL);
	}
	if (CHECK(rc != 0, "programs: exit %d", rc)) {
		show(path("prog.err"));
		return;
	}
	n = read_csv(path("prog.csv"), rows, MAX_ROWS);
	CHECK_EQ(n, 4, "rows");
	model_forget();
	model_train(tr[T1].calls, tr[T1].n);
	model_judge(tr[N3].calls, tr[N3].n, DET_PAIRS, &anomalies, &max_lfc);
	CHECK(anomalies == 0, "the data set: t2 must be anomalous after t1");
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].set, "attack"))
			continue;
		if (!strcmp(rows[i].program, "one"))
			CHECK(rows[i].anomalies != anomalies || rows[i].max_lfc != max_lfc,
			      "program one: %ld anomalies, pH says %ld", rows[i].anomalies,
			      anomalies);
		else
			CHECK(rows[i].anomalies != 0, "program two: %ld anomalies, want 0",
			      rows[i].anomalies);
	}
	model_forget();
	model_train(tr[T1].calls, tr[T1].n);
	model_train(tr[T2].calls, tr[T2].n);
}

static void test_errors(void)
{
	int rc;

	TEST("errors");
	mkdirs(path("bad"));
	write_str(path("bad/t"), "1 2 3\n4 x 5 \n");
	rc = ebph(path("e.out"), path("e.err"), "replay", "-o", object, "-t", path("bad/t"), NULL);
	CHECK(rc != 1 || !file_has(path("e.err"), "bad/t:2: not a system call number"),
	      "a bad number: exit %d, want 1 and file:line", rc);

	/* A call past the alphabet is skipped, as the kernel skips it, but
	 * not without a word (it used to be dropped silently). */
	{
		char far[64], said[128];

		snprintf(far, sizeof(far), "1 2 3 %d 4 5 %d\n", EBPH_NR_LIMIT + 88,
			 EBPH_NR_LIMIT);
		snprintf(said, sizeof(said), "2 calls in 1 trace are numbered %d or more, past the alphabet (the first: %d in ",
			 EBPH_NR_LIMIT, EBPH_NR_LIMIT + 88);
		write_str(path("bad/far"), far);
		rc = ebph(path("e.out"), path("e.err"), "replay", "-o", object, "-t",
			  path("bad/far"), NULL);
		CHECK(rc != 0 || !file_has(path("e.err"), said),
		      "calls past the alphabet: exit %d, want 0 and \"%s\"", rc, said);
		if (!file_has(path("e.err"), "past the alphabet"))
			show(path("e.err"));
	}

	rc = ebph(path("e.out"), path("e.err"), "replay", "-t", path("missing"), NULL);
	CHECK(rc != 1 || !file_has(path("e.err"), "No such file"),
	      "a missing path: exit %d", rc);

	rc = ebph(path("e.out"), path("e.err"), "replay", "-t", path("syn/train"),
		  "-a", "other=/dev/null", NULL);
	CHECK(rc != 1 || !file_has(path("e.err"), "no traces in it"),
	      "an empty trace: exit %d", rc);

	{
		char arg[600];

		snprintf(arg, sizeof(arg), "other=%s", path("%s", tr[A1].file));
		rc = ebph(path("e.out"), path("e.err"), "replay", "-t",
			  path("syn/train"), "-a", arg, NULL);
		CHECK(rc != 1 || !file_has(path("e.err"), "no training traces"),
		      "test traces of an untrained program: exit %d", rc);
	}

	rc = ebph(path("e.out"), path("e.err"), "replay", NULL);
	CHECK(rc != 2 || !file_has(path("e.err"), "no traces"), "no traces: exit %d", rc);
	rc = ebph(path("e.out"), path("e.err"), "replay", "--format", "xml", "-t", "x", NULL);
	CHECK(rc != 2, "a bad format: exit %d", rc);
	/* A detector replay does not know, and "none" (a name status
	 * prints, never a run's choice): refused before any work. */
	rc = ebph(path("e.out"), path("e.err"), "replay", "--detector", "stide",
		  "-t", path("syn/train"), NULL);
	CHECK(rc != 2 || !file_has(path("e.err"), "invalid --detector 'stide' (pairs, seqs, seqs7 or both)"),
	      "--detector stide: exit %d, want 2 and the choices", rc);
	CHECK(file_lines(path("e.err")) != 2, "--detector stide: %d lines of message, want the sentence and the hint",
	      file_lines(path("e.err")));
	rc = ebph(path("e.out"), path("e.err"), "replay", "--detector", "none",
		  "-t", path("syn/train"), NULL);
	CHECK(rc != 2, "--detector none: exit %d, want 2", rc);
	rc = ebph(path("e.out"), path("e.err"), "replay", "--detector", NULL);
	CHECK(rc != 2, "--detector without a value: exit %d, want 2", rc);
	rc = ebph(path("e.out"), path("e.err"), "replay", "-h", NULL);
	CHECK(rc != 0 || !file_has(path("e.out"), "Usage: ebph replay"), "-h: exit %d", rc);
}

/* ---- intrusions ------------------------------------------------------------------- */

/*
 * The line of OUT that is the NTH (from 0) after the line starting with
 * HEADER to start, spaces skipped, with WHAT: into LINE, from WHAT on.
 * 0 if found.
 */
static int line_after(const char *out, const char *header, const char *what, int nth,
		      char *line, size_t len)
{
	char *buf = slurp(out), *l, *save = NULL;
	int in = 0, found = -1;

	if (!buf)
		return -1;
	for (l = strtok_r(buf, "\n", &save); l && found; l = strtok_r(NULL, "\n", &save)) {
		char *s = l + strspn(l, " ");

		if (!in) {
			in = !strncmp(l, header, strlen(header));
			continue;
		}
		if (strncmp(s, what, strlen(what)) || nth--)
			continue;
		snprintf(line, len, "%s", s);
		found = 0;
	}
	free(buf);
	return found;
}

/* A row of an intrusion table: "LEAD >= THR  K of N  FA%  PER1000",
 * LEAD a scanf format. */
struct alarms {
	double thr, fa, per;
	int k, n;
};

static int parse_alarms(const char *line, const char *lead, struct alarms *a)
{
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%s >= %%lf %%d of %%d %%lf%%%% %%lf", lead);
	return sscanf(line, fmt, &a->thr, &a->k, &a->n, &a->fa, &a->per) == 5 ? 0 : -1;
}


/*
 * A data set for intrusions, from the traces above.  The normal traces
 * are 4, of 800 calls (100, 100, 100, 500), and only n2 is anomalous:
 * at max LFC >= 1 the false alarms are 1 in 4 traces, 25.0%, and 1 in
 * 800 calls, 1.250 per 1,000.  Each attack run is a directory of
 * traces of which one alone is anomalous; run_3 is clean.
 */
enum { U_N1, U_N2, U_N3, U_NLONG, U_X1, U_X2, U_X3, U_Y1, U_Y2, U_Z1, NR_U };
static struct tr tr_units[NR_U] = {
	[U_N1] = { "units/normal/n1" },		/* = t1 */
	[U_N2] = { "units/normal/n2" },		/* = n2: anomalous */
	[U_N3] = { "units/normal/n3" },		/* = t2 */
	[U_NLONG] = { "units/normal/long" },	/* t1's pattern, 100 times */
	[U_X1] = { "units/attack/run_1/x1" },	/* = t1 */
	[U_X2] = { "units/attack/run_1/x2" },	/* = t2 */
	[U_X3] = { "units/attack/run_1/x3" },	/* = a1_big: anomalous */
	[U_Y1] = { "units/attack/run_2/y1" },	/* = t1 */
	[U_Y2] = { "units/attack/run_2/y2" },	/* = a3_small: anomalous */
	[U_Z1] = { "units/clean/run_3/z1" },	/* = t2 */
};
static const int units_normal[] = { U_N1, U_N2, U_N3, U_NLONG };

/* What the tables must say, from the models: K of N intrusions (the
 * best max LFC of each of the N in BEST) and the normal traces of
 * NORMAL flagged at max LFC >= THR, per trace and per 1,000 calls. */
static void check_alarms(const char *what, const struct alarms *got, double thr,
			 const long *best, int n, const int *normal, int nnormal)
{
	long anomalies, lfc, calls = 0;
	int i, k = 0, fa = 0;

	for (i = 0; i < n; i++)
		k += best[i] >= thr;
	for (i = 0; i < nnormal; i++) {
		model_judge(tr_units[normal[i]].calls, tr_units[normal[i]].n, DET_PAIRS,
			    &anomalies, &lfc);
		fa += lfc >= thr;
		calls += tr_units[normal[i]].n;
	}
	CHECK(got->thr != thr || got->k != k || got->n != n ||
	      fabs(got->fa - 100.0 * fa / nnormal) > 0.05 ||
	      fabs(got->per - 1000.0 * fa / calls) > 0.0005,
	      "%s: >= %g, %d of %d intrusions, %.1f%% false alarms, %.3f per 1,000 calls; want >= %g, %d of %d, %.1f%%, %.3f",
	      what, got->thr, got->k, got->n, got->fa, got->per, thr, k, n,
	      100.0 * fa / nnormal, 1000.0 * fa / calls);
}

static void make_units(void)
{
	static const int from[NR_U] = { T1, N2, T2, -1, T1, T2, A1, T1, A3, T2 };
	int i;

	for (i = 0; i < NR_U; i++) {
		if (from[i] >= 0) {
			memcpy(tr_units[i].calls, tr[from[i]].calls, tr[from[i]].n * sizeof(int));
			tr_units[i].n = tr[from[i]].n;
		} else {
			add(&tr_units[i], 100, 1, 2, 3, 4, 5, -1);
		}
	}
	mkdirs(path("units/normal"));
	mkdirs(path("units/attack/run_1"));
	mkdirs(path("units/attack/run_2"));
	mkdirs(path("units/clean/run_3"));
	for (i = 0; i < NR_U; i++)
		write_trace(path("%s", tr_units[i].file), tr_units[i].calls, tr_units[i].n);
}

static long units_lfc(int u)
{
	long anomalies, lfc;

	model_judge(tr_units[u].calls, tr_units[u].n, DET_PAIRS, &anomalies, &lfc);
	return lfc;
}

/* ./ebph replay, pairs, trained on syn/train, tested on the normal
 * units and ARGS (up to 8, NULL-terminated); its output in OUT. */
static int units_run(const char *out, const char *csv, ...)
{
	const char *a[9] = { NULL };
	va_list ap;
	int i, rc;

	va_start(ap, csv);
	for (i = 0; i < 8 && (a[i] = va_arg(ap, const char *)); i++)
		;
	va_end(ap);
	rc = ebph(out, path("units.err"), "replay", "-o", object, "-t", path("syn/train"),
		  "-n", path("units/normal"), "--csv", csv,
		  a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
	if (CHECK(rc != 0, "ebph replay %s %s %s %s: exit %d", a[0] ? a[0] : "",
		  a[1] ? a[1] : "", a[2] ? a[2] : "", a[3] ? a[3] : "", rc))
		show(path("units.err"));
	return rc;
}

/* The row ">= THR" of the max LFC half of "ROC points by intrusion". */
static void check_roc_row(const char *out, const char *what, double thr,
			  const long *best, int n)
{
	struct alarms al;
	char line[512];
	size_t i;

	for (i = 0; i < 12; i++)
		if (!line_after(out, "ROC points by intrusion", ">=", i, line, sizeof(line)) &&
		    !parse_alarms(line, "", &al) && al.thr == thr)
			break;
	if (CHECK(i == 12, "%s: no row >= %g in \"ROC points by intrusion\"", what, thr)) {
		show(out);
		return;
	}
	check_alarms(what, &al, thr, best, n, units_normal, 4);
}

/* How many times NEEDLE is in S. */
static int count_str(const char *s, const char *needle)
{
	int n = 0;

	for (; s && (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* UNM: one file of three processes, one anomalous, is one intrusion
 * unless told otherwise (EACH: the three traces' max LFC); beside it a
 * file of one clean process is another. */
static void test_units_unm(const long *each)
{
	const int pid[3] = { U_X1, U_X2, U_X3 };
	long best[2] = { 0, 0 }, all[4] = { each[0], each[1], each[2], 0 };
	char *buf, *p, out[512];
	int i, j;

	mkdirs(path("units/unm"));
	p = buf = malloc(32 * 3 * MAX_CALLS);
	for (i = 0; i < MAX_CALLS; i++)
		for (j = 0; j < 3; j++)
			if (i < tr_units[pid[j]].n)
				p += sprintf(p, "%d %d\n", 3 + j, tr_units[pid[j]].calls[i]);
	*p = 0;
	CHECK(write_str(path("units/unm/session.int"), buf), "cannot write the UNM file");
	free(buf);
	CHECK(write_str(path("units/unm/quiet.int"), "8 1\n8 2\n8 3\n8 4\n8 5\n"),
	      "cannot write the UNM file");
	for (j = 0; j < 3; j++)
		best[0] = each[j] > best[0] ? each[j] : best[0];

	snprintf(out, sizeof(out), "%s", path("units-unm.out"));
	if (!units_run(out, path("units-unm.csv"), "-a", path("units/unm"), NULL)) {
		CHECK(!file_has(out, "Intrusions: 2 in 4 attack traces (--intrusion-unit file: the traces of a file)"),
		      "UNM: by default not 2 intrusions (the files) in 4 traces");
		check_roc_row(out, "UNM, by file, max LFC >= 1", 1, best, 2);
	}
	snprintf(out, sizeof(out), "%s", path("units-unm-trace.out"));
	if (!units_run(out, path("units-unm.csv"), "-a", path("units/unm"),
		       "--intrusion-unit", "trace", NULL))
		check_roc_row(out, "UNM, by trace, max LFC >= 1", 1, all, 4);
	snprintf(out, sizeof(out), "%s", path("units-unm-dir.out"));
	best[0] = best[0] > best[1] ? best[0] : best[1];
	if (!units_run(out, path("units-unm.csv"), "-a", path("units/unm"),
		       "--intrusion-unit", "dir", NULL))
		check_roc_row(out, "UNM, by dir, max LFC >= 1", 1, best, 1);
}

/* ADFA-LD's layout: --adfa makes each attack directory an intrusion
 * (BEST: the two runs' best max LFC). */
static void test_units_adfa(const long *best)
{
	static const char *where[NR_U] = {
		"Validation_Data_Master/n1", "Validation_Data_Master/n2",
		"Validation_Data_Master/n3", "Validation_Data_Master/long",
		"Attack_Data_Master/run_1/x1", "Attack_Data_Master/run_1/x2",
		"Attack_Data_Master/run_1/x3", "Attack_Data_Master/run_2/y1",
		"Attack_Data_Master/run_2/y2", NULL };
	char out[512];
	int i, rc;

	mkdirs(path("units/adfa/Training_Data_Master"));
	mkdirs(path("units/adfa/Attack_Data_Master/run_1"));
	mkdirs(path("units/adfa/Attack_Data_Master/run_2"));
	mkdirs(path("units/adfa/Validation_Data_Master"));
	write_trace(path("units/adfa/Training_Data_Master/t1"), tr[T1].calls, tr[T1].n);
	write_trace(path("units/adfa/Training_Data_Master/t2"), tr[T2].calls, tr[T2].n);
	for (i = 0; i < NR_U; i++)
		if (where[i])
			write_trace(path("units/adfa/%s", where[i]), tr_units[i].calls,
				    tr_units[i].n);
	snprintf(out, sizeof(out), "%s", path("units-adfa.out"));
	rc = ebph(out, path("units.err"), "replay", "-o", object, "--adfa",
		  path("units/adfa"), NULL);
	if (CHECK(rc != 0, "--adfa: exit %d", rc)) {
		show(path("units.err"));
		return;
	}
	CHECK(!file_has(out, "Intrusions: 2 in 5 attack traces (--intrusion-unit dir: the traces of a directory)"),
	      "--adfa: by default not 2 intrusions (the directories) in 5 traces");
	check_roc_row(out, "--adfa, max LFC >= 1", 1, best, 2);
}

static void test_units(void)
{
	static const int run[3][3] = { { U_X1, U_X2, U_X3 }, { U_Y1, U_Y2, -1 },
				       { U_Z1, -1, -1 } };
	long best[3] = { 0 }, each[5];
	char out[512], csv[512], line[512], want[600], *s;
	struct alarms al;
	int i, j, rc;

	TEST("intrusions");
	make_units();
	/* An intrusion's score: the highest of its traces'. */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3 && run[i][j] >= 0; j++)
			if (units_lfc(run[i][j]) > best[i])
				best[i] = units_lfc(run[i][j]);
	for (i = 0; i < 5; i++)
		each[i] = units_lfc(U_X1 + i);
	/* The data set: what the comment above says, by pH. */
	for (i = 0; i < NR_U; i++)
		CHECK((units_lfc(i) > 0) != (i == U_N2 || i == U_X3 || i == U_Y2),
		      "the data set: %s has max LFC %ld", tr_units[i].file, units_lfc(i));

	/* Two runs, each detected by one trace of its several. */
	snprintf(out, sizeof(out), "%s", path("units-dir.out"));
	snprintf(csv, sizeof(csv), "%s", path("units-dir.csv"));
	if (!units_run(out, csv, "-a", path("units/attack"), "--intrusion-unit", "dir", NULL)) {
		CHECK(!file_has(out, "Intrusions: 2 in 5 attack traces (--intrusion-unit dir: the traces of a directory)"),
		      "dir: not 2 intrusions in 5 traces");
		check_roc_row(out, "dir, max LFC >= 1", 1, best, 2);
		/* By hand: see the comment above make_units(). */
		if (!CHECK(line_after(out, "ROC points by intrusion", ">=", 0, line, sizeof(line)) ||
			   parse_alarms(line, "", &al) || al.thr != 1, "dir: no first row >= 1"))
			CHECK(al.k != 2 || al.n != 2 || al.fa != 25.0 || fabs(al.per - 1.25) > 1e-9,
			      "dir, >= 1: %d of %d, %.1f%%, %.3f per 1,000; want 2 of 2, 25.0%%, 1.250",
			      al.k, al.n, al.fa, al.per);
		/* All intrusions: the lower of the two runs' best; 90% of 2
		 * is both again. */
		CHECK(line_after(out, "By intrusion", "max LFC", 0, line, sizeof(line)) ||
		      parse_alarms(line, "max LFC %*f all", &al), "dir: no 'all' row");
		check_alarms("dir, all detected", &al, best[0] < best[1] ? best[0] : best[1],
			     best, 2, units_normal, 4);
		CHECK(line_after(out, "By intrusion", "max LFC", 1, line, sizeof(line)) ||
		      parse_alarms(line, "max LFC 90%%", &al), "dir: no '90%%' row");
		check_alarms("dir, 90% detected", &al, best[0] < best[1] ? best[0] : best[1],
			     best, 2, units_normal, 4);
		/* The traces' 90% point: 2 of 5 traces are anomalous, so it
		 * flags every trace, and every normal one too. */
		CHECK(line_after(out, "At the 90% point of the traces", "max LFC", 0, line,
				 sizeof(line)) || parse_alarms(line, "max LFC", &al),
		      "dir: no row at the traces' 90%% point");
		check_alarms("dir, at the traces' 90% point", &al, 0, best, 2, units_normal, 4);
		/* The CSV names each attack trace's intrusion, last. */
		s = slurp(csv);
		snprintf(want, sizeof(want), ",pairs,%s\n", path("units/attack/run_1"));
		CHECK_EQ(count_str(s, want), 3, "CSV lines of intrusion run_1");
		snprintf(want, sizeof(want), ",pairs,%s\n", path("units/attack/run_2"));
		CHECK_EQ(count_str(s, want), 2, "CSV lines of intrusion run_2");
		CHECK_EQ(count_str(s, ",pairs,\n"), 2 + 4, "CSV lines of no intrusion (training, normal)");
		free(s);
	}

	/* The same traces, each its own intrusion. */
	snprintf(out, sizeof(out), "%s", path("units-trace.out"));
	if (!units_run(out, csv, "-a", path("units/attack"), "--intrusion-unit", "trace", NULL))
		check_roc_row(out, "trace, max LFC >= 1", 1, each, 5);

	/* A clean run is not detected. */
	snprintf(out, sizeof(out), "%s", path("units-clean.out"));
	if (!units_run(out, csv, "-a", path("units/attack"), "-a", path("units/clean"),
		       "--intrusion-unit", "dir", NULL))
		check_roc_row(out, "dir with a clean run, max LFC >= 1", 1, best, 3);

	/* A run's traces need not come in a row: x1, y1, x3 are 2 runs,
	 * the first detected (by x3), the second not (y1 is clean). */
	snprintf(out, sizeof(out), "%s", path("units-order.out"));
	{
		char x1[512], y1[512], x3[512];
		const long two[2] = { best[0], 0 };

		snprintf(x1, sizeof(x1), "%s", path("%s", tr_units[U_X1].file));
		snprintf(y1, sizeof(y1), "%s", path("%s", tr_units[U_Y1].file));
		snprintf(x3, sizeof(x3), "%s", path("%s", tr_units[U_X3].file));
		if (!units_run(out, csv, "-a", x1, "-a", y1, "-a", x3,
			       "--intrusion-unit", "dir", NULL)) {
			CHECK(!file_has(out, "Intrusions: 2 in 3 attack traces"),
			      "x1, y1, x3: not 2 intrusions in 3 traces");
			check_roc_row(out, "x1, y1, x3 by dir, max LFC >= 1", 1, two, 2);
		}
	}

	test_units_unm(each);
	test_units_adfa(best);

	rc = ebph(path("e.out"), path("e.err"), "replay", "--intrusion-unit", "pid",
		  "-t", path("syn/train"), NULL);
	CHECK(rc != 2 || !file_has(path("e.err"), "invalid --intrusion-unit 'pid' (trace, file or dir)"),
	      "--intrusion-unit pid: exit %d, want 2 and the choices", rc);
}

/* ---- live ------------------------------------------------------------------------ */

/* Runs of tests/replay_prog: normal from the first, over both limits in
 * the third ("x"), normal again in the sixth, over the tolerize limit
 * alone in the seventh ("y"), then tested on what it relearned. */
#define NRUNS		8

static char instance[128];

static int tfs_write(const char *file, const char *fmt, ...)
{
	char p[256], v[128];
	va_list ap;

	snprintf(p, sizeof(p), "%s/%s", instance, file);
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return write_str(p, v);
}

static void record_off(void)
{
	tfs_write("events/raw_syscalls/sys_enter/enable", "0");
	tfs_write("events/sched/sched_process_exec/enable", "0");
}

/*
 * Run tests/replay_prog ARG (NULL: none) and record, through the
 * raw_syscalls tracepoint, every call it makes after its exec.  The child
 * waits on a pipe until the recording is set up for its pid.  Returns the
 * number of calls, or -1.
 */
static int record_run(const char *arg, int *calls, int max, pid_t *child)
{
	char *argv[] = { "tests/replay_prog", (char *)arg, NULL };
	char tfile[256], *buf, *line, *save = NULL;
	int pfd[2], n = 0, after = 0, status;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;
		int null = open("/dev/null", O_WRONLY);

		close(pfd[1]);
		dup2(null, 1);
		if (read(pfd[0], &c, 1) != 1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[0]);
	*child = pid;
	if (tfs_write("events/raw_syscalls/sys_enter/filter", "common_pid == %d", pid) ||
	    tfs_write("events/sched/sched_process_exec/filter", "common_pid == %d", pid) ||
	    tfs_write("trace", "") ||
	    tfs_write("events/raw_syscalls/sys_enter/enable", "1") ||
	    tfs_write("events/sched/sched_process_exec/enable", "1")) {
		CHECK(1, "cannot set up the recording in %s", instance);
		kill(pid, SIGKILL);
	} else if (write(pfd[1], "x", 1) != 1) {
		kill(pid, SIGKILL);
	}
	close(pfd[1]);
	waitpid(pid, &status, 0);
	record_off();
	if (CHECK(!WIFEXITED(status) || WEXITSTATUS(status), "replay_prog %s: status %#x",
		  arg ? arg : "", status))
		return -1;

	snprintf(tfile, sizeof(tfile), "%s/trace", instance);
	buf = slurp(tfile);
	if (CHECK(!buf, "cannot read %s", tfile))
		return -1;
	CHECK(strstr(buf, "LOST") != NULL, "the trace buffer lost events");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *nr = strstr(line, ": sys_enter: NR ");

		if (strstr(line, ": sched_process_exec:"))
			after = 1;
		else if (after && nr && n < max)
			calls[n++] = atoi(nr + strlen(": sys_enter: NR "));
	}
	free(buf);
	CHECK(!after, "no exec recorded for replay_prog");
	return n;
}

/* Start `ebph run` with detector DET, saving in DIR; wait for another
 * instance (another test) to end.  A line for every anomalous call
 * (--every-anomaly), not one an incident: the count is compared. */
static pid_t start_live(const char *log, const char *dir, int det)
{
	char *argv[] = { "./ebph", "run", "--no-load", "--profile-dir", (char *)dir,
			 "--normal-wait", "0", "--save-interval", "0",
			 "--detector", (char *)det_name[det], "--every-anomaly",
			 "-o", "ebph_kern.o", NULL };
	int tries, i;

	for (tries = 0; tries < 60; tries++) {
		pid_t pid = fork();

		if (pid == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			dup2(fd, 1);
			dup2(fd, 2);
			execv(argv[0], argv);
			_exit(127);
		}
		for (i = 0; i < 500; i++) {
			int status;

			if (file_has(log, "ebph attached"))
				return pid;
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			sleep_ms(20);
		}
		if (!file_has(log, "another ebph is already running")) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		sleep_ms(1000);
	}
	return -1;
}

/* Lines of ebph run's LOG about PID that hold WHAT. */
static long log_count(const char *log, pid_t pid, const char *what)
{
	char *buf = slurp(log), *line, *save = NULL, tag[32];
	long n = 0;

	if (!buf)
		return -1;
	snprintf(tag, sizeof(tag), "PID %d (", pid);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n += strstr(line, tag) && strstr(line, what);
	free(buf);
	return n;
}

/* The only *.prof in DIR, loaded into REC. */
static int load_only(const char *dir, struct ebph_profile_rec *rec)
{
	struct dirent **ents;
	char file[600], why[128] = "";
	int n, i, found = 0, err = -ENOENT;

	n = scandir(dir, &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);

		if (l > 5 && !strcmp(ents[i]->d_name + l - 5, ".prof") && !found++) {
			snprintf(file, sizeof(file), "%s/%s", dir, ents[i]->d_name);
			err = profile_load(file, rec, 0, why, sizeof(why));
			CHECK(err, "%s: %s", file, why);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	CHECK(found != 1, "%d profiles in %s, want 1", found, dir);
	return found == 1 ? err : -EINVAL;
}

/* The sequences of REC, sorted, as "seq:sets" words, for a comparison. */
static int cmp_seq_rec(const void *a, const void *b)
{
	const struct ebph_seq_rec *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 :
	       (int)x->sets - (int)y->sets;
}

static void test_live(int det)
{
	static const char *args[NRUNS] = { NULL, NULL, "x", NULL, NULL, NULL, "y", NULL };
	static int calls[NRUNS][MAX_CALLS];
	struct ebph_profile_rec live = {}, replayed = {};
	struct row rows[MAX_ROWS];
	struct stat st;
	char file[600], key[32], log[512], livedir[512], recdir[512], savedir[512];
	static char name[32];
	int n[NRUNS], i, c, s, rc, bad;
	pid_t pid, pids[NRUNS];

	snprintf(livedir, sizeof(livedir), "%s", path("live-%s", det_name[det]));
	snprintf(recdir, sizeof(recdir), "%s", path("rec-%s", det_name[det]));
	snprintf(savedir, sizeof(savedir), "%s", path("replayed-%s", det_name[det]));
	snprintf(name, sizeof(name), "live %s", det_name[det]);
	TEST(name);
	if (CHECK(bpf_ensure_mounts(0), "tracefs"))
		return;
	snprintf(instance, sizeof(instance), TRACEFS "/instances/ebph_test_replay_%d", getpid());
	if (CHECK(mkdir(instance, 0700), "mkdir %s: %s", instance, strerror(errno)))
		return;
	mkdirs(livedir);
	mkdirs(recdir);
	snprintf(log, sizeof(log), "%s", path("live-%s.log", det_name[det]));

	pid = start_live(log, livedir, det);
	if (CHECK(pid < 0, "ebph run did not start")) {
		show(log);
		goto out;
	}
	for (i = 0; i < NRUNS; i++) {
		n[i] = record_run(args[i], calls[i], MAX_CALLS, &pids[i]);
		snprintf(file, sizeof(file), "%s/run-%d", recdir, i + 1);
		if (n[i] > 0)
			write_trace(file, calls[i], n[i]);
	}
	kill(pid, SIGINT);
	rc = -1;
	if (waitpid(pid, &s, 0) == pid && WIFEXITED(s))
		rc = WEXITSTATUS(s);
	if (CHECK(rc != 0, "ebph run exited %d", rc))
		show(log);

	/* The program is deterministic and the recorder saw all of it:
	 * 50 x 3 calls and exit_group, plus 60 with "x", 16 with "y". */
	for (i = 0; i < NRUNS; i++)
		CHECK_EQ(n[i], 151 + (!args[i] ? 0 : args[i][0] == 'y' ? 16 : 60),
			 "calls recorded");
	CHECK(n[0] > 0 && calls[0][n[0] - 1] != __NR_exit_group, "last call not exit_group");

	/* The live profile, saved by ebph run on SIGINT. */
	if (CHECK(stat("tests/replay_prog", &st), "stat tests/replay_prog"))
		goto out;
	snprintf(key, sizeof(key), "%016llx.prof",
		 (unsigned long long)ebph_profile_key(st.st_dev, st.st_ino));
	snprintf(file, sizeof(file), "%s/%s", livedir, key);
	{
		char why[128] = "";

		if (CHECK(profile_load(file, &live, 0, why, sizeof(why)),
			  "the live profile %s: %s", file, why)) {
			show(log);
			goto out;
		}
	}

	/* The record, replayed as a live system runs it. */
	rc = ebph(path("learn.out"), path("learn.err"), "replay", "-o", object,
		  "-t", recdir, "--normal-wait", "0", "--save", savedir,
		  "--csv", path("learn.csv"), "--detector", det_name[det], NULL);
	if (CHECK(rc != 0, "ebph replay (learn) exited %d", rc)) {
		show(path("learn.err"));
		goto out;
	}
	if (load_only(savedir, &replayed))
		goto out;

	CHECK_EQ(replayed.prof.status, live.prof.status, "status");
	CHECK_EQ(replayed.prof.count, live.prof.count, "count");
	CHECK_EQ(replayed.prof.train_count, live.prof.train_count, "train_count");
	CHECK_EQ(replayed.prof.last_mod_count, live.prof.last_mod_count, "last_mod_count");
	CHECK_EQ(replayed.prof.anomalies, live.prof.anomalies, "anomalies");
	for (s = 0; s < 2; s++) {
		int rows_live = 0;

		bad = 0;
		for (c = 0; c < EBPH_NUM_SYSCALLS; c++) {
			__u8 *a = live.rows[s][c], *b = replayed.rows[s][c];

			rows_live += !!a;
			if (!a != !b || (a && memcmp(a, b, EBPH_NUM_SYSCALLS))) {
				if (!bad++)
					printf("FAIL live: %s row of call %d: %s\n",
					       s ? "test" : "train", c,
					       !a ? "only in the replay" : !b ? "only in the live run"
					       : "different bytes");
				test_failed++;
			}
		}
		if (!bad)
			test_passed++;
		/* Rows exactly when the pairs detector runs. */
		CHECK(!rows_live != !(det & DET_PAIRS), "the live profile has %d %s rows",
		      rows_live, s ? "test" : "train");
	}
	/* The sequences, set for set, once profiles on disk hold them. */
	if (live.nseqs || replayed.nseqs || !(det & DET_SEQS)) {
		CHECK(!(det & DET_SEQS) && live.nseqs,
		      "%zu sequences in the live profile with pairs alone", live.nseqs);
		CHECK_EQ(replayed.nseqs, live.nseqs, "sequences");
		if (live.nseqs == replayed.nseqs && live.nseqs) {
			qsort(live.seqs, live.nseqs, sizeof(*live.seqs), cmp_seq_rec);
			qsort(replayed.seqs, replayed.nseqs, sizeof(*replayed.seqs), cmp_seq_rec);
			for (i = 0; i < (int)live.nseqs; i++)
				if (live.seqs[i].seq != replayed.seqs[i].seq ||
				    live.seqs[i].sets != replayed.seqs[i].sets)
					break;
			CHECK(i < (int)live.nseqs,
			      "sequence %d: live %llx (sets %u), replayed %llx (sets %u)", i,
			      (unsigned long long)live.seqs[i].seq, live.seqs[i].sets,
			      (unsigned long long)replayed.seqs[i].seq, replayed.seqs[i].sets);
		}
	} else {
		printf("note: live %s: the profiles on disk hold no sequences: compared by counters and events\n",
		       det_name[det]);
	}

	/* What the runs put the profile through, or the comparison above
	 * would prove little: normal in run 1, over both limits in run 3
	 * (the argument), normal again in the last run, whose counters then
	 * depend on the exact call at which it froze. */
	n[0] = read_csv(path("learn.csv"), rows, MAX_ROWS);
	if (!CHECK(n[0] != NRUNS, "learn CSV: %d rows", n[0])) {
		CHECK(rows[0].normal != 1 || rows[0].anomalies == 0,
		      "run 1: normal %ld times, %ld anomalies", rows[0].normal, rows[0].anomalies);
		/* And the events: what the live run printed for each run's
		 * PID is what the replay counted for its trace. */
		for (i = 0; i < NRUNS; i++) {
			long anom = log_count(log, pids[i], "anomaly in ");
			long tol = log_count(log, pids[i], "over the tolerize limit");

			CHECK(anom != rows[i].anomalies || tol != rows[i].tolerized,
			      "run %d: live: %ld anomalies, %ld tolerizations; replayed: %ld, %ld",
			      i + 1, anom, tol, rows[i].anomalies, rows[i].tolerized);
		}
		CHECK(rows[5].normal != 1, "run 6: normal %ld times, want 1", rows[5].normal);
		CHECK(rows[2].tolerized == 0 || rows[2].stopped != 1 ||
		      rows[2].max_lfc <= EBPH_TOLERIZE_LIMIT,
		      "run 3: tolerized %ld, stopped %ld, max LFC %ld", rows[2].tolerized,
		      rows[2].stopped, rows[2].max_lfc);
	}
out:
	profile_rec_free(&live);
	profile_rec_free(&replayed);
	record_off();
	rmdir(instance);
}

static void cleanup(void)
{
	char cmd[64];

	if (getenv("EBPH_TEST_KEEP")) {
		printf("note: the files are kept in %s\n", tmp);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		printf("note: could not remove %s\n", tmp);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("EBPH_TEST_OBJECT"))
		object = getenv("EBPH_TEST_OBJECT");
	if (CHECK(access("./ebph", X_OK) || access("tests/replay_prog", X_OK),
		  "run from the top directory after make (./ebph, tests/replay_prog)"))
		return test_summary();
	if (CHECK(!mkdtemp(tmp), "mkdtemp: %s", strerror(errno)))
		return test_summary();

	make_dataset();
	test_dataset();
	test_protocol(DET_PAIRS, 0);
	test_protocol(DET_SEQS, 1);
	test_protocol(DET_BOTH, 1);
	test_protocol(DET_SEQS7, 1);
	test_isolation(DET_PAIRS);
	test_isolation(DET_SEQS);
	test_isolation(DET_BOTH);
	test_isolation(DET_SEQS7);
	test_formats();
	test_units();
	test_errors();
	test_live(DET_PAIRS);
	test_live(DET_SEQS);
	cleanup();
	return test_summary();
}
