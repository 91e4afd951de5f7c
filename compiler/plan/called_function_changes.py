"""Changes to functions that tables and domains call (model/routine_uses.py): created before the
tables and domains, moved aside while their callers are pointed at a new signature, dropped after
the callers are gone.

Effects: as any routine's (plan/routine_changes.py), no table is locked; moving a function aside
breaks the code that calls it by name until the new one is there, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from .hazards import NO_TABLE, brief
from .routine_changes import RoutineChange


@dataclass(frozen=True, slots=True)
class CreateCalledFunction(RoutineChange):
    """CREATE FUNCTION before the tables and domains that call it; a sql body is checked when first
    called, not when created (check_function_bodies off): it may read tables created after it."""

    DESCRIPTION = "function {s}, which a table or domain calls, is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class RenameFunctionAside(RoutineChange):
    """ALTER FUNCTION ... RENAME to a free name, so the new function can take the name while the
    callers still hold the old one (by oid) until they are pointed at the new."""

    DESCRIPTION = "function {s} is replaced by another signature"
    EFFECTS = brief(None, breaks_code=True)
    new_name: str


@dataclass(frozen=True, slots=True)
class DropCalledFunction(RoutineChange):
    """DROP FUNCTION once no table, column, index or domain calls it (routine: as named then)."""

    DESCRIPTION = "function {s}, which a table or domain called, is not in the definitions or differs"
    EFFECTS = brief(None, breaks_code=True)
    LOSES = "function"


@dataclass(frozen=True, slots=True)
class CreateCalledFunctionOverDomain(RoutineChange):
    """A called function whose arguments or result are of a domain: created after the domains, still
    before the tables that call it (one a domain calls cannot be over a domain)."""

    DESCRIPTION = "function {s}, which a table calls and which takes or returns a domain, is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropCalledFunctionOverDomain(RoutineChange):
    """DROP FUNCTION once its callers are gone, before the domains its arguments or result are of."""

    DESCRIPTION = "function {s}, which a table called and which takes or returns a domain, is not in the definitions"
    EFFECTS = brief(None, breaks_code=True)
    LOSES = "function"
