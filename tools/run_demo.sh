#!/usr/bin/env bash
# The main job: installs dependencies, builds, starts holdfastd on the
# example config with the embedded SQLite store, makes a few assignments
# through the real CLI, plays four weeks of three journeys with known true
# effects through the real RPCs (tools/simulate.cc), prints the lift / iROAS
# report, checks that the true effects fall inside the intervals, and writes
# the HTML report. Safe to re-run; fast when already built.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
BUILD_DIR="${HOLDFAST_BUILD_DIR:-build}"
HOLDFASTD="$BUILD_DIR/server/holdfastd"
HOLDFAST="$BUILD_DIR/client/holdfast"

DEMO_DIR="${HOLDFAST_DEMO_DIR:-$(mktemp -d /tmp/holdfast-demo-XXXXXX)}"
mkdir -p "$DEMO_DIR"
"$HOLDFASTD" --config examples/holdfast.textproto --db "$DEMO_DIR/holdfast.db" \
  --listen 127.0.0.1:0 --port_file "$DEMO_DIR/port" 2>"$DEMO_DIR/holdfastd.log" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [ -s "$DEMO_DIR/port" ] && break
  kill -0 $SERVER_PID 2>/dev/null || { cat "$DEMO_DIR/holdfastd.log" >&2; exit 1; }
  sleep 0.1
done
export HOLDFAST_SERVER="127.0.0.1:$(cat "$DEMO_DIR/port")"
echo "== holdfastd on $HOLDFAST_SERVER (store $DEMO_DIR/holdfast.db)"

echo "== configured journeys"
"$HOLDFAST" journeys

echo "== a few assignments (same question, same answer)"
for unit in cust-1001 cust-1002 cust-1003 "José" "顧客-42"; do
  "$HOLDFAST" assign --journey cart_abandon --unit "$unit" --at 2026-11-23T10:00:00Z
done
"$HOLDFAST" assign --journey cart_abandon --unit cust-1001 --at 2026-11-23T10:00:00Z --format json

echo "== a batch of 10 units in winback (CSV)"
seq -f "cust-%g" 1 10 > "$DEMO_DIR/units.txt"
"$HOLDFAST" assign --journey winback --units-file "$DEMO_DIR/units.txt" --at 2026-11-23T10:00:00Z

echo "== simulating 4 weeks of cart_abandon, winback and renewal with known true effects"
# --roster_customers: the customer base (journey customers plus 20,000 who
# never trigger anything) is recorded with RecordCustomers, so the program
# report compares the global holdout with everyone else over all customers
# known before the range, not only those who triggered a journey.
"$BUILD_DIR/tools/holdfast_simulate" --server "$HOLDFAST_SERVER" --truth "$DEMO_DIR/truth.json" \
  --roster_customers 20000

REPORT_ARGS=(--from 2026-10-05 --to 2026-11-02 --channels)
echo "== lift and incremental ROAS per journey and arm"
# A fixed --as-of after every window, refund horizon and 90-day outcome
# horizon of the simulated weeks: the report is the same whenever the demo
# runs, and every entry is measured at every horizon.
AS_OF=(--as-of 2027-03-01)
"$HOLDFAST" report "${REPORT_ARGS[@]}" "${AS_OF[@]}" --format table
"$HOLDFAST" report "${REPORT_ARGS[@]}" "${AS_OF[@]}" --format json --out "$DEMO_DIR/report.json"
"$HOLDFAST" report "${REPORT_ARGS[@]}" "${AS_OF[@]}" --format html --out "$DEMO_DIR/report.html"

echo "== the whole CRM program: global holdout vs everyone else (customers known before the range)"
"$HOLDFAST" report --program "${REPORT_ARGS[@]}" --as-of 2026-11-30 --format table

echo "== do the intervals cover the true effects?"
python3 tools/check_truth.py "$DEMO_DIR/report.json" "$DEMO_DIR/truth.json"

echo "== HTML report (forest plot, warnings, table): $DEMO_DIR/report.html"
