"""The warehouse files in generated/: `warehouse/bigquery/<dataset>.<table>.sql`, one per warehouse
table, and `warehouse/bigquery/<dataset>.sql` holding them all, made from the definitions' Schema."""
from __future__ import annotations

from collections.abc import Mapping

from ..model.schema import Schema
from ..project import Project, write_atomically
from .bigquery import bigquery_table_name, create_table, enums_by_type, render, with_stored_types

FOLDER = "warehouse/bigquery"
_HEADER = "-- {what}: BigQuery DDL made by schemac from the definitions; edit the definitions, not this file\n"


def warehouse_files(schema: Schema, dataset: str) -> dict[str, bytes]:
    """Path (relative to generated/) -> bytes of every warehouse file; empty without warehouse tables."""
    schema = with_stored_types(schema)
    enums = enums_by_type(schema)
    statements: dict[str, str] = {}
    for table in schema.tables.values():  # sorted by key: the model keeps them so
        if table.warehouse is not None:
            name = f"{dataset}.{bigquery_table_name(table)}"
            statements[name] = f"-- {table.key}\n" + render(create_table(table, dataset, enums))
    if not statements:
        return {}
    files = {f"{FOLDER}/{name}.sql": (_HEADER.format(what=name) + sql).encode() for name, sql in statements.items()}
    files[f"{FOLDER}/{dataset}.sql"] = (_HEADER.format(what=f"dataset {dataset}")
                                        + "\n".join(statements.values())).encode()
    return files


def stale_warehouse_files(project: Project, files: Mapping[str, bytes]) -> tuple[list[str], list[str]]:
    """(files missing or different on disk, files on disk the definitions no longer give)."""
    stale = [rel for rel, data in files.items()
             if not (project.generated / rel).is_file() or (project.generated / rel).read_bytes() != data]
    folder = project.generated / FOLDER
    extra = sorted(f"{FOLDER}/{p.name}" for p in folder.glob("*.sql") if f"{FOLDER}/{p.name}" not in files) \
        if folder.is_dir() else []
    return stale, extra


def write_warehouse_files(project: Project, files: Mapping[str, bytes]) -> list[str]:
    """Bring the warehouse files up to date; the paths written or removed."""
    stale, extra = stale_warehouse_files(project, files)
    for rel in stale:
        write_atomically(project.generated / rel, files[rel], durable=False)
    for rel in extra:
        (project.generated / rel).unlink()
    return stale + extra
