# Namespace tests: the responder attached by hand, answering scapy.
# shellcheck shell=bash

test_scapy_seed_ipv4_reply_bytes() {
	topo_pair
	attach_ip_link resp r0
	xdp_pass cli c0
	ns cli "$PY" "$TESTS_LIB/echo_exchange.py" --iface c0 \
		--src "$CLI4" --dst "$RESP4" --src-mac "$CLI_MAC" \
		--dst-mac "$RESP_MAC" --form seed --data-len 64 --expect reply
}
