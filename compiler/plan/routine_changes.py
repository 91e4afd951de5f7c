"""Changes to functions, procedures and triggers (imported by changes.py, so change_kinds() finds them).

A routine is named by its signature (`public.add(integer, integer)`), as ALTER, DROP and COMMENT
name it. CREATE OR REPLACE keeps the routine (its grants, the triggers that run it) and changes
its body and properties; where PostgreSQL refuses that (plan/diff_routines.py says when), the
routine is dropped and created again, the triggers that run it with it.

Effects: a routine is no table, so its changes lock none (a routine's own lock is held for an
instant); dropping or renaming one breaks the code that calls it. A trigger's lock is its
table's: CREATE TRIGGER and ENABLE / DISABLE TRIGGER take SHARE ROW EXCLUSIVE, DROP TRIGGER and
ALTER TRIGGER ... RENAME ACCESS EXCLUSIVE, COMMENT ON TRIGGER only ACCESS SHARE (all measured in
tests/db/test_hazards_db.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.routines import Routine, Trigger
from .changes import Change, TableName
from .hazards import NO_TABLE, Lock, brief

# a replaced body is new code under the old name: callers keep working (the signature and the
# result are the same, or PostgreSQL refuses the replacement), but what they get may differ, which
# no catalog can judge; review says so, as for any change of behaviour
_REPLACED = NO_TABLE
_GONE = brief(None, breaks_code=True)  # callers of the old name fail


@dataclass(frozen=True, slots=True)
class RoutineChange(Change):
    routine: Routine  # as it will be (drops: as it was)

    @property
    def subject(self) -> str:
        return self.routine.key


@dataclass(frozen=True, slots=True)
class CreateFunction(RoutineChange):
    DESCRIPTION = "function {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class ReplaceFunction(RoutineChange):
    """CREATE OR REPLACE: a body or property changed, the signature and the result kept."""

    DESCRIPTION = "function {s} has another body or other properties"
    EFFECTS = _REPLACED


@dataclass(frozen=True, slots=True)
class DropFunction(RoutineChange):
    DESCRIPTION = "function {s} is not in the definitions or differs"
    EFFECTS = _GONE
    LOSES = "function"


@dataclass(frozen=True, slots=True)
class RenameFunction(RoutineChange):
    DESCRIPTION = "function {s} has another name"
    EFFECTS = _GONE
    new_name: str


@dataclass(frozen=True, slots=True)
class SetFunctionComment(RoutineChange):
    DESCRIPTION = "function {s} has another comment"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class CreateProcedure(RoutineChange):
    DESCRIPTION = "procedure {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class ReplaceProcedure(RoutineChange):
    DESCRIPTION = "procedure {s} has another body or other properties"
    EFFECTS = _REPLACED


@dataclass(frozen=True, slots=True)
class DropProcedure(RoutineChange):
    DESCRIPTION = "procedure {s} is not in the definitions or differs"
    EFFECTS = _GONE
    LOSES = "procedure"


@dataclass(frozen=True, slots=True)
class RenameProcedure(RoutineChange):
    DESCRIPTION = "procedure {s} has another name"
    EFFECTS = _GONE
    new_name: str


@dataclass(frozen=True, slots=True)
class SetProcedureComment(RoutineChange):
    DESCRIPTION = "procedure {s} has another comment"
    EFFECTS = NO_TABLE


# the change kinds of a function and of a procedure, by what they do
CREATE = {"function": CreateFunction, "procedure": CreateProcedure}
REPLACE = {"function": ReplaceFunction, "procedure": ReplaceProcedure}
DROP = {"function": DropFunction, "procedure": DropProcedure}
RENAME = {"function": RenameFunction, "procedure": RenameProcedure}
COMMENT = {"function": SetFunctionComment, "procedure": SetProcedureComment}


# -- triggers

@dataclass(frozen=True, slots=True)
class TriggerChange(Change):
    trigger: Trigger  # as it will be (drops: as it was, on its table as it was named then)

    @property
    def table(self) -> TableName:
        return TableName(self.trigger.schema, self.trigger.table)

    @property
    def subject(self) -> str:
        return f"{self.trigger.table_key}.{self.trigger.name}"

    @property
    def object_key(self) -> str:
        return self.trigger.table_key


@dataclass(frozen=True, slots=True)
class CreateTrigger(TriggerChange):
    DESCRIPTION = "trigger {s} is missing or differs"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class CreateViewTrigger(TriggerChange):
    """CREATE TRIGGER on a view: once the views are built (a view dropped and created again by the
    same migration loses its triggers with it, and gets them back here)."""

    DESCRIPTION = "trigger {s} of a view is missing, differs or went with its view"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the view: blocks writes through it while it commits

    @property
    def template(self) -> str:
        return "create_trigger.sql.j2"


@dataclass(frozen=True, slots=True)
class DropTrigger(TriggerChange):
    DESCRIPTION = "trigger {s} is not in the definitions or differs"
    EFFECTS = brief(Lock.ACCESS_EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class RenameTrigger(TriggerChange):
    DESCRIPTION = "trigger {s} has another name"
    EFFECTS = brief(Lock.ACCESS_EXCLUSIVE)
    # trigger: as it was, on its table as it is named now (renames of tables run first)
    new_name: str


@dataclass(frozen=True, slots=True)
class SetTriggerComment(TriggerChange):
    DESCRIPTION = "trigger {s} has another comment"
    EFFECTS = brief(Lock.ACCESS_SHARE)


@dataclass(frozen=True, slots=True)
class SetTriggerEnabled(TriggerChange):
    """ALTER TABLE ... ENABLE [REPLICA | ALWAYS] / DISABLE TRIGGER."""

    DESCRIPTION = "trigger {s} fires otherwise (enabled, disabled, replica or always)"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)
