"""The online build of an index on a partitioned table, which PostgreSQL cannot build CONCURRENTLY:
the parent's index is made ON ONLY inside the transaction (no row read; it stays invalid), then,
outside any transaction, each partition's index is built CONCURRENTLY and attached to its
parent's, partitions of partitions first. Once every partition's has joined, the parent's index
is valid. A partition that is itself partitioned gets its index ON ONLY in the transaction too.
Every statement of the outside part can be run again (apply finishes them after a failure)."""
from __future__ import annotations

from dataclasses import replace

from ..model.names import default_name
from ..model.partitions import all_partitions
from ..model.schema import Index, Table
from . import changes as ch


def _label(index: Index) -> list[str]:
    return [p.column if p.column is not None else p.expression.index_label for p in index.parts]  # type: ignore[union-attr]


def online_partitioned_index(c: ch.CreateIndex, table: Table) -> tuple[list[ch.Change], list[ch.Change]]:
    """(in the transaction, outside it): the index `c` asks for on the partitioned `table`."""
    label = _label(c.index)
    names = {table.key: (table.schema, c.index.name)}
    main: list[ch.Change] = [replace(c, only=True)]
    builds: list[ch.Change] = []
    attaches: list[ch.Change] = []
    for parent_schema, parent_name, p in all_partitions(table.schema, table.name, table.partitions):
        name = default_name(p.name, label, "idx")
        names[p.key] = (p.schema, name)
        own = replace(c.index, name=name, comment=None)
        here = ch.TableName(p.schema, p.name)
        if p.partition_by is not None:
            main.append(ch.CreateIndex(here, own, only=True))
        else:
            builds.append(ch.CreateIndex(here, own, concurrently=True))
        parent_index = names[f"{parent_schema}.{parent_name}"][1]
        attaches.append(ch.AttachIndex(ch.TableName(parent_schema, parent_name), parent_index, p.schema, name))
    return main, builds + attaches[::-1]  # partitions of partitions join theirs before theirs joins its own
