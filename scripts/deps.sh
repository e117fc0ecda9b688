#!/bin/sh
# The Debian packages esprit needs to build, test, demo, bench and package.
#   scripts/deps.sh          installs those that are missing (root, apt-get)
#   scripts/deps.sh --check  only says which are missing (exit 1 if any)
# `make demo`, `make test` and `make bench` install; plain `make` checks.
set -e

build="
	make gcc clang llvm pkg-config
	libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev
	libjansson-dev libyaml-dev libmicrohttpd-dev libsystemd-dev libssl-dev
	librtr-dev scdoc
"
run="
	openssl libcunit1-dev
	iproute2 nftables util-linux procps iputils-ping tcpdump ethtool
	python3 python3-scapy python3-prometheus-client systemd man-db groff-base
	bash-completion
	stayrtr prometheus iperf3
	debhelper dpkg-dev lintian fakeroot
"

case "${1:-}" in
--check) packages=$build ;;
*) packages="$build $run" ;;
esac

missing=
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "${1:-}" = --check ]; then
	echo "missing packages:$missing" >&2
	echo "install them with: make deps   (or: apt-get install$missing)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
