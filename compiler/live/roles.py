"""Roles are referenced, never created: the ones a schema names must exist on the server before
its grants and policies can be made. apply and verify say which are missing, by name."""
from __future__ import annotations

import psycopg

from ..model.schema import Schema
from ..model.security import PUBLIC, ROLE_KEYWORDS, roles_named


def roles_of(schema: Schema) -> set[str]:
    """Every role the schema's grants and policies name (PUBLIC and CURRENT_USER and its kin aside)."""
    names: set[str] = set()
    for t in schema.tables.values():
        names |= roles_named(t.grants)
        names |= {r for p in t.policies for r in p.roles if r not in ROLE_KEYWORDS}
    for n in schema.namespaces.values():
        names |= roles_named(n.grants)
    return names - {PUBLIC}


def missing_roles(conn: psycopg.Connection, names: set[str]) -> list[str]:
    """Those of `names` that are no role on the server `conn` is connected to, sorted."""
    if not names:
        return []
    found = {r for (r,) in conn.execute("SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s)",
                                        [sorted(names)]).fetchall()}
    return sorted(names - found)


def missing_roles_message(missing: list[str], where: str) -> str:
    listed = ", ".join(missing)
    return (f"the definitions grant to or make policies for role(s) that do not exist on {where}: {listed}; "
            f"schemac does not create roles: create them first (CREATE ROLE ...)")
