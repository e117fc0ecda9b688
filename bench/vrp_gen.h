/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deterministic synthetic RPKI VRP set shaped like the real one (end of
 * 2025: ~790k VRPs): ~80% IPv4, mostly /24 and shorter; IPv6 mostly /48
 * and shorter; more-specifics nested inside shorter prefixes of the same
 * or a customer AS; maxLength often above the prefix length; a few MOAS
 * prefixes, duplicate VRPs from a second trust anchor, and AS0 ROAs. The
 * same seed gives the same bytes on every machine.
 */
#ifndef ESPRIT_BENCH_VRP_GEN_H
#define ESPRIT_BENCH_VRP_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VRP_GEN_SEED 0x45535052495456ULL /* "ESPRITV" */

/* Writes n VRPs as rpki-client JSON (asn numbers) or, with routinator,
 * Routinator JSON ("AS..." strings). Returns 0 or -1 (errno set). */
int vrp_gen_write(FILE *out, size_t n, unsigned long long seed,
		  bool routinator);

/* Writes BENCH_VRPS (default 800000) VRPs into a new file under /tmp;
 * path receives its name. Returns the number written, 0 on failure. */
size_t vrp_gen_tmpfile(char *path, size_t len);

#endif
