/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ebph_notify.h - readiness and state for the service manager: the
 * sd_notify(3) protocol, written by hand (no libsystemd).
 */
#ifndef EBPH_NOTIFY_H
#define EBPH_NOTIFY_H

/*
 * One datagram of "NAME=VALUE" lines (READY=1, STOPPING=1, RELOADING=1,
 * STATUS=...) to the socket in $NOTIFY_SOCKET, if there is one: 0, or
 * -errno (nothing is said: without a service manager nobody listens).
 */
int notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* EBPH_NOTIFY_H */
