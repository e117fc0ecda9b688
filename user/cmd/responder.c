// SPDX-License-Identifier: GPL-2.0
/*
 * esprit responder: shows and changes the responder's settings, its
 * requester allowlist (esprit_allow) and the addresses it answers for
 * (esprit_local). Every change is validated whole before anything is
 * written, under the pin directory's lock.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <jansson.h>

#include "esprit_maps.h"
#include "cmd/commands.h"
#include "echo/responder.h"
#include "esprit_config.h"
#include "lib/addr.h"
#include "lib/options.h"
#include "lib/output.h"
#include "lib/pins.h"

static void responder_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit responder [show] [--json]\n"
		"       esprit responder set KEY VALUE [KEY VALUE]...\n"
		"       esprit responder allow add|del PREFIX | list | clear\n"
		"       esprit responder local add|del ADDR | list | sync | "
		"clear\n"
		"  (each takes --pin-dir DIR)\n"
		"keys:\n"
		"  enabled on|off        answer ESP Echo Requests in XDP (on)\n"
		"  formats LIST          seed,empty,subtyped (all)\n"
		"  seq copy|zero         reply ESP sequence number (copy)\n"
		"  rate N|unlimited      replies/s, all sources (%u)\n"
		"  burst N               global burst (rate/10)\n"
		"  prefix-rate N|unlimited  replies/s per source prefix (%u)\n"
		"  prefix-burst N        per-prefix burst (prefix-rate/10)\n"
		"  prefix-len4 N         IPv4 rate-limit prefix length (%u)\n"
		"  prefix-len6 N         IPv6 rate-limit prefix length (%u)\n"
		"  ttl N                 reply TTL / hop limit (%u)\n"
		"  spi-request N         request SPI, 1-255 (%u)\n"
		"  spi-reply N           reply SPI, 1-255, not the request's "
		"(%u)\n"
		"  allowlist on|off      answer allowlisted prefixes only "
		"(off)\n"
		"  local-only on|off     answer only addresses in the local "
		"list (off:\n"
		"                        the ingress device's and lo's "
		"addresses)\n"
		"  capture on|off        take replies to our probes in XDP "
		"(on)\n",
		ESPRIT_DEFAULT_RATE_GLOBAL, ESPRIT_DEFAULT_RATE_PREFIX,
		ESPRIT_DEFAULT_PREFIX_LEN_V4, ESPRIT_DEFAULT_PREFIX_LEN_V6,
		ESPRIT_DEFAULT_REPLY_TTL, ESPRIT_DEFAULT_SPI_REQUEST,
		ESPRIT_DEFAULT_SPI_REPLY);
}

static int show(const struct esprit_config *cfg, bool json)
{
	__u32 rate = responder_or_default(cfg->rate_global,
					  ESPRIT_DEFAULT_RATE_GLOBAL);
	__u32 prate = responder_or_default(cfg->rate_prefix,
					   ESPRIT_DEFAULT_RATE_PREFIX);
	__u32 flags = cfg->echo_flags;
	char r[32], pr[32], fm[64];

	responder_rate_text(rate, r, sizeof(r));
	responder_rate_text(prate, pr, sizeof(pr));
	responder_formats_text(flags, fm, sizeof(fm));
	if (json) {
		json_t *o = json_pack(
			"{s:b, s:s, s:s, s:s, s:I, s:s, s:I, s:i, s:i, s:i, "
			"s:I, s:I, s:b, s:b, s:b}",
			"enabled", !(flags & ESPRIT_ECHO_OFF), "formats", fm,
			"seq", flags & ESPRIT_ECHO_SEQ_ZERO ? "zero" : "copy",
			"rate", r, "burst",
			(json_int_t)(cfg->rate_global_burst ?: rate / 10 ?: 1),
			"prefix_rate", pr, "prefix_burst",
			(json_int_t)(cfg->rate_prefix_burst ?: prate / 10 ?: 1),
			"prefix_len4",
			(int)responder_or_default(cfg->prefix_len_v4,
					ESPRIT_DEFAULT_PREFIX_LEN_V4),
			"prefix_len6",
			(int)responder_or_default(cfg->prefix_len_v6,
					ESPRIT_DEFAULT_PREFIX_LEN_V6),
			"ttl",
			(int)responder_or_default(cfg->reply_ttl,
					ESPRIT_DEFAULT_REPLY_TTL),
			"spi_request",
			(json_int_t)responder_or_default(cfg->spi_request,
					       ESPRIT_DEFAULT_SPI_REQUEST),
			"spi_reply",
			(json_int_t)responder_or_default(cfg->spi_reply,
					       ESPRIT_DEFAULT_SPI_REPLY),
			"allowlist", !!(flags & ESPRIT_ECHO_ALLOWLIST),
			"local_only", !!(flags & ESPRIT_ECHO_LOCAL_LIST),
			"capture", !(flags & ESPRIT_ECHO_NO_CAPTURE));

		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
		return EXIT_OK;
	}
	printf("enabled       %s\n", flags & ESPRIT_ECHO_OFF ? "off" : "on");
	printf("formats       %s\n", fm);
	printf("seq           %s\n",
	       flags & ESPRIT_ECHO_SEQ_ZERO ? "zero" : "copy");
	printf("rate          %s burst %u\n", r,
	       cfg->rate_global_burst ?: rate / 10 ?: 1);
	printf("prefix-rate   %s burst %u per /%u (IPv4), /%u (IPv6)\n", pr,
	       cfg->rate_prefix_burst ?: prate / 10 ?: 1,
	       responder_or_default(cfg->prefix_len_v4, ESPRIT_DEFAULT_PREFIX_LEN_V4),
	       responder_or_default(cfg->prefix_len_v6, ESPRIT_DEFAULT_PREFIX_LEN_V6));
	printf("ttl           %u\n",
	       responder_or_default(cfg->reply_ttl, ESPRIT_DEFAULT_REPLY_TTL));
	printf("spi           request %u, reply %u\n",
	       responder_or_default(cfg->spi_request,
				    ESPRIT_DEFAULT_SPI_REQUEST),
	       responder_or_default(cfg->spi_reply, ESPRIT_DEFAULT_SPI_REPLY));
	printf("allowlist     %s\n",
	       flags & ESPRIT_ECHO_ALLOWLIST ? "on" : "off");
	printf("local-only    %s\n", flags & ESPRIT_ECHO_LOCAL_LIST
					     ? "on"
					     : "off (the ingress device's and "
					       "lo's addresses)");
	printf("capture       %s\n",
	       flags & ESPRIT_ECHO_NO_CAPTURE ? "off" : "on");
	return EXIT_OK;
}

static int cmd_set(struct pins *pins, int argc, char **argv)
{
	struct esprit_config cfg;
	char err[256];
	int rc = EXIT_ERROR;

	if (argc == 0 || argc % 2) {
		errmsg("set takes KEY VALUE pairs");
		return EXIT_ERROR;
	}
	if (pins_lock(pins))
		return EXIT_ERROR;
	if (responder_config_read(pins, &cfg))
		goto out;
	for (int i = 0; i < argc; i += 2) {
		if (responder_config_set(&cfg, argv[i], argv[i + 1], err,
					 sizeof(err))) {
			errmsg("%s; nothing changed", err);
			goto out;
		}
	}
	if (responder_config_check(&cfg, err, sizeof(err))) {
		errmsg("%s; nothing changed", err);
		goto out;
	}
	if (!responder_config_write(pins, &cfg))
		rc = EXIT_OK;
out:
	pins_unlock(pins);
	return rc;
}

static int list_prefixes(int fd, bool json)
{
	struct esprit_prefix_key key, next;
	json_t *arr = json ? json_array() : NULL;
	char buf[PREFIX_STRLEN];
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		prefix_format(&next, buf, sizeof(buf));
		if (json)
			json_array_append_new(arr, json_string(buf));
		else
			printf("%s\n", buf);
		key = next;
		prev = &key;
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
	}
	return EXIT_OK;
}

static int clear_map(int fd, size_t key_size)
{
	char key[64];

	if (key_size > sizeof(key))
		return -1;
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -1;
	return 0;
}

static int cmd_allow(struct pins *pins, int argc, char **argv, bool json)
{
	struct esprit_prefix_key key;
	char err[256];
	__u32 one = 1;
	int fd, rc = EXIT_ERROR;

	if (argc < 1) {
		errmsg("allow needs add, del, list or clear");
		return EXIT_ERROR;
	}
	fd = pins_open_map(pins, ESPRIT_MAP_ALLOW);
	if (fd < 0)
		return EXIT_ERROR;
	if (!strcmp(argv[0], "list") && argc == 1) {
		rc = list_prefixes(fd, json);
		goto out_fd;
	}
	if (pins_lock(pins))
		goto out_fd;
	if (!strcmp(argv[0], "clear") && argc == 1) {
		if (clear_map(fd, sizeof(key)))
			errmsg("cannot clear the allowlist: %s",
			       strerror(errno));
		else
			rc = EXIT_OK;
	} else if ((!strcmp(argv[0], "add") || !strcmp(argv[0], "del")) &&
		   argc == 2) {
		if (prefix_parse(argv[1], true, &key, err, sizeof(err))) {
			errmsg("%s", err);
		} else if (argv[0][0] == 'a') {
			if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
				errmsg("cannot add %s: %s%s", argv[1],
				       strerror(errno),
				       errno == E2BIG ? " (allowlist full)"
						      : "");
			else
				rc = EXIT_OK;
		} else if (bpf_map_delete_elem(fd, &key)) {
			errmsg("%s is not in the allowlist", argv[1]);
		} else {
			rc = EXIT_OK;
		}
	} else {
		errmsg("usage: esprit responder allow add|del PREFIX | list | "
		       "clear");
	}
	pins_unlock(pins);
out_fd:
	close(fd);
	return rc;
}

static int list_local(int fd, bool json)
{
	struct esprit_addr key, next;
	json_t *arr = json ? json_array() : NULL;
	char buf[ADDR_STRLEN], ifname[IF_NAMESIZE];
	void *prev = NULL;
	__u32 ifindex;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &ifindex))
			continue;
		addr_format(&key, buf, sizeof(buf));
		if (!if_indextoname(ifindex, ifname))
			snprintf(ifname, sizeof(ifname), "-");
		if (json)
			json_array_append_new(
				arr, json_pack("{s:s, s:s}", "address", buf,
					       "interface", ifname));
		else
			printf("%-40s %s\n", buf, ifname);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
	}
	return EXIT_OK;
}

static int cmd_local(struct pins *pins, int argc, char **argv, bool json)
{
	struct esprit_addr addr;
	char err[256];
	__u32 none = 0;
	int fd, rc = EXIT_ERROR;

	if (argc < 1) {
		errmsg("local needs add, del, list, sync or clear");
		return EXIT_ERROR;
	}
	fd = pins_open_map(pins, ESPRIT_MAP_LOCAL);
	if (fd < 0)
		return EXIT_ERROR;
	if (!strcmp(argv[0], "list") && argc == 1) {
		rc = list_local(fd, json);
		goto out_fd;
	}
	if (pins_lock(pins))
		goto out_fd;
	if (!strcmp(argv[0], "sync") && argc == 1) {
		int e = local_addresses_sync(fd);

		if (e)
			errmsg("cannot sync local addresses: %s", strerror(-e));
		else
			rc = EXIT_OK;
	} else if (!strcmp(argv[0], "clear") && argc == 1) {
		if (clear_map(fd, sizeof(addr)))
			errmsg("cannot clear: %s", strerror(errno));
		else
			rc = EXIT_OK;
	} else if ((!strcmp(argv[0], "add") || !strcmp(argv[0], "del")) &&
		   argc == 2) {
		if (addr_parse(argv[1], &addr, err, sizeof(err))) {
			errmsg("%s", err);
		} else if (argv[0][0] == 'a') {
			if (bpf_map_update_elem(fd, &addr, &none, BPF_ANY))
				errmsg("cannot add %s: %s", argv[1],
				       strerror(errno));
			else
				rc = EXIT_OK;
		} else if (bpf_map_delete_elem(fd, &addr)) {
			errmsg("%s is not in the local list", argv[1]);
		} else {
			rc = EXIT_OK;
		}
	} else {
		errmsg("usage: esprit responder local add|del ADDR | list | "
		       "sync | clear");
	}
	pins_unlock(pins);
out_fd:
	close(fd);
	return rc;
}

int cmd_responder(int argc, char **argv)
{
	struct esprit_config cfg;
	struct cli_common c;
	struct pins pins;
	int rc;

	rc = cli_run(&argc, argv, NULL, CLI_JSON, &c, responder_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (pins_find(c.pin_dir, &pins))
		return EXIT_ERROR;
	if (argc == 0 || (!strcmp(argv[0], "show") && argc == 1)) {
		if (responder_config_read(&pins, &cfg))
			return EXIT_ERROR;
		return show(&cfg, c.json);
	}
	if (!strcmp(argv[0], "set"))
		return cmd_set(&pins, argc - 1, argv + 1);
	if (!strcmp(argv[0], "allow"))
		return cmd_allow(&pins, argc - 1, argv + 1, c.json);
	if (!strcmp(argv[0], "local"))
		return cmd_local(&pins, argc - 1, argv + 1, c.json);
	errmsg("unknown responder command '%s'", argv[0]);
	responder_usage(stderr);
	return EXIT_ERROR;
}
