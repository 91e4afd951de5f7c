"""The diagram files in generated/ (ChartDB JSON and schema.md): which are stale, and bringing them up to date."""
from __future__ import annotations

import os

from ..definitions.read import read_definitions_and_folders
from ..project import Project, sha256, write_atomically
from ..sql.history import HistoryErrors, links_outside
from .chartdb import diagram_files


def project_diagrams(project: Project) -> dict[str, bytes]:
    """The ChartDB files and schema.md the definitions give, by path relative to generated/."""
    return diagram_files(*read_definitions_and_folders(project))


def stale_diagrams(project: Project, diagrams: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Diagram files missing or different on disk, and table files of tables that are gone."""
    stale = []
    for rel, data in diagrams.items():
        path = project.generated / rel
        if not path.is_file() or path.read_bytes() != data:
            stale.append(rel)
    return stale, _table_files_of_no_table(project, diagrams)


def stale_digests(project: Project, digests: dict[str, str]) -> tuple[list[str], list[str]]:
    """stale_diagrams, told by the sha256 of each file the definitions give (cached)."""
    stale = []
    for rel, digest in digests.items():
        path = project.generated / rel
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            stale.append(rel)
    return stale, _table_files_of_no_table(project, digests)


def _table_files_of_no_table(project: Project, diagrams: dict[str, bytes] | dict[str, str]) -> list[str]:
    folder = project.generated / "chartdb" / "schemas"
    if not folder.is_dir():
        return []
    return sorted(f"chartdb/schemas/{f.name}" for f in folder.glob("*.json")
                  if f"chartdb/schemas/{f.name}" not in diagrams)


def write_diagrams(project: Project, diagrams: dict[str, bytes]) -> list[str]:
    """Bring the diagram files up to date; the paths written or removed (none when current)."""
    outside = links_outside(project)
    if outside:
        raise HistoryErrors(outside)
    stale, extra = stale_diagrams(project, diagrams)
    for rel in stale:
        write_atomically(project.generated / rel, diagrams[rel], durable=False)
    for rel in extra:
        (project.generated / rel).unlink()
    if stale or extra:
        os.sync()  # one flush for the set, as write_set does
    return stale + extra
