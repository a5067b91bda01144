#!/usr/bin/env bash
# The local hosts under the load generator's traffic mix: one silo and the API (Release, the shipped defaults, as
# bench/macro.sh's scenario s), driven by bench/LoadGen at RATE requests/s for DURATION seconds after a WARMUP run at
# the same rate. Prints the tool's summary, then the CPU per request of the hosts and of the tool, from /proc.
#   bash bench/load.sh
#   RATE=200 DURATION=60 WARMUP=15 USERS=200 CONCURRENCY=64 bash bench/load.sh
# The ports are macro.sh's (API 5080, management 5081, silo 5180, Orleans 11111/30000) unless PORT_OFFSET moves them
# all, e.g. PORT_OFFSET=20000 when something else on this machine holds them.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

RATE="${RATE:-200}"; DURATION="${DURATION:-30}"; WARMUP="${WARMUP:-15}"; USERS="${USERS:-200}"; CONCURRENCY="${CONCURRENCY:-64}"
offset="${PORT_OFFSET:-0}"
API=http://127.0.0.1:$((5080 + offset))
API_MANAGEMENT=http://127.0.0.1:$((5081 + offset))
SILO_HTTP=http://127.0.0.1:$((5180 + offset))
GATEWAY_PORT=$((30000 + offset))
SILO_PORT=$((11111 + offset))
TICKS_PER_SECOND="$(getconf CLK_TCK)"
LOADGEN=bench/LoadGen/bin/Release/net10.0/OrleansObservability.LoadGen.dll
out="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$out"; }
trap cleanup EXIT

echo "Building Release..."
for project in Silo Api bench/LoadGen; do dotnet build "$project" -c Release -v q -nologo >/dev/null; done

# exec: the recorded pid is the dotnet process itself.
(cd Silo/bin/Release/net10.0 && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$SILO_HTTP \
  Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 Orleans__Endpoints__SiloPort=$SILO_PORT Orleans__Endpoints__GatewayPort=$GATEWAY_PORT \
  dotnet OrleansObservability.Silo.dll >"$out/silo.log" 2>&1) &
pids+=($!)
wait_ready "$SILO_HTTP/health/ready"
(cd Api/bin/Release/net10.0 && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS=$API ManagementEndpoint__Url=$API_MANAGEMENT \
  Orleans__Clustering__Gateways__0=127.0.0.1:$GATEWAY_PORT dotnet OrleansObservability.Api.dll >"$out/api.log" 2>&1) &
pids+=($!)

loadgen() { # seconds summary.json
  dotnet "$LOADGEN" --api-url "$API" --api-health-url "$API_MANAGEMENT/health/ready" --rate-per-second "$RATE" \
    --duration "$1" --users "$USERS" --concurrency "$CONCURRENCY" --summary-json "$2"
}

# CPU time (user + system) of the hosts, in clock ticks.
host_ticks() { local total=0; for pid in "${pids[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

echo "Warm-up: ${WARMUP} s at $RATE requests/s (every grain activated, the JIT settled)..."
loadgen "$WARMUP" "$out/warmup.json" >"$out/warmup.log" || { cat "$out/warmup.log" >&2; exit 1; }

# The tool's CPU: the CPU time of this shell's finished children (the kernel's account, as in /proc), before and
# after it; `times` runs in this shell, not in a subshell, whose account starts at zero.
hosts_before=$(host_ticks); times >"$out/times-before"
status=0
loadgen "$DURATION" "$out/summary.json" || status=$?
hosts_after=$(host_ticks); times >"$out/times-after"

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
python3 - "$out/summary.json" "$((hosts_after - hosts_before))" "$TICKS_PER_SECOND" "$out/times-before" "$out/times-after" <<'PY'
import json, re, sys
def children(path):  # the second line of `times`: children's user and system time, as "1m2.345s 0m0.678s"
    return sum(int(m) * 60 + float(s) for m, s in re.findall(r"(\d+)m([\d.]+)s", open(path).read().splitlines()[1]))
summary, ticks, hz = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
tool_before, tool_after = children(sys.argv[4]), children(sys.argv[5])
requests = summary["requests"]
rate, latency, unexpected = summary["rate"], summary["latencyMs"], summary["unexpected"]
print(f"rate asked {rate['target']:g}/s, achieved {rate['achieved']:g}/s over {rate['sendingSeconds']:g} s; "
      f"p50 {latency['p50']:.2f} ms, p99 {latency['p99']:.2f} ms; {requests} requests, {unexpected['total']} unexpected")
print(f"hosts CPU (silo + API, /proc): {1e6 * ticks / hz / requests:.0f} us per request")
print(f"tool CPU (/proc, whole process with start-up): {1e6 * (tool_after - tool_before) / requests:.0f} us per request; "
      f"while sending (its own summary): {summary['tool']['cpuMicrosecondsPerRequest']:.0f} us per request")
PY
exit "$status"
