// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_audit.c - the audit trail of `ebph run` (ebph_run.h): who changed
 * what, and any change to the config map that nobody announced.
 *
 * The commands that change something tell us on EBPH_CONTROL_SOCK
 * (cmd_audit() in ebph_cmd.c), and we log who did what.  Who comes from
 * the kernel: the sender's uid and PID (SCM_CREDENTIALS, which only a
 * privileged sender can set to other values), its login uid from
 * /proc, read while it waits for our answer.  SUDO_USER is what the
 * command found in its environment: informative only.  The socket is
 * root's and 0600, so only root sends: the trail records what an admin
 * did, it cannot stop one who means to hide, and the config check
 * (config_check()) catches a change to the settings that comes with no
 * notice at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bpf_sys.h"
#include "ebph_run.h"
#include "ebph_state.h"		/* EBPH_CONTROL_SOCK */
#include "ebph_util.h"

/* The socket, made anew (one an ebph that was killed left is removed),
 * with SO_PASSCRED: the kernel gives each notice its sender's uid and
 * PID. */
int control_open(struct ebph *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, fd, err = 0;
	mode_t mask;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", EBPH_CONTROL_SOCK);
	unlink(sa.sun_path);		/* left by an ebph that was killed */
	/* 0600 as bind() creates it: never open to others, not even
	 * between a bind() and a chmod(). */
	mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	umask(mask);
	if (!err && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	e->ctl = fd;
	return 0;
}

void control_close(struct ebph *e)
{
	if (e->ctl < 0)
		return;
	close(e->ctl);
	unlink(EBPH_CONTROL_SOCK);
	e->ctl = -1;
}

static __u32 read_loginuid(__u32 pid)
{
	char path[64], buf[16];
	unsigned long v;
	ssize_t n;
	char *end;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/loginuid", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return EBPH_NO_LOGINUID;
	buf[n] = 0;
	v = strtoul(buf, &end, 10);
	return end == buf || v > EBPH_NO_LOGINUID ? EBPH_NO_LOGINUID : (__u32)v;
}

/* A notice of N bytes in BUF into its fields: EBPH_AUDIT_MAGIC, command,
 * target, old, new, SUDO_USER, each ended by a NUL.  0 or -EBADMSG. */
static int notice_parse(const char *buf, size_t n, const char *field[6])
{
	const char *p = buf, *end;
	int i;

	for (i = 0; i < 6; i++) {
		end = memchr(p, 0, buf + n - p);
		if (!end)
			return -EBADMSG;
		field[i] = p;
		p = end + 1;
	}
	return p == buf + n && !strcmp(field[0], EBPH_AUDIT_MAGIC) ? 0 : -EBADMSG;
}

/* "uid 0 (SUDO_USER alice, login uid 1000), PID 4242: set monitoring:
 * on -> off", every string escaped. */
static void audit_say(struct ebph *e, const struct ebph_audit *a)
{
	char cmd[64], target[EBPH_ESCAPED_LEN(EBPH_PATH_LEN + 32)], old[256], new[256], sudo[128], who[256], change[600];

	ebph_escape(a->command, cmd, sizeof(cmd));
	ebph_escape(a->target, target, sizeof(target));
	ebph_escape(a->old, old, sizeof(old));
	ebph_escape(a->new, new, sizeof(new));
	if (old[0] || new[0])
		snprintf(change, sizeof(change), ": %s -> %s", old, new);
	else
		change[0] = 0;
	if (!a->pid) {
		say_audit(e, a, EBPH_WARNING, "config changed by something other than ebph set: %s %s -> %s",
			  target, old, new);
		return;
	}
	snprintf(who, sizeof(who), "uid %u", a->uid);
	if (a->sudo_user || a->loginuid != EBPH_NO_LOGINUID) {
		size_t n = strlen(who);

		snprintf(who + n, sizeof(who) - n, " (%s%s%s", a->sudo_user ? "SUDO_USER " : "",
			 a->sudo_user ? ebph_escape(a->sudo_user, sudo, sizeof(sudo)) : "",
			 a->sudo_user && a->loginuid != EBPH_NO_LOGINUID ? ", " : "");
		n = strlen(who);
		if (a->loginuid != EBPH_NO_LOGINUID)
			snprintf(who + n, sizeof(who) - n, "login uid %u", a->loginuid);
		n = strlen(who);
		snprintf(who + n, sizeof(who) - n, ")");
	}
	say_audit(e, a, EBPH_INFO, "audit: %s, PID %u: %s %s%s", who, a->pid, cmd, target, change);
}

/* Setting S changed from what we last saw to NOW's with no notice: say so. */
static void config_unexplained(struct ebph *e, int s, const struct ebph_config *now,
			       const char *new)
{
	char a[64], b[64];

	cmd_setting_fmt(&e->cfg_seen, s, a, sizeof(a));
	if (!new) {
		cmd_setting_fmt(now, s, b, sizeof(b));
		new = b;
	}
	audit_say(e, &(struct ebph_audit){
		.command = "", .target = cmd_setting_name(s), .old = a, .new = new,
	});
}

/*
 * The backstop: the config map against what we last accounted for, each
 * turn.  A setting that changed with no `ebph set` notice (bpftool, a
 * program writing the pinned map) is logged as such.  `ebph set` writes
 * the map before it sends its notice, so a change waits a second for
 * one; LAST (we are stopping) waits no more.  A change undone within
 * that second can pass unseen: this samples, it does not trace.
 */
void config_check(struct ebph *e, int last)
{
	__u64 t = clock_ns(CLOCK_MONOTONIC);
	struct ebph_config now;
	__u32 zero = 0;
	int s;

	if (bpf_map_lookup(e->m.config, &zero, &now))
		return;
	for (s = 0; s < SET_MAX; s++) {
		if (!cmd_setting_differs(&e->cfg_seen, &now, s)) {
			e->cfg_pending[s] = 0;
			continue;
		}
		if (!last && !e->cfg_pending[s])
			e->cfg_pending[s] = t;
		if (!last && t - e->cfg_pending[s] < 1000000000ULL)
			continue;
		config_unexplained(e, s, &now, NULL);
		cmd_setting_copy(&e->cfg_seen, &now, s);
		e->cfg_pending[s] = 0;
	}
}

/*
 * `ebph set` says it changed setting S from OLD to NEW.  An OLD that is
 * not what we last saw was written by something else before: that is
 * reported first.  If the map holds NEW, the change is accounted for;
 * another value means something else wrote it meanwhile, and
 * config_check() reports that.
 */
static void config_explained(struct ebph *e, int s, const char *old, const char *new)
{
	struct ebph_config now;
	__u32 zero = 0;
	char seen[64], v[64];

	if (bpf_map_lookup(e->m.config, &zero, &now))
		return;
	cmd_setting_fmt(&e->cfg_seen, s, seen, sizeof(seen));
	if (strcmp(seen, old))
		config_unexplained(e, s, &now, old);
	cmd_setting_fmt(&now, s, v, sizeof(v));
	if (!strcmp(v, new)) {
		cmd_setting_copy(&e->cfg_seen, &now, s);
		e->cfg_pending[s] = 0;
	}
}

/* The notices waiting on the socket: each logged, then answered.  At
 * most 64 a turn, so that a flood of them cannot starve the rings. */
void control_read(struct ebph *e)
{
	int i;

	for (i = 0; e->ctl >= 0 && i < 64; i++) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct ucred))];
		} control;
		char buf[EBPH_AUDIT_MAX];
		struct sockaddr_un from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &control, .msg_controllen = sizeof(control),
		};
		const struct ucred *cred = NULL;
		const char *f[6];
		struct cmsghdr *c;
		ssize_t n = recvmsg(e->ctl, &mh, MSG_DONTWAIT | MSG_TRUNC);
		int set;

		if (n < 0)
			return;		/* EAGAIN: none left */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
				cred = (const struct ucred *)CMSG_DATA(c);
		if (!cred || (size_t)n > sizeof(buf) || notice_parse(buf, n, f)) {
			say(e, EBPH_WARNING, "a malformed notice on %s (%zd bytes, from PID %d, uid %d): not logged",
			    EBPH_CONTROL_SOCK, n, cred ? (int)cred->pid : -1,
			    cred ? (int)cred->uid : -1);
			continue;
		}
		audit_say(e, &(struct ebph_audit){
			.uid = cred->uid, .pid = cred->pid,
			.loginuid = read_loginuid(cred->pid),
			.sudo_user = f[5][0] ? f[5] : NULL,
			.command = f[1], .target = f[2], .old = f[3], .new = f[4],
		});
		if (!strcmp(f[1], "set") && (set = cmd_setting_find(f[2])) >= 0)
			config_explained(e, set, f[3], f[4]);
		if (mh.msg_namelen > sizeof(sa_family_t))
			sendto(e->ctl, "ok", 2, MSG_DONTWAIT, (struct sockaddr *)&from,
			       mh.msg_namelen);
	}
}

