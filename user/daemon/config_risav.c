// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

#define PATH_LEN     96
#define KEY_FILE_MAX 4096 /* a hex key and some whitespace */

/* A path from the file, relative ones taken from the file's directory. */
static int resolve_path(struct ydoc *d, yaml_node_t *v, const char *path,
			const char *file, char *out, size_t outlen)
{
	char given[PATH_MAX], dir[PATH_MAX];

	if (yget_string(d, v, path, given, sizeof(given)))
		return -1;
	if (!given[0])
		return yerr(d, v, path, "empty path");
	if (given[0] == '/') {
		snprintf(out, outlen, "%s", given);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", file);
	if ((size_t)snprintf(out, outlen, "%s/%s", dirname(dir), given) >=
	    outlen)
		return yerr(d, v, path, "path too long");
	return 0;
}

/* A scalar or a list of scalars: contact addresses. */
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
		char path[PATH_LEN], why[160];
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
		if (resolve_path(d, v, "risav.prefixes.import", file, r->import,
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
		char path[PATH_LEN], sub[PATH_LEN + 16], why[160];

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

/* The hex key of key_file: its content without surrounding whitespace. */
static int read_key_file(const char *path, char *hex, size_t len, char *err,
			 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t start = 0, end;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	n = read(fd, hex, len - 1);
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if ((size_t)n == len - 1) {
		explicit_bzero(hex, len);
		snprintf(err, errlen, "%s: longer than a key", path);
		return -1;
	}
	hex[n] = '\0';
	end = (size_t)n;
	while (start < end && strchr(" \t\r\n", hex[start]))
		start++;
	while (end > start && strchr(" \t\r\n", hex[end - 1]))
		end--;
	memmove(hex, hex + start, end - start);
	memset(hex + (end - start), 0, len - (end - start));
	return 0;
}

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
	char sub[PATH_LEN + 16];

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
		if (resolve_path(d, key_file, sub, file, kpath, sizeof(kpath)))
			return -1;
		if (read_key_file(kpath, hex, hexlen, why, sizeof(why)))
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
	char path[PATH_LEN], sub[PATH_LEN + 16], why[PATH_MAX + 128],
		hex[KEY_FILE_MAX];
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

static int parse_sas(struct ydoc *d, yaml_node_t *seq, const char *file,
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

static int parse_settings(struct ydoc *d, yaml_node_t *map,
			  struct config_risav *r)
{
	static const struct {
		const char *yaml, *setting;
	} settings[] = {{"fragments", "fragments"},
			{"audit_rate", "audit-rate"}};
	yaml_node_t *v;
	char why[256];

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char path[PATH_LEN];

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
	static const char *const keys[] = {"local_asn", "contacts",
					   "fragments", "audit_rate",
					   "prefixes",	"peers",
					   "sas",	NULL};
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
	if (v && parse_sas(d, v, file, r))
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

static char *read_file(const char *path, size_t *len, struct stat *st,
		       char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, st)) {
		snprintf(err, errlen, "cannot stat %s: %s", path,
			 strerror(errno));
		close(fd);
		return NULL;
	}
	buf = fd_read_all(fd, len);
	if (!buf)
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
	close(fd);
	return buf;
}

static bool same_statics(const struct prefix_table *a,
			 const struct prefix_table *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (prefix_key_cmp(&a->v[i].key, &b->v[i].key) ||
		    a->v[i].asn != b->v[i].asn)
			return false;
	return true;
}

static bool same_file(const char *path, const struct risav_prefixes *prev)
{
	struct stat st;

	return !stat(path, &st) && st.st_dev == prev->dev &&
	       st.st_ino == prev->ino && st.st_size == prev->size &&
	       st.st_mtim.tv_sec == prev->mtime.tv_sec &&
	       st.st_mtim.tv_nsec == prev->mtime.tv_nsec &&
	       st.st_ctim.tv_sec == prev->ctime.tv_sec &&
	       st.st_ctim.tv_nsec == prev->ctime.tv_nsec;
}

int config_risav_load_prefixes(const struct config_risav *r, const char *file,
			       const struct risav_prefixes *prev,
			       const struct prefix_table *prev_statics,
			       struct risav_prefixes *out, bool *unchanged,
			       char *err, size_t errlen)
{
	struct rpki_summary sum;
	struct rpki_errors errs;
	char why[PATH_MAX + 128];
	size_t len = 0;
	char *buf = NULL;

	memset(out, 0, sizeof(*out));
	prefix_table_init(&out->table);
	*unchanged = false;
	if (r->import[0] && prev && prev_statics && prev->imported &&
	    same_statics(prev_statics, &r->statics) &&
	    same_file(r->import, prev)) {
		*out = *prev;
		prefix_table_init(&out->table);
		*unchanged = true;
		return 0;
	}
	if (r->import[0]) {
		struct stat st;

		buf = read_file(r->import, &len, &st, why, sizeof(why));
		if (!buf) {
			snprintf(err, errlen,
				 "%s:%zu: risav.prefixes.import: %s", file,
				 r->import_line, why);
			return -1;
		}
		sha256(buf, len, out->digest);
		out->imported = true;
		out->dev = st.st_dev;
		out->ino = st.st_ino;
		out->size = st.st_size;
		out->mtime = st.st_mtim;
		out->ctime = st.st_ctim;
	}
	if (prev && prev_statics && prev->imported == out->imported &&
	    !memcmp(prev->digest, out->digest, sizeof(out->digest)) &&
	    same_statics(prev_statics, &r->statics)) {
		*unchanged = true;
		free(buf);
		return 0;
	}
	if (buf) {
		int rc = rpki_parse(r->import, buf, len, &out->table, &sum,
				    &errs);

		free(buf);
		if (rc) {
			snprintf(err, errlen,
				 "%s:%zu: risav.prefixes.import: %s%s", file,
				 r->import_line,
				 errs.count ? errs.msg[0] : "cannot parse",
				 errs.count > 1 ? " (and more errors)" : "");
			return -1;
		}
		out->import_entries = out->table.n;
	}
	for (size_t i = 0; i < r->statics.n; i++)
		if (prefix_table_put(&out->table, &r->statics.v[i].key,
				     r->statics.v[i].asn)) {
			prefix_table_free(&out->table);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	if (out->table.n > ESPRIT_PREFIXES_MAX) {
		snprintf(err, errlen,
			 "%s:%zu: risav.prefixes: %zu prefixes; the table "
			 "holds %d",
			 file, r->import_line, out->table.n,
			 ESPRIT_PREFIXES_MAX);
		prefix_table_free(&out->table);
		return -1;
	}
	return 0;
}

void risav_prefixes_free(struct risav_prefixes *p)
{
	prefix_table_free(&p->table);
	memset(p, 0, sizeof(*p));
}
