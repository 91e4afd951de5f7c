"""A deterministic, readable layout of tables in areas: no overlaps, referenced tables first.

Tables are placed in columns by foreign-key depth (a table's column is one past the deepest
table it references), so referenced tables sit to the left of their dependents; within a
column, a table sits as close as it can to the mean height of the tables it references. Columns
taller than a limit wrap into sub-columns. Each group (an area) is laid out this way, and then
the areas themselves are laid out the same way by the references between them. Pure: no I/O.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

# ChartDB draws a table 42 px of header plus 32 px per field (all fields when `expanded`).
HEADER_HEIGHT = 42
FIELD_HEIGHT = 32
TABLE_WIDTHS = (224, 337, 450)  # ChartDB's three table width presets
TABLE_GAP_X, TABLE_GAP_Y = 120, 48  # room for relationship lines between columns
AREA_GAP = 200
AREA_PAD, AREA_PAD_TOP = 48, 96  # the area's title sits in its top band
MIN_COLUMN_HEIGHT = 2400


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)

    def contains(self, other: Box) -> bool:
        return (self.x <= other.x and self.y <= other.y and other.x + other.width <= self.x + self.width
                and other.y + other.height <= self.y + self.height)


def table_size(field_count: int, longest_text: int) -> tuple[int, int]:
    """Width (a ChartDB preset wide enough for the longest 'name type' text) and full height."""
    needed = 8 * longest_text + 72
    width = next((w for w in TABLE_WIDTHS if w >= needed), TABLE_WIDTHS[-1])
    return width, HEADER_HEIGHT + FIELD_HEIGHT * max(field_count, 1)


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Column of each node: one past its deepest predecessor; cycles broken in node order."""
    rank = {n: i for i, n in enumerate(nodes)}
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a != b and a in rank and b in rank:
            preds[b].append(a)
            succs[a].append(b)
    waiting = {n: len(set(preds[n])) for n in nodes}
    layer: dict[str, int] = {}
    ready = [rank[n] for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    pending = sorted(rank.values())  # for breaking cycles: the first node not placed yet
    pi = 0
    while len(layer) < len(nodes):
        if not ready:
            while nodes[pending[pi]] in layer:
                pi += 1
            heapq.heappush(ready, pending[pi])  # a cycle: take the first node, ignore its open edges
        n = nodes[heapq.heappop(ready)]
        if n in layer:
            continue
        layer[n] = max((layer[p] + 1 for p in preds[n] if p in layer), default=0)
        for s in set(succs[n]):
            waiting[s] -= 1
            if waiting[s] == 0 and s not in layer:
                heapq.heappush(ready, rank[s])
    # A table that references nothing moves right, next to the first table that references it.
    for n in nodes:
        if not preds[n] and succs[n]:
            layer[n] = max(layer[n], min(layer[s] for s in succs[n]) - 1)
    # Tables with no references at all go in a column of their own at the end.
    last = max((layer[n] for n in nodes if preds[n] or succs[n]), default=-1)
    for n in nodes:
        if not preds[n] and not succs[n]:
            layer[n] = last + 1
    return layer


def _arrange(nodes: list[str], sizes: dict[str, tuple[int, int]], edges: list[tuple[str, str]],
             gap_x: int, gap_y: int) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Top-left corners relative to (0, 0), and the width and height of the whole."""
    if not nodes:
        return {}, 0, 0
    layer = _layers(nodes, edges)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a != b and a in preds and b in preds:
            preds[b].append(a)
    area = sum((sizes[n][0] + gap_x) * (sizes[n][1] + gap_y) for n in nodes)
    limit = max(MIN_COLUMN_HEIGHT, max(h for _, h in sizes.values()), int(math.sqrt(area) * 1.2))
    columns: dict[int, list[str]] = {}
    for n in nodes:
        columns.setdefault(layer[n], []).append(n)
    pos: dict[str, tuple[int, int]] = {}
    center: dict[str, float] = {}
    x = total_h = 0
    for key in sorted(columns):
        wanted = []  # the mean height of the tables it references, then the given order
        for i, n in enumerate(columns[key]):
            placed = [center[p] for p in preds[n] if p in center]
            wanted.append((sum(placed) / len(placed) if placed else -1.0, i, n))
        members = [n for _, _, n in sorted(wanted)]
        y = col_w = 0
        for n in members:
            w, h = sizes[n]
            if y and y + h > limit:  # wrap into a new sub-column
                x += col_w + gap_x
                y = col_w = 0
            pos[n] = (x, y)
            center[n] = y + h / 2
            col_w = max(col_w, w)
            y += h + gap_y
            total_h = max(total_h, y - gap_y)
        x += col_w + gap_x
    return pos, x - gap_x, total_h


def layout(groups: dict[str, list[str]], sizes: dict[str, tuple[int, int]],
           edges: list[tuple[str, str]]) -> tuple[dict[str, Box], dict[str, Box]]:
    """Boxes of every table and of every group's area. `edges` run referenced -> dependent."""
    group_of = {n: g for g, members in groups.items() for n in members}
    inner: dict[str, tuple[dict[str, tuple[int, int]], int, int]] = {}
    for g, members in groups.items():
        inside = [(a, b) for a, b in edges if group_of.get(a) == g and group_of.get(b) == g]
        inner[g] = _arrange(members, sizes, inside, TABLE_GAP_X, TABLE_GAP_Y)
    area_sizes = {g: (w + 2 * AREA_PAD, h + AREA_PAD_TOP + AREA_PAD) for g, (_, w, h) in inner.items()}
    between = sorted({(group_of[a], group_of[b]) for a, b in edges
                      if a in group_of and b in group_of and group_of[a] != group_of[b]})
    origins, _, _ = _arrange(list(groups), area_sizes, between, AREA_GAP, AREA_GAP)
    tables: dict[str, Box] = {}
    areas: dict[str, Box] = {}
    for g in groups:
        ox, oy = origins[g]
        areas[g] = Box(ox, oy, *area_sizes[g])
        for n, (x, y) in inner[g][0].items():
            tables[n] = Box(ox + AREA_PAD + x, oy + AREA_PAD_TOP + y, *sizes[n])
    return tables, areas
