#!/usr/bin/env bash
# Builds the Debian package build/packages/holdfast_VERSION-1_ARCH.deb with
# CPack (DEB generator) from a fresh or up-to-date build: binaries, docs, the
# example config in /etc/holdfast, the systemd unit (docs/operations.md,
# "Install"). The version is project(VERSION) in CMakeLists.txt.
#   tools/package.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
OUT_DIR="${1:-$BUILD_DIR/packages}"
# CPack only runs the install rules (strip, dpkg-shlibdeps, archive): the
# binaries come from the build above.
cpack --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$OUT_DIR"
rm -rf "$OUT_DIR/_CPack_Packages"
