// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/key_file.h"

/* Everything fd holds, whitespace around it dropped. 0 or -1. */
static int read_all(int fd, const char *what, char *hex, size_t len, char *err,
		    size_t errlen)
{
	size_t got = 0, start = 0, end;

	for (;;) {
		ssize_t n = read(fd, hex + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			explicit_bzero(hex, len);
			snprintf(err, errlen, "cannot read %s: %s", what,
				 strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == len - 1) {
			explicit_bzero(hex, len);
			snprintf(err, errlen, "%s: longer than a key", what);
			return -1;
		}
	}
	end = got;
	while (start < end && strchr(" \t\r\n", hex[start]))
		start++;
	while (end > start && strchr(" \t\r\n", hex[end - 1]))
		end--;
	memmove(hex, hex + start, end - start);
	memset(hex + (end - start), 0, len - (end - start));
	if (end == start) {
		snprintf(err, errlen, "%s: no key in it", what);
		return -1;
	}
	return 0;
}

int key_file_read(const char *path, char *hex, size_t len, char *err,
		  size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	int rc;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errlen,
			 "%s: owned by uid %u with mode %04o; a key file must "
			 "be owned by root and readable by it alone "
			 "(chown root, chmod 600)",
			 path, (unsigned int)st.st_uid,
			 (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	rc = read_all(fd, path, hex, len, err, errlen);
	close(fd);
	return rc;
}

int key_stream_read(int fd, const char *what, char *hex, size_t len, char *err,
		    size_t errlen)
{
	return read_all(fd, what, hex, len, err, errlen);
}
