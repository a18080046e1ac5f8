// SPDX-License-Identifier: GPL-2.0
/*
 * ebph_notify.c - sd_notify(3) by hand: systemd (Type=notify) gives the
 * path of a datagram socket in $NOTIFY_SOCKET, and a service sends it
 * lines of state.  `ebph run` sends READY=1 once its programs are
 * attached (systemctl start returns only then, so a unit ordered after
 * ebph starts monitored), RELOADING=1 and READY=1 around a reload
 * (SIGHUP), and STOPPING=1 when it stops.
 *
 * A path that starts with '@' names a socket in the abstract namespace:
 * the '@' becomes a NUL, and the address is as long as the name, not
 * NUL-terminated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ebph_notify.h"

int notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = path ? strlen(path) : 0;
	char msg[512];
	socklen_t len;
	va_list ap;
	int fd, err = 0;

	if (!n)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = 0;
	len = offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/');
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		err = -errno;
	close(fd);
	return err;
}
