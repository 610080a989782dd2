"""SafeFetcher against a real loopback server; no test connects outside 127.0.0.0/8."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.config import Settings
from bot.news.understanding.fetch import (
    FEED_TYPES,
    USER_AGENT,
    FetchError,
    SafeFetcher,
    decode_body,
    make_session,
)
from bot.sandbox.web import ArticleServer, html_page
from tests.conftest import EXAMPLE_ARTICLE, PAGES


class TableResolver(AbstractResolver):
    """Fixed DNS: name -> addresses. Counts lookups."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in self.table:
            raise OSError(f"no such host {host}")
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        pass


def loopback_settings(**changes: object) -> Settings:
    base = {"allow_loopback": True, "fetch_timeout": 5.0, "fetch_max_bytes": 3 * 1024 * 1024}
    base.update(changes)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture
async def server():
    async with ArticleServer(PAGES, example=EXAMPLE_ARTICLE) as srv:
        yield srv


@pytest.fixture
async def fetcher():
    f = SafeFetcher(loopback_settings())
    yield f
    await f.close()


async def expect_error(fetcher: SafeFetcher, url: str, kind: str, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as info:
        await fetcher.fetch(url, **kw)  # type: ignore[arg-type]
    assert info.value.kind == kind, info.value
    assert info.value.message.endswith(".")
    return info.value


async def test_fetches_a_saved_page(server: ArticleServer, fetcher: SafeFetcher) -> None:
    page_id = server.saved_ids()[0]
    result = await fetcher.fetch(server.url(f"/saved/{page_id}"))
    assert result.status == 200
    assert result.content_type == "text/html"
    assert len(result.body) > 1000
    assert "<html" in result.text.lower()
    assert result.headers["content-type"].startswith("text/html")


async def test_fetches_plain_text_article(server: ArticleServer, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(server.url("/article.txt"))
    assert result.content_type == "text/plain"
    assert "Ecuadorian MP Andrés Castillo" in result.text


async def test_sends_user_agent(fetcher: SafeFetcher) -> None:
    seen = {}

    async def handler(request: aiohttp.web.Request) -> aiohttp.web.Response:
        seen["ua"] = request.headers.get("User-Agent")
        return aiohttp.web.Response(body=html_page("x", ["y"]), content_type="text/html")

    app = aiohttp.web.Application()
    app.router.add_get("/", handler)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await fetcher.fetch(f"http://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
    assert seen["ua"] == USER_AGENT


async def test_follows_up_to_five_redirects(server: ArticleServer, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(server.url("/redirect/5"))
    assert result.final_url.endswith("/page/landing")
    assert result.url.endswith("/redirect/5")


async def test_too_many_redirects(server: ArticleServer, fetcher: SafeFetcher) -> None:
    await expect_error(fetcher, server.url("/redirect/6"), "http_error")


async def test_redirect_loop(server: ArticleServer, fetcher: SafeFetcher) -> None:
    err = await expect_error(fetcher, server.url("/loop"), "http_error")
    assert "redirects" in err.message
    assert server.requests.count("/loop") == 6


async def test_endless_body_is_cut(server: ArticleServer, fetcher: SafeFetcher) -> None:
    await expect_error(fetcher, server.url("/endless"), "too_large")


async def test_huge_content_length(server: ArticleServer, fetcher: SafeFetcher) -> None:
    await expect_error(fetcher, server.url("/huge-length"), "too_large")


@pytest.mark.parametrize("path", ["/png", "/pdf"])
async def test_wrong_content_type(server: ArticleServer, fetcher: SafeFetcher, path: str) -> None:
    err = await expect_error(fetcher, server.url(path), "not_html")
    assert "not a web page" in err.message


async def test_feed_types_only_when_asked(server: ArticleServer, fetcher: SafeFetcher) -> None:
    feed = b"<?xml version='1.0' encoding='utf-8'?><rss><channel><title>t</title></channel></rss>"
    server.pages["feed"] = ("application/rss+xml", feed)
    await expect_error(fetcher, server.url("/page/feed"), "not_html")
    result = await fetcher.fetch(server.url("/page/feed"), accept=FEED_TYPES)
    assert result.content_type == "application/rss+xml"
    assert result.body == feed


async def test_slow_drip_times_out(server: ArticleServer) -> None:
    f = SafeFetcher(loopback_settings(fetch_timeout=0.6))
    try:
        await expect_error(f, server.url("/drip"), "timeout")
    finally:
        await f.close()


async def test_invalid_charset_is_replaced(server: ArticleServer, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(server.url("/bad-charset"))
    assert "Odd charset" in result.text
    assert "Caf" in result.text  # decoded somehow, never an exception


async def test_empty_page(server: ArticleServer, fetcher: SafeFetcher) -> None:
    await expect_error(fetcher, server.url("/empty"), "empty")


@pytest.mark.parametrize("code", [404, 500])
async def test_http_errors(server: ArticleServer, fetcher: SafeFetcher, code: int) -> None:
    err = await expect_error(fetcher, server.url(f"/status/{code}"), "http_error")
    assert str(code) in err.message


async def test_304_is_a_result(server: ArticleServer, fetcher: SafeFetcher) -> None:
    result = await fetcher.fetch(server.url("/status/304"), headers={"If-None-Match": '"x"'})
    assert result.status == 304
    assert result.body == b""


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ftp://127.0.0.1/x", "bad_url"),
        ("file:///etc/passwd", "bad_url"),
        ("javascript:alert(1)", "bad_url"),
        ("http://user:pw@127.0.0.1/", "bad_url"),
        ("http:///nohost", "bad_url"),
        ("", "bad_url"),
        ("http://10.0.0.1/", "blocked"),
        ("http://169.254.169.254/latest/meta-data/", "blocked"),
        ("http://[::ffff:127.0.0.1]/", "blocked"),
        ("http://[fe80::1]/", "blocked"),
        ("http://0.0.0.0/", "blocked"),
    ],
)
async def test_bad_and_blocked_urls_never_connect(
    url: str, kind: str, fetcher: SafeFetcher
) -> None:
    await expect_error(fetcher, url, kind)


async def test_loopback_blocked_unless_allowed(server: ArticleServer) -> None:
    f = SafeFetcher(loopback_settings(allow_loopback=False))
    try:
        err = await expect_error(f, server.url("/page/landing"), "blocked")
        assert "loopback" in err.message
        await expect_error(f, f"http://localhost:{server.port}/page/landing", "blocked")
    finally:
        await f.close()
    assert server.requests == []


async def test_redirect_back_to_loopback_is_blocked() -> None:
    """A "public" site (127.0.0.2 standing in for the internet) redirects to 127.0.0.1
    while loopback is not allowed: the redirect is refused and 127.0.0.1 never asked."""
    async with (
        ArticleServer(host="127.0.0.2") as public,
        ArticleServer(host="127.0.0.1") as internal,
    ):
        settings = loopback_settings(allow_loopback=False)
        resolver = TableResolver(
            {"news.test": ["127.0.0.2"], "intranet.test": ["127.0.0.1"], "localhost": ["127.0.0.1"]}
        )
        session = make_session(settings, resolver=resolver, exempt={"127.0.0.2"})
        f = SafeFetcher(settings, session)
        try:
            ok = await f.fetch(f"http://news.test:{public.port}/page/landing")
            assert ok.status == 200
            for target in (
                internal.url("/page/landing"),
                f"http://intranet.test:{internal.port}/page/landing",
                f"http://localhost:{internal.port}/page/landing",
            ):
                to = f"http://news.test:{public.port}/to?url={target}"
                err = await expect_error(f, to, "blocked")
                assert "not allowed" in err.message
        finally:
            await f.close()
            await session.close()
        assert internal.requests == []
        assert len(public.requests) == 4


async def test_connects_only_to_vetted_addresses() -> None:
    """The address the resolver vetted is the address used: a name that resolves to a
    private address is refused at resolution, and one that resolves to a public address
    plus a private one is refused as a whole."""
    settings = loopback_settings()
    resolver = TableResolver(
        {
            "ok.test": ["127.0.0.1"],
            "private.test": ["10.1.2.3"],
            "mixed.test": ["127.0.0.1", "192.168.1.1"],
            "meta.test": ["169.254.169.254"],
            "v6.test": ["fd00::1"],
        }
    )
    async with ArticleServer() as srv:
        session = make_session(settings, resolver=resolver)
        f = SafeFetcher(settings, session)
        try:
            assert (await f.fetch(f"http://ok.test:{srv.port}/page/landing")).status == 200
            for name in ("private.test", "mixed.test", "meta.test", "v6.test"):
                await expect_error(f, f"http://{name}:{srv.port}/page/landing", "blocked")
            await expect_error(f, f"http://nowhere.test:{srv.port}/", "unreachable")
        finally:
            await f.close()
            await session.close()
        assert srv.requests == ["/page/landing"]


async def test_refuses_a_session_without_the_safe_resolver() -> None:
    async with aiohttp.ClientSession() as plain:
        with pytest.raises(ValueError):
            SafeFetcher(loopback_settings(), plain)


async def test_unreachable_port(fetcher: SafeFetcher) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    await expect_error(fetcher, f"http://127.0.0.1:{port}/", "unreachable")


def test_decode_body_fallbacks() -> None:
    assert decode_body("héllo".encode(), None) == "héllo"
    assert decode_body("héllo".encode("cp1252"), None) == "héllo"
    assert decode_body("héllo".encode("cp1252"), "nonsense") == "héllo"
    meta = b"<html><head><meta charset='iso-8859-1'></head><p>\xe9</p>"
    assert "é" in decode_body(meta, None)
    assert "é" in decode_body("<p>é</p>".encode(), "utf-8")
    assert "\ufffd" in decode_body(b"<p>\xff</p>", "utf-8")
