"""The SSRF matrix: ways to write an address the bot must never fetch.

Each form is built around a ``Listener`` (127.0.0.1:port4, [::1]:port6) and a redirector
on an allowed origin, so that a form that got through would connect to the listener (and
be counted) or trip the tripwire (addresses outside loopback), never leave the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

# Names resolved by the project's own host table (never the system's DNS).
HOSTS: dict[str, tuple[str, ...]] = {
    "localhost": ("127.0.0.1",),
    "loopback.test": ("127.0.0.1",),
    "127.0.0.1.nip.test": ("127.0.0.1",),
    "six.test": ("::1",),
    "rebind.test": ("93.184.216.34", "127.0.0.1"),  # one public, one not: refused
    "metadata.test": ("169.254.169.254",),
    "intranet.test": ("10.0.0.7",),
    "cgnat.test": ("100.64.1.1",),
    "mapped.test": ("::ffff:127.0.0.1",),
}


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    url: str
    loopback_only: bool  # if it got through it would stay on loopback (safe in a subprocess)


def forms(port4: int, port6: int | None, redirector: str) -> list[Form]:
    """``redirector``: an allowed base URL whose ``/to?url=`` answers 302 to ``url``."""
    p4, p6 = port4, port6 or port4

    def via(target: str, code_path: str = "/to?url=") -> str:
        return f"{redirector}{code_path}{quote(target, safe='')}"

    direct = [
        Form("loopback", f"http://127.0.0.1:{p4}/", True),
        Form("loopback other /8", f"http://127.0.0.2:{p4}/", True),
        Form("https loopback", f"https://127.0.0.1:{p4}/", True),
        Form("short ipv4", f"http://127.1:{p4}/", True),
        Form("decimal ipv4", f"http://2130706433:{p4}/", True),
        Form("hex ipv4", f"http://0x7f000001:{p4}/", True),
        Form("dotted hex ipv4", f"http://0x7f.0x0.0x0.0x1:{p4}/", True),
        Form("octal ipv4", f"http://0177.0.0.1:{p4}/", True),
        Form("zero-padded ipv4", f"http://127.000.000.001:{p4}/", True),
        Form("unspecified", f"http://0.0.0.0:{p4}/", True),
        Form("zero", f"http://0:{p4}/", True),
        Form("ipv6 loopback", f"http://[::1]:{p6}/", True),
        Form("ipv6 unspecified", f"http://[::]:{p6}/", True),
        Form("ipv4-mapped", f"http://[::ffff:127.0.0.1]:{p4}/", True),
        Form("ipv4-mapped hex", f"http://[::ffff:7f00:1]:{p4}/", True),
        Form("ipv4-mapped long", f"http://[0:0:0:0:0:ffff:127.0.0.1]:{p4}/", True),
        Form("ipv4-compatible", f"http://[::127.0.0.1]:{p4}/", True),
        Form("nat64", f"http://[64:ff9b::7f00:1]:{p4}/", False),
        Form("zone id", f"http://[fe80::1%25lo]:{p6}/", False),
        Form("localhost", f"http://localhost:{p4}/", True),
        Form("localhost trailing dot", f"http://LOCALHOST.:{p4}/", True),
        Form("full-width localhost", f"http://ｌｏｃａｌｈｏｓｔ:{p4}/", True),
        Form("enclosed-letter localhost", f"http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:{p4}/", True),
        Form("name to loopback", f"http://loopback.test:{p4}/", True),
        Form("ip-in-name", f"http://127.0.0.1.nip.test:{p4}/", True),
        Form("name to ::1", f"http://six.test:{p6}/", True),
        Form("name to mapped", f"http://mapped.test:{p4}/", True),
        Form("rebinding mix", f"http://rebind.test:{p4}/", False),
        Form("private 10/8", "http://10.0.0.1/", False),
        Form("private 172.16/12", "http://172.16.0.1/", False),
        Form("private 192.168/16", "http://192.168.1.1/", False),
        Form("carrier-grade nat", "http://100.64.0.1/", False),
        Form("name to cgnat", "http://cgnat.test/", False),
        Form("metadata", "http://169.254.169.254/latest/meta-data/", False),
        Form("name to metadata", "http://metadata.test/latest/meta-data/", False),
        Form("name to private", "http://intranet.test/", False),
        Form("ipv6 metadata", "http://[fd00:ec2::254]/", False),
        Form("ipv6 unique local", "http://[fc00::1]/", False),
        Form("ipv6 link-local", "http://[fe80::1]/", False),
        Form("userinfo", f"http://user:secret@127.0.0.1:{p4}/", True),
        Form("userinfo decoy", f"http://example.org@127.0.0.1:{p4}/", True),
        Form("ftp scheme", f"ftp://127.0.0.1:{p4}/", True),
        Form("gopher scheme", f"gopher://127.0.0.1:{p4}/_GET", True),
        Form("file scheme", "file:///etc/passwd", True),
    ]
    redirected = [
        Form("redirect to loopback", via(f"http://127.0.0.1:{p4}/"), True),
        Form("redirect to localhost", via(f"http://localhost:{p4}/"), True),
        Form("redirect to decimal", via(f"http://2130706433:{p4}/"), True),
        Form("redirect to ::1", via(f"http://[::1]:{p6}/"), True),
        Form("redirect to mapped", via(f"http://[::ffff:127.0.0.1]:{p4}/"), True),
        Form("redirect to 0.0.0.0", via(f"http://0.0.0.0:{p4}/"), True),
        Form("redirect to metadata", via("http://169.254.169.254/latest/meta-data/"), False),
        Form("redirect to private name", via("http://intranet.test/"), False),
        Form("redirect to file", via("file:///etc/passwd"), True),
        Form("two-hop chain to loopback", via(via(f"http://127.0.0.1:{p4}/")), True),
        Form("relative redirect to other port", via(f"//127.0.0.1:{p4}/"), True),
    ]
    return direct + redirected
