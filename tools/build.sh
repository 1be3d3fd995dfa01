#!/usr/bin/env bash
# Configures (once) and builds Holdfast into ./build. Fast when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"
