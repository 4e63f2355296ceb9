#!/usr/bin/env bash
# Boots the whole system as ./run.sh does, measures it under open-loop load against a bare-Kestrel baseline in
# the same run, and writes bench/results/latest.json and latest.md. ./bench.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
highload_prerequisites

echo "Building..."
dotnet build bench/HighLoad.Bench/HighLoad.Bench.csproj -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
exec dotnet bench/HighLoad.Bench/bin/Release/net10.0/HighLoad.Bench.dll "$@"
