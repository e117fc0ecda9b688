// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/asn.h"
#include "daemon/config_risav.h"
#include "lib/file.h"
#include "risav/rpki.h"
#include "lib/sha256.h"

static int parse_contacts(struct ydoc *d, yaml_node_t *v, const char *path,
			  __u32 *count, struct esprit_addr *list)
{
	size_t n = yis_seq(v) ? yseq_len(v) : 1;
	char why[256];

	if (!yis_seq(v) && !yis_scalar(v))
		return yerr(d, v, path, "expected a list of addresses");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *a = yis_seq(v) ? yseq_at(d, v, i) : v;

		if (!yis_scalar(a))
			return yerr(d, a, path, "expected an address");
		if (risav_contact_add(count, list, yscalar(a), why,
				      sizeof(why)))
			return yerr(d, a, path, "%s", why);
	}
	return 0;
}

static int get_asn(struct ydoc *d, yaml_node_t *v, const char *path, __u32 *asn)
{
	char why[160];

	if (!yis_scalar(v))
		return yerr(d, v, path, "expected an AS number");
	if (asn_parse(yscalar(v), false, asn, why, sizeof(why)))
		return yerr(d, v, path, "%s", why);
	return 0;
}

static void where_of(struct ydoc *d, yaml_node_t *n, char *out, size_t len)
{
	snprintf(out, len, "%s:%zu", d->file, yline(n));
}

static int parse_statics(struct ydoc *d, yaml_node_t *seq,
			 struct config_risav *r)
{
	static const char *const keys[] = {"prefix", "asn", NULL};
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "risav.prefixes.static",
			    "expected a list of {prefix: P, asn: ASN|none}");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yseq_at(d, seq, i), *v;
		struct esprit_prefix_key key;
		char path[CONFIG_KEY_PATH_LEN], why[160];
		__u32 asn = ESPRIT_ASN_NONE;

		snprintf(path, sizeof(path), "risav.prefixes.static[%zu]", i);
		if (ymap_only(d, item, path, keys))
			return -1;
		v = ymap_get(d, item, "prefix");
		if (!v)
			return yerr(d, item, path, "missing 'prefix'");
		if (!yis_scalar(v))
			return yerr(d, v, path, "expected a prefix");
		if (table_prefix_parse(yscalar(v), &key, why, sizeof(why)))
			return yerr(d, v, path, "%s", why);
		if (prefix_table_find(&r->statics, &key))
			return yerr(d, v, path, "prefix %s listed twice",
				    yscalar(v));
		v = ymap_get(d, item, "asn");
		if (!v)
			return yerr(d, item, path, "missing 'asn'");
		if (!(yis_scalar(v) && !strcmp(yscalar(v), "none")) &&
		    get_asn(d, v, path, &asn))
			return -1;
		if (prefix_table_put(&r->statics, &key, asn,
				     ESPRIT_PREFIX_FROM_STATIC))
			return yerr(d, v, path, "out of memory");
	}
	return 0;
}

static int parse_rtr_caches(struct ydoc *d, yaml_node_t *seq,
			    struct config_rtr *rtr)
{
	static const char *const keys[] = {"address", "port", "preference",
					   NULL};
	size_t n = yseq_len(seq);

	if (!yis_seq(seq) || !n)
		return yerr(d, seq, "risav.prefixes.rtr",
			    "expected a list of {address: A, port: P, "
			    "preference: N}");
	if (n > CONFIG_RTR_CACHES_MAX)
		return yerr(d, seq, "risav.prefixes.rtr",
			    "%zu caches; at most %d", n, CONFIG_RTR_CACHES_MAX);
	rtr->line = yline(seq);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yseq_at(d, seq, i), *v;
		struct config_rtr_cache *c = &rtr->caches[i];
		char path[CONFIG_KEY_PATH_LEN];
		struct esprit_addr a;
		__u32 port = 323, pref = 1;

		snprintf(path, sizeof(path), "risav.prefixes.rtr[%zu]", i);
		if (ymap_only(d, item, path, keys))
			return -1;
		c->line = yline(item);
		v = ymap_get(d, item, "address");
		if (!v)
			return yerr(d, item, path, "missing 'address'");
		if (yget_addr(d, v, path, &a))
			return -1;
		snprintf(c->host, sizeof(c->host), "%s", yscalar(v));
		v = ymap_get(d, item, "port");
		if (v && yget_u32(d, v, path, 1, 65535, &port))
			return -1;
		snprintf(c->port, sizeof(c->port), "%u", port);
		v = ymap_get(d, item, "preference");
		if (v && yget_u32(d, v, path, 0, 255, &pref))
			return -1;
		c->preference = (__u8)pref;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(rtr->caches[k].host, c->host) &&
			    !strcmp(rtr->caches[k].port, c->port))
				return yerr(d, item, path,
					    "cache %s port %s listed twice",
					    c->host, c->port);
	}
	rtr->n = n;
	return 0;
}

/* A timer of RFC 8210 §6, in whole seconds within rtrlib's bounds. */
static int get_rtr_timer(struct ydoc *d, yaml_node_t *map, const char *key,
			 __u32 min_s, __u32 max_s, __u32 *out)
{
	yaml_node_t *v = ymap_get(d, map, key);
	char path[CONFIG_KEY_PATH_LEN];
	__u64 ns;

	if (!v)
		return 0;
	snprintf(path, sizeof(path), "risav.prefixes.%s", key);
	if (yget_duration(d, v, path, (__u64)min_s * 1000000000ULL,
			  (__u64)max_s * 1000000000ULL, &ns))
		return -1;
	if (ns % 1000000000ULL)
		return yerr(d, v, path, "RTR timers are whole seconds");
	*out = (__u32)(ns / 1000000000ULL);
	return 0;
}

static int parse_prefixes(struct ydoc *d, yaml_node_t *map, const char *file,
			  struct config_risav *r)
{
	static const char *const keys[] = {"import",	"static", "rtr",
					   "refresh",	"expire", "retry",
					   "on_expire", NULL};
	struct config_rtr *rtr = &r->rtr;
	yaml_node_t *v, *imp;

	if (ymap_only(d, map, "risav.prefixes", keys))
		return -1;
	imp = ymap_get(d, map, "import");
	if (imp) {
		if (yget_path(d, imp, "risav.prefixes.import", file, r->import,
			      sizeof(r->import)))
			return -1;
		r->import_line = yline(imp);
	}
	v = ymap_get(d, map, "rtr");
	if (v && imp)
		return yerr(d, v, "risav.prefixes.rtr",
			    "and risav.prefixes.import (line %zu) are "
			    "alternatives: keep one",
			    yline(imp));
	if (v && parse_rtr_caches(d, v, rtr))
		return -1;
	/* rtrlib's bounds (RFC 8210 §6 suggests the same ranges) */
	if (get_rtr_timer(d, map, "refresh", 1, 86400, &rtr->refresh) ||
	    get_rtr_timer(d, map, "expire", 600, 172800, &rtr->expire) ||
	    get_rtr_timer(d, map, "retry", 1, 7200, &rtr->retry))
		return -1;
	v = ymap_get(d, map, "on_expire");
	if (v) {
		if (!yis_scalar(v) ||
		    (strcmp(yscalar(v), "keep") && strcmp(yscalar(v), "clear")))
			return yerr(d, v, "risav.prefixes.on_expire",
				    "expected keep or clear");
		rtr->clear_on_expire = !strcmp(yscalar(v), "clear");
	}
	if (!rtr->n && (rtr->refresh || rtr->expire || rtr->retry || v))
		return yerr(d, v ? v : map, "risav.prefixes",
			    "refresh, expire, retry and on_expire are for "
			    "rtr: caches, and there are none");
	if (rtr->expire && rtr->refresh && rtr->expire <= rtr->refresh)
		return yerr(d, ymap_get(d, map, "expire"),
			    "risav.prefixes.expire",
			    "must be longer than refresh (RFC 8210 §6)");
	v = ymap_get(d, map, "static");
	return v ? parse_statics(d, v, r) : 0;
}

static int parse_peers(struct ydoc *d, yaml_node_t *seq, struct config_risav *r)
{
	static const char *const keys[] = {"asn", "mode", "contacts", "policy",
					   NULL};
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "risav.peers", "expected a list");
	if (n > ESPRIT_PEERS_MAX)
		return yerr(d, seq, "risav.peers",
			    "%zu peers; esprit_peers holds %d", n,
			    ESPRIT_PEERS_MAX);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yseq_at(d, seq, i), *v;
		struct risav_peer p = {};
		const struct risav_peer *twice;
		char path[CONFIG_KEY_PATH_LEN], sub[CONFIG_KEY_PATH_LEN + 16],
			why[160];

		snprintf(path, sizeof(path), "risav.peers[%zu]", i);
		if (ymap_only(d, item, path, keys))
			return -1;
		where_of(d, item, p.where, sizeof(p.where));
		v = ymap_get(d, item, "asn");
		if (!v)
			return yerr(d, item, path, "missing 'asn'");
		snprintf(sub, sizeof(sub), "%s.asn", path);
		if (get_asn(d, v, sub, &p.asn))
			return -1;
		twice = risav_peer_find(&r->state, p.asn);
		if (twice)
			return yerr(d, v, sub,
				    "AS%u listed twice (first at %s)", p.asn,
				    twice->where);
		v = ymap_get(d, item, "mode");
		if (!v)
			return yerr(d, item, path,
				    "missing 'mode' (enforce, testing or off)");
		snprintf(sub, sizeof(sub), "%s.mode", path);
		if (!yis_scalar(v))
			return yerr(d, v, sub,
				    "expected enforce, testing or off");
		if (peer_mode_parse(yscalar(v), &p.v.mode, why, sizeof(why)))
			return yerr(d, v, sub, "%s", why);
		v = ymap_get(d, item, "contacts");
		snprintf(sub, sizeof(sub), "%s.contacts", path);
		if (v &&
		    parse_contacts(d, v, sub, &p.v.contact_count, p.v.contact))
			return -1;
		v = ymap_get(d, item, "policy");
		snprintf(sub, sizeof(sub), "%s.policy", path);
		if (v && !yis_scalar(v))
			return yerr(d, v, sub, "expected untagged or drop");
		if (v &&
		    peer_no_sa_parse(yscalar(v), &p.v.no_sa, why, sizeof(why)))
			return yerr(d, v, sub, "%s", why);
		if (risav_peer_put(&r->state, &p))
			return yerr(d, item, path, "out of memory");
	}
	return 0;
}

static int parse_settings(struct ydoc *d, yaml_node_t *map,
			  struct config_risav *r)
{
	static const struct {
		const char *yaml, *setting;
	} settings[] = {{"fragments", "fragments"},
			{"green_channel", "green-channel"},
			{"audit_rate", "audit-rate"},
			{"too_big_rate", "too-big-rate"}};
	yaml_node_t *v;
	char why[256];

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char path[CONFIG_KEY_PATH_LEN];

		v = ymap_get(d, map, settings[i].yaml);
		if (!v)
			continue;
		snprintf(path, sizeof(path), "risav.%s", settings[i].yaml);
		if (!yis_scalar(v))
			return yerr(d, v, path, "expected a single value");
		if (risav_set(&r->state.config, settings[i].setting, yscalar(v),
			      why, sizeof(why)))
			return yerr(d, v, path, "%s", why);
	}
	v = ymap_get(d, map, "local_asn");
	if (v) {
		where_of(d, v, r->state.local_where,
			 sizeof(r->state.local_where));
		if (!(yis_scalar(v) && !strcmp(yscalar(v), "off")) &&
		    get_asn(d, v, "risav.local_asn",
			    &r->state.config.local_asn))
			return -1;
	}
	v = ymap_get(d, map, "contacts");
	if (v) {
		if (!r->state.config.local_asn)
			return yerr(d, v, "risav.contacts",
				    "contact addresses need a local_asn");
		if (parse_contacts(d, v, "risav.contacts",
				   &r->state.local_contact_count,
				   r->state.local_contact))
			return -1;
	}
	return 0;
}

int config_risav_parse(struct ydoc *d, yaml_node_t *map, const char *file,
		       struct config_risav *r)
{
	static const char *const keys[] = {"local_asn",	 "contacts",
					   "fragments",	 "green_channel",
					   "audit_rate", "too_big_rate",
					   "prefixes",	 "peers",
					   "sas",	 NULL};
	yaml_node_t *v;
	char why[512];

	r->present = true;
	/* `risav:` with nothing under it: owned, and empty */
	if (yis_scalar(map) && !yscalar(map)[0])
		return 0;
	if (ymap_only(d, map, "risav", keys))
		return -1;
	if (parse_settings(d, map, r))
		return -1;
	v = ymap_get(d, map, "prefixes");
	if (v && parse_prefixes(d, v, file, r))
		return -1;
	v = ymap_get(d, map, "peers");
	if (v && parse_peers(d, v, r))
		return -1;
	v = ymap_get(d, map, "sas");
	if (v && config_sas_parse(d, v, file, r))
		return -1;
	/* the rules across items (contacts owned once, no peer with the
	 * local ASN); messages carry each item's FILE:LINE */
	if (risav_state_check(&r->state, NULL, why, sizeof(why))) {
		snprintf(d->err, d->errlen, "%s", why);
		return -1;
	}
	return 0;
}

void config_risav_free(struct config_risav *r)
{
	risav_state_free(&r->state);
	prefix_table_free(&r->statics);
	if (r->sas)
		explicit_bzero(r->sas, r->nsas * sizeof(*r->sas));
	free(r->sas);
	memset(r, 0, sizeof(*r));
}

/* ---- the prefix table --------------------------------------------------- */
