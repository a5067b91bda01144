#!/usr/bin/env bash
# Micro benchmarks (BenchmarkDotNet, in-process toolchain, MemoryDiagnoser): the grain-call metrics filters and the
# simulated database wrapper with the OpenTelemetry SDK listening.   bash bench/micro.sh [--job short]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Micro -- --filter '*' --inProcess "$@"
