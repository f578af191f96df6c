#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test in CathLab.sln.
# Ends with one line: "N passed, N failed[, N skipped]", counted from the test results.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
# -m:1: one test assembly at a time. The hardware-in-the-loop tests hold real serial links to the simulators with
# real-time heartbeats and retries; with every assembly at once on two cores (load 10+) they lost links that a
# station on its own machine never would.
dotnet test "$root/CathLab.sln" -c Release --no-build --nologo -m:1 \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1500000
status=$?
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "test: dotnet test exited $status without a failed test: counted as one failure"; fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
