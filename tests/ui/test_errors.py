"""What a user is told about a failure: decided by the error's type, never its text."""

from __future__ import annotations

from bot.news.errors import NewsError
from bot.news.feeds.service import FeedError
from bot.news.understanding.fetch import FetchError
from bot.news.understanding.pipeline import PipelineBusy
from bot.ui.errors import user_message


def test_domain_errors_show_their_sentence() -> None:
    assert user_message(FeedError("This server does not follow x.")) == (
        "This server does not follow x."
    )
    busy = PipelineBusy("https://example.com/a")
    assert busy.kind == "busy" and user_message(busy) == busy.message
    gone = FetchError("http_error", "The site answered 410 (the page is gone).", status=410)
    assert isinstance(gone, NewsError) and gone.status == 410
    assert user_message(gone) == "The site answered 410 (the page is gone)."


def test_anything_else_is_a_bug_the_user_does_not_see() -> None:
    class LooksFriendly(Exception):
        message = "Please try again."

    assert user_message(LooksFriendly()) is None
    assert user_message(KeyError("guild")) is None
    assert user_message(RuntimeError("the store is closed")) is None
