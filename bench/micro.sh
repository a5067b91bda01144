#!/usr/bin/env bash
# Micro benchmarks (BenchmarkDotNet, in-process toolchain, MemoryDiagnoser): the grain-call metrics filters and the
# simulated database wrapper with the OpenTelemetry SDK listening.   bash bench/micro.sh [--job short]
# Memory per activated idle grain:                                    bash bench/micro.sh memory [N]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "memory" ]; then
  exec dotnet run -c Release --project bench/Micro -- "$@"
fi
exec dotnet run -c Release --project bench/Micro -- --filter '*' --inProcess "$@"
