#!/usr/bin/env bash
# Macro benchmark on one machine: requests/s, latency and CPU per request with wrk over loopback for
#   (a) a bare Kestrel JSON endpoint (the ceiling), (b) API -> grain -> simulated DB (0 ms) with telemetry off,
#   (c) the same with full telemetry at 100 % sampling, (d) with 10 % parent-based sampling, (e) metrics only,
#   (f) the Orleans floor: an external cluster client calling the grain in loops, no HTTP (bench/OrleansFloor),
#   (s) the shipped defaults: Production and the appsettings as committed, telemetry on, no OTLP endpoint;
# then p99 at half of each peak, bytes allocated per request, and /metrics scrape time. The scenarios run interleaved,
# ROUNDS times, and the table gives each one's median, so one noisy interval on this shared machine does not decide a
# ratio. Scenario a2 (not run by default) is the bare endpoint on the host defaults the API starts from
# (WebApplication.CreateBuilder, logging).
#   bash bench/macro.sh
#   ROUNDS=3 WARMUP=15 DURATION=15 THREADS=2 CONNECTIONS=32 KEYS=2000 SCENARIOS="a b c d e f s" bash bench/macro.sh
# EXTRA_ENV="NAME=value ..." adds settings to the silo and the API of every scenario, to measure a lever against the
# same scenarios without it (e.g. EXTRA_ENV="Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics=None").
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools wrk

ROUNDS="${ROUNDS:-3}"; WARMUP="${WARMUP:-15}"; DURATION="${DURATION:-15}"; THREADS="${THREADS:-2}"; CONNECTIONS="${CONNECTIONS:-32}"
KEYS="${KEYS:-2000}"; SCENARIOS="${SCENARIOS:-a b c d e f s}"
read -r -a extra_env <<<"${EXTRA_ENV:-}"
export KEYS CONNECTIONS
API=http://127.0.0.1:5080
API_MANAGEMENT=http://127.0.0.1:5081   # Api/appsettings.json: health and /metrics answer only there
SILO_HTTP=http://127.0.0.1:5180
TICKS_PER_SECOND="$(getconf CLK_TCK)"
out="$(mktemp -d)"
pids=()
names=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "Building Release..."
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build Api -c Release -v q -nologo >/dev/null
dotnet build bench/BareApi -c Release -v q -nologo >/dev/null
dotnet build bench/OrleansFloor -c Release -v q -nologo >/dev/null
dotnet build bench/AllocationProbe -c Release -v q -nologo >/dev/null
# A startup hook in every started process reports its allocated bytes from inside (bench/AllocationProbe).
PROBE="$PWD/bench/AllocationProbe/bin/Release/net10.0/OrleansObservability.AllocationProbe.dll"

source bench/lib.sh

start() { # name dir dll env...  (exec: the recorded pid is the dotnet process itself)
  local name=$1 dir=$2 dll=$3; shift 3
  rm -f "$out/alloc-$name.txt"
  (cd "$dir" && exec env DOTNET_STARTUP_HOOKS="$PROBE" ALLOCATION_PROBE_FILE="$out/alloc-$name.txt" "$@" dotnet "$dll" >"$out/$name.log" 2>&1) &
  pids+=($!)
  names+=("$name")
}

stop_all() { cleanup; pids=(); names=(); rm -f "$out"/alloc-*.txt "$out"/alloc-*.txt.on; }

# CPU time (user + system) of every started process, in clock ticks.
cpu_ticks() { local total=0; for pid in "${pids[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }

# wrk -> "req/s p50_ms p99_ms cpu_us_per_request" (CPU of the service processes, not of wrk)
measure() { # url duration [rate]
  local rate=${3:-0} before after
  before=$(cpu_ticks)
  RATE=$rate wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --latency -s bench/keys.lua "$1" >"$out/wrk.txt"
  after=$(cpu_ticks)
  awk -v ticks=$((after - before)) -v hz="$TICKS_PER_SECOND" '
    /requests in/ { requests=$1 }
    /Requests\/sec/ { rps=$2 }
    /^ +50%/ { p50=$2 } /^ +99%/ { p99=$2 }
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END { printf "%.0f %.2f %.2f %.1f\n", rps, ms(p50), ms(p99), 1e6 * ticks / hz / requests }' "$out/wrk.txt"
}

# Bytes the service processes allocate per request, at a fixed 5,000 requests/s for 10 s: unlike throughput this does
# not move with the machine's noise, so it shows what each telemetry setting adds exactly.
allocated_per_request() { # url
  local from to name
  for name in "${names[@]}"; do touch "$out/alloc-$name.txt.on"; done   # the probes count from their next reading
  from=$(date +%s%3N)
  RATE=5000 wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/keys.lua "$1" >"$out/wrk-alloc.txt"
  to=$(date +%s%3N)
  rm -f "$out"/alloc-*.txt.on
  # Bytes per second of each running process over the steady part of the paced load (its readings from 1 s after the
  # start to 0.5 s before the end), summed, over the requests per second wrk achieved.
  python3 - "$(awk '/Requests\/sec/ {print $2}' "$out/wrk-alloc.txt")" "$from" "$to" "$out" "${names[@]}" <<'PY'
import os, sys
rate, start, end, total = float(sys.argv[1]), int(sys.argv[2]) + 1000, int(sys.argv[3]) - 500, 0.0
for name in sys.argv[5:]:
    path = os.path.join(sys.argv[4], f"alloc-{name}.txt")
    if not os.path.exists(path):   # the probe did not load: no figure rather than a partial one
        print("-")
        sys.exit()
    readings = [tuple(map(int, line.split())) for line in open(path) if len(line.split()) == 2]
    steady = [(t, b) for t, b in readings if start <= t <= end]
    if len(steady) < 20:   # 250 ms apart: at least 5 s of the 8.5 s, or no figure rather than a wrong one
        print("-")
        sys.exit()
    (t0, b0), (t1, b1) = steady[0], steady[-1]
    per_second = (b1 - b0) / ((t1 - t0) / 1000)
    total += per_second
    print(f"  {name}: {per_second / rate:.0f} B per request", file=sys.stderr)
print(round(total / rate))
PY
}

# Scenario f: the Orleans floor, an external client calling the grain in loops (bench/OrleansFloor), no HTTP; its
# calls/s over DURATION and the CPU of the silo and the client over the same interval. Prints "calls/s cpu_us".
floor() {
  local before after
  (exec dotnet bench/OrleansFloor/bin/Release/net10.0/OrleansObservability.OrleansFloor.dll 127.0.0.1:30000 "$KEYS" \
    "$CONNECTIONS" "$WARMUP" "$DURATION" >"$out/floor.txt" 2>&1) &
  local client=$!
  pids+=("$client")
  until grep -q '^measuring' "$out/floor.txt" 2>/dev/null; do kill -0 "$client" 2>/dev/null || { cat "$out/floor.txt" >&2; return 1; }; sleep 0.05; done
  before=$(cpu_ticks)
  until grep -q '^measured' "$out/floor.txt"; do sleep 0.05; done
  after=$(cpu_ticks)
  wait "$client"
  awk -v ticks=$((after - before)) -v hz="$TICKS_PER_SECOND" -v seconds="$DURATION" '
    / calls\/s$/ { rate=$1 } END { printf "%.0f %.1f\n", rate, 1e6 * ticks / hz / (rate * seconds) }' "$out/floor.txt"
}

# One scenario: start it, load it, record "label req/s p50 p99 p99_half cpu_us scrape_ms series bytes" in $out/results.
run() { # label
  local label=$1 common
  # Scenarios b-f: Production, logging at Warning, the simulated database at 0 ms; then each one's telemetry.
  local tuned=(ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    SimulatedDatabase__MinLatency=00:00:00 SimulatedDatabase__MaxLatency=00:00:00 SimulatedDatabase__SlowCallRate=0)
  case $label in
    a) start bare bench/BareApi/bin/Release/net10.0 OrleansObservability.BareApi.dll ASPNETCORE_URLS=$API
       wait_ready $API/api/users/load-0 ;;
    a2) start bare bench/BareApi/bin/Release/net10.0 OrleansObservability.BareApi.dll ASPNETCORE_URLS=$API BARE_HOST=default \
         ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
       wait_ready $API/api/users/load-0 ;;
    b|f) common=("${tuned[@]}" OTEL_SDK_DISABLED=true) ;;
    c) common=("${tuned[@]}" OTEL_TRACES_SAMPLER=parentbased_always_on) ;;
    d) common=("${tuned[@]}" OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1) ;;
    e) common=("${tuned[@]}" OTEL_TRACES_SAMPLER=always_off) ;; # attribution: metrics and logs as in (c), no span sampled
    # The shipped defaults: Production, the appsettings as committed (logging, simulated database latency), telemetry
    # on, no OTLP endpoint; only the addresses this machine needs are set.
    s) common=(ASPNETCORE_ENVIRONMENT=Production) ;;
    *) echo "unknown scenario $label" >&2; return 1 ;;
  esac
  common+=("${extra_env[@]}")
  if [[ $label != a* ]]; then
    start silo Silo/bin/Release/net10.0 OrleansObservability.Silo.dll ASPNETCORE_URLS=$SILO_HTTP \
      Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 "${common[@]}"
    wait_ready $SILO_HTTP/health/ready
  fi
  if [[ $label == f ]]; then
    local rps cpu
    read -r rps cpu < <(floor)
    echo "f $rps - - - $cpu - - -" | tee -a "$out/results"
    stop_all
    return
  fi
  if [[ $label != a* ]]; then
    start api Api/bin/Release/net10.0 OrleansObservability.Api.dll ASPNETCORE_URLS=$API "${common[@]}"
    wait_ready $API_MANAGEMENT/health/ready
    create_load_users "$API" "$KEYS"
  fi
  # Warm-up: every grain activated, and tiered compilation settled (a CPU profile 3 s after a 5 s warm-up still
  # showed 6-9 % of the CPU in the JIT, more with telemetry on, which has more code to compile).
  measure "$API" "$WARMUP" >/dev/null
  local rps p50 p99 cpu hp99 scrape=- series=-
  read -r rps p50 p99 cpu < <(measure "$API" "$DURATION")
  read -r _ _ hp99 _ < <(measure "$API" 10 $((rps / 2)))
  if [[ $label != a* ]]; then
    # The exporter answers from its cache for 300 ms after a scrape (OpenTelemetry's default), so scrapes back to back
    # would time the cache: each of the 11 scrapes waits that out and really collects; the median is reported.
    scrape=$(for _ in $(seq 1 11); do sleep 0.35; curl -s -o /dev/null -w '%{time_total}\n' $SILO_HTTP/metrics; done | sort -n | sed -n 6p)
    scrape=$(awk "BEGIN{printf \"%.1f\", $scrape*1000}")
    series=$(curl -s $SILO_HTTP/metrics | grep -vc '^#' || true)
  fi
  local bytes
  bytes=$(allocated_per_request "$API")
  echo "$label $rps $p50 $p99 $hp99 $cpu $scrape $series $bytes" | tee -a "$out/results"
  stop_all
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round of $ROUNDS"
  for scenario in $SCENARIOS; do run "$scenario"; done
done

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over $KEYS keys; median of $ROUNDS rounds"
python3 - "$out/results" <<'PY'
import statistics, sys
names = {"a": "a bare Kestrel", "a2": "a2 bare, host", "b": "b telemetry off", "c": "c telemetry 100%", "d": "d telemetry 10%",
         "e": "e metrics only", "f": "f Orleans floor", "s": "s shipped"}
runs = {}
for line in open(sys.argv[1]):
    label, *values = line.split()
    runs.setdefault(label, []).append(values)

def median(label, column):
    values = [float(v[column]) for v in runs[label] if v[column] != "-"]
    return statistics.median(values) if values else None

print(f"{'scenario':<18} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99 half ms':>12} {'CPU us/req':>11} {'scrape ms':>10} {'series':>7} {'B/req':>7}   req/s of each round")
for label in sorted(runs):
    row = [median(label, c) for c in range(8)]
    num = lambda value, spec, width: format(value, spec) if value is not None else f"{'-':>{width}}"
    cells = [f"{row[0]:8.0f}", num(row[1], "7.2f", 7), num(row[2], "7.2f", 7), num(row[3], "12.2f", 12), f"{row[4]:11.1f}",
             f"{row[5]:10.1f}" if row[5] is not None else f"{'-':>10}", f"{row[6]:7.0f}" if row[6] is not None else f"{'-':>7}",
             f"{row[7]:7.0f}" if row[7] is not None else f"{'-':>7}"]
    print(f"{names[label]:<18} {' '.join(cells)}   {' '.join(v[0] for v in runs[label])}")

rate = {label: median(label, 0) for label in runs}
cpu = {label: median(label, 4) for label in runs}
alloc = {label: median(label, 7) for label in runs}
def ratio(x, y):
    return f"{100 * rate[x] / rate[y]:.1f} %" if x in rate and y in rate else "n/a"
def cost(x):
    if x not in rate or "b" not in rate:
        return "n/a"
    return (f"throughput -{100 - 100 * rate[x] / rate['b']:.1f} %, CPU per request +{100 * cpu[x] / cpu['b'] - 100:.1f} %, "
            + (f"+{alloc[x] - alloc['b']:.0f} B allocated per request" if None not in (alloc[x], alloc['b']) else "bytes n/a"))
print(f"b/a {ratio('b', 'a')}   c/a {ratio('c', 'a')}" + (f"   b/a2 {ratio('b', 'a2')}  (a2: the API's host defaults)" if "a2" in rate else ""))
print(f"c/b {ratio('c', 'b')}  (100 % sampling: {cost('c')})")
print(f"d/b {ratio('d', 'b')}  (10 % sampling: {cost('d')})")
print(f"e/b {ratio('e', 'b')}  (metrics only: {cost('e')})")
print(f"f/a {ratio('f', 'a')}   b/f {ratio('b', 'f')}  (f: the Orleans floor, an external client, no HTTP)")
print(f"s/c {ratio('s', 'c')}   s/a {ratio('s', 'a')}  (s: the shipped defaults)")
PY
