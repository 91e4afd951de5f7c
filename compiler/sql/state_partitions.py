"""state.json's part for partitioned tables: a table's `partition_by` and `partitions`, written
only when the table is partitioned (so every other table's bytes stay as they were)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model.partitions import KeyPart, Partition, PartitionBound, PartitionKey
from ..model.schema import Expression

Get = Callable[..., Any]  # state.py's _get(d, key, kind, default): a value checked for its kind
Expr = Callable[[str | None], Expression | None]


def _key(k: PartitionKey) -> dict[str, Any]:
    parts = []
    for p in k.parts:
        part: dict[str, Any] = {"column": p.column} if p.column is not None else {"expression": p.expression.text}  # type: ignore[union-attr]
        if p.collation is not None:
            part["collation"] = p.collation
        if p.opclass is not None:
            part["opclass"] = p.opclass
        parts.append(part)
    return {"method": k.method, "parts": parts}


def _partition(p: Partition) -> dict[str, Any]:
    out: dict[str, Any] = {"schema": p.schema, "name": p.name}
    b = p.bound
    if b.default:
        out["default"] = True
    elif b.modulus is not None:
        out |= {"modulus": b.modulus, "remainder": b.remainder}
    elif b.lower:
        out |= {"from": list(b.lower), "to": list(b.upper)}
    else:
        out["in"] = list(b.values)
    if p.comment is not None:
        out["comment"] = p.comment
    if p.partition_by is not None:
        out |= partitioning_state(p.partition_by, p.partitions)
    return out


def partitioning_state(key: PartitionKey, partitions: tuple[Partition, ...]) -> dict[str, Any]:
    """The keys a partitioned table (or partition) adds to its object in state.json."""
    return {"partition_by": _key(key), "partitions": [_partition(p) for p in partitions]}


def read_partitioning(d: dict[str, Any], get: Get, expr: Expr) -> tuple[PartitionKey | None, tuple[Partition, ...]]:
    """A table's (or partition's) key and partitions as state.json holds them; none for a plain table."""
    k = get(d, "partition_by", "object?", None)
    if k is None:
        return None, ()
    parts = tuple(KeyPart(get(p, "column", "text?", None), expr(get(p, "expression", "text?", None)),
                          get(p, "collation", "text?", None), get(p, "opclass", "text?", None))
                  for p in get(k, "parts", "list"))
    return PartitionKey(get(k, "method", "text"), parts), tuple(_read_partition(p, get, expr)
                                                                for p in get(d, "partitions", "list", []))


def _read_partition(d: dict[str, Any], get: Get, expr: Expr) -> Partition:
    if get(d, "default", "flag", False):
        bound = PartitionBound(default=True)
    elif "modulus" in d:
        bound = PartitionBound(modulus=get(d, "modulus", "number"), remainder=get(d, "remainder", "number"))
    elif "from" in d:
        bound = PartitionBound(lower=tuple(get(d, "from", "names")), upper=tuple(get(d, "to", "names")))
    else:
        values = get(d, "in", "list")
        if not all(v is None or isinstance(v, str) for v in values):
            raise TypeError(f"'in' of partition {d.get('name')!r} holds a value that is not a string or null")
        bound = PartitionBound(values=tuple(values))
    key, subs = read_partitioning(d, get, expr)
    return Partition(get(d, "schema", "text"), get(d, "name", "text"), bound, get(d, "comment", "text?", None),
                     key, subs)
