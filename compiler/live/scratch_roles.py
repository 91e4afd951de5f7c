"""Scratch builds without roles: grants and policies' roles are names, which PostgreSQL stores
as they are written, so a scratch build (scratch.py) leaves them out and puts the desired ones
back. The throwaway server need not hold the roles a project grants to (verify says which are
missing, apply fails on them); CURRENT_USER and its kin are resolved to the role that builds,
as PostgreSQL resolves them when a policy is made."""
from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from ..model.routines import Routine
from ..model.schema import Schema, Table
from ..model.security import PUBLIC, Policy, public_defaults
from ..model.standalone_sequences import Sequence
from ..model.view import View

_Granted = TypeVar("_Granted", View, Sequence, Routine)
_SAME_AS_USER = ("current_user", "current_role", "session_user")


def without_roles(schema: Schema) -> Schema:
    """`schema` with no grants, declared schemas or policy roles (every policy for PUBLIC); views,
    sequences and routines with the ACL PostgreSQL gives them when made."""
    if not schema.namespaces and not any(t.grants or t.policies for t in schema.tables.values()) and not (
            _granted(schema)):
        return schema
    return replace(schema, namespaces={}, tables={k: _bare(t) for k, t in schema.tables.items()},
                   views={k: replace(v, grants=()) for k, v in schema.views.items()},
                   sequences={k: replace(q, grants=()) for k, q in schema.sequences.items()},
                   routines={k: replace(r, grants=public_defaults(r.kind)) for k, r in schema.routines.items()})


def _granted(schema: Schema) -> bool:
    return (any(v.grants for v in schema.views.values()) or any(q.grants for q in schema.sequences.values())
            or any(r.grants != public_defaults(r.kind) for r in schema.routines.values()))


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
    return replace(built, tables=tables, namespaces=desired.namespaces,
                   views={k: _like(v, desired.views.get(k)) for k, v in built.views.items()},
                   sequences={k: _like(q, desired.sequences.get(k)) for k, q in built.sequences.items()},
                   routines={k: _like(r, desired.routines.get(k)) for k, r in built.routines.items()})


def _like(built: _Granted, want: _Granted | None) -> _Granted:
    """`built` with the grants `want` declares."""
    return built if want is None or want.grants == built.grants else replace(built, grants=want.grants)


def _resolved(p: Policy, roles: tuple[str, ...], user: str) -> Policy:
    return replace(p, roles=tuple(sorted({user if r in _SAME_AS_USER else r for r in roles})))
