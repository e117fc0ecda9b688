// SPDX-License-Identifier: GPL-2.0
/*
 * The structural scan of an RPKI JSON document (risav/rpki_scan.h):
 * strings and bracket depth only, no values.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "risav/rpki_scan.h"

static void skip_ws(struct scan *s)
{
	while (s->pos < s->len) {
		char c = s->buf[s->pos];

		if (c == '\n')
			s->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return;
		s->pos++;
	}
}

/* At the opening quote; leaves pos after the closing one. */
static int skip_string(struct scan *s)
{
	const char *p = s->buf + s->pos + 1, *end = s->buf + s->len;

	while (p < end) {
		const char *q = memchr(p, '"', end - p);
		const char *back;

		if (!q)
			return -1;
		/* the quote ends the string unless an odd number of
		 * backslashes precede it */
		for (back = q; back > p && back[-1] == '\\'; back--)
			;
		if ((q - back) % 2 == 0) {
			if (memchr(s->buf + s->pos, '\n',
				   q - (s->buf + s->pos)))
				return -1; /* raw line break: invalid */
			s->pos = q + 1 - s->buf;
			return 0;
		}
		p = q + 1;
	}
	return -1;
}

/* Skips one value of any kind without judging it (jansson will). */
static int skip_value(struct scan *s)
{
	int depth = 0;

	if (s->pos >= s->len)
		return -1;
	switch (s->buf[s->pos]) {
	case '"':
		return skip_string(s);
	case '{':
	case '[':
		break;
	case ',':
	case ':':
	case ']':
	case '}':
		return -1;
	default: /* number or literal: up to the next delimiter */
		while (s->pos < s->len && !strchr(",]} \t\r\n", s->buf[s->pos]))
			s->pos++;
		return 0;
	}
	while (s->pos < s->len) {
		switch (s->buf[s->pos]) {
		case '"':
			if (skip_string(s))
				return -1;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0) {
				s->pos++;
				return 0;
			}
			break;
		case '\n':
			s->line++;
			break;
		}
		s->pos++;
	}
	return -1;
}

static int add_span(struct scan *s, size_t off, unsigned int line)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct span *e = realloc(s->elems, cap * sizeof(*e));

		if (!e)
			return -1;
		s->elems = e;
		s->cap = cap;
	}
	s->elems[s->n].off = off;
	s->elems[s->n].len = s->pos - off;
	s->elems[s->n].line = line;
	s->n++;
	return 0;
}

static int scan_roas(struct scan *s)
{
	s->found = true;
	s->open = s->pos;
	s->open_line = s->line;
	s->pos++;
	skip_ws(s);
	if (s->pos < s->len && s->buf[s->pos] == ']')
		goto close;
	for (;;) {
		size_t off = s->pos;
		unsigned int line = s->line;

		if (skip_value(s) || add_span(s, off, line))
			return -1;
		skip_ws(s);
		if (s->pos >= s->len)
			return -1;
		if (s->buf[s->pos] == ']')
			break;
		if (s->buf[s->pos] != ',')
			return -1;
		s->pos++;
		skip_ws(s);
	}
close:
	s->close = s->pos;
	s->close_line = s->line;
	s->pos++;
	return 0;
}

/*
 * Finds the elements of the top-level "roas" array (the first such key).
 * -1: the text is not shaped as expected (jansson will say why, or parse
 * it anyway); s->found false: there is no top-level "roas" key to be seen.
 */
int rpki_scan_document(struct scan *s)
{
	skip_ws(s);
	if (s->pos >= s->len || s->buf[s->pos] != '{')
		return -1;
	s->pos++;
	skip_ws(s);
	if (s->pos < s->len && s->buf[s->pos] == '}')
		return 0;
	for (;;) {
		size_t key = s->pos;
		bool is_roas;

		if (s->pos >= s->len || s->buf[s->pos] != '"' || skip_string(s))
			return -1;
		is_roas = s->pos - key == 6 &&
			  !memcmp(s->buf + key, "\"roas\"", 6);
		skip_ws(s);
		if (s->pos >= s->len || s->buf[s->pos] != ':')
			return -1;
		s->pos++;
		skip_ws(s);
		if (is_roas && !s->found && s->pos < s->len &&
		    s->buf[s->pos] == '[') {
			if (scan_roas(s))
				return -1;
		} else if (skip_value(s)) {
			return -1;
		}
		skip_ws(s);
		if (s->pos >= s->len)
			return -1;
		if (s->buf[s->pos] == '}')
			return 0;
		if (s->buf[s->pos] != ',')
			return -1;
		s->pos++;
		skip_ws(s);
	}
}
