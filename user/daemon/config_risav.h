/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `risav:` section of the daemon's configuration: the local AS and its
 * contacts, the settings of `esprit risav set`, the prefix table (an RPKI
 * import and/or static entries), the peers and the SAs. Everything is
 * parsed and checked here, keys turned into midstates; reading the import
 * file is a separate step (config_risav_load_prefixes) so a reload can
 * skip it when the file did not change. Nothing here touches a map.
 */
#ifndef ESPRIT_CONFIG_RISAV_H
#define ESPRIT_CONFIG_RISAV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "esprit_sha256.h"
#include "risav/prefix_table.h"
#include "risav/state.h"
#include "risav/sa_in.h"
#include "risav/sa_out.h"
#include "lib/yaml_doc.h"

/* An SA of the file: in (verified by XDP) or out (the egress tagger's). */
struct config_sa {
	enum sa_dir dir;
	struct sa_in in; /* dir SA_DIR_IN */
	struct sa_out out; /* dir SA_DIR_OUT */
	size_t line;
};

#define CONFIG_RTR_CACHES_MAX 8

/* An RPKI-to-Router cache of risav.prefixes.rtr (plain TCP). */
struct config_rtr_cache {
	char host[64]; /* the address, as rtrlib's getaddrinfo() takes it */
	char port[8];
	__u8 preference; /* lower first; caches of one preference form a
			  * group that must all be up */
	size_t line;
};

/* risav.prefixes.rtr and its timers. */
struct config_rtr {
	struct config_rtr_cache caches[CONFIG_RTR_CACHES_MAX];
	size_t n; /* 0: no RTR */
	size_t line;
	/* RFC 8210 timers, seconds; 0: the cache's (or RFC 8210's) */
	__u32 refresh, expire, retry;
	bool clear_on_expire; /* on_expire: clear */
};

struct config_risav {
	bool present; /* the file has a risav: section */
	struct risav_state state; /* settings, local AS, peers (with where) */
	char import[PATH_MAX]; /* RPKI file, resolved; "" = none */
	size_t import_line;
	struct config_rtr rtr; /* the alternative to import */
	struct prefix_table statics; /* sorted, one entry per prefix */
	struct config_sa *sas;
	size_t nsas;
	size_t nsas_in, nsas_out; /* of nsas, by direction */
};

/* Room for a key's path in messages ("risav.sas[12].key_file"). */
#define CONFIG_KEY_PATH_LEN 96

/* Parses risav.sas (seq) into r; 0, or -1 with the error recorded in d. */
int config_sas_parse(struct ydoc *d, yaml_node_t *seq, const char *file,
		     struct config_risav *r);

/* Parses map (the value of `risav:`) into r; file names the YAML file,
 * for resolving relative paths. 0, or -1 with the error recorded in d. */
int config_risav_parse(struct ydoc *d, yaml_node_t *map, const char *file,
		       struct config_risav *r);

void config_risav_free(struct config_risav *r);

/* The prefix table a configuration asks for, and the import's digest. */
struct risav_prefixes {
	struct prefix_table table; /* import + statics, sorted */
	bool imported; /* r->import was read */
	__u8 digest[ESPRIT_SHA256_DIGEST_LEN]; /* of the import file */
	size_t import_entries; /* prefixes the import gave */
	/* the file as last read: unchanged identity, size and times mean
	 * unchanged content, and spare reading it to digest it again */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/*
 * Reads r's import file and digests it. When prev is given and holds the
 * same digest (and both have the same statics), *unchanged is set and the
 * file is not parsed (out->table stays empty); a file whose device, inode,
 * size, mtime and ctime are prev's is not even read. Otherwise the file is
 * parsed and validated (rpki_parse), and the statics put over it.
 * Returns 0, or -1 with "FILE:LINE: risav.prefixes.import: ..." in err.
 */
int config_risav_load_prefixes(const struct config_risav *r, const char *file,
			       const struct risav_prefixes *prev,
			       const struct prefix_table *prev_statics,
			       struct risav_prefixes *out, bool *unchanged,
			       char *err, size_t errlen);

void risav_prefixes_free(struct risav_prefixes *p);

#endif
