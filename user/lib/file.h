/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a file or socket to its end into one buffer; replacing a file
 * whole. */
#ifndef ESPRIT_USER_READ_ALL_H
#define ESPRIT_USER_READ_ALL_H

#include <stddef.h>

/*
 * Everything fd holds until end of file, NUL-terminated (the NUL not
 * counted in *len); free() it. NULL with errno set when a read fails or
 * memory runs out. A regular file is read into a buffer of its size.
 */
char *fd_read_all(int fd, size_t *len);

/*
 * Makes path hold data[0..len) and nothing else, or leaves it as it was:
 * path.new is written with mode, synced, renamed over path, and the
 * directory synced, so a crash at any point leaves the old file or the
 * new one, whole. 0, or -1 with errno set.
 */
int file_replace(const char *path, const void *data, size_t len,
		 unsigned int mode);

#endif
