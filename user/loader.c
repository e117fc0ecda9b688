// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "esprit_xdp.skel.h"
#include "commands.h"
#include "loader.h"
#include "output.h"
#include "pins.h"
#include "tc_egress.h"

const char *xdp_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unknown";
	}
}

static void note_program(struct xdp_attachment *att,
			 const struct xdp_program *prog)
{
	const char *name = xdp_program__name(prog);

	if (!strcmp(name, ESPRIT_XDP_PROG_NAME)) {
		att->prog_id = xdp_program__id(prog);
	} else if (!att->foreign_id) {
		att->foreign_id = xdp_program__id(prog);
		snprintf(att->foreign_name, sizeof(att->foreign_name), "%s",
			 name);
	}
}

int xdp_attachment_query(int ifindex, struct xdp_attachment *att)
{
	struct xdp_multiprog *mp;
	struct xdp_program *prog;
	long err;

	memset(att, 0, sizeof(*att));
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT || !mp)
		return 0;
	if (err) {
		errmsg("cannot query XDP programs on ifindex %d: %s", ifindex,
		       strerror((int)-err));
		return -1;
	}
	att->mode = xdp_multiprog__attach_mode(mp);
	att->dispatcher = !xdp_multiprog__is_legacy(mp);
	if (att->dispatcher) {
		for (prog = xdp_multiprog__next_prog(NULL, mp); prog;
		     prog = xdp_multiprog__next_prog(prog, mp))
			note_program(att, prog);
	} else if ((prog = xdp_multiprog__main_prog(mp))) {
		note_program(att, prog);
	}
	xdp_multiprog__close(mp);
	return 0;
}

static int detach_all(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	long err = libxdp_get_error(mp);

	if (err == -ENOENT || !mp)
		return 0;
	if (err)
		return (int)err;
	err = xdp_multiprog__detach(mp);
	xdp_multiprog__close(mp);
	return (int)err;
}

int xdp_attach_esprit(int ifindex, enum xdp_attach_mode mode,
		      const char *pin_dir, bool replace,
		      struct xdp_attachment *result)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = pin_dir);
	struct esprit_xdp *skel;
	struct xdp_program *prog;
	char buf[256];
	int err;

	if (replace && (err = detach_all(ifindex))) {
		errmsg("cannot detach the current XDP program: %s",
		       strerror(-err));
		return -1;
	}
	skel = esprit_xdp__open_opts(&open_opts);
	if (!skel) {
		errmsg("cannot open the XDP object: %s", strerror(errno));
		return -1;
	}
	prog = xdp_program__from_bpf_obj(skel->obj, "xdp");
	err = (int)libxdp_get_error(prog);
	if (err) {
		libxdp_strerror(err, buf, sizeof(buf));
		errmsg("cannot prepare the XDP program: %s", buf);
		esprit_xdp__destroy(skel);
		return -1;
	}
	err = xdp_program__attach(prog, ifindex, mode, 0);
	if (err) {
		libxdp_strerror(err, buf, sizeof(buf));
		errmsg("cannot attach in %s mode: %s%s", xdp_mode_name(mode),
		       buf,
		       mode == XDP_MODE_NATIVE ? " (the driver may lack native "
						 "XDP; try --mode skb)"
					       : "");
		xdp_program__close(prog);
		esprit_xdp__destroy(skel);
		return -1;
	}
	err = xdp_attachment_query(ifindex, result);
	/* The attachment holds the program; our handles can go. */
	xdp_program__close(prog);
	esprit_xdp__destroy(skel);
	return err;
}

int xdp_detach(int ifindex, bool force)
{
	struct xdp_attachment att;
	int err;

	if (xdp_attachment_query(ifindex, &att))
		return -1;
	if (!att.prog_id && !att.foreign_id) {
		errmsg("no XDP program is attached");
		return -1;
	}
	if (!att.prog_id && !force) {
		errmsg("the XDP program attached is '%s' (id %u), not "
		       "esprit's; "
		       "use --force to detach it anyway",
		       att.foreign_name, att.foreign_id);
		return -1;
	}
	if (att.dispatcher && att.prog_id && !force) {
		struct xdp_program *prog = xdp_program__from_id(att.prog_id);

		err = (int)libxdp_get_error(prog);
		if (!err) {
			err = xdp_program__detach(prog, ifindex, att.mode, 0);
			xdp_program__close(prog);
		}
	} else {
		err = detach_all(ifindex);
	}
	if (err) {
		errmsg("cannot detach: %s", strerror(-err));
		return -1;
	}
	return 0;
}

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

static int parse_mode(const char *arg, enum xdp_attach_mode *mode)
{
	if (!strcmp(arg, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(arg, "skb"))
		*mode = XDP_MODE_SKB;
	else
		return -1;
	return 0;
}

/* The egress tagger beside the XDP program, sharing its pinned maps. */
static int attach_tc(const char *pin_dir, int ifindex, const char *dev)
{
	struct pins pins;
	__u32 id;
	int rc;

	if (pins_prepare(pin_dir, &pins) || pins_lock(&pins))
		return EXIT_ERROR;
	rc = tc_egress_attach(ifindex, pins.dir, &id);
	pins_unlock(&pins);
	if (rc)
		return EXIT_ERROR;
	printf("RISAV egress tagger %s on %s clsact egress (program id %u)\n",
	       ESPRIT_TC_PROG_NAME, dev, id);
	return EXIT_OK;
}

static int interface_index(const char *dev)
{
	int ifindex = (int)if_nametoindex(dev);

	if (!ifindex)
		errmsg("no such interface '%s'", dev);
	return ifindex;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"force", no_argument, NULL, 'f'},
		{"no-tc", no_argument, NULL, 'n'},
		{"pin-dir", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	const char *pin_dir = NULL;
	struct xdp_attachment att;
	struct pins pins;
	bool force = false, tc = true;
	int ifindex, opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "m:fnp:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_mode(optarg, &mode)) {
				errmsg("unknown mode '%s' (native or skb)",
				       optarg);
				return EXIT_ERROR;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'n':
			tc = false;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'h':
			attach_usage(stdout);
			return EXIT_OK;
		default:
			attach_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		attach_usage(stderr);
		return EXIT_ERROR;
	}
	ifindex = interface_index(argv[optind]);
	if (!ifindex)
		return EXIT_ERROR;
	if (xdp_attachment_query(ifindex, &att))
		return EXIT_ERROR;
	if (att.prog_id && !force) {
		printf("esprit is already attached to %s (%s mode, program id "
		       "%u)\n",
		       argv[optind], xdp_mode_name(att.mode), att.prog_id);
		return tc ? attach_tc(pin_dir, ifindex, argv[optind]) : EXIT_OK;
	}
	if (att.foreign_id && !force) {
		errmsg("%s already runs XDP program '%s' (id %u); use --force "
		       "to replace it",
		       argv[optind], att.foreign_name, att.foreign_id);
		return EXIT_ERROR;
	}
	if (pins_prepare(pin_dir, &pins) || pins_lock(&pins))
		return EXIT_ERROR;
	rc = xdp_attach_esprit(ifindex, mode, pins.dir, force, &att);
	pins_unlock(&pins);
	if (rc)
		return EXIT_ERROR;
	printf("attached to %s in %s mode, %s; maps pinned in %s\n",
	       argv[optind], xdp_mode_name(att.mode),
	       att.dispatcher ? "behind libxdp's multi-program dispatcher"
			      : "as a single program (libxdp's dispatcher "
				"is not available here)",
	       pins.dir);
	return tc ? attach_tc(pins.dir, ifindex, argv[optind]) : EXIT_OK;
}

static void detach_usage(FILE *out)
{
	fprintf(out, "usage: esprit detach DEV [--force]\n"
		     "  Detaches esprit's XDP program and its TC egress "
		     "tagger from DEV; pinned maps "
		     "and\n"
		     "  their settings stay for the next attach.\n"
		     "  --force   detach whatever XDP program DEV runs\n");
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	bool force = false;
	int ifindex, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			force = true;
			break;
		case 'h':
			detach_usage(stdout);
			return EXIT_OK;
		default:
			detach_usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		detach_usage(stderr);
		return EXIT_ERROR;
	}
	ifindex = interface_index(argv[optind]);
	if (!ifindex)
		return EXIT_ERROR;
	if (tc_egress_detach(ifindex) || xdp_detach(ifindex, force))
		return EXIT_ERROR;
	printf("detached from %s\n", argv[optind]);
	return EXIT_OK;
}
