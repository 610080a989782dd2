"""The article-text gate on its own: garbage and menus refused, real text in any script
kept, each refusal one sentence."""

from __future__ import annotations

import pytest

from bot.news.understanding.fetch import decode_body
from bot.news.understanding.quality import NoArticleText, check_article_text, measure
from tests.e2e.conftest import FILLER
from tests.hostile import hostile_pages as pages

ARTICLE = " ".join(FILLER * 3)


def test_real_text_passes_in_spaced_and_unspaced_scripts() -> None:
    check_article_text(ARTICLE)
    check_article_text(
        "東京で月曜日、政府は新しい予算案を発表した。専門家は今後数週間の動きを注視すると述べた。"
        * 3
    )
    table = "Pos. | Driver | Points\n" + "\n".join(
        f"| {n} | {n * 7} | {n * 3} |" for n in range(80)
    )
    check_article_text(ARTICLE + "\n" + table)


def test_random_bytes_are_no_article_text() -> None:
    text = decode_body(pages.binary_page(), None)
    with pytest.raises(NoArticleText) as info:
        check_article_text(text)
    assert info.value.message == (
        "That page has no article text (it reads as random characters, not words)."
    )


def test_a_menu_is_no_article_text() -> None:
    html = pages.nav_page().decode()
    menu_text = "\n".join(line for line in html.replace("</a>", "\n").split("\n") if line)
    labels = [chunk.rsplit(">", 1)[-1] for chunk in menu_text.split("\n")]
    text = "\n".join(label for label in labels if label and "<" not in label)
    assert measure(text, html).link_density > 0.9
    with pytest.raises(NoArticleText, match="mostly links"):
        check_article_text(text, html)
    # The same words as prose, with a link here and there, are an article.
    prose = f'<p>{ARTICLE} <a href="/x">more</a></p>'
    assert measure(ARTICLE + " more", prose).link_density < 0.1


def test_too_few_real_words() -> None:
    with pytest.raises(NoArticleText, match=r"only 6 real words"):
        check_article_text("Breaking: the council met on Monday.")
