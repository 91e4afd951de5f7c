"""Rename hints resolved into maps: which old table or column becomes which new one.

`renamed_from` may sit on either side (a rollback diffs new -> old), may chain (b <- a, c <- b)
or swap; a hint whose work an earlier migration already did is left alone.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import TypeVar

from ..model.names import MAX_IDENTIFIER_BYTES
from ..model.schema import Schema

DISPLACED = "\x00.displaced"  # rename target for an object whose name a rollback gives back to another
_Item = TypeVar("_Item")  # a table or a column


@dataclass(frozen=True, slots=True)
class Renames:
    """Old table key -> new table key, and per new table key: old column -> new column."""

    tables: dict[str, str]
    columns: dict[str, dict[str, str]]

    def table(self, old_key: str) -> str:
        return self.tables.get(old_key, old_key)


def renamed_pairs(old_items: Mapping[str, _Item], new_items: Mapping[str, _Item], name_of: Callable[[_Item], str],
                  hint_of: Callable[[_Item], str | None]) -> dict[str, str]:
    """(old key, new key) pairs where either side's renamed_from names the other.

    A hint is followed when the name it renames to is free in the old schema, or is itself
    renamed away (a chain b <- a, c <- b, or a swap); otherwise it is a hint from an earlier
    migration that has done its work.
    """
    old_by_name = {name_of(v): k for k, v in old_items.items()}
    new_by_name = {name_of(v): k for k, v in new_items.items()}
    wanted: dict[str, str] = {}  # old key -> new key, first hint wins
    for k, v in new_items.items():
        hint = hint_of(v)
        if hint and hint != name_of(v) and hint in old_by_name and old_by_name[hint] not in wanted:
            wanted[old_by_name[hint]] = k
    for k, v in old_items.items():  # a hint on the old side: a rollback undoing a rename
        hint = hint_of(v)
        if hint and hint != name_of(v) and hint in new_by_name and k not in wanted:
            wanted[k] = new_by_name[hint]
    pairs: dict[str, str] = {}
    progress = True
    while progress:
        progress = False
        for o, n in wanted.items():
            if o not in pairs and n not in pairs.values() and (n not in old_items or n in pairs):
                pairs[o] = n
                progress = True
    rest = {o: n for o, n in wanted.items() if o not in pairs and n not in pairs.values()}
    for start in list(rest):  # swaps and longer cycles: every target is renamed away in turn
        cycle: list[str] = []
        at = start
        while at in rest and at not in cycle:
            cycle.append(at)
            at = rest[at]
        if at == start:
            pairs.update({o: rest.pop(o) for o in cycle})
    # A name taken by a rename from an object that goes: undoing "t renamed to archived_t, and a
    # new t created" gives archived_t its name back and drops the t created since (DISPLACED),
    # instead of the rename being lost; the same for a chain undone (c <- b <- a, and a new a),
    # and for "id renamed to ID" where the old ID is dropped. The first of the chain must be gone
    # from the new schema: otherwise the hint is one whose rename an earlier migration made.
    for head in [o for o in rest if o not in rest.values()]:  # nothing is renamed to a chain's head
        chain: list[str] = []
        at = head
        while at in rest and at not in chain:
            chain.append(at)
            at = rest[at]
        if head not in new_items and at not in pairs.values() and pairs.get(at, DISPLACED) == DISPLACED:
            pairs.update({o: rest[o] for o in chain})
            pairs[at] = DISPLACED
    return pairs


def rename_steps(pairs: list[tuple[str, str]], occupied: set[str]) -> list[tuple[str, str]]:
    """Renames in an order that never takes a name still in use; a cycle goes through a temporary name."""
    moves = [NameMove(o, n, ("",)) for o, n in pairs]
    return [(step.old, step.new) for _, step in move_steps(moves, {("", n) for n in occupied})]


@dataclass(frozen=True, slots=True)
class NameMove:
    """One rename, and the namespaces its name lives in (a primary key's name is both a constraint
    name in its table and an index name in its schema)."""

    old: str
    new: str
    spaces: tuple[object, ...]


def move_steps(moves: list[NameMove],
               occupied: Set[tuple[object, str]] = frozenset()) -> list[tuple[int, NameMove]]:
    """`moves` in an order that never takes a name still in use in any of its namespaces, as
    (index of the move, step): a chain runs back to front, a swap or longer cycle goes through a
    name free in every namespace of the move. Moves that do not conflict keep their order."""
    taken = set(occupied) | {(sp, m.old) for m in moves for sp in m.spaces}
    pending: dict[int, NameMove] = dict(enumerate(moves))
    steps: list[tuple[int, NameMove]] = []

    def take(i: int, step: NameMove) -> None:
        steps.append((i, step))
        taken.difference_update((sp, step.old) for sp in step.spaces)
        taken.update((sp, step.new) for sp in step.spaces)

    while pending:
        ready = [i for i, m in pending.items() if all((sp, m.new) not in taken for sp in m.spaces)]
        if not ready:
            i, m = next(iter(pending.items()))
            temp = temporary_name(m.old, "__renaming")
            while any((sp, temp) in taken for sp in m.spaces):
                temp = temporary_name(temp, "_")
            take(i, NameMove(m.old, temp, m.spaces))
            pending[i] = NameMove(temp, m.new, m.spaces)
            continue
        for i in ready:
            take(i, pending.pop(i))
    return steps


def resolve_renames(old: Schema, new: Schema) -> Renames:
    tables: dict[str, str] = {}
    for schema in sorted({t.schema for t in new.tables.values()} | {t.schema for t in old.tables.values()}):
        o = {k: t for k, t in old.tables.items() if t.schema == schema}
        n = {k: t for k, t in new.tables.items() if t.schema == schema}
        tables.update(renamed_pairs(o, n, lambda t: t.name, lambda t: t.renamed_from))
    columns: dict[str, dict[str, str]] = {}
    for old_key, a in old.tables.items():
        new_key = tables.get(old_key, old_key)
        b = new.tables.get(new_key)
        if b is None:
            continue
        old_columns = {c.name: c for c in a.columns}
        new_columns = {c.name: c for c in b.columns}
        pairs = renamed_pairs(old_columns, new_columns, lambda c: c.name, lambda c: c.renamed_from)
        colmap = {**{c: c for c in old_columns if c in new_columns}, **pairs}
        columns[new_key] = {k: v for k, v in colmap.items() if v != DISPLACED}
    return Renames(tables, columns)


def temporary_name(name: str, suffix: str = "__old") -> str:
    room = MAX_IDENTIFIER_BYTES - len(suffix)
    return name.encode()[:room].decode(errors="ignore") + suffix
