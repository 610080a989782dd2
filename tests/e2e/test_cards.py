"""Entity cards through the emulator: /country and /person show above their list how many
developments, first and last seen, and who or where is often in the same articles."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.news.charts import DAY
from tests.news.digest_support import article


async def test_country_and_person_show_a_card_above_the_list(newsbot, user, emulator) -> None:
    guild = str(emulator.guild.id)
    now = newsbot.services.clock.time()
    stories = [
        (3, ("CL", "PE"), ("Ana Uno",)),
        (2, ("CL", "PE"), ()),
        (1, ("CL",), ("Ana Uno",)),
        (20, ("CL",), ()),  # outside a 7-day window
    ]
    for n, (days_ago, codes, people) in enumerate(stories):
        art = article(n, f"Story {n}", when=now - days_ago * DAY, guild=guild, countries=codes,
                      persons=people)  # fmt: skip
        await newsbot.services.store.articles.add(art, guild)

    chile = await user.slash("country", name="Chile")
    assert chile.ok, chile.text()
    card, *_ = chile.embed["description"].split("\n\n")
    first = datetime.fromtimestamp(now - 3 * DAY, UTC).strftime("%d %b %Y")
    last = datetime.fromtimestamp(now - 1 * DAY, UTC).strftime("%d %b %Y")
    head, often = card.split("\n")
    assert head == f"**3** developments in the last 7 days · first {first} · last {last}"
    assert often == "Often with: 🇵🇪 Peru (2), Ana Uno (2)"

    ana = await user.slash("person", name="Ana Uno", days=30)
    assert ana.ok and ana.embed["description"].startswith("**2** developments in the last 30")
    assert "Often with: 🇨🇱 Chile (2), 🇵🇪 Peru (1)" in ana.embed["description"]

    nobody = await user.slash("country", name="Japan")
    assert nobody.ephemeral and "developments in the last" not in nobody.text()
