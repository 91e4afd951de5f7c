"""Changes to domains (`domain:` documents). Imported by changes.py, so change_kinds() finds them.

Default, NOT NULL and checks change in place (ALTER DOMAIN); a new base type or collation cannot,
so plan/diff_seqdom.py renames the domain away, creates it anew, converts its columns and drops it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.domains import Domain, DomainCheck
from ..model.schema import Expression
from .changes import Change
from .hazards import NO_TABLE, Effects, Lock

# what validating a domain constraint does: every column of the domain is read, each table under SHARE
_SCANS_COLUMNS = Effects(Lock.SHARE, scans=True, fails_on_rows=True)


@dataclass(frozen=True, slots=True)
class DomainChange(Change):
    domain: Domain

    @property
    def subject(self) -> str:
        return self.domain.key

    @property
    def object_key(self) -> str:
        return self.domain.key


@dataclass(frozen=True, slots=True)
class CreateDomain(DomainChange):
    DESCRIPTION = "domain {s} is missing"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DropDomain(DomainChange):
    DESCRIPTION = "domain {s} is not in the definitions"
    EFFECTS = NO_TABLE  # the columns of a recreated domain change type in AlterColumnType
    LOSES = "values of domain"
    replaced_by: Domain | None = None  # set when the domain is made anew (another base type or collation)
    narrower: bool = False  # and its new base type holds less than the old

    @property
    def data_loss(self) -> str | None:
        if self.replaced_by is None or not self.narrower:
            return None
        return (f"change the base type of domain {self.replaced_by.key} from {self.domain.type} to "
                f"{self.replaced_by.type}: a value that does not fit fails the migration or is cut")

    @property
    def lost_data(self) -> str:
        """A domain made anew is dropped by its temporary name: say the one it is known by."""
        if self.replaced_by is None:
            return f"{self.LOSES} {self.subject}"
        return f"{self.LOSES} {self.replaced_by.key} that do not fit its new base type {self.replaced_by.type}"


@dataclass(frozen=True, slots=True)
class RenameDomain(DomainChange):
    DESCRIPTION = "domain {s} has another name"
    EFFECTS = Effects(None, breaks_code=True)  # casts to it by name fail
    new_name: str
    # out of the way of the domain made anew in its place, dropped in the same migration: nothing sees it
    temporary: bool = False

    @property
    def effects(self) -> Effects:
        return NO_TABLE if self.temporary else self.EFFECTS


@dataclass(frozen=True, slots=True)
class SetDomainSchema(DomainChange):
    """A domain moved to another schema (`renamed_from: schema.name`), after its rename if it has
    one; `domain` as it is named then. Its columns follow without a change."""

    DESCRIPTION = "domain {s} is in another schema"
    EFFECTS = Effects(None, breaks_code=True)  # casts to it by its old schema fail
    new_schema: str


@dataclass(frozen=True, slots=True)
class SetDomainDefault(DomainChange):
    DESCRIPTION = "domain {s} has another default"
    EFFECTS = NO_TABLE  # columns without a default of their own take it for new rows only
    default: Expression


@dataclass(frozen=True, slots=True)
class DropDomainDefault(DomainChange):
    DESCRIPTION = "domain {s} has a default"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class SetDomainNotNull(DomainChange):
    DESCRIPTION = "domain {s} allows NULL"
    EFFECTS = _SCANS_COLUMNS


@dataclass(frozen=True, slots=True)
class DropDomainNotNull(DomainChange):
    DESCRIPTION = "domain {s} is NOT NULL"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class DomainCheckChange(DomainChange):
    check: DomainCheck

    @property
    def subject(self) -> str:
        return f"{self.domain.key}.{self.check.name}"


@dataclass(frozen=True, slots=True)
class AddDomainCheck(DomainCheckChange):
    """Added checking every stored value at once; an online check (`online: true`) is added NOT VALID
    (new values are checked from then on) and ValidateDomainCheck reads the rows in the follow-up."""

    DESCRIPTION = "check {s} is missing"
    EFFECTS = _SCANS_COLUMNS
    not_valid: bool = False

    @property
    def effects(self) -> Effects:
        return NO_TABLE if self.not_valid else self.EFFECTS


@dataclass(frozen=True, slots=True)
class ValidateDomainCheck(DomainCheckChange):
    DESCRIPTION = "check {s} is not validated"
    EFFECTS = _SCANS_COLUMNS


@dataclass(frozen=True, slots=True)
class RenameDomainCheck(DomainCheckChange):
    """ALTER DOMAIN ... RENAME CONSTRAINT (`renamed_from:` on a check); `check` as it was."""

    DESCRIPTION = "check {s} has another name"
    EFFECTS = NO_TABLE
    new_name: str


@dataclass(frozen=True, slots=True)
class DropDomainCheck(DomainCheckChange):
    DESCRIPTION = "check {s} is not in the definitions"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class SetDomainComment(DomainChange):
    DESCRIPTION = "domain {s} has another comment"
    EFFECTS = NO_TABLE
