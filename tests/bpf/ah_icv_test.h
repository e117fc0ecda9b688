/* SPDX-License-Identifier: GPL-2.0 */
/* What tests/bpf/ah_icv.bpf.c and its suite exchange. */
#ifndef ESPRIT_TEST_AH_ICV_H
#define ESPRIT_TEST_AH_ICV_H

#include "esprit_types.h"

enum ah_icv_mode {
	AH_ICV_PREPARE = 0, /* leave the ICV input in the packet */
	AH_ICV_ROUND_TRIP = 1, /* prepare, then restore */
};

struct ah_icv_req {
	__u32 mode;
	__u32 l3_off;
	__u32 ah_off;
	__u32 icv_len;
	__u32 family;
};

#endif
