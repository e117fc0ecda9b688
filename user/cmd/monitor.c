// SPDX-License-Identifier: GPL-2.0
/*
 * esprit monitor: the RISAV audit events (RFC 4302 §3.4) from the ring
 * buffer esprit_events, one line each, as they arrive.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "esprit_maps.h"
#include "lib/addr.h"
#include "lib/options.h"
#include "cmd/commands.h"
#include "lib/counters.h"
#include "lib/event_loop.h"
#include "esprit_audit.h"
#include "esprit_risav.h"
#include "lib/output.h"
#include "lib/parse.h"
#include "lib/pins.h"

static void monitor_usage(FILE *out)
{
	fprintf(out, "usage: esprit monitor [--json] [count N] [--pin-dir "
		     "DIR]\n"
		     "  Prints RISAV audit events (failed checks) as they "
		     "arrive,\n"
		     "  until interrupted or after N events. At most "
		     "audit-rate\n"
		     "  events/s are sent (esprit risav set audit-rate N); "
		     "the\n"
		     "  ring has one reader: two monitors split the events.\n");
}

struct monitor {
	bool json;
	unsigned long left; /* events still to print; 0 = no limit */
	bool done; /* printed as many as asked, or interrupted */
	__s64 mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct ring_buffer *rb;
	int error; /* -errno from the ring */
	struct ev_loop loop;
	struct ev_source signals, ring;
};

#define MON_OF(s, member) \
	((struct monitor *)((char *)(s)-offsetof(struct monitor, member)))

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *mode_name(__u8 mode)
{
	switch (mode) {
	case ESPRIT_PEER_ENFORCE:
		return "enforce";
	case ESPRIT_PEER_TESTING:
		return "testing";
	default:
		return "off";
	}
}

static const char *reason_name(__u32 reason)
{
	return reason < ESPRIT_R_COUNT ? reason_info[reason].name : "unknown";
}

/* Wall-clock time of the event: local for lines, UTC for JSON. */
static void format_time(const struct monitor *mon, __u64 mono_ns, bool utc,
			char *buf, size_t len)
{
	__s64 real = (__s64)mono_ns + mon->mono_to_real_ns;
	time_t sec = real / 1000000000LL;
	struct tm tm;
	size_t n;

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06lld%s",
		 (long long)(real % 1000000000LL) / 1000, utc ? "Z" : "");
}

static void print_json(const struct monitor *mon,
		       const struct esprit_audit_event *ev)
{
	bool ah = ev->flags & ESPRIT_AUDIT_HAS_AH;
	char t[48], src[ADDR_STRLEN], dst[ADDR_STRLEN];
	json_t *o;

	format_time(mon, ev->time_ns, true, t, sizeof(t));
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:I, "
		      "s:s, s:I}",
		      "time", t, "time_mono_ns", (json_int_t)ev->time_ns,
		      "reason", reason_name(ev->reason), "action",
		      ev->flags & ESPRIT_AUDIT_DROPPED ? "drop" : "pass", "src",
		      addr_format(&ev->src, src, sizeof(src)), "dst",
		      addr_format(&ev->dst, dst, sizeof(dst)), "spi",
		      ah ? json_integer(ev->spi) : json_null(), "asn",
		      (json_int_t)ev->asn, "seq",
		      ah ? json_integer(ev->seq) : json_null(), "flow_label",
		      (json_int_t)ev->flow_label, "mode", mode_name(ev->mode),
		      "ifindex", (json_int_t)ev->ifindex);
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
}

static void print_line(const struct monitor *mon,
		       const struct esprit_audit_event *ev)
{
	char t[48], src[ADDR_STRLEN], dst[ADDR_STRLEN];

	format_time(mon, ev->time_ns, false, t, sizeof(t));
	printf("%s %s %s %s -> %s", t, reason_name(ev->reason),
	       ev->flags & ESPRIT_AUDIT_DROPPED ? "drop" : "pass",
	       addr_format(&ev->src, src, sizeof(src)),
	       addr_format(&ev->dst, dst, sizeof(dst)));
	if (ev->flags & ESPRIT_AUDIT_HAS_AH)
		printf(" spi 0x%08x", ev->spi);
	else
		printf(" spi -");
	printf(" asn %u", ev->asn);
	if (ev->flags & ESPRIT_AUDIT_HAS_AH)
		printf(" seq %u", ev->seq);
	else
		printf(" seq -");
	if (ev->src.family == ESPRIT_AF_INET6)
		printf(" flow 0x%05x", ev->flow_label);
	printf(" (%s)\n", mode_name(ev->mode));
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct monitor *mon = ctx;

	if (len < sizeof(struct esprit_audit_event))
		return 0;
	if (mon->json)
		print_json(mon, data);
	else
		print_line(mon, data);
	if (mon->left && --mon->left == 0) {
		mon->done = true;
		return -ECANCELED; /* stops ring_buffer__consume() */
	}
	return 0;
}

static int parse_words(int argc, char **argv, struct monitor *mon)
{
	for (int i = 0; i < argc; i += 2) {
		unsigned long long n;

		if (strcmp(argv[i], "count") || i + 1 >= argc) {
			errmsg("unexpected '%s'", argv[i]);
			return -1;
		}
		if (parse_uint(argv[i + 1], 1, ~0UL, &n)) {
			errmsg("bad count '%s': a number of events, 1 or more",
			       argv[i + 1]);
			return -1;
		}
		mon->left = n;
	}
	return 0;
}

static void on_signal(struct ev_source *s, uint32_t events)
{
	(void)events;
	while (ev_signal_next(s))
		MON_OF(s, signals)->done = true;
}

static void on_ring(struct ev_source *s, uint32_t events)
{
	struct monitor *mon = MON_OF(s, ring);
	int rc = ring_buffer__consume(mon->rb);

	(void)events;
	if (rc < 0 && rc != -ECANCELED)
		mon->error = rc;
}

int cmd_monitor(int argc, char **argv)
{
	static const int sigs[] = {SIGINT, SIGTERM};
	struct monitor mon = {.loop = {.epfd = -1}, .signals = {.fd = -1}};
	struct cli_common o;
	struct pins pins;
	int fd, rc;

	rc = cli_run(&argc, argv, NULL, CLI_JSON, &o, monitor_usage);
	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_ERROR;
	mon.json = o.json;
	if (parse_words(argc, argv, &mon) || pins_find(o.pin_dir, &pins))
		return EXIT_ERROR;
	fd = pins_open_map(&pins, ESPRIT_MAP_EVENTS);
	if (fd < 0)
		return EXIT_ERROR;
	mon.rb = ring_buffer__new(fd, on_event, &mon, NULL);
	if (!mon.rb) {
		errmsg("cannot read esprit_events: %s", strerror(errno));
		close(fd);
		return EXIT_ERROR;
	}
	mon.ring = (struct ev_source){.fd = ring_buffer__epoll_fd(mon.rb),
				      .ready = on_ring};
	if (ev_loop_init(&mon.loop) ||
	    ev_signal_open(&mon.loop, &mon.signals, sigs, 2, on_signal) ||
	    ev_add(&mon.loop, &mon.ring, EPOLLIN)) {
		errmsg("cannot set up the event loop: %s", strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mon.mono_to_real_ns =
		clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	while (!mon.done && !mon.error) {
		int e = ev_run_once(&mon.loop, -1);

		if (e)
			mon.error = e;
	}
	rc = EXIT_OK;
	if (mon.error) {
		errmsg("reading esprit_events: %s", strerror(-mon.error));
		rc = EXIT_ERROR;
	}
out:
	ev_close(&mon.loop, &mon.signals);
	ev_loop_free(&mon.loop);
	ring_buffer__free(mon.rb);
	close(fd);
	return rc;
}
