#!/usr/bin/env bash
# Soak: the service as compose runs it (one silo and the API, grain state and clustering in a local redis-server,
# telemetry on at 100 % sampling, exported over OTLP to bench/otlp-receiver.py) under the traffic mix of
# bench/soak.lua at half of its measured peak for SOAK_SECONDS (default 600). Every SAMPLE_SECONDS it records, per
# process, the managed heap as the last GC left it, the thread count, the open TCP connections, the series each
# /metrics serves and the silo's activations; at the end it prints each one's least-squares slope per minute over the steady part (after
# SETTLE_SECONDS: the first minutes fill the activation working set and the GC's budgets) and wrk's error counts.
# The placements reuse ORDERS_PER_USER idempotency keys per user (bench/soak.lua), so the data stops growing and the
# working set of grains levels off; the collection age is 2 minutes (Orleans__GrainCollection__CollectionAge) so that
# idle ones leave within the run. ORDERS_PER_USER=0 makes every placement a new order: the order lists then fan out to
# ever more order grains, and the heap follows the activations.
#   bash bench/soak.sh
#   SOAK_SECONDS=120 SETTLE_SECONDS=60 bash bench/soak.sh     # a short check of the script itself
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools redis-server wrk

SOAK_SECONDS="${SOAK_SECONDS:-600}"; SETTLE_SECONDS="${SETTLE_SECONDS:-180}"; SAMPLE_SECONDS="${SAMPLE_SECONDS:-15}"
KEYS="${KEYS:-2000}"; THREADS="${THREADS:-2}"; CONNECTIONS="${CONNECTIONS:-32}"; ORDERS_PER_USER="${ORDERS_PER_USER:-10}"
export KEYS CONNECTIONS ORDERS_PER_USER
API=http://127.0.0.1:5080
API_MANAGEMENT=http://127.0.0.1:5081
SILO_HTTP=http://127.0.0.1:5180
RECEIVER=http://127.0.0.1:4319
REDIS_PORT=6392
out="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]:-}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "Building Release..."
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build Api -c Release -v q -nologo >/dev/null
source bench/lib.sh

redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no >"$out/redis.log" 2>&1 & pids+=($!)
python3 bench/otlp-receiver.py 4319 --count-only & pids+=($!)
common=(ASPNETCORE_ENVIRONMENT=Production OTEL_EXPORTER_OTLP_ENDPOINT=$RECEIVER OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  Orleans__Clustering__ProviderType=Redis Orleans__Clustering__ConnectionString=127.0.0.1:$REDIS_PORT)
(cd Silo/bin/Release/net10.0 && exec env "${common[@]}" ASPNETCORE_URLS=$SILO_HTTP Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 \
  Orleans__GrainStorage__Default__ProviderType=Redis Orleans__GrainStorage__Default__ConnectionString=127.0.0.1:$REDIS_PORT \
  Orleans__GrainCollection__CollectionAge=00:02:00 dotnet OrleansObservability.Silo.dll >"$out/silo.log" 2>&1) &
silo_pid=$!; pids+=($silo_pid)
wait_ready $SILO_HTTP/health/ready
(cd Api/bin/Release/net10.0 && exec env "${common[@]}" ASPNETCORE_URLS=$API dotnet OrleansObservability.Api.dll >"$out/api.log" 2>&1) &
api_pid=$!; pids+=($api_pid)
wait_ready $API_MANAGEMENT/health/ready
seq 0 $((KEYS - 1)) | xargs -P 8 -I{} curl -s -o /dev/null -X PUT "$API/api/users/soak-{}" \
  -H 'Content-Type: application/json' -d '{"displayName":"Soak User","email":"soak@example.com"}'

# Peak of the mix, unpaced, after a warm-up; the soak runs at half of it.
wrk -t"$THREADS" -c"$CONNECTIONS" -d15s -s bench/soak.lua $API >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d20s -s bench/soak.lua $API >"$out/peak.txt"
peak=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$out/peak.txt")
# wrk waits its delay after each response, so a paced run achieves less than RATE: calibrate once for half the peak.
RATE=$((peak / 2)) wrk -t"$THREADS" -c"$CONNECTIONS" -d15s -s bench/soak.lua $API >"$out/calibrate.txt"
rate=$(awk -v peak="$peak" '/Requests\/sec/ { printf "%.0f", (peak / 2) * (peak / 2) / $2 }' "$out/calibrate.txt")
echo "peak $peak requests/s; soaking at half of it (RATE=$rate) for $SOAK_SECONDS s"

# One line per process and sample: "seconds process heap_bytes threads connections series activations".
sample() { # seconds
  local name pid url heap series
  for name in silo api; do
    if [[ $name == silo ]]; then pid=$silo_pid; url=$SILO_HTTP/metrics; else pid=$api_pid; url=$API_MANAGEMENT/metrics; fi
    curl -s --max-time 10 "$url" >"$out/metrics.txt" || true
    heap=$(awk '/^dotnet_gc_last_collection_heap_size_bytes\{/ { sum += $2 } END { printf "%.0f", sum }' "$out/metrics.txt")
    series=$(grep -cv '^#' "$out/metrics.txt" || true)
    # Established TCP connections of the process (state 01 in /proc/net/tcp{,6}), by the socket inodes it holds.
    local inodes
    # (find fails when a descriptor closes while it walks them; what it listed still counts.)
    inodes=$( { find /proc/$pid/fd -lname 'socket:*' -printf '%l\n' 2>/dev/null || true; } | sed 's/socket:\[\(.*\)\]/\1/' | sort -u)
    local connections
    connections=$(awk 'NR == FNR { held[$1] = 1; next } FNR > 1 && $4 == "01" && ($10 in held) { n++ } END { print n + 0 }' \
      <(echo "$inodes") /proc/$pid/net/tcp /proc/$pid/net/tcp6)
    # Activations (silo): what the heap should follow while the working set of grains grows.
    local activations
    activations=$(awk '/^orleans_catalog_activations\{/ { sum += $2 } END { printf "%.0f", sum }' "$out/metrics.txt")
    [[ $name == silo && ! -f "$out/silo-first.metrics" ]] && cp "$out/metrics.txt" "$out/silo-first.metrics"
    [[ $name == silo ]] && cp "$out/metrics.txt" "$out/silo-last.metrics"
    echo "$1 $name $heap $(awk '/^Threads:/ { print $2 }' /proc/$pid/status) $connections $series $activations"
  done
}

RATE=$rate wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SOAK_SECONDS}"s -s bench/soak.lua $API >"$out/soak.txt" &
wrk_pid=$!; pids+=($wrk_pid)
start=$(date +%s)
while kill -0 $wrk_pid 2>/dev/null; do
  now=$(($(date +%s) - start))
  (( now <= SOAK_SECONDS )) && sample "$now" >>"$out/samples.txt"
  sleep "$SAMPLE_SECONDS"
done
wait $wrk_pid || true
cat "$out/soak.txt"
errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out/soak.txt")
echo "errors (non-2xx answers and socket errors): $errors"
for name in silo api; do
  kill -0 "$([[ $name == silo ]] && echo $silo_pid || echo $api_pid)" || { echo "the $name process died during the soak" >&2; exit 1; }
done

python3 - "$out/samples.txt" "$SETTLE_SECONDS" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
settle = float(sys.argv[2])
def slope(points):
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points) * 60
print(f"{'process':8} {'metric':12} {'first':>12} {'last':>12} {'min':>12} {'max':>12} {'slope/min':>12}  (after {settle:.0f} s)")
for name in ("silo", "api"):
    mine = [r for r in rows if r[1] == name]
    for column, label, scale in ((2, "heap MiB", 1 / 1048576), (3, "threads", 1), (4, "connections", 1), (5, "series", 1), (6, "activations", 1)):
        points = [(float(r[0]), float(r[column]) * scale) for r in mine if float(r[0]) >= settle]
        if len(points) < 3:
            print(f"{name:8} {label:12} too few samples after {settle:.0f} s")
            continue
        values = [y for _, y in points]
        print(f"{name:8} {label:12} {values[0]:12.1f} {values[-1]:12.1f} {min(values):12.1f} {max(values):12.1f} {slope(points):+12.2f}")
PY
# The series that came or went during the run (names and labels, values left out).
series_of() { grep -v '^#' "$1" | sed 's/ [^ ]*$//' | sort; }
echo "silo series added during the run:"; comm -13 <(series_of "$out/silo-first.metrics") <(series_of "$out/silo-last.metrics") | sed 's/^/  /' | head -40
echo "spans received: $(curl -s $RECEIVER/stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["spans"])')"
echo "samples: $out/samples.txt"
