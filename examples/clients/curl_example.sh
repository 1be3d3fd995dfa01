#!/usr/bin/env bash
# A journey engine's calls to Holdfast over HTTP/JSON, with curl only
# (docs/integration.md explains each step; docs/api.md lists the routes).
#
#   holdfastd --config examples/holdfast.textproto --http_listen 127.0.0.1:8080 &
#   HOLDFAST_HTTP=http://127.0.0.1:8080 examples/clients/curl_example.sh cust-42
#
# Environment:
#   HOLDFAST_HTTP          base URL (default http://127.0.0.1:8080)
#   HOLDFAST_JOURNEY       journey id (default cart_abandon)
#   HOLDFAST_TOKEN         bearer token for every call (with --auth_tokens)
#   HOLDFAST_ASSIGN_TOKEN  token for /v1/assign (default HOLDFAST_TOKEN)
#   HOLDFAST_INGEST_TOKEN  token for /v1/entries, /v1/sends, /v1/outcomes
#   HOLDFAST_CACERT        CA bundle for an https:// URL
#
# It prints one "step: key=value ..." line per call and exits non-zero, with
# the server's {"code":...,"message":...} on stderr, when a call fails.
set -euo pipefail

BASE="${HOLDFAST_HTTP:-http://127.0.0.1:8080}"
JOURNEY="${HOLDFAST_JOURNEY:-cart_abandon}"
UNIT="${1:-cust-42}"
ASSIGN_TOKEN="${HOLDFAST_ASSIGN_TOKEN:-${HOLDFAST_TOKEN:-}}"
INGEST_TOKEN="${HOLDFAST_INGEST_TOKEN:-${HOLDFAST_TOKEN:-}}"
NOW="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# call METHOD PATH TOKEN [BODY]: prints the answer's body. A decision must
# come back fast or not at all (the engine then falls back: see
# docs/integration.md), so each try is capped at 2 s (6 s in all); curl retries
# transient failures (timeouts, 429, 5xx) twice, which is safe because every
# write carries its own id and an assignment is the same on every try.
call() {
  local method="$1" path="$2" token="$3" body="${4:-}"
  local args=(-sS --max-time 2 --retry 2 --retry-delay 0 --retry-max-time 6 -X "$method" -w '\n%{http_code}')
  if [ -n "$token" ]; then args+=(-H "Authorization: Bearer $token"); fi
  if [ -n "${HOLDFAST_CACERT:-}" ]; then args+=(--cacert "$HOLDFAST_CACERT"); fi
  if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
  local out status
  out="$(curl "${args[@]}" "$BASE$path")"
  status="${out##*$'\n'}"
  out="${out%$'\n'*}"
  if [ "$status" != "200" ]; then
    echo "$method $path: HTTP $status $out" >&2
    return 1
  fi
  printf '%s' "$out"
}

# field JSON NAME: the value of "NAME" in a flat JSON answer (strings
# unquoted). Enough for these answers; a real client uses a JSON parser.
field() {
  printf '%s' "$1" | grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" | head -n 1 | cut -d: -f2- | tr -d '"'
}

health="$(call GET /healthz "")"
echo "healthz: status=$(field "$health" status)"

# 1. At trigger time: treat or hold out? The answer is recorded as the entry
#    (holdouts too: they are the control group) before it comes back.
assignment="$(call POST /v1/assign "$ASSIGN_TOKEN" \
  "{\"journey\":\"$JOURNEY\",\"unit\":\"$UNIT\",\"attributes\":{\"source\":\"curl_example\"}}")"
group="$(field "$assignment" group)"
period="$(field "$assignment" period)"
echo "assign: unit=$UNIT journey=$JOURNEY group=$group arm=$(field "$assignment" arm) period=$period" \
     "config_version=$(field "$assignment" config_version) new_entry=$(field "$assignment" new_entry)"

# 2. An entry the engine records itself (e.g. one it decided while Holdfast
#    was unreachable) is idempotent: this one is already recorded by the
#    assign above, so it counts as a duplicate.
entry="$(call POST /v1/entries "$INGEST_TOKEN" \
  "{\"entries\":[{\"journey\":\"$JOURNEY\",\"unit\":\"$UNIT\",\"at\":\"$NOW\"}]}")"
echo "entry: inserted=$(field "$entry" inserted) duplicates=$(field "$entry" duplicates)"

# 3. Send only to treatment. The send id is derived from what the message is
#    (journey, unit, period, step), so a retried report is a duplicate.
if [ "$group" = "TREATMENT" ]; then
  send_body="{\"sends\":[{\"send_id\":\"$JOURNEY-$UNIT-$period-email-1\",\"unit\":\"$UNIT\",\"journey\":\"$JOURNEY\",\"channel\":\"email\",\"at\":\"$NOW\"}]}"
  send="$(call POST /v1/sends "$INGEST_TOKEN" "$send_body")"
  echo "send: inserted=$(field "$send" inserted) duplicates=$(field "$send" duplicates)"
  retry="$(call POST /v1/sends "$INGEST_TOKEN" "$send_body")"
  echo "send_retry: inserted=$(field "$retry" inserted) duplicates=$(field "$retry" duplicates)"
else
  echo "send: skipped (group=$group: the journey must not message this customer)"
fi

# 4. The order, whatever the group: outcomes of held-out customers are the
#    counterfactual the lift is measured against.
order="$(call POST /v1/outcomes "$INGEST_TOKEN" \
  "{\"outcomes\":[{\"outcome_id\":\"order-$UNIT-1\",\"unit\":\"$UNIT\",\"at\":\"$NOW\",\"type\":\"ORDER\",\"revenue\":59.9,\"margin\":21.5}]}")"
echo "order: inserted=$(field "$order" inserted) duplicates=$(field "$order" duplicates)"
