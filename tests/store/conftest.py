"""Fixtures for the store tests."""

from tests.store.postgres_support import (  # noqa: F401  (fixtures)
    postgres_server,
    postgres_session_db,
    postgres_url,
)
