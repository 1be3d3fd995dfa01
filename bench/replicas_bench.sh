#!/usr/bin/env bash
# Assign throughput with 1 vs 3 holdfastd replicas on one PostgreSQL server
# (issue 12's benchmark; results and how to read them: docs/performance.md,
# "Replicas on PostgreSQL").
#
# Starts its own PostgreSQL 15 cluster (fsync=on, as the unprivileged
# `postgres` user when run as root) in a temp directory on a Unix socket,
# then for each configuration R:W in $HOLDFAST_BENCH_CONFIGS (default
# "1:1 1:2 3:2": R replicas with --pg_writers=W each) R replicas on one new
# database, and holdfast_loadgen spreading its connections over them. Each configuration measures Ping (an
# empty RPC) in the same run, so its modes are read as ratios to that
# baseline as well as 3-vs-1. Everything listens on 127.0.0.1, every process
# is stopped by PID at the end, and each mode is bounded by --seconds.
#
#   bash bench/replicas_bench.sh [seconds per mode, default 5] [concurrency, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
HOLDFASTD="$PWD/$BUILD_DIR/server/holdfastd"
LOADGEN="$PWD/$BUILD_DIR/tools/holdfast_loadgen"
SECONDS_PER_MODE="${1:-5}"
CONCURRENCY="${2:-64}"
MODES="${HOLDFAST_BENCH_MODES:-ping,assign,assign_record,ping_batch,batch,batch_record}"
PG_BIN=/usr/lib/postgresql/15/bin
for f in "$HOLDFASTD" "$LOADGEN" "$PG_BIN/initdb"; do
  [ -x "$f" ] || { echo "missing $f (bash tools/build.sh; cmake --build $BUILD_DIR --target holdfast_loadgen)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/hf-replicas-XXXXXX)"
PIDS=()
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"${AS[@]}" "$PG_BIN/initdb" -D "$WORK/data" -A trust -U holdfast >/dev/null
"${AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w \
  -o "-k $WORK -p 5499 -c listen_addresses= -c fsync=on -c max_connections=100" start >/dev/null

start_replicas() {  # $1 = count, $2 = database, $3 = writers per replica; sets SERVERS
  "${AS[@]}" "$PG_BIN/createdb" -h "$WORK" -p 5499 -U holdfast "$2"
  SERVERS=""
  local i
  for i in $(seq 1 "$1"); do
    "$HOLDFASTD" --config examples/holdfast.textproto \
      --db "postgresql://holdfast@/$2?host=$WORK&port=5499" \
      --pg_writers "$3" --listen 127.0.0.1:0 --port_file "$WORK/$2-$i.port" 2>"$WORK/$2-$i.log" &
    PIDS+=($!)
    local _
    for _ in $(seq 1 300); do
      [ -s "$WORK/$2-$i.port" ] && break
      sleep 0.1
    done
    [ -s "$WORK/$2-$i.port" ] || { cat "$WORK/$2-$i.log" >&2; exit 1; }
    SERVERS="${SERVERS:+$SERVERS,}127.0.0.1:$(cat "$WORK/$2-$i.port")"
  done
}

echo "holdfast replicas bench: $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "loadgen: --seconds=$SECONDS_PER_MODE --concurrency=$CONCURRENCY --channels=6 --modes=$MODES"
CONFIGS="${HOLDFAST_BENCH_CONFIGS:-1:1 1:2 3:2}"
k=0
for config in $CONFIGS; do
  n="${config%%:*}"
  w="${config##*:}"
  k=$((k + 1))
  start_replicas "$n" "bench$k" "$w"
  echo "== $n replica(s), --pg_writers=$w: $SERVERS"
  "$LOADGEN" --server="$SERVERS" --journey=cart_abandon --seconds="$SECONDS_PER_MODE" \
    --concurrency="$CONCURRENCY" --channels=6 --modes="$MODES"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
done
