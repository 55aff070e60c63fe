#!/usr/bin/env bash
# Cancellation and error handling checked end to end, against a running stack:
#
#   npm start &                 # or any API + worker; stub phases of ~3 s make every phase easy to hit
#   tools/verify-cancellation.sh          # KTRDR_API_URL=http://host:port to point elsewhere
#
# Needs curl, jq and the built CLI (apps/cli; falls back to `npx ktrdr`). Prints PASS/FAIL per
# step, runs every step, and exits 1 if any failed. It cancels any research cycle already active
# before each step, so run it against a dev stack, not one doing real work.
set -euo pipefail

API_URL="${KTRDR_API_URL:-http://localhost:8000}"
API_URL="${API_URL%/}"
V1="$API_URL/api/v1"
export KTRDR_API_URL="$API_URL"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PHASE_TIMEOUT_S="${VERIFY_PHASE_TIMEOUT_S:-60}"
MAX_CANCEL_MS=500

for tool in curl jq node; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is required but not on PATH"; exit 2; }
done

if [[ -f "$ROOT/apps/cli/bin/run.js" && -f "$ROOT/apps/cli/dist/commands.js" ]]; then
  KTRDR=(node "$ROOT/apps/cli/bin/run.js")
else
  KTRDR=(npx --no-install ktrdr)
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- helpers

# now_ms: wall clock in milliseconds (GNU date; perl where %N is unsupported).
now_ms() {
  local ns
  ns="$(date +%s%N)"
  if [[ "$ns" == *N ]]; then perl -MTime::HiRes=time -e 'printf "%d\n", time()*1000'; else echo $((ns / 1000000)); fi
}

# req METHOD PATH [JSON]: sets HTTP (status code) and BODY (response body). Never fails the script.
HTTP="" BODY=""
req() {
  local method="$1" path="$2" data="${3:-}"
  local args=(-sS -o "$TMP/body" -w '%{http_code}' -X "$method" --max-time 10)
  [[ -n "$data" ]] && args+=(-H 'content-type: application/json' --data "$data")
  HTTP="$(curl "${args[@]}" "$V1$path" 2>"$TMP/curl.err" || true)"
  BODY="$(cat "$TMP/body" 2>/dev/null || true)"
  [[ -n "$HTTP" && "$HTTP" != "000" ]] || { HTTP="000"; BODY="$(cat "$TMP/curl.err")"; }
}

# field JQ: a jq -r expression over BODY ("" when BODY is not JSON).
field() { jq -r "$1" <<<"$BODY" 2>/dev/null || true; }

# op_status ID: the operation's status ("" when it cannot be read).
op_status() {
  local saved_http="$HTTP" saved_body="$BODY" s
  req GET "/operations/$1"
  s="$(field '.data.status')"
  HTTP="$saved_http" BODY="$saved_body"
  echo "$s"
}

STEP_ERR=""
# check CONDITION-DESCRIPTION EXPECTED ACTUAL: records the first mismatch of a step.
check() {
  if [[ "$2" != "$3" ]]; then
    [[ -n "$STEP_ERR" ]] || STEP_ERR="$1: expected '$2', got '$3'"
    return 1
  fi
}
note() { echo "   $*"; }

# Runs the real CLI; leaves its output in OUT and exit code in RC (never trips set -e), and shows both.
run_cli() {
  set +e
  OUT="$("${KTRDR[@]}" "$@" 2>&1)"; RC=$?
  set -e
  note "\$ ktrdr $*  (exit $RC)"; sed 's/^/     /' <<<"$OUT"
}

# idle: cancel whatever research cycle is active, so each step starts from a clean state.
idle() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    req GET /agent/status
    [[ "$(field .status)" == "active" ]] || return 0
    note "(cancelling leftover active cycle $(field .operation_id))"
    req DELETE /agent/cancel
  done
}

# trigger: POST /agent/trigger; sets OP_ID. Returns 1 unless 202 triggered=true.
OP_ID=""
trigger() {
  req POST /agent/trigger
  OP_ID="$(field .operation_id)"
  check "POST /agent/trigger HTTP status" 202 "$HTTP" || { STEP_ERR="$STEP_ERR (body: $BODY)"; return 1; }
  check "trigger .triggered" true "$(field .triggered)" || return 1
  note "started $OP_ID"
}

# wait_phase PHASE: polls /agent/status until the cycle OP_ID is in PHASE with a child; sets CHILD_ID.
CHILD_ID=""
wait_phase() {
  local phase="$1" deadline=$(( $(now_ms) + PHASE_TIMEOUT_S * 1000 )) seen=""
  while (( $(now_ms) < deadline )); do
    req GET /agent/status
    seen="$(field '.status + "/" + (.phase // "-")')"
    if [[ "$(field .operation_id)" == "$OP_ID" && "$(field .phase)" == "$phase" ]]; then
      CHILD_ID="$(field '.child_operation_id // empty')"
      if [[ -n "$CHILD_ID" ]]; then
        note "in phase $phase, child $CHILD_ID"
        return 0
      fi
      STEP_ERR="phase $phase active but child_operation_id is null"
      return 1
    fi
    if [[ "$(field .status)" == "idle" ]]; then
      STEP_ERR="cycle $OP_ID ended before reaching phase $phase (status $(op_status "$OP_ID"))"
      return 1
    fi
    sleep 0.05
  done
  STEP_ERR="timed out after ${PHASE_TIMEOUT_S}s waiting for phase $phase (last seen $seen)"
  return 1
}

# cancel_active EXPECTED_CHILD: DELETE /agent/cancel and check the documented 200 body.
cancel_active() {
  req DELETE /agent/cancel
  note "cancel response: HTTP $HTTP $(jq -c . <<<"$BODY" 2>/dev/null || echo "$BODY")"
  check "DELETE /agent/cancel HTTP status" 200 "$HTTP" || return 1
  check "cancel .success" true "$(field .success)" || return 1
  check "cancel .operation_id" "$OP_ID" "$(field .operation_id)" || return 1
  check "cancel .child_cancelled" "$1" "$(field '.child_cancelled // "null"')" || return 1
}

# both_cancelled PARENT CHILD CHILD_TYPE: both records cancelled, the child of the right type and parent.
both_cancelled() {
  check "parent $1 status" cancelled "$(op_status "$1")" || return 1
  req GET "/operations/$2"
  check "child $2 status" cancelled "$(field .data.status)" || return 1
  check "child $2 type" "$3" "$(field .data.operation_type)" || return 1
  check "child $2 parent" "$1" "$(field .data.parent_operation_id)" || return 1
}

# ---------------------------------------------------------------- steps

step_cancel_during_design() {
  trigger || return 1
  wait_phase designing || return 1
  local child="$CHILD_ID"
  cancel_active "$child" || return 1
  both_cancelled "$OP_ID" "$child" agent_design || return 1
  req GET /agent/status
  check "agent status after cancel" idle "$(field .status)" || return 1
  check "last_cycle after cancel" "$OP_ID/cancelled" "$(field '(.last_cycle.operation_id // "") + "/" + (.last_cycle.outcome // "")')" || return 1
  FIRST_OP_ID="$OP_ID"
  note "parent and design child both cancelled; agent status idle"
}

step_cancel_no_active() {
  req DELETE /agent/cancel
  note "response: HTTP $HTTP $(jq -c . <<<"$BODY" 2>/dev/null || echo "$BODY")"
  check "HTTP status" 404 "$HTTP" || return 1
  check ".success" false "$(field .success)" || return 1
  check ".reason" no_active_cycle "$(field .reason)" || return 1
  check ".message" "No active research cycle to cancel" "$(field .message)" || return 1
}

step_trigger_after_cancel() {
  trigger || return 1
  [[ "$OP_ID" != "${FIRST_OP_ID:-}" && -n "$OP_ID" && "$OP_ID" != null ]] || { STEP_ERR="new id '$OP_ID' is not different from '${FIRST_OP_ID:-}'"; return 1; }
  [[ "$OP_ID" =~ ^op_agent_research_[0-9]{8}_[0-9]{6}_[0-9a-f]{8}$ ]] || { STEP_ERR="id '$OP_ID' does not match op_agent_research_YYYYMMDD_HHMMSS_8hex"; return 1; }
  note "new cycle $OP_ID (previous $FIRST_OP_ID)"
  req DELETE /agent/cancel
  check "cancelling it: HTTP status" 200 "$HTTP" || return 1
}

step_cli_cancel() {
  local id
  run_cli agent trigger
  check "ktrdr agent trigger exit code" 0 "$RC" || return 1
  [[ "$OUT" == *"Research cycle started!"* ]] || { STEP_ERR="trigger output lacks 'Research cycle started!'"; return 1; }
  id="$(grep -oE 'op_agent_research_[0-9]{8}_[0-9]{6}_[0-9a-f]{8}' <<<"$OUT" | head -1)"
  [[ -n "$id" ]] || { STEP_ERR="no operation id in trigger output"; return 1; }
  sleep 1
  run_cli agent cancel
  check "ktrdr agent cancel exit code" 0 "$RC" || return 1
  [[ "$OUT" == *"Research cycle cancelled!"* ]] || { STEP_ERR="cancel output lacks 'Research cycle cancelled!'"; return 1; }
  [[ "$OUT" == *"$id"* ]] || { STEP_ERR="cancel output does not name $id"; return 1; }
  check "status of $id" cancelled "$(op_status "$id")" || return 1
  run_cli agent cancel
  check "ktrdr agent cancel (none active) exit code" 0 "$RC" || return 1
  [[ "$OUT" == *"No active research cycle to cancel."* ]] || { STEP_ERR="output lacks 'No active research cycle to cancel.'"; return 1; }
}

step_cancel_speed() {
  trigger || return 1
  wait_phase designing || return 1
  local child="$CHILD_ID" start end delete_done polls=0
  start="$(now_ms)"
  req DELETE /agent/cancel
  delete_done="$(now_ms)"
  check "DELETE /agent/cancel HTTP status" 200 "$HTTP" || return 1
  while :; do
    polls=$((polls + 1))
    if [[ "$(op_status "$OP_ID")" == cancelled && "$(op_status "$child")" == cancelled ]]; then break; fi
    if (( $(now_ms) - start > 5000 )); then STEP_ERR="parent/child not both cancelled 5 s after DELETE"; return 1; fi
  done
  end="$(now_ms)"
  note "DELETE returned after $((delete_done - start)) ms; both records cancelled after $((end - start)) ms (${polls} poll(s), curl+jq overhead included)"
  (( end - start <= MAX_CANCEL_MS )) || { STEP_ERR="cancellation took $((end - start)) ms > ${MAX_CANCEL_MS} ms"; return 1; }
}

step_cancel_during_training() {
  trigger || return 1
  wait_phase training || return 1
  local child="$CHILD_ID" design
  req GET "/operations/$OP_ID"
  design="$(field '.data.metadata.parameters.design_op_id // empty')"
  cancel_active "$child" || return 1
  both_cancelled "$OP_ID" "$child" training || return 1
  [[ -z "$design" ]] || check "design child $design (finished before the cancel)" completed "$(op_status "$design")" || return 1
  sleep 1
  # A late result must not overwrite "cancelled", and no backtest may start for a cancelled cycle.
  both_cancelled "$OP_ID" "$child" training || return 1
  req GET "/operations/$OP_ID"
  check "backtest_op_id of the cancelled cycle" "" "$(field '.data.metadata.parameters.backtest_op_id // empty')" || return 1
  note "parent and training child cancelled and still cancelled 1 s later; design child completed; no backtest started"
}

# ---------------------------------------------------------------- run

echo "=== Cancellation & error handling verification ==="
echo "API: $API_URL   CLI: ${KTRDR[*]}"
req GET /health
if [[ "$HTTP" != 200 ]]; then
  echo "FAIL: $V1/health answered $HTTP ($BODY). Start the stack first (npm start)."
  exit 1
fi

PASSED=0 FAILED=0 FIRST_OP_ID=""
run_step() {
  local n="$1" title="$2" fn="$3"
  echo ""
  echo "$n. $title"
  idle
  STEP_ERR=""
  if "$fn" && [[ -z "$STEP_ERR" ]]; then
    echo "   PASS: $title"
    PASSED=$((PASSED + 1))
  else
    echo "   FAIL: $title: ${STEP_ERR:-see above}"
    FAILED=$((FAILED + 1))
  fi
}

run_step 1 "Cancel during design phase" step_cancel_during_design
run_step 2 "Cancel with no active cycle" step_cancel_no_active
run_step 3 "Trigger after cancel" step_trigger_after_cancel
run_step 4 "CLI cancel" step_cli_cancel
run_step 5 "Cancellation speed (<= ${MAX_CANCEL_MS} ms)" step_cancel_speed
run_step 6 "Cancel during training phase" step_cancel_during_training
idle

echo ""
if ((FAILED == 0)); then
  echo "=== Cancellation checks complete: $PASSED/$((PASSED + FAILED)) steps passed ==="
else
  echo "=== Cancellation checks FAILED: $FAILED of $((PASSED + FAILED)) steps failed ==="
  exit 1
fi
