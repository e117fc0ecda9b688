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
		if (prefix_table_put(&r->statics, &key, asn))
			return yerr(d, v, path, "out of memory");
	}
	return 0;
}

static int parse_prefixes(struct ydoc *d, yaml_node_t *map, const char *file,
			  struct config_risav *r)
{
	static const char *const keys[] = {"import", "static", NULL};
	yaml_node_t *v;

	if (ymap_only(d, map, "risav.prefixes", keys))
		return -1;
	v = ymap_get(d, map, "import");
	if (v) {
		if (yget_path(d, v, "risav.prefixes.import", file, r->import,
			      sizeof(r->import)))
			return -1;
		r->import_line = yline(v);
	}
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
