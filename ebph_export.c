// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_export.c - profiles that travel: `ebph export` writes a profile of
 * the running ebph as a portable file (profile_portable.c) or as a
 * seccomp allow-list (ebph_seccomp.c); `ebph import` keys a portable
 * file to this machine's copy of its program, if that copy's contents
 * hash the same, and loads it into the running ebph (as `ebph run`
 * loads its saved profiles: ebph_profile_write()) or into a profile
 * directory.  A machine that never ran the program then tests it from
 * its first exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_sys.h"
#include "ebph.h"
#include "ebph_cmd.h"
#include "ebph_log.h"
#include "ebph_maps.h"
#include "ebph_seccomp.h"
#include "ebph_util.h"
#include "profile_portable.h"

static const char export_usage[] =
"Usage: ebph export [--output FILE] PROFILE\n"
"       ebph export --seccomp [--output FILE] PROFILE\n"
"A profile of the running ebph as a file that another machine imports\n"
"(ebph import): its executable's path and the SHA-256 of its contents,\n"
"and everything the profile learned.  With --seccomp, the calls it\n"
"learned (and execve) as a seccomp allow-list in the OCI format (Docker,\n"
"podman, runc, crun: linux.seccomp), and the matching systemd lines on\n"
"stderr.  PROFILE: a key, an executable's path or its name.\n"
"\n"
"Options:\n"
"      --output FILE  write to FILE (default: stdout, but not a terminal\n"
"                     for a profile; long only: -o is --object)\n"
"      --seccomp      the allow-list, not the profile\n"
"  -h, --help         this help\n"
"\n"
"Examples:\n"
"  sudo ebph export --output nginx.ebph /usr/sbin/nginx\n"
"  sudo ebph export --seccomp --output nginx.json nginx 2>nginx.conf\n";

static const char import_usage[] =
"Usage: ebph import [-d DIR] FILE\n"
"A profile that ebph export wrote, keyed to this machine's file at its\n"
"path (its device and inode here) if that file's contents have the\n"
"SHA-256 the profile was learned of, refused otherwise.  Into the\n"
"running ebph, which tests the program from its next exec, or into a\n"
"profile directory, which the next ebph run loads.  The program must\n"
"have no profile there yet (ebph delete removes one).\n"
"\n"
"Options:\n"
"  -d, --profile-dir DIR  into DIR, not into the running ebph\n"
"  -h, --help             this help\n"
"\n"
"Examples:\n"
"  sudo ebph import nginx.ebph\n"
"  sudo ebph import -d /var/lib/ebph nginx.ebph\n";

/* CLOCK_REALTIME - CLOCK_BOOTTIME, in ns: normal_time on disk. */
static __s64 boot_to_real(void)
{
	return (__s64)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
}

/* SIZE bytes at BUF to FILE, or stdout if FILE is NULL: 0, or 1 with
 * one sentence.  A FILE half written is removed. */
static int write_out(const char *file, const void *buf, size_t size)
{
	FILE *f = file ? fopen(file, "we") : stdout;
	int bad;

	if (!f) {
		fprintf(stderr, "ebph export: %s: %s\n", file, strerror(errno));
		return 1;
	}
	bad = fwrite(buf, 1, size, f) != size;
	bad |= file ? fclose(f) != 0 : fflush(f) != 0;
	if (bad) {
		fprintf(stderr, "ebph export: cannot write %s: %s\n",
			file ? file : "to stdout", strerror(errno));
		if (file)
			unlink(file);
		return 1;
	}
	return 0;
}

/* The SHA-256 and size of the file at REC's path, which must still be
 * the one of REC's key: 0, or 1 with one sentence. */
static int exe_digest(const struct ebph_profile_rec *rec, struct ebph_portable *p)
{
	char path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	struct stat st;
	int fd, err;

	ebph_escape(rec->path, path, sizeof(path));
	if (rec->path[0] != '/') {
		fprintf(stderr, "ebph export: profile %016llx has no executable's path (only '%s'): nothing to key it by elsewhere\n",
			(unsigned long long)rec->prof.key, path);
		return 1;
	}
	fd = open(rec->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "ebph export: %s: %s: its contents cannot be hashed\n",
			path, strerror(errno));
		return 1;
	}
	/* The file hashed must be the one the profile learned: a program
	 * upgraded since (a new inode) would name the wrong contents. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    ebph_profile_key(st.st_dev, st.st_ino) != rec->prof.key) {
		fprintf(stderr, "ebph export: %s is no longer the file profile %016llx learned (replaced since): nothing exported\n",
			path, (unsigned long long)rec->prof.key);
		close(fd);
		return 1;
	}
	err = sha256_fd(fd, p->sha256);
	close(fd);
	if (err) {
		fprintf(stderr, "ebph export: %s: %s\n", path, strerror(-err));
		return 1;
	}
	p->exe_size = st.st_size;
	return 0;
}

static int rows_of(const struct ebph_profile_rec *rec, int set)
{
	int c, n = 0;

	for (c = 0; c < EBPH_NUM_CALLS; c++)
		n += rec->rows[set][c] != NULL;
	return n;
}

/* Profile REC (of the running ebph's snapshot) as a portable file. */
static int export_portable(struct ebph_profile_rec *rec, const char *file)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], hex[2 * SHA256_LEN + 1];
	struct ebph_portable p = { .rec = *rec };	/* shares REC's rows */
	uint8_t *buf;
	size_t size;
	int err, rc;

	if (!file && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ebph export: a profile is binary: not written to a terminal (give --output FILE)\n");
		return 1;
	}
	if (exe_digest(rec, &p))
		return 1;
	/* As a save does: the kernel's racy counters in order, so that
	 * what is written loads. */
	profile_rec_settle(&p.rec);
	err = portable_encode(&p, boot_to_real(), &buf, &size);
	if (err) {
		fprintf(stderr, "ebph export: profile %016llx cannot be written: %s\n",
			(unsigned long long)rec->prof.key, strerror(-err));
		return 1;
	}
	rc = write_out(file, buf, size);
	free(buf);
	if (rc)
		return rc;
	sha256_hex(p.sha256, hex);
	fprintf(stderr, "ebph export: %s (%016llx), %s: %d train rows, %d test rows, %zu sequences; sha256 %s; %zu bytes to %s\n",
		cmd_profile_name(rec, name, sizeof(name)), (unsigned long long)rec->prof.key,
		cmd_state_name(rec->prof.status), rows_of(rec, EBPH_TRAIN),
		rows_of(rec, EBPH_TEST), rec->nseqs, hex, size, file ? file : "stdout");
	return 0;
}

/* Profile REC's calls as an OCI seccomp allow-list to FILE, and the
 * systemd lines on stderr. */
static int export_seccomp(const struct ebph_profile_rec *rec, const char *file)
{
	char name[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	struct seccomp_calls *c = malloc(sizeof(*c));
	FILE *f;
	int err;

	if (!c) {
		fprintf(stderr, "ebph export: out of memory\n");
		return 1;
	}
	seccomp_calls(rec, c);
	f = file ? fopen(file, "we") : stdout;
	if (!f) {
		fprintf(stderr, "ebph export: %s: %s\n", file, strerror(errno));
		free(c);
		return 1;
	}
	err = seccomp_write_oci(f, c);
	if ((file ? fclose(f) : fflush(f)) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "ebph export: cannot write %s: %s\n", file ? file : "to stdout",
			strerror(-err));
		if (file)
			unlink(file);
		free(c);
		return 1;
	}
	fprintf(stderr, "ebph export: %s (%016llx): %u calls allowed%s",
		cmd_profile_name(rec, name, sizeof(name)), (unsigned long long)rec->prof.key,
		c->n, c->i386 ? " (i386 ones too)" : "");
	if (c->unnamed)
		fprintf(stderr, ", %u without a name left out", c->unnamed);
	fprintf(stderr, "; for a systemd unit:\n");
	seccomp_write_systemd(stderr, c);
	free(c);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'O' },
		{ "seccomp", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *file = NULL;
	struct ebph_snapshot s;
	struct ebph_maps m;
	int c, seccomp = 0, rc, err, tries;
	__u64 key;

	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			file = optarg;
			break;
		case 'o':	/* kept in the string to be answered */
			return ebph_usage_error("export", "-o is --object in every command: write --output FILE");
		case 'S':
			seccomp = 1;
			break;
		case 'h':
			fputs(export_usage, stdout);
			return 0;
		default:
			return ebph_try_help("export");	/* getopt_long() said why */
		}
	}
	if (argc - optind != 1)
		return ebph_usage_error("export", argc - optind < 1 ?
					"missing argument: the profile" : "too many arguments");
	if (cmd_open("export", &m))
		return 1;
	/* A walk cut short by a map changing under it may miss rows (as
	 * for a save): read again. */
	for (tries = 0; (err = ebph_snapshot_read(&m, &s)) == -EAGAIN && tries < 3; tries++)
		;
	if (err) {
		fprintf(stderr, "ebph export: cannot read the running ebph's profiles: %s\n",
			strerror(-err));
		ebph_maps_close(&m);
		return 1;
	}
	rc = 1;
	if (!cmd_resolve_profile("export", &s, argv[optind], &key)) {
		struct ebph_profile_rec *rec = ebph_snapshot_find(&s, key);

		rc = seccomp ? export_seccomp(rec, file) : export_portable(rec, file);
	}
	ebph_snapshot_free(&s);
	ebph_maps_close(&m);
	return rc;
}

/*
 * P's executable on this machine: the file at its path, if its contents
 * have P's SHA-256; P->rec keyed to it (its device and inode here).  The
 * file is hashed through the descriptor it is keyed by, so a swap in
 * between cannot key one file with another's hash.  0, or 1 with one
 * sentence naming FILE.
 */
static int key_to_local(const char *file, struct ebph_portable *p)
{
	char path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)];
	char want[2 * SHA256_LEN + 1], got[2 * SHA256_LEN + 1];
	uint8_t digest[SHA256_LEN];
	struct stat st;
	int fd, err;

	ebph_escape(p->rec.path, path, sizeof(path));
	fd = open(p->rec.path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "ebph import: %s: refused: its program %s is not here: %s\n",
			file, path, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ebph import: %s: refused: %s is not a regular file\n",
			file, path);
		close(fd);
		return 1;
	}
	err = sha256_fd(fd, digest);
	close(fd);
	if (err) {
		fprintf(stderr, "ebph import: %s: %s: %s\n", file, path, strerror(-err));
		return 1;
	}
	if (memcmp(digest, p->sha256, SHA256_LEN) || (uint64_t)st.st_size != p->exe_size) {
		sha256_hex(p->sha256, want);
		sha256_hex(digest, got);
		fprintf(stderr, "ebph import: %s: refused: %s here is not the program the profile learned (SHA-256 %s, %lld bytes; the profile's: %s, %llu bytes)\n",
			file, path, got, (long long)st.st_size, want,
			(unsigned long long)p->exe_size);
		return 1;
	}
	p->rec.prof.key = ebph_profile_key(st.st_dev, st.st_ino);
	/* An admin put it there: charged to no user's quota (ebph.h,
	 * owners), as root's own profiles are not. */
	p->rec.prof.owner = EBPH_OWNER_ROOT;
	return 0;
}

/* P into the profile directory DIR, where no file of its key may be. */
static int import_dir(struct ebph_portable *p, const char *dir)
{
	char path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], why[256], name[PROFILE_NAME_LEN];
	char where[PATH_MAX];
	struct stat st;
	int err;

	ebph_escape(p->rec.path, path, sizeof(path));
	err = profile_dir_check(dir, why, sizeof(why));
	if (err) {
		fprintf(stderr, "ebph import: %s: %s\n", dir,
			err == -EPERM ? why : strerror(-err));
		return 1;
	}
	profile_file_name(p->rec.prof.key, name);
	snprintf(where, sizeof(where), "%s/%s", dir, name);
	if (!lstat(where, &st)) {
		fprintf(stderr, "ebph import: %s exists: this machine has a profile of %s already (move the file away to import this one)\n",
			where, path);
		return 1;
	}
	err = profile_save(dir, &p->rec, boot_to_real());
	if (err) {
		fprintf(stderr, "ebph import: cannot write %s: %s\n", where, strerror(-err));
		return 1;
	}
	printf("%s (%016llx): %s, imported into %s\n", path,
	       (unsigned long long)p->rec.prof.key, cmd_state_name(p->rec.prof.status),
	       where);
	return 0;
}

/* P into the running ebph's maps, where no profile of its key may be. */
static int import_running(struct ebph_portable *p)
{
	char path[EBPH_ESCAPED_LEN(EBPH_PATH_LEN)], target[EBPH_PATH_LEN + 32];
	char msg[256], warn[256] = "";
	struct ebph_profile old;
	__u64 key = p->rec.prof.key;
	struct ebph_maps m;
	int err, seq_err;

	if (cmd_open("import", &m))
		return 1;
	ebph_escape(p->rec.path, path, sizeof(path));
	if (!bpf_map_lookup(m.profiles, &key, &old)) {
		fprintf(stderr, "ebph import: %s has a profile in the running ebph already (%016llx, %s): delete it first (ebph delete %016llx)\n",
			path, (unsigned long long)key, cmd_state_name(old.status),
			(unsigned long long)key);
		ebph_maps_close(&m);
		return 1;
	}
	err = ebph_profile_write(&m, &p->rec);
	if (err) {
		fprintf(stderr, "ebph import: cannot write the profile into the running ebph's maps: %s%s\n",
			strerror(-err), err == -E2BIG || err == -ENOMEM || err == -ENOSPC ?
			" (map full)" : "");
		/* Not half a profile: what was written goes. */
		cmd_delete_profile(&m, &p->rec.prof, 1, msg, sizeof(msg), &seq_err);
		ebph_maps_close(&m);
		return 1;
	}
	snprintf(target, sizeof(target), "%s (%016llx)", p->rec.path, (unsigned long long)key);
	cmd_audit("import", target, "no profile", cmd_state_name(p->rec.prof.status), warn,
		  sizeof(warn));
	printf("%s (%016llx): %s, imported into the running ebph\n", path,
	       (unsigned long long)key, cmd_state_name(p->rec.prof.status));
	if (warn[0])
		fprintf(stderr, "ebph import: %s\n", warn);
	ebph_maps_close(&m);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dir = NULL, *file;
	struct ebph_portable p;
	char why[256];
	int c, err, rc;

	while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(import_usage, stdout);
			return 0;
		default:
			return ebph_try_help("import");	/* getopt_long() said why */
		}
	}
	if (argc - optind != 1)
		return ebph_usage_error("import", argc - optind < 1 ?
					"missing argument: the file" : "too many arguments");
	file = argv[optind];
	if (geteuid() != 0) {
		fprintf(stderr, "ebph import: must run as root: profiles are root's\n");
		return 1;
	}
	err = portable_load(file, &p, boot_to_real(), why, sizeof(why));
	if (err) {
		fprintf(stderr, "ebph import: %s: refused: %s\n", file, why);
		return 1;
	}
	rc = key_to_local(file, &p);
	if (!rc)
		rc = dir ? import_dir(&p, dir) : import_running(&p);
	profile_rec_free(&p.rec);
	return rc;
}
