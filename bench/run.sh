#!/usr/bin/env bash
# Keyhub benchmark harness (bench/README.md). One command:
#   bench/run.sh            full run: every scenario on Keyhub and on its baseline, DURATION (10s) at
#                           CONCURRENCY (64) connections; writes bench/results/<timestamp>.json,
#                           bench/results/latest.json and bench/RESULTS.md
#   bench/run.sh --smoke    ~2 s per scenario at 4 connections; exits non-zero unless every scenario
#                           answered 2xx only, with nonzero throughput (writes bench/results/smoke-latest.json)
#   bench/run.sh --scale    scale run (scale.mjs): SCALE_COUNT (100000) secrets in one vault, no baseline, no wrk;
#                           writes bench/results/scale-latest.json and bench/SCALE.md; exits 3 if anything degrades
# Environment: DURATION, CONCURRENCY, THREADS (2), WARMUP (2s; 0 = none), KEEP=1 keeps the temp folder.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
MODE=full
for arg in "$@"; do
  case "$arg" in
    --smoke) MODE=smoke ;;
    --scale) MODE=scale ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [[ $MODE == smoke ]]; then
  DURATION="${DURATION:-2s}"; CONCURRENCY="${CONCURRENCY:-4}"; WARMUP="${WARMUP:-0}"
else
  DURATION="${DURATION:-10s}"; CONCURRENCY="${CONCURRENCY:-64}"; WARMUP="${WARMUP:-2s}"
fi
THREADS="${THREADS:-2}"
log() { printf '[bench] %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------------
if [[ $MODE != scale ]] && ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (Debian package)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null
fi
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

PROJECTS=("$ROOT/src/Keyhub" "$BENCH/Baseline"); [[ $MODE == scale ]] && PROJECTS=("$ROOT/src/Keyhub")
log "building Keyhub${PROJECTS[1]:+ and the baseline} (Release)"
for project in "${PROJECTS[@]}"; do
  out="$(dotnet build "$project" -c Release -nologo 2>&1)" || { echo "$out" >&2; exit 1; }
done
KEYHUB_DLL="$ROOT/src/Keyhub/bin/Release/net10.0/keyhub.dll"
BASELINE_DLL="$BENCH/Baseline/bin/Release/net10.0/Baseline.dll"

# --- servers (always stopped on exit) -------------------------------------------------------------
WORK="$(mktemp -d /tmp/keyhub-bench.XXXXXX)"
DATA="$WORK/data"
KH_PID=""; BL_PID=""; SAMPLER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$SAMPLER_PID" "$KH_PID" "$BL_PID"; do
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
  done
  for pid in "$SAMPLER_PID" "$KH_PID" "$BL_PID"; do
    [[ -n $pid ]] && wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { # file pattern pid seconds
  local i
  for ((i = 0; i < $4 * 10; i++)); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "server exited:" >&2; cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for '$2':" >&2; cat "$1" >&2; return 1
}

KH_PORT="$(free_port)"
log "starting Keyhub (dev mode) on $KH_PORT, data in $DATA"
mkdir -p "$DATA"
dotnet "$KEYHUB_DLL" server --dev --data "$DATA" --port "$KH_PORT" >"$WORK/keyhub.log" 2>&1 &
KH_PID=$!
wait_for "$WORK/keyhub.log" "Keyhub ready" "$KH_PID" 60
KH_RSS_PID="$(cat "$DATA/keyhub.pid")"

if [[ $MODE == scale ]]; then # no baseline, no wrk: scale.mjs drives Keyhub itself (bench/README.md, "Scale run")
  NODE_EXTRA_CA_CERTS="$DATA/dev/ca.pem" node "$BENCH/scale.mjs" "$DATA/dev/credentials.json" \
    "https://127.0.0.1:$KH_PORT" "$DATA" --log "$WORK/keyhub.log" \
    || { rc=$?; [[ $rc == 3 ]] || { log "scale run failed (exit $rc); Keyhub log tail:"; tail -n 20 "$WORK/keyhub.log" >&2; }; exit $rc; }
  exit 0
fi

BL_PORT="$(free_port)"
while [[ $BL_PORT == "$KH_PORT" ]]; do BL_PORT="$(free_port)"; done
log "starting the baseline on $BL_PORT (same certificate, TLS 1.2+)"
dotnet "$BASELINE_DLL" --port "$BL_PORT" --cert "$DATA/tls/server.pem" --key "$DATA/tls/server-key.pem" >"$WORK/baseline.log" 2>&1 &
BL_PID=$!
wait_for "$WORK/baseline.log" "Baseline ready" "$BL_PID" 30

log "creating scenario principals, objects and tokens"
NODE_EXTRA_CA_CERTS="$DATA/dev/ca.pem" node "$BENCH/setup.mjs" "$DATA/dev/credentials.json" \
  "https://127.0.0.1:$KH_PORT" "https://127.0.0.1:$BL_PORT" "$WORK" >"$WORK/runs.tsv"

# --- load ------------------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
mkdir -p "$WORK/wrk"
log "mode=$MODE duration=$DURATION connections=$CONCURRENCY threads=$THREADS warmup=$WARMUP"
while IFS=$'\t' read -r name side method url token body ctype; do
  pid=$KH_RSS_PID; [[ $side == baseline ]] && pid=$BL_PID
  export BENCH_METHOD="$method" BENCH_TOKEN="$token" BENCH_BODY_FILE="$body" BENCH_CONTENT_TYPE="$ctype"
  if [[ $WARMUP != 0 ]]; then
    wrk -t"$THREADS" -c"$CONCURRENCY" -d"$WARMUP" --timeout 10s -s "$BENCH/lua/request.lua" "$url" >/dev/null 2>&1 || true
  fi
  out="$WORK/wrk/$name.$side"
  rss_kb "$pid" >"$out.rss"
  ( while sleep 0.5; do rss_kb "$pid"; done ) >>"$out.rss" &
  SAMPLER_PID=$!
  wrk -t"$THREADS" -c"$CONCURRENCY" -d"$DURATION" --timeout 10s --latency -s "$BENCH/lua/request.lua" "$url" >"$out.txt" 2>&1 || true
  kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
  rss_kb "$pid" >>"$out.rss"
  printf '[bench] %-12s %-8s %s\n' "$name" "$side" "$(grep -E '^Requests/sec' "$out.txt" || echo 'no result')" >&2
done <"$WORK/runs.tsv"

# --- results ---------------------------------------------------------------------------------------
node "$BENCH/collect.mjs" --mode "$MODE" --work "$WORK" --duration "$DURATION" --connections "$CONCURRENCY" --threads "$THREADS"
