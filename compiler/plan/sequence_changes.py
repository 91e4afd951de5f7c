"""Changes to standalone sequences (`sequence:` documents); those of identity and serial columns are
column changes (changes.py). Imported by changes.py, so change_kinds() finds them."""
from __future__ import annotations

from dataclasses import dataclass

from ..model.sequences import all_options
from ..model.standalone_sequences import Sequence
from .changes import Change
from .hazards import NO_TABLE, Effects, Lock, brief


@dataclass(frozen=True, slots=True)
class SequenceChange(Change):
    sequence: Sequence

    @property
    def subject(self) -> str:
        return self.sequence.key

    @property
    def all_options(self) -> tuple[tuple[str, int | bool], ...]:
        """Every option spelled out, so ALTER sets defaults as well as the rest."""
        return all_options(self.sequence.type, self.sequence.options)


@dataclass(frozen=True, slots=True)
class CreateSequence(SequenceChange):
    DESCRIPTION = "sequence {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropSequence(SequenceChange):
    DESCRIPTION = "sequence {s} is not in the definitions"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, breaks_code=True)  # on the sequence; nextval() of it fails
    LOSES = "the position of sequence"

    @property
    def data_loss(self) -> str | None:
        return f"drop sequence {self.subject}: its position (the next number it gives) is lost"


@dataclass(frozen=True, slots=True)
class AlterSequence(SequenceChange):
    """Its type and options set in place (ALTER SEQUENCE AS ... INCREMENT ... START ...); the
    position stays: START WITH changes only where a RESTART would begin, and no migration restarts."""

    DESCRIPTION = "sequence {s} has other options"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the sequence, not a table; refined below
    was: Sequence

    @property
    def effects(self) -> Effects:
        # bounds drawn in past the position: PostgreSQL refuses rather than move it
        (old_min, old_max), (new_min, new_max) = self.was.bounds(), self.sequence.bounds()
        narrowed = new_min > old_min or new_max < old_max
        return Effects(Lock.SHARE_ROW_EXCLUSIVE, fails_on_rows=True) if narrowed else self.EFFECTS


@dataclass(frozen=True, slots=True)
class RenameSequence(Change):
    """A standalone sequence renamed (`renamed_from`); defaults calling it follow by its oid."""

    DESCRIPTION = "standalone sequence {s} has another name"
    EFFECTS = brief(breaks_code=True)  # on the sequence; code naming it in nextval('...') fails
    schema: str
    old_name: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.old_name}"


@dataclass(frozen=True, slots=True)
class SetSequenceOwner(SequenceChange):
    """OWNED BY table.column: the sequence is dropped with that column or its table."""

    DESCRIPTION = "sequence {s} has another owner"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the sequence


@dataclass(frozen=True, slots=True)
class SetSequenceSchema(Change):
    """A standalone sequence moved to another schema (`renamed_from: schema.name`), after its rename
    if it has one; defaults calling it follow by its oid. An owned one loses its owner first:
    PostgreSQL moves no owned sequence."""

    DESCRIPTION = "standalone sequence {s} is in another schema"
    EFFECTS = brief(breaks_code=True)  # on the sequence; code naming it by its old schema fails
    schema: str
    name: str
    new_schema: str

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class DropSequenceOwner(SequenceChange):
    """OWNED BY NONE, before any drop that would take the sequence with its old owner."""

    DESCRIPTION = "sequence {s} is owned by a column"
    EFFECTS = brief(Lock.SHARE_ROW_EXCLUSIVE)  # on the sequence


@dataclass(frozen=True, slots=True)
class SetSequenceLogged(SequenceChange):
    """ALTER SEQUENCE ... SET LOGGED / SET UNLOGGED (`unlogged:`)."""

    DESCRIPTION = "sequence {s} is logged otherwise (UNLOGGED or not)"
    EFFECTS = brief()  # on the sequence, rewritten in a new file: its position stays


@dataclass(frozen=True, slots=True)
class SetSequenceComment(SequenceChange):
    DESCRIPTION = "sequence {s} has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)  # on the sequence
