"""Scratch builds without roles: grants and policies' roles are names, which PostgreSQL stores
as they are written, so a scratch build (scratch.py) leaves them out and puts the desired ones
back. The throwaway server need not hold the roles a project grants to (verify says which are
missing, apply fails on them); CURRENT_USER and its kin are resolved to the role that builds,
as PostgreSQL resolves them when a policy is made."""
from __future__ import annotations

from dataclasses import replace

from ..model.schema import Schema, Table
from ..model.security import PUBLIC, Policy

_SAME_AS_USER = ("current_user", "current_role", "session_user")


def without_roles(schema: Schema) -> Schema:
    """`schema` with no grants, declared schemas or policy roles (every policy for PUBLIC)."""
    if not schema.namespaces and not any(t.grants or t.policies for t in schema.tables.values()):
        return schema
    return replace(schema, namespaces={}, tables={k: _bare(t) for k, t in schema.tables.items()})


def _bare(t: Table) -> Table:
    if not t.grants and not t.policies:
        return t
    return replace(t, grants=(), policies=tuple(replace(p, roles=(PUBLIC,)) for p in t.policies))


def with_roles(built: Schema, desired: Schema, user: str) -> Schema:
    """`built` (read back from a build of without_roles(desired)) with the desired grants, policy
    roles and declared schemas put back."""
    tables = {}
    for k, t in built.tables.items():
        want = desired.tables.get(k)
        if want is None or (not want.grants and not want.policies):
            tables[k] = t
            continue
        roles = {p.name: p.roles for p in want.policies}
        tables[k] = replace(t, grants=want.grants,
                            policies=tuple(_resolved(p, roles.get(p.name, p.roles), user) for p in t.policies))
    return replace(built, tables=tables, namespaces=desired.namespaces)


def _resolved(p: Policy, roles: tuple[str, ...], user: str) -> Policy:
    return replace(p, roles=tuple(sorted({user if r in _SAME_AS_USER else r for r in roles})))
