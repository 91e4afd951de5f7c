"""The change kinds of partitioned tables: a partition created, dropped, or moved to new bounds
(detached, then attached again). Each names the partitioned table it belongs to as its `table`;
`partition` is the partition as it will be (as it was, for a drop or a detach)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model.partitions import Partition
from .changes import IndexPropertyChange, TableChange
from .hazards import NO_TABLE, Effects, Lock, brief

# CREATE TABLE ... PARTITION OF takes ACCESS EXCLUSIVE on the parent; ATTACH PARTITION only SHARE UPDATE
# EXCLUSIVE (PostgreSQL 12 and later)
ATTACH_INSTEAD = ("move the DEFAULT partition's rows of the new bounds out first, or acknowledge it with `allow: "
                  "[lock, fails_on_rows]` on the table; by hand, a table with a validated CHECK of the bounds "
                  "attached with ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the parent")


@dataclass(frozen=True, slots=True)
class PartitionChange(TableChange):
    partition: Partition
    # the top partitioned table, which orders the changes of its partitions together, parents first
    root: str

    @property
    def subject(self) -> str:
        return self.partition.key

    @property
    def object_key(self) -> str:
        return self.root


@dataclass(frozen=True, slots=True)
class CreatePartition(PartitionChange):
    DESCRIPTION = "partition {s} is missing"
    EFFECTS = brief(Lock.ACCESS_EXCLUSIVE)  # on the parent; refined below
    # the parent already has a DEFAULT partition: PostgreSQL reads it all to prove that none of its
    # rows belongs in the new partition, and refuses if one does
    scans_default: bool = False
    parent_is_new: bool = False  # created in this migration: no one uses it yet

    @property
    def effects(self) -> Effects:
        if self.parent_is_new:
            return NO_TABLE
        return Effects(Lock.ACCESS_EXCLUSIVE, scans=self.scans_default, fails_on_rows=self.scans_default,
                       online=ATTACH_INSTEAD if self.scans_default else None)


# A partition of a table that foreign keys reference: PostgreSQL drops it only once detached, and
# detaches it only after reading the referencing tables for a row that still points into it.
_REFERENCED = Effects(Lock.ACCESS_EXCLUSIVE, scans=True, fails_on_rows=True, online=(
    "delete or move the rows of the referencing tables that point into the partition first, or acknowledge "
    "it with `allow: [lock, fails_on_rows]` on the table"))


@dataclass(frozen=True, slots=True)
class DropPartition(PartitionChange):
    DESCRIPTION = "partition {s} is not in the definitions"
    EFFECTS = brief(breaks_code=True)  # ACCESS EXCLUSIVE on the parent and the partition
    LOSES = "partition"
    referenced: bool = False  # a foreign key references the partitioned table: detached first

    @property
    def effects(self) -> Effects:
        return replace(_REFERENCED, breaks_code=True) if self.referenced else self.EFFECTS

    @property
    def data_loss(self) -> str | None:
        return f"drop partition {self.subject} of {self.table.key}: its rows are lost"


@dataclass(frozen=True, slots=True)
class DetachPartition(PartitionChange):
    """The first half of a change of bounds: the partition leaves its parent with its rows."""

    DESCRIPTION = "partition {s} has other bounds (it is detached, to be attached with them)"
    EFFECTS = brief()  # ACCESS EXCLUSIVE on the parent (DETACH ... CONCURRENTLY refuses a transaction)
    referenced: bool = False  # a foreign key references the partitioned table

    @property
    def effects(self) -> Effects:
        return _REFERENCED if self.referenced else self.EFFECTS


@dataclass(frozen=True, slots=True)
class AttachPartition(PartitionChange):
    """The second half: the partition joins again with its new bounds. PostgreSQL reads every row
    of it (ACCESS EXCLUSIVE on the partition, SHARE UPDATE EXCLUSIVE on the parent) and refuses a
    row outside the new bounds; with a DEFAULT partition, that one is read too."""

    DESCRIPTION = "partition {s} has other bounds"
    EFFECTS = Effects(Lock.ACCESS_EXCLUSIVE, scans=True, fails_on_rows=True,  # on the partition itself
                      online="acknowledge it with `allow: [lock, fails_on_rows]` on the table; by hand, a "
                             "validated CHECK of the new bounds on the partition spares ATTACH PARTITION its scan")


@dataclass(frozen=True, slots=True)
class AttachIndex(IndexPropertyChange):
    """The last step of an index built online on a partitioned table: a partition's index, built
    CONCURRENTLY, joins the parent's index made ON ONLY (which is valid once every partition's
    has joined). Run again, it does nothing."""

    DESCRIPTION = "index {s} is not attached to the index of its partitioned table"
    # on the partition's index, for an instant; SHARE UPDATE EXCLUSIVE on the parent's, ACCESS SHARE on the tables
    EFFECTS = brief(Lock.ACCESS_EXCLUSIVE)
    partition_schema: str
    partition_index: str

    @property
    def subject(self) -> str:
        return f"{self.partition_schema}.{self.partition_index}"
