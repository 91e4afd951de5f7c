"""The order seeds.sql inserts seeded rows in, so every foreign key holds when PostgreSQL checks it.

A seeded value in a foreign-key column (a `ref`, or a literal equal to a seeded row's key) points
at a seeded row; that row must be in the table before the value is, unless the value can wait:
- a nullable column (not part of the row's key) can be inserted NULL and set by an UPDATE once
  every row is in; that is how a cycle between tables is broken, at a nullable column, choosing
  the table whose NOT NULL columns can still be loaded in order;
- a DEFERRABLE INITIALLY DEFERRED key is checked at COMMIT, so its value is written directly
  when the referenced row's value is known (written in the seed, not made by a default);
- within one table, rows are inserted in an order where each row comes after the rows its
  columns point at (file order otherwise).
Only what no order can load is refused, with the chain of columns that makes it so.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

from ..errors import DefinitionError
from ..model.schema import Table
from ..model.seed_keys import compared
from ..model.seeds import SeedRef, SeedRow, SeedTable, SeedValue
from .load import Pos
from .reader import Reader


@dataclass(frozen=True, slots=True)
class Placed:
    """A seeded table with what the order needs: its definition, file, and each row's positions."""

    seeds: SeedTable
    table: Table
    path: str
    rows: tuple[tuple[Pos, dict[str, Pos]], ...]  # per row: where it starts, where each value is


@dataclass(frozen=True, slots=True)
class _Link:
    """One row's value that points at a seeded row."""

    row: int
    column: str
    target: str  # the referenced table's key
    target_row: int
    hard: bool  # must be set at insert: NOT NULL or part of the row's key


def order_seeds(placed: list[Placed], errors: list[DefinitionError]) -> list[SeedTable]:
    """The tables in load order, their rows in insert order, each with the columns set by a later
    UPDATE (`deferred`); problems appended to `errors`."""
    by_key = {p.seeds.key: p for p in placed}
    links: dict[str, list[_Link]] = {}
    rows: dict[str, list[SeedRow]] = {}
    for p in placed:
        rows[p.seeds.key], links[p.seeds.key] = _links(p, by_key)
    tables = _table_order(by_key, links, errors)
    if tables is None:
        return []
    out: list[SeedTable] = []
    for key, deferred in tables:
        p = by_key[key]
        own = [link for link in links[key] if link.target == key and link.column not in deferred]
        order = _row_order(p, own, errors)
        if order is None:
            continue
        position = {n: i for i, n in enumerate(order)}
        late = {link.column for link in own if position[link.target_row] >= position[link.row]}
        out.append(replace(p.seeds, rows=tuple(rows[key][n] for n in order),
                           deferred=tuple(sorted(deferred | late))))
    return out


def _links(p: Placed, by_key: dict[str, Placed]) -> tuple[list[SeedRow], list[_Link]]:
    """The rows of `p` (a ref a deferred key can take directly replaced by the value) and the links
    that order them."""
    rows = list(p.seeds.rows)
    found: list[_Link] = []
    for fk in p.table.foreign_keys:
        target = by_key.get(fk.ref_key)
        if len(fk.columns) != 1 or target is None:
            continue
        column, referenced = fk.columns[0], fk.ref_columns[0]
        definition = p.table.column(column)
        hard = column in p.seeds.conflict or (definition is not None and not definition.nullable)
        keyed = {compared(v): n for n, row in enumerate(target.seeds.rows)
                 for c, v in row.values if c == referenced and isinstance(v, str) and v != "NULL"}
        for n, row in enumerate(rows):
            values = dict(row.values)
            value = values.get(column)
            if value is None or value == "NULL":
                continue
            target_row = value.row if isinstance(value, SeedRef) else keyed.get(compared(value))
            if target_row is None:
                continue  # a literal no seeded row has: a row already in the database, maybe
            known = dict(target.seeds.rows[target_row].values).get(referenced)
            written = isinstance(known, str) and known != "NULL"
            same_row = fk.ref_key == p.seeds.key and target_row == n
            if written and (fk.initially_deferred or same_row):
                # checked at COMMIT (or, for the row itself, after it is inserted): the value itself
                if isinstance(value, SeedRef) and isinstance(known, str):
                    rows[n] = _with(row, column, known)
                continue
            found.append(_Link(n, column, fk.ref_key, target_row, hard))
    return rows, found


def _with(row: SeedRow, column: str, value: SeedValue) -> SeedRow:
    return replace(row, values=tuple((c, value if c == column else v) for c, v in row.values))


def _table_order(by_key: dict[str, Placed], links: dict[str, list[_Link]],
                 errors: list[DefinitionError]) -> list[tuple[str, frozenset[str]]] | None:
    """Each table after the tables its rows point at; in a cycle, first the table whose unmet
    links are all nullable (the fewest columns, then by name), those columns set later."""
    done: set[str] = set()
    out: list[tuple[str, frozenset[str]]] = []
    remaining = sorted(by_key)
    while remaining:
        unmet = {k: [link for link in links[k] if link.target != k and link.target not in done] for k in remaining}
        ready = [k for k in remaining if not unmet[k]]
        if ready:
            key, later = ready[0], frozenset[str]()
        else:
            loadable = [k for k in remaining if not any(link.hard for link in unmet[k])]
            if not loadable:
                _refuse_cycle(by_key, unmet, remaining, errors)
                return None
            key = min(loadable, key=lambda k: (len({link.column for link in unmet[k]}), k))
            later = frozenset(link.column for link in unmet[key])
        out.append((key, later))
        done.add(key)
        remaining.remove(key)
    return out


def _refuse_cycle(by_key: dict[str, Placed], unmet: dict[str, list[_Link]], remaining: list[str],
                  errors: list[DefinitionError]) -> None:
    """Say which NOT NULL columns point round in a circle (every remaining table has one)."""
    hard = {k: next(link for link in unmet[k] if link.hard) for k in remaining}
    seen: list[str] = []
    key = remaining[0]
    while key not in seen:
        seen.append(key)
        key = hard[key].target
    cycle = seen[seen.index(key):]
    chain = ", ".join(f"{k}.{hard[k].column} -> {hard[k].target}" for k in cycle)
    first = hard[cycle[0]]
    p = by_key[cycle[0]]
    Reader(p.path, errors).error(
        p.rows[first.row][1].get(first.column, p.rows[first.row][0]),
        f"the seeded rows of {' and '.join(dict.fromkeys(cycle))} point at each other through columns that "
        f"need their value when the row is inserted ({chain}), so no insert order loads them; make one of "
        f"these columns nullable, or its foreign key DEFERRABLE INITIALLY DEFERRED with the referenced value "
        f"written in the seed")


def _row_order(p: Placed, own: list[_Link], errors: list[DefinitionError]) -> list[int] | None:
    """The rows of one table in file order, except that a row comes after the rows it points at:
    every link when that is possible, else the NOT NULL ones (the others are set by an UPDATE)."""
    count = len(p.seeds.rows)
    order = _stable_order(count, own)
    if len(order) == count:
        return order
    hard = [link for link in own if link.hard]
    order = _stable_order(count, hard)
    if len(order) == count:
        return order
    link = _on_a_cycle(set(range(count)) - set(order), hard)
    line = p.rows[link.target_row][0][0]
    itself = link.target_row == link.row
    Reader(p.path, errors).error(
        p.rows[link.row][1].get(link.column, p.rows[link.row][0]),
        f"column '{link.column}' of {p.seeds.key} needs its value when the row is inserted, and "
        + ("it points at the row itself, whose value PostgreSQL makes only when it is inserted; write that "
           "value in the seed, or make the column nullable" if itself else
           f"it points at the row at line {line}, which needs this row inserted before it; no insert order "
           f"loads these rows: make the column nullable, or write the referenced value in the seed and make "
           f"the foreign key DEFERRABLE INITIALLY DEFERRED"))
    return None


def _stable_order(count: int, links: list[_Link]) -> list[int]:
    """Rows 0..count-1, each after the rows it links to, otherwise in file order; the rows on or
    after a cycle of links are left out."""
    after: dict[int, set[int]] = {n: set() for n in range(count)}
    waiting = [0] * count
    for link in links:
        if link.row not in after[link.target_row]:
            after[link.target_row].add(link.row)
            waiting[link.row] += 1
    ready = [n for n in range(count) if waiting[n] == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        n = heapq.heappop(ready)
        out.append(n)
        for m in sorted(after[n]):
            waiting[m] -= 1
            if waiting[m] == 0:
                heapq.heappush(ready, m)
    return out


def _on_a_cycle(stuck: set[int], links: list[_Link]) -> _Link:
    """A link on a cycle among the `stuck` rows (each of which links to another stuck row)."""
    leaving = {link.row: link for link in sorted(links, key=lambda k: (k.row, k.target_row), reverse=True)
               if link.row in stuck and link.target_row in stuck}
    row, seen = min(leaving), set[int]()
    while row not in seen:
        seen.add(row)
        row = leaving[row].target_row
    return leaving[row]
