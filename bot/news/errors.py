"""The one kind of error the domain tells people about.

A ``NewsError`` is a failure the person who asked should hear about: ``kind`` names it
for code and tests (a decision never reads the message), ``message`` says it in one plain
sentence. Every domain error a user may see derives from it; ``bot/ui/errors.py`` shows
its message, and treats any other exception as a bug (logged, a generic apology shown).
"""

from __future__ import annotations


class NewsError(Exception):
    """A failure with a ``kind`` for code and a one-sentence ``message`` for people."""

    default_kind = "error"

    def __init__(self, message: str, *, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind or self.default_kind
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.kind!r}, {self.message!r})"
