"""Database URLs split by hand: valid forms pass untouched, malformed ones are refused, passwords redacted."""
from __future__ import annotations

import pytest

from compiler.live.database import DatabaseError, check_url, redact, split_url


@pytest.mark.parametrize("url", [
    "postgresql://app:s3cret@db.example.com:5432/app?sslmode=require",
    "postgres://app:p%40ss%23word@db/app",
    "postgresql://app:pw@[::1]:5432/app",
    "postgresql://app:pw@h1:5432,h2:5433/app",
    "postgresql:///app?host=/var/run/postgresql",
    "postgresql://db/app?application_name=a@b",
    "host=127.0.0.1 dbname=app password='has space'",
])
def test_valid_urls_pass(url: str) -> None:
    check_url(url)


def test_parts_of_a_malformed_url() -> None:
    parts = split_url("postgresql://app:p@ss w#rd/x@db:5432/app?sslmode=require")
    assert parts is not None
    assert (parts.user, parts.password, parts.hosts, parts.tail) == ("app", "p@ss w#rd/x", "db:5432",
                                                                     "/app?sslmode=require")
    assert parts.redacted() == "postgresql://app:***@db:5432/app?sslmode=require"
    with pytest.raises(DatabaseError) as e:
        check_url("postgresql://app:p@ss w#rd/x@db:5432/app")
    assert "p@ss" not in str(e.value) and "(' ' as %20, '#' as %23, '/' as %2F, '@' as %40)" in str(e.value)


def test_redact_every_spelling_of_the_password() -> None:
    url = "postgresql://app:p%40ss@db/app"
    assert redact("p%40ss and p@ss and postgresql://app:p%40ss@db", url) == "*** and *** and postgresql://app:***@db"
    assert redact("password=abc", "host=db password=abc") == "password=***"
