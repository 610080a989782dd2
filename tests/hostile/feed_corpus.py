"""Feeds written by the suite: well-formed, ill-formed, encodings, entities, HTML titles,
JSON Feed, huge. Each document knows the title a reader must see and its item links."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Doc:
    name: str
    body: bytes
    right_type: str
    title: str  # the feed's title as plain text
    links: tuple[str, ...]  # the item links, newest first as the feed lists them
    item_titles: tuple[str, ...] = ()  # plain-text item titles, when the case is about them


def _links(base: str, n: int) -> tuple[str, ...]:
    return tuple(f"{base}/story/{i}" for i in range(n))


def _rss_items(links: tuple[str, ...], titles: list[str] | None = None) -> str:
    titles = titles or [f"Story {i}" for i in range(len(links))]
    return "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid></item>"
        for t, link in zip(titles, links, strict=True)
    )


def corpus(base: str) -> list[Doc]:
    """``base``: where the item links point (they are never fetched by the corpus test)."""
    three = _links(base, 3)
    docs: list[Doc] = []

    docs.append(
        Doc(
            "rss20",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Loopback Daily</title><link>{base}/</link>"
                f"{_rss_items(three)}</channel></rss>"
            ).encode(),
            "application/rss+xml",
            "Loopback Daily",
            three,
        )
    )

    atom_entries = "".join(
        f'<entry><title>Story {i}</title><id>urn:x:{i}</id><link href="{link}"/>'
        "<updated>2026-11-01T10:00:00Z</updated></entry>"
        for i, link in enumerate(three)
    )
    docs.append(
        Doc(
            "atom",
            (
                '<?xml version="1.0" encoding="utf-8"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Daily</title>'
                f"<id>urn:x</id><updated>2026-11-01T10:00:00Z</updated>{atom_entries}</feed>"
            ).encode(),
            "application/atom+xml",
            "Atom Daily",
            three,
        )
    )

    rdf_items = "".join(
        f'<item rdf:about="{link}"><title>Story {i}</title><link>{link}</link></item>'
        for i, link in enumerate(three)
    )
    docs.append(
        Doc(
            "rss10-rdf",
            (
                '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                ' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>RDF Daily</title>'
                f"<link>{base}/</link></channel>{rdf_items}</rdf:RDF>"
            ).encode(),
            "application/rdf+xml",
            "RDF Daily",
            three,
        )
    )

    for version in ("1", "1.1"):
        docs.append(
            Doc(
                f"jsonfeed{version}",
                json.dumps(
                    {
                        "version": f"https://jsonfeed.org/version/{version}",
                        "title": "JSON &amp; Friends",
                        "home_page_url": f"{base}/",
                        "items": [
                            {
                                "id": str(i),
                                "url": link,
                                "title": f"Story <b>{i}</b>",
                                "content_text": "x",
                                "date_published": f"2026-11-0{3 - i}T10:00:00Z",
                            }
                            for i, link in enumerate(three)
                        ],
                    }
                ).encode(),
                "application/feed+json",
                "JSON & Friends",
                three,
                ("Story 0", "Story 1", "Story 2"),
            )
        )

    docs.append(
        Doc(
            "ill-formed",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                "<title>Broken &nbsp; Feed</title>"
                f"<item><title>Story 0</title><link>{three[0]}</link>"
                f"<item><title>Story 1 & co</title><link>{three[1]}</link></item>"
                "</channel>"
            ).encode(),
            "application/rss+xml",
            "Broken Feed",
            three[:2],
        )
    )

    docs.append(
        Doc(
            "latin-1",
            (
                '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
                "<title>Café Noticias</title>"
                f"{_rss_items(three, ['Año nuevo', 'Niño', 'Señal'])}</channel></rss>"
            ).encode("iso-8859-1"),
            "application/rss+xml",
            "Café Noticias",
            three,
            ("Año nuevo", "Niño", "Señal"),
        )
    )

    docs.append(
        Doc(
            "utf-16",
            (
                '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
                "<title>Ελληνικά νέα</title>"
                f"{_rss_items(three)}</channel></rss>"
            ).encode("utf-16"),
            "application/rss+xml",
            "Ελληνικά νέα",
            three,
        )
    )

    docs.append(
        Doc(
            "entities",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                "<title>Tom &amp;amp; Jerry&#8217;s &lt;b&gt;Daily&lt;/b&gt;</title>"
                + _rss_items(
                    three,
                    [
                        "AT&amp;T &amp;amp; co",
                        "&lt;i&gt;Quoted&lt;/i&gt; &#169;",
                        "Fish &amp;amp; chips",
                    ],
                )
                + "</channel></rss>"
            ).encode(),
            "application/rss+xml",
            "Tom & Jerry’s Daily",
            three,
            ("AT&T & co", "Quoted ©", "Fish & chips"),
        )
    )

    docs.append(
        Doc(
            "html-titles",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                '<title>&lt;img src="https://tracker.example/x.png"/&gt;Pictures '
                "&lt;script&gt;alert(1)&lt;/script&gt;Weekly</title>"
                + _rss_items(
                    three,
                    [
                        "<![CDATA[<em>Breaking</em> & more]]>",
                        "&lt;a href=&quot;x&quot;&gt;Linked&lt;/a&gt; story",
                        "Plain",
                    ],
                )
                + "</channel></rss>"
            ).encode(),
            "application/rss+xml",
            "Pictures Weekly",
            three,
            ("Breaking & more", "Linked story", "Plain"),
        )
    )

    xhtml_entries = "".join(
        f'<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><b>Bold</b> '
        f'{i}</div></title><id>urn:y:{i}</id><link href="{link}"/>'
        "<updated>2026-11-01T10:00:00Z</updated></entry>"
        for i, link in enumerate(three)
    )
    docs.append(
        Doc(
            "atom-html-title",
            (
                '<?xml version="1.0" encoding="utf-8"?><!-- a comment first -->'
                '<?xml-stylesheet href="s.xsl" type="text/xsl"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom">'
                '<title type="html">&lt;b&gt;Markup&lt;/b&gt; &amp;amp; Atom</title><id>urn:y</id>'
                f"<updated>2026-11-01T10:00:00Z</updated>{xhtml_entries}</feed>"
            ).encode(),
            "application/atom+xml",
            "Markup & Atom",
            three,
            ("Bold 0", "Bold 1", "Bold 2"),
        )
    )

    many = _links(base, 10_000)
    docs.append(
        Doc(
            "huge",
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Ten Thousand</title>{_rss_items(many)}</channel></rss>"
            ).encode(),
            "application/rss+xml",
            "Ten Thousand",
            many,
        )
    )
    return docs


# What a server may say a feed is: right, wrong, generic, nothing at all.
SERVED_AS = ("right", "text/html", "text/plain", "application/octet-stream", "application/xml",
             None)  # fmt: skip


def headers_for(doc: Doc, served_as: str | None) -> dict[str, str]:
    if served_as is None:
        return {}
    return {"Content-Type": doc.right_type if served_as == "right" else served_as}
