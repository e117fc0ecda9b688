// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "esprit_xdp.skel.h"
#include "lib/attach.h"
#include "lib/output.h"
#include "lib/map_sizes.h"
#include "lib/pins.h"

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
		      const struct map_sizes *sizes,
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
	err = map_sizes_apply(skel->obj, pin_dir, sizes);
	if (err) {
		errmsg("cannot size the maps: %s", strerror(-err));
		esprit_xdp__destroy(skel);
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
