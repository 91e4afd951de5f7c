"""Typed access to YAML mappings that records a positioned error for every bad value."""
from __future__ import annotations

from typing import Any, TypeVar, cast, overload

from ..errors import DefinitionError, did_you_mean
from ..model.names import identifier_problem
from .load import Mapping, Pos, Sequence

_MISSING = object()
_T = TypeVar("_T")


class Reader:
    """Reads values out of one document's mappings; problems go to a shared error list."""

    def __init__(self, path: str, errors: list[DefinitionError]) -> None:
        self.path = path
        self.errors = errors

    def error(self, pos: Pos, message: str) -> None:
        self.errors.append(DefinitionError(self.path, pos[0], pos[1], message))

    def keys(self, m: Mapping, allowed: frozenset[str], what: str) -> None:
        """Report every key of `m` that is not in `allowed`."""
        if m.keys() <= allowed:
            return
        for key in m:
            if key not in allowed:
                self.error(m.key_pos[key], f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}")

    def pos(self, m: Mapping, key: str) -> Pos:
        return m.value_pos.get(key, m.pos)

    @overload
    def get(self, m: Mapping, key: str, kind: type[_T], what: str, required: bool = False) -> _T | None: ...

    @overload
    def get(self, m: Mapping, key: str, kind: tuple[type, ...], what: str, required: bool = False) -> object: ...

    def get(self, m: Mapping, key: str, kind: type | tuple[type, ...], what: str,
            required: bool = False) -> object:
        value = m.get(key, _MISSING)
        if value is None and required:
            self.error(self.pos(m, key), f"{what} needs '{key}', but its value is missing "
                                         f"('~', 'null' and nothing are YAML's empty value)")
            return None
        if value is _MISSING or value is None:
            if required:
                self.error(m.pos, f"{what} needs '{key}'")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error(self.pos(m, key), f"'{key}' must be {_kind_name(kind)}, not {_describe(value)}")
            return None
        return value

    def text(self, m: Mapping, key: str, what: str, required: bool = False) -> str | None:
        value = m.get(key)
        if type(value) is str:  # the common case, without get's checks
            return value
        return self.get(m, key, str, what, required)

    def flag(self, m: Mapping, key: str, what: str) -> bool | None:
        return self.get(m, key, bool, what)

    def sequence(self, m: Mapping, key: str, what: str, required: bool = False) -> Sequence | None:
        """A list: the loader makes every YAML list a Sequence, which knows its items' positions."""
        return cast(Sequence | None, self.get(m, key, list, what, required))

    def name(self, m: Mapping, key: str, what: str, required: bool = False) -> str | None:
        """An identifier; a plain scalar keeps its source text (`on`, `123` are names too)."""
        value = m.get(key, _MISSING)
        if type(value) is str:  # the common case, without text's checks
            name: str | None = value
        else:
            if value is not _MISSING and value is not None and not isinstance(value, str | Mapping | Sequence):
                value = m.raw.get(key, str(value))
                m[key] = value
            name = self.text(m, key, what, required)
        if name is not None:
            problem = identifier_problem(name)
            if problem:
                self.error(self.pos(m, key), problem)
                return None
        return name

    def names(self, m: Mapping, key: str, what: str, required: bool = False,
              distinct: bool = True) -> list[str] | None:
        """A non-empty list of identifiers, distinct unless `distinct` is false (an index may list
        a column twice); a single string is a one-item list."""
        value = m.get(key, _MISSING)
        if isinstance(value, str):
            problem = identifier_problem(value)
            if problem is None:
                return [value]
            self.error(self.pos(m, key), problem)
            return None
        seq = self.sequence(m, key, what, required)
        if seq is None:
            return None
        return self.name_list(seq, self.pos(m, key), key, distinct)

    def name_list(self, seq: list[Any], pos: Pos, key: str, distinct: bool = True) -> list[str] | None:
        if not seq:
            self.error(pos, f"'{key}' must not be empty")
            return None
        out: list[str] = []
        for i, item in enumerate(seq):
            where = seq.item_pos[i] if isinstance(seq, Sequence) else pos
            if isinstance(item, int | float | bool) and not isinstance(item, str):
                item = str(item).lower() if isinstance(item, bool) else str(item)
            if not isinstance(item, str):
                self.error(where, f"'{key}' items must be names, not {_describe(item)}")
                return None
            problem = identifier_problem(item)
            if problem:
                self.error(where, problem)
                return None
            if distinct and item in out:
                self.error(where, f"'{item}' appears twice in '{key}'")
                return None
            out.append(item)
        return out

    def choice(self, m: Mapping, key: str, choices: tuple[str, ...], what: str) -> str | None:
        value = self.text(m, key, what)
        if value is None:
            return None
        normal = " ".join(value.lower().split())
        if normal not in choices:
            options = ", ".join(choices)
            self.error(self.pos(m, key), f"'{key}' must be one of {options}, not '{value}'"
                                         f"{did_you_mean(normal, choices)}")
            return None
        return normal

    def mappings(self, m: Mapping, key: str, what: str) -> list[tuple[Mapping, Pos]]:
        """The items of a list of mappings, each with its position; bad items reported."""
        seq = self.sequence(m, key, what)
        if seq is None:
            return []
        out = []
        for i, item in enumerate(seq):
            if isinstance(item, Mapping):
                out.append((item, seq.item_pos[i]))
            else:
                self.error(seq.item_pos[i], f"each item of '{key}' must be a mapping, not {_describe(item)}")
        return out


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true or false", int: "a whole number", list: "a list",
             dict: "a mapping", Mapping: "a mapping", float: "a number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"
