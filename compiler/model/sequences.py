"""Options of the sequence behind an identity or serial column: start, increment, min, max, cache, cycle.

A column keeps only the options that differ from PostgreSQL's defaults for its integer type and
the sign of its increment, so `{start: 1}` on an ascending sequence is no option at all and a
sequence read from the catalog compares equal to the one the definitions describe.
"""
from __future__ import annotations

OPTION_KEYS = ("start", "increment", "min", "max", "cache", "cycle")
TYPE_RANGES = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
               "bigint": (-9223372036854775808, 9223372036854775807)}

SequenceOptions = tuple[tuple[str, int | bool], ...]  # (key, value) in OPTION_KEYS order, defaults left out


class SequenceProblem(ValueError):
    """Options PostgreSQL would refuse; the message says why."""


def resolved(integer_type: str, options: SequenceOptions) -> dict[str, int | bool]:
    """Every option's value, as CREATE SEQUENCE AS `integer_type` chooses those not given: min and
    max by the increment's sign, start at min (ascending) or max (descending)."""
    given = dict(options)
    low, high = TYPE_RANGES[integer_type]
    increment = int(given.get("increment", 1))
    full: dict[str, int | bool] = {"increment": increment,
                                   "min": given.get("min", 1 if increment > 0 else low),
                                   "max": given.get("max", high if increment > 0 else -1)}
    full["start"] = given.get("start", full["min"] if increment > 0 else full["max"])
    full["cache"] = given.get("cache", 1)
    full["cycle"] = bool(given.get("cycle", False))
    return {k: full[k] for k in OPTION_KEYS}


def normal_options(integer_type: str, given: dict[str, int | bool]) -> SequenceOptions:
    """`given` checked against the type and reduced to the options that differ from the defaults."""
    low, high = TYPE_RANGES[integer_type]
    for key, value in given.items():
        if key != "cycle" and not low <= int(value) <= high:
            raise SequenceProblem(f"sequence option '{key}' {value} is out of range for {integer_type}")
    if given.get("increment", 1) == 0:
        raise SequenceProblem("sequence option 'increment' must not be zero")
    if int(given.get("cache", 1)) < 1:
        raise SequenceProblem(f"sequence option 'cache' must be at least 1, not {given['cache']}")
    full = resolved(integer_type, tuple(given.items()))
    if full["min"] >= full["max"]:
        raise SequenceProblem(f"sequence option 'min' {full['min']} must be less than 'max' {full['max']}")
    if not full["min"] <= full["start"] <= full["max"]:
        raise SequenceProblem(f"sequence option 'start' {full['start']} must be between "
                              f"{full['min']} and {full['max']}")
    # each option against its default given the others: min and max by the sign, start by min or max
    signed = resolved(integer_type, (("increment", full["increment"]),))
    plain = {"increment": 1, "min": signed["min"], "max": signed["max"],
             "start": full["min"] if full["increment"] > 0 else full["max"], "cache": 1, "cycle": False}
    return tuple((k, full[k]) for k in OPTION_KEYS if full[k] != plain[k])


def all_options(integer_type: str, options: SequenceOptions) -> SequenceOptions:
    """Every option spelled out, to set a sequence back to defaults as well as away from them."""
    full = resolved(integer_type, options)
    return tuple((k, full[k]) for k in OPTION_KEYS)


def catalog_options(integer_type: str, values: list[int]) -> SequenceOptions:
    """pg_sequence's start, increment, min, max, cache and cycle for a column of `integer_type`.

    A bound beyond the column's type is the default of a wider sequence type (serials made
    before PostgreSQL 10 have bigint sequences), which the column can never reach: its own bound.
    """
    low, high = TYPE_RANGES[integer_type]
    given: dict[str, int | bool] = dict(zip(OPTION_KEYS, values, strict=True))
    given["min"], given["max"] = max(int(given["min"]), low), min(int(given["max"]), high)
    given["cycle"] = bool(given["cycle"])
    try:
        return normal_options(integer_type, given)
    except SequenceProblem:
        return ()  # a start or step the column cannot hold: nothing a definition could say
