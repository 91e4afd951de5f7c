"""`import --schema`: the domains and sequences outside the schemas imported that the imported tables
need (a column of the domain, a default calling the sequence), brought along as enums are."""
from __future__ import annotations

from dataclasses import replace

from ..definitions.build_standalone_sequences import qualified_call
from ..model.domains import Domain
from ..model.schema import Schema, Table
from ..model.sequence_calls import sequences_called
from ..model.standalone_sequences import Sequence
from ..model.types import enum_type_spelling


def in_schemas(schema: Schema, tables: dict[str, Table], keep: set[str]
               ) -> tuple[dict[str, Domain], dict[str, Sequence], list[str]]:
    """The domains and sequences of the schemas `keep`, with those of other schemas that `tables`
    use, and a note for each one brought along."""
    by_spelling = {enum_type_spelling(d.schema, d.name): k for k, d in schema.domains.items()}
    users: dict[str, list[str]] = {}
    for key, t in tables.items():
        for c in t.columns:
            spelling = c.type.removesuffix("[]")
            while spelling in by_spelling:  # a domain, and the domains it is over
                found = by_spelling[spelling]
                if schema.domains[found].schema not in keep:
                    users.setdefault(found, []).append(f"{key}.{c.name}")
                spelling = schema.domains[found].type.removesuffix("[]")
            for name in sequences_called(c.default.text) if c.default is not None else ():
                called = qualified_call(name)
                if called in schema.sequences and schema.sequences[called].schema not in keep:
                    users.setdefault(called, []).append(f"{key}.{c.name}")
    domains = {k: d for k, d in schema.domains.items() if d.schema in keep or k in users}
    sequences = {k: q for k, q in schema.sequences.items() if q.schema in keep or k in users}
    notes = [f"{'domain' if k in schema.domains else 'sequence'} {k}: outside the schemas imported, written because "
             f"{', '.join(dict.fromkeys(users[k]))} uses it" for k in sorted(users)]
    return domains, sequences, notes


def without_absent_owners(schema: Schema) -> tuple[Schema, list[str]]:
    """Sequences owned by a column of a table not imported, written without their owner, and a
    warning for each (the definitions could not name the owner)."""
    gone = {k: q for k, q in schema.sequences.items() if q.owner_table is not None
            and schema.tables.get(q.owner_table) is None or (
                q.owner_table in schema.tables and q.owned_by is not None
                and schema.tables[q.owner_table].column(q.owned_by.rsplit(".", 1)[1]) is None)}
    if not gone:
        return schema, []
    sequences = {k: replace(q, owned_by=None) if k in gone else q for k, q in schema.sequences.items()}
    return replace(schema, sequences=sequences), [
        f"sequence {k}: owned by {q.owned_by}, which is not imported; written without its owner (OWNED BY)"
        for k, q in sorted(gone.items())]
