"""The address policy and the safe resolver, without opening any connection."""

from __future__ import annotations

import pytest

from bot.news.understanding.fetch import (
    BlockedAddressError,
    FetchError,
    SafeResolver,
    check_address,
    validate_url,
)
from tests.news.test_fetch import TableResolver

BLOCKED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.0.0.1",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",  # cloud metadata
    "169.254.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",  # reserved
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # site-local (deprecated)
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "::ffff:8.8.8.8",  # mapped addresses are refused whatever they map to
    "::10.0.0.1",  # IPv4-compatible
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::808:808",  # NAT64 at all
    "64:ff9b:1::1",
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo to 10.0.0.1 (client obfuscated)
    "2001:db8::1",  # documentation
    "fd00:ec2::254",  # AWS metadata over IPv6
    "not an address",
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001::1"]


@pytest.mark.parametrize("ip", BLOCKED)
def test_blocked_addresses(ip: str) -> None:
    assert check_address(ip) is not None


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses(ip: str) -> None:
    assert check_address(ip) is None


def test_loopback_only_when_allowed_and_nothing_else() -> None:
    assert check_address("127.0.0.1", allow_loopback=True) is None
    assert check_address("::1", allow_loopback=True) is None
    for ip in ("10.0.0.1", "169.254.169.254", "fe80::1", "::ffff:127.0.0.1", "0.0.0.0"):
        assert check_address(ip, allow_loopback=True) is not None, ip


def test_reasons_are_named() -> None:
    assert check_address("127.0.0.1") == "loopback"
    assert check_address("10.0.0.1") == "private"
    assert "metadata" in (check_address("169.254.169.254") or "")
    assert check_address("fe80::1") == "link-local"
    assert "mapped" in (check_address("::ffff:10.0.0.1") or "")


async def test_resolver_returns_only_vetted_addresses() -> None:
    inner = TableResolver(
        {"good.test": ["8.8.8.8", "2606:4700:4700::1111"], "bad.test": ["8.8.8.8", "10.0.0.1"]}
    )
    resolver = SafeResolver(inner=inner)
    hosts = await resolver.resolve("good.test", 443)
    assert [h["host"] for h in hosts] == ["8.8.8.8", "2606:4700:4700::1111"]
    with pytest.raises(BlockedAddressError) as info:
        await resolver.resolve("bad.test", 443)
    assert info.value.reason == "private"


async def test_resolver_rebinding_second_answer_is_checked_too() -> None:
    """A name that answers public first and private next is checked on every lookup."""

    class Rebinding(TableResolver):
        async def resolve(self, host, port=0, family=0):  # type: ignore[no-untyped-def]
            answers = await super().resolve(host, port, family)
            self.table[host] = ["169.254.169.254"]
            return answers

    resolver = SafeResolver(inner=Rebinding({"rebind.test": ["8.8.8.8"]}))
    assert (await resolver.resolve("rebind.test", 80))[0]["host"] == "8.8.8.8"
    with pytest.raises(BlockedAddressError):
        await resolver.resolve("rebind.test", 80)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]/",
        "http://127.0.0.1:8080/",
        "http://[fd00::1]/",
        "https://192.168.1.1/admin",
        "http://[::ffff:a00:1]/",
    ],
)
def test_ip_literal_urls_are_checked_before_any_request(url: str) -> None:
    with pytest.raises(FetchError) as info:
        validate_url(url)
    assert info.value.kind == "blocked"


def test_validate_url_accepts_public_names() -> None:
    assert validate_url("https://example.com/a?b=c").host == "example.com"
    assert validate_url("http://8.8.8.8/").host == "8.8.8.8"
