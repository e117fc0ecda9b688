// SPDX-License-Identifier: GPL-2.0
/*
 * esprit responder: the ESP Echo responder's settings (esprit_config), its
 * requester allowlist (esprit_allow) and the addresses it answers for
 * (esprit_local). Every change is validated whole before anything is
 * written, under the pin directory's lock.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <jansson.h>

#include "addr.h"
#include "commands.h"
#include "esprit_config.h"
#include "output.h"
#include "pins.h"
#include "responder.h"

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
		"  spi-request N         request SPI (%u)\n"
		"  spi-reply N           reply SPI (%u)\n"
		"  allowlist on|off      answer allowlisted prefixes only "
		"(off)\n"
		"  local-only on|off     answer only addresses in the local "
		"list (off:\n"
		"                        a FIB lookup decides)\n"
		"  capture on|off        take replies to our probes in XDP "
		"(on)\n",
		ESPRIT_DEFAULT_RATE_GLOBAL, ESPRIT_DEFAULT_RATE_PREFIX,
		ESPRIT_DEFAULT_PREFIX_LEN_V4, ESPRIT_DEFAULT_PREFIX_LEN_V6,
		ESPRIT_DEFAULT_REPLY_TTL, ESPRIT_DEFAULT_SPI_REQUEST,
		ESPRIT_DEFAULT_SPI_REPLY);
}

static int parse_u32(const char *s, unsigned long min, unsigned long max,
		     __u32 *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max || s[0] == '-')
		return -1;
	*out = (__u32)v;
	return 0;
}

static int parse_on_off(const char *s, bool *on)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true"))
		*on = true;
	else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false"))
		*on = false;
	else
		return -1;
	return 0;
}

static void set_flag(__u32 *flags, __u32 flag, bool set)
{
	if (set)
		*flags |= flag;
	else
		*flags &= ~flag;
}

static int parse_formats(const char *list, __u32 *flags, char *err,
			 size_t errlen)
{
	__u32 off = ESPRIT_ECHO_NO_SEED | ESPRIT_ECHO_NO_EMPTY |
		    ESPRIT_ECHO_NO_SUBTYPED;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "seed"))
			off &= ~ESPRIT_ECHO_NO_SEED;
		else if (!strcmp(t, "empty"))
			off &= ~ESPRIT_ECHO_NO_EMPTY;
		else if (!strcmp(t, "subtyped"))
			off &= ~ESPRIT_ECHO_NO_SUBTYPED;
		else {
			snprintf(err, errlen,
				 "unknown format '%s' (seed, empty, subtyped)",
				 t);
			return -1;
		}
	}
	*flags = (*flags & ~(ESPRIT_ECHO_NO_SEED | ESPRIT_ECHO_NO_EMPTY |
			     ESPRIT_ECHO_NO_SUBTYPED)) |
		 off;
	return 0;
}

static int parse_rate(const char *s, __u32 *out)
{
	if (!strcmp(s, "unlimited")) {
		*out = ESPRIT_RATE_UNLIMITED;
		return 0;
	}
	return parse_u32(s, 1, ESPRIT_RATE_UNLIMITED - 1, out);
}

int responder_config_set(struct esprit_config *cfg, const char *key,
			 const char *value, char *err, size_t errlen)
{
	bool on;
	__u32 v;

#define BAD(...)                                    \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return -1;                          \
	} while (0)
#define ON_OFF()                                                             \
	do {                                                                 \
		if (parse_on_off(value, &on))                                \
			BAD("%s: expected on or off, not '%s'", key, value); \
	} while (0)

	if (!strcmp(key, "enabled")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_OFF, !on);
	} else if (!strcmp(key, "formats")) {
		return parse_formats(value, &cfg->echo_flags, err, errlen);
	} else if (!strcmp(key, "seq")) {
		if (strcmp(value, "copy") && strcmp(value, "zero"))
			BAD("seq: expected copy or zero, not '%s'", value);
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_SEQ_ZERO,
			 !strcmp(value, "zero"));
	} else if (!strcmp(key, "rate")) {
		if (parse_rate(value, &cfg->rate_global))
			BAD("rate: expected replies/s or 'unlimited', not '%s'",
			    value);
	} else if (!strcmp(key, "burst")) {
		if (parse_u32(value, 1, 100000000, &cfg->rate_global_burst))
			BAD("burst: expected 1-100000000, not '%s'", value);
	} else if (!strcmp(key, "prefix-rate")) {
		if (parse_rate(value, &cfg->rate_prefix))
			BAD("prefix-rate: expected replies/s or 'unlimited', "
			    "not '%s'",
			    value);
	} else if (!strcmp(key, "prefix-burst")) {
		if (parse_u32(value, 1, 100000000, &cfg->rate_prefix_burst))
			BAD("prefix-burst: expected 1-100000000, not '%s'",
			    value);
	} else if (!strcmp(key, "prefix-len4")) {
		if (parse_u32(value, 1, 32, &v))
			BAD("prefix-len4: expected 1-32, not '%s'", value);
		cfg->prefix_len_v4 = v;
	} else if (!strcmp(key, "prefix-len6")) {
		if (parse_u32(value, 1, 128, &v))
			BAD("prefix-len6: expected 1-128, not '%s'", value);
		cfg->prefix_len_v6 = v;
	} else if (!strcmp(key, "ttl")) {
		if (parse_u32(value, 1, 255, &v))
			BAD("ttl: expected 1-255, not '%s'", value);
		cfg->reply_ttl = v;
	} else if (!strcmp(key, "spi-request") || !strcmp(key, "spi-reply")) {
		if (parse_u32(value, 1, 0xffffffffUL, &v))
			BAD("%s: expected 1-4294967295, not '%s'", key, value);
		if (!strcmp(key, "spi-request"))
			cfg->spi_request = v;
		else
			cfg->spi_reply = v;
	} else if (!strcmp(key, "allowlist")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_ALLOWLIST, on);
	} else if (!strcmp(key, "local-only")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_LOCAL_LIST, on);
	} else if (!strcmp(key, "capture")) {
		ON_OFF();
		set_flag(&cfg->echo_flags, ESPRIT_ECHO_NO_CAPTURE, !on);
	} else {
		BAD("unknown key '%s' (see 'esprit responder --help')", key);
	}
	return 0;
#undef ON_OFF
#undef BAD
}

static __u32 or_default(__u32 v, __u32 def)
{
	return v ? v : def;
}

static void rate_text(__u32 rate, char *buf, size_t len)
{
	if (rate == ESPRIT_RATE_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%u/s", rate);
}

static const char *formats_text(__u32 flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", flags & ESPRIT_ECHO_NO_SEED ? "" : "seed,",
		 flags & ESPRIT_ECHO_NO_EMPTY ? "" : "empty,",
		 flags & ESPRIT_ECHO_NO_SUBTYPED ? "" : "subtyped,");
	if (buf[0])
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, len, "none");
	return buf;
}

static int show(const struct esprit_config *cfg, bool json)
{
	__u32 rate = or_default(cfg->rate_global, ESPRIT_DEFAULT_RATE_GLOBAL);
	__u32 prate = or_default(cfg->rate_prefix, ESPRIT_DEFAULT_RATE_PREFIX);
	__u32 flags = cfg->echo_flags;
	char r[32], pr[32], fm[64];

	rate_text(rate, r, sizeof(r));
	rate_text(prate, pr, sizeof(pr));
	formats_text(flags, fm, sizeof(fm));
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
			(int)or_default(cfg->prefix_len_v4,
					ESPRIT_DEFAULT_PREFIX_LEN_V4),
			"prefix_len6",
			(int)or_default(cfg->prefix_len_v6,
					ESPRIT_DEFAULT_PREFIX_LEN_V6),
			"ttl",
			(int)or_default(cfg->reply_ttl,
					ESPRIT_DEFAULT_REPLY_TTL),
			"spi_request",
			(json_int_t)or_default(cfg->spi_request,
					       ESPRIT_DEFAULT_SPI_REQUEST),
			"spi_reply",
			(json_int_t)or_default(cfg->spi_reply,
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
	       or_default(cfg->prefix_len_v4, ESPRIT_DEFAULT_PREFIX_LEN_V4),
	       or_default(cfg->prefix_len_v6, ESPRIT_DEFAULT_PREFIX_LEN_V6));
	printf("ttl           %u\n",
	       or_default(cfg->reply_ttl, ESPRIT_DEFAULT_REPLY_TTL));
	printf("spi           request %u, reply %u\n",
	       or_default(cfg->spi_request, ESPRIT_DEFAULT_SPI_REQUEST),
	       or_default(cfg->spi_reply, ESPRIT_DEFAULT_SPI_REPLY));
	printf("allowlist     %s\n",
	       flags & ESPRIT_ECHO_ALLOWLIST ? "on" : "off");
	printf("local-only    %s\n",
	       flags & ESPRIT_ECHO_LOCAL_LIST ? "on" : "off (FIB lookup)");
	printf("capture       %s\n",
	       flags & ESPRIT_ECHO_NO_CAPTURE ? "off" : "on");
	return EXIT_OK;
}

int responder_config_read(const struct pins *pins, struct esprit_config *cfg)
{
	__u32 zero = 0;
	int fd = pins_open_map(pins, "esprit_config");

	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &zero, cfg)) {
		errmsg("cannot read esprit_config: %s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int responder_config_write(const struct pins *pins,
			   const struct esprit_config *cfg)
{
	__u32 zero = 0;
	int fd = pins_open_map(pins, "esprit_config");
	int err = 0;

	if (fd < 0)
		return -1;
	if (bpf_map_update_elem(fd, &zero, cfg, BPF_ANY)) {
		errmsg("cannot write esprit_config: %s", strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
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
	fd = pins_open_map(pins, "esprit_allow");
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

int local_addresses_sync(int fd)
{
	struct ifaddrs *ifa_list, *ifa;
	struct esprit_addr key, next;
	struct esprit_addr *wanted = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (getifaddrs(&ifa_list))
		return -errno;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		struct esprit_addr a;
		__u32 ifindex;

		if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
				       ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		addr_from_sockaddr(ifa->ifa_addr, &a);
		ifindex = if_nametoindex(ifa->ifa_name);
		if (bpf_map_update_elem(fd, &a, &ifindex, BPF_ANY)) {
			err = -errno;
			break;
		}
		if (n == cap) {
			struct esprit_addr *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(wanted, cap * sizeof(*wanted));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			wanted = grown;
		}
		wanted[n++] = a;
	}
	freeifaddrs(ifa_list);
	/* Remove addresses the host no longer has. */
	for (void *prev = NULL;
	     !err && !bpf_map_get_next_key(fd, prev, &next);) {
		bool keep = false;

		for (size_t i = 0; i < n && !keep; i++)
			keep = !memcmp(&wanted[i], &next, sizeof(next));
		key = next;
		if (!keep) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL; /* restart: deletion breaks iteration */
		} else {
			prev = &key;
		}
	}
	free(wanted);
	return err;
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
	fd = pins_open_map(pins, "esprit_local");
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
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"pin-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const char *pin_dir = NULL;
	struct esprit_config cfg;
	struct pins pins;
	bool json = false;
	int opt;

	optind = 1;
	/* options may stand anywhere: `esprit responder set ttl 9 --pin-dir D` */
	while ((opt = getopt_long(argc, argv, "jp:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'h':
			responder_usage(stdout);
			return EXIT_OK;
		default:
			responder_usage(stderr);
			return EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (pins_find(pin_dir, &pins))
		return EXIT_ERROR;
	if (argc == 0 || (!strcmp(argv[0], "show") && argc == 1)) {
		if (responder_config_read(&pins, &cfg))
			return EXIT_ERROR;
		return show(&cfg, json);
	}
	if (!strcmp(argv[0], "set"))
		return cmd_set(&pins, argc - 1, argv + 1);
	if (!strcmp(argv[0], "allow"))
		return cmd_allow(&pins, argc - 1, argv + 1, json);
	if (!strcmp(argv[0], "local"))
		return cmd_local(&pins, argc - 1, argv + 1, json);
	errmsg("unknown responder command '%s'", argv[0]);
	responder_usage(stderr);
	return EXIT_ERROR;
}
