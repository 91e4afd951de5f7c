"""The change kinds of views and materialized views (imported by changes.py, which lists every kind).

A view holds no rows: dropping one loses nothing the definitions cannot build again, and a
materialized view's rows are its query's, rebuilt by creating it (or by REFRESH). What a drop can
break is the code reading it, unless the same migration creates it again (`recreated`): the
drop-and-create PostgreSQL needs around a change to a column a view reads.
The indexes of a materialized view are changed by the index kinds, as a table's are.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model.view import View
from .changes import Change
from .hazards import NO_TABLE, Effects, Lock, brief

__all__ = ["CreateMaterializedView", "CreateView", "DropMaterializedView", "DropView", "RefreshMaterializedView",
           "RenameMaterializedView", "RenameView", "RenameViewColumn", "ReplaceView", "SetViewColumnComment",
           "SetViewComment", "SetViewOptions", "ViewChange", "ViewCreation", "ViewDrop"]


@dataclass(frozen=True, slots=True)
class ViewChange(Change):
    """A change to one view or materialized view: as it will be, but for drops and renames (as it was)."""

    view: View

    @property
    def subject(self) -> str:
        return self.view.key

    @property
    def object_key(self) -> str:
        return self.view.key

    @property
    def schema(self) -> str:
        return self.view.schema


@dataclass(frozen=True, slots=True)
class ViewCreation(ViewChange):
    """Views are built after what they read: `depth` is the view's place in the chain of
    views reading views (0 reads tables only), which orders them (order.py)."""

    depth: int = 0

    @property
    def phase_key(self) -> str:
        return f"{self.depth:04d} {self.view.key}"


@dataclass(frozen=True, slots=True)
class ViewDrop(ViewChange):
    """Dropped before what they read, deepest first; `recreated`: created again in the same migration."""

    depth: int = 0
    recreated: bool = False
    EFFECTS: ClassVar[Effects | None] = None

    @property
    def phase_key(self) -> str:
        return f"{9999 - self.depth:04d} {self.view.key}"

    @property
    def effects(self) -> Effects:
        return brief() if self.recreated else brief(breaks_code=True)


@dataclass(frozen=True, slots=True)
class CreateView(ViewCreation):
    DESCRIPTION = "view {s} is missing or differs"
    EFFECTS = NO_TABLE


@dataclass(frozen=True, slots=True)
class CreateMaterializedView(ViewCreation):
    DESCRIPTION = "materialized view {s} is missing or differs"
    # runs its query: reads what it reads (ACCESS SHARE, no write is blocked) while it fills
    EFFECTS = Effects(Lock.ACCESS_SHARE, scans=True)

    @property
    def effects(self) -> Effects:
        return self.EFFECTS if self.view.with_data else NO_TABLE  # WITH NO DATA runs nothing


@dataclass(frozen=True, slots=True)
class DropView(ViewDrop):
    DESCRIPTION = "view {s} is not in the definitions or differs"
    EFFECTS = brief(breaks_code=True)  # refined by ViewDrop.effects


@dataclass(frozen=True, slots=True)
class DropMaterializedView(ViewDrop):
    DESCRIPTION = "materialized view {s} is not in the definitions or differs"
    EFFECTS = brief(breaks_code=True)  # refined by ViewDrop.effects; its rows are its query's: no data loss


@dataclass(frozen=True, slots=True)
class ReplaceView(ViewCreation):
    """CREATE OR REPLACE VIEW: the same columns (more may follow), a new query or options; among
    the creations, as it may read a view created in the same migration."""

    DESCRIPTION = "view {s} has another query"
    EFFECTS = brief()


@dataclass(frozen=True, slots=True)
class RenameView(ViewChange):
    DESCRIPTION = "view {s} has another name"
    EFFECTS = brief(breaks_code=True)
    new_name: str


@dataclass(frozen=True, slots=True)
class RenameMaterializedView(ViewChange):
    DESCRIPTION = "materialized view {s} has another name"
    EFFECTS = brief(breaks_code=True)
    new_name: str


@dataclass(frozen=True, slots=True)
class RenameViewColumn(ViewChange):
    """A column of a view renamed: after RENAME COLUMN of a column the view passes on, its query
    reads the new name but the view's column keeps the old one until renamed too."""

    DESCRIPTION = "column {s} of a view has another name"
    EFFECTS = brief(breaks_code=True)
    column: str
    new_name: str

    @property
    def subject(self) -> str:
        return f"{self.view.key}.{self.column}"


@dataclass(frozen=True, slots=True)
class SetViewOptions(ViewChange):
    """ALTER [MATERIALIZED] VIEW ... SET (...) / RESET (...): check_option, security_barrier,
    security_invoker of a view; storage parameters of a materialized view."""

    DESCRIPTION = "view {s} has other options"
    EFFECTS = brief()  # refined below
    set: tuple[tuple[str, str], ...]
    reset: tuple[str, ...]

    @property
    def effects(self) -> Effects:
        # a materialized view's storage parameters take the lock a table's do
        return brief(Lock.SHARE_UPDATE_EXCLUSIVE) if self.view.materialized else self.EFFECTS


@dataclass(frozen=True, slots=True)
class SetViewComment(ViewChange):
    DESCRIPTION = "view {s} has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class SetViewColumnComment(ViewChange):
    DESCRIPTION = "column {s} of a view has another comment"
    EFFECTS = brief(Lock.SHARE_UPDATE_EXCLUSIVE)
    column: str
    comment: str | None

    @property
    def subject(self) -> str:
        return f"{self.view.key}.{self.column}"


@dataclass(frozen=True, slots=True)
class RefreshMaterializedView(ViewChange):
    """with_data changed: REFRESH fills a materialized view created WITH NO DATA, or empties it."""

    DESCRIPTION = "materialized view {s} is filled or empty otherwise"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, rewrites=True,
                      online="refresh it CONCURRENTLY outside the migration (it needs a unique index)")

    @property
    def effects(self) -> Effects:
        # WITH NO DATA empties it into a new file at once: the same lock, nothing to do online
        return self.EFFECTS if self.view.with_data else Effects(
            Lock.ACCESS_EXCLUSIVE, rewrites=True, online="no query can read it until it is refreshed: empty it when "
                                                         "nothing reads it")
