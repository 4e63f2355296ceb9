#!/usr/bin/env bash
# Boots the whole system as ./run.sh does, measures it under open-loop load against a bare-Kestrel baseline in
# the same run, and writes bench/results/latest.json and latest.md. ./bench.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
highload_prerequisites
# wrk: the same baseline measured by a C load generator, to show whether ours limits the baseline's knee.
if ! command -v wrk > /dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing wrk..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk > /dev/null; } \
      || echo "warning: apt-get could not install wrk; the generator will not be compared with it" >&2
  else
    echo "note: wrk is not installed (sudo apt-get install -y wrk); the generator will not be compared with it"
  fi
fi

echo "Building..."
dotnet build bench/HighLoad.Bench/HighLoad.Bench.csproj -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
exec dotnet bench/HighLoad.Bench/bin/Release/net10.0/HighLoad.Bench.dll "$@"
