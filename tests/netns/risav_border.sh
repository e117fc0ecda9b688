# RISAV on borders as Linux routers run by default: every offload as the
# kernel sets it, GRO on on every router interface, esprit attached with
# no flag to each border's inside and outside interfaces:
#
#   h1 ---- i1 b1 o1 ====== inet ====== o2 b2 i2 ---- h2
#   AS 64500                                   AS 64501
#
# What a host sends through its border is tagged in XDP as it arrives on
# the inside interface, before GRO; the border's own packets at TC egress.
# A capture in the middle is checked with scapy's IPsec code. Oversized
# packets with DF get one ICMP error with the MTU less the AH, at most
# risav.too_big_rate a second per source.
# shellcheck shell=bash
# shellcheck source=tests/lib/risav_tag_lib.sh
source tests/lib/risav_tag_lib.sh

real_borders() {
	topo_two_borders default
	risav_borders
	b1 attach i1 >/dev/null
	b2 attach i2 >/dev/null
	serve_start h2 "$H2_4" "$H2_6"
}

# Both directions through both borders: TCP in bulk and UDP, both
# families, the default class and EF; all of it must come back.
cross_traffic() {
	local dst out
	for dst in "$H2_4" "$H2_6"; do
		out=$(traffic h1 tcp --dst "$dst" --bytes 2000000)
		assert_match '"ok": true' "$out" "TCP bulk with $dst"
		out=$(traffic h1 tcp --dst "$dst" --bytes 300000 --dscp 46)
		assert_match '"ok": true' "$out" "TCP (EF) with $dst"
		out=$(traffic h1 udp --dst "$dst" --count 20 --size 100 --echo)
		assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP with $dst"
		out=$(traffic h1 udp --dst "$dst" --count 20 --size 1400 \
			--dscp 46 --echo)
		assert_eq '{"sent": 20, "echoed": 20}' "$out" "UDP EF with $dst"
	done
}

# The capture: every packet between the ASes tagged and verified, each
# class on its SA; nothing refused or left untagged on either border.
check_both_ways() {
	local out r
	out=$(check_capture --src-net 10.100.0.0/16 2001:db8:100::/48 \
		--dst-net 10.101.0.0/16 2001:db8:101::/48 \
		--sa "0x1000:$K1:any" "0x1001:$K2:46" --tamper 2) ||
		fail "capture AS 64500 -> 64501: $out"
	echo "64500 -> 64501: $out"
	assert_ge 1000 "$(json_get 'j["by_spi"].get("0x1000", 0)' <<<"$out")" \
		"packets on SA 0x1000"
	assert_ge 200 "$(json_get 'j["by_spi"].get("0x1001", 0)' <<<"$out")" \
		"packets on SA 0x1001 (EF)"
	out=$(check_capture --src-net 10.101.0.0/16 2001:db8:101::/48 \
		--dst-net 10.100.0.0/16 2001:db8:100::/48 \
		--sa "0x2000:$K3:any" --tamper 2) ||
		fail "capture AS 64501 -> 64500: $out"
	echo "64501 -> 64500: $out"
	assert_ge 1000 "$(json_get 'j["tagged"]' <<<"$out")" "tagged back"
	assert_ge 1000 "$(count_in b1 risav-tagged-forwarded)" \
		"b1 tagged in XDP"
	assert_ge 1000 "$(count_in b2 risav-tagged-forwarded)" \
		"b2 tagged in XDP"
	assert_ge 1000 "$(count_in b2 risav-verified)" "b2 verified"
	assert_ge 1000 "$(count_in b1 risav-verified)" "b1 verified"
	for r in ah-bad-icv ah-unknown-spi ah-replay risav-untagged \
		risav-tag-failed risav-untaggable risav-untaggable-dropped \
		risav-no-sa-untagged; do
		assert_eq 0 "$(count_in b1 "$r")" "b1 $r"
		assert_eq 0 "$(count_in b2 "$r")" "b2 $r"
	done
}

test_default_offloads_and_gro_all_tagged_and_verified() {
	real_borders
	# what attach did to the interfaces it tags on
	ns b1 ethtool -k o1 | grep -q '^tx-checksumming: off' ||
		fail "o1 still offloads checksums"
	ns b1 ip -d link show o1 | grep -q 'gso_max_segs 1 ' ||
		fail "o1 GSO not one segment"
	ns b1 ethtool -k i1 | grep -q '^generic-receive-offload: on' ||
		fail "GRO off on i1"
	capture_start x1
	cross_traffic
	capture_stop
	check_both_ways
	# detach puts the interface back as it was
	b1 detach o1 >/dev/null
	ns b1 ethtool -k o1 | grep -q '^tx-checksumming: on' ||
		fail "o1's checksum offload not put back"
	ns b1 ip -d link show o1 | grep -q 'gso_max_segs 1 ' &&
		fail "o1's GSO limit not put back"
	true
}

test_inside_offloads_off_all_tagged_and_verified() {
	real_borders
	local i
	for i in "h1 e0" "b1 i1" "b2 i2" "h2 e0"; do
		# shellcheck disable=SC2086
		ns ${i% *} ethtool -K ${i#* } tx off tso off gso off gro off \
			>/dev/null
	done
	capture_start x1
	cross_traffic
	capture_stop
	check_both_ways
}

# The border's own packets, at TC egress: local TCP is always left for
# the device to checksum, and o1 no longer offloads it.
test_border_own_traffic_tagged_at_egress() {
	real_borders
	ns b1 ip addr add 10.100.9.1/32 dev lo
	capture_start x1
	local out
	out=$(ns b1 "$PY" "$TESTS_LIB/tag_traffic.py" tcp --dst "$H2_4" \
		--port "$PORT" --bytes 500000 --src 10.100.9.1)
	assert_match '"ok": true' "$out" "TCP from the border itself"
	capture_stop
	out=$(check_capture --src-net 10.100.9.1/32 --dst-net 10.101.0.0/16 \
		--sa "0x1000:$K1:any" "0x1001:$K2:46") ||
		fail "capture b1 -> AS 64501: $out"
	assert_ge 100 "$(json_get 'j["tagged"]' <<<"$out")" "tagged at egress"
	assert_ge 100 "$(count_in b1 risav-tagged)" "b1 tagged at TC"
	assert_eq 0 "$(count_in b1 risav-untaggable)" "b1 untaggable"
	assert_eq 0 "$(count_in b2 ah-bad-icv)" "b2 bad ICV"
}

probe() { # DST SIZE COUNT
	ns h1 "$PY" "$TESTS_LIB/too_big_probe.py" --dst "$1" --size "$2" \
		--count "$3"
}

test_oversized_df_one_icmp_rate_limited() {
	real_borders
	local out n secs
	# one packet of the link's MTU: it would not fit once tagged
	out=$(probe "$H2_4" 1500 1)
	echo "IPv4: $out"
	assert_eq 1 "$(json_get 'j["errors"]' <<<"$out")" "one ICMP (IPv4)"
	assert_eq "[1472]" "$(json_get 'j["mtus"]' <<<"$out")" \
		"MTU less the 28-byte AH (IPv4)"
	out=$(probe "$H2_6" 1500 1)
	echo "IPv6: $out"
	assert_eq 1 "$(json_get 'j["errors"]' <<<"$out")" "one ICMP (IPv6)"
	assert_eq "[1468]" "$(json_get 'j["mtus"]' <<<"$out")" \
		"MTU less the 32-byte AH (IPv6)"
	# a packet that fits once tagged goes through, tagged
	out=$(probe "$H2_4" 1472 1)
	assert_eq 0 "$(json_get 'j["errors"]' <<<"$out")" "1472 fits"
	# 10,000 at once: the source's bucket (10/s, burst 10) holds
	out=$(probe "$H2_4" 1500 10000)
	echo "flood: $out"
	n=$(json_get 'j["errors"]' <<<"$out")
	secs=$(json_get 'int(j["seconds"]) + 1' <<<"$out")
	assert_ge 1 "$n" "ICMP errors in the flood"
	assert_le $((10 + 10 * secs)) "$n" "ICMP errors within the rate"
	assert_ge 9000 "$(count_in b1 risav-too-big-icmp-limited)" \
		"limited ones counted"
	# the rate is the operator's
	b1 risav set too-big-rate 100
	assert_match "too-big +100 ICMP errors/s per source" "$(b1 risav)" \
		"rate shown"
	sleep 1.1 # the bucket fills up again
	out=$(probe "$H2_6" 1500 10000)
	echo "flood at 100/s: $out"
	n=$(json_get 'j["errors"]' <<<"$out")
	secs=$(json_get 'int(j["seconds"]) + 1' <<<"$out")
	assert_ge 50 "$n" "ICMP errors at 100/s"
	assert_le $((100 + 100 * secs)) "$n" "ICMP errors within 100/s"
	assert_eq 0 "$(count_in b1 risav-tag-failed)" "b1 tag failures"
}
