/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching esprit's XDP program through libxdp, and finding it again. */
#ifndef ESPRIT_LOADER_H
#define ESPRIT_LOADER_H

#include <stdbool.h>
#include <linux/types.h>
#include <xdp/libxdp.h>

#define ESPRIT_XDP_PROG_NAME "esprit_xdp"

struct xdp_attachment {
	__u32 prog_id; /* esprit's program, 0 if none */
	__u32 foreign_id; /* another program attached there, 0 if none */
	char foreign_name[32];
	enum xdp_attach_mode mode;
	bool dispatcher; /* behind libxdp's multi-program dispatcher */
};

/* What is attached to ifindex. Returns 0, or -1 after a message. */
int xdp_attachment_query(int ifindex, struct xdp_attachment *att);

const char *xdp_mode_name(enum xdp_attach_mode mode);

/*
 * Loads the object with maps pinned in pin_dir (those not pinned yet
 * sized by sizes, NULL: the object's defaults) and attaches it. With
 * replace, whatever is attached now is detached first.
 */
struct map_sizes;
int xdp_attach_esprit(int ifindex, enum xdp_attach_mode mode,
		      const char *pin_dir, bool replace,
		      const struct map_sizes *sizes,
		      struct xdp_attachment *result);

/* Detaches esprit (or, with force, whatever is there). */
int xdp_detach(int ifindex, bool force);

#endif
