// SPDX-License-Identifier: GPL-2.0
/*
 * esprit ping: ESP Echo Requests (sub-typed by default) from a raw socket,
 * timed by the kernel as they leave; replies taken in XDP (ring buffer,
 * bpf_ktime_get_ns) when esprit's program runs on the receiving interface
 * with capture on, else read from the raw socket with kernel timestamps.
 * Output and exit codes follow iputils ping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/addr.h"
#include "cmd/commands.h"
#include "echo/packet.h"
#include "echo/reader.h"
#include "echo/socket.h"
#include "lib/attach.h"
#include "lib/event_loop.h"
#include "lib/output.h"
#include "cmd/ping_options.h"
#include "echo/session.h"
#include "lib/route.h"

struct ping_run {
	struct ping_options opt;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int family;
	char dst_str[INET6_ADDRSTRLEN];
	char src_str[INET6_ADDRSTRLEN];
	char ifname[IF_NAMESIZE];
	int ifindex;
	int sock;
	struct ev_loop loop;
	struct ev_source signals, tick, sock_src, ring_src;
	bool stop; /* interrupted */
	uint64_t deadline; /* after the last request: replies due by then */
	struct echo_maps maps;
	struct echo_reader *reader; /* NULL: replies from the raw socket */
	char path_note[512];
	struct ping_session *session;
	uint16_t ident;
	uint8_t *data, *packet;
	size_t packet_cap;
	uint64_t send_errors;
	uint64_t icmp_errors;
	uint64_t malformed; /* replies in no form, on the raw socket */
	uint64_t start_ns;
	bool tx_stamps; /* the kernel times requests as they leave */
	bool reply_via_raw; /* set while handling a raw-socket reply */
};

static int resolve(struct ping_run *run)
{
	struct addrinfo hints = {.ai_family = run->opt.family,
				 .ai_socktype = SOCK_RAW,
				 .ai_protocol = IPPROTO_ESP};
	struct addrinfo *res;
	int rc = getaddrinfo(run->opt.host, NULL, &hints, &res);

	if (rc) {
		errmsg("unknown host '%s'%s: %s", run->opt.host,
		       run->opt.family == AF_INET    ? " (IPv4)"
		       : run->opt.family == AF_INET6 ? " (IPv6)"
						     : "",
		       rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	memcpy(&run->dst, res->ai_addr, res->ai_addrlen);
	run->dst_len = res->ai_addrlen;
	run->family = res->ai_family;
	freeaddrinfo(res);
	if (run->family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&run->dst)->sin_addr,
			  run->dst_str, sizeof(run->dst_str));
	else
		inet_ntop(AF_INET6,
			  &((struct sockaddr_in6 *)&run->dst)->sin6_addr,
			  run->dst_str, sizeof(run->dst_str));
	return 0;
}

/* The interface replies come back on: -I, or the route's. */
static int find_interface(struct ping_run *run)
{
	unsigned int flags;
	int err;

	if (run->opt.dev[0]) {
		run->ifindex = (int)if_nametoindex(run->opt.dev);
		if (!run->ifindex) {
			errmsg("no such interface '%s'", run->opt.dev);
			return -1;
		}
	} else {
		err = route_output_ifindex((struct sockaddr *)&run->dst,
					   &run->ifindex);
		if (err) {
			errmsg("no route to %s: %s", run->dst_str,
			       strerror(-err));
			return -1;
		}
	}
	if (!if_indextoname((unsigned int)run->ifindex, run->ifname)) {
		errmsg("interface %d vanished", run->ifindex);
		return -1;
	}
	err = interface_flags(run->ifname, &flags);
	if (err) {
		errmsg("cannot read the state of interface %s: %s", run->ifname,
		       strerror(-err));
		return -1;
	}
	if (!(flags & IFF_UP)) {
		errmsg("interface %s is down", run->ifname);
		return -1;
	}
	if (!(flags & IFF_RUNNING))
		warnmsg("interface %s has no carrier", run->ifname);
	return 0;
}

static int open_socket(struct ping_run *run)
{
	struct echo_socket_opts so = {
		.family = run->family,
		.dst = (struct sockaddr *)&run->dst,
		.dst_len = run->dst_len,
		.dev = run->opt.dev[0] ? run->opt.dev : NULL,
		.dscp = run->opt.dscp,
	};
	struct sockaddr_storage src;
	socklen_t len = sizeof(src);
	size_t ip_hdr = run->family == AF_INET ? 20 : 40;
	size_t size = ip_hdr + echo_request_len(run->opt.format,
						run->opt.data_len,
						run->opt.has_return_spi);
	const char *step;
	int mtu;

	run->sock = echo_socket_open(&so, &step);
	if (run->sock == -EPERM || run->sock == -EACCES) {
		errmsg("cannot open a raw ESP socket: %s (esprit ping needs "
		       "root or CAP_NET_RAW)",
		       strerror(-run->sock));
		return -1;
	}
	if (run->sock < 0) {
		errmsg("cannot set up the ESP socket (%s): %s", step,
		       strerror(-run->sock));
		return -1;
	}
	mtu = echo_socket_mtu(run->sock, run->family);
	if (mtu > 0 && size > (size_t)mtu) {
		errmsg("-s %zu: a request would be %zu bytes, more than the "
		       "path MTU %d to %s (ESP Echo is sent unfragmented)",
		       run->opt.data_len, size, mtu, run->dst_str);
		return -1;
	}
	if (!getsockname(run->sock, (struct sockaddr *)&src, &len))
		inet_ntop(
			run->family,
			run->family == AF_INET
				? (void *)&((struct sockaddr_in *)&src)->sin_addr
				: (void *)&((struct sockaddr_in6 *)&src)
					  ->sin6_addr,
			run->src_str, sizeof(run->src_str));
	return 0;
}

/* The echo Sequence; in the empty form, the ESP sequence number's low bits. */
static unsigned int reply_seq(const struct esprit_echo_reply_event *ev)
{
	return ev->format == ESPRIT_ECHO_FMT_EMPTY ? (uint16_t)ev->esp_seq
						   : ev->seq;
}

static void print_reply(struct ping_run *run,
			const struct esprit_echo_reply_event *ev,
			uint64_t rtt_ns, bool dup)
{
	if (run->opt.quiet)
		return;
	printf("%zu bytes from %s: seq=%u ttl=%u ",
	       echo_request_len(ev->format, ev->data_len, false), run->dst_str,
	       reply_seq(ev), ev->ttl);
	if (rtt_ns)
		printf("time=%.3f ms", (double)rtt_ns / 1e6);
	else
		printf("time=? (received before it was sent, by the clocks)");
	printf("%s%s%s\n",
	       ev->data_len < run->opt.data_len ? " (truncated)" : "",
	       dup ? " (DUP!)" : "",
	       run->reader && run->reply_via_raw ? " (raw socket)" : "");
}

static void drain_errors(struct ping_run *run);

static void handle_reply(void *ctx, const struct esprit_echo_reply_event *ev)
{
	struct ping_run *run = ctx;
	uint64_t rtt_ns = 0;

	/* The request's transmit time is queued before it left the host:
	 * take it before timing its reply. */
	drain_errors(run);
	switch (ping_session_reply(run->session, ev, &rtt_ns)) {
	case REPLY_OK:
	case REPLY_UNTIMED:
		print_reply(run, ev, rtt_ns, false);
		break;
	case REPLY_DUPLICATE:
		print_reply(run, ev, rtt_ns, true);
		break;
	default: /* counted by the session, reported in the summary */
		break;
	}
}

/* XDP capture if esprit runs on the interface with capture on. */
static void choose_receive_path(struct ping_run *run)
{
	struct esprit_addr target;
	char err[256];
	int e;

	if (run->opt.format == ESPRIT_ECHO_FMT_EMPTY) {
		snprintf(run->path_note, sizeof(run->path_note),
			 "the empty form carries no Identifier for XDP to "
			 "match");
		return;
	}
	if (echo_capture_maps(run->ifindex, run->ifname, &run->maps,
			      run->path_note, sizeof(run->path_note)))
		return;
	run->reader = echo_reader_new(&run->maps, 0, handle_reply, run, err,
				      sizeof(err));
	if (!run->reader) {
		snprintf(run->path_note, sizeof(run->path_note), "%s", err);
		return;
	}
	addr_from_sockaddr((struct sockaddr *)&run->dst, &target);
	e = echo_reader_add_random(run->reader, &target, &run->ident);
	if (e) {
		snprintf(run->path_note, sizeof(run->path_note),
			 "cannot register an Identifier with XDP on %s: %s",
			 run->ifname,
			 e == -ENOSPC ? "all ring slots or entries are taken"
				      : strerror(-e));
		echo_reader_free(run->reader);
		run->reader = NULL;
		return;
	}
	snprintf(run->path_note, sizeof(run->path_note),
		 "taken in XDP on %s (program id %u, ring slot %d), "
		 "timestamped by bpf_ktime_get_ns",
		 run->ifname, run->maps.prog_id, echo_reader_slot(run->reader));
}

static int random_ident(uint16_t *ident)
{
	struct echo_key k;

	do {
		int err = echo_key_random(&k);

		if (err)
			return err;
		*ident = (uint16_t)(k.bytes[0] << 8 | k.bytes[1]);
	} while (!echo_ident_usable(*ident));
	return 0;
}

#define RUN_OF(s, member) \
	((struct ping_run *)((char *)(s)-offsetof(struct ping_run, member)))

/* Interrupts end the loop, so a reader registered with XDP is always
 * unregistered: ping cleans up. */
static void on_signal(struct ev_source *s, uint32_t events)
{
	struct ping_run *run = RUN_OF(s, signals);

	(void)events;
	while (ev_signal_next(s))
		run->stop = true;
}

static void send_request(struct ping_run *run);

static void on_tick(struct ev_source *s, uint32_t events)
{
	struct ping_run *run = RUN_OF(s, tick);

	(void)events;
	if (!ev_timer_read(s) || run->deadline)
		return;
	send_request(run);
	if (run->opt.count && run->session->transmitted >= run->opt.count) {
		ev_timer_set(s, 0, 0);
		run->deadline = monotonic_ns() + run->opt.wait_ns;
	}
}

static void drain_socket(struct ping_run *run);

static void on_socket(struct ev_source *s, uint32_t events)
{
	(void)events;
	drain_socket(RUN_OF(s, sock_src));
}

static void on_ring(struct ev_source *s, uint32_t events)
{
	int rc = echo_reader_consume(RUN_OF(s, ring_src)->reader);

	(void)events;
	if (rc < 0)
		warnmsg("ring buffer: %s", strerror(-rc));
}

/* Before a reader is registered: from then on interrupts are events. */
static int setup_signals(struct ping_run *run)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

	return ev_loop_init(&run->loop) ||
	       ev_signal_open(&run->loop, &run->signals, sigs, 3, on_signal);
}

static int setup_loop(struct ping_run *run)
{
	if (ev_timer_open(&run->loop, &run->tick, on_tick))
		return -1;
	run->sock_src = (struct ev_source){.fd = run->sock, .ready = on_socket};
	if (ev_add(&run->loop, &run->sock_src, EPOLLIN))
		return -1;
	if (run->reader) {
		run->ring_src = (struct ev_source){
			.fd = echo_reader_fd(run->reader), .ready = on_ring};
		if (ev_add(&run->loop, &run->ring_src, EPOLLIN))
			return -1;
	}
	/* the first request at once, then one per interval */
	return ev_timer_set(&run->tick, monotonic_ns(), run->opt.interval_ns);
}

static void send_request(struct ping_run *run)
{
	uint64_t now = monotonic_ns();
	uint16_t seq = ping_session_next(
		run->session, now,
		run->opt.format == ESPRIT_ECHO_FMT_EMPTY ? NULL : run->data);
	uint64_t index = run->session->transmitted;
	struct echo_request_spec req = {
		.format = run->opt.format,
		.spi = ESPRIT_DEFAULT_SPI_REQUEST,
		.esp_seq = (uint32_t)index,
		.ident = run->ident,
		.seq = seq,
		.has_return_spi = run->opt.has_return_spi,
		.return_spi = run->opt.return_spi,
		.data = run->data,
		.data_len = run->opt.data_len,
	};
	size_t len = echo_request_build(run->packet, run->packet_cap, &req);
	uint32_t key = (uint32_t)index;
	int rc;

	if (!run->start_ns)
		run->start_ns = now;
	/* Until the kernel's stamp comes: as close to the send as we get. */
	ping_session_sent(run->session, index, monotonic_ns());
	rc = echo_socket_send(run->sock, run->family, run->packet, len, NULL, 0,
			      -1, run->tx_stamps ? &key : NULL);
	if (rc == ECHO_SENT_UNSTAMPED && run->tx_stamps) {
		run->tx_stamps = false;
		if (!run->opt.quiet)
			printf("note: this kernel keys no transmit timestamps "
			       "(Linux 6.13 does); send times are read just "
			       "before each send\n");
	}
	if (rc < 0) {
		run->send_errors++;
		if (!run->opt.quiet)
			printf("seq=%u: cannot send: %s\n", seq, strerror(-rc));
	}
}

static void report_error(struct ping_run *run, const struct icmp_error *e)
{
	char from[ADDR_STRLEN], what[128];
	struct icmp_quote q;
	unsigned int seq;

	icmp_error_quote(e, run->opt.format, &q);
	if (q.has_ident && q.ident != run->ident)
		return;
	if (!q.has_ident && !q.has_esp_seq)
		return;
	seq = q.has_ident ? q.seq : (uint16_t)q.esp_seq;
	run->icmp_errors++;
	if (run->opt.quiet)
		return;
	icmp_error_describe(e, what, sizeof(what));
	if (e->offender.family)
		printf("From %s: seq=%u %s\n",
		       addr_format(&e->offender, from, sizeof(from)), seq,
		       what);
	else
		printf("seq=%u %s\n", seq, what);
}

/* The request a transmit stamp's key (its number's low 32 bits) names. */
static void take_tx_stamp(struct ping_run *run, const struct echo_tx_stamp *ts)
{
	uint64_t sent = run->session->transmitted;

	ping_session_sent(run->session,
			  sent - (uint32_t)((uint32_t)sent - ts->key),
			  ts->tx_ns);
}

static void drain_errors(struct ping_run *run)
{
	struct echo_tx_stamp ts;
	struct icmp_error e;
	int rc;

	while ((rc = echo_socket_recv_error(run->sock, &e, &ts)) > 0) {
		if (rc == ECHO_ERRQ_TX_STAMP)
			take_tx_stamp(run, &ts);
		else
			report_error(run, &e);
	}
	if (rc != -EAGAIN && rc != -EWOULDBLOCK)
		warnmsg("error queue: %s", strerror(-rc));
}

static void drain_socket(struct ping_run *run)
{
	struct esprit_echo_reply_event ev;
	int rc, errors = 0;

	run->reply_via_raw = true;
	for (;;) {
		rc = echo_socket_recv(run->sock, run->family, &ev);
		if (rc == ECHO_RECV_REPLY)
			handle_reply(run, &ev);
		if (rc == ECHO_RECV_MALFORMED)
			run->malformed++;
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			break;
		/* A pending ICMP error is reported once per read; a socket
		 * that fails on and on is not. */
		if (rc < 0 && ++errors > 64) {
			warnmsg("receive error: %s", strerror(-rc));
			break;
		}
	}
	run->reply_via_raw = false;
	/* An ICMP error also surfaces here as errno; the queue tells more. */
	drain_errors(run);
}

/* Sends, receives and waits until done or interrupted. 0, or -1 on error. */
static int run_loop(struct ping_run *run)
{
	const struct ping_session *s = run->session;

	while (!run->stop) {
		int timeout = -1, e;

		if (run->deadline) {
			uint64_t now = monotonic_ns();

			/* Like iputils: an error settles a request too. */
			if (s->received + run->icmp_errors + run->send_errors >=
				    s->transmitted ||
			    now >= run->deadline)
				return 0;
			timeout =
				(int)((run->deadline - now + 999999) / 1000000);
		}
		e = ev_run_once(&run->loop, timeout);
		if (e) {
			errmsg("event loop: %s", strerror(-e));
			return -1;
		}
	}
	return 0;
}

static void print_summary(const struct ping_run *run)
{
	const struct ping_session *s = run->session;
	uint64_t elapsed = run->start_ns ? monotonic_ns() - run->start_ns : 0;
	double loss = s->transmitted
			      ? 100.0 * (double)(s->transmitted - s->received) /
					(double)s->transmitted
			      : 0;
	__u64 drops = run->reader ? echo_reader_drops(run->reader) : 0;

	printf("\n--- %s esp ping statistics ---\n", run->opt.host);
	printf("%llu packets transmitted, %llu received",
	       (unsigned long long)s->transmitted,
	       (unsigned long long)s->received);
	if (s->duplicates)
		printf(", +%llu duplicates", (unsigned long long)s->duplicates);
	if (run->send_errors + run->icmp_errors)
		printf(", +%llu errors",
		       (unsigned long long)(run->send_errors +
					    run->icmp_errors));
	printf(", %g%% packet loss, time %llums\n", loss,
	       (unsigned long long)(elapsed / 1000000));
	if (s->received)
		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n",
		       (double)s->rtt.min_ns / 1e6, s->rtt.mean_ns / 1e6,
		       (double)s->rtt.max_ns / 1e6,
		       rtt_stats_mdev_ns(&s->rtt) / 1e6);
	if (s->untimed)
		printf("%llu received before they were sent, by the clocks: "
		       "not timed\n",
		       (unsigned long long)s->untimed);
	if (s->bad_tag || s->stale || s->foreign || run->malformed)
		printf("ignored: %llu with a bad tag, %llu stale, %llu foreign "
		       "(another Identifier, form or source), %llu "
		       "malformed\n",
		       (unsigned long long)s->bad_tag,
		       (unsigned long long)s->stale,
		       (unsigned long long)s->foreign,
		       (unsigned long long)run->malformed);
	if (drops)
		printf("ring buffer: %llu replies lost (esprit_rb_drops slot "
		       "%d)\n",
		       (unsigned long long)drops,
		       echo_reader_slot(run->reader));
}

static void run_free(struct ping_run *run)
{
	echo_reader_free(run->reader);
	echo_maps_close(&run->maps);
	ev_close(&run->loop, &run->signals);
	ev_close(&run->loop, &run->tick);
	ev_loop_free(&run->loop);
	if (run->sock >= 0)
		close(run->sock);
	if (run->session)
		ping_session_free(run->session);
	free(run->session);
	free(run->data);
	free(run->packet);
}

static int prepare(struct ping_run *run)
{
	struct echo_key key;
	struct esprit_addr target;
	int err;

	if (resolve(run) || find_interface(run) || open_socket(run))
		return -1;
	if (setup_signals(run)) {
		errmsg("cannot set up signal handling: %s", strerror(errno));
		return -1;
	}
	choose_receive_path(run);
	if (!run->reader && (err = random_ident(&run->ident))) {
		errmsg("cannot draw a random Identifier: %s", strerror(-err));
		return -1;
	}
	err = echo_key_random(&key);
	if (err) {
		errmsg("cannot draw a random key: %s", strerror(-err));
		return -1;
	}
	run->session = calloc(1, sizeof(*run->session));
	run->data = malloc(run->opt.data_len ? run->opt.data_len : 1);
	run->packet_cap = echo_request_len(run->opt.format, run->opt.data_len,
					   run->opt.has_return_spi);
	run->packet = malloc(run->packet_cap);
	if (!run->session || !run->data || !run->packet) {
		errmsg("out of memory");
		return -1;
	}
	addr_from_sockaddr((struct sockaddr *)&run->dst, &target);
	err = ping_session_init(run->session, &key, run->opt.format, run->ident,
				&target, PING_WINDOW, 0);
	if (err) {
		errmsg("cannot set up the session: %s", strerror(-err));
		free(run->session);
		run->session = NULL;
		return -1;
	}
	for (size_t i = 0; i < run->opt.data_len; i++)
		run->data[i] = (uint8_t)i;
	if (setup_loop(run)) {
		errmsg("cannot set up the timer and event loop: %s",
		       strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_ping(int argc, char **argv)
{
	struct ping_run run = {.sock = -1,
			       .tx_stamps = true,
			       .loop = {.epfd = -1},
			       .signals = {.fd = -1},
			       .tick = {.fd = -1}};
	char err[256];
	int rc = EXIT_ERROR;

	echo_maps_init(&run.maps);
	switch (ping_options_parse(argc, argv, &run.opt, err, sizeof(err))) {
	case PING_PARSE_HELP:
		ping_usage(stdout);
		return EXIT_OK;
	case PING_PARSE_ERROR:
		errmsg("%s", err);
		fprintf(stderr, "Try 'esprit ping --help'.\n");
		return EXIT_ERROR;
	case PING_PARSE_OK:
		break;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (prepare(&run))
		goto out;
	printf("ESP PING %s (%s) from %s %s: %s form, %zu data bytes",
	       run.opt.host, run.dst_str, run.src_str, run.ifname,
	       echo_format_name(run.opt.format), run.opt.data_len);
	if (run.opt.format != ESPRIT_ECHO_FMT_EMPTY)
		printf(", ident 0x%04x", run.ident);
	if (run.opt.has_return_spi)
		printf(", return SPI 0x%x", run.opt.return_spi);
	if (run.opt.dscp)
		printf(", DSCP %u", run.opt.dscp);
	printf("\nreplies: %s%s%s\n",
	       run.reader ? "" : "raw socket with kernel receive timestamps (",
	       run.path_note, run.reader ? "" : ")");
	printf("requests: timed by the kernel as they leave "
	       "(SO_TIMESTAMPING)\n");
	if (run_loop(&run))
		goto out;
	print_summary(&run);
	rc = run.session->received ? EXIT_OK : EXIT_NONE;
out:
	run_free(&run);
	return rc;
}
