"""The SSRF matrix through Discord: ``/ingest``, the "Ingest links" message menu and
``/feed add``, against the real bot in the emulator. Every form refused, none reached."""

from __future__ import annotations

from tests.hostile.conftest import origin
from tests.hostile.ssrf_forms import HOSTS, forms

PER_USER = 3  # under the commands' per-member cooldowns (menu: 3 a minute)


def refused_text(text: str) -> bool:
    return any(
        phrase in text
        for phrase in ("Could not add", "not a web link", "too long", "no http(s) links")
    )


async def test_discord_commands_refuse_every_form(
    emulator, start_bot, listener, redirector, outbound, no_system_dns
) -> None:
    matrix = forms(listener.port4, listener.port6, redirector.url(""))
    tried = refused = 0
    async with start_bot(
        allow_loopback=False, fetch_allow=frozenset({origin(redirector)}), fetch_hosts=HOSTS
    ):
        for n in range(40):
            emulator.add_user(f"m{n}")
        members = [emulator.user(f"m{n}") for n in range(40)]
        alice = emulator.user("alice")
        for n, form in enumerate(matrix):
            member = members[n // PER_USER]
            reply = await member.slash("ingest", url=form.url, timeout=30)
            tried += 1
            assert reply.ok, reply.text()
            assert refused_text(reply.text()), (form, reply.text())
            refused += 1

            message = await member.say(f"look at this {form.url} please")
            menu = await member.context_menu("Ingest links", message, timeout=30)
            tried += 1
            assert menu.ok, menu.text()
            text = menu.text()
            assert "0 of" in text or "no http(s) links" in text, (form, text)
            refused += 1

            added = await alice.slash("feed add", url=form.url, timeout=30)
            tried += 1
            assert added.ok and added.ephemeral, added.text()
            assert "Following" not in added.text(), (form, added.text())
            refused += 1
        reached = len(listener.connections) + len(outbound)
        print(f"\nSSRF via Discord: {tried} tried, {refused} refused, {reached} reached")
        assert listener.connections == [] and outbound == []
        assert no_system_dns == []
        assert not emulator.rejections
