"""state.json's part for row-level security, policies, grants and declared schemas.

Written only where set, so a state.json of a project without them keeps its bytes. Reading
takes state.py's checked getter (`get(d, key, kind, default)`), so a damaged value is the same
one-line error as anywhere in the file.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions.export_security import grants_key
from ..model.policy_expressions import holds_a_subquery, policy_expression
from ..model.schema import Expression, Table
from ..model.security import PRIVILEGES, PUBLIC, Grants, Namespace, Policy, Privilege, canonical_grants

Getter = Callable[..., Any]


def _policy(p: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "command": p.command, "roles": list(p.roles)}
    if p.using is not None:
        out["using"] = p.using.text
    if p.with_check is not None:
        out["with_check"] = p.with_check.text
    if not p.permissive:
        out["permissive"] = False
    if p.comment is not None:
        out["comment"] = p.comment
    return out


def table_security(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if t.row_security or t.force_row_security:
        out["rls"] = {"enabled": t.row_security, "forced": t.force_row_security}
    if t.policies:
        out["policies"] = [_policy(p) for p in t.policies]
    return out | grants_key("table", t.grants)


def write_namespaces(namespaces: dict[str, Namespace]) -> dict[str, Any]:
    if not namespaces:
        return {}
    items = []
    for n in namespaces.values():
        item: dict[str, Any] = {"name": n.name}
        if n.comment is not None:
            item["comment"] = n.comment
        items.append(item | grants_key("schema", n.grants))
    return {"schemas": items}


def read_grants(d: object, get: Getter, kind: str, default: Grants = ()) -> Grants:
    """`grants` as export_security.grants_key writes it (or an item per privilege, as state.json held them before)."""
    if "grants" not in (d if isinstance(d, dict) else {}):
        return default
    out: list[Privilege] = []
    for g in get(d, "grants", "list"):
        role = get(g, "role", "text")
        role = PUBLIC if role.lower() == PUBLIC else role
        option = get(g, "with_grant_option", "flag", False)
        if "privilege" in g:  # an item per privilege
            out.append(Privilege(role, get(g, "privilege", "text"), get(g, "column", "text?", None), option))
            continue
        listed = get(g, "privileges", "names")
        privileges = PRIVILEGES[kind] if listed == ["all"] else listed
        on: list[str | None] = list(get(g, "columns", "names", [])) or [None]
        out += [Privilege(role, p, c, option) for p in privileges for c in on]
    return canonical_grants(out)


def read_table_security(d: dict[str, Any], expr: Callable[[str | None], Expression | None],
                        get: Getter) -> dict[str, Any]:
    """Table's keyword arguments for what state.json holds of its security."""
    def clause(text: str | None) -> Expression | None:
        return policy_expression(text) if text is not None and holds_a_subquery(text) else expr(text)

    rls = get(d, "rls", "object?", None) or {}
    policies = tuple(Policy(get(p, "name", "text"), get(p, "command", "text"), tuple(get(p, "roles", "names")),
                            clause(get(p, "using", "text?", None)), clause(get(p, "with_check", "text?", None)),
                            get(p, "permissive", "flag", True), get(p, "comment", "text?", None))
                     for p in get(d, "policies", "list", []))
    return {"row_security": get(rls, "enabled", "flag", False), "force_row_security": get(rls, "forced", "flag", False),
            "policies": policies, "grants": read_grants(d, get, "table")}


def read_namespaces(s: dict[str, Any], get: Getter) -> dict[str, Namespace]:
    out = {}
    for n in get(s, "schemas", "list", []):
        namespace = Namespace(get(n, "name", "text"), get(n, "comment", "text?", None), read_grants(n, get, "schema"))
        out[namespace.name] = namespace
    return out
