/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's log: one line per event on stderr. Under systemd (stderr
 * connected to the journal, $JOURNAL_STREAM set) each line starts with its
 * syslog priority, "<3>", so journald files it at the right level and adds
 * the time; elsewhere lines start with "esprit daemon: " and a level word.
 */
#ifndef ESPRIT_DAEMON_LOG_H
#define ESPRIT_DAEMON_LOG_H

void log_init(void);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
