#!/usr/bin/env bash
# The test command the README gives: vet, every test (real redis-server processes are
# started by the tests themselves), then each fuzz target for a bounded number of inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

# A count, not a duration: a duration races the fuzz coordinator in Go 1.26
# (go.dev/issue/75804) and fails with "context deadline exceeded" and no crasher.
FUZZTIME="${FUZZTIME:-50000x}"

go vet ./...
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -v for the count of tests; only package lines and failures are shown.
status=0
go test -v -count=1 -timeout 15m ./... >"$log" 2>&1 || status=$?
grep -E '^(ok|FAIL|---|panic:|\s+\S+_test\.go:[0-9]+:)|no test files' "$log" | grep -v '^--- PASS' || true
passed=$(grep -c '^--- PASS' "$log" || true)
failed=$(grep -c '^--- FAIL' "$log" || true)
if [ "$status" -ne 0 ]; then
  echo "tests: $passed passed, $failed failed"
  exit "$status"
fi

# go test runs one fuzz target per invocation; list them and run each for $FUZZTIME inputs.
fuzzed=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | cut -c6-); do
    echo "fuzz $pkg $fn for $FUZZTIME"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/asynqtop-fuzz.log 2>&1 || {
      cat /tmp/asynqtop-fuzz.log
      echo "fuzz target $fn in $pkg failed"
      exit 1
    }
    fuzzed=$((fuzzed + 1))
  done
done
echo "fuzz: $fuzzed targets ran for $FUZZTIME each without a failure"
echo "tests: $passed passed, $failed failed"
