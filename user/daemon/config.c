// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "lib/map_sizes.h"
#include "echo/packet.h"
#include "echo/responder.h"
#include "lib/yaml_doc.h"

#define PATH_LEN 96

static int parse_interfaces(struct ydoc *d, yaml_node_t *seq,
			    struct daemon_config *cfg)
{
	static const char *const keys[] = {"name", "mode", "egress_tagger",
					   NULL};
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "interfaces", "expected a list");
	cfg->interfaces = calloc(n ? n : 1, sizeof(*cfg->interfaces));
	if (!cfg->interfaces)
		return yerr(d, seq, "interfaces", "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct config_interface *ifc = &cfg->interfaces[i];
		yaml_node_t *item = yseq_at(d, seq, i), *v;
		char path[PATH_LEN], mode[16] = "native";

		snprintf(path, sizeof(path), "interfaces[%zu]", i);
		if (ymap_only(d, item, path, keys))
			return -1;
		ifc->line = yline(item);
		v = ymap_get(d, item, "name");
		if (!v)
			return yerr(d, item, path, "missing 'name'");
		if (yget_string(d, v, path, ifc->name, sizeof(ifc->name)))
			return -1;
		v = ymap_get(d, item, "mode");
		if (v && yget_string(d, v, path, mode, sizeof(mode)))
			return -1;
		if (!strcmp(mode, "native"))
			ifc->mode = XDP_MODE_NATIVE;
		else if (!strcmp(mode, "skb"))
			ifc->mode = XDP_MODE_SKB;
		else
			return yerr(d, v, path,
				    "mode must be native or skb, not '%s'",
				    mode);
		v = ymap_get(d, item, "egress_tagger");
		if (v) {
			bool on;
			char sub[PATH_LEN + 16];

			snprintf(sub, sizeof(sub), "%s.egress_tagger", path);
			if (yget_bool(d, v, sub, &on))
				return -1;
			ifc->egress_tagger = on ? CONFIG_TAGGER_ON
						: CONFIG_TAGGER_OFF;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->interfaces[j].name, ifc->name))
				return yerr(d, item, path,
					    "interface '%s' listed twice "
					    "(first on line %zu)",
					    ifc->name, cfg->interfaces[j].line);
		cfg->interface_count++;
	}
	return 0;
}

/* YAML responder keys and the `esprit responder set` keys they feed. */
static const struct {
	const char *yaml, *setting;
} responder_keys[] = {
	{"enabled", "enabled"},
	{"formats", "formats"},
	{"seq", "seq"},
	{"rate_limit", "rate"},
	{"burst", "burst"},
	{"prefix_rate_limit", "prefix-rate"},
	{"prefix_burst", "prefix-burst"},
	{"prefix_len4", "prefix-len4"},
	{"prefix_len6", "prefix-len6"},
	{"ttl", "ttl"},
	{"spi_request", "spi-request"},
	{"spi_reply", "spi-reply"},
	{"local_only", "local-only"},
	{"capture", "capture"},
};

#define N_RESPONDER_KEYS (sizeof(responder_keys) / sizeof(responder_keys[0]))

/* A YAML list of formats as the setting's comma-separated form. */
static int formats_value(struct ydoc *d, yaml_node_t *v, char *out, size_t len)
{
	out[0] = '\0';
	if (yis_scalar(v)) {
		snprintf(out, len, "%s", yscalar(v));
		return 0;
	}
	if (!yis_seq(v))
		return yerr(d, v, "responder.formats",
			    "expected a list of seed, empty, subtyped");
	for (size_t i = 0; i < yseq_len(v); i++) {
		const char *s = yscalar(yseq_at(d, v, i));

		if (!s)
			return yerr(d, v, "responder.formats",
				    "expected format names");
		if (strlen(out) + strlen(s) + 2 > len)
			return yerr(d, v, "responder.formats", "too long");
		if (out[0])
			strcat(out, ",");
		strcat(out, s);
	}
	return 0;
}

static int parse_allow(struct ydoc *d, yaml_node_t *seq,
		       struct daemon_config *cfg)
{
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "responder.allow",
			    "expected a list of prefixes");
	cfg->allow.items = calloc(n ? n : 1, sizeof(*cfg->allow.items));
	if (!cfg->allow.items)
		return yerr(d, seq, "responder.allow", "out of memory");
	for (size_t i = 0; i < n; i++) {
		char path[PATH_LEN];

		snprintf(path, sizeof(path), "responder.allow[%zu]", i);
		if (yget_prefix(d, yseq_at(d, seq, i), path,
				&cfg->allow.items[i]))
			return -1;
		cfg->allow.count++;
	}
	if (n)
		cfg->responder.echo_flags |= ESPRIT_ECHO_ALLOWLIST;
	return 0;
}

static int parse_responder(struct ydoc *d, yaml_node_t *map,
			   struct daemon_config *cfg)
{
	static const char *keys[N_RESPONDER_KEYS + 2];
	char err[256], value[128];
	yaml_node_t *v;

	for (size_t i = 0; i < N_RESPONDER_KEYS; i++)
		keys[i] = responder_keys[i].yaml;
	keys[N_RESPONDER_KEYS] = "allow";
	if (ymap_only(d, map, "responder", keys))
		return -1;
	for (size_t i = 0; i < N_RESPONDER_KEYS; i++) {
		char path[PATH_LEN];

		v = ymap_get(d, map, responder_keys[i].yaml);
		if (!v)
			continue;
		snprintf(path, sizeof(path), "responder.%s",
			 responder_keys[i].yaml);
		if (!strcmp(responder_keys[i].yaml, "formats")) {
			if (formats_value(d, v, value, sizeof(value)))
				return -1;
		} else if (!yis_scalar(v)) {
			return yerr(d, v, path, "expected a single value");
		} else {
			snprintf(value, sizeof(value), "%s", yscalar(v));
		}
		if (!strcmp(value, "true"))
			snprintf(value, sizeof(value), "on");
		else if (!strcmp(value, "false"))
			snprintf(value, sizeof(value), "off");
		if (responder_config_set(&cfg->responder,
					 responder_keys[i].setting, value, err,
					 sizeof(err)))
			return yerr(d, v, path, "%s", err);
	}
	if (responder_config_check(&cfg->responder, err, sizeof(err)))
		return yerr(d, map, "responder", "%s", err);
	v = ymap_get(d, map, "allow");
	if (v && parse_allow(d, v, cfg))
		return -1;
	return 0;
}

static int parse_dscp(struct ydoc *d, yaml_node_t *v, const char *path,
		      struct config_peer *p)
{
	size_t n = yseq_len(v);
	__u64 seen = 0;

	if (yis_scalar(v)) {
		__u32 one;

		if (yget_u32(d, v, path, 0, 63, &one))
			return -1;
		p->dscp[0] = one;
		p->dscp_count = 1;
		return 0;
	}
	if (!yis_seq(v) || n == 0)
		return yerr(d, v, path, "expected a list of DSCP values 0-63");
	for (size_t i = 0; i < n; i++) {
		__u32 dscp;

		if (yget_u32(d, yseq_at(d, v, i), path, 0, 63, &dscp))
			return -1;
		if (seen & (1ULL << dscp))
			return yerr(d, yseq_at(d, v, i), path,
				    "DSCP %u listed twice", dscp);
		seen |= 1ULL << dscp;
		p->dscp[p->dscp_count++] = dscp;
	}
	return 0;
}

static int parse_peer(struct ydoc *d, yaml_node_t *item, size_t i,
		      struct config_peer *p)
{
	static const char *const keys[] = {"name",     "address",
					   "interval", "detect_multiplier",
					   "up_after", "dscp",
					   "size",     "format",
					   NULL};
	char path[PATH_LEN], sub[PATH_LEN + 32];
	yaml_node_t *v;

	snprintf(path, sizeof(path), "peers[%zu]", i);
	if (ymap_only(d, item, path, keys))
		return -1;
	p->line = yline(item);
	p->interval_ns = CONFIG_DEFAULT_INTERVAL_NS;
	p->detect_multiplier = CONFIG_DEFAULT_DETECT_MULT;
	p->up_after = CONFIG_DEFAULT_UP_AFTER;
	p->size = CONFIG_DEFAULT_DATA_SIZE;
	p->format = ESPRIT_ECHO_FMT_SUBTYPED;

#define SUB(key) (snprintf(sub, sizeof(sub), "%s.%s", path, key), sub)
	v = ymap_get(d, item, "name");
	if (!v)
		return yerr(d, item, path, "missing 'name'");
	if (yget_string(d, v, SUB("name"), p->name, sizeof(p->name)))
		return -1;
	v = ymap_get(d, item, "address");
	if (!v)
		return yerr(d, item, path, "missing 'address'");
	if (yget_addr(d, v, SUB("address"), &p->address))
		return -1;
	v = ymap_get(d, item, "interval");
	if (v && yget_duration(d, v, SUB("interval"), CONFIG_MIN_INTERVAL_NS,
			       CONFIG_MAX_INTERVAL_NS, &p->interval_ns))
		return -1;
	v = ymap_get(d, item, "detect_multiplier");
	if (v && yget_u32(d, v, SUB("detect_multiplier"), 1, 255,
			  &p->detect_multiplier))
		return -1;
	v = ymap_get(d, item, "up_after");
	if (v && yget_u32(d, v, SUB("up_after"), 1, 255, &p->up_after))
		return -1;
	v = ymap_get(d, item, "size");
	if (v && yget_u32(d, v, SUB("size"), CONFIG_MIN_DATA_SIZE,
			  CONFIG_MAX_DATA_SIZE, &p->size))
		return -1;
	v = ymap_get(d, item, "dscp");
	if (v && parse_dscp(d, v, SUB("dscp"), p))
		return -1;
	if (!v)
		p->dscp_count = 1; /* class 0 only */
	v = ymap_get(d, item, "format");
	if (v && (!yis_scalar(v) || echo_format_parse(yscalar(v), &p->format)))
		return yerr(d, v, SUB("format"),
			    "expected subtyped, seed or empty");
	if (p->format == ESPRIT_ECHO_FMT_EMPTY) {
		/* Replies carry no Identifier: nothing to tell classes by,
		 * and no Data to carry a size. */
		if (ymap_get(d, item, "size"))
			return yerr(d, ymap_get(d, item, "size"), SUB("size"),
				    "the empty form carries no Data");
		if (p->dscp_count > 1)
			return yerr(d, ymap_get(d, item, "dscp"), SUB("dscp"),
				    "the empty form carries no Identifier: "
				    "one class per peer");
		p->size = 0;
	}
#undef SUB
	return 0;
}

static int parse_peers(struct ydoc *d, yaml_node_t *seq,
		       struct daemon_config *cfg)
{
	size_t n = yseq_len(seq);

	if (!yis_seq(seq))
		return yerr(d, seq, "peers", "expected a list");
	cfg->peers = calloc(n ? n : 1, sizeof(*cfg->peers));
	if (!cfg->peers)
		return yerr(d, seq, "peers", "out of memory");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = yseq_at(d, seq, i);

		if (parse_peer(d, item, i, &cfg->peers[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(cfg->peers[j].name, cfg->peers[i].name))
				return yerr(d, item, "peers",
					    "peer name '%s' used twice (first "
					    "on line %zu)",
					    cfg->peers[i].name,
					    cfg->peers[j].line);
		cfg->peer_count++;
	}
	return 0;
}

int config_parse_listen(const char *text, struct sockaddr_storage *ss,
			socklen_t *len, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(text, ':');
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - text) >= sizeof(host)) {
		snprintf(err, errlen, "'%s' is not HOST:PORT", text);
		return -1;
	}
	memcpy(host, text, colon - text);
	host[colon - text] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port == 0 || port > 65535) {
		snprintf(err, errlen, "'%s': port must be 1-65535", text);
		return -1;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s': bad IPv6 address", text);
			return -1;
		}
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	{
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		if (!host[0])
			in->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
			snprintf(err, errlen,
				 "'%s': bad address (IPv4, or [IPv6])", text);
			return -1;
		}
	}
	return 0;
}

static int parse_root(struct ydoc *d, yaml_node_t *root,
		      struct daemon_config *cfg)
{
	static const char *const keys[] = {
		"interfaces", "metrics",	"control", "pin_dir",
		"state_dir",  "detach_on_exit", "hook",	   "hook_timeout",
		"responder",  "peers",		"risav",   NULL};
	static const char *const metrics_keys[] = {"listen", "enabled", NULL};
	yaml_node_t *v, *m;

	/* An empty file is a valid, empty configuration. */
	if (!root || (yis_scalar(root) && !yscalar(root)[0]))
		return 0;
	if (ymap_only(d, root, NULL, keys))
		return -1;
	v = ymap_get(d, root, "interfaces");
	if (v && parse_interfaces(d, v, cfg))
		return -1;
	m = ymap_get(d, root, "metrics");
	if (m) {
		if (ymap_only(d, m, "metrics", metrics_keys))
			return -1;
		v = ymap_get(d, m, "enabled");
		if (v &&
		    yget_bool(d, v, "metrics.enabled", &cfg->metrics_enabled))
			return -1;
		v = ymap_get(d, m, "listen");
		if (v) {
			struct sockaddr_storage ss;
			socklen_t len;
			char why[160];

			if (yget_string(d, v, "metrics.listen",
					cfg->metrics_listen,
					sizeof(cfg->metrics_listen)))
				return -1;
			if (config_parse_listen(cfg->metrics_listen, &ss, &len,
						why, sizeof(why)))
				return yerr(d, v, "metrics.listen", "%s", why);
		}
	}
	v = ymap_get(d, root, "control");
	if (v &&
	    yget_string(d, v, "control", cfg->control, sizeof(cfg->control)))
		return -1;
	if (v && cfg->control[0] != '/')
		return yerr(d, v, "control", "must be an absolute path");
	v = ymap_get(d, root, "pin_dir");
	if (v &&
	    yget_string(d, v, "pin_dir", cfg->pin_dir, sizeof(cfg->pin_dir)))
		return -1;
	if (v && cfg->pin_dir[0] && cfg->pin_dir[0] != '/')
		return yerr(d, v, "pin_dir", "must be an absolute path");
	v = ymap_get(d, root, "state_dir");
	if (v && yget_string(d, v, "state_dir", cfg->state_dir,
			     sizeof(cfg->state_dir)))
		return -1;
	if (v && cfg->state_dir[0] != '/')
		return yerr(d, v, "state_dir", "must be an absolute path");
	v = ymap_get(d, root, "detach_on_exit");
	if (v && yget_bool(d, v, "detach_on_exit", &cfg->detach_on_exit))
		return -1;
	v = ymap_get(d, root, "hook");
	if (v && yget_string(d, v, "hook", cfg->hook, sizeof(cfg->hook)))
		return -1;
	v = ymap_get(d, root, "hook_timeout");
	if (v &&
	    yget_duration(d, v, "hook_timeout", CONFIG_MIN_INTERVAL_NS,
			  CONFIG_MAX_HOOK_TIMEOUT_NS, &cfg->hook_timeout_ns))
		return -1;
	v = ymap_get(d, root, "responder");
	if (v && parse_responder(d, v, cfg))
		return -1;
	v = ymap_get(d, root, "peers");
	if (v && parse_peers(d, v, cfg))
		return -1;
	v = ymap_get(d, root, "risav");
	if (v && config_risav_parse(d, v, cfg->path, &cfg->risav))
		return -1;
	return 0;
}

int config_load(const char *file, struct daemon_config *cfg, char *err,
		size_t errlen)
{
	struct ydoc d;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->path, sizeof(cfg->path), "%s", file);
	cfg->metrics_enabled = true;
	cfg->hook_timeout_ns = CONFIG_DEFAULT_HOOK_TIMEOUT_NS;
	snprintf(cfg->metrics_listen, sizeof(cfg->metrics_listen), "%s",
		 ESPRIT_DEFAULT_METRICS);
	snprintf(cfg->control, sizeof(cfg->control), "%s",
		 ESPRIT_DEFAULT_CONTROL);
	if (ydoc_load(&d, file, err, errlen))
		return -1;
	rc = parse_root(&d, ydoc_root(&d), cfg);
	ydoc_free(&d);
	if (rc)
		config_free(cfg);
	return rc;
}

void config_free(struct daemon_config *cfg)
{
	free(cfg->interfaces);
	free(cfg->allow.items);
	free(cfg->peers);
	config_risav_free(&cfg->risav);
	cfg->interfaces = NULL;
	cfg->allow.items = NULL;
	cfg->peers = NULL;
	cfg->interface_count = cfg->peer_count = cfg->allow.count = 0;
}

void config_map_sizes(const struct daemon_config *cfg, struct map_sizes *s)
{
	const struct config_risav *r = &cfg->risav;
	size_t contacts = r->state.local_contact_count;

	for (size_t i = 0; i < r->state.npeers; i++)
		contacts += r->state.peers[i].v.contact_count;
	map_sizes_for(s, r->state.npeers, contacts, r->nsas_in, r->nsas_out);
}
