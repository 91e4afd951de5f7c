"""Rename hints resolved into maps: which old table or column becomes which new one.

`renamed_from` may sit on either side (a rollback diffs new -> old), may chain (b <- a, c <- b)
or swap; a hint whose work an earlier migration already did is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Schema
from .names import MAX_IDENTIFIER_BYTES

DISPLACED = "\x00.displaced"  # rename target for an object whose name a rollback gives back to another


@dataclass(frozen=True, slots=True)
class Renames:
    """Old table key -> new table key, and per new table key: old column -> new column."""

    tables: dict[str, str]
    columns: dict[str, dict[str, str]]

    def table(self, old_key: str) -> str:
        return self.tables.get(old_key, old_key)


def renamed_pairs(old_items: dict[str, object], new_items: dict[str, object], name_of, hint_of):
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
    undo: set[str] = set()  # old keys whose hint is on the old side: a rollback undoing a rename
    for k, v in old_items.items():
        hint = hint_of(v)
        if hint and hint != name_of(v) and hint in new_by_name and k not in wanted:
            wanted[k] = new_by_name[hint]
            undo.add(k)
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
        cycle, at = [], start
        while at in rest and at not in cycle:
            cycle.append(at)
            at = rest[at]
        if at == start:
            pairs.update({o: rest.pop(o) for o in cycle})
    # Undoing "t renamed to archived_t, and a new t created": archived_t takes its name back and
    # the t created since is dropped (DISPLACED), instead of the rename being lost.
    for o, n in rest.items():
        if o in undo and o not in new_items and n not in pairs.values() and pairs.get(n, DISPLACED) == DISPLACED:
            pairs[o] = n
            pairs[n] = DISPLACED
    return pairs


def rename_steps(pairs: list[tuple[str, str]], occupied: set[str]) -> list[tuple[str, str]]:
    """Renames in an order that never takes a name still in use; a cycle goes through a temporary name."""
    pending = dict(pairs)
    taken = set(occupied)
    steps: list[tuple[str, str]] = []
    while pending:
        ready = [(o, n) for o, n in pending.items() if n not in taken]
        if not ready:
            o, n = next(iter(pending.items()))
            temp = temporary_name(o, "__renaming")
            while temp in taken:
                temp = temporary_name(temp, "_")
            ready, pending = [(o, temp)], {temp: n, **{k: v for k, v in pending.items() if k != o}}
        for o, n in ready:
            steps.append((o, n))
            taken.discard(o)
            taken.add(n)
            pending.pop(o, None)
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
        o = {c.name: c for c in a.columns}
        n = {c.name: c for c in b.columns}
        pairs = renamed_pairs(o, n, lambda c: c.name, lambda c: c.renamed_from)
        colmap = {**{c: c for c in o if c in n}, **pairs}
        columns[new_key] = {k: v for k, v in colmap.items() if v != DISPLACED}
    return Renames(tables, columns)


def temporary_name(name: str, suffix: str = "__old") -> str:
    room = MAX_IDENTIFIER_BYTES - len(suffix)
    return name.encode()[:room].decode(errors="ignore") + suffix
