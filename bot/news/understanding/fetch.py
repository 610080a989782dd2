"""Fetch a web page safely: no SSRF, bounded in redirects, time and size.

Anyone on a Discord server can make the bot fetch a link, so the fetcher must never reach
the machine's own network: every address a host name resolves to, on every redirect, must
be a public unicast address. The check happens *inside* the connector's resolver, which
hands aiohttp only vetted addresses, so the connection goes exactly where the check looked
(no DNS-rebinding window between a check and a second lookup). IP literals never reach a
resolver in aiohttp, so URLs are checked before each request as well.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import re
import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.config import Settings
from bot.news.errors import NewsError

log = logging.getLogger(__name__)

USER_AGENT = "newsbot/0.1 (+https://github.com/newsbot)"
MAX_REDIRECTS = 5

HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
# Types that say nothing about the content: the body's first bytes decide instead.
GENERIC_TYPES: frozenset[str] = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-unknown",
        "application/download",
        "application/force-download",
    }
)
FEED_TYPES: frozenset[str] = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
    }
)
# Declared types a feed is often wrongly served as; the bytes say whether it is one.
_MISLABELLED_FEED_TYPES = frozenset({"text/html", "text/plain", "application/xhtml+xml"})

ERROR_KINDS = frozenset(
    {"bad_url", "blocked", "unreachable", "timeout", "too_large", "not_html", "http_error", "empty"}
)


class FetchError(NewsError):
    """A page that could not be fetched. ``kind`` is one of ``ERROR_KINDS``; ``status`` the
    HTTP status the site answered, when it answered an error."""

    def __init__(self, kind: str, message: str, *, status: int | None = None) -> None:
        assert kind in ERROR_KINDS, kind
        super().__init__(message, kind=kind)
        self.status = status


class BlockedAddressError(OSError):
    """A host resolved to an address the policy refuses (raised by ``SafeResolver``)."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address_phrase(reason)}")
        self.host = host
        self.reason = reason


@dataclass(slots=True)
class FetchResult:
    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content_type: str  # the mime type, lower case, without parameters
    headers: Mapping[str, str] = field(repr=False)  # case-insensitive
    body: bytes = field(repr=False)
    text: str = field(repr=False)  # body decoded (header charset, then <meta>, then UTF-8)
    # Where the link lives for good: the URL after the permanent redirects (301, 308) that
    # came before any temporary one; a 302 moves nothing.
    permanent_url: str = ""


# --- the address policy -------------------------------------------------------------

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPAT = ipaddress.ip_network("::/96")
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")
_THIS_NET_V4 = ipaddress.ip_network("0.0.0.0/8")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def address_phrase(reason: str) -> str:
    """``reason`` from ``check_address`` as a noun phrase: "an unspecified address"."""
    # By sound: "an IPv4-mapped", "a NAT64" (read "nat").
    article = "an" if reason[:1].lower() in "aeiou" or reason.startswith("IPv") else "a"
    return f"{article} {reason} address"


def allowed_origin(host: str, port: int | None, allow: Collection[str]) -> bool:
    """Whether ``host:port`` is one of the exact origins in ``allow`` ("127.0.0.1:8080",
    "[::1]:8080")."""
    if not allow or port is None:
        return False
    bare = host.strip("[]")
    label = f"[{bare}]" if ":" in bare else bare
    return f"{label}:{port}" in allow


_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?", re.I)


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a numeric host such as ``127.1``, ``2130706433``, ``0x7f.1`` or
    ``0177.0.0.1`` means: the C library connects there although it is no dotted quad, so
    the policy must judge it as that address."""
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        return None


def check_address(
    ip: Any, *, allow_loopback: bool = False, exempt: Collection[str] = ()
) -> str | None:
    """Why ``ip`` must not be contacted, or None when it is a public unicast address.

    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through (tests, the sandbox); private,
    link-local and every other non-public range stay blocked regardless. ``exempt`` names
    addresses to treat as public: only tests use it, to stand in for "the internet"
    on a loopback address while loopback itself stays blocked."""
    text = str(ip).strip().strip("[]")
    if text in exempt:
        return None
    if "%" in text:  # "fe80::1%eth0": a zone id only exists for link-local addresses
        return "link-local"
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return "malformed"
    if addr in _METADATA:
        return "cloud metadata (link-local)"
    if addr.version == 6:
        if addr.ipv4_mapped is not None:
            return "IPv4-mapped IPv6"
        if any(addr in net for net in _NAT64):
            return "NAT64 (IPv4-embedded IPv6)"
        if addr.sixtofour is not None:
            inner = check_address(addr.sixtofour)
            return f"6to4 to {inner}" if inner else None
        if addr.teredo is not None:
            server, client = addr.teredo
            inner = check_address(server) or check_address(client)
            return f"Teredo to {inner}" if inner else None
        if addr.is_site_local:
            return "site-local"
        if addr != ipaddress.IPv6Address("::1") and addr in _IPV4_COMPAT:
            return "unspecified" if addr.is_unspecified else "IPv4-compatible IPv6"
    if addr.is_loopback:
        return None if allow_loopback else "loopback"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if addr.version == 4 and addr in _THIS_NET_V4:
        return "this-network (0.0.0.0/8)"
    if addr.version == 4 and addr in _SHARED_V4:
        return "shared (carrier NAT)"
    if addr.is_private:
        return "private"
    if addr.is_reserved:
        return "reserved"
    if not addr.is_global:
        return "non-public"
    return None


class SafeResolver(AbstractResolver):
    """Resolves through another resolver and returns the addresses only if every one of
    them passes ``check_address``; otherwise raises ``BlockedAddressError``."""

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        inner: AbstractResolver | None = None,
        exempt: Collection[str] = (),
        allow: Collection[str] = (),
    ):
        self.allow_loopback = allow_loopback
        self.exempt = frozenset(exempt)
        self.allow = frozenset(allow)
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        numeric = numeric_ipv4(host)
        if numeric is not None:
            results = [
                ResolveResult(
                    hostname=host,
                    host=str(numeric),
                    port=port,
                    family=socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            ]
        else:
            if self._inner is None:
                # Created here, not in __init__: ThreadedResolver wants a running loop.
                self._inner = aiohttp.ThreadedResolver()
            results = await self._inner.resolve(host, port, family)
        if not results:
            raise OSError(f"{host} has no address")
        for result in results:
            if allowed_origin(result["host"], port, self.allow):
                continue
            reason = check_address(
                result["host"], allow_loopback=self.allow_loopback, exempt=self.exempt
            )
            if reason:
                log.warning("blocked %s -> %s (%s)", host, result["host"], reason)
                raise BlockedAddressError(host, reason)
        return results

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


class HostTableResolver(AbstractResolver):
    """Names from a fixed table (name -> addresses), nothing from the system's DNS: an
    unknown name does not exist. Tests use it to name loopback listeners."""

    def __init__(self, table: Mapping[str, Collection[str]]) -> None:
        self.table = {name.lower().rstrip("."): tuple(ips) for name, ips in table.items()}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = self.table.get(host.lower().rstrip("."), ())
        if not addresses:
            raise OSError(f"{host} is not in the host table")
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in addresses
        ]

    async def close(self) -> None:
        return None


def safe_connector(
    settings: Settings,
    *,
    resolver: AbstractResolver | None = None,
    exempt: Collection[str] = (),
) -> aiohttp.TCPConnector:
    """A TCP connector whose every connection goes through ``SafeResolver``."""
    if resolver is None and settings.fetch_hosts is not None:
        resolver = HostTableResolver(settings.fetch_hosts)
    safe = SafeResolver(
        allow_loopback=settings.allow_loopback,
        inner=resolver,
        exempt=exempt,
        allow=settings.fetch_allow,
    )
    return aiohttp.TCPConnector(resolver=safe, limit=20, limit_per_host=4, ttl_dns_cache=60)


def make_session(
    settings: Settings,
    *,
    resolver: AbstractResolver | None = None,
    exempt: Collection[str] = (),
) -> aiohttp.ClientSession:
    """A session safe to share between fetchers (call inside the event loop).

    ``resolver`` replaces the system DNS under the policy (tests use a fixed table);
    ``exempt``: see ``check_address``."""
    return aiohttp.ClientSession(
        connector=safe_connector(settings, resolver=resolver, exempt=exempt),
        cookie_jar=aiohttp.DummyCookieJar(),  # no state carried from one site to another
        trust_env=False,  # a proxy from the environment would bypass the address check
        headers={"User-Agent": USER_AGENT},
    )


# --- the fetcher ---------------------------------------------------------------------


def _host_label(url: URL) -> str:
    # "localhost." names the same host; its dot would end the sentence twice.
    return (url.host or str(url)).rstrip(".")


def validate_url(
    raw: str,
    *,
    allow_loopback: bool = False,
    exempt: Collection[str] = (),
    allow: Collection[str] = (),
) -> URL:
    """Parse and check a URL before any request: http(s), a host, no credentials, and an
    IP-literal host must pass the address policy (or be one of the origins in ``allow``)."""
    text = (raw or "").strip()
    if not text:
        raise FetchError("bad_url", "The link is empty.")
    if any(ch in text for ch in "\r\n\t\x00 "):
        raise FetchError("bad_url", "The link contains spaces or control characters.")
    try:
        url = URL(text)
    except (ValueError, TypeError):
        raise FetchError("bad_url", "This is not a valid link.") from None
    if url.scheme not in {"http", "https"}:
        raise FetchError("bad_url", "Only http:// and https:// links can be fetched.")
    if url.user is not None or url.password is not None:
        raise FetchError("bad_url", "Links with a user name or password are not accepted.")
    host = url.host
    if not host:
        raise FetchError("bad_url", "The link has no host name.")
    try:
        url.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise FetchError("bad_url", "The link has an invalid port.") from None
    try:
        ipaddress.ip_address(host.strip("[]"))
        is_ip = True
    except ValueError:
        numeric = numeric_ipv4(host)
        is_ip = numeric is not None
        host = str(numeric) if numeric is not None else host
    if is_ip and not allowed_origin(host, url.port, allow):
        reason = check_address(host, allow_loopback=allow_loopback, exempt=exempt)
        if reason:
            raise FetchError(
                "blocked", f"The link points to {address_phrase(reason)}, which is not allowed."
            )
    return url


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_body(body: bytes, header_charset: str | None) -> str:
    """Body to text: the header's charset, else <meta>/XML declaration, else UTF-8, else
    Windows-1252. An unknown charset name is skipped; bad bytes become U+FFFD, never an error."""
    candidates = [header_charset]
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        match = pattern.search(head)
        if match:
            candidates.append(match.group(1).decode("ascii", "replace"))
    for name in candidates:
        codec = _known_codec(name)
        if codec:
            if codec in {"utf-16", "utf-32"} and not body.startswith(
                (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
            ):
                continue  # a <meta> that says UTF-16 in an ASCII-readable page is lying
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SKIPPED_PROLOGUE = re.compile(
    r"^(?:\s+|<!--.*?-->|<\?xml[^>]*\?>|<!doctype\s+(?!html)[^>]*>)+",
    re.S,
)
_HTML_STARTS = ("<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<p>", "<div")


def sniff_type(body: bytes) -> str | None:
    """The media type the first bytes of ``body`` show, or None when they show none:
    an RSS, Atom or RDF root (after any XML declaration and comments), HTML, or a JSON Feed."""
    head = body[:4096]
    text = None
    for bom, codec in _BOMS:
        if head.startswith(bom):
            text = head[len(bom) :].decode(codec, errors="ignore")
            break
    if text is None:
        text = head.decode("latin-1")
    start = text.lstrip()
    if start.startswith("{"):
        if re.search(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', text):
            return "application/feed+json"
        return None
    lowered = start.lower()
    root = _SKIPPED_PROLOGUE.sub("", lowered, count=1).lstrip()
    if root.startswith("<rss"):
        return "application/rss+xml"
    if root.startswith("<feed"):
        return "application/atom+xml"
    if root.startswith("<rdf:rdf") or root.startswith("<rdf "):
        return "application/rdf+xml"
    if root.startswith(_HTML_STARTS):
        return "text/html"
    if lowered.startswith("<?xml"):
        return "application/xml"
    return None


_STATUS_WORDS = {
    401: "it needs a login",
    403: "access is forbidden",
    404: "page not found",
    410: "the page is gone",
    429: "too many requests",
    451: "unavailable for legal reasons",
}


class SafeFetcher:
    """Fetches pages under the policy above. Share one per process; ``close()`` at the end."""

    def __init__(self, settings: Settings, session: aiohttp.ClientSession | None = None):
        self.settings = settings
        self._exempt: frozenset[str] = frozenset()
        if session is not None:
            resolver = getattr(session.connector, "_resolver", None)
            if not isinstance(resolver, SafeResolver):
                # A session without the safe resolver would connect anywhere DNS points.
                raise ValueError("SafeFetcher needs a session from fetch.make_session()")
            self._exempt = resolver.exempt
        self._session = session
        self._own_session = session is None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = make_session(self.settings)
            self._own_session = True
        return self._session

    def _validate(self, url: str) -> URL:
        return validate_url(
            url,
            allow_loopback=self.settings.allow_loopback,
            exempt=self._exempt,
            allow=self.settings.fetch_allow,
        )

    async def close(self) -> None:
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()

    async def fetch(
        self,
        url: str,
        *,
        accept: Collection[str] = HTML_TYPES,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` following up to ``MAX_REDIRECTS`` redirects, each one checked.

        Returns a 304 as a result (empty body); raises ``FetchError`` for everything else
        that is not a page of an accepted type."""
        try:
            async with asyncio.timeout(self.settings.fetch_timeout):
                return await self._fetch(url, accept, headers)
        except TimeoutError:
            raise FetchError(
                "timeout", f"The site took longer than {self.settings.fetch_timeout:g} s to answer."
            ) from None

    async def _fetch(
        self, raw_url: str, accept: Collection[str], headers: Mapping[str, str] | None
    ) -> FetchResult:
        session = await self._get_session()
        url = self._validate(raw_url)
        request_headers = {
            "User-Agent": USER_AGENT,
            "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
            **(headers or {}),
        }
        timeout = aiohttp.ClientTimeout(
            total=self.settings.fetch_timeout,
            connect=min(10.0, self.settings.fetch_timeout),
            sock_read=self.settings.fetch_timeout,
        )
        permanent = url
        moved_for_good = True  # until a temporary redirect: later hops say nothing lasting
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                async with session.get(
                    url, headers=request_headers, allow_redirects=False, timeout=timeout
                ) as resp:
                    if resp.status in (301, 302, 303, 307, 308):
                        location = resp.headers.get("Location")
                        if not location:
                            raise FetchError("http_error", "The site redirects to nowhere.")
                        try:
                            target = url.join(URL(location))
                        except ValueError:
                            raise FetchError(
                                "bad_url", "The site redirects to an invalid link."
                            ) from None
                        log.debug("redirect %s -> %s", url, target)
                        url = self._validate(str(target))
                        if moved_for_good:
                            if resp.status in (301, 308):
                                permanent = url
                            else:
                                moved_for_good = False
                        continue
                    result = await self._read(raw_url, url, resp, accept)
                    result.permanent_url = str(permanent)
                    return result
            except FetchError:
                raise
            except aiohttp.InvalidURL:
                raise FetchError("bad_url", "This is not a valid link.") from None
            except (aiohttp.ClientError, OSError) as exc:
                if isinstance(exc, TimeoutError):
                    raise  # aiohttp's own time limits: reported as "timeout" by fetch()
                blocked = _find_blocked(exc)
                if blocked:
                    raise FetchError(
                        "blocked",
                        f"{blocked.host.rstrip('.')} points to {address_phrase(blocked.reason)},"
                        " which is not allowed.",
                    ) from None
                log.info("fetch %s failed: %r", url, exc)
                if isinstance(exc, aiohttp.ClientConnectorError):
                    message = f"Could not reach {_host_label(url)}."
                else:
                    message = f"The connection to {_host_label(url)} failed."
                raise FetchError("unreachable", message) from None
        raise FetchError("http_error", f"The link redirects more than {MAX_REDIRECTS} times.")

    async def _read(
        self, raw_url: str, url: URL, resp: aiohttp.ClientResponse, accept: Collection[str]
    ) -> FetchResult:
        headers = CIMultiDictProxy(CIMultiDict(resp.headers))
        if resp.status == 304:
            return FetchResult(raw_url, str(url), 304, "", headers, b"", "")
        if resp.status >= 400:
            words = _STATUS_WORDS.get(resp.status) or resp.reason or "error"
            raise FetchError(
                "http_error",
                f"The site answered {resp.status} ({words.lower()}).",
                status=resp.status,
            )
        if not 200 <= resp.status < 300:
            raise FetchError(
                "http_error", f"The site answered with status {resp.status}.", status=resp.status
            )
        has_type = "Content-Type" in resp.headers
        content_type = resp.content_type.lower() if has_type else ""
        if content_type not in accept and content_type not in GENERIC_TYPES:
            raise FetchError("not_html", f"The link is not a web page (it is {content_type}).")
        limit = self.settings.fetch_max_bytes
        if resp.content_length is not None and resp.content_length > limit:
            raise FetchError("too_large", f"The page is larger than {limit // 1024} KB.")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise FetchError("too_large", f"The page is larger than {limit // 1024} KB.")
            chunks.append(chunk)
        body = b"".join(chunks)
        if not body.strip():
            raise FetchError("empty", "The page is empty.")
        content_type = _decide_type(content_type, body, accept)
        try:
            charset = resp.charset
        except (LookupError, ValueError):
            charset = None
        text = decode_body(body, charset)
        return FetchResult(raw_url, str(url), resp.status, content_type, headers, body, text)


def _decide_type(declared: str, body: bytes, accept: Collection[str]) -> str:
    """The type to treat ``body`` as: what its bytes show when the header says nothing
    (or calls a feed a page), else what the header says. FetchError when neither is
    acceptable."""
    generic = declared in GENERIC_TYPES
    if not generic and not (declared in _MISLABELLED_FEED_TYPES and accept_feeds(accept)):
        return declared
    sniffed = sniff_type(body)
    if sniffed is not None and sniffed not in accept and sniffed.endswith("+xml"):
        sniffed = "application/xml" if "application/xml" in accept else sniffed
    if sniffed is not None and sniffed in accept:
        return sniffed
    if not generic:
        return declared
    if declared:
        raise FetchError("not_html", f"The link is not a web page (it is {declared}).")
    raise FetchError("not_html", "The link does not say what it is, and it is not a web page.")


def accept_feeds(accept: Collection[str]) -> bool:
    """Whether a fetch asking for ``accept`` takes feeds."""
    return any(kind in FEED_TYPES for kind in accept)


def _find_blocked(exc: BaseException) -> BlockedAddressError | None:
    """The ``BlockedAddressError`` behind an aiohttp error, if that is what it was."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, BlockedAddressError):
            return current
        os_error = getattr(current, "os_error", None)
        if isinstance(os_error, BlockedAddressError):
            return os_error
        current = current.__cause__ or current.__context__
        seen += 1
    return None
