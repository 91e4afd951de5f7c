"""A partitioned table's `partition_by` and `partitions` as a person writes them (for `schemac import`)."""
from __future__ import annotations

import re
from typing import Any

from ..model.partitions import BoundValue, KeyPart, Partition, PartitionKey

_WHOLE = re.compile(r"0|-?[1-9][0-9]{0,17}")  # read back by YAML as the same text, through int


def _value(v: BoundValue) -> object:
    """A bound value as a person writes it: a whole number bare, anything else as text."""
    return int(v) if v is not None and _WHOLE.fullmatch(v) else v


def _part(p: KeyPart) -> object:
    plain = p.column if p.column is not None else p.expression.text  # type: ignore[union-attr]
    if p.collation is None and p.opclass is None:
        return plain
    out: dict[str, Any] = {"column": plain} if p.column is not None else {"expression": plain}
    if p.collation is not None:
        out["collation"] = p.collation
    if p.opclass is not None:
        out["opclass"] = p.opclass
    return out


def _partition(parent_schema: str, p: Partition) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name}
    if p.schema != parent_schema:
        out["schema"] = p.schema
    b = p.bound
    if b.default:
        out["default"] = True
    elif b.modulus is not None:
        out |= {"modulus": b.modulus, "remainder": b.remainder}
    elif b.lower:
        out |= {"from": [_value(v) for v in b.lower], "to": [_value(v) for v in b.upper]}
    else:
        out["in"] = [_value(v) for v in b.values]
    if p.comment is not None:
        out["comment"] = p.comment
    if p.partition_by is not None:
        out |= partitioning_document(p.schema, p.partition_by, p.partitions)
    return out


def partitioning_document(schema: str, key: PartitionKey, partitions: tuple[Partition, ...]) -> dict[str, Any]:
    """The keys a partitioned table's document (or a partitioned partition's mapping) adds."""
    out: dict[str, Any] = {"partition_by": {"method": key.method, "columns": [_part(p) for p in key.parts]}}
    if partitions:
        out["partitions"] = [_partition(schema, p) for p in partitions]
    return out
