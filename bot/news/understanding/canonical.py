"""Dedupe keys: a canonical URL and a content fingerprint.

Two links to one story (tracking parameters, ``www.``-less host, a fragment, an AMP or
mobile copy declaring its canonical page) give the same canonical URL; two copies of one
text at unrelated URLs (syndication, a trivial edit) give the same fingerprint.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections import Counter
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from.
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src",
        "ref_url", "referrer", "cmpid", "ocid", "ncid", "sr_share", "smid", "smtyp",
        "s_cid", "spm", "wt_mc", "xtor", "at_medium", "at_campaign", "ito", "guccounter",
        "guce_referrer", "guce_referrer_sig",
    }
)  # fmt: skip
# Not "cid", "src", "id" and the like: some sites name the article with them.
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """The URL in one spelling: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, sorted query, no trailing ``/`` except for the root.

    Unparseable input is returned stripped, so callers can still use it as a key."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # keep an undecodable name as it is
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%") or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _site_of(host: str) -> str:
    """The host without ``www.``/``m.``/``amp.`` so a page and its mobile copy are one site."""
    host = host.lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def same_site(a: str, b: str) -> bool:
    ha, hb = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    if not ha or not hb:
        return False
    sa, sb = _site_of(ha), _site_of(hb)
    return sa == sb or sa.endswith("." + sb) or sb.endswith("." + sa)


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The article's canonical URL: the page's declared canonical (rel=canonical / og:url)
    when it is an absolute http(s) URL on the same site, else the page URL, normalised.

    A declared canonical on another site is ignored: a page must not be able to claim
    to be someone else's article (and so hide as a duplicate of it)."""
    if declared:
        declared = declared.strip()
        scheme = urlsplit(declared).scheme.lower()
        if scheme in {"http", "https"} and same_site(declared, page_url):
            return normalize_url(declared)
    return normalize_url(page_url)


_WORD = re.compile(r"\w+")


def _normalized_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped.casefold())


def simhash(text: str, shingle: int = 3) -> int:
    """64-bit SimHash of the word 3-grams of the text: near copies differ in few bits."""
    words = _normalized_words(text)
    if len(words) < shingle:
        grams = [" ".join(words)] if words else []
    else:
        grams = [" ".join(words[i : i + shingle]) for i in range(len(words) - shingle + 1)]
    # Tally each of the 8 byte positions of all the grams' hashes at once (C speed), then
    # read the 64 bit votes off the tallies instead of testing 64 bits per gram.
    digests = b"".join(
        hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest() for gram in grams
    )
    tallies = [Counter(digests[position::8]) for position in range(8)]
    total = len(grams)
    value = 0
    for position, tally in enumerate(tallies):
        for bit in range(8):
            ones = sum(count for byte, count in tally.items() if byte >> bit & 1)
            if 2 * ones > total:
                value |= 1 << (8 * (7 - position) + bit)
    return value


def fingerprint(text: str) -> str:
    """The content fingerprint stored with an article: 16 hex digits of the SimHash.

    Equal fingerprints mean the same text up to case, accents, punctuation and spacing
    (the stores dedupe on equality)."""
    return f"{simhash(text):016x}"
