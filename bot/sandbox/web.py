"""A real aiohttp server on a loopback address serving article pages and hostile ones,
for the tests and the benchmarks::

    from bot.sandbox.web import ArticleServer

    async with ArticleServer(pages_folder, example=text_file) as server:
        url = server.url("/saved/<page id>")

Routes:
    /saved/{id}        ``{id}.html`` or ``{id}.html.gz`` from the pages folder (text/html)
    /saved-copy/{id}   the same page at another address (dedupe)
    /article.txt       the ``example`` text file (text/plain)
    /page/{name}       a page registered with ``server.pages[name] = (content_type, body)``
    /gated/{name}      like /page/{name}, once ``server.gate`` is set
    /redirect/{n}      redirects n times, then lands on /page/landing
    /loop              redirects to itself forever
    /to?url=...        one redirect to any URL
    /endless           an endless HTML body without Content-Length
    /huge-length       declares a 10 GB Content-Length
    /drip              a few bytes every 0.2 s, for a long time
    /png, /pdf         wrong content types
    /bad-charset       text/html with an unknown charset and invalid bytes
    /empty             200 with an empty body
    /status/{code}     an empty answer with that status
"""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

from aiohttp import web

HTML_TEMPLATE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><article><h1>{headline}</h1>{paragraphs}</article></body></html>"
)


def html_page(title: str, paragraphs: list[str], headline: str | None = None) -> bytes:
    """A small article page; ``headline`` is the ``<h1>`` (the title when not given)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    page = HTML_TEMPLATE.format(title=title, headline=headline or title, paragraphs=body)
    return page.encode("utf-8")


class ArticleServer:
    """Start with ``async with``; ``url(path)`` gives an absolute URL on the server."""

    def __init__(
        self,
        pages: Path | None = None,
        *,
        example: Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.pages_folder = pages
        self.example = example
        self.host = host
        self.port = 0
        self.requests: list[str] = []  # paths asked, in order
        self.pages: dict[str, tuple[str, bytes]] = {
            "landing": ("text/html; charset=utf-8", html_page("Landing", ["You made it."]))
        }
        self._runner: web.AppRunner | None = None
        self.gate = asyncio.Event()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def saved_ids(self) -> list[str]:
        """The ids of the pages in the pages folder, sorted."""
        if self.pages_folder is None:
            return []
        return sorted(
            {p.name.removesuffix(".gz").removesuffix(".html") for p in self._saved_files()}
        )

    def _saved_files(self) -> list[Path]:
        assert self.pages_folder is not None
        return [*self.pages_folder.glob("*.html"), *self.pages_folder.glob("*.html.gz")]

    async def __aenter__(self) -> ArticleServer:
        app = web.Application(middlewares=[self._record])
        app.add_routes(
            [
                web.get("/saved/{id}", self._saved),
                web.get("/saved-copy/{id}", self._saved),
                web.get("/article.txt", self._article),
                web.get("/page/{name}", self._page),
                web.get("/gated/{name}", self._gated),
                web.get("/redirect/{n}", self._redirect),
                web.get("/loop", self._loop),
                web.get("/to", self._to),
                web.get("/endless", self._endless),
                web.get("/huge-length", self._huge_length),
                web.get("/drip", self._drip),
                web.get("/png", self._png),
                web.get("/pdf", self._pdf),
                web.get("/bad-charset", self._bad_charset),
                web.get("/empty", self._empty),
                web.get("/status/{code}", self._status),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.requests.append(request.path_qs)
        return await handler(request)

    async def _saved(self, request: web.Request) -> web.Response:
        page_id = request.match_info["id"]
        if self.pages_folder is None or "/" in page_id or page_id.startswith("."):
            raise web.HTTPNotFound()
        plain = self.pages_folder / f"{page_id}.html"
        zipped = self.pages_folder / f"{page_id}.html.gz"
        if plain.is_file():
            body = plain.read_bytes()
        elif zipped.is_file():
            body = gzip.decompress(zipped.read_bytes())
        else:
            raise web.HTTPNotFound()
        return web.Response(body=body, content_type="text/html")

    async def _article(self, request: web.Request) -> web.Response:
        if self.example is None:
            raise web.HTTPNotFound()
        body = self.example.read_bytes()
        return web.Response(body=body, content_type="text/plain", charset="utf-8")

    async def _page(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.pages:
            raise web.HTTPNotFound()
        content_type, body = self.pages[name]
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _gated(self, request: web.Request) -> web.Response:
        await self.gate.wait()
        return await self._page(request)

    async def _redirect(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        target = f"/redirect/{n - 1}" if n > 1 else "/page/landing"
        raise web.HTTPFound(target)

    async def _loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def _to(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def _endless(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        chunk = b"<p>" + b"endless " * 8000 + b"</p>"
        try:
            while True:
                await resp.write(chunk)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    async def _huge_length(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        resp.content_length = 10 * 1024**3
        await resp.prepare(request)
        try:
            await resp.write(b"<html>")
            await asyncio.sleep(5)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    async def _drip(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        try:
            for _ in range(300):
                await resp.write(b"<p>drip</p>")
                await asyncio.sleep(0.2)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return resp

    async def _png(self, request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")

    async def _pdf(self, request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4\n" + b"x" * 64, content_type="application/pdf")

    async def _bad_charset(self, request: web.Request) -> web.Response:
        body = (
            b"<html><head><title>Odd charset</title></head>"
            b"<body><p>Caf\xe9 cr\xe8me \xff\xfe\xc3(</p></body></html>"
        )
        return web.Response(
            body=body, headers={"Content-Type": "text/html; charset=no-such-charset"}
        )

    async def _empty(self, request: web.Request) -> web.Response:
        return web.Response(body=b"", content_type="text/html")

    async def _status(self, request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="nope")
