"""Driver exceptions turned into the store's typed errors at the backend's edge."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

from bot.news.store.errors import StoreReadOnly, StoreUnreachable

T = TypeVar("T")

_CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
)


def translate(exc: BaseException) -> BaseException | None:
    """The store error for a driver exception, or None when it is not one of ours."""
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return StoreReadOnly("The database was opened read-only.")
    if isinstance(exc, _CONNECTION_ERRORS):
        return StoreUnreachable(f"The connection to PostgreSQL failed: {exc}.")
    return None


def guarded(func: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return await func(*args, **kwargs)
        except Exception as exc:
            mapped = translate(exc)
            if mapped is None:
                raise
            raise mapped from exc

    return wrapper


def guard_methods(cls: type[T]) -> type[T]:
    """Wrap every public coroutine method of ``cls`` with ``guarded``."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, guarded(member))
    return cls
