#!/usr/bin/env bash
# Micro benchmarks (BenchmarkDotNet, in-process toolchain, MemoryDiagnoser): the grain-call metrics filters and the
# simulated database wrapper with the OpenTelemetry SDK listening, and the grain-call propagation filters (Orleans'
# against the project's).                                             bash bench/micro.sh [--job short] [--filter X]
# Memory per activated idle grain:                                    bash bench/micro.sh memory [N]
# /metrics scrape time with the grain-call histograms of N methods:   bash bench/micro.sh scrape [N]
# Cost and delivery lag of N events on the order stream:              bash bench/micro.sh streams [N] [adonet]
#   (adonet: on Orleans' AdoNet streams in a throwaway PostgreSQL, Debian's postgresql package, started here)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "streams" ] && [ "${3:-}" = "adonet" ]; then
  source bench/lib.sh
  start_postgres 25433
  export BENCH_STREAMS_CONNECTION_STRING="Host=127.0.0.1;Port=25433;Username=postgres;Database=orleans"
  dotnet run -c Release --project bench/Micro -- streams "$2"
  exit
fi
if [ "${1:-}" = "memory" ] || [ "${1:-}" = "scrape" ] || [ "${1:-}" = "streams" ]; then
  exec dotnet run -c Release --project bench/Micro -- "$@"
fi
# Every benchmark unless a --filter is given (e.g. --filter '*Propagation*').
filter=(--filter '*')
for arg in "$@"; do [ "$arg" = --filter ] && filter=(); done
exec dotnet run -c Release --project bench/Micro -- "${filter[@]}" --inProcess "$@"
