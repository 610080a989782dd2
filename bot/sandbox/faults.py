"""Discord's failures on command, for tests of how a bot lives through them.

REST: a 429 (``retry_after``; per route or global; with or without the ``Via`` header that
marks an answer as Discord's rather than a Cloudflare ban) or a 5xx, either instead of the
request or after it took effect (the bot cannot know that a message was stored). The
gateway side (closes, INVALID_SESSION, replay on RESUME) lives on ``Gateway``.

    emulator.faults.rate_limit(path=r"/messages$", retry_after=0.05, scope="global")
    emulator.faults.fail(method="POST", path=r"/messages$", status=502, after=True)
    held = emulator.faults.hold(method="POST", path=r"/messages$", after=True)
    await held.reached.wait()   # the message is stored; its answer waits for release()
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field

from aiohttp import web

RATE_LIMIT_SCOPES = ("user", "global", "shared")
SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                 504: "Gateway Timeout"}  # fmt: skip


@dataclass
class RestFault:
    """The next ``times`` requests matching ``method`` and ``path`` (a regex) fail so."""

    status: int
    method: str | None = None
    path: str | None = None
    times: int = 1
    retry_after: float = 0.0
    scope: str = "user"
    via: bool = True
    after: bool = False  # the request takes effect; only its answer is lost

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or re.search(self.path, path) is not None
        )

    def response(self) -> web.Response:
        if self.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": self.retry_after,
                    "global": self.scope == "global", "code": 0}  # fmt: skip
            headers = {"Content-Type": "application/json", "Retry-After": str(self.retry_after),
                       "X-RateLimit-Scope": self.scope}  # fmt: skip
            if self.scope == "global":
                headers["X-RateLimit-Global"] = "true"
        else:
            reason = SERVER_ERRORS.get(self.status, "Server Error")
            body = {"message": f"{self.status}: {reason}", "code": 0}
            headers = {"Content-Type": "application/json"}
        if self.via:
            headers["Via"] = "1.1 google"
        return web.Response(body=json.dumps(body).encode(), status=self.status, headers=headers)


@dataclass
class Hold:
    """The next request matching ``method`` and ``path`` (after ``skip`` more that pass
    untouched) waits until ``release()``: before it takes effect, or (``after=True``) once
    it has, with only its answer held back (a client killed meanwhile never learns the
    outcome). ``reached`` is set when it waits.
    ``drop()`` instead lets a request held before it took effect end in a 503, never
    carried out (it never reached Discord's storage)."""

    method: str | None = None
    path: str | None = None
    after: bool = False
    skip: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or re.search(self.path, path) is not None
        )

    async def wait(self) -> None:
        self.reached.set()
        await self.released.wait()

    def release(self) -> None:
        self.released.set()

    def drop(self) -> None:
        self.dropped = True
        self.released.set()


@dataclass
class Faults:
    """The faults waiting to happen, and the ones that did (``fired``)."""

    pending: list[RestFault] = field(default_factory=list)
    fired: list[tuple[str, str, RestFault]] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)

    def hold(self, *, method: str | None = None, path: str | None = None,
             after: bool = False, skip: int = 0) -> Hold:  # fmt: skip
        """Hold the next matching request but ``skip`` (see ``Hold``); release it with
        ``.release()``."""
        held = Hold(method, path, after, skip)
        self.holds.append(held)
        return held

    def take_hold(self, method: str, path: str) -> Hold | None:
        for held in self.holds:
            if held.matches(method, path):
                if held.skip:
                    held.skip -= 1
                    return None
                self.holds.remove(held)
                return held
        return None

    def rate_limit(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        retry_after: float = 0.01,
        scope: str = "user",
        via: bool = True,
    ) -> RestFault:
        """Answer the next ``times`` matching requests with 429. ``scope="global"`` is the
        bot-wide limit; ``via=False`` looks like a Cloudflare ban (clients should not retry)."""
        if scope not in RATE_LIMIT_SCOPES:
            raise ValueError(f"scope must be one of {RATE_LIMIT_SCOPES}")
        fault = RestFault(429, method, path, times, retry_after, scope, via)
        self.pending.append(fault)
        return fault

    def fail(
        self,
        *,
        status: int = 500,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        after: bool = False,
    ) -> RestFault:
        """Answer the next ``times`` matching requests with a server error; with
        ``after=True`` the request is carried out first (e.g. the message is stored)."""
        if status < 500:
            raise ValueError("fail() injects server errors (5xx); use rate_limit() for 429")
        fault = RestFault(status, method, path, times, after=after)
        self.pending.append(fault)
        return fault

    def take(self, method: str, path: str) -> RestFault | None:
        for fault in self.pending:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                self.fired.append((method, path, fault))
                return fault
        return None

    def clear(self) -> None:
        self.pending.clear()
        for held in self.holds:
            held.drop()
        self.holds.clear()
