"""import: definitions/ written from a live database."""
from __future__ import annotations

from .database import connect
from .export import definition_files
from .introspect import introspect
from .load import definition_files as existing_definition_files
from .model import Schema
from .project import Project, write_atomically
from .settings import Settings


class ImportRefused(Exception):
    """definitions/ already holds YAML that an import would mix with or overwrite."""


def import_definitions(project: Project, url: str, settings: Settings, schemas: list[str] | None = None,
                       force: bool = False) -> list[str]:
    """Write one YAML file per table plus types.yaml; returns the paths written (relative to the project)."""
    existing = existing_definition_files(project.root)
    if existing and not force:
        raise ImportRefused(f"{len(existing)} YAML file(s) already there; move them away or pass --force")
    with connect(url) as conn:
        schema = introspect(conn, settings.migrations_table)
    if schemas:
        keep = set(schemas)
        schema = Schema({k: t for k, t in schema.tables.items() if t.schema in keep},
                        {k: e for k, e in schema.enums.items() if e.schema in keep}, schema.extensions)
    files = definition_files(schema)
    for old in existing:
        old.unlink()
    written = []
    for rel, text in sorted(files.items()):
        write_atomically(project.root / "definitions" / rel, text.encode())
        written.append(f"definitions/{rel}")
    return written
