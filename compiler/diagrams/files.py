"""The diagram files in generated/ (ChartDB JSON and schema.md): which are stale, and bringing them up to date."""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from ..definitions.read import read_definitions_and_folders
from ..project import Project, sha256, write_atomically
from ..sql.history import HistoryErrors, links_outside
from .chartdb import DiagramFiles, diagram_files


def project_diagrams(project: Project) -> DiagramFiles:
    """The ChartDB files and schema.md the definitions give, by path relative to generated/."""
    return diagram_files(*read_definitions_and_folders(project))


def changed_diagrams(project: Project, diagrams: Mapping[str, bytes], noted: dict[str, str]
                     ) -> Iterator[tuple[str, bytes]]:
    """The files whose bytes are not those in generated/, made one at a time; the sha256 of
    every file goes into `noted` on the way."""
    for rel, data in diagrams.items():
        noted[rel] = sha256(data)
        path = project.generated / rel
        if not path.is_file() or path.read_bytes() != data:
            yield rel, data


def stale_digests(project: Project, digests: dict[str, str]) -> tuple[list[str], list[str]]:
    """Diagram files missing or different on disk, told by the sha256 of each file the definitions
    give (see changed_diagrams), and table files of tables that are gone."""
    stale = []
    for rel, digest in digests.items():
        path = project.generated / rel
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            stale.append(rel)
    return stale, extra_diagrams(project, digests)


def extra_diagrams(project: Project, diagrams: Mapping[str, bytes] | Mapping[str, str]) -> list[str]:
    """Table files in generated/ of tables the diagrams no longer have."""
    folder = project.generated / "chartdb" / "schemas"
    if not folder.is_dir():
        return []
    return sorted(f"chartdb/schemas/{f.name}" for f in folder.glob("*.json")
                  if f"chartdb/schemas/{f.name}" not in diagrams)


def write_diagrams(project: Project, diagrams: Mapping[str, bytes]) -> list[str]:
    """Bring the diagram files up to date; the paths written or removed (none when current)."""
    outside = links_outside(project)
    if outside:
        raise HistoryErrors(outside)
    stale = []
    for rel, data in changed_diagrams(project, diagrams, {}):
        write_atomically(project.generated / rel, data, durable=False)
        stale.append(rel)
    extra = extra_diagrams(project, diagrams)
    for rel in extra:
        (project.generated / rel).unlink()
    if stale or extra:
        os.sync()  # one flush for the set, as write_set does
    return stale + extra
