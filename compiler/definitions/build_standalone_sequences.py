"""Reading `sequence:` documents (standalone sequences) and checking what refers to them: `owned_by`
and the sequences column defaults call (`nextval('order_numbers')`)."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import DefinitionError, did_you_mean
from ..model.names import default_name
from ..model.sequence_calls import sequences_called
from ..model.sequences import SequenceProblem, normal_options
from ..model.standalone_sequences import SEQUENCE_TYPES, Sequence
from ..model.types import TypeProblem, canonical_type
from .acknowledgements import ALLOW
from .build_security import grants
from .drafts import TableDraft
from .load import Document, Mapping, Pos
from .reader import Reader

STANDALONE_SEQUENCE_KEYS = frozenset({"sequence", "schema", "type", "increment", "minvalue", "maxvalue", "start",
                                      "cache", "cycle", "owned_by", "unlogged", "comment", "renamed_from",
                                      "grants", ALLOW})
# the definitions' words for CREATE SEQUENCE's clauses -> model/sequences.py's option keys
_OPTION_WORDS = {"start": "start", "increment": "increment", "minvalue": "min", "maxvalue": "max", "cache": "cache"}


@dataclass(frozen=True, slots=True)
class SequenceDraft:
    sequence: Sequence
    path: str
    pos: Pos  # of its name
    owned_by_pos: Pos | None


@dataclass(frozen=True, slots=True)
class SequenceCall:
    """A column default calling nextval/currval/setval of a named sequence, where it is written."""

    path: str
    pos: Pos
    name: str  # schema.name as PostgreSQL resolves the text (search_path public)
    what: str


def read_sequences(docs: list[Document], errors: list[DefinitionError]) -> dict[str, SequenceDraft]:
    """Each `sequence:` document, its options checked against its type (owners are checked later)."""
    out: dict[str, SequenceDraft] = {}
    for doc in docs:
        r, body = Reader(doc.path, errors), doc.body
        r.keys(body, STANDALONE_SEQUENCE_KEYS, "a sequence")
        name = r.name(body, "sequence", "a sequence", required=True)
        schema = r.name(body, "schema", "a sequence") or "public"
        what = f"sequence {name}"
        type_ = _type(r, body, what)
        given: dict[str, int | bool] = {}
        for word, key in _OPTION_WORDS.items():
            value = r.get(body, word, int, what)
            if value is not None:
                given[key] = value
        cycle = r.flag(body, "cycle", what)
        if cycle is not None:
            given["cycle"] = cycle
        comment = r.text(body, "comment", what) or None  # '' is no comment to PostgreSQL
        renamed_from = r.name(body, "renamed_from", what)
        owned_by = _owned_by(r, body, what)
        unlogged = bool(r.flag(body, "unlogged", what))
        granted = grants(r, body, "sequence", what) if "grants" in body else ()
        if name is None or type_ is None:
            continue
        try:
            options = normal_options(type_, given)
        except SequenceProblem as e:
            message = str(e).replace("'min'", "'minvalue'").replace("'max'", "'maxvalue'")
            r.error(body.value_pos["sequence"], f"{what}: {message}")
            continue
        key = f"{schema}.{name}"
        if key in out:
            first = out[key]
            r.error(body.value_pos["sequence"], f"sequence {key} is declared twice (first in {first.path}:"
                                                f"{first.pos[0]})")
            continue
        out[key] = SequenceDraft(Sequence(schema, name, type_, options, owned_by, comment, renamed_from, unlogged,
                                          granted),
                                 doc.path, body.value_pos["sequence"], body.value_pos.get("owned_by"))
    return out


def _type(r: Reader, body: Mapping, what: str) -> str | None:
    text = r.text(body, "type", what)
    if text is None:
        return "bigint" if body.get("type") is None else None
    try:
        type_ = canonical_type(text, {})
    except (TypeProblem, KeyError):
        type_ = text
    if type_ not in SEQUENCE_TYPES:
        r.error(r.pos(body, "type"), f"the type of {what} must be one of {', '.join(SEQUENCE_TYPES)}, not "
                                     f"'{text}'{did_you_mean(text, SEQUENCE_TYPES)}")
        return None
    return type_


def _owned_by(r: Reader, body: Mapping, what: str) -> str | None:
    """`owned_by: table.column` or `owned_by: none` (PostgreSQL's OWNED BY NONE, the default)."""
    text = r.text(body, "owned_by", what)
    if text is None or text.lower() == "none":
        return None
    table, dot, column = text.rpartition(".")
    if not dot or not table or not column or "." in table:
        r.error(r.pos(body, "owned_by"), f"'owned_by' of {what} is table.column (a table of the sequence's "
                                         f"own schema, as PostgreSQL requires) or none, not '{text}'")
        return None
    return text


def owner_problems(drafts: dict[str, SequenceDraft], tables: dict[str, TableDraft],
                   errors: list[DefinitionError]) -> None:
    """Each `owned_by` names a column of a table in the sequence's schema."""
    for key, d in drafts.items():
        seq = d.sequence
        if seq.owned_by is None or d.owned_by_pos is None:
            continue
        r = Reader(d.path, errors)
        table_name, column = seq.owned_by.rsplit(".", 1)
        table = tables.get(f"{seq.schema}.{table_name}")
        if table is None:
            same_schema = [t.name for t in tables.values() if t.schema == seq.schema]
            r.error(d.owned_by_pos, f"sequence {key} is owned by {seq.owned_by}, but schema {seq.schema} has no "
                                    f"table {table_name}{did_you_mean(table_name, same_schema)} (a sequence "
                                    f"can only be owned by a table of its own schema)")
            continue
        names = [c.name for c in table.columns]
        if column not in names:
            r.error(d.owned_by_pos, f"sequence {key} is owned by {seq.owned_by}, but table {table.name} has no "
                                    f"column {column}{did_you_mean(column, names)}")
            continue
        col = next(c for c in table.columns if c.name == column)
        if col.default is not None and col.type in SEQUENCE_TYPES and key in (
                qualified_call(n) for n in sequences_called(col.default.text)):
            r.error(d.owned_by_pos, f"sequence {key} is owned by {seq.owned_by}, whose default is its nextval: "
                                    f"that is a serial column; write the column's type as serial (its options "
                                    f"under 'sequence:') or leave 'owned_by' out")


def name_problems(drafts: dict[str, SequenceDraft], tables: dict[str, TableDraft],
                  errors: list[DefinitionError]) -> None:
    """A sequence is a relation: its name is not a table's, an index's or key's, nor an identity or
    serial column's own sequence's (`<table>_<column>_seq`) in its schema."""
    taken: dict[str, str] = {}
    for t in tables.values():
        taken[f"{t.schema}.{t.name}"] = f"table {t.name}"
        named: list[tuple[str, str]] = [("primary key", t.primary_key.name)] if t.primary_key else []
        named += [("unique", u.name) for u in t.uniques] + [("index", i.name) for i in t.indexes]
        named += [("exclusion", x.name) for x in t.exclusions]
        for kind, name in named:
            taken.setdefault(f"{t.schema}.{name}", f"{kind} {name} of {t.name}")
        for c in t.columns:
            if c.identity or c.serial:
                taken.setdefault(f"{t.schema}.{default_name(t.name, [c.name], 'seq')}",
                                 f"the sequence of column {t.name}.{c.name}")
    for key, d in drafts.items():
        if key in taken:
            errors.append(DefinitionError(d.path, d.pos[0], d.pos[1], f"sequence {key} has the name of {taken[key]}: "
                                                                      f"relations share one namespace per schema"))


def qualified_call(name: str) -> str:
    """schema.name of the sequence a call names (public when the text names no schema)."""
    return name if "." in name else f"public.{name}"


def call_problems(calls: list[SequenceCall], declared: set[str], tables: dict[str, TableDraft],
                  errors: list[DefinitionError]) -> None:
    """Each sequence a default calls is declared, or is the sequence of an identity or serial column."""
    own = {f"{t.schema}.{default_name(t.name, [c.name], 'seq')}" for t in tables.values() for c in t.columns
           if c.identity or c.serial}
    for call in calls:
        if call.name in declared or call.name in own:
            continue
        short = call.name.removeprefix("public.")
        choices = [k.removeprefix("public.") for k in declared]
        # a migration looks for an unqualified name in public only (its search_path), not in the
        # schema of the table whose default calls it
        elsewhere = sorted(k for k in declared | own if k.endswith(f".{short}")) if short != call.name else []
        hint = (f" in public, where a migration looks for an unqualified name; write '{elsewhere[0]}'" if elsewhere
                else did_you_mean(short, choices) or "; declare it with a 'sequence:' document")
        errors.append(DefinitionError(call.path, call.pos[0], call.pos[1],
                                      f"'default' of {call.what} calls sequence {short}, which is not declared"
                                      f"{hint}"))
