"""Row-level security, policies, grants and schemas written as definitions (for `schemac import`)."""
from __future__ import annotations

from typing import Any

from ..model.schema import Table
from ..model.security import PRIVILEGES, PUBLIC, Grants, Namespace, Policy


def _role(name: str) -> str:
    return "PUBLIC" if name == PUBLIC else name


def grant_items(kind: str, grants: Grants) -> list[dict[str, Any]]:
    """`grants:` items: one per role and grant option for the whole object (`[all]` when it holds
    every privilege of its kind), one per role, option and set of columns for column privileges."""
    order = PRIVILEGES[kind]
    whole: dict[tuple[str, bool], list[str]] = {}
    columns: dict[tuple[str, bool, str], list[str]] = {}
    for p in grants:
        if p.column is None:
            whole.setdefault((p.role, p.grantable), []).append(p.privilege)
        else:
            columns.setdefault((p.role, p.grantable, p.privilege), []).append(p.column)
    on_columns: dict[tuple[str, bool, tuple[str, ...]], list[str]] = {}
    for (role, grantable, privilege), on in columns.items():
        on_columns.setdefault((role, grantable, tuple(on)), []).append(privilege)
    out: list[dict[str, Any]] = []
    for (role, grantable), privileges in sorted(whole.items()):
        # a routine's one privilege reads better by its name than as [all]
        listed = ["all"] if set(privileges) == set(order) and len(order) > 1 else sorted(privileges, key=order.index)
        out.append(_item(role, listed, None, grantable))
    for (role, grantable, names), privileges in sorted(on_columns.items()):
        out.append(_item(role, sorted(privileges, key=order.index), list(names), grantable))
    return out


def grants_key(kind: str, grants: Grants, default: Grants = ()) -> dict[str, Any]:
    """The `grants:` key of an object of `kind`, as definitions and state.json write it; none when
    its grants are those it has without the key (a routine's: EXECUTE for PUBLIC), so `grants: []`
    where the default grants more."""
    return {} if grants == default else {"grants": grant_items(kind, grants)}


def _item(role: str, privileges: list[str], columns: list[str] | None, grantable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"role": _role(role), "privileges": privileges}
    if columns is not None:
        out["columns"] = columns
    if grantable:
        out["with_grant_option"] = True
    return out


def _policy(p: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name}
    if p.command != "all":
        out["command"] = p.command
    if p.roles != (PUBLIC,):
        out["roles"] = [_role(r) for r in p.roles]
    if p.using is not None:
        out["using"] = p.using.text
    if p.with_check is not None:
        out["with_check"] = p.with_check.text
    if not p.permissive:
        out["permissive"] = False
    if p.comment is not None:
        out["comment"] = p.comment
    return out


def table_security_keys(t: Table) -> dict[str, Any]:
    """The keys of a table document for its row-level security, policies and grants."""
    doc: dict[str, Any] = {}
    if t.row_security or t.force_row_security:
        doc["rls"] = {"enabled": t.row_security, "forced": t.force_row_security}
    if t.policies:
        doc["policies"] = [_policy(p) for p in t.policies]
    return doc | grants_key("table", t.grants)


def schema_document(n: Namespace) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema": n.name}
    if n.comment is not None:
        doc["comment"] = n.comment
    return doc | grants_key("schema", n.grants)
