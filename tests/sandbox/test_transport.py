"""How the client reaches the emulator: the certificate and the resolver."""

from __future__ import annotations

import pytest

from bot.sandbox import transport


def test_without_openssl_the_error_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(transport, "_cached", None)
    monkeypatch.setattr(transport.shutil, "which", lambda name: None)
    with pytest.raises(transport.SandboxError, match="install openssl"):
        transport.certificate()


async def test_resolver_maps_discord_hosts_and_refuses_others() -> None:
    resolver = transport.LoopbackResolver(4321)
    (entry,) = await resolver.resolve("gateway.discord.gg", 443)
    assert (entry["host"], entry["port"]) == ("127.0.0.1", 4321)
    with pytest.raises(OSError, match="not reachable"):
        await resolver.resolve("example.com", 443)
