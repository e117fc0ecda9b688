/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two link settings the RISAV tagger depends on: transmit checksum
 * offload (ethtool's tx-checksumming) and the GSO segment limit (ip link's
 * gso_max_segs). All return 0 or -errno.
 */
#ifndef ESPRIT_LIB_NETDEV_H
#define ESPRIT_LIB_NETDEV_H

#include <stdbool.h>
#include <linux/types.h>

int netdev_tx_csum_get(int ifindex, bool *on);
int netdev_tx_csum_set(int ifindex, bool on);
int netdev_gso_max_segs_get(int ifindex, __u32 *segs);
int netdev_gso_max_segs_set(int ifindex, __u32 segs);

#endif
