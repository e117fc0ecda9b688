/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys from where only their owner can read them: a file that root owns
 * and no group or other user may read (refused otherwise, as ssh refuses a
 * private key others can read), or a stream such as standard input. What
 * is read is the key in hex, whitespace around it dropped; a caller wipes
 * it (explicit_bzero) once used. No message here ever holds key bytes.
 */
#ifndef ESPRIT_LIB_KEY_FILE_H
#define ESPRIT_LIB_KEY_FILE_H

#include <stddef.h>

/* Room for the longest hex key and the whitespace around it. */
#define KEY_HEX_MAX 4096

/* The hex key in path into hex (len bytes). 0, or -1 with why in err. */
int key_file_read(const char *path, char *hex, size_t len, char *err,
		  size_t errlen);

/* The hex key read from fd up to its end (what names it in messages). */
int key_stream_read(int fd, const char *what, char *hex, size_t len, char *err,
		    size_t errlen);

#endif
