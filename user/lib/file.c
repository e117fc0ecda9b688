// SPDX-License-Identifier: GPL-2.0
#include "lib/file.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

char *fd_read_all(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	struct stat st;
	char *buf;

	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n + 1 == cap) {
			char *grown = realloc(buf, cap * 2);

			if (!grown)
				goto fail;
			buf = grown;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail : {
	int e = errno;

	free(buf);
	errno = e;
	return NULL;
}
}
