"""Every SSRF form refused and none reached, through the fetcher itself and the CLI.

The same matrix runs through Discord (``/ingest``, the message menu, ``/feed add``) in
``test_ssrf_discord.py``. "Reached" counts connections at the loopback listener plus
connections the tripwire stopped on their way out of loopback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.news.understanding.fetch import FetchError, SafeFetcher
from tests.hostile.conftest import origin
from tests.hostile.ssrf_forms import HOSTS, forms

ROOT = Path(__file__).resolve().parents[2]
BAD_ARTICLE = re.compile(r"\ba (?:[aeio]|un[^i]|IPv)|\.\.$")


def hostile_settings(tmp_path: Path, allowed: str, **changes: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        allow_loopback=False,
        fetch_allow=frozenset({allowed}),
        fetch_hosts=HOSTS,
        fetch_timeout=5.0,
        **changes,  # type: ignore[arg-type]
    )


def test_the_matrix_is_wide_enough() -> None:
    assert len(forms(1, 2, "http://127.0.0.1:3")) >= 30


async def test_fetcher_refuses_every_form(
    tmp_path, listener, redirector, outbound, no_system_dns
) -> None:
    redirector.pages["ok"] = ("text/html", b"<html><body><p>fine</p></body></html>")
    fetcher = SafeFetcher(hostile_settings(tmp_path, origin(redirector)))
    matrix = forms(listener.port4, listener.port6, redirector.url(""))
    refused: dict[str, str] = {}
    try:
        ok = await fetcher.fetch(redirector.url("/page/ok"))  # the allowed origin works
        assert ok.status == 200
        for form in matrix:
            with pytest.raises(FetchError) as info:
                await fetcher.fetch(form.url)
            refused[form.name] = f"{info.value.kind}: {info.value.message}"
            assert info.value.kind in {"blocked", "bad_url"}, (form, info.value)
            assert not BAD_ARTICLE.search(info.value.message), info.value.message
    finally:
        await fetcher.close()
    print(f"\nSSRF via fetcher: {len(matrix)} tried, {len(refused)} refused, "
          f"{len(listener.connections) + len(outbound)} reached")  # fmt: skip
    assert listener.connections == [] and outbound == []
    assert no_system_dns == []
    assert len(refused) == len(matrix)


async def test_sandbox_serve_allows_exactly_its_folder(tmp_path, listener, outbound) -> None:
    """``newsbot sandbox --serve``: the served folder is fetched, every other port of
    loopback is refused, by number, by name and by redirect."""
    from bot.sandbox.cli import serve_folder, served_origins

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text("<html><body><p>served</p></body></html>")
    async with serve_folder(pages) as serve_url:
        settings = Settings(
            data_dir=tmp_path,
            fetch_allow=served_origins(serve_url),
            fetch_hosts={"localhost": ("127.0.0.1",)},
        )
        fetcher = SafeFetcher(settings)
        try:
            page = await fetcher.fetch(f"{serve_url}/a.html")
            assert "served" in page.text
            for url in (
                f"http://127.0.0.1:{listener.port4}/",
                f"http://ｌｏｃａｌｈｏｓｔ:{listener.port4}/",
                f"http://localhost:{listener.port4}/",
                f"http://2130706433:{listener.port4}/",
            ):
                with pytest.raises(FetchError) as info:
                    await fetcher.fetch(url)
                assert info.value.kind == "blocked", (url, info.value)
        finally:
            await fetcher.close()
    assert listener.connections == [] and outbound == []


def test_cli_refuses_every_loopback_form(tmp_path, listener, redirector) -> None:
    """``newsbot analyze`` in its own process; only forms that would stay on loopback if
    they got through (the tripwire cannot watch another process)."""
    matrix = [f for f in forms(listener.port4, listener.port6, redirector.url("")) if
              f.loopback_only]  # fmt: skip
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "NEWSBOT_FETCH_ALLOW": origin(redirector),
        "NEWSBOT_FETCH_HOSTS": ";".join(f"{k}={','.join(v)}" for k, v in HOSTS.items()),
        "NEWSBOT_FETCH_TIMEOUT": "5",
        "NEWSBOT_ALLOW_LOOPBACK": "false",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "analyze", "--json", *[f.url for f in matrix]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(matrix), done.stdout + done.stderr
    refused = [r for r in results if r["error"] and r["title"] is None]
    print(f"\nSSRF via CLI: {len(matrix)} tried, {len(refused)} refused, "
          f"{len(listener.connections)} reached")  # fmt: skip
    assert len(refused) == len(matrix), [r for r in results if not r["error"]]
    assert listener.connections == []
