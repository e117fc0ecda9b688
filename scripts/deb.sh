#!/bin/bash
# make deb: builds the Debian package from the working tree's files (those
# git tracks or would track) in a copy under OUT, source and binary, and
# checks both with lintian (errors fail; warnings must be fixed or
# overridden in debian/source/lintian-overrides, each with its reason).
# Leaves OUT/esprit_VERSION_ARCH.deb, .dsc, .tar.xz, .buildinfo, .changes.
set -euo pipefail

out=${1:?usage: deb.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/esprit-$version

rm -rf "$out"
mkdir -p "$src"
# a clean checkout's files, with what is not committed yet
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$top" && xargs -0 cp --parents -t "$src")
(cd "$src" && dpkg-buildpackage -us -uc)
deb=$(ls "$out"/esprit_"$version"_*.deb)
echo "built $deb"
lintian --fail-on error,warning --info --display-info \
	"$deb" "$out/esprit_$version.dsc"
echo "lintian: no errors or warnings in $(basename "$deb") and esprit_$version.dsc"
