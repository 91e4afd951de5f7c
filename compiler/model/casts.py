"""What a column type change costs: whether PostgreSQL needs USING, and whether values may be lost."""
from __future__ import annotations

import re

_INTS = {"smallint": 1, "integer": 2, "bigint": 3}
_FLOATS = {"real": 1, "double precision": 2}
_STRINGS = ("text", "character varying", "character", "bpchar", "citext")
_TIME_RE = re.compile(r"(timestamp|time)(?:\((\d)\))? (with|without) time zone\Z")
_MOD_RE = re.compile(r"([a-z ]+?)(?:\((\d+)(?:,(-?\d+))?\))?\Z")


def _split(type_name: str) -> tuple[str, int | None, int | None]:
    m = _MOD_RE.match(type_name)
    if not m:
        return type_name, None, None
    return m[1], int(m[2]) if m[2] else None, int(m[3]) if m[3] else None


def _is_string(type_name: str) -> bool:
    return _split(type_name)[0] in _STRINGS


def _is_number(type_name: str) -> bool:
    base = _split(type_name)[0]
    return base in _INTS or base in _FLOATS or base == "numeric"


def assignment_castable(old: str, new: str) -> bool:
    """True when ALTER COLUMN TYPE works without USING (an implicit or assignment cast exists)."""
    if old.endswith("[]") or new.endswith("[]"):
        return old.endswith("[]") and new.endswith("[]") and assignment_castable(old[:-2], new[:-2])
    if _is_string(new):
        return True  # every type has an assignment cast to the string types
    if _is_number(old) and _is_number(new):
        return True
    if (old_time := _TIME_RE.match(old)) and (new_time := _TIME_RE.match(new)):
        return old_time[1] == new_time[1]
    if old == "date" and _TIME_RE.match(new) and new.startswith("timestamp"):
        return True
    return _split(old)[0] == _split(new)[0] and old.split("(")[0] in ("bit", "bit varying", "interval")


def lossy(old: str, new: str) -> bool:
    """True when the new type can hold less than the old: values may be cut or refused."""
    if old.endswith("[]") and new.endswith("[]"):
        return lossy(old[:-2], new[:-2])
    ob, on, os_ = _split(old)
    nb, nn, ns = _split(new)
    if _is_string(old) and _is_string(new):
        if nn is None:
            return nb == "character" and ob != "character"
        return on is None or nn < on
    if ob in _INTS and nb in _INTS:
        return _INTS[nb] < _INTS[ob]
    if ob in _FLOATS and nb in _FLOATS:
        return _FLOATS[nb] < _FLOATS[ob]
    if _is_number(old) and _is_number(new):
        if nb == "numeric":
            if nn is None:
                return False
            if ob == "numeric":
                return on is None or nn - (ns or 0) < on - (os_ or 0) or (ns or 0) < (os_ or 0)
            return ob in _FLOATS or ob in _INTS and nn - (ns or 0) < {1: 5, 2: 10, 3: 19}[_INTS[ob]]
        if nb in _INTS:
            return True  # fractions are rounded away, large values refused
        # a float holds integers exactly only up to 2^24 (real) or 2^53 (double precision)
        return (ob == "numeric" or nb == "real" and ob in ("integer", "bigint")
                or nb == "double precision" and ob == "bigint")
    mo, mn = _TIME_RE.match(old), _TIME_RE.match(new)
    if mo and mn:
        # dropping the time zone converts by the session's TimeZone: not the same everywhere
        zone_dropped = mo[3] == "with" and mn[3] == "without"
        return int(mn[2] or 6) < int(mo[2] or 6) or mo[1] != mn[1] or zone_dropped
    if ob == nb == "bit varying":
        return nn is not None and (on is None or nn < on)
    if ob.startswith("interval") and nb.startswith("interval"):
        # fields on the new type cut the lesser parts away (interval year drops the days);
        # fractional seconds are rounded to the new precision (none is the full 6)
        fields_cut = nb not in ("interval", ob)
        return fields_cut or (6 if nn is None else nn) < (6 if on is None else on)
    if _is_string(new):
        return False  # everything has a text form
    return True  # a different kind of value: the cast may refuse rows
