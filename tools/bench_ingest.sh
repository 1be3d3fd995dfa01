#!/usr/bin/env bash
# Ingest benchmark, all in one run so the ratios share the machine's load:
#   1. raw SQLite baseline: batched INSERT ... ON CONFLICT DO NOTHING into the
#      store's own schema (bench/storage_bench --phases=raw);
#   2. RecordSends RPCs of 5,000 new sends, 4 in flight (holdfast_loadgen);
#   3. `holdfast import sends` of a generated CSV.
# Each writes ROWS new sends into a fresh store. Targets loopback only.
#
#   ROWS=1000000 bash tools/bench_ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${ROWS:-1000000}"
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
WORK="$(mktemp -d /tmp/holdfast-bench-ingest-XXXXXX)"
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER_PID=""

start_server() {
  rm -f "$WORK"/h.db* "$WORK/port"
  "$BUILD_DIR/server/holdfastd" --config examples/holdfast.textproto --db "$WORK/h.db" \
    --listen 127.0.0.1:0 --port_file "$WORK/port" 2>>"$WORK/holdfastd.log" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do [ -s "$WORK/port" ] && return 0; sleep 0.1; done
  echo "holdfastd did not start" >&2; exit 1
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }

echo "== raw SQLite baseline ($ROWS sends)"
mkdir -p "$WORK/raw"
raw=$("$BUILD_DIR/bench/storage_bench" --mode=ingest --kind=sends --rows="$ROWS" --phases=raw --dir="$WORK/raw" 2>&1 | tee /dev/stderr | grep -Eo '[0-9]+ rows/s overall' | head -1 | grep -Eo '^[0-9]+')
rm -rf "$WORK/raw"

echo "== RecordSends RPC ($ROWS sends, 5,000 per call, 4 in flight)"
start_server
calls=$(( ROWS / 5000 ))
rpc=$("$BUILD_DIR/tools/holdfast_loadgen" --server="127.0.0.1:$(cat "$WORK/port")" --modes=sends \
  --batch_size=5000 --concurrency=4 --max_calls="$calls" --seconds=600 | tee /dev/stderr | awk '$1=="sends"{print $3}')
stop_server

echo "== holdfast import sends ($ROWS rows)"
/usr/bin/python3 tests/client/gen_import_csv.py sends "$ROWS" "$WORK/sends.csv" >/dev/null
start_server
t0=$(date +%s.%N)
"$BUILD_DIR/client/holdfast" import sends --server "127.0.0.1:$(cat "$WORK/port")" "$WORK/sends.csv"
t1=$(date +%s.%N)
stop_server
imp=$(python3 -c "print(round($ROWS / ($t1 - $t0)))")

python3 - "$raw" "$rpc" "$imp" <<'PY'
import sys
raw, rpc, imp = (float(x) for x in sys.argv[1:])
print(f"\nraw SQLite {raw:,.0f} rows/s | RPC {rpc:,.0f} rows/s ({rpc/raw:.2f}x raw) | import {imp:,.0f} rows/s ({imp/raw:.2f}x raw)")
PY
