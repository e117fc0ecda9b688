/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a file or socket to its end into one buffer. */
#ifndef ESPRIT_USER_READ_ALL_H
#define ESPRIT_USER_READ_ALL_H

#include <stddef.h>

/*
 * Everything fd holds until end of file, NUL-terminated (the NUL not
 * counted in *len); free() it. NULL with errno set when a read fails or
 * memory runs out. A regular file is read into a buffer of its size.
 */
char *fd_read_all(int fd, size_t *len);

#endif
