/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where each element of an RPKI JSON document's "roas" array starts and
 * ends, and on which line, found without parsing values (risav/rpki.c
 * says why). Anything unexpected stops the scan: the caller then lets
 * jansson parse the whole document and judge the syntax.
 */
#ifndef ESPRIT_RISAV_RPKI_SCAN_H
#define ESPRIT_RISAV_RPKI_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* One element of "roas": where its text is. */
struct span {
	size_t off, len;
	unsigned int line;
};

struct scan {
	const char *buf;
	size_t len, pos;
	unsigned int line;
	bool found; /* the "roas" array was located */
	size_t open, close; /* offsets of its '[' and ']' */
	unsigned int open_line, close_line;
	struct span *elems;
	size_t n, cap;
};

/* 0 with s->elems filled (s->found: there is a "roas" array), or -1. */
int rpki_scan_document(struct scan *s);

#endif
