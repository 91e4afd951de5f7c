"""Row-level security, policies and privileges: canonical values for the model.

Privileges are kept as PostgreSQL stores them in an ACL, one item per (grantee, privilege,
column), so any kind of object (table, schema, sequence, function, ...) holds its grants the
same way and the diff, the SQL and introspection are written once for all kinds. `all` is
expanded to the object kind's privileges, as PostgreSQL expands it. The owner's own privileges
are never part of the model: the owner holds them implicitly, and an ACL that PostgreSQL keeps
as NULL means "the owner's and the kind's defaults" (acldefault), which is what an object
without `grants:` compares as.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # schema.py holds these objects on its tables
    from .schema import Expression

PUBLIC = "public"  # the pseudo-role every role is a member of (aclitem's empty grantee, polroles' 0)

# The privileges of each kind of object, in the order GRANT ALL lists them (PostgreSQL's ACL_ALL_RIGHTS_*)
PRIVILEGES: dict[str, tuple[str, ...]] = {
    "table": ("select", "insert", "update", "delete", "truncate", "references", "trigger"),
    "view": ("select", "insert", "update", "delete", "truncate", "references", "trigger"),
    "materialized_view": ("select", "insert", "update", "delete", "truncate", "references", "trigger"),
    "sequence": ("usage", "select", "update"),
    "schema": ("usage", "create"),
    "function": ("execute",),
    "procedure": ("execute",),
    "type": ("usage",),
    "domain": ("usage",),
}
# privileges a column can be granted (column privileges of tables and views)
COLUMN_PRIVILEGES = ("select", "insert", "update", "references")

# What a kind's NULL ACL grants PUBLIC (acldefault): functions and types are usable by everyone
# until revoked. An object of such a kind without `grants:` is given these.
PUBLIC_DEFAULTS: dict[str, tuple[str, ...]] = {"function": ("execute",), "procedure": ("execute",),
                                               "type": ("usage",), "domain": ("usage",)}

# words CREATE POLICY ... TO and GRANT take for a role that are not role names: PUBLIC, and those
# PostgreSQL resolves to the role running the statement (refused: a role is named)
ROLE_KEYWORDS = ("public", "current_user", "session_user", "current_role")


@dataclass(frozen=True, slots=True)
class Privilege:
    """One ACL entry: `role` holds `privilege` (on `column`, or the whole object when None),
    and may grant it on (`grantable`). `role` is a role name, or 'public'."""

    role: str
    privilege: str
    column: str | None = None
    grantable: bool = False


Grants = tuple[Privilege, ...]  # sorted, one entry per (role, privilege, column)


def canonical_grants(items: list[Privilege] | tuple[Privilege, ...]) -> Grants:
    """Entries sorted and merged: a privilege granted twice is held once, grantable if either is."""
    held: dict[tuple[str, str, str | None], bool] = {}
    for p in items:
        key = (p.role, p.privilege, p.column)
        held[key] = held.get(key, False) or p.grantable
    return tuple(sorted((Privilege(r, priv, col, g) for (r, priv, col), g in held.items()), key=_order))


def _order(p: Privilege) -> tuple[str, str, bool, str]:
    return p.role, p.privilege, p.column is not None, p.column or ""


def public_defaults(kind: str) -> Grants:
    """The grants an object of `kind` has when its ACL is NULL (besides its owner's)."""
    return tuple(Privilege(PUBLIC, p) for p in PUBLIC_DEFAULTS.get(kind, ()))


def roles_named(grants: Grants) -> set[str]:
    return {p.role for p in grants if p.role != PUBLIC}


@dataclass(frozen=True, slots=True)
class PolicyReads:
    """What a policy's USING and WITH CHECK read. `columns`: (relation key, column) pairs, its own
    table's among them; `whole`: relations whose columns could not be told apart (any change
    under them counts); `calls`: the names it calls (keywords before a bracket too: only names of
    routines are looked up); `subquery`: whether a subquery reads other relations, whose names its
    normal form (its tokens) holds."""

    columns: frozenset[tuple[str, str]] = frozenset()
    whole: frozenset[str] = frozenset()
    calls: frozenset[str] = frozenset()
    subquery: bool = False

    @property
    def relations(self) -> frozenset[str]:
        return self.whole | {r for r, _ in self.columns}

    def uses(self, relation: str, column: str) -> bool:
        return relation in self.whole or (relation, column) in self.columns


# how the normal form of an expression holding a subquery starts: its first token's kind
_TOKEN_FORM = re.compile(r"(word|quoted|string|number|op|punct|typecast|param):")


def with_names_renamed(e: Expression, names: Mapping[str, str]) -> Expression:
    """A policy's expression holding a subquery (its normal form: its tokens as 'kind:value',
    policy_expressions.py) as PostgreSQL holds it after tables and columns it reads were renamed:
    PostgreSQL keeps the policy parsed, so the names follow; the text is kept."""
    moved = {old: new for old, new in names.items() if old != new}
    if not moved or len(e.normal) != 1 or not _TOKEN_FORM.match(e.normal[0]):
        return e  # an expression without a subquery: its columns follow through with_columns_renamed

    def renamed(m: re.Match[str]) -> str:
        return f"{m.group(1)}:{moved.get(m.group(2), m.group(2))}"

    normal = re.sub(r"(?<![^ ])(word|quoted):([^ ]+)(?![^ ])", renamed, e.normal[0])
    return replace(e, normal=(normal,)) if normal != e.normal[0] else e


@dataclass(frozen=True, slots=True)
class Policy:
    """CREATE POLICY name ON table AS PERMISSIVE|RESTRICTIVE FOR command TO roles USING (...) WITH CHECK (...).

    `roles` are sorted role names, 'public' among them as PostgreSQL keeps it (a policy for
    PUBLIC alone is ('public',)). The definitions name no current_user, session_user or
    current_role: PostgreSQL resolves them to a role when the policy is made.
    """

    name: str
    command: str = "all"  # all | select | insert | update | delete
    roles: tuple[str, ...] = (PUBLIC,)
    using: Expression | None = None
    with_check: Expression | None = None
    permissive: bool = True
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)
    # what its expressions read, found when the model is built (model/policy_reads.py)
    reads: PolicyReads | None = field(default=None, compare=False)

    def rebuilt_form(self) -> Policy:
        """The policy without what ALTER POLICY and COMMENT change in place."""
        return Policy(self.name, self.command, permissive=self.permissive)


# Which of USING and WITH CHECK each command takes (PostgreSQL 15, CREATE POLICY)
TAKES_USING = ("all", "select", "update", "delete")
TAKES_WITH_CHECK = ("all", "insert", "update")
COMMANDS = ("all", "select", "insert", "update", "delete")


@dataclass(frozen=True, slots=True)
class Namespace:
    """A schema declared by a `schema:` document: its comment and grants. Schemas that only
    hold tables or types exist all the same (Schema.schema_names); this is what a schema adds."""

    name: str
    comment: str | None = None
    grants: Grants = ()


# The public schema as PostgreSQL 15 makes it (owned by pg_database_owner, usable by everyone)
PUBLIC_SCHEMA = Namespace("public", "standard public schema", (Privilege(PUBLIC, "usage"),))


def namespace_default(name: str) -> Namespace:
    """A schema's comment and grants when no `schema:` document says otherwise: public as
    PostgreSQL makes it, any other with neither."""
    return PUBLIC_SCHEMA if name == PUBLIC else Namespace(name)
