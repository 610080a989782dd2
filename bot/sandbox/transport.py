"""How the unmodified discord.py client reaches the emulator: no patching at all.

discord.py accepts an aiohttp ``connector``; ours carries a resolver that sends
``discord.com`` and ``gateway.discord.gg`` (and the CDN names) to the emulator's loopback
port, and an SSL context that trusts one self-signed certificate made at run time with the
``openssl`` command. Every other host fails to resolve, so a bot under test can never reach
the real Discord or anything else through its Discord session. The client keeps its real
URLs (``https://discord.com/api/v10``, ``wss://gateway.discord.gg``), so nothing process-wide
(``Route.BASE``, ``DEFAULT_GATEWAY``) is touched and two emulators can run side by side.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

DISCORD_HOSTS = (
    "discord.com",
    "gateway.discord.gg",
    "cdn.discordapp.com",
    "media.discordapp.net",
)


class SandboxError(RuntimeError):
    """The emulator cannot be set up on this machine (a clear message says why)."""


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


_cached: Certificate | None = None


def certificate() -> Certificate:
    """A self-signed certificate for the Discord host names, made once per process."""
    global _cached
    if _cached is not None and _cached.cert.exists():
        return _cached
    openssl = shutil.which("openssl")
    if openssl is None:
        raise SandboxError(
            "the sandbox needs the `openssl` command to make a local certificate; install openssl"
        )
    folder = Path(tempfile.mkdtemp(prefix="newsbot-sandbox-"))
    atexit.register(shutil.rmtree, folder, True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(f"DNS:{host}" for host in DISCORD_HOSTS)
    command = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "7", "-subj", "/CN=discord.com", "-addext", f"subjectAltName={names}",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SandboxError(f"openssl could not make a certificate: {result.stderr.strip()[:300]}")
    _cached = Certificate(cert, key)
    return _cached


def server_ssl_context(cert: Certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.cert, cert.key)
    return context


def client_ssl_context(cert: Certificate) -> ssl.SSLContext:
    """Trusts only the sandbox certificate (no system CAs: nothing else is reachable anyway)."""
    return ssl.create_default_context(cafile=str(cert.cert))


class LoopbackResolver(AbstractResolver):
    """Resolves the Discord host names to the emulator and refuses every other name."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host.rstrip(".") not in DISCORD_HOSTS:
            raise OSError(f"sandbox: {host} is not reachable from a bot under the emulator")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": self.port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


def connector_for(port: int, cert: Certificate) -> aiohttp.TCPConnector:
    """A connector for discord.py that reaches the emulator on ``port`` (needs a running loop)."""
    return aiohttp.TCPConnector(
        resolver=LoopbackResolver(port), ssl=client_ssl_context(cert), limit=0
    )


def client_kwargs(port: int, cert: Certificate) -> dict[str, Any]:
    # A short guild_ready_timeout: READY otherwise waits 2 s after the last GUILD_CREATE.
    return {"connector": connector_for(port, cert), "guild_ready_timeout": 0.05}


ENDPOINT_ENV = "NEWSBOT_SANDBOX_DISCORD"


def endpoint_value(port: int, cert: Certificate) -> str:
    """What a bot process in another process needs to reach this emulator: ``port:cert``."""
    return f"{port}:{cert.cert}"


def client_kwargs_from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Client keyword arguments for a bot started in its own process beside an emulator,
    from ``$NEWSBOT_SANDBOX_DISCORD`` (``port:certificate path``); empty when unset, so the
    bot then reaches the real Discord. Call it inside a running event loop."""
    value = (environ if environ is not None else os.environ).get(ENDPOINT_ENV)
    if not value:
        return {}
    port, _, cert = value.partition(":")
    if not port.isdigit() or not cert:
        raise SandboxError(f"{ENDPOINT_ENV} must be 'port:certificate path', not {value!r}")
    return client_kwargs(int(port), Certificate(Path(cert), Path(cert)))
