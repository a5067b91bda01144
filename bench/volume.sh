#!/usr/bin/env bash
# Telemetry volume per request type, from a real OTLP receiver (bench/otlp-receiver.py): spans per request and OTLP
# bytes per request (traces, logs), OTLP metrics bytes per export, and Prometheus series on the silo. The hosts run as
# shipped (Production, appsettings as committed, 100 % sampling) with grain state in a local redis-server, so that a
# silo restart leaves the users in storage and their grains inactive:
#   cold order   POST /api/users/{id}/orders, the user grain not active (activated from storage) and a new order grain
#   warm order   the same with the user grain active (the order grain is always new)
#   read         GET /api/users/{id}, grain active
#   listing      GET /api/users/{id}/orders, two orders each (the user grain fans out to its order grains)
# then the CPU of each process per read at a paced PACED_RATE (wrk over 2,000 users, bench/keys.lua), export on.
#   bash bench/volume.sh                                          # N=200 requests per type, 100 % sampling
#   SAMPLER=parentbased_traceidratio SAMPLER_ARG=0.1 bash bench/volume.sh   # 10 %
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-tools redis-server wrk

N="${N:-200}"; PACED_RATE="${PACED_RATE:-2000}"; SAMPLER="${SAMPLER:-parentbased_always_on}"; SAMPLER_ARG="${SAMPLER_ARG:-1}"
API=http://127.0.0.1:5080
API_MANAGEMENT=http://127.0.0.1:5081
SILO_HTTP=http://127.0.0.1:5180
RECEIVER=http://127.0.0.1:4319
REDIS_PORT=6391
out="$(mktemp -d)"
pids=()
silo_pid=
api_pid=
cleanup() { for pid in "${pids[@]:-}" $silo_pid $api_pid; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build Api -c Release -v q -nologo >/dev/null

source bench/lib.sh

redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no >"$out/redis.log" 2>&1 & pids+=($!)
python3 bench/otlp-receiver.py 4319 & pids+=($!)
common=(ASPNETCORE_ENVIRONMENT=Production OTEL_EXPORTER_OTLP_ENDPOINT=$RECEIVER OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  OTEL_BSP_SCHEDULE_DELAY=200 OTEL_METRIC_EXPORT_INTERVAL=2000 OTEL_TRACES_SAMPLER=$SAMPLER OTEL_TRACES_SAMPLER_ARG=$SAMPLER_ARG
  Orleans__Clustering__ProviderType=Redis Orleans__Clustering__ConnectionString=127.0.0.1:$REDIS_PORT)
start_silo() {
  (cd Silo/bin/Release/net10.0 && exec env "${common[@]}" ASPNETCORE_URLS=$SILO_HTTP Orleans__Endpoints__AdvertisedIPAddress=127.0.0.1 \
    Orleans__GrainStorage__Default__ProviderType=Redis Orleans__GrainStorage__Default__ConnectionString=127.0.0.1:$REDIS_PORT \
    dotnet OrleansObservability.Silo.dll >>"$out/silo.log" 2>&1) &
  silo_pid=$!
  wait_ready $SILO_HTTP/health/ready
}
start_silo
(cd Api/bin/Release/net10.0 && exec env "${common[@]}" ASPNETCORE_URLS=$API dotnet OrleansObservability.Api.dll >"$out/api.log" 2>&1) &
api_pid=$!
wait_ready $API_MANAGEMENT/health/ready

stats() { curl -s $RECEIVER/stats; }
# Waits until the receiver's span count has not moved for a second (each host exports every 200 ms).
settle() { local last=-1 now; while now=$(stats | jq '.spans | length'); [[ $now != "$last" ]]; do last=$now; sleep 1; done; }
request() { # method path [body] -> trace id of the response
  curl -s -o /dev/null -D - -X "$1" "$API$2" ${3:+-H 'Content-Type: application/json' -d "$3"} | tr -d '\r' | awk -F- 'tolower($1) ~ /^traceresponse: 00$/ { print $2 }'
}
order='{"lines":[{"sku":"SKU-1","quantity":2,"unitPrice":10.5}]}'

for i in $(seq 1 "$N"); do request PUT "/api/users/volume-$i" '{"displayName":"Volume User","email":"volume@example.com"}' >/dev/null; done
# A restart: the users stay in Redis, their grains are no longer active.
kill "$silo_pid"; wait "$silo_pid" 2>/dev/null || true
start_silo
wait_ready $API_MANAGEMENT/health/ready
for _ in $(seq 1 60); do [[ $(curl -s -o /dev/null -w '%{http_code}' $API/api/users/volume-probe) == 404 ]] && break; sleep 0.5; done
settle

phase() { # name method path-template [body]
  local name=$1 before after
  settle; before=$(stats)
  for i in $(seq 1 "$N"); do request "$2" "${3//\{i\}/$i}" "${4:-}"; done >"$out/$name.ids"
  settle; after=$(stats)
  python3 - "$name" "$N" "$out/$name.ids" <<PY
import json, statistics, sys
name, n, ids = sys.argv[1], int(sys.argv[2]), set(open(sys.argv[3]).read().split())
before, after = json.loads('''$before'''), json.loads('''$after''')
per_trace = {}
for trace_id, span in after["spans"]:
    if trace_id in ids:
        per_trace.setdefault(trace_id, []).append(span)
counts = sorted(len(v) for v in per_trace.values())
example = max(per_trace.values(), key=len) if per_trace else []
traces = (after["bytes"]["traces"] - before["bytes"]["traces"]) / n
logs = (after["bytes"]["logs"] - before["bytes"]["logs"]) / n
print(f"{name:<12} traces {len(per_trace)}/{n}  spans per request median {statistics.median(counts)} (min {counts[0]}, max {counts[-1]})"
      f"  OTLP trace bytes per request {traces:.0f}  log bytes per request {logs:.0f}")
print(f"{'':<12} spans of the longest: {', '.join(sorted(example))}")
PY
}
phase "cold order" POST '/api/users/volume-{i}/orders' "$order"
phase "warm order" POST '/api/users/volume-{i}/orders' "$order"
phase "read" GET '/api/users/volume-{i}'
phase "listing" GET '/api/users/volume-{i}/orders'

# Metrics: OTLP bytes per export of both hosts together, over idle exports every 2 s; and the silo's Prometheus series.
before=$(stats | jq '.bytes.metrics'); sleep 10; after=$(stats | jq '.bytes.metrics')
echo "metrics      OTLP bytes per export, silo and API together: $(( (after - before) / 5 ))"
metrics=$(curl -s $SILO_HTTP/metrics)
echo "prometheus   silo series $(grep -vc '^#' <<<"$metrics"), of which rpc_server_call_duration $(grep -c '^rpc_server_call_duration' <<<"$metrics")" \
  "for $(grep '^rpc_server_call_duration_seconds_count' <<<"$metrics" | wc -l) method x error.type combinations"

# CPU per request at a paced rate, each process on its own (user + system time from /proc over the interval).
create_load_users "$API" 2000
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
RATE=$PACED_RATE wrk -t2 -c32 -d10s -s bench/keys.lua "$API" >/dev/null   # warm-up
silo_before=$(ticks "$silo_pid"); api_before=$(ticks "$api_pid")
RATE=$PACED_RATE wrk -t2 -c32 -d20s -s bench/keys.lua "$API" >"$out/wrk.txt"
silo_after=$(ticks "$silo_pid"); api_after=$(ticks "$api_pid")
awk -v silo=$((silo_after - silo_before)) -v api=$((api_after - api_before)) -v hz="$(getconf CLK_TCK)" -v sampler="$SAMPLER" '
  /requests in/ { requests=$1 } /Requests\/sec/ { rate=$2 }
  END { printf "cpu          at %.0f reads/s: silo %.1f us, API %.1f us per request (sampler %s)\n", rate, 1e6 * silo / hz / requests, 1e6 * api / hz / requests, sampler }' \
  "$out/wrk.txt"
