"""Changes of row-level security, policies, privileges and schemas' own properties.

Kept apart from changes.py for size; changes.py imports this module, so change_kinds() finds
every kind here. Grant and Revoke name their object through a GrantTarget, so every kind of
object that holds privileges (table, schema, sequence, function, ...) uses the same two changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model.security import Policy
from .changes import Change, SchemaChange, TableChange
from .hazards import NO_TABLE, Effects, Lock, brief

# -- row-level security of a table


@dataclass(frozen=True, slots=True)
class EnableRowSecurity(TableChange):
    DESCRIPTION = "table {s} does not enforce row-level security"
    # from now on a role without a policy that lets it see a row sees none
    EFFECTS = brief(breaks_code=True)


@dataclass(frozen=True, slots=True)
class DisableRowSecurity(TableChange):
    DESCRIPTION = "table {s} enforces row-level security but should not"
    EFFECTS = brief()


@dataclass(frozen=True, slots=True)
class ForceRowSecurity(TableChange):
    DESCRIPTION = "table {s} does not apply row-level security to its owner"
    EFFECTS = brief(breaks_code=True)  # the owner's own queries are filtered from now on


@dataclass(frozen=True, slots=True)
class NoForceRowSecurity(TableChange):
    DESCRIPTION = "table {s} applies row-level security to its owner but should not"
    EFFECTS = brief()


# -- policies

@dataclass(frozen=True, slots=True)
class PolicyChange(TableChange):
    """A change to one policy of a table (named by the table it is on, which names it)."""

    @property
    def policy_name(self) -> str:
        raise NotImplementedError

    @property
    def subject(self) -> str:
        return f"{self.table.key}.{self.policy_name}"


@dataclass(frozen=True, slots=True)
class WholePolicyChange(PolicyChange):
    policy: Policy

    @property
    def policy_name(self) -> str:
        return self.policy.name


@dataclass(frozen=True, slots=True)
class CreatePolicy(WholePolicyChange):
    DESCRIPTION = "policy {s} is missing or differs"
    EFFECTS = brief()  # refined below

    @property
    def effects(self) -> Effects:
        # a restrictive policy hides rows that code saw; a permissive one only shows more
        return brief(breaks_code=not self.policy.permissive)


@dataclass(frozen=True, slots=True)
class DropPolicy(WholePolicyChange):
    DESCRIPTION = "policy {s} is not in the definitions or differs"
    EFFECTS = brief()  # refined below

    @property
    def effects(self) -> Effects:
        # a permissive policy gone hides the rows it let code see
        return brief(breaks_code=self.policy.permissive)


@dataclass(frozen=True, slots=True)
class AlterPolicy(WholePolicyChange):
    """ALTER POLICY: its roles, USING and WITH CHECK in place (command and kind need a rebuild)."""

    DESCRIPTION = "policy {s} has other roles or expressions"
    EFFECTS = brief(breaks_code=True)  # what running code sees changes


@dataclass(frozen=True, slots=True)
class RenamePolicy(PolicyChange):
    DESCRIPTION = "policy {s} has another name"
    EFFECTS = brief()
    old_name: str
    new_name: str

    @property
    def policy_name(self) -> str:
        return self.old_name


@dataclass(frozen=True, slots=True)
class SetPolicyComment(PolicyChange):
    DESCRIPTION = "policy {s} has another comment"
    EFFECTS = brief(Lock.ACCESS_SHARE)  # as measured: COMMENT ON POLICY reads the table's policies
    policy: str
    comment: str | None

    @property
    def policy_name(self) -> str:
        return self.policy


# -- schemas' own properties

@dataclass(frozen=True, slots=True)
class SetSchemaComment(SchemaChange):
    DESCRIPTION = "schema {s} has another comment"
    EFFECTS = NO_TABLE
    comment: str | None


# -- privileges, on any kind of object

@dataclass(frozen=True, slots=True, order=True)
class GrantTarget:
    """An object privileges are granted on: its kind as GRANT names it ('table', 'schema',
    'sequence', 'function', 'procedure', 'type', 'domain'), its schema and name (a schema: its
    name, in both), and for a routine its argument types as PostgreSQL prints them."""

    kind: str
    schema: str
    name: str
    arguments: str | None = None

    @property
    def keyword(self) -> str:
        """How GRANT names the kind: views and materialized views are granted as tables."""
        return "TABLE" if self.kind in ("table", "view", "materialized_view") else self.kind.upper()

    @property
    def key(self) -> str:
        base = self.name if self.kind == "schema" else f"{self.schema}.{self.name}"
        return base if self.arguments is None else f"{base}({self.arguments})"


@dataclass(frozen=True, slots=True)
class PrivilegeChange(Change):
    """Privileges of one role on one object: `privileges` pairs a privilege with the columns it
    is on, () for the whole object (`GRANT SELECT, UPDATE (a, b) ON TABLE t TO r`)."""

    LOSES: ClassVar[str] = "privileges on"
    target: GrantTarget
    role: str  # a role name, or 'public'
    privileges: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def subject(self) -> str:
        kind = self.target.kind.replace("_", " ")
        return f"{kind} {self.target.key} to {'PUBLIC' if self.role == 'public' else self.role}"

    @property
    def object_key(self) -> str:
        return self.target.key


@dataclass(frozen=True, slots=True)
class Grant(PrivilegeChange):
    DESCRIPTION = "privileges on {s} are missing"
    EFFECTS = NO_TABLE  # the catalog row only: no lock on the object, nothing in use breaks
    with_grant_option: bool = False


@dataclass(frozen=True, slots=True)
class Revoke(PrivilegeChange):
    DESCRIPTION = "privileges on {s} are not in the definitions"
    EFFECTS = Effects(None, breaks_code=True)  # code running as the role loses access
    grant_option_only: bool = False  # REVOKE GRANT OPTION FOR: the privilege stays
    # from an object made in the same migration (a function's default EXECUTE for PUBLIC): no
    # code has used it yet (one dropped and made again is flagged by its drop)
    made_here: bool = False

    @property
    def effects(self) -> Effects:
        return NO_TABLE if self.made_here else self.EFFECTS


__all__ = ["AlterPolicy", "CreatePolicy", "DisableRowSecurity", "DropPolicy", "EnableRowSecurity",
           "ForceRowSecurity", "Grant", "GrantTarget", "NoForceRowSecurity", "RenamePolicy", "Revoke",
           "SetPolicyComment", "SetSchemaComment"]
