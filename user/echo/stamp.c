// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/random.h>

#include "echo/stamp.h"

int echo_key_random(struct echo_key *key)
{
	size_t got = 0;

	while (got < sizeof(key->bytes)) {
		ssize_t n = getrandom(key->bytes + got,
				      sizeof(key->bytes) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t tag_of(const struct echo_key *key, uint16_t ident, uint16_t seq,
		       uint64_t send_ns)
{
	uint8_t msg[12];

	put_be(msg, ident, 2);
	put_be(msg + 2, seq, 2);
	put_be(msg + 4, send_ns, 8);
	return siphash24(key->bytes, msg, sizeof(msg));
}

void echo_stamp_write(uint8_t data[ECHO_STAMP_LEN], const struct echo_key *key,
		      uint16_t ident, uint16_t seq, uint64_t send_ns)
{
	uint64_t tag = tag_of(key, ident, seq, send_ns);

	put_be(data, send_ns, 8);
	for (int i = 0; i < 8; i++)
		data[8 + i] = (uint8_t)(tag >> (8 * i));
}

bool echo_stamp_verify(const uint8_t *data, size_t len,
		       const struct echo_key *key, uint16_t ident, uint16_t seq,
		       uint64_t *send_ns)
{
	uint64_t sent = 0, tag;
	uint8_t diff = 0;

	if (len < ECHO_STAMP_LEN)
		return false;
	for (int i = 0; i < 8; i++)
		sent = (sent << 8) | data[i];
	tag = tag_of(key, ident, seq, sent);
	for (int i = 0; i < 8; i++)
		diff |= data[8 + i] ^ (uint8_t)(tag >> (8 * i));
	if (diff)
		return false;
	*send_ns = sent;
	return true;
}
