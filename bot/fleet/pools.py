"""PostgreSQL connections each process of the fleet holds at most, by role.

A fleet grows by processes, and PostgreSQL by default accepts 100 connections in all, so
each role's pools are sized by what it does at once (`newsbot run` alone keeps 10).
``NEWSBOT_DATABASE_POOL`` overrides the store pool of every role.
"""

from __future__ import annotations

import os

GATEWAY_STORE_POOL = 4  # a gateway's commands are short reads; ingestion is the workers'
GATEWAY_LEDGER_POOL = 2  # recording interactions and reading outcomes
LISTEN_CONNECTIONS = 1  # a gateway's LISTEN for finished jobs, outside any pool
WORKER_LEDGER_POOL = 3  # outcomes, feed leases, per-host budgets


def worker_store_pool(concurrency: int) -> int:
    """A worker holds two jobs per CPU process, each storing through one connection at a
    time, plus one for its feed cycle."""
    return 2 * max(1, concurrency) + 1


def store_pool_size(role_default: int) -> int:
    configured = os.environ.get("NEWSBOT_DATABASE_POOL", "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else role_default


def gateway_connections() -> int:
    return store_pool_size(GATEWAY_STORE_POOL) + GATEWAY_LEDGER_POOL + LISTEN_CONNECTIONS


def worker_connections(concurrency: int) -> int:
    return store_pool_size(worker_store_pool(concurrency)) + WORKER_LEDGER_POOL
