/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's configuration file (/etc/esprit/esprit.yaml), parsed whole
 * and validated before anything is applied. Errors name FILE:LINE and the
 * key's path, e.g. "esprit.yaml:14: peers[1].interval: ...".
 */
#ifndef ESPRIT_CONFIG_FILE_H
#define ESPRIT_CONFIG_FILE_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <xdp/libxdp.h>

#include "daemon/config_risav.h"
#include "esprit_config.h"
#include "esprit_echo.h"
#include "esprit_types.h"

#define ESPRIT_DEFAULT_CONFIG	       "/etc/esprit/esprit.yaml"
#define ESPRIT_DEFAULT_CONTROL	       "/run/esprit/esprit.sock"
#define ESPRIT_DEFAULT_METRICS	       "127.0.0.1:9469"
#define CONFIG_PEER_NAME_MAX	       64
#define CONFIG_DSCP_MAX		       64
#define CONFIG_MIN_INTERVAL_NS	       1000000ULL /* 1 ms */
#define CONFIG_MAX_INTERVAL_NS	       60000000000ULL /* 60 s */
#define CONFIG_DEFAULT_INTERVAL_NS     1000000000ULL
#define CONFIG_DEFAULT_DETECT_MULT     3
#define CONFIG_DEFAULT_UP_AFTER	       1
#define CONFIG_DEFAULT_DATA_SIZE       64
#define CONFIG_MIN_DATA_SIZE	       16 /* send time + tag */
#define CONFIG_MAX_DATA_SIZE	       8192
#define CONFIG_DEFAULT_HOOK_TIMEOUT_NS 30000000000ULL /* 30 s */
#define CONFIG_MAX_HOOK_TIMEOUT_NS     3600000000000ULL /* 1 h */

/* interfaces[].egress_tagger: unset follows the risav: section. */
enum config_tagger {
	CONFIG_TAGGER_DEFAULT,
	CONFIG_TAGGER_OFF,
	CONFIG_TAGGER_ON,
};

struct config_interface {
	char name[IF_NAMESIZE];
	enum xdp_attach_mode mode;
	enum config_tagger egress_tagger;
	size_t line;
};

/* One monitored peer; each DSCP class is its own probe stream. */
struct config_peer {
	char name[CONFIG_PEER_NAME_MAX];
	struct esprit_addr address;
	__u64 interval_ns;
	__u32 detect_multiplier; /* missed intervals before down */
	__u32 up_after; /* consecutive replies before up */
	__u32 size; /* bytes of echo Data (0 in the empty form) */
	enum esprit_echo_format format; /* of the requests */
	__u8 dscp[CONFIG_DSCP_MAX];
	__u32 dscp_count;
	size_t line;
};

struct config_prefix_list {
	struct esprit_prefix_key *items;
	size_t count;
};

struct daemon_config {
	char path[PATH_MAX];
	struct config_interface *interfaces;
	size_t interface_count;
	bool metrics_enabled;
	char metrics_listen[128]; /* host:port, [v6]:port */
	char control[PATH_MAX];
	char pin_dir[PATH_MAX];
	char state_dir[1024]; /* the sequence ledger's; "" = /var/lib/esprit */
	bool detach_on_exit;
	char hook[PATH_MAX]; /* run on every state change; "" = none */
	__u64 hook_timeout_ns; /* a hook still running then is killed */
	/* responder: the esprit_config map's value, and its allowlist */
	struct esprit_config responder;
	struct config_prefix_list allow;
	struct config_peer *peers;
	size_t peer_count;
	/* risav: absent (risav.present false) leaves the RISAV maps alone */
	struct config_risav risav;
};

/* "127.0.0.1:9469", "[::1]:9469", ":9469" (all addresses). */
int config_parse_listen(const char *text, struct sockaddr_storage *ss,
			socklen_t *len, char *err, size_t errlen);

/*
 * Parses and validates file into cfg. Returns 0, or -1 with
 * "FILE:LINE: path: problem" in err and cfg left empty.
 */
int config_load(const char *file, struct daemon_config *cfg, char *err,
		size_t errlen);
void config_free(struct daemon_config *cfg);

/* The map sizes the file's RISAV section needs (lib/map_sizes.h). */
struct map_sizes;
void config_map_sizes(const struct daemon_config *cfg, struct map_sizes *s);

#endif
