"""Evidence that a name is a role played or a thing, read from the text (pure string work)."""

from __future__ import annotations

import pytest

from bot.news.understanding.thing_evidence import described_as_thing, played_role


def at(text: str, name: str) -> tuple[int, int]:
    start = text.index(name)
    return start, start + len(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("He found fame playing vet Siegfried Farnon in the drama.", "Siegfried Farnon"),
        (
            "Mr Hardy appeared as Minister for Magic Cornelius Fudge in the films.",
            "Cornelius Fudge",
        ),
        ("Jeff Goldblum, playing the chaos theorist Ian Malcolm, was charming.", "Ian Malcolm"),
        ("In the films he played Cornelius Fudge, the Minister for Magic.", "Cornelius Fudge"),
        ("She was cast as detective Jane Tennison in 1991.", "Jane Tennison"),
    ],
)
def test_roles_played(text: str, name: str) -> None:
    assert played_role(text, *at(text, name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # actors play real people too: a bare name after the verb says nothing
        ("He has frequently played Winston Churchill on television.", "Winston Churchill"),
        ("She played golf with Tiger Woods on Sunday.", "Tiger Woods"),
        ("He starred opposite Meryl Streep in the film.", "Meryl Streep"),
        ("He was playing partner Rory McIlroy all week.", "Rory McIlroy"),
        ("The match was played Sunday when John Smith scored twice.", "John Smith"),
        ("He played for coach John Smith at Leeds.", "John Smith"),
        ("John Smith said the role was his favourite.", "John Smith"),
    ],
)
def test_not_roles(text: str, name: str) -> None:
    assert not played_role(text, *at(text, name))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "The group behind it, Ansar al-Sharia, an al-Qaeda-linked organization, was banned.",
            "Ansar al-Sharia",
        ),
        ("Labels such as Jean Stodden, the Ahr Valley winery, are prized.", "Jean Stodden"),
        ("Tickets for Arlo Parks, the London band behind the hit, sold out.", "Arlo Parks"),
        ("Koko Rae, a start-up that makes sensors, raised $5m.", "Koko Rae"),
        ("They picked Qualcomm (NASDAQ: QCOM), Facebook and SeaWorld.", "Qualcomm"),
    ],
)
def test_described_as_things(text: str, name: str) -> None:
    assert described_as_thing(text, at(text, name)[1])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jane Doe, a company spokeswoman, said it was closed.", "Jane Doe"),
        ("Jane Doe, a member of the band, said it was over.", "Jane Doe"),
        ("Jane Doe, the club's captain, scored.", "Jane Doe"),
        ("Jane Doe, a founder of the firm, resigned.", "Jane Doe"),
        ("Jane Doe, 45, works at a bank.", "Jane Doe"),
    ],
)
def test_people_described(text: str, name: str) -> None:
    assert not described_as_thing(text, at(text, name)[1])
