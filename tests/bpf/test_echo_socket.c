// SPDX-License-Identifier: GPL-2.0
/*
 * The raw ESP socket against the running kernel: a request's transmit
 * timestamp comes back under the key it was sent with (SCM_TS_OPT_ID),
 * between the times read around the send; without a key none is asked
 * for. (The kernel's ICMP errors about requests: tests/netns/ping.sh and
 * daemon_faults.sh, where a peer namespace sends them.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>

#include "echo/packet.h"
#include "echo/socket.h"
#include "testlib.h"
#include "xdp_fixture.h"

static int suite_init(void)
{
	return fixture_device() ? 0 : -1;
}

/* A socket connected to an address of this host (the kernel answers). */
static int open_to(const char *dst, struct sockaddr_storage *ss)
{
	struct echo_socket_opts o = {0};
	const char *step;
	int fd;

	memset(ss, 0, sizeof(*ss));
	if (strchr(dst, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, dst, &in6->sin6_addr);
		o.dst_len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		inet_pton(AF_INET, dst, &in->sin_addr);
		o.dst_len = sizeof(*in);
	}
	o.family = ss->ss_family;
	o.dst = (struct sockaddr *)ss;
	fd = echo_socket_open(&o, &step);
	if (fd < 0)
		fprintf(stderr, "\n%s: %s\n", step, strerror(-fd));
	return fd;
}

/* Waits (5 s at most) for an error-queue item of the kind wanted. */
static int next_item(int fd, int want, struct icmp_error *e,
		     struct echo_tx_stamp *ts)
{
	for (int i = 0; i < 500; i++) {
		struct pollfd p = {.fd = fd, .events = 0};
		int rc = echo_socket_recv_error(fd, e, ts);

		if (rc == want)
			return rc;
		if (rc > 0)
			continue;
		if (rc != -EAGAIN)
			return rc;
		poll(&p, 1, 10); /* POLLERR is always reported */
	}
	return -ETIMEDOUT;
}

static size_t request(uint8_t *buf, size_t cap, enum esprit_echo_format f,
		      uint32_t esp_seq, uint16_t ident, uint16_t seq)
{
	static const uint8_t data[24] = {1, 2, 3};
	struct echo_request_spec r = {
		.format = f,
		.spi = 7,
		.esp_seq = esp_seq,
		.ident = ident,
		.seq = seq,
		.data = data,
		.data_len = f == ESPRIT_ECHO_FMT_EMPTY ? 0 : sizeof(data),
	};

	return echo_request_build(buf, cap, &r);
}

static void tx_stamp_keyed(const char *dst)
{
	struct sockaddr_storage ss;
	struct echo_tx_stamp ts = {0};
	struct icmp_error e;
	uint8_t buf[64];
	size_t len = request(buf, sizeof(buf), ESPRIT_ECHO_FMT_SUBTYPED, 1,
			     0x1111, 1);
	int fd = open_to(dst, &ss);
	uint32_t key = 0xabc00042;
	uint64_t before, after;

	CU_ASSERT_FATAL(fd >= 0);
	before = monotonic_ns();
	CU_ASSERT_EQUAL(echo_socket_send(fd, ss.ss_family, buf, len, NULL, 0,
					 -1, &key),
			ECHO_SENT_STAMPED);
	after = monotonic_ns();
	CU_ASSERT_EQUAL_FATAL(next_item(fd, ECHO_ERRQ_TX_STAMP, &e, &ts),
			      ECHO_ERRQ_TX_STAMP);
	CU_ASSERT_EQUAL(ts.key, key);
	/* converted from CLOCK_REALTIME: allow its rounding, a microsecond */
	if (ts.tx_ns + 1000 < before || ts.tx_ns > after + 1000)
		fprintf(stderr, "\n%s: stamp %llu not in [%llu, %llu]\n", dst,
			(unsigned long long)ts.tx_ns,
			(unsigned long long)before, (unsigned long long)after);
	CU_ASSERT(ts.tx_ns + 1000 >= before && ts.tx_ns <= after + 1000);
	/* without a key, no stamp is asked for */
	CU_ASSERT_EQUAL(echo_socket_send(fd, ss.ss_family, buf, len, NULL, 0,
					 -1, NULL),
			ECHO_SENT_UNSTAMPED);
	close(fd);
}

static void test_tx_stamp_ipv4(void)
{
	tx_stamp_keyed(FIXTURE_LOCAL4);
}

static void test_tx_stamp_ipv6(void)
{
	tx_stamp_keyed(FIXTURE_LOCAL6);
}

TEST_SUITE(echo_socket) = {
	.name = "bpf_echo_socket",
	.init = suite_init,
	.cases =
		(const struct test_case[]){
			{"tx_stamp_ipv4", test_tx_stamp_ipv4},
			{"tx_stamp_ipv6", test_tx_stamp_ipv6},
			{NULL, NULL},
		},
};
