#!/usr/bin/env bash
# Macro benchmark, one run, one machine: requests/s and latency with wrk over loopback for
#   (a) a bare Kestrel JSON endpoint (the ceiling), (b) API -> grain -> simulated DB (0 ms) with telemetry off,
#   (c) the same with full telemetry at 100 % sampling, (d) with 10 % parent-based sampling, (e) metrics only;
# then p99 at half of each peak, and /metrics scrape time. Prints a table and the ratios b/a, c/b, d/b.
#   bash bench/macro.sh            (DURATION=15 THREADS=2 CONNECTIONS=32 KEYS=2000 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools wrk

DURATION="${DURATION:-15}"; THREADS="${THREADS:-2}"; CONNECTIONS="${CONNECTIONS:-32}"; KEYS="${KEYS:-2000}"
export KEYS CONNECTIONS
API=http://127.0.0.1:5080
out="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "Building Release..."
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build Api -c Release -v q -nologo >/dev/null
dotnet build bench/BareApi -c Release -v q -nologo >/dev/null

wait_ready() { for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done; echo "not ready: $1" >&2; return 1; }

start() { # name dir dll env...
  local name=$1 dir=$2 dll=$3; shift 3
  (cd "$dir" && exec env "$@" dotnet "$dll" >"$out/$name.log" 2>&1) &
  pids+=($!)
}

stop_all() { cleanup; pids=(); }

# wrk -> "req/s p50_ms p99_ms"
measure() { # url duration [rate]
  local rate=${3:-0}
  RATE=$rate wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --latency -s bench/keys.lua "$1" >"$out/wrk.txt"
  awk '
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=$2 } /^ +99%/ { p99=$2 }
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END { printf "%.0f %.2f %.2f\n", rps, ms(p50), ms(p99) }' "$out/wrk.txt"
}

run_service() { # label env...
  local label=$1; shift
  local common=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    SimulatedDatabase__MinLatency=00:00:00 SimulatedDatabase__MaxLatency=00:00:00 SimulatedDatabase__SlowCallRate=0 "$@")
  start silo Silo/bin/Release/net10.0 OrleansObservability.Silo.dll ASPNETCORE_URLS=http://127.0.0.1:5180 \
    Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 "${common[@]}"
  wait_ready http://127.0.0.1:5180/health/ready
  start api Api/bin/Release/net10.0 OrleansObservability.Api.dll ASPNETCORE_URLS=$API "${common[@]}"
  wait_ready $API/health/ready
  seq 0 $((KEYS - 1)) | xargs -P 8 -I{} curl -s -o /dev/null -X PUT "$API/api/users/load-{}" \
    -H 'Content-Type: application/json' -d '{"displayName":"Load User","email":"load@example.com"}'
  measure "$API" 5 >/dev/null   # warm-up: JIT, tiered compilation, every grain activated
  read -r rps p50 p99 < <(measure "$API" "$DURATION")
  read -r _ hp50 hp99 < <(measure "$API" 10 $((rps / 2)))
  scrape=$(for _ in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:5180/metrics; done | sort -n | sed -n 10p)
  series=$(curl -s http://127.0.0.1:5180/metrics | grep -vc '^#' || true)
  results+=("$label $rps $p50 $p99 $hp99 $(awk "BEGIN{printf \"%.1f\", $scrape*1000}") $series")
  stop_all
}

results=()
start bare bench/BareApi/bin/Release/net10.0 OrleansObservability.BareApi.dll ASPNETCORE_URLS=$API
wait_ready $API/api/users/load-0
measure "$API" 5 >/dev/null
read -r rps p50 p99 < <(measure "$API" "$DURATION")
read -r _ hp50 hp99 < <(measure "$API" 10 $((rps / 2)))
results+=("a:bare-kestrel $rps $p50 $p99 $hp99 - -")
stop_all

run_service b:telemetry-off OTEL_SDK_DISABLED=true
run_service c:telemetry-100% OTEL_TRACES_SAMPLER=parentbased_always_on
run_service d:telemetry-10% OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1
# Attribution: metrics and logs as in (c), but no span is sampled.
run_service e:metrics-only OTEL_TRACES_SAMPLER=always_off

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over $KEYS keys"
printf '%-18s %10s %9s %9s %15s %12s %8s\n' scenario req/s p50_ms p99_ms p99_half_ms scrape_ms series
for r in "${results[@]}"; do printf '%-18s %10s %9s %9s %15s %12s %8s\n' $r; done
rate() { echo "${results[$1]}" | awk '{print $2}'; }
awk -v a="$(rate 0)" -v b="$(rate 1)" -v c="$(rate 2)" -v d="$(rate 3)" -v e="$(rate 4)" 'BEGIN {
  printf "b/a %.1f %%   c/a %.1f %%   c/b %.1f %% (telemetry cost %.1f %%)   d/b %.1f %% (cost %.1f %%)   e/b %.1f %% (metrics-only cost %.1f %%)\n",
    100*b/a, 100*c/a, 100*c/b, 100-100*c/b, 100*d/b, 100-100*d/b, 100*e/b, 100-100*e/b }'
