// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the RPKI JSON import (rpki-client and Routinator
 * formats, the fast split scan and jansson). What it accepts is a sorted
 * table with one entry per prefix and valid keys; what it refuses says why.
 */
#include <stdlib.h>

#include "lib/addr.h"
#include "risav/rpki.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct rpki_summary sum;
	struct rpki_errors errs;
	struct prefix_table t;

	if (rpki_parse("fuzz.json", (const char *)data, size, &t, &sum,
		       &errs)) {
		if (!errs.count)
			abort();
		return 0;
	}
	for (size_t i = 0; i < t.n; i++) {
		unsigned int len = prefix_family_len(&t.v[i].key);

		if (len > (prefix_is_v4(&t.v[i].key) ? 32U : 128U))
			abort();
		if (i && prefix_key_cmp(&t.v[i - 1].key, &t.v[i].key) >= 0)
			abort();
		if (t.v[i].source != ESPRIT_PREFIX_FROM_IMPORT)
			abort();
	}
	prefix_table_free(&t);
	return 0;
}
