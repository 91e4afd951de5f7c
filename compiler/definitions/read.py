"""definitions/ on disk -> Schema: load every file, build, and report every problem at once."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DefinitionError
from ..model.schema import Schema
from ..project import Project
from .acknowledgements import Acknowledged
from .build import build_schema_and_acknowledged
from .build_warehouse import warehouse_places
from .called_functions import CallerKey, Place
from .load import Document, load_sources, read_sources
from .policy_views import PolicyClause, policy_places


@dataclass(frozen=True, slots=True)
class Definitions:
    """What definitions/ says: the schema, the folder each table came from (diagram areas), and the
    hazards its `allow:` keys accept (lint's, never the schema's)."""

    schema: Schema
    folders: dict[str, str]
    acknowledged: Acknowledged
    # table key -> (path, line, col) of its `warehouse:` key, for errors about the warehouse as a whole
    warehouse_places: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    # where tables and domains call the definitions' functions (definitions/called_functions.py)
    call_places: dict[CallerKey, Place] = field(default_factory=dict)
    # where policies' USING and WITH CHECK are written (definitions/policy_views.py)
    policy_places: dict[PolicyClause, Place] = field(default_factory=dict)


def read_definitions(project: Project) -> Schema:
    """The schema the definitions describe; DefinitionErrors lists every problem."""
    return read_definitions_and_folders(project)[0]


def read_definitions_and_folders(project: Project, sources: list[tuple[str, bytes]] | None = None
                                 ) -> tuple[Schema, dict[str, str]]:
    """The schema, and the folder of definitions/ each table came from (for diagram areas).

    `sources` are the files as read_sources gives them, when the caller has read them already.
    """
    found = read_project_definitions(project, sources)
    return found.schema, found.folders


def read_project_definitions(project: Project, sources: list[tuple[str, bytes]] | None = None) -> Definitions:
    """Everything definitions/ says (see Definitions); DefinitionErrors lists every problem."""
    errors: list[DefinitionError] = []
    docs = load_sources(read_sources(project.root) if sources is None else sources, errors)
    places: dict[CallerKey, Place] = {}
    schema, acknowledged = build_schema_and_acknowledged(docs, errors, call_places=places)
    return Definitions(schema, table_folders(docs), acknowledged, warehouse_places(docs), places, policy_places(docs))


def table_folders(docs: list[Document]) -> dict[str, str]:
    """The folder under definitions/ each table was declared in ('' for definitions/ itself)."""
    out: dict[str, str] = {}
    for doc in docs:
        body = doc.body
        if "table" not in body:
            continue
        names = []
        for key in ("schema", "table"):
            value = body.get(key)
            names.append(value if isinstance(value, str) else body.raw.get(key, str(value)) if value is not None
                         else "public")
        parts = doc.path.split("/")[1:-1]  # drop 'definitions/' and the file name
        out[f"{names[0]}.{names[1]}"] = "/".join(parts)
    return out
