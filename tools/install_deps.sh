#!/usr/bin/env bash
# Installs the Debian 12 packages Holdfast needs to build, test and run.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  postgresql-15 libpqxx-dev libpq-dev
  libboost-dev libboost-math-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  openssl
  libcli11-dev prometheus-cpp-dev libcpp-httplib-dev
  # tools/package.sh: CPack's DEB generator runs dpkg-shlibdeps (dpkg-dev) and file;
  # the package test checks the unit with systemd-analyze and systemd-sysusers.
  dpkg-dev file systemd
  python3 python3-numpy python3-scipy python3-statsmodels
  # examples/clients/python and its test; the stubs come from protoc and
  # grpc_python_plugin (protobuf-compiler-grpc above).
  python3-grpcio python3-protobuf
  # ctest report_html_layout_check renders the HTML report in headless
  # Chromium at 1400 and 400 px (docs/report.md, "At 400 px").
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
