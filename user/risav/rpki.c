// SPDX-License-Identifier: GPL-2.0
/*
 * jansson parses every byte of the input, but parsing an 800k-entry file
 * as one document takes jansson ~4 s and ~700 MB. So a structural scan
 * (strings and bracket depth only, no values) first finds where each
 * element of "roas" starts and ends and on which line; jansson then parses
 * the elements one by one, on several threads, and the rest of the
 * document (with the roas array emptied, line breaks kept) on its own.
 * Whenever the scan meets something it does not expect, jansson parses the
 * whole document and has the last word on the syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "lib/addr.h"
#include "lib/asn.h"
#include "lib/file.h"
#include "risav/rpki.h"
#include "risav/rpki_scan.h"

#define WORKERS_MAX	   8
#define ENTRIES_PER_WORKER 4096 /* fewer per thread are not worth one */
#define JSON_FLAGS	   (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/* One validated entry. */
struct vrp {
	struct esprit_prefix_key key;
	__u32 asn;
	__u8 as0;
	__u8 asn_was_string;
};

struct error_list {
	struct rpki_errors *errs;
	pthread_mutex_t lock;
	size_t index[RPKI_ERRORS_SHOWN]; /* order key of each message shown */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *rpki_format_name(enum rpki_format f)
{
	switch (f) {
	case RPKI_FORMAT_RPKI_CLIENT:
		return "rpki-client";
	case RPKI_FORMAT_ROUTINATOR:
		return "routinator";
	case RPKI_FORMAT_MIXED:
		return "mixed";
	default:
		return "empty";
	}
}

/* Keeps the RPKI_ERRORS_SHOWN messages with the smallest order keys (file
 * order), whatever order the threads find them in. */
static void add_error(struct error_list *l, size_t order, const char *fmt, ...)
{
	struct rpki_errors *e = l->errs;
	char msg[RPKI_ERROR_LEN];
	size_t shown, at;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&l->lock);
	shown = e->count < RPKI_ERRORS_SHOWN ? e->count : RPKI_ERRORS_SHOWN;
	for (at = 0; at < shown && l->index[at] <= order; at++)
		;
	if (at < RPKI_ERRORS_SHOWN) {
		size_t last = shown < RPKI_ERRORS_SHOWN ? shown
							: RPKI_ERRORS_SHOWN - 1;

		memmove(&l->index[at + 1], &l->index[at],
			(last - at) * sizeof(l->index[0]));
		memmove(e->msg[at + 1], e->msg[at],
			(last - at) * sizeof(e->msg[0]));
		l->index[at] = order;
		snprintf(e->msg[at], sizeof(e->msg[at]), "%s", msg);
	}
	e->count++;
	pthread_mutex_unlock(&l->lock);
}

/* Column (in characters, as jansson counts) of byte off. */
static unsigned int column_of(const char *buf, size_t off)
{
	unsigned int col = 1;
	size_t start = off;

	while (start > 0 && buf[start - 1] != '\n')
		start--;
	for (size_t i = start; i < off; i++)
		col += ((unsigned char)buf[i] & 0xc0) != 0x80;
	return col;
}

/* ---- one entry ---------------------------------------------------------- */

static int entry_asn(const json_t *v, struct vrp *out, char *msg, size_t len)
{
	char err[128];

	if (json_is_integer(v)) {
		if (asn_check(json_integer_value(v), true, &out->asn, err,
			      sizeof(err))) {
			snprintf(msg, len, "asn: %s", err);
			return -1;
		}
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if ((s[0] != 'A' && s[0] != 'a') ||
		    (s[1] != 'S' && s[1] != 's')) {
			snprintf(msg, len,
				 "asn \"%.40s\": a string asn must start "
				 "with \"AS\" (Routinator's form)",
				 s);
			return -1;
		}
		if (asn_parse(s, true, &out->asn, err, sizeof(err))) {
			snprintf(msg, len, "asn: %s", err);
			return -1;
		}
		out->asn_was_string = 1;
		return 0;
	}
	snprintf(msg, len,
		 "asn must be a number (rpki-client) or an \"AS...\" string "
		 "(Routinator)");
	return -1;
}

static int entry_from_json(const json_t *o, struct vrp *out, char *msg,
			   size_t len)
{
	const json_t *asn, *prefix, *maxlen;
	unsigned int plen, fmax;
	char err[200];

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o)) {
		snprintf(msg, len, "entry is not an object");
		return -1;
	}
	asn = json_object_get(o, "asn");
	prefix = json_object_get(o, "prefix");
	maxlen = json_object_get(o, "maxLength");
	if (!asn || !prefix) {
		snprintf(msg, len, "entry has no \"%s\"",
			 !asn ? "asn" : "prefix");
		return -1;
	}
	if (entry_asn(asn, out, msg, len))
		return -1;
	if (!json_is_string(prefix)) {
		snprintf(msg, len, "prefix must be a string");
		return -1;
	}
	if (table_prefix_parse(json_string_value(prefix), &out->key, err,
			       sizeof(err))) {
		snprintf(msg, len, "prefix %s", err);
		return -1;
	}
	if (!maxlen)
		return 0; /* RFC 6482: absent means the prefix length */
	plen = prefix_family_len(&out->key);
	fmax = prefix_is_v4(&out->key) ? 32 : 128;
	if (!json_is_integer(maxlen)) {
		snprintf(msg, len, "maxLength must be an integer");
		return -1;
	}
	if (json_integer_value(maxlen) < plen ||
	    json_integer_value(maxlen) > fmax) {
		snprintf(msg, len,
			 "maxLength %lld is outside %u-%u for prefix \"%.60s\"",
			 (long long)json_integer_value(maxlen), plen, fmax,
			 json_string_value(prefix));
		return -1;
	}
	return 0;
}

/* ---- parsing the elements on worker threads ----------------------------- */

struct job {
	const char *name;
	const char *buf;
	const struct span *elems;
	struct vrp *out;
	size_t from, to;
	struct error_list *errors;
	bool rescan; /* a slice ended early: the scan misread the text */
};

static void *parse_range(void *arg)
{
	struct job *j = arg;

	for (size_t i = j->from; i < j->to; i++) {
		const struct span *sp = &j->elems[i];
		char msg[RPKI_ERROR_LEN - 64];
		json_error_t e;
		json_t *o =
			json_loadb(j->buf + sp->off, sp->len, JSON_FLAGS, &e);

		if (!o) {
			unsigned int line, col;

			if ((size_t)e.position >= sp->len) {
				j->rescan = true;
				continue;
			}
			line = sp->line + e.line - 1;
			col = e.line == 1 ? column_of(j->buf, sp->off) +
						    e.column - 1
					  : (unsigned int)e.column;
			add_error(j->errors, i, "%s:%u:%u: roas[%zu]: %s",
				  j->name, line, col, i, e.text);
			continue;
		}
		if (entry_from_json(o, &j->out[i], msg, sizeof(msg)))
			add_error(j->errors, i, "%s:%u: roas[%zu]: %s", j->name,
				  sp->line, i, msg);
		json_decref(o);
	}
	return NULL;
}

static int workers_for(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t w = n / ENTRIES_PER_WORKER;

	if (cpus < 1)
		cpus = 1;
	if (w > (size_t)cpus)
		w = cpus;
	if (w > WORKERS_MAX)
		w = WORKERS_MAX;
	return w ? (int)w : 1;
}

/* Returns true if some slice needs the whole document parsed instead. */
static bool parse_elements(const char *name, const struct scan *s,
			   struct vrp *out, struct error_list *errors)
{
	struct job jobs[WORKERS_MAX];
	pthread_t threads[WORKERS_MAX];
	int nw = workers_for(s->n), started = 0;
	bool rescan = false;

	json_object_seed(0); /* once, before the threads race to do it */
	for (int w = 0; w < nw; w++) {
		jobs[w] = (struct job){
			.name = name,
			.buf = s->buf,
			.elems = s->elems,
			.out = out,
			.from = s->n * w / nw,
			.to = s->n * (w + 1) / nw,
			.errors = errors,
		};
	}
	for (int w = 1; w < nw; w++) {
		if (pthread_create(&threads[w], NULL, parse_range, &jobs[w]))
			break;
		started = w;
	}
	parse_range(&jobs[0]);
	for (int w = 1; w <= started; w++)
		pthread_join(threads[w], NULL);
	/* threads that could not start: do their share here */
	for (int w = started + 1; w < nw; w++)
		parse_range(&jobs[w]);
	for (int w = 0; w < nw; w++)
		rescan |= jobs[w].rescan;
	return rescan;
}

/* ---- the rest of the document ------------------------------------------- */

/* The document with the roas array emptied but its line breaks kept, so
 * jansson's line numbers stay those of the file. */
static char *skeleton_of(const struct scan *s, size_t *len)
{
	size_t lines = s->close_line - s->open_line;
	size_t n = s->open + 1 + lines + (s->len - s->close);
	char *k = malloc(n ? n : 1);

	if (!k)
		return NULL;
	memcpy(k, s->buf, s->open + 1);
	memset(k + s->open + 1, '\n', lines);
	memcpy(k + s->open + 1 + lines, s->buf + s->close, s->len - s->close);
	*len = n;
	return k;
}

static void syntax_error(struct error_list *errors, const char *name,
			 const json_error_t *e)
{
	add_error(errors, 0, "%s:%d:%d: %s", name, e->line, e->column, e->text);
}

/* Validates the entries of a fully parsed roas array (no line numbers:
 * jansson keeps none for values). */
static void entries_from_dom(const char *name, const json_t *roas,
			     struct vrp *out, struct error_list *errors)
{
	for (size_t i = 0; i < json_array_size(roas); i++) {
		char msg[RPKI_ERROR_LEN - 64];

		if (entry_from_json(json_array_get(roas, i), &out[i], msg,
				    sizeof(msg)))
			add_error(errors, i, "%s: roas[%zu]: %s", name, i, msg);
	}
}

static const json_t *roas_of(const char *name, const json_t *root,
			     struct error_list *errors)
{
	const json_t *roas;

	if (!json_is_object(root)) {
		add_error(errors, 0,
			  "%s: the top level is not an object (expected "
			  "rpki-client or Routinator JSON with a \"roas\" "
			  "array)",
			  name);
		return NULL;
	}
	roas = json_object_get(root, "roas");
	if (!roas) {
		add_error(errors, 0,
			  "%s: no \"roas\" array (expected rpki-client or "
			  "Routinator JSON)",
			  name);
		return NULL;
	}
	if (!json_is_array(roas)) {
		add_error(errors, 0, "%s: \"roas\" is not an array", name);
		return NULL;
	}
	return roas;
}

/* ---- from entries to a table -------------------------------------------- */

static void note_conflict(struct rpki_summary *sum, const struct prefix_rec *o,
			  size_t n)
{
	struct esprit_prefix_key key;
	char buf[PREFIX_STRLEN];
	size_t len;

	if (sum->conflicts++)
		return;
	prefix_rec_key(&o[0], &key);
	len = snprintf(sum->conflict_example, sizeof(sum->conflict_example),
		       "%s:", prefix_format(&key, buf, sizeof(buf)));
	for (size_t i = 0; i < n && len < sizeof(sum->conflict_example); i++)
		if (i == 0 || o[i].asn != o[i - 1].asn)
			len += snprintf(sum->conflict_example + len,
					sizeof(sum->conflict_example) - len,
					"%s AS%u", i ? "," : "", o[i].asn);
}

static bool same_prefix(const struct prefix_rec *a, const struct prefix_rec *b)
{
	return a->hi == b->hi && a->lo == b->lo && a->prefixlen == b->prefixlen;
}

static int build_table(const struct vrp *v, size_t n, struct prefix_table *out,
		       struct rpki_summary *sum)
{
	struct prefix_rec *o = malloc((n ? n : 1) * sizeof(*o));
	size_t m = 0, ints = 0, strings = 0;

	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].asn_was_string)
			strings++;
		else
			ints++;
		if (v[i].asn == 0) {
			sum->as0++;
			continue;
		}
		prefix_rec_from(&o[m++], &v[i].key, v[i].asn);
	}
	sum->format = !n	 ? RPKI_FORMAT_EMPTY
		      : !strings ? RPKI_FORMAT_RPKI_CLIENT
		      : !ints	 ? RPKI_FORMAT_ROUTINATOR
				 : RPKI_FORMAT_MIXED;
	prefix_recs_sort(o, m);
	out->v = malloc((m ? m : 1) * sizeof(*out->v));
	if (!out->v) {
		free(o);
		return -1;
	}
	out->cap = m ? m : 1;
	for (size_t i = 0; i < m;) {
		size_t j = i + 1, distinct = 1;

		for (; j < m && same_prefix(&o[j], &o[i]); j++) {
			if (o[j].asn == o[j - 1].asn)
				sum->duplicates++;
			else
				distinct++;
		}
		if (distinct > 1)
			note_conflict(sum, &o[i], j - i);
		prefix_rec_key(&o[i], &out->v[out->n].key);
		out->v[out->n].asn = distinct > 1 ? ESPRIT_ASN_NONE : o[i].asn;
		out->n++;
		i = j;
	}
	free(o);
	sum->loaded = out->n;
	sum->v4 = prefix_table_count_v4(out);
	sum->v6 = out->n - sum->v4;
	return 0;
}

/* ---- entry points ------------------------------------------------------- */

static int parse_whole(const char *name, const char *buf, size_t len,
		       struct vrp **v, size_t *n, struct error_list *errors)
{
	json_error_t e;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	const json_t *roas;

	if (!root) {
		syntax_error(errors, name, &e);
		return -1;
	}
	roas = roas_of(name, root, errors);
	if (roas) {
		*n = json_array_size(roas);
		*v = calloc(*n ? *n : 1, sizeof(**v));
		if (*v)
			entries_from_dom(name, roas, *v, errors);
		else
			add_error(errors, 0, "%s: out of memory", name);
	}
	json_decref(root);
	return errors->errs->count ? -1 : 0;
}

static int parse_split(const char *name, struct scan *s, struct vrp **v,
		       size_t *n, struct error_list *errors, bool *whole)
{
	json_error_t e;
	size_t klen;
	char *skel = skeleton_of(s, &klen);
	json_t *root;

	if (!skel) {
		add_error(errors, 0, "%s: out of memory", name);
		return -1;
	}
	root = json_loadb(skel, klen, JSON_REJECT_DUPLICATES, &e);
	free(skel);
	if (!root) {
		/* past the emptied array, columns on its closing line
		 * differ from the file's: let the whole parse report it */
		if ((size_t)e.position > s->open + 1 &&
		    (unsigned int)e.line == s->close_line)
			*whole = true;
		else
			syntax_error(errors, name, &e);
		return -1;
	}
	json_decref(root);
	*n = s->n;
	*v = calloc(s->n ? s->n : 1, sizeof(**v));
	if (!*v) {
		add_error(errors, 0, "%s: out of memory", name);
		return -1;
	}
	if (parse_elements(name, s, *v, errors)) {
		*whole = true;
		return -1;
	}
	return errors->errs->count ? -1 : 0;
}

int rpki_parse(const char *name, const char *buf, size_t len,
	       struct prefix_table *out, struct rpki_summary *sum,
	       struct rpki_errors *errs)
{
	struct error_list errors = {.errs = errs};
	struct scan s = {.buf = buf, .len = len, .line = 1};
	struct vrp *v = NULL;
	bool whole = false;
	double t0 = now(), t1;
	size_t n = 0;
	int rc;

	memset(sum, 0, sizeof(*sum));
	memset(errs, 0, sizeof(*errs));
	prefix_table_init(out);
	pthread_mutex_init(&errors.lock, NULL);
	if (rpki_scan_document(&s) || !s.found) {
		/* not shaped as the scan expects, or "roas" where the scan
		 * does not look: jansson decides */
		rc = parse_whole(name, buf, len, &v, &n, &errors);
	} else {
		rc = parse_split(name, &s, &v, &n, &errors, &whole);
		if (rc && whole) {
			free(v);
			v = NULL;
			memset(errs, 0, sizeof(*errs));
			rc = parse_whole(name, buf, len, &v, &n, &errors);
		}
	}
	free(s.elems);
	t1 = now();
	sum->parse_seconds = t1 - t0;
	sum->entries = n;
	if (!rc && build_table(v, n, out, sum)) {
		add_error(&errors, 0, "%s: out of memory", name);
		rc = -1;
	}
	if (!rc)
		prefix_table_mark(out, ESPRIT_PREFIX_FROM_IMPORT);
	free(v);
	pthread_mutex_destroy(&errors.lock);
	if (rc)
		prefix_table_free(out);
	sum->build_seconds = now() - t1;
	return rc;
}

int rpki_parse_file(const char *path, struct prefix_table *out,
		    struct rpki_summary *sum, struct rpki_errors *errs)
{
	bool stdin_ = !strcmp(path, "-");
	const char *name = stdin_ ? "<stdin>" : path;
	int fd = stdin_ ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	double t0 = now();
	size_t len = 0;
	char *buf;
	int rc;

	memset(sum, 0, sizeof(*sum));
	memset(errs, 0, sizeof(*errs));
	prefix_table_init(out);
	if (fd < 0) {
		errs->count = 1;
		snprintf(errs->msg[0], sizeof(errs->msg[0]), "%s: %s", name,
			 strerror(errno));
		return -1;
	}
	buf = fd_read_all(fd, &len);
	if (!buf) {
		errs->count = 1;
		snprintf(errs->msg[0], sizeof(errs->msg[0]),
			 "%s: cannot read: %s", name, strerror(errno));
	}
	if (!stdin_)
		close(fd);
	if (!buf)
		return -1;
	rc = rpki_parse(name, buf, len, out, sum, errs);
	sum->parse_seconds = now() - t0 - sum->build_seconds;
	free(buf);
	return rc;
}
