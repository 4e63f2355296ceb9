#!/usr/bin/env bash
# Boots the whole system as ./run.sh does, loads it with jobs and users from 24 clients while a seeded schedule of
# faults runs (kills, restarts, broker and provider outages, a rebalance), waits for the drain, and checks a ledger
# of what the clients were answered against what the system kept. Writes chaos/results/latest.{json,md}; exits 1
# when an invariant failed. ./chaos.sh --help lists the options.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
highload_prerequisites

echo "Building..."
dotnet build chaos/HighLoad.Chaos/HighLoad.Chaos.csproj -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
exec dotnet chaos/HighLoad.Chaos/bin/Release/net10.0/HighLoad.Chaos.dll "$@"
