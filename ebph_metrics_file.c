// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_metrics_file.c - `ebph run --metrics FILE`: the metrics of `ebph
 * status --prometheus` (ebph_metrics.c) kept in FILE, rewritten every
 * --metrics-interval, for node_exporter's textfile collector.
 *
 * A reader must never see half a file: each version is written to a
 * temporary file in the same directory (mkostemp), fsync'd and renamed
 * over FILE, which is atomic within a file system.  The temporary name
 * begins with a dot and does not end in .prom, so the collector, which
 * reads *.prom, never reads one.  Mode 0644: node_exporter does not run
 * as root.  At a clean exit FILE says ebph_up 0, so that an alert on
 * ebph_up fires for an ebph that stopped, not only for one that never
 * wrote.  The numbers are read as `ebph status` reads them (status_read()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ebph_run.h"
#include "ebph_util.h"		/* clock_ns() */

int metrics_check(const char *path, const char *dash, char *why, size_t len)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (!*path || strlen(path) >= sizeof(dir) - 16 || path[strlen(path) - 1] == '/') {
		snprintf(why, len, "invalid %smetrics '%s' (a file's path, e.g. /var/lib/node_exporter/textfile/ebph.prom)",
			 dash, path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = 0;	/* "/x": the root */
	if (stat(dir, &st)) {
		snprintf(why, len, "%smetrics '%s': no directory %s (%s)", dash, path, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%smetrics '%s': %s is not a directory", dash, path, dir);
		return -1;
	}
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		snprintf(why, len, "%smetrics '%s' is not a regular file", dash, path);
		return -1;
	}
	return 0;
}

/*
 * T's metrics (NULL: ebph_up 0) in PATH, whole or not at all: a
 * temporary file beside it, written, fsync'd, renamed over it.  0, or
 * -errno (PATH is as it was).
 */
static int write_atomic(const char *path, const struct status *t)
{
	char tmp[PATH_MAX];
	const char *base = strrchr(path, '/');
	int fd, err = 0;
	FILE *f;

	base = base ? base + 1 : path;
	snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)(base - path), path, base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* mkostemp() makes it 0600, whatever the umask. */
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		goto out;
	}
	if (t)
		metrics_print(f, t);
	else
		metrics_print_down(f);
	if (fflush(f) || ferror(f) || fsync(fd))
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
out:
	if (err)
		unlink(tmp);
	return err;
}

/* The outcome ERR of a write, said when it changes: a directory that
 * fails once fails every interval, and one line says so, one more when
 * it works again. */
static void said(struct ebph *e, int err)
{
	if (err == e->metrics_err)
		return;
	if (err)
		say(e, EBPH_ERROR, "cannot write the metrics to %s: %s (trying again every %llus)",
		    e->opt.metrics, strerror(-err),
		    (unsigned long long)(e->opt.metrics_interval / 1000000000ULL));
	else
		say(e, EBPH_INFO, "metrics written to %s again", e->opt.metrics);
	e->metrics_err = err;
}

void metrics_tick(struct ebph *e)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC);
	struct status t;
	int err;

	if (!e->opt.metrics || now < e->metrics_next)
		return;
	e->metrics_next = now + e->opt.metrics_interval;
	if (status_read(&e->m, &t))
		err = -EIO;
	else
		err = write_atomic(e->opt.metrics, &t);
	said(e, err);
}

void metrics_moved(struct ebph *e, const char *old)
{
	/* Two files would give the collector two ebph_up: the old goes. */
	if (old && (!e->opt.metrics || strcmp(old, e->opt.metrics)))
		unlink(old);
	e->metrics_err = 0;
	e->metrics_next = 0;		/* at the next turn */
}

void metrics_stop(struct ebph *e)
{
	if (e->opt.metrics)
		said(e, write_atomic(e->opt.metrics, NULL));
}
