#!/usr/bin/env bash
# Runs every test: unit tests, and integration tests against the real servers booted once by the AppHost's
# own app model (free ports, a temporary state folder). Ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh
highload_prerequisites || exit 1

results=.highload/test-results
export HIGHLOAD_TEST_STATE_DIR="$PWD/.highload/test-state"
rm -rf "$results"
mkdir -p "$results"

echo "Building..."
if ! dotnet build HighLoad.sln -c Release -nologo -v quiet -clp:"ErrorsOnly;NoSummary"; then
  echo "error: the build failed"
  exit 1
fi

dotnet test HighLoad.Tests/HighLoad.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" --blame-hang-timeout 10m 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

trx="$results/results.trx"
if [ ! -f "$trx" ]; then
  echo "error: the test run ended without results (exit code $status)"
  exit 1
fi

counter() { grep -o "<Counters [^>]*>" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*"; }
passed=$(counter passed); failed=$(counter failed); total=$(counter total)
skipped=$((total - passed - failed))
if [ "$total" -eq 0 ]; then
  echo "error: no test ran"
  status=1
fi

if [ "$failed" -gt 0 ]; then
  # Repeated at the end, where a CI log's tail shows it: each failed test and what it asserted (not the stack).
  echo "== The failed tests, again:"
  awk '/^  Failed / { show = 1; lines = 0 } /^  Stack Trace:/ { show = 0 } show && lines++ < 25' "$results/console.log"
fi
echo "Logs of the servers the tests started: $HIGHLOAD_TEST_STATE_DIR/logs"
if [ -f "$results/api-answers.md" ]; then
  echo "What the API answered the tests, per operation, beside what its OpenAPI document lists: $results/api-answers.md"
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
