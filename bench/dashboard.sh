#!/usr/bin/env bash
# What the Orleans Dashboard (Orleans__Dashboard__Enabled=true) costs one silo, interleaved over ROUNDS rounds:
#   off   the dashboard off, as shipped
#   on    on, nobody looking (the grain-call profiler stays off until the first query)
#   tab   on, one open tab: the overview's polls (counters, cluster stats, top methods) once a second
# For each: start-up (process start to /health/ready), RSS and CPU (% of one core) after SETTLE s idle over IDLE s,
# then the API in front and CPU per request (silo + API) under the same paced load (RATE requests/s for DURATION s).
#   bash bench/dashboard.sh
#   ROUNDS=3 SETTLE=10 IDLE=20 WARMUP=10 DURATION=15 RATE=1000 KEYS=2000 PORT_BASE=25080 bash bench/dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools wrk

ROUNDS="${ROUNDS:-3}"; SETTLE="${SETTLE:-10}"; IDLE="${IDLE:-20}"; WARMUP="${WARMUP:-10}"; DURATION="${DURATION:-15}"
RATE="${RATE:-1000}"; KEYS="${KEYS:-2000}"; CONNECTIONS="${CONNECTIONS:-16}"
export KEYS CONNECTIONS
# Ports of their own (PORT_BASE..PORT_BASE+4), so the script runs beside a local cluster on the usual ones.
PORT_BASE="${PORT_BASE:-25080}"
API=http://127.0.0.1:$PORT_BASE
API_MANAGEMENT=http://127.0.0.1:$((PORT_BASE + 1))
SILO_HTTP=http://127.0.0.1:$((PORT_BASE + 2))
SILO_PORT=$((PORT_BASE + 3)); GATEWAY_PORT=$((PORT_BASE + 4))
TICKS_PER_SECOND="$(getconf CLK_TCK)"
out="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "Building Release..."
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build Api -c Release -v q -nologo >/dev/null

source bench/lib.sh

start() { # name dir dll env...  (exec: the recorded pid is the dotnet process itself)
  local dir=$2 dll=$3 name=$1; shift 3
  (cd "$dir" && exec env "$@" dotnet "$dll" >"$out/$name.log" 2>&1) &
  pids+=($!)
}

ticks() { local total=0; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

# The overview page's polls, once a second, until killed.
open_tab() { while true; do for path in DashboardCounters ClusterStats TopGrainMethods; do curl -s -o /dev/null "$SILO_HTTP/dashboard/$path"; done; sleep 1; done; }

run() { # mode -> "mode startup_ms rss_mb idle_cpu_percent cpu_us_per_request"
  local mode=$1 dashboard=false
  [[ $mode != off ]] && dashboard=true
  local from silo startup before after rss idle tab=""
  from=$(date +%s%3N)
  start silo Silo/bin/Release/net10.0 OrleansObservability.Silo.dll ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$SILO_HTTP \
    Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 Orleans__Endpoints__SiloPort=$SILO_PORT \
    Orleans__Endpoints__GatewayPort=$GATEWAY_PORT Orleans__Dashboard__Enabled=$dashboard
  silo=${pids[-1]}
  until curl -sf $SILO_HTTP/health/ready >/dev/null; do kill -0 "$silo" || { cat "$out/silo.log" >&2; return 1; }; sleep 0.02; done
  startup=$(($(date +%s%3N) - from))
  if [[ $mode == tab ]]; then open_tab & tab=$!; pids+=("$tab"); fi
  sleep "$SETTLE"
  before=$(ticks "$silo"); sleep "$IDLE"; after=$(ticks "$silo")
  idle=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v s="$IDLE" 'BEGIN { printf "%.2f", 100 * t / hz / s }')
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$silo/status")

  start api Api/bin/Release/net10.0 OrleansObservability.Api.dll ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$API \
    ManagementEndpoint__Url=$API_MANAGEMENT Orleans__Clustering__Gateways__0=127.0.0.1:$GATEWAY_PORT
  local api=${pids[-1]}
  wait_ready $API_MANAGEMENT/health/ready
  create_load_users "$API" "$KEYS"
  RATE=$RATE wrk -t2 -c"$CONNECTIONS" -d"$WARMUP"s -s bench/keys.lua "$API" >/dev/null
  before=$(ticks "$silo" "$api")
  RATE=$RATE wrk -t2 -c"$CONNECTIONS" -d"$DURATION"s -s bench/keys.lua "$API" >"$out/wrk.txt"
  after=$(ticks "$silo" "$api")
  local per_request
  per_request=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" '/requests in/ { n=$1 } END { printf "%.1f", 1e6 * t / hz / n }' "$out/wrk.txt")
  echo "$mode $startup $rss $idle $per_request" | tee -a "$out/results"
  cleanup; pids=()
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS (mode start-up_ms RSS_MB idle_CPU_% CPU_us/req)"
  for mode in off on tab; do run "$mode"; done
done

echo
echo "machine: $(nproc) cores; one silo, Production settings; load: the API at $RATE req/s for ${DURATION}s over $KEYS keys; median of $ROUNDS rounds"
python3 - "$out/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, *values = line.split()
    runs.setdefault(mode, []).append([float(v) for v in values])
names = {"off": "off (shipped)", "on": "on, nobody looking", "tab": "on, one open tab"}
print(f"{'dashboard':<20} {'start-up ms':>11} {'RSS MB':>7} {'idle CPU %':>11} {'CPU us/req':>11}")
med = {m: [statistics.median(v[c] for v in runs[m]) for c in range(4)] for m in runs}
for mode in ("off", "on", "tab"):
    if mode in med:
        s, r, i, c = med[mode]
        print(f"{names[mode]:<20} {s:11.0f} {r:7.0f} {i:11.2f} {c:11.1f}")
for mode in ("on", "tab"):
    if mode in med and "off" in med:
        d = [a - b for a, b in zip(med[mode], med["off"])]
        print(f"{mode} - off: start-up {d[0]:+.0f} ms, RSS {d[1]:+.0f} MB, idle CPU {d[2]:+.2f} % of a core, CPU per request {d[3]:+.1f} us ({100 * d[3] / med['off'][3]:+.1f} %)")
PY
