#!/bin/bash
# The libmicrohttpd fuzz_metrics links: Debian's source of the version
# installed, fetched with apt-get source through an apt configuration of
# its own under OUT (the system's sources stay as they are), built static
# with clang, libFuzzer's coverage and the sanitizers, so that the harness
# is guided through the HTTP parser and its memory is checked there too.
# Leaves OUT/libmicrohttpd.a.
set -euo pipefail

out=${1:?usage: fuzz_mhd.sh OUT}
out=$(mkdir -p "$out" && cd "$out" && pwd) # apt takes paths from anywhere
version=$(dpkg-query -W -f='${Version}' libmicrohttpd-dev)
apt=$out/apt
rm -rf "$out/src"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
	"http://deb.debian.org/debian bookworm bookworm-updates main" \
	>"$apt/sources.list"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
	"http://deb.debian.org/debian-security bookworm-security main" \
	>>"$apt/sources.list"
opts=(-q -o "Dir::Etc::SourceList=$apt/sources.list"
	-o Dir::Etc::SourceParts=/nonexistent
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	-o APT::Sandbox::User=root)
apt-get "${opts[@]}" update >"$out/apt.log" 2>&1 ||
	{ cat "$out/apt.log" >&2; exit 1; }
(cd "$out/src" && apt-get "${opts[@]}" source "libmicrohttpd=$version") \
	>>"$out/apt.log" 2>&1 || { cat "$out/apt.log" >&2; exit 1; }
src=$(find "$out/src" -mindepth 1 -maxdepth 1 -type d -name 'libmicrohttpd-*')
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined"
flags+=" -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
(cd "$src" && CC=clang CFLAGS="$flags" ./configure -q --disable-shared \
	--enable-static --enable-https=no --disable-doc --disable-examples \
	--disable-curl && make -C src/microhttpd) >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; exit 1; }
cp "$src/src/microhttpd/.libs/libmicrohttpd.a" "$out/libmicrohttpd.a"
