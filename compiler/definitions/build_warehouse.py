"""A table's `warehouse:` key: its BigQuery copy's partitioning and clustering, checked against
BigQuery's rules and the table's columns while the definitions are read, so a problem is a
positioned error of compile and never a failure of the warehouse DDL."""
from __future__ import annotations

from collections.abc import Mapping as Labels

from ..errors import DefinitionError, did_you_mean
from ..model.schema import Column
from ..model.warehouse import (
    GRANULARITIES,
    MAX_CLUSTER_COLUMNS,
    MAX_COLUMN_DESCRIPTION,
    MAX_RANGE_PARTITIONS,
    MAX_TABLE_DESCRIPTION,
    IntegerRange,
    UnsupportedType,
    Warehouse,
    bigquery_table_name,
    bigquery_type,
    clusterable,
    column_description,
    column_name_problem,
    partition_kind,
)
from .drafts import TableDraft
from .load import Document, Mapping, Pos, Sequence
from .reader import Reader

WAREHOUSE_KEYS = frozenset({"bigquery", "partition_by", "granularity", "range", "cluster_by",
                            "require_partition_filter", "partition_expiration_days"})
RANGE_KEYS = frozenset({"start", "end", "interval"})


def warehouse(r: Reader, body: Mapping, t: TableDraft, enum_labels: Labels[str, tuple[str, ...]]) -> Warehouse | None:
    """The table's Warehouse, or None when it is not in the warehouse (or its key is wrong: reported).
    `enum_labels`: each enum's labels by how a column's type names it."""
    spec = body.get("warehouse")
    pos = r.pos(body, "warehouse")
    if not isinstance(spec, Mapping):
        r.error(pos, f"'warehouse' must be a mapping (e.g. '{{bigquery: true, partition_by: created_at}}'), "
                     f"not {'nothing' if spec is None else repr(spec)}")
        return None
    r.keys(spec, WAREHOUSE_KEYS, "a table's warehouse")
    what = f"table {t.name}'s warehouse"
    if "bigquery" not in spec:
        r.error(spec.pos, f"{what} needs 'bigquery: true' (BigQuery is the warehouse schemac writes)")
        return None
    if not r.flag(spec, "bigquery", what):
        return None  # `bigquery: false`: kept out of the warehouse, its other keys unread
    types = _column_types(r, body, t, frozenset(enum_labels))
    _names_and_descriptions(r, body, t, enum_labels)
    w = Warehouse()
    if "partition_by" in spec:
        w = _partitioning(r, spec, t, types, what)
    elif any(k in spec for k in ("granularity", "range", "require_partition_filter", "partition_expiration_days")):
        key = next(k for k in ("granularity", "range", "require_partition_filter", "partition_expiration_days")
                   if k in spec)
        r.error(spec.key_pos[key], f"'{key}' needs 'partition_by' in {what}")
    cluster = _clustering(r, spec, t, types, what) if "cluster_by" in spec else ()
    t.warehouse_pos = body.key_pos.get("warehouse", pos)
    return Warehouse(w.partition_by, w.granularity, w.integer_range, cluster, w.require_partition_filter,
                     w.partition_expiration_days)


def warehouse_places(docs: list[Document]) -> dict[str, tuple[str, int, int]]:
    """Table key -> (path, line, col) of its `warehouse:` key, for each table document that has one."""
    out: dict[str, tuple[str, int, int]] = {}
    for doc in docs:
        body = doc.body
        if "table" in body and "warehouse" in body:
            schema, name = body.get("schema") or "public", body.get("table")
            out.setdefault(f"{schema}.{name}", (doc.path, *body.key_pos["warehouse"]))
    return out


def bigquery_names_unique(drafts: dict[str, TableDraft], errors: list[DefinitionError]) -> None:
    """Two warehouse tables may not become one BigQuery table: a.b_c and a_b.c (or public.a_b_c) are
    all `a_b_c` in the dataset (and `Events` and `events` one file). Reported at the later table's
    `warehouse:` key, naming the first."""
    first: dict[str, TableDraft] = {}
    for t in drafts.values():  # in the order of the files
        if t.warehouse is None or t.warehouse_pos is None:
            continue
        name = bigquery_table_name(t.schema, t.name)
        # names that differ only in case too: one file name on macOS and Windows, one table in a
        # case-insensitive dataset
        other = first.setdefault(name.lower(), t)
        if other is not t:
            assert other.warehouse_pos is not None
            theirs = bigquery_table_name(other.schema, other.name)
            what = (f"are both BigQuery table {name} in the warehouse (a table outside public is named "
                    f"schema_table there)" if theirs == name else
                    f"are BigQuery tables {theirs} and {name}, whose names differ only in case (one file name "
                    f"on a case-insensitive file system, one table in a case-insensitive dataset)")
            line, col = t.warehouse_pos
            errors.append(DefinitionError(t.path, line, col, (
                f"table {t.key} and table {other.key} ({other.path}:{other.warehouse_pos[0]}) {what}; rename one, "
                "or keep one out of the warehouse")))


def _column_types(r: Reader, body: Mapping, t: TableDraft, enum_types: frozenset[str]) -> dict[str, str]:
    """Each column's BigQuery type; a column BigQuery cannot hold is an error at its type."""
    written = {m.get("name"): m for m in body.get("columns") or () if isinstance(m, Mapping)}
    out: dict[str, str] = {}
    for c in t.columns:
        m = written.get(c.name)
        where: Pos = r.pos(m, "type") if m is not None else t.column_pos.get(c.name, t.pos)
        # integer[][] is integer[] to PostgreSQL (it keeps no dimensions in the type) and to the model,
        # so ARRAY<INT64> here; a value of more than one dimension is the loader's to flatten
        try:
            out[c.name] = bigquery_type(c.type, enum_types)
        except UnsupportedType as e:
            r.error(where, f"column {t.name}.{c.name}: {e}; the table is in the warehouse "
                           f"(see the README's type mapping)")
    return out


def _names_and_descriptions(r: Reader, body: Mapping, t: TableDraft,
                            enum_labels: Labels[str, tuple[str, ...]]) -> None:
    """What BigQuery refuses in a table's names and descriptions: a column name it reserves or cannot
    hold, two columns whose names differ only in case (one column to BigQuery), a column description
    (comment and enum labels) over 1,024 characters, a table description over 16,384."""
    written = {m.get("name"): m for m in body.get("columns") or () if isinstance(m, Mapping)}
    seen: dict[str, str] = {}
    for c in t.columns:
        where = t.column_pos.get(c.name, t.pos)
        problem = column_name_problem(c.name)
        if problem is not None:
            r.error(where, f"column {t.name}.{c.name} {problem}; the table is in the warehouse (rename the "
                           f"column, or keep the table out of the warehouse)")
        first = seen.setdefault(c.name.lower(), c.name)
        if first != c.name:
            r.error(where, f"columns {first} and {c.name} of table {t.name} differ only in case, and BigQuery "
                           f"column names ignore case; the table is in the warehouse (rename one)")
        description = column_description(c.comment, enum_labels.get(c.type.removesuffix("[]")))
        if description is not None and len(description) > MAX_COLUMN_DESCRIPTION:
            m = written.get(c.name)
            at = r.pos(m, "comment") if m is not None and "comment" in m else where
            told = "its comment and its enum's labels make" if c.comment and c.type.removesuffix("[]") in enum_labels \
                else "its enum's labels make" if not c.comment else "its comment is"
            r.error(at, f"column {t.name}.{c.name}'s BigQuery description would be {len(description):,} characters "
                        f"({told} it); BigQuery allows at most {MAX_COLUMN_DESCRIPTION:,}")
    if t.comment is not None and len(t.comment) > MAX_TABLE_DESCRIPTION:
        r.error(r.pos(body, "comment"), f"table {t.name}'s comment is {len(t.comment):,} characters, and BigQuery "
                                        f"allows a table description of at most {MAX_TABLE_DESCRIPTION:,}; the "
                                        f"table is in the warehouse")


def _column(r: Reader, key: str, name: str, where: Pos, t: TableDraft, what: str) -> Column | None:
    column = next((c for c in t.columns if c.name == name), None)
    if column is None:
        r.error(where, f"{what}'s '{key}' names column {name}, which table {t.name} does not have"
                       f"{did_you_mean(name, [c.name for c in t.columns])}")
    return column


def _partitioning(r: Reader, spec: Mapping, t: TableDraft, types: dict[str, str], what: str) -> Warehouse:
    name = r.name(spec, "partition_by", what)
    column = _column(r, "partition_by", name, r.pos(spec, "partition_by"), t, what) if name else None
    bq_type = types.get(column.name) if column else None
    kind = partition_kind(bq_type) if bq_type else None
    if column is not None and bq_type is not None and kind is None:
        r.error(r.pos(spec, "partition_by"), f"BigQuery partitions by a DATE, TIMESTAMP, DATETIME or integer "
                                             f"column, and {t.name}.{name} is {column.type} ({bq_type})")
    granularity = r.choice(spec, "granularity", GRANULARITIES, what) if "granularity" in spec else None
    integer_range = _range(r, spec, what) if "range" in spec else None
    if kind == "integer":
        if granularity is not None:
            r.error(r.pos(spec, "granularity"), "an integer column is partitioned by 'range', not 'granularity'")
        if integer_range is None and "range" not in spec:
            r.error(r.pos(spec, "partition_by"), f"partitioning by integer column {name} needs "
                                                 f"'range: {{start: ..., end: ..., interval: ...}}'")
    elif kind == "time":
        if "range" in spec:
            r.error(spec.key_pos["range"], f"'range' is for an integer partitioning column; {name} is {bq_type}")
        if granularity == "hour" and bq_type == "DATE":
            r.error(r.pos(spec, "granularity"), "a DATE column cannot be partitioned by hour; "
                                                "use day, month or year")
    require = bool(r.flag(spec, "require_partition_filter", what)) if "require_partition_filter" in spec else False
    expiration = None
    if "partition_expiration_days" in spec:
        days = spec.get("partition_expiration_days")
        if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
            r.error(r.pos(spec, "partition_expiration_days"), "'partition_expiration_days' must be a positive "
                                                              f"number of days, not {days!r}")
        else:
            expiration = int(days) if float(days).is_integer() else None
            if expiration is None:
                r.error(r.pos(spec, "partition_expiration_days"), "'partition_expiration_days' must be whole days")
            elif kind == "integer" or "range" in spec:
                # BigQuery expires partitions of time only: a range-partitioned table has no expiration
                r.error(r.pos(spec, "partition_expiration_days"),
                        f"'partition_expiration_days' is for a table partitioned by time, and {what} is "
                        f"partitioned by the integer range of {name}; BigQuery expires no integer-range partition")
                expiration = None
    return Warehouse(name if column else None, granularity or "day", integer_range, (), require, expiration)


def _range(r: Reader, spec: Mapping, what: str) -> IntegerRange | None:
    m = spec.get("range")
    if not isinstance(m, Mapping):
        r.error(r.pos(spec, "range"), "'range' must be a mapping: {start: ..., end: ..., interval: ...}")
        return None
    r.keys(m, RANGE_KEYS, "a warehouse partition range")
    values = [r.get(m, key, int, f"{what}'s range", required=True) for key in ("start", "end", "interval")]
    start, end, interval = values
    if start is None or end is None or interval is None:
        return None
    if interval <= 0 or end <= start:
        r.error(m.pos, f"a partition range needs start < end and a positive interval, not "
                       f"start {start}, end {end}, interval {interval}")
        return None
    if -(-(end - start) // interval) > MAX_RANGE_PARTITIONS:
        r.error(m.pos, f"the range makes {-(-(end - start) // interval)} partitions; BigQuery allows at most "
                       f"{MAX_RANGE_PARTITIONS:,} in a table")
        return None
    return IntegerRange(start, end, interval)


def _clustering(r: Reader, spec: Mapping, t: TableDraft, types: dict[str, str], what: str) -> tuple[str, ...]:
    names = r.names(spec, "cluster_by", what)
    if names is None:
        return ()
    if len(names) > MAX_CLUSTER_COLUMNS:
        r.error(r.pos(spec, "cluster_by"), f"BigQuery clusters by at most {MAX_CLUSTER_COLUMNS} columns, "
                                           f"and {what} lists {len(names)}")
        return ()
    seq = spec.get("cluster_by")
    out = []
    for i, name in enumerate(names):
        where = seq.item_pos[i] if isinstance(seq, Sequence) else r.pos(spec, "cluster_by")
        column = _column(r, "cluster_by", name, where, t, what)
        bq_type = types.get(name) if column else None
        if column is not None and bq_type is not None and not clusterable(bq_type):
            r.error(where, f"BigQuery cannot cluster by {t.name}.{name}, a {bq_type} column (clustering columns "
                           f"are top-level, non-repeated BIGNUMERIC, BOOL, DATE, DATETIME, GEOGRAPHY, INT64, "
                           f"NUMERIC, STRING or TIMESTAMP)")
        out.append(name)
    return tuple(out)
