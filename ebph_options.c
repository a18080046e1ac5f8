// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_options.c - the settings of `ebph run`, from one table of options:
 * the command line, the config file (EBPH_CONFIG_FILE, or --config), and
 * a reload (SIGHUP) that reads the file again and applies what changed.
 *
 * The file is the command line's long options, one a line:
 *
 *   # a comment
 *   normal-wait = 3d
 *   syslog
 *
 * The defaults, then the file, then the command line: an option given on
 * the command line wins over the file.  A file, not systemd's
 * EnvironmentFile=: ebph run by hand reads it too, and a reload can read
 * it again (an environment is fixed when the process starts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>

#include "bpf_sys.h"		/* bpf_map_lookup(), bpf_map_update() */
#include "ebph_notify.h"
#include "ebph_run.h"
#include "ebph_util.h"		/* parse_duration(), ebph_usage_error() */

enum { OPT_ANOMALY = 256, OPT_TOLERIZE, OPT_NO_LOAD, OPT_NO_SAVE,
       OPT_SYSLOG, OPT_LOG_SEQ, OPT_DETECTOR, OPT_OWNER_QUOTA,
       OPT_NO_FRAMES, OPT_CONFIG, OPT_NO_CONFIG, OPT_EVERY_ANOMALY,
       OPT_INCIDENT_TIMEOUT, OPT_METRICS, OPT_METRICS_INTERVAL, OPT_DELAY_FACTOR,
       OPT_ENFORCE, OPT_EXECVE_LFC };

/* A short option means one thing in every command (ebph(8)): -d, -w,
 * -s, -o, -v and -j here are the same as wherever else they are taken. */
const char run_shortopts[] = "d:w:s:o:vjh";

const struct option run_longopts[] = {
	{ "profile-dir", required_argument, NULL, 'd' },
	{ "normal-wait", required_argument, NULL, 'w' },
	{ "save-interval", required_argument, NULL, 's' },
	{ "anomaly-limit", required_argument, NULL, OPT_ANOMALY },
	{ "tolerize-limit", required_argument, NULL, OPT_TOLERIZE },
	{ "no-load", no_argument, NULL, OPT_NO_LOAD },
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },
	{ "object", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'j' },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "log-sequences", no_argument, NULL, OPT_LOG_SEQ },
	{ "every-anomaly", no_argument, NULL, OPT_EVERY_ANOMALY },
	{ "incident-timeout", required_argument, NULL, OPT_INCIDENT_TIMEOUT },
	{ "detector", required_argument, NULL, OPT_DETECTOR },
	{ "owner-quota", required_argument, NULL, OPT_OWNER_QUOTA },
	{ "no-signal-frames", no_argument, NULL, OPT_NO_FRAMES },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL },
	{ "delay-factor", required_argument, NULL, OPT_DELAY_FACTOR },
	{ "enforce", no_argument, NULL, OPT_ENFORCE },
	{ "execve-lfc", required_argument, NULL, OPT_EXECVE_LFC },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

void options_default(struct options *o)
{
	*o = (struct options){
		.profile_dir = EBPH_DEFAULT_PROFILE_DIR,
		.normal_wait = EBPH_NORMAL_WAIT,
		.save_interval = 600ULL * 1000000000ULL,
		.anomaly_limit = EBPH_ANOMALY_LIMIT,
		.tolerize_limit = EBPH_TOLERIZE_LIMIT,
		.load = 1, .save = 1,
		.detectors = EBPH_DET_PAIRS,
		.owner_quota = EBPH_OWNER_QUOTA,
		.signal_frames = 1,
		.execve_lfc = EBPH_EXECVE_LFC,
		.incident_timeout = 60ULL * 1000000000ULL,
		.metrics_interval = 15ULL * 1000000000ULL,
		.config = EBPH_CONFIG_FILE,
	};
}

/* S as a whole number up to MAX into *V: 0, or -1 with WHY. */
static int parse_uint(const char *s, const char *dash, const char *name,
		      unsigned long max, __u32 *v, char *why, size_t len)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n > max) {
		snprintf(why, len, "invalid %s%s '%s' (a whole number from 0 to %lu)",
			 dash, name, s, max);
		return -1;
	}
	*v = n;
	return 0;
}

int take_option(struct options *o, int c, const char *arg, const char *dash,
		char *why, size_t len)
{
	long long d;

	switch (c) {
	case 'd':
		o->profile_dir = arg;
		break;
	case 'w':
		if ((d = parse_duration(arg)) < 0)
			goto bad_time;
		o->normal_wait = d;
		break;
	case 's':
		if ((d = parse_duration(arg)) < 0)
			goto bad_time;
		o->save_interval = d;
		break;
	case OPT_ANOMALY:
		return parse_uint(arg, dash, "anomaly-limit", 1000000, &o->anomaly_limit, why, len);
	case OPT_TOLERIZE:
		return parse_uint(arg, dash, "tolerize-limit", EBPH_LOCALITY_WIN,
				  &o->tolerize_limit, why, len);
	case OPT_NO_LOAD:
		o->load = 0;
		break;
	case OPT_NO_SAVE:
		o->save = 0;
		break;
	case 'j':
		o->json = 1;
		break;
	case OPT_SYSLOG:
		o->syslog = 1;
		openlog("ebph", LOG_PID, LOG_DAEMON);
		break;
	case OPT_LOG_SEQ:
		o->log_sequences = 1;
		break;
	case OPT_EVERY_ANOMALY:
		o->every_anomaly = 1;
		break;
	case OPT_INCIDENT_TIMEOUT:
		if ((d = parse_duration(arg)) <= 0) {
			snprintf(why, len, "invalid %sincident-timeout '%s' (e.g. 30s, 5m)", dash, arg);
			return -1;
		}
		o->incident_timeout = d;
		break;
	case OPT_METRICS:
		if (metrics_check(arg, dash, why, len))
			return -1;
		o->metrics = arg;
		break;
	case OPT_METRICS_INTERVAL:
		/* The event loop turns once a second at least. */
		if ((d = parse_duration(arg)) < 1000000000LL) {
			snprintf(why, len, "invalid %smetrics-interval '%s' (1s or more, e.g. 15s, 1m)",
				 dash, arg);
			return -1;
		}
		o->metrics_interval = d;
		break;
	case OPT_DELAY_FACTOR:
		/* Over the cap, every delay would be the cap: a typo. */
		if ((d = parse_duration(arg)) < 0 || (__u64)d > EBPH_DELAY_MAX_NS) {
			snprintf(why, len, "invalid %sdelay-factor '%s' (0 for off, up to 1s; e.g. 100us, 1ms)",
				 dash, arg);
			return -1;
		}
		o->delay_factor = d;
		break;
	case OPT_OWNER_QUOTA:
		return parse_uint(arg, dash, "owner-quota", EBPH_USERS_MAX, &o->owner_quota, why, len);
	case OPT_NO_FRAMES:
		o->signal_frames = 0;
		break;
	case OPT_ENFORCE:
		o->enforce = 1;
		break;
	case OPT_EXECVE_LFC:
		/* 0 would refuse every exec of a normal profile's task. */
		if (parse_uint(arg, dash, "execve-lfc", EBPH_LOCALITY_WIN, &o->execve_lfc, why, len))
			return -1;
		if (!o->execve_lfc) {
			snprintf(why, len, "invalid %sexecve-lfc '%s' (a whole number from 1 to %d)",
				 dash, arg, EBPH_LOCALITY_WIN);
			return -1;
		}
		break;
	case OPT_DETECTOR:
		if (ebph_detectors_parse(arg, &o->detectors)) {
			snprintf(why, len, "invalid %sdetector '%s' (pairs, seqs, seqs7 or both)", dash, arg);
			return -1;
		}
		break;
	case 'o':
		o->object = arg;
		break;
	case 'v':
		o->verbose = 1;
		break;
	case OPT_CONFIG:
		o->config = arg;
		o->config_given = 1;
		break;
	case OPT_NO_CONFIG:
		o->config = NULL;
		break;
	default:
		snprintf(why, len, "unknown option");
		return -1;
	}
	return 0;
bad_time:
	snprintf(why, len, "invalid %s%s '%s' (e.g. %s)", dash,
		 c == 'w' ? "normal-wait" : "save-interval", arg,
		 c == 'w' ? "3s, 10m, 1w" : "30s, 10m");
	return -1;
}

/* ---- the file ---------------------------------------------------------------- */

/* Whitespace off both ends of S, in place. */
static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			   end[-1] == '\r'))
		*--end = 0;
	return s;
}

/* A value that must outlive the line: profile-dir, object and metrics
 * point to it. */
static const char *keep_value(struct options *o, int c, const char *v)
{
	char *store = c == 'd' ? o->dir_store : c == 'o' ? o->object_store :
		      c == OPT_METRICS ? o->metrics_store : NULL;

	if (!store)
		return v;
	snprintf(store, sizeof(o->dir_store), "%s", v);
	return store;
}

/* One line of the file, LINE (trimmed, no comment), into O: 0, or -1
 * with WHY. */
static int config_line(struct options *o, char *line, char *why, size_t len)
{
	const struct option *opt;
	char *eq = strchr(line, '='), *name = line, *value = NULL;

	if (eq) {
		*eq = 0;
		name = trim(line);
		value = trim(eq + 1);
	}
	for (opt = run_longopts; opt->name; opt++)
		if (!strcmp(opt->name, name))
			break;
	if (!opt->name || opt->val == 'h' || opt->val == OPT_CONFIG ||
	    opt->val == OPT_NO_CONFIG) {
		snprintf(why, len, "unknown setting '%s' (the settings are ebph run's long options, without --)",
			 name);
		return -1;
	}
	if (opt->has_arg == no_argument && value) {
		snprintf(why, len, "%s takes no value (write it alone on its line)", name);
		return -1;
	}
	if (opt->has_arg == required_argument && (!value || !*value)) {
		snprintf(why, len, "%s needs a value (%s = VALUE)", name, name);
		return -1;
	}
	if (value)
		value = (char *)keep_value(o, opt->val, value);
	return take_option(o, opt->val, value, "", why, len);
}

/*
 * A config file sets what ebph watches and where it writes: it is
 * refused unless it is a regular file that only root can write, as
 * ebph's other files are (bpf_private_dir(), profile_dir_check()).
 */
static int config_trusted(FILE *f, const char *path, char *why, size_t len)
{
	struct stat st;

	if (fstat(fileno(f), &st)) {
		snprintf(why, len, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		snprintf(why, len, "%s is not a regular file: refused", path);
	else if (st.st_uid != 0)
		snprintf(why, len, "%s is owned by uid %u, not root: refused", path,
			 (unsigned int)st.st_uid);
	else if (st.st_mode & 022)
		snprintf(why, len, "%s is writable by group or others (mode %04o): refused",
			 path, (unsigned int)(st.st_mode & 07777));
	else
		return 0;
	return -1;
}

int config_read(struct options *o, char *why, size_t len)
{
	char *line = NULL, *s, err[200];
	size_t cap = 0;
	int n = 0, ret = 0;
	FILE *f;

	if (!o->config)
		return 0;		/* --no-config */
	f = fopen(o->config, "re");
	if (!f) {
		/* The default file is optional: ebph runs without one. */
		if (errno == ENOENT && !o->config_given)
			return 0;
		snprintf(why, len, "cannot read %s: %s", o->config, strerror(errno));
		return -1;
	}
	if (config_trusted(f, o->config, why, len)) {
		fclose(f);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		n++;
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (config_line(o, s, err, sizeof(err))) {
			snprintf(why, len, "%s:%d: %s", o->config, n, err);
			ret = -1;
			break;
		}
	}
	if (!ret && ferror(f)) {
		snprintf(why, len, "cannot read %s: %s", o->config, strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(f);
	return ret;
}

int options_argv(int argc, char **argv, struct options *o)
{
	char why[256];
	int c;

	optind = 0;		/* from the start, again at a reload */
	while ((c = getopt_long(argc, argv, run_shortopts, run_longopts, NULL)) != -1) {
		if (c == 'h')
			return 'h';
		if (c == '?')		/* getopt_long() said which */
			return ebph_try_help(NULL);
		if (take_option(o, c, optarg, "--", why, sizeof(why)))
			goto bad;
	}
	if (optind >= argc)
		return 0;
	snprintf(why, sizeof(why), "unexpected argument '%s'", argv[optind]);
bad:
	return ebph_usage_error(NULL, "%s", why);
}

int options_parse(int argc, char **argv, struct options *o)
{
	char why[PATH_MAX + 300];
	const char *config;
	int rc, given;

	/* The command line alone first: -h, a mistake in it, and where
	 * the file is (--config, --no-config) come before the file. */
	options_default(o);
	rc = options_argv(argc, argv, o);
	if (rc)
		return rc;
	/* Then the file, and the command line over it, which wins. */
	config = o->config;
	given = o->config_given;
	options_default(o);
	o->config = config;
	o->config_given = given;
	if (config_read(o, why, sizeof(why))) {
		ebph_error(NULL, "%s", why);
		return 2;	/* a usage error, in the file */
	}
	options_argv(argc, argv, o);	/* as above: it cannot fail now */
	o->argc = argc;
	o->argv = argv;
	return 0;
}

/* ---- reload ------------------------------------------------------------------ */

/* The settings a reload applies: the config map's, which `ebph set`
 * changes too, each with its field in struct options. */
static void set_setting(struct ebph_config *cfg, const struct options *o, int s)
{
	switch (s) {
	case SET_NORMAL_WAIT:	 cfg->normal_wait = o->normal_wait; break;
	case SET_ANOMALY_LIMIT:	 cfg->anomaly_limit = o->anomaly_limit; break;
	case SET_TOLERIZE_LIMIT: cfg->tolerize_limit = o->tolerize_limit; break;
	case SET_LOG_SEQUENCES:	 cfg->log_sequences = o->log_sequences; break;
	case SET_DELAY_FACTOR:	 cfg->delay_factor = o->delay_factor; break;
	case SET_ENFORCE:	 cfg->enforce = o->enforce; break;
	case SET_EXECVE_LFC:	 cfg->execve_lfc = o->execve_lfc; break;
	}
}

static const int run_time[] = {
	SET_NORMAL_WAIT, SET_ANOMALY_LIMIT, SET_TOLERIZE_LIMIT, SET_LOG_SEQUENCES,
	SET_DELAY_FACTOR,
	SET_ENFORCE, SET_EXECVE_LFC,
};

/* Whether S differs: NULL and a string are different. */
static int str_differs(const char *a, const char *b)
{
	return a != b && (!a || !b || strcmp(a, b));
}

/* The first setting of those only a start takes that differs between
 * A and B, by its name, or NULL. */
static const char *restart_differs(const struct options *a, const struct options *b)
{
	if (str_differs(a->profile_dir, b->profile_dir))
		return "profile-dir";
	if (str_differs(a->object, b->object))
		return "object";
	if (a->save_interval != b->save_interval)
		return "save-interval";
	if (a->load != b->load)
		return "no-load";
	if (a->save != b->save)
		return "no-save";
	if (a->verbose != b->verbose)
		return "verbose";
	if (a->json != b->json)
		return "json";
	if (a->syslog != b->syslog)
		return "syslog";
	if (a->detectors != b->detectors)
		return "detector";
	if (a->owner_quota != b->owner_quota)
		return "owner-quota";
	if (a->signal_frames != b->signal_frames)
		return "no-signal-frames";
	return NULL;
}

/* The run-time settings of O that differ from what was configured
 * (e->conf) into the config map, each said; e->conf updated. */
static void apply_run_time(struct ebph *e, const struct options *o)
{
	struct ebph_config now, want;
	char a[64], b[64];
	__u32 zero = 0;
	size_t i;
	int err;

	if (bpf_map_lookup(e->m.config, &zero, &now)) {
		say(e, EBPH_ERROR, "reload: cannot read the config map: %s", strerror(errno));
		return;
	}
	want = now;
	for (i = 0; i < sizeof(run_time) / sizeof(run_time[0]); i++) {
		/* Changed in the file (or its absence), not since `ebph
		 * set`: a reload keeps what an admin set meanwhile. */
		struct ebph_config was = now, is = now;

		set_setting(&was, &e->conf, run_time[i]);
		set_setting(&is, o, run_time[i]);
		if (cmd_setting_differs(&was, &is, run_time[i]))
			set_setting(&want, o, run_time[i]);
	}
	/* As `ebph set enforce on`: no "on" that would refuse nothing. */
	if (want.enforce && !now.enforce && !now.execve_hook) {
		say(e, EBPH_WARNING, "reload: enforce stays off: ebph could not attach its LSM program");
		want.enforce = 0;
	}
	if (!memcmp(&want, &now, sizeof(now)))
		return;
	err = bpf_map_update(e->m.config, &zero, &want, BPF_ANY);
	if (err) {
		say(e, EBPH_ERROR, "reload: cannot write the config map: %s", strerror(-err));
		return;
	}
	for (i = 0; i < sizeof(run_time) / sizeof(run_time[0]); i++) {
		int s = run_time[i];

		if (!cmd_setting_differs(&now, &want, s))
			continue;
		cmd_setting_fmt(&now, s, a, sizeof(a));
		cmd_setting_fmt(&want, s, b, sizeof(b));
		say(e, EBPH_INFO, "reload: %s: %s -> %s", cmd_setting_name(s), a, b);
		/* Ours, accounted for: config_check() has nothing to say. */
		cmd_setting_copy(&e->cfg_seen, &want, s);
	}
	e->conf.normal_wait = o->normal_wait;
	e->conf.anomaly_limit = o->anomaly_limit;
	e->conf.tolerize_limit = o->tolerize_limit;
	e->conf.log_sequences = o->log_sequences;
	e->conf.delay_factor = o->delay_factor;
	e->conf.enforce = o->enforce;
	e->conf.execve_lfc = o->execve_lfc;
	e->opt.anomaly_limit = o->anomaly_limit;	/* live_config()'s fallback */
	e->opt.tolerize_limit = o->tolerize_limit;
}

/* --metrics and --metrics-interval as O has them, if they changed:
 * the file moves (or goes, or comes), and is written at the next turn. */
static void apply_metrics(struct ebph *e, const struct options *o)
{
	char old[PATH_MAX], a[32], b[32];
	int had = e->opt.metrics != NULL;

	if (!str_differs(e->opt.metrics, o->metrics) &&
	    e->opt.metrics_interval == o->metrics_interval)
		return;
	if (had)
		snprintf(old, sizeof(old), "%s", e->opt.metrics);
	if (str_differs(e->opt.metrics, o->metrics))
		say(e, EBPH_INFO, "reload: metrics: %s -> %s", had ? old : "none",
		    o->metrics ? o->metrics : "none");
	if (e->opt.metrics_interval != o->metrics_interval) {
		cmd_fmt_duration(e->opt.metrics_interval, a, sizeof(a));
		cmd_fmt_duration(o->metrics_interval, b, sizeof(b));
		say(e, EBPH_INFO, "reload: metrics-interval: %s -> %s", a, b);
	}
	e->opt.metrics = NULL;
	if (o->metrics) {
		snprintf(e->opt.metrics_store, sizeof(e->opt.metrics_store), "%s", o->metrics);
		e->opt.metrics = e->opt.metrics_store;
	}
	e->opt.metrics_interval = o->metrics_interval;
	metrics_moved(e, had ? old : NULL);
}

void options_reload(struct ebph *e)
{
	char why[PATH_MAX + 300];
	struct options *o = malloc(sizeof(*o));
	const char *what;

	notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
	       clock_ns(CLOCK_MONOTONIC) / 1000,
	       e->opt.config ? e->opt.config : "(no config file)");
	if (!o) {
		say(e, EBPH_ERROR, "reload: out of memory: settings unchanged");
		goto out;
	}
	options_default(o);
	o->config = e->opt.config;
	o->config_given = e->opt.config_given;
	if (config_read(o, why, sizeof(why))) {
		say(e, EBPH_ERROR, "reload: %s: settings unchanged", why);
		goto out;
	}
	opterr = 0;		/* it was checked at the start */
	options_argv(e->opt.argc, e->opt.argv, o);
	opterr = 1;
	apply_run_time(e, o);
	apply_metrics(e, o);
	what = restart_differs(&e->conf, o);
	if (what)
		say(e, EBPH_WARNING, "reload: %s changed: it takes effect at the next start (the run-time settings are normal-wait, anomaly-limit, tolerize-limit, log-sequences, metrics, metrics-interval, delay-factor, enforce and execve-lfc)",
		    what);
out:
	free(o);
	notify("READY=1\nSTATUS=monitoring every system call");
}
