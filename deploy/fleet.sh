#!/usr/bin/env bash
# The compose.yaml topology as plain processes on this machine: 2 gateways, 2 workers, with
# PostgreSQL and RabbitMQ already running. Stop with Ctrl-C (every process stops with it).
#
#   DISCORD_TOKEN=... deploy/fleet.sh [newsbot fleet options, e.g. --shard-count 4 --workers 3]
set -euo pipefail
cd "$(dirname "$0")/.."
export NEWSBOT_DATABASE_URL="${NEWSBOT_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/newsbot}"
export NEWSBOT_BROKER_URL="${NEWSBOT_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/}"
exec uv run --frozen newsbot fleet --shard-count "${NEWSBOT_SHARD_COUNT:-2}" --gateways 2 --workers 2 "$@"
