"""Hostile pages through ``/ingest`` on the real bot: 0 pings, 0 payloads Discord would
refuse, and each bad page refused for its own reason."""

from __future__ import annotations

import json
import re

from tests.hostile import hostile_pages as pages
from tests.hostile.support import RawServer

MASKED_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")


def assert_no_ping(emulator) -> None:
    for request in emulator.requests:
        body = request.body
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            body = body["data"]
        if isinstance(body, dict) and ("content" in body or "embeds" in body):
            assert body.get("allowed_mentions", {}).get("parse") == [], request.path
    text = json.dumps([r.body for r in emulator.requests if r.body], ensure_ascii=False)
    for raw in ("@everyone", "@here"):
        assert raw not in text.replace(f"@\u200b{raw[1:]}", ""), raw
    assert "<@123456789012345678>" not in text and "<@&987654321098765432>" not in text


async def test_hostile_pages(emulator, start_bot) -> None:
    async with RawServer() as server:
        html = {"Content-Type": "text/html; charset=utf-8"}
        server.pages["/mentions"] = (html, pages.mention_page())
        server.pages["/markdown"] = (html, pages.markdown_page())
        server.pages["/persons"] = (html, pages.many_persons_page())
        server.pages["/binary"] = (html, pages.binary_page())
        server.pages["/binary-in-html"] = (html, b"<html><body><p>" + pages.binary_page())
        server.pages["/binary-untyped"] = ({}, pages.binary_page())
        server.pages["/nav"] = (html, pages.nav_page())
        server.pages["/empty"] = (html, b"")
        server.pages["/blank"] = (html, b" \n\t " * 100)
        server.pages["/huge"] = (html, b"<html><body><p>" + b"word " * 1_300_000)
        server.pages["/bomb"] = ({**html, "Content-Encoding": "gzip"}, pages.gzip_bomb())
        expected = {
            "/binary": "(no article text|too little text)",
            "/binary-in-html": "no article text",
            "/binary-untyped": "not a web page",
            "/nav": "no article text",
            "/empty": "empty",
            "/blank": "empty",
            "/huge": "larger than",
            "/bomb": "larger than",
        }
        allowed = frozenset({f"127.0.0.1:{server.port}"})
        async with start_bot(allow_loopback=False, fetch_allow=allowed):
            names = [f"h{n}" for n in range(4)]
            for name in names:
                emulator.add_user(name)
            users = iter(emulator.user(n) for n in names for _ in range(4))
            stored = {}
            for path in ("/mentions", "/markdown", "/persons"):
                reply = await next(users).slash("ingest", url=server.url(path), timeout=90)
                assert reply.ok, reply.text()
                assert "Added to the briefing" in reply.text(), (path, reply.text())
                stored[path] = reply.embed
            refusals = {}
            for path, reason in expected.items():
                reply = await next(users).slash("ingest", url=server.url(path), timeout=90)
                assert reply.ok, reply.text()
                refusals[path] = reply.text()
                assert "Could not add that link" in reply.text(), (path, reply.text())
                assert re.search(reason, reply.text()), (path, reply.text())
            latest = await emulator.user("alice").slash("latest")
            assert latest.ok, latest.text()
    persons = next(f for f in stored["/persons"]["fields"] if f["name"] == "Persons")
    assert persons["value"].count(",") >= 20  # many listed, within the field's limit
    for embed in [*stored.values(), *latest.embeds]:
        for target in MASKED_LINK.findall(json.dumps(embed, ensure_ascii=False)):
            assert "evil.example" not in target, embed
    assert_no_ping(emulator)
    assert not emulator.rejections, emulator.rejections
    print(f"\nhostile pages: 3 stored safely, {len(refusals)} refused for the right reason")
