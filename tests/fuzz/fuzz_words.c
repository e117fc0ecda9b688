// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the words of the command line and the configuration
 * (addresses, prefixes, durations, DSCP values and sets, AS numbers, SPIs,
 * keys, numbers). The first byte picks the parser, the rest is the word.
 * What parses and can be printed parses again to the same value.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/asn.h"
#include "lib/parse.h"
#include "risav/prefix_table.h"
#include "risav/sa.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char word[256], err[256], buf[PREFIX_STRLEN];
	struct esprit_prefix_key k, k2;
	struct esprit_addr a, a2;
	struct esprit_auth_key key;
	unsigned long long ull;
	uint64_t u64;
	__u64 mask;
	size_t bad, bad_len;
	__u32 u32;
	__u8 u8;
	bool b;

	if (!size || size > sizeof(word))
		return 0;
	memcpy(word, data + 1, size - 1);
	word[size - 1] = '\0';
	switch (data[0] % 11) {
	case 0:
		if (!addr_parse(word, &a, err, sizeof(err))) {
			if (addr_parse(addr_format(&a, buf, sizeof(buf)), &a2,
				       err, sizeof(err)) ||
			    memcmp(&a, &a2, sizeof(a)))
				abort();
		}
		break;
	case 1:
	case 2:
		if (!prefix_parse(word, data[0] % 11 == 2, &k, err,
				  sizeof(err))) {
			if (prefix_parse(prefix_format(&k, buf, sizeof(buf)),
					 false, &k2, err, sizeof(err)) ||
			    memcmp(&k, &k2, sizeof(k)))
				abort();
		}
		break;
	case 3:
		if (!table_prefix_parse(word, &k, err, sizeof(err)) &&
		    prefix_family_len(&k) > (prefix_is_v4(&k) ? 32U : 128U))
			abort();
		break;
	case 4:
		if (!parse_duration(word, 1000000, 1000, 3600000000000ULL,
				    &u64) &&
		    (u64 < 1000 || u64 > 3600000000000ULL))
			abort();
		break;
	case 5:
		if (!parse_dscp(word, &u8) && u8 > 63)
			abort();
		break;
	case 6:
		parse_dscp_set(word, &mask, &bad, &bad_len);
		break;
	case 7:
		asn_parse(word, data[0] & 0x80, &u32, err, sizeof(err));
		break;
	case 8:
		sa_parse_spi(word, &u32, err, sizeof(err));
		break;
	case 9:
		sa_parse_key(word, ESPRIT_AUTH_HMAC_SHA256_128, &key, err,
			     sizeof(err));
		break;
	default:
		if (!parse_uint(word, 1, 1000000, &ull) &&
		    (ull < 1 || ull > 1000000))
			abort();
		parse_bool(word, &b);
		break;
	}
	return 0;
}
