"""What a change can do to a database in use: the lock it takes, and the hazards that follow.

Every change kind declares its `Effects` (plan/changes.py, beside each class): the lock
PostgreSQL 15 takes on the table it touches (measured in pg_locks, and as its documentation of
ALTER TABLE and CREATE INDEX says), whether it rewrites the table or reads every row while
holding that lock, whether it can fail on rows already there, and whether it breaks application
code still running. The hazard names a user acknowledges (`allow:` in YAML, `--allow`) are
model/hazard_names.py's `HAZARDS`.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ..model.hazard_names import BREAKS_CODE, DATA_LOSS, FAILS_ON_ROWS, HAZARDS, LOCK, REWRITE


class Lock(enum.Enum):
    """PostgreSQL's table lock modes, weakest first; the value is how pg_locks names it."""

    ACCESS_SHARE = "AccessShareLock"
    ROW_EXCLUSIVE = "RowExclusiveLock"
    SHARE_UPDATE_EXCLUSIVE = "ShareUpdateExclusiveLock"
    SHARE = "ShareLock"
    SHARE_ROW_EXCLUSIVE = "ShareRowExclusiveLock"
    ACCESS_EXCLUSIVE = "AccessExclusiveLock"

    @property
    def label(self) -> str:
        """As PostgreSQL's documentation writes it: ACCESS EXCLUSIVE."""
        return re.sub(r"(?<!^)(?=[A-Z])", " ", self.value.removesuffix("Lock")).upper()

    @property
    def blocks(self) -> str:
        """What other sessions cannot do while it is held."""
        if self is Lock.ACCESS_EXCLUSIVE:
            return "reads and writes"
        if self in (Lock.SHARE, Lock.SHARE_ROW_EXCLUSIVE):
            return "writes"
        return "other schema changes"

    @property
    def blocks_writes(self) -> bool:
        return self in (Lock.SHARE, Lock.SHARE_ROW_EXCLUSIVE, Lock.ACCESS_EXCLUSIVE)


@dataclass(frozen=True, slots=True)
class Effects:
    """What one change does to a table that may be in use.

    `lock`: the strongest lock taken on an existing table (None: none, as for a new type or
    schema); `scans`: reads every row while holding it (validation, an index build); `rewrites`:
    writes every row anew; `fails_on_rows`: rows already there can make it fail; `breaks_code`:
    code written for the old schema fails; `online`: the online alternative, when there is one,
    as the one-line advice for the lock or rewrite it avoids.
    """

    lock: Lock | None
    scans: bool = False
    rewrites: bool = False
    fails_on_rows: bool = False
    breaks_code: bool = False
    online: str | None = None

    def hazards(self, destructive: bool) -> tuple[str, ...]:
        """The hazard names these effects amount to, in HAZARDS order. A rewrite is named alone:
        its lock is part of what `rewrite` means."""
        found = {
            LOCK: self.scans and not self.rewrites and self.lock is not None and self.lock.blocks_writes,
            REWRITE: self.rewrites,
            DATA_LOSS: destructive,
            FAILS_ON_ROWS: self.fails_on_rows,
            BREAKS_CODE: self.breaks_code,
        }
        return tuple(h for h in HAZARDS if found[h])


# Short forms for the declarations in changes.py
def brief(lock: Lock | None = Lock.ACCESS_EXCLUSIVE, *, breaks_code: bool = False) -> Effects:
    """A change that only edits the catalog: its lock is held for an instant (once granted)."""
    return Effects(lock, breaks_code=breaks_code)


NO_TABLE = Effects(None)  # a schema, an extension, a type, a new table: nothing in use is locked


# -- type changes PostgreSQL makes without touching the rows

# binary-coercible casts of an extension's type (citext's, WITHOUT FUNCTION), by type name
_IN_PLACE = frozenset({("text", "citext"), ("citext", "text"), ("character varying", "citext"),
                       ("citext", "character varying")})
_LENGTH = re.compile(r"^(character varying|bit varying|varbit|numeric)(?:\((\d+)(?:,\s*(\d+))?\))?$")


_TEMPORAL = re.compile(r"^(timestamp|time|interval)(?:\((\d)\))?( with(?:out)? time zone)?$")
_MODIFIER = re.compile(r"\(\d+(?:,\s*-?\d+)?\)")
_FULL_PRECISION = 6  # of timestamp, time and interval: MAX_TIMESTAMP_PRECISION and the like


def _temporal_in_place(old: re.Match[str], new: re.Match[str]) -> bool:
    """timestamp, time (either zone) and interval without fields: PostgreSQL's support functions
    (TemporalSimplify, interval_support) relabel when the precision stays or grows, and for a
    new precision of none or the full 6; a precision given where there was none is a rewrite."""
    if old[1] != new[1] or old[3] != new[3]:
        return False
    if new[2] is None or int(new[2]) == _FULL_PRECISION:
        return True
    return old[2] is not None and int(new[2]) >= int(old[2])


def rewrites_for_type(old: str, new: str) -> bool:
    """Does ALTER COLUMN ... TYPE from `old` to `new` (canonical spellings) rewrite the table?

    PostgreSQL 15 skips the rewrite when the new type accepts every old value as it is stored
    (a binary-coercible cast, or a length or precision change its support function proves
    harmless): varchar(n) -> varchar(m >= n), varchar(n) -> varchar or text, text -> varchar,
    numeric(p, s) -> numeric(q >= p, s) or numeric, bit varying(n) -> bit varying(m >= n),
    timestamp / time / interval (p) -> (q >= p) or none. An array is rewritten for any change
    but dropping its element's modifier: the element cast runs per value (ArrayCoerceExpr),
    which no support function simplifies. timestamptz <-> timestamp is counted a rewrite: PostgreSQL
    skips it only while the session's TimeZone is UTC, which the plan cannot know. Anything else is
    rewritten (proven in tests/db/test_hazards_db.py by relfilenode).
    """
    if old == new:
        return False
    if (old.rsplit(".", 1)[-1].strip('"'), new.rsplit(".", 1)[-1].strip('"')) in _IN_PLACE:
        return False
    if old.endswith("[]") or new.endswith("[]"):
        return not (old.endswith("[]") and new.endswith("[]") and _MODIFIER.sub("", old) == new)
    if old == "text" and new in ("character varying", "text"):
        return False
    if new == "text" and (m := _LENGTH.match(old)) and m[1] == "character varying":
        return False
    if (ot := _TEMPORAL.match(old)) and (nt := _TEMPORAL.match(new)):
        return not _temporal_in_place(ot, nt)
    a, b = _LENGTH.match(old), _LENGTH.match(new)
    if a is None or b is None or a[1] != b[1]:
        return True
    if b[2] is None:  # unbounded: every value fits (numeric keeps any scale)
        return False
    if a[2] is None:
        return True
    if a[1] == "numeric":
        return not (int(b[2]) >= int(a[2]) and (a[3] or "0") == (b[3] or "0"))
    return int(b[2]) < int(a[2])
