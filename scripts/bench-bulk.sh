#!/usr/bin/env bash
# Compares asynq's Inspector.RunAllArchivedTasks with asynqtop's batched RunAll on
# 100,000 archived tasks: throughput, and the worst and p99 wait of a PING sent every
# millisecond on another connection while each runs. The Go program starts its own
# redis-server on a free loopback port and removes it afterwards; it needs only go and
# redis-server. Extra arguments go to the program (e.g. -n 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || {
  echo "bench-bulk: redis-server not found on PATH (apt-get install -y redis-server)" >&2
  exit 1
}
exec go run ./source/actions/internal/benchbulk/cmd "$@"
