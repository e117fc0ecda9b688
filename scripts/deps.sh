#!/bin/sh
# Installs the Debian packages esprit needs to build, test, demo and bench,
# and only those that are missing. Runs first in every public make target.
set -e

packages="
	make gcc clang llvm pkg-config
	libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev
	libjansson-dev libyaml-dev libmicrohttpd-dev libsystemd-dev libssl-dev
	openssl libcunit1-dev
	iproute2 nftables util-linux procps iputils-ping tcpdump ethtool
	python3 python3-scapy systemd
"

missing=
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

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
