#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, and runs every test
# (unit, service, end-to-end, statistical reference checks) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" "$@"
