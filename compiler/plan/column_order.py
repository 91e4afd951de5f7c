"""Column order: where a migration history can match the definitions, and where it cannot.

`diff` ignores column order, because PostgreSQL cannot move a column: ADD COLUMN appends. A
table created by the migration being proven can and must have the definitions' order; a table
that grew over several migrations has its added columns at the end, which is said, not failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model.schema import Schema


@dataclass
class OrderCheck:
    failures: list[str] = field(default_factory=list)  # tables that should match and do not
    notes: list[str] = field(default_factory=list)  # tables that cannot match: columns appended


def compare_column_order(built: Schema, wanted: Schema, created: set[str]) -> OrderCheck:
    """Compare each table's column order in `built` (by migrations) with `wanted` (the
    definitions); `created` are the tables the newest migration created."""
    out = OrderCheck()
    for key, table in built.tables.items():
        other = wanted.tables.get(key)
        if other is None:
            continue
        have, want = [c.name for c in table.columns], [c.name for c in other.columns]
        if have == want or sorted(have) != sorted(want):
            continue  # equal, or a difference diff already reports
        if key in created:
            out.failures.append(f"table {key} has its columns in the order {', '.join(have)}; "
                                f"the definitions say {', '.join(want)}")
            continue
        moved = [c for c in have if c not in set(_kept_in_place(have, want))]
        out.notes.append(f"{key}: ADD COLUMN appends, so {', '.join(moved)} "
                         f"{'is' if len(moved) == 1 else 'are'} not where the definitions put "
                         f"{'it' if len(moved) == 1 else 'them'} (order in the database: {', '.join(have)})")
    return out


def _kept_in_place(have: list[str], want: list[str]) -> list[str]:
    """The longest run of columns in the same relative order in both (a longest common
    subsequence); ties keep the earlier columns of `have`, so the later ones count as moved."""
    n, m = len(have), len(want)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = best[i + 1][j + 1] + 1 if have[i] == want[j] else max(best[i + 1][j], best[i][j + 1])
    out, i, j = [], 0, 0
    while i < n and j < m:
        if have[i] == want[j]:
            out.append(have[i])
            i, j = i + 1, j + 1
        elif best[i][j + 1] >= best[i + 1][j]:
            j += 1
        else:
            i += 1
    return out
