"""definitions/ on disk -> Schema: load every file, build, and report every problem at once."""
from __future__ import annotations

from ..errors import DefinitionError
from ..model.schema import Schema
from ..project import Project
from .build import build_schema
from .load import Document, load_sources, read_sources


def read_definitions(project: Project) -> Schema:
    """The schema the definitions describe; DefinitionErrors lists every problem."""
    return read_definitions_and_folders(project)[0]


def read_definitions_and_folders(project: Project, sources: list[tuple[str, bytes]] | None = None
                                 ) -> tuple[Schema, dict[str, str]]:
    """The schema, and the folder of definitions/ each table came from (for diagram areas).

    `sources` are the files as read_sources gives them, when the caller has read them already.
    """
    errors: list[DefinitionError] = []
    files = read_sources(project.root) if sources is None else sources
    docs = load_sources(files, errors)
    folders = table_folders(docs)

    def reread(path: str) -> list[Document]:  # a file's documents again, for the position of an error
        return load_sources([(shown, data) for shown, data in files if shown == path], [])

    return build_schema(docs, errors, reread), folders  # which releases each document once built


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
