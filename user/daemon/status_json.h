/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state as the JSON document `esprit status` reads over the
 * control socket (esprit-status(8)). Per stream the keys name,
 * address, dscp, state, since, sent, received, loss_ratio and rtt_ns {last,
 * min, avg, max, p50, p90, p99} are fixed; the rest may grow.
 */
#ifndef ESPRIT_STATUS_JSON_H
#define ESPRIT_STATUS_JSON_H

#include <jansson.h>

#include "daemon/daemon.h"

json_t *status_stream_json(const struct probe_stream *st, uint64_t now_ns);

/* The whole document; with peer, only that peer's streams (NULL if the
 * daemon has no such peer). */
json_t *status_document(const struct daemon *d, const char *peer);

#endif
