"""The pool in front of asyncpg's: a clean connection is reused, anything else is not,
and a caller waiting for a connection always gets one."""

from __future__ import annotations

import asyncio

import pytest

from bot.news.store.postgres.pool import create_pool
from tests.store.postgres_support import fresh_database


async def test_a_cleanly_released_connection_is_handed_back() -> None:
    async with fresh_database() as url:
        pool = await create_pool(url, max_size=2)
        try:
            async with pool.acquire() as first:
                await first.fetchval("SELECT 1")
            async with pool.acquire() as conn:
                # the same object: asyncpg's own pool wraps each acquire in a new proxy
                assert conn is first
                assert await conn.fetchval("SELECT 1") == 1
        finally:
            await pool.close()


async def test_a_failed_query_or_open_transaction_goes_back_through_asyncpg() -> None:
    async with fresh_database() as url:
        pool = await create_pool(url, max_size=1)
        try:
            with pytest.raises(ZeroDivisionError):
                async with pool.acquire() as conn:
                    await conn.execute("BEGIN")
                    await conn.execute("CREATE TABLE left_open (x int)")
                    raise ZeroDivisionError
            async with pool.acquire() as conn:
                await conn.execute("BEGIN")
                await conn.execute("CREATE TABLE also_left_open (x int)")
            # both transactions were rolled back by asyncpg's release
            async with pool.acquire() as conn:
                assert not conn.is_in_transaction()
                assert await conn.fetchval("SELECT to_regclass('left_open')") is None
                assert await conn.fetchval("SELECT to_regclass('also_left_open')") is None
        finally:
            await pool.close()


async def test_callers_beyond_the_pool_size_all_get_a_connection() -> None:
    async with fresh_database() as url:
        pool = await create_pool(url, max_size=2)
        try:

            async def query(n: int) -> int:
                async with pool.acquire() as conn:
                    await asyncio.sleep(0.001 * (n % 3))
                    return await conn.fetchval("SELECT $1::int", n)

            got = await asyncio.wait_for(asyncio.gather(*(query(n) for n in range(40))), 60)
            assert got == list(range(40))
            assert pool.inner.get_size() <= 2
        finally:
            await pool.close()


async def test_connections_left_idle_after_a_burst_go_back_to_asyncpg() -> None:
    async with fresh_database() as url:
        pool = await create_pool(url, max_size=3, idle_after=0.05)
        try:
            started = asyncio.Event()
            holding = 0

            async def hold() -> None:
                nonlocal holding
                async with pool.acquire() as conn:
                    holding += 1
                    if holding == 3:
                        started.set()
                    await started.wait()  # three connections in use at once
                    await conn.fetchval("SELECT 1")

            await asyncio.wait_for(asyncio.gather(hold(), hold(), hold()), 60)
            assert pool.kept == 3
            for _ in range(600):  # until the sweep ran (bounded, not timed)
                if pool.kept == 0 and pool.inner.get_idle_size() == 3:
                    break
                await asyncio.sleep(0.05)
            assert pool.kept == 0
            # asyncpg holds them as idle again, and the next query still works
            assert pool.inner.get_idle_size() == pool.inner.get_size() == 3
            async with pool.acquire() as conn:
                assert await conn.fetchval("SELECT 2") == 2
            assert pool.kept == 1
        finally:
            await pool.close()
