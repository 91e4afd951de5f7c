"""Row-level security, policies, privileges and schemas, read from the catalog queries that
introspect.py sends (queries/row_security.sql, policies.sql, table_privileges.sql, namespaces.sql)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..model.expressions import ExpressionProblem
from ..model.policy_expressions import holds_a_subquery, policy_expression
from ..model.routines import routine_key
from ..model.schema import Expression, Schema
from ..model.security import PUBLIC_SCHEMA, Grants, Namespace, Policy, Privilege, canonical_grants

# (text, what, columns=...) -> the expression, or None when it cannot be read (named in problems)
ReadExpression = Callable[..., Expression | None]


@dataclass(frozen=True, slots=True)
class Security:
    """What the queries found, by table oid, and the schemas."""

    flags: dict[int, tuple[bool, bool]]
    policies: dict[int, tuple[Policy, ...]]
    grants: dict[int, list[Privilege]]
    namespaces: dict[str, Namespace]

    def table(self, oid: int) -> dict[str, Any]:
        """Table's keyword arguments for the table `oid`."""
        enabled, forced = self.flags.get(oid, (False, False))
        return {"row_security": enabled, "force_row_security": forced, "policies": self.policies.get(oid, ()),
                "grants": canonical_grants(self.grants.get(oid, []))}


def unwrapped(text: str) -> str:
    """pg_get_expr's text without the brackets it puts around a whole expression ('(id > 0)'),
    as a person writes it; brackets that close before the end ('(a) OR (b)') stay."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth, quoted = 0, False
    for i, char in enumerate(text):
        if char == "'":  # a doubled quote inside a literal toggles twice
            quoted = not quoted
        if quoted:
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]


def _clause(text: str | None, what: str, columns: dict[str, str], expr: ReadExpression) -> Expression | None:
    if text is None:
        return None
    if holds_a_subquery(text):
        try:
            return policy_expression(text, lenient=True)
        except ExpressionProblem:
            return None  # PostgreSQL printed it: balanced, one statement; not reached
    return expr(text, what, columns=columns)


def privileges_by_oid(rows: list[tuple[Any, ...]]) -> dict[int, list[Privilege]]:
    """Rows of queries/table_privileges.sql by table oid; canonical_grants makes each a model's Grants."""
    out: dict[int, list[Privilege]] = defaultdict(list)
    for oid, column, role, privilege, grantable in rows:
        out[oid].append(Privilege(role, privilege, column, grantable))
    return out


def with_object_grants(schema: Schema, rows: list[tuple[Any, ...]], unqualified: Callable[[str], str]) -> Schema:
    """`schema` with the grants of its views, sequences and routines: rows of
    queries/object_privileges.sql, a routine's input types spelled as read_routines spells them."""
    found: dict[str, list[Privilege]] = defaultdict(list)
    for space, schema_name, name, types, column, role, privilege, grantable in rows:
        key = (f"{schema_name}.{name}" if space == "relation"
               else routine_key(schema_name, name, [unqualified(t) for t in types]))
        found[key].append(Privilege(role, privilege, column, grantable))
    def held(key: str) -> Grants:
        return canonical_grants(found.get(key, []))

    return replace(schema, views={k: replace(v, grants=held(k)) for k, v in schema.views.items()},
                   sequences={k: replace(q, grants=held(k)) for k, q in schema.sequences.items()},
                   routines={k: replace(r, grants=held(k)) for k, r in schema.routines.items()})


def read_security(sent: Mapping[str, Any], names: dict[int, str], types: Mapping[int, dict[str, str]],
                  expr: ReadExpression) -> Security:
    flags = {oid: (enabled, forced) for oid, enabled, forced in sent["row_security"].fetchall()}
    policies: dict[int, list[Policy]] = defaultdict(list)
    for oid, name, command, permissive, roles, using, with_check, comment in sent["policies"].fetchall():
        what = f"{names[oid]} policy {name}"
        using, with_check = (unwrapped(t) if t is not None else None for t in (using, with_check))
        read = [_clause(text, what, types[oid], expr) for text in (using, with_check)]
        if any(e is None and text is not None for e, text in zip(read, (using, with_check), strict=True)):
            continue  # named in the problems by expr
        policies[oid].append(Policy(name, command, tuple(sorted(roles)), read[0], read[1], permissive, comment))
    grants = privileges_by_oid(sent["table_privileges"].fetchall())
    namespaces = {}
    for name, comment, roles, privileges, grantable in sent["namespaces"].fetchall():
        entries = [Privilege(r, p, None, g) for r, p, g in zip(roles, privileges, grantable, strict=True)]
        namespace = Namespace(name, comment, canonical_grants(entries))
        if namespace != PUBLIC_SCHEMA:  # public as PostgreSQL makes it is no schema of the definitions
            namespaces[name] = namespace
    return Security(flags, {oid: tuple(ps) for oid, ps in policies.items()}, grants, namespaces)
