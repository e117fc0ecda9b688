# The Prometheus rules operators load (etc/prometheus/esprit-rules.yml),
# checked and unit-tested with Prometheus's own promtool, then loaded by a
# real Prometheus server (Debian's prometheus package) in a namespace,
# scraping a running daemon that probes two responders.
# shellcheck shell=bash
# shellcheck source=tests/lib/daemon_lib.sh
source tests/lib/daemon_lib.sh

RULES=$PWD/etc/prometheus/esprit-rules.yml
DASHBOARD=$PWD/etc/grafana/esprit-dashboard.json
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

test_rules_check_and_unit_tests() {
	promtool check rules "$RULES" || fail "promtool check rules"
	(cd tests/prometheus && promtool test rules esprit-rules.test.yml) ||
		fail "promtool test rules"
}

# prom_query EXPR PY: the query's result through the HTTP API, as the
# Python expression PY on r (the result list).
prom_query() {
	ns mon curl -sS --get --data-urlencode "query=$1" \
		http://127.0.0.1:9090/api/v1/query |
		"$PY" -c 'import json, sys
d = json.load(sys.stdin)
assert d["status"] == "success", d
r = d["data"]["result"]
print(eval(sys.argv[1]))' "$2"
}

prom_wait() { # EXPR PY SECONDS: until PY on the result prints True
	local i
	for ((i = 0; i < $3 * 4; i++)); do
		[ "$(prom_query "$1" "$2" 2>/dev/null)" = True ] && return 0
		sleep 0.25
	done
	prom_query "$1" "r" || true
	fail "Prometheus: not within ${3}s: $1 -> $2"
}

# The daemon in mon probes two responders, runs RISAV with an inbound and
# an outbound SA, and takes its prefixes from stayrtr: every metric family
# it has is there to scrape.
test_prometheus_scrapes_daemon_and_evaluates_rules() {
	topo_monitor
	cat >"$TEST_TMP/vrps.json" <<-EOF
		{"roas": [{"asn": "AS64501", "prefix": "198.51.100.0/24", "maxLength": 24}]}
	EOF
	ns_bg mon stayrtr -bind 127.0.0.1:3323 -cache "$TEST_TMP/vrps.json" \
		-refresh 1 -checktime=false -protocol 1 -metrics.addr "" \
		-loglevel error
	echo "$KEY" >"$TEST_TMP/sa.key"
	chmod 600 "$TEST_TMP/sa.key"
	daemon_config "$TEST_TMP/esprit.yaml" <<-EOF
		interfaces: [{name: m4}, {name: m6}]
		control: $TEST_TMP/esprit.sock
		metrics: {listen: 127.0.0.1:9555}
		peers:
		  - {name: site4, address: $R4, interval: 50ms, dscp: [0, 46]}
		  - {name: site6, address: $R6, interval: 50ms, dscp: [0, 46]}
		risav:
		  local_asn: 64500
		  prefixes:
		    rtr: [{address: 127.0.0.1, port: 3323}]
		    retry: 1s
		  peers: [{asn: 64501, mode: enforce}]
		  sas:
		    - {spi: 0x1000, asn: 64501, alg: hmac-sha256-128, key_file: sa.key}
		    - {direction: out, spi: 0x2000, asn: 64501, alg: hmac-sha256-128, key_file: sa.key}
	EOF
	daemon_start mon "$TEST_TMP/esprit.yaml"
	wait_until 'all(p["state"] == "up" for p in d["peers"]) and len(d["peers"]) == 4 and d["rtr"]["installed"]' 20
	# what the daemon exports is what Prometheus's parser takes
	ns mon curl -sS -o "$TEST_TMP/metrics" http://127.0.0.1:9555/metrics
	promtool check metrics <"$TEST_TMP/metrics" || fail "promtool check metrics"
	cat >"$TEST_TMP/prometheus.yml" <<-EOF
		global: {scrape_interval: 1s, evaluation_interval: 1s}
		rule_files: [$RULES]
		scrape_configs:
		  - job_name: esprit
		    static_configs: [{targets: ["127.0.0.1:9555"]}]
	EOF
	ns_bg mon prometheus --config.file="$TEST_TMP/prometheus.yml" \
		--storage.tsdb.path="$TEST_TMP/prometheus" \
		--web.listen-address=127.0.0.1:9090 --log.level=warn
	local i
	for ((i = 0; i < 100; i++)); do
		ns mon curl -sf http://127.0.0.1:9090/-/ready >/dev/null 2>&1 && break
		sleep 0.2
	done
	prom_wait 'esprit_peer_up' \
		'sorted((s["metric"]["peer"], s["metric"]["dscp"], s["value"][1]) for s in r) == [("site4", "0", "1"), ("site4", "46", "1"), ("site6", "0", "1"), ("site6", "46", "1")]' 30
	# recording rules over the scraped series: no loss, RTT well under 1 s
	prom_wait 'esprit:peer_loss_ratio:5m' \
		'len(r) == 4 and all(float(s["value"][1]) == 0 for s in r)' 30
	prom_wait 'esprit:peer_rtt_seconds:p50_5m' \
		'len(r) == 4 and all(0 < float(s["value"][1]) < 0.05 for s in r)' 30
	prom_wait 'esprit_daemon_reloads_total' 'len(r) == 2' 10
	# every rule evaluates without error, and no alert fires
	ns mon curl -sS http://127.0.0.1:9090/api/v1/rules |
		"$PY" -c 'import json, sys
g = json.load(sys.stdin)["data"]["groups"]
rules = [x for grp in g for x in grp["rules"]]
bad = [(x["name"], x.get("lastError")) for x in rules if x["health"] != "ok"]
firing = [x["name"] for x in rules if x["type"] == "alerting" and x["state"] != "inactive"]
assert len(rules) == 14, len(rules)
assert not bad, bad
assert not firing, firing' || fail "rules health"
	# the dashboard asks only for series and labels that exist
	prom_wait 'esprit:risav_bad_icv:rate5m' 'len(r) == 1' 30
	ns mon "$PY" "$TESTS_LIB/dashboard_check.py" "$DASHBOARD" \
		http://127.0.0.1:9090 || fail "dashboard queries"
	# and the check finds a panel asking for what is not there
	sed 's/esprit_risav_sa_out_sequence_remaining/esprit_risav_sa_out_sequence_left/; s/by (asn)/by (peer_as)/' \
		"$DASHBOARD" >"$TEST_TMP/broken.json"
	local out
	out=$(ns mon "$PY" "$TESTS_LIB/dashboard_check.py" "$TEST_TMP/broken.json" \
		http://127.0.0.1:9090) && fail "a broken dashboard passes"
	assert_match "no series 'esprit_risav_sa_out_sequence_left'" "$out" "missing metric named"
	assert_match "no label 'peer_as'" "$out" "missing label named"
}
