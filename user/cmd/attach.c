// SPDX-License-Identifier: GPL-2.0
/* esprit attach | detach: the XDP program and the egress tagger on a device. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "lib/attach.h"
#include "lib/options.h"
#include "lib/output.h"
#include "lib/pins.h"
#include "lib/tc.h"

static void attach_usage(FILE *out)
{
	fprintf(out,
		"usage: esprit attach DEV [--mode native|skb] [--force] "
		"[--no-tc] [--pin-dir DIR]\n"
		"  Loads esprit's XDP program with its maps pinned in DIR\n"
		"  (default %s) and attaches it to DEV through libxdp, and\n"
		"  the RISAV egress tagger (esprit_tc) to DEV's clsact "
		"egress.\n"
		"  --mode    native (driver, default) or skb (generic)\n"
		"  --force   replace an XDP program that is not esprit's\n"
		"  --no-tc   leave TC egress alone (no RISAV tagging)\n",
		ESPRIT_PIN_DIR);
}

static int parse_mode(const char *arg, void *ctx, char *err, size_t errlen)
{
	enum xdp_attach_mode *mode = ctx;

	if (!strcmp(arg, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(arg, "skb"))
		*mode = XDP_MODE_SKB;
	else {
		snprintf(err, errlen, "unknown mode (native or skb)");
		return -1;
	}
	return 0;
}

/* The egress tagger beside the XDP program, sharing its pinned maps. */
static int attach_tc(const char *pin_dir, int ifindex, const char *dev)
{
	struct pins pins;
	bool changed;
	__u32 id;
	int rc;

	if (pins_prepare(pin_dir, &pins) || pins_lock(&pins))
		return EXIT_ERROR;
	rc = tc_egress_attach(ifindex, pins.dir, NULL, &id, &changed);
	pins_unlock(&pins);
	if (rc)
		return EXIT_ERROR;
	printf("RISAV egress tagger %s on %s clsact egress (program id %u)\n",
	       ESPRIT_TC_PROG_NAME, dev, id);
	if (changed)
		printf("%s: transmit checksum offload off, GSO one segment per "
		       "packet, while esprit tags there (esprit detach puts "
		       "them back)\n",
		       dev);
	return EXIT_OK;
}

static int interface_index(const char *dev)
{
	int ifindex = (int)if_nametoindex(dev);

	if (!ifindex)
		errmsg("no such interface '%s'", dev);
	return ifindex;
}

/* The one word a command takes (the device), or -1 after the usage. */
static int one_device(int argc, void (*usage)(FILE *out))
{
	if (argc == 1)
		return 0;
	errmsg(argc ? "one device only" : "no device given");
	usage(stderr);
	return -1;
}

int cmd_attach(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	bool force = false, no_tc = false;
	const struct cli_option opts[] = {
		{"mode", 'm', "MODE", .parse = parse_mode, .ctx = &mode},
		{"force", 'f', NULL, .flag = &force},
		{"no-tc", 0, NULL, .flag = &no_tc},
		{},
	};
	struct xdp_attachment att;
	struct cli_common c;
	struct pins pins;
	const char *dev;
	int ifindex, rc;

	rc = cli_run(&argc, argv, opts, 0, &c, attach_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (one_device(argc, attach_usage))
		return EXIT_ERROR;
	dev = argv[0];
	ifindex = interface_index(dev);
	if (!ifindex)
		return EXIT_ERROR;
	if (xdp_attachment_query(ifindex, &att))
		return EXIT_ERROR;
	if (att.prog_id && !force) {
		printf("esprit is already attached to %s (%s mode, program id "
		       "%u)\n",
		       dev, xdp_mode_name(att.mode), att.prog_id);
		return no_tc ? EXIT_OK : attach_tc(c.pin_dir, ifindex, dev);
	}
	if (att.foreign_id && !force) {
		errmsg("%s already runs XDP program '%s' (id %u); use --force "
		       "to replace it",
		       dev, att.foreign_name, att.foreign_id);
		return EXIT_ERROR;
	}
	if (pins_prepare(c.pin_dir, &pins) || pins_lock(&pins))
		return EXIT_ERROR;
	rc = xdp_attach_esprit(ifindex, mode, pins.dir, force, NULL, &att);
	pins_unlock(&pins);
	if (rc)
		return EXIT_ERROR;
	printf("attached to %s in %s mode, %s; maps pinned in %s\n", dev,
	       xdp_mode_name(att.mode),
	       att.dispatcher ? "behind libxdp's multi-program dispatcher"
			      : "as a single program (libxdp's dispatcher "
				"is not available here)",
	       pins.dir);
	return no_tc ? EXIT_OK : attach_tc(pins.dir, ifindex, dev);
}

static void detach_usage(FILE *out)
{
	fprintf(out, "usage: esprit detach DEV [--force] [--pin-dir DIR]\n"
		     "  Detaches esprit's XDP program and its TC egress "
		     "tagger from DEV;\n"
		     "  pinned maps and their settings stay for the next "
		     "attach.\n"
		     "  --force   detach whatever XDP program DEV runs\n");
}

int cmd_detach(int argc, char **argv)
{
	bool force = false;
	const struct cli_option opts[] = {
		{"force", 'f', NULL, .flag = &force},
		{},
	};
	struct cli_common c;
	int ifindex, rc;

	rc = cli_run(&argc, argv, opts, 0, &c, detach_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	if (one_device(argc, detach_usage))
		return EXIT_ERROR;
	ifindex = interface_index(argv[0]);
	if (!ifindex)
		return EXIT_ERROR;
	if (tc_egress_detach(ifindex, c.pin_dir) || xdp_detach(ifindex, force))
		return EXIT_ERROR;
	printf("detached from %s\n", argv[0]);
	return EXIT_OK;
}
