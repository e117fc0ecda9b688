// SPDX-License-Identifier: GPL-2.0
/*
 * The SAs of the risav: section (risav.sas[]): direction, SPI, ASN,
 * algorithm, key or key file, replay window or DSCP set, each checked as
 * `esprit sa add` checks it, and the set checked whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config_risav.h"
#include "lib/asn.h"
#include "lib/key_file.h"

/* The raw hex in the document is wiped once turned into midstates. */
static void wipe_scalar(yaml_node_t *v)
{
	if (yis_scalar(v))
		explicit_bzero(v->data.scalar.value, v->data.scalar.length);
}

/* `dscp:` of an outbound SA: `any`, a value, or a list of values,
 * ranges and names as sa_parse_dscp() takes them; each item on its line. */
static int parse_sa_dscp(struct ydoc *d, yaml_node_t *v, const char *path,
			 __u64 *mask)
{
	size_t n = yis_seq(v) ? yseq_len(v) : 1;
	char why[256];

	if (!yis_seq(v) && !yis_scalar(v))
		return yerr(d, v, path, "expected any or a list of DSCPs");
	if (!n)
		return yerr(d, v, path, "empty DSCP list (use any for all)");
	*mask = 0;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *a = yis_seq(v) ? yseq_at(d, v, i) : v;
		__u64 m;

		if (!yis_scalar(a))
			return yerr(d, a, path, "expected a DSCP");
		if (sa_parse_dscp(yscalar(a), &m, why, sizeof(why)))
			return yerr(d, a, path, "%s", why);
		*mask |= m;
	}
	return 0;
}

/* The direction-specific keys: replay (in) or dscp (out). */
static int parse_sa_dir_keys(struct ydoc *d, yaml_node_t *item,
			     const char *path, struct config_sa *sa,
			     __u64 *mask)
{
	yaml_node_t *replay = ymap_get(d, item, "replay"),
		    *dscp = ymap_get(d, item, "dscp");
	char sub[CONFIG_KEY_PATH_LEN + 16];

	*mask = ESPRIT_DSCP_MASK_ANY;
	if (sa->dir == SA_DIR_IN && dscp) {
		snprintf(sub, sizeof(sub), "%s.dscp", path);
		return yerr(d, dscp, sub,
			    "only outbound SAs (direction: out) have a DSCP "
			    "set");
	}
	if (sa->dir == SA_DIR_OUT && replay) {
		snprintf(sub, sizeof(sub), "%s.replay", path);
		return yerr(d, replay, sub,
			    "outbound SAs have no replay window (the "
			    "receiver's inbound SA has it)");
	}
	if (!dscp)
		return 0;
	snprintf(sub, sizeof(sub), "%s.dscp", path);
	return parse_sa_dscp(d, dscp, sub, mask);
}

/* The hex key of `key` or `key_file` into hex; *at the node named. */
static int get_sa_key(struct ydoc *d, yaml_node_t *item, const char *path,
		      const char *file, char *hex, size_t hexlen,
		      yaml_node_t **at, char *sub, size_t sublen)
{
	yaml_node_t *key = ymap_get(d, item, "key"),
		    *key_file = ymap_get(d, item, "key_file");
	char why[PATH_MAX + 128];

	if (!key == !key_file)
		return yerr(d, key ? key_file : item, path,
			    key ? "'key' and 'key_file' both given: one of "
				  "them"
				: "missing 'key' or 'key_file'");
	if (key) {
		*at = key;
		snprintf(sub, sublen, "%s.key", path);
		if (!yis_scalar(key))
			return yerr(d, key, sub, "expected hex digits");
		if (strlen(yscalar(key)) >= hexlen)
			return yerr(d, key, sub, "too long");
		snprintf(hex, hexlen, "%s", yscalar(key));
		wipe_scalar(key);
	} else {
		char kpath[PATH_MAX];

		*at = key_file;
		snprintf(sub, sublen, "%s.key_file", path);
		if (yget_path(d, key_file, sub, file, kpath, sizeof(kpath)))
			return -1;
		if (key_file_read(kpath, hex, hexlen, why, sizeof(why)))
			return yerr(d, key_file, sub, "%s", why);
	}
	return 0;
}

static int parse_sa(struct ydoc *d, yaml_node_t *item, size_t i,
		    const char *file, struct config_sa *sa)
{
	static const char *const keys[] = {"direction", "spi",	"asn",
					   "alg",	"key",	"key_file",
					   "replay",	"dscp", NULL};
	static const char *const names[] = {"spi", "asn", "alg", "replay"};
	const char *vals[4] = {NULL};
	yaml_node_t *v, *at = NULL;
	char path[CONFIG_KEY_PATH_LEN], sub[CONFIG_KEY_PATH_LEN + 16],
		why[PATH_MAX + 128], hex[KEY_HEX_MAX];
	__u64 mask;
	__u32 alg;
	int rc;

	snprintf(path, sizeof(path), "risav.sas[%zu]", i);
	if (ymap_only(d, item, path, keys))
		return -1;
	sa->line = yline(item);
	sa->dir = SA_DIR_IN;
	v = ymap_get(d, item, "direction");
	if (v) {
		const char *s = yscalar(v);

		snprintf(sub, sizeof(sub), "%s.direction", path);
		if (s && !strcmp(s, "out"))
			sa->dir = SA_DIR_OUT;
		else if (!s || strcmp(s, "in"))
			return yerr(d, v, sub, "expected in or out, not '%s'",
				    s ? s : "(not a scalar)");
	}
	if (parse_sa_dir_keys(d, item, path, sa, &mask))
		return -1;
	for (size_t k = 0; k < 4; k++) {
		v = ymap_get(d, item, names[k]);
		snprintf(sub, sizeof(sub), "%s.%s", path, names[k]);
		if (!v && k < 3)
			return yerr(d, item, path, "missing '%s'", names[k]);
		if (v && !yis_scalar(v))
			return yerr(d, v, sub, "expected a single value");
		vals[k] = v ? yscalar(v) : NULL;
	}
	/* each value on its own, for the line of the one at fault */
	for (size_t k = 0; k < 4; k++) {
		struct esprit_sa_in_key tmp;
		__u32 window;

		if (!vals[k])
			continue;
		v = ymap_get(d, item, names[k]);
		snprintf(sub, sizeof(sub), "%s.%s", path, names[k]);
		switch (k) {
		case 0:
			rc = sa_parse_spi(vals[k], &tmp.spi, why, sizeof(why));
			break;
		case 1:
			rc = asn_parse(vals[k], false, &tmp.asn, why,
				       sizeof(why));
			break;
		case 2:
			rc = sa_parse_alg(vals[k], &alg, why, sizeof(why));
			break;
		default:
			rc = sa_parse_replay(vals[k], &window, why,
					     sizeof(why));
			break;
		}
		if (rc)
			return yerr(d, v, sub, "%s", why);
	}
	if (get_sa_key(d, item, path, file, hex, sizeof(hex), &at, sub,
		       sizeof(sub)))
		return -1;
	if (sa->dir == SA_DIR_IN)
		rc = sa_in_build(vals[0], vals[1], vals[2], hex, vals[3],
				 &sa->in, why, sizeof(why));
	else
		rc = sa_out_build(vals[0], vals[1], vals[2], hex, NULL,
				  &sa->out, why, sizeof(why));
	explicit_bzero(hex, sizeof(hex));
	if (rc)
		return yerr(d, at, sub, "%s", why);
	if (sa->dir == SA_DIR_OUT)
		sa->out.value.dscp_mask = mask;
	return 0;
}

/* Two SAs of one direction with the same (SPI, ASN). */
static bool same_sa_key(const struct config_sa *a, const struct config_sa *b)
{
	if (a->dir != b->dir)
		return false;
	return a->dir == SA_DIR_IN
		       ? !memcmp(&a->in.key, &b->in.key, sizeof(a->in.key))
		       : !memcmp(&a->out.key, &b->out.key, sizeof(a->out.key));
}

static int check_sa_against(struct ydoc *d, yaml_node_t *item,
			    const struct config_sa *sa,
			    const struct config_sa *prev)
{
	char why[256];

	if (same_sa_key(prev, sa))
		return yerr(
			d, item, "risav.sas",
			"%sSPI 0x%x with ASN %u listed twice (first on "
			"line %zu)",
			sa->dir == SA_DIR_IN ? "" : "outbound ",
			sa->dir == SA_DIR_IN ? sa->in.key.spi : sa->out.key.spi,
			sa->dir == SA_DIR_IN ? sa->in.key.asn : sa->out.key.asn,
			prev->line);
	if (sa->dir == SA_DIR_OUT && prev->dir == SA_DIR_OUT &&
	    prev->out.key.asn == sa->out.key.asn &&
	    sa_dscp_conflict(prev->out.value.dscp_mask, sa->out.value.dscp_mask,
			     why, sizeof(why)))
		return yerr(d, item, "risav.sas",
			    "outbound SPI 0x%x of AS%u overlaps SPI 0x%x (line "
			    "%zu): %s",
			    sa->out.key.spi, sa->out.key.asn, prev->out.key.spi,
			    prev->line, why);
	return 0;
}

/* The outbound SAs as sa_out_check_set() takes them, checked whole. */
static int check_out_set(struct ydoc *d, yaml_node_t *seq,
			 const struct config_risav *r)
{
	struct sa_out *v = calloc(r->nsas_out ? r->nsas_out : 1, sizeof(*v));
	char why[256];
	size_t n = 0;
	int rc;

	if (!v)
		return yerr(d, seq, "risav.sas", "out of memory");
	for (size_t i = 0; i < r->nsas; i++)
		if (r->sas[i].dir == SA_DIR_OUT)
			v[n++] = r->sas[i].out;
	rc = sa_out_check_set(v, n, why, sizeof(why));
	explicit_bzero(v, n * sizeof(*v));
	free(v);
	return rc ? yerr(d, seq, "risav.sas", "%s", why) : 0;
}

int config_sas_parse(struct ydoc *d, yaml_node_t *seq, const char *file,
		     struct config_risav *r)
{
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "risav.sas", "expected a list");
	if (n > ESPRIT_SAS_IN_MAX + ESPRIT_SAS_OUT_MAX)
		return yerr(d, seq, "risav.sas",
			    "%zu SAs; esprit_sa_in holds %d, esprit_sa_out %d",
			    n, ESPRIT_SAS_IN_MAX, ESPRIT_SAS_OUT_MAX);
	r->sas = calloc(n ? n : 1, sizeof(*r->sas));
	if (!r->sas)
		return yerr(d, seq, "risav.sas", "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yseq_at(d, seq, i);
		struct config_sa *sa = &r->sas[i];

		if (parse_sa(d, item, i, file, sa))
			return -1;
		r->nsas++;
		if (sa->dir == SA_DIR_IN)
			r->nsas_in++;
		else
			r->nsas_out++;
		for (size_t j = 0; j < i; j++)
			if (check_sa_against(d, item, sa, &r->sas[j]))
				return -1;
	}
	if (r->nsas_in > ESPRIT_SAS_IN_MAX || r->nsas_out > ESPRIT_SAS_OUT_MAX)
		return yerr(d, seq, "risav.sas",
			    "%zu inbound and %zu outbound SAs; esprit_sa_in "
			    "holds %d, esprit_sa_out %d",
			    r->nsas_in, r->nsas_out, ESPRIT_SAS_IN_MAX,
			    ESPRIT_SAS_OUT_MAX);
	return check_out_set(d, seq, r);
}
