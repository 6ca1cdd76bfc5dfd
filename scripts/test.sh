#!/usr/bin/env bash
# The test command the README gives: vet, every test (real redis-server processes are
# started by the tests themselves), then each fuzz target for a bounded number of inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

# A count, not a duration: a duration races the fuzz coordinator in Go 1.26
# (go.dev/issue/75804) and fails with "context deadline exceeded" and no crasher.
FUZZTIME="${FUZZTIME:-50000x}"

go vet ./...
go test -count=1 -timeout 15m ./...

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
