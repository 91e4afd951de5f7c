"""Roles of a test's own. Roles are cluster-wide: each test makes them under a name no other test
(nor another branch's run) uses, and drops them at its end after DROP OWNED BY in its databases,
so the databases go back to the pool holding no privilege of a role that is gone."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql


@contextmanager
def own_roles(admin_url: str, database_urls: tuple[str, ...], prefix: str, kinds: tuple[str, ...]
              ) -> Iterator[dict[str, str]]:
    """Roles `prefix`_<tag>_<kind>, one per kind -> their names; dropped at the end."""
    tag = uuid.uuid4().hex[:10]
    names = {k: f"{prefix}_{tag}_{k}" for k in kinds}
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names.values():
            conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(name)))
    try:
        yield names
    finally:
        listed = sql.SQL(", ").join(map(sql.Identifier, names.values()))
        for url in database_urls:  # their privileges and policies there go first
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP OWNED BY {}").format(listed))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(listed))
