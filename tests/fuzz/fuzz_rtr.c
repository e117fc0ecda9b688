// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the RTR update path. The input is read twice: as
 * PDUs for the checks every PDU from a cache passes (risav/rtr_pdu.h),
 * which must never accept a prefix beyond its family or a max length below
 * its length; and as a stream of announcements and withdrawals from up to
 * four caches into the VRP set (risav/vrp_set.h), checked against a plain
 * model: each result, each prefix's origin, the changes handed over, and
 * the whole table at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "risav/rtr_pdu.h"
#include "risav/vrp_set.h"

#define MODEL_MAX 256

struct vrp {
	struct esprit_prefix_key key;
	__u32 asn;
	__u8 max_len, source;
};

static struct vrp model[MODEL_MAX];
static size_t nmodel;

static void check_pdus(const unsigned char *data, size_t size)
{
	char why[160];

	while (size >= RTR_PDU_HEADER_LEN) {
		size_t len = rtr_pdu_length(data);
		int code;

		if (len < RTR_PDU_HEADER_LEN || len > size)
			len = size;
		code = rtr_pdu_check(data, len, why, sizeof(why));
		if (code < 0 && data[0] <= 1 &&
		    (data[1] == RTR_PDU_IPV4_PREFIX ||
		     data[1] == RTR_PDU_IPV6_PREFIX)) {
			unsigned int max = data[1] == RTR_PDU_IPV4_PREFIX ? 32
									  : 128;

			if (len != (max == 32 ? 20U : 32U) || data[9] > max ||
			    data[10] < data[9] || data[10] > max || data[8] > 1)
				abort();
		}
		data += len;
		size -= len;
	}
}

static bool model_origin(const struct esprit_prefix_key *k, __u32 *asn)
{
	__u32 one = 0;

	for (size_t i = 0; i < nmodel; i++) {
		if (memcmp(&model[i].key, k, sizeof(*k)) || !model[i].asn)
			continue;
		if (one && one != model[i].asn) {
			*asn = ESPRIT_ASN_NONE;
			return true;
		}
		one = model[i].asn;
	}
	*asn = one;
	return one != 0;
}

static size_t model_find(const struct vrp *v)
{
	for (size_t i = 0; i < nmodel; i++)
		if (!memcmp(&model[i].key, &v->key, sizeof(v->key)) &&
		    model[i].asn == v->asn && model[i].max_len == v->max_len &&
		    model[i].source == v->source)
			return i;
	return nmodel;
}

/* A small space of prefixes, so the stream revisits them. */
static void key_from(const unsigned char *p, struct esprit_prefix_key *k)
{
	memset(k, 0, sizeof(*k));
	if (p[0] & 1) {
		k->prefixlen = 96 + 8 + (p[1] % 25);
		k->addr[10] = k->addr[11] = 0xff;
		k->addr[12] = 10;
		k->addr[13] = p[2] & 0x3;
	} else {
		k->prefixlen = 32 + (p[1] % 33);
		k->addr[0] = 0x20;
		k->addr[1] = 0x01;
		k->addr[2] = 0x0d;
		k->addr[3] = 0xb8;
		k->addr[4] = p[2] & 0x3;
	}
	for (unsigned int b = k->prefixlen; b < 128; b++)
		k->addr[b / 8] &= ~(0x80 >> (b % 8));
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vrp_set *s = vrp_set_new();
	struct prefix_change *c = NULL;
	struct prefix_table t;
	long n;

	if (!s)
		return 0;
	check_pdus(data, size);
	nmodel = 0;
	for (size_t off = 0; off + 5 <= size; off += 5) {
		const unsigned char *p = data + off;
		struct vrp v = {.asn = p[3] % 4 ? 64500 + p[3] % 3 : 0,
				.max_len = p[4] % 2,
				.source = (p[0] >> 1) % 4};
		bool announce = p[0] & 0x80;
		enum vrp_apply_result r;
		size_t i;

		key_from(p, &v.key);
		i = model_find(&v);
		r = vrp_set_apply(s, &v.key, v.max_len, v.asn, v.source,
				  announce);
		if (announce) {
			if (r != (i < nmodel ? VRP_DUPLICATE : VRP_APPLIED))
				abort();
			if (i == nmodel && nmodel < MODEL_MAX)
				model[nmodel++] = v;
			else if (i == nmodel)
				abort(); /* the stream is shorter than that */
		} else {
			if (r != (i < nmodel ? VRP_APPLIED : VRP_UNKNOWN))
				abort();
			if (i < nmodel)
				model[i] = model[--nmodel];
		}
		if (p[4] & 0x80) {
			/* an End of Data: the changes, each as the model says */
			n = vrp_set_take_changes(s, &c);
			for (long j = 0; j < n; j++) {
				__u32 asn;
				bool has = model_origin(&c[j].key, &asn);

				if (has != c[j].present ||
				    (has && asn != c[j].asn))
					abort();
			}
			free(c);
		}
	}
	n = vrp_set_take_changes(s, &c);
	free(c);
	prefix_table_init(&t);
	if (n >= 0 && !vrp_set_table(s, &t)) {
		size_t with = 0;

		for (size_t i = 0; i < t.n; i++) {
			__u32 asn;

			if (!model_origin(&t.v[i].key, &asn) ||
			    asn != t.v[i].asn)
				abort();
		}
		/* and every prefix with an origin is there */
		for (size_t i = 0; i < nmodel; i++) {
			__u32 asn;

			if (model_origin(&model[i].key, &asn) &&
			    !prefix_table_find(&t, &model[i].key))
				abort();
		}
		for (size_t i = 0; i < t.n; i++)
			with++;
		if (with != vrp_set_prefixes(s))
			abort();
	}
	prefix_table_free(&t);
	vrp_set_free(s);
	return 0;
}
