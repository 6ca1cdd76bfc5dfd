#!/usr/bin/env bash
# Refresh cost, asynqtop vs asynq's Inspector, on a real redis-server this script starts,
# plus the dashboard's View time for 200 queues at 200x60.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== one refresh: asynqtop vs asynq Inspector (Queues + GetQueueInfo each)"
go run ./source/internal/benchrefresh "$@"
echo
echo "== View of 200 queues at 200x60 (target <= 5 ms/op), and a refresh with its first frame"
go test -run '^$' -bench 'BenchmarkView|BenchmarkRefreshView' -benchmem ./ui
