"""Real PostgreSQL and RabbitMQ for fleet tests: an own database and own queue names per run.

Where a service is absent the test skips with the reason, unless NEWSBOT_REQUIRE_SERVICES=1
(or NEWSBOT_REQUIRE_POSTGRES=1 for PostgreSQL), as CI sets: then it fails.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest

from bot.news.store.postgres import migrate

PG_ADMIN_URL = os.environ.get("NEWSBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("NEWSBOT_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


def _required(*variables: str) -> bool:
    return any(os.environ.get(v) == "1" for v in variables)


def unavailable(reason: str, *variables: str) -> None:
    """Skip, or fail when the environment says the service must be there."""
    if _required("NEWSBOT_REQUIRE_SERVICES", *variables):
        pytest.fail(
            f"{reason} (required by {' or '.join(('NEWSBOT_REQUIRE_SERVICES', *variables))})"
        )
    pytest.skip(reason)


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new database with the fleet schema; its URL. Dropped afterwards."""
    asyncpg = pytest.importorskip("asyncpg")
    if not _listening("127.0.0.1", 5432):
        unavailable("no PostgreSQL on 127.0.0.1:5432", "NEWSBOT_REQUIRE_POSTGRES")
    name = f"newsbot_fleet_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL refused the test connection: {exc}", "NEWSBOT_REQUIRE_POSTGRES")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        conn = await asyncpg.connect(url)
        try:
            await migrate.upgrade(conn)  # every migration, the fleet's included
        finally:
            await conn.close()
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@dataclass(frozen=True, slots=True)
class Rabbit:
    url: str
    queue: str  # the broker_queue setting: exchange and queue names derive from it


@asynccontextmanager
async def fresh_queue() -> AsyncIterator[Rabbit]:
    """Own exchange and queue names on the local RabbitMQ; deleted afterwards (the
    management API that would make a vhost is not installed everywhere)."""
    aio_pika = pytest.importorskip("aio_pika")
    if not _listening("127.0.0.1", 5672):
        unavailable("no RabbitMQ on 127.0.0.1:5672")
    rabbit = Rabbit(AMQP_URL, f"newsbot-test-{uuid.uuid4().hex[:12]}")
    try:
        yield rabbit
    finally:
        try:
            connection = await aio_pika.connect(AMQP_URL, timeout=5)
        except (TimeoutError, OSError):
            return
        async with connection:
            for queue in (f"{rabbit.queue}.jobs", f"{rabbit.queue}.dead"):
                channel = await connection.channel()
                with contextlib.suppress(aio_pika.exceptions.AMQPError):
                    await channel.queue_delete(queue)
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.exchange_delete(rabbit.queue)
