// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the control socket's request parser, on whatever a
 * client sends. A peer name lies inside the line, is not empty, and holds
 * no newline or NUL; nothing is read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/control.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	/* a copy exactly as long as the input, so ASan sees any overread */
	char *buf = malloc(size ? size : 1);
	const char *peer;
	size_t peer_len;
	enum control_req r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = control_parse(buf, size, &peer, &peer_len);
	if (r == CONTROL_STATUS_PEER &&
	    (!peer || !peer_len || peer < buf + 7 ||
	     peer + peer_len > buf + size || memchr(peer, '\n', peer_len) ||
	     memchr(peer, '\0', peer_len)))
		abort();
	if (r != CONTROL_STATUS_PEER && peer)
		abort();
	if (r == CONTROL_INCOMPLETE &&
	    (memchr(buf, '\n', size) || size >= CONTROL_REQUEST_MAX - 1))
		abort();
	free(buf);
	return 0;
}
