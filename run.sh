#!/usr/bin/env bash
# Builds HighLoad and starts the whole system in the foreground; Ctrl+C stops all of it.
#   ./run.sh            start (state kept in .highload/ between runs)
#   ./run.sh --fresh    start from empty state
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
highload_prerequisites

echo "Building..."
dotnet build HighLoad.sln -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"

# exec: Ctrl+C and SIGTERM go straight to the AppHost, which stops every resource it started.
exec dotnet HighLoad.AppHost/bin/Release/net10.0/HighLoad.AppHost.dll "$@"
