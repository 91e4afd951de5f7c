"""Domains: a base type with a default, NOT NULL and checks on VALUE, usable as a column type.

A domain is a type, so columns name it as format_type() prints it (enum_type_spelling: bare in
public, schema-qualified elsewhere); seeds and the warehouse read a domain column as its base type.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .schema import Expression


@dataclass(frozen=True, slots=True)
class DomainCheck:
    """CONSTRAINT name CHECK (expression over VALUE)."""

    name: str
    expression: Expression
    # pg_constraint.convalidated: False only when read from a database (added NOT VALID, never validated)
    valid: bool = True
    renamed_from: str | None = field(default=None, compare=False)
    # added NOT VALID and validated in the migration's follow-up transaction (plan/online.py)
    online: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Domain:
    schema: str
    name: str
    type: str  # the base type, as format_type() prints it (an enum, an array or another domain too)
    default: Expression | None = None
    not_null: bool = False
    collation: str | None = None  # when not the base type's default: 'name' or 'schema.name'
    checks: tuple[DomainCheck, ...] = ()  # by name
    comment: str | None = None
    renamed_from: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def check(self, name: str) -> DomainCheck | None:
        return next((c for c in self.checks if c.name == name), None)


def base_type(type_name: str, domains_by_spelling: Mapping[str, Domain]) -> str:
    """The type a value of `type_name` is stored as: a domain followed down to a type that is not
    one (an array of a domain is an array of its base)."""
    array = "[]" if type_name.endswith("[]") else ""
    name = type_name.removesuffix("[]")
    seen: set[str] = set()
    while name in domains_by_spelling and name not in seen:
        seen.add(name)
        base = domains_by_spelling[name].type
        if base.endswith("[]"):
            array = "[]"
        name = base.removesuffix("[]")
    return name + array


def refuses_null(type_name: str, domains_by_spelling: Mapping[str, Domain]) -> bool:
    """Whether a column of `type_name` refuses NULL for its type's sake: a domain NOT NULL (or over one)."""
    name, seen = type_name, set()
    while name in domains_by_spelling and name not in seen:  # an array of a domain may hold NULL
        seen.add(name)
        if domains_by_spelling[name].not_null:
            return True
        name = domains_by_spelling[name].type
    return False


def has_constraints(type_name: str, domains_by_spelling: Mapping[str, Domain]) -> bool:
    """Whether a value of `type_name` is checked: a domain (or a domain it is over) with a check or
    NOT NULL. An array of a domain checks each element."""
    name, seen = type_name.removesuffix("[]"), set()
    while name in domains_by_spelling and name not in seen:
        seen.add(name)
        d = domains_by_spelling[name]
        if d.checks or d.not_null:
            return True
        name = d.type.removesuffix("[]")
    return False
