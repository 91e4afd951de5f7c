"""Documents -> Schema: every key read and validated, every problem collected with its position."""
from __future__ import annotations

import re

from ..errors import DefinitionError, DefinitionErrors, did_you_mean
from ..model.domains import Domain, base_type
from ..model.expression_tokens import TokenExpression
from ..model.expressions import VALUE_KEYWORDS, ExpressionProblem, make_expression, parse_expression
from ..model.names import identifier_problem
from ..model.policy_reads import with_policy_reads
from ..model.schema import (
    Column,
    Enum,
    Expression,
    Extension,
    Schema,
)
from ..model.sequence_calls import sequences_called
from ..model.types import (
    EXTENSION_TYPES,
    KNOWN_TYPE_NAMES,
    SERIAL_TYPES,
    TypeProblem,
    canonical_type,
    enum_type_spelling,
    extension_type_names,
    public_type_names,
)
from . import resolve
from .acknowledgements import ALLOW, Acknowledged, acknowledged, check_allow
from .build_constraints import (
    add_check,
    add_unique,
    checks,
    column_reference,
    foreign_keys,
    indexes,
    primary_key,
    uniques,
)
from .build_domains import domain_spellings, read_domains
from .build_exclusions import exclusions
from .build_partitions import partition_names_unique, partitioning
from .build_routines import RoutineReader
from .build_security import grants, namespaces, policies, row_security
from .build_sequences import identity_kind, sequence_options
from .build_standalone_sequences import (
    SequenceCall,
    call_problems,
    name_problems,
    owner_problems,
    qualified_call,
    read_sequences,
)
from .build_triggers import read_triggers
from .build_views import build_views
from .build_warehouse import bigquery_names_unique, warehouse
from .called_functions import CallerKey, Place
from .called_functions import call_places as find_call_places
from .drafts import TableContext, TableDraft
from .load import Document, Mapping, Pos, YamlTimestamp
from .reader import Reader
from .rules import check_rules
from .sources import SourceMap

TABLE_KEYS = frozenset({"table", "schema", "comment", "renamed_from", "columns", "primary_key",
                        "unique", "indexes", "foreign_keys", "checks", "exclusions", "warehouse", ALLOW,
                        "partition_by", "partitions", "rls", "policies", "grants"})
COLUMN_KEYS = frozenset({"name", "type", "nullable", "primary_key", "unique", "default", "references",
                         "on_delete", "on_update", "check", "comment", "renamed_from", "identity",
                         "generated", "deferrable", "initially_deferred", "match", "collation", "sequence", ALLOW,
                         "online"})
ENUM_KEYS = frozenset({"enum", "schema", "values", "comment", ALLOW})
EXTENSION_KEYS = frozenset({"extension", "schema"})
KINDS = ("table", "enum", "extension", "function", "procedure", "trigger", "view", "materialized_view", "sequence",
         "domain", "schema")
IDENTITY_TYPES = ("smallint", "integer", "bigint")
COLLATABLE_TYPES = ("text", "character varying", "character", "bpchar", "citext", "name")
REFERENCE_OPTIONS_IN_ORDER = ("on_delete", "on_update", "deferrable", "initially_deferred", "match")
REFERENCE_OPTIONS = frozenset(REFERENCE_OPTIONS_IN_ORDER)


def build_schema(docs: list[Document], errors: list[DefinitionError] | None = None) -> Schema:
    """Build the Schema the documents describe; raise DefinitionErrors listing every problem."""
    return build_schema_and_acknowledged(docs, errors)[0]


def build_schema_and_acknowledged(docs: list[Document], errors: list[DefinitionError] | None = None,
                                  call_places: dict[CallerKey, Place] | None = None) -> tuple[Schema, Acknowledged]:
    """The Schema, and the hazards its `allow:` keys accept (beside it: they are not part of it).
    `call_places`, when given, is filled with where tables and domains call the definitions' functions."""
    errors = errors if errors is not None else []
    check_allow(docs, errors)
    by_kind: dict[str, list[Document]] = {k: [] for k in KINDS}
    for doc in docs:
        kind = _kind(doc, Reader(doc.path, errors))
        if kind:
            by_kind[kind].append(doc)
    extensions = _extensions(by_kind["extension"], errors)
    enums = _enums(by_kind["enum"], errors)
    user_types: dict[str, str] = {}
    for e in enums.values():
        user_types |= public_type_names(e.schema, e.name)  # `money` stays pg_catalog's: public.money names it
    user_types |= extension_type_names(extensions.values())
    user_types |= domain_spellings(by_kind["domain"])
    other_types = {k: f"enum {k}" for k in enums} | {
        f"{d.body.get('schema') or 'public'}.{d.body['table']}": f"table {d.body.get('schema') or 'public'}."
                                                                 f"{d.body['table']}"
        for d in by_kind["table"] if isinstance(d.body.get("table"), str)}
    calls: list[SequenceCall] = []
    enum_types = {enum_type_spelling(e.schema, e.name): e.values for e in enums.values()}
    domains = read_domains(by_kind["domain"], errors, user_types, other_types, enum_types, calls)
    sequences = read_sequences(by_kind["sequence"], errors)
    drafts: dict[str, TableDraft] = {}
    for doc in by_kind["table"]:
        builder = _TableBuilder(doc, errors, user_types, extensions, enum_types, domains, calls)
        draft = builder.build()
        if draft is None:
            continue
        if draft.key in drafts:
            first = drafts[draft.key]
            Reader(doc.path, errors).error(draft.pos, f"table {draft.key} is defined twice "
                                                      f"(first in {first.path}:{first.pos[0]})")
            continue
        drafts[draft.key] = draft
    owner_problems(sequences, drafts, errors)
    name_problems(sequences, drafts, errors)
    call_problems(calls, set(sequences), drafts, errors)
    bigquery_names_unique(drafts, errors)
    tables = resolve.resolve_tables(drafts, enums, errors)
    partition_names_unique(drafts, errors)
    # a routine's argument or result may also be a table's row type (RETURNS SETOF users)
    row_types = {f"{t.schema}.{t.name}": enum_type_spelling(t.schema, t.name) for t in tables.values()}
    row_types |= {t.name: enum_type_spelling(t.schema, t.name) for t in tables.values() if t.schema == "public"}
    routines = RoutineReader(errors, row_types | user_types).read_all(
        [(kind, doc) for kind in ("function", "procedure") for doc in by_kind[kind]])
    views = build_views(by_kind["view"], by_kind["materialized_view"], tables, errors,
                        lambda doc: _TableBuilder(doc, errors, user_types, extensions))
    schema = Schema(tables=with_policy_reads(dict(sorted(tables.items())), views), enums=dict(sorted(enums.items())),
                    extensions=dict(sorted(extensions.items())), routines=routines,
                    triggers=read_triggers(by_kind["trigger"], errors, tables, routines, views),
                    views=views,
                    namespaces=namespaces(by_kind["schema"], errors),
                    sequences={k: d.sequence for k, d in sorted(sequences.items())},
                    domains=dict(sorted(domains.items())))
    sources = SourceMap(docs, drafts)
    errors.extend(check_rules(schema, sources))  # what PostgreSQL would refuse
    if call_places is not None:
        call_places.update(find_call_places(schema, sources, by_kind["domain"]))
    if errors:
        raise DefinitionErrors(errors)
    return schema, acknowledged(docs, schema, sources)


# keys of a kind that name another kind: a trigger is on a `table:` or a `view:` and runs a `function:`
_KIND_KEYS_OF = {"trigger": frozenset({"table", "view", "function"})}


def _kind(doc: Document, r: Reader) -> str | None:
    present = [k for k in KINDS if k in doc.body and k != "schema"]
    first = next(iter(doc.body), None)
    if first in _KIND_KEYS_OF:
        present = [first, *(k for k in present if k != first and k not in _KIND_KEYS_OF[first])]
    if not present and first == "schema":  # a kind only as the first key: every other kind takes `schema:` too
        present = ["schema"]
    if len(present) > 1:
        r.error(doc.body.key_pos[present[1]], f"a document holds one definition: '{present[0]}' "
                                               f"and '{present[1]}' cannot be together")
        return None
    if not present:
        first = next(iter(doc.body), None)
        if first is None:
            r.error(doc.body.pos, "empty definition")
        else:
            starts = ", ".join(f"'{k}:'" for k in KINDS[:-1]) + f" or '{KINDS[-1]}:'"
            r.error(doc.body.key_pos[first], f"a definition starts with {starts}, not '{first}:'"
                                             f"{did_you_mean(first, KINDS)}")
        return None
    return present[0]


def _extensions(docs: list[Document], errors: list[DefinitionError]) -> dict[str, Extension]:
    out: dict[str, Extension] = {}
    for doc in docs:
        r = Reader(doc.path, errors)
        r.keys(doc.body, EXTENSION_KEYS, "an extension")
        name = r.name(doc.body, "extension", "an extension", required=True)
        if name is None:
            continue
        if name in out:
            r.error(doc.body.value_pos["extension"], f"extension {name} is declared twice")
        out[name] = Extension(name, r.name(doc.body, "schema", "an extension") or "public")
    return out


def _enums(docs: list[Document], errors: list[DefinitionError]) -> dict[str, Enum]:
    out: dict[str, Enum] = {}
    for doc in docs:
        r, body = Reader(doc.path, errors), doc.body
        r.keys(body, ENUM_KEYS, "an enum")
        name = r.name(body, "enum", "an enum", required=True)
        schema = r.name(body, "schema", "an enum") or "public"
        values = r.sequence(body, "values", f"enum {name}", required=True)
        comment = r.text(body, "comment", f"enum {name}") or None  # '' is no comment to PostgreSQL
        if name is None or values is None:
            continue
        labels: list[str] = []
        for i, v in enumerate(values):
            vpos = values.item_pos[i]
            if not isinstance(v, str):
                r.error(vpos, f"enum values must be strings; quote {str(v).lower()!r}")
            elif v in labels:
                r.error(vpos, f"enum value '{v}' appears twice in {name}")
            elif len(v.encode()) > 63 or v == "":
                r.error(vpos, f"enum value '{v}' must be 1 to 63 bytes long")
            elif not v.isprintable():
                r.error(vpos, f"enum value {v!r} must not contain line breaks or control characters")
            else:
                labels.append(v)
        if not values:
            r.error(body.value_pos["values"], f"enum {name} needs at least one value")
        key = f"{schema}.{name}"
        if key in out:
            r.error(body.value_pos["enum"], f"enum {key} is declared twice")
        out[key] = Enum(schema, name, tuple(labels), comment)
    return out


class _TableBuilder:
    """Reads one table document into a TableDraft: its columns here, its keys, indexes and exclusions
    by the functions of build_constraints and build_exclusions, given a TableContext."""

    def __init__(self, doc: Document, errors: list[DefinitionError], user_types: dict[str, str],
                 extensions: dict[str, Extension], enum_types: dict[str, tuple[str, ...]] | None = None,
                 domains: dict[str, Domain] | None = None, calls: list[SequenceCall] | None = None) -> None:
        self.doc, self.r, self.user_types, self.extensions = doc, Reader(doc.path, errors), user_types, extensions
        self.enum_types = enum_types or {}  # each enum's labels by how a column's type names it, for the warehouse
        # domains by their spelling: a column of one is of its base type to collations and the warehouse
        self.domains = {enum_type_spelling(d.schema, d.name): d for d in (domains or {}).values()}
        self.calls = calls if calls is not None else []  # sequences the defaults call, checked once all are read
        self.all_columns: set[str] = set()

    def build(self) -> TableDraft | None:
        r, body = self.r, self.doc.body
        r.keys(body, TABLE_KEYS, "a table")
        name = r.name(body, "table", "a table", required=True)
        schema = r.name(body, "schema", "a table") or "public"
        if name is None:
            return None
        t = TableDraft(schema, name, self.doc.path, body.value_pos["table"])
        t.comment = r.text(body, "comment", f"table {name}") or None  # '' is no comment to PostgreSQL
        t.renamed_from = r.name(body, "renamed_from", f"table {name}")
        cols = r.mappings(body, "columns", f"table {name}")
        if body.get("columns") is None:  # PostgreSQL allows a table without columns, if it is said: []
            r.error(body.value_pos.get("columns", body.pos), f"table {name} needs 'columns' "
                                                             f"(write 'columns: []' for a table without columns)")
        # every column name first, so a check may use a column listed after it
        self.all_columns = {str(m.raw.get("name", m.get("name"))) for m, _ in cols if m.get("name") is not None}
        cx = TableContext(r, self.doc, self.all_columns, self.expression, self.expression_text)
        pk_columns: list[str] = []
        for m, pos in cols:
            self.column(cx, t, m, pos, pk_columns)
        primary_key(cx, t, body, pk_columns)
        uniques(cx, t, body)
        checks(cx, t, body)
        indexes(cx, t, body)
        foreign_keys(cx, t, body)
        exclusions(cx, t, body)
        if "partition_by" in body or "partitions" in body:
            partitioning(cx, t, body)
        if "warehouse" in body:
            t.warehouse = warehouse(r, body, t, self.enum_types, self.domains)
        if "rls" in body:
            row_security(r, body, t)
        if "policies" in body:
            policies(cx, t, body)
        if "grants" in body:
            t.grants = grants(r, body, "table", f"table {name}", self.all_columns)
        return t

    # -- columns
    def column(self, cx: TableContext, t: TableDraft, m: Mapping, pos: Pos, pk_columns: list[str]) -> None:
        r = self.r
        self.split_type(m)
        r.keys(m, COLUMN_KEYS, "a column")
        name = r.name(m, "name", "a column", required=True)
        type_text = m.get("type")
        if type_text is not None and not isinstance(type_text, str):
            type_text = m.raw.get("type", str(type_text))
            m["type"] = type_text
        type_text = r.text(m, "type", f"column {name}", required=True)
        if name is None:
            return
        if name in t.column_pos:
            r.error(m.value_pos["name"], f"column {name} appears twice in {t.name} "
                                         f"(first at line {t.column_pos[name][0]})")
            return
        t.column_pos[name] = m.value_pos["name"]
        ctype = self.type(type_text, r.pos(m, "type")) if type_text is not None else None
        what = f"column {t.name}.{name}"
        # most columns write two or three keys: a key not written is not read (its reader would
        # find nothing and say nothing)
        nullable = r.flag(m, "nullable", what) if "nullable" in m else None
        is_pk = r.flag(m, "primary_key", what) if "primary_key" in m else None
        identity = identity_kind(r, m, what) if "identity" in m else None
        default = self.default(m, ctype, what) if "default" in m else None
        generated = self.expression(m, "generated", what, t, own_column=name) if "generated" in m else None
        comment = (r.text(m, "comment", what) or None) if "comment" in m else None  # '' is no comment
        renamed_from = r.name(m, "renamed_from", what) if "renamed_from" in m else None
        collation = self.collation(m, ctype, what) if "collation" in m else None
        online = bool(r.flag(m, "online", what)) if "online" in m else False
        if ctype is None:
            return
        if identity and ctype not in IDENTITY_TYPES:
            r.error(r.pos(m, "identity"), f"an identity column must be smallint, integer or bigint, "
                                          f"not {ctype}")
        for a, b in (("identity", "default"), ("identity", "generated"), ("generated", "default")):
            if m.get(a) is not None and m.get(b) is not None:
                r.error(m.key_pos[b], f"{what} cannot have both '{a}' and '{b}'")
        if ctype in SERIAL_TYPES and (m.get("default") is not None or identity or generated):
            r.error(r.pos(m, "type"), f"{what} is {ctype}, which brings its own default")
        if nullable is True and (identity or ctype in SERIAL_TYPES):
            # PostgreSQL: conflicting NULL/NOT NULL declarations
            r.error(r.pos(m, "nullable"), f"{what} is {'an identity' if identity else 'a ' + ctype} "
                                          f"column, which is always NOT NULL; remove 'nullable: true'")
        if is_pk:
            if nullable is True:
                r.error(r.pos(m, "nullable"), f"{what} is a primary key, so it cannot be nullable")
            pk_columns.append(name)
        serial = ctype in SERIAL_TYPES
        not_null = bool(is_pk or identity or serial or nullable is False)
        sequence = sequence_options(r, m, ctype, identity, what) if serial or identity or "sequence" in m else ()
        t.columns.append(Column(name, SERIAL_TYPES.get(ctype, ctype), not not_null, default, identity, generated,
                                comment, renamed_from, collation, sequence, serial=serial,
                                online=online))
        if "unique" in m and r.flag(m, "unique", what):
            add_unique(t, None, [name], r.pos(m, "unique"))
        if m.get("check") is not None:
            check = self.expression(m, "check", what, t)
            if check is not None:
                add_check(t, None, check, r.pos(m, "check"), online=online)
        if m.get("references") is not None:
            column_reference(cx, t, m, name, what, online)
        elif not REFERENCE_OPTIONS.isdisjoint(m):
            key = next((k for k in REFERENCE_OPTIONS_IN_ORDER if m.get(k) is not None), None)
            if key is not None:
                r.error(m.key_pos[key], f"'{key}' needs 'references' on {what}")

    def collation(self, m: Mapping, ctype: str | None, what: str) -> str | None:
        """`collation: "C"` on a column of a collatable type (text, varchar, char, citext, arrays of them)."""
        r = self.r
        name = r.text(m, "collation", what)
        if name is None:
            return None
        parts = name.split(".")
        problem = next((p for p in map(identifier_problem, parts) if p), None) if len(parts) <= 2 else (
            f"collation '{name}' must be a name or schema.name")
        if problem:
            r.error(r.pos(m, "collation"), problem)
            return None
        base = base_type(ctype or "", self.domains).removesuffix("[]").split("(")[0]
        if ctype is not None and base not in COLLATABLE_TYPES:
            r.error(r.pos(m, "collation"), f"{what} is {ctype}, which has no collation; "
                                           f"only text types ({', '.join(COLLATABLE_TYPES)}) do")
            return None
        return name

    def split_type(self, m: Mapping) -> None:
        """`{type: numeric(10,2)}`: YAML's flow style ends a plain value at a comma, leaving
        `numeric(10` and a key `2)`; say to quote the type rather than report both halves."""
        text = m.get("type")
        if not isinstance(text, str) or text.count("(") <= text.count(")"):
            return
        rest = [k for k, v in m.items() if v is None and k.endswith(")")]
        if not rest:
            return
        for k in rest:
            del m[k]
        whole = ",".join([text, *rest])
        self.r.error(self.r.pos(m, "type"), f"type '{whole}' was cut at its comma: inside {{...}} YAML "
                                            f"reads a comma as the end of a value; quote it: type: '{whole}'")
        del m["type"]
        m["type"] = "text"  # read on as some type, so the one error is the one reported

    def type(self, text: str, pos: Pos) -> str | None:
        try:
            ctype = canonical_type(text, self.user_types)
        except TypeProblem as e:
            self.r.error(pos, str(e))
            return None
        except KeyError:
            schema, _, name = text.lower().rstrip("[] ").partition(".")
            extension = self.extensions.get(EXTENSION_TYPES.get(name, ""))
            if extension is not None and extension.schema != schema:
                self.r.error(pos, f"type {name} of extension {extension.name} is in schema {extension.schema}, "
                                  f"not {schema}: write '{name}' or '{extension.schema}.{name}'")
                return None
            choices = KNOWN_TYPE_NAMES + sorted(self.user_types)
            hint = did_you_mean(text.lower().rstrip('[]'), choices) or (
                ": not a PostgreSQL type, and no enum of that name is declared")
            self.r.error(pos, f"unknown type '{text}'{hint}")
            return None
        base = ctype.split("(")[0].removesuffix("[]")
        needs = EXTENSION_TYPES.get(base)
        if needs and needs not in self.extensions and base not in self.user_types:
            self.r.error(pos, f"type {base} comes from extension {needs}; declare it with "
                              f"'extension: {needs}'")
            return None
        return ctype

    def default(self, m: Mapping, ctype: str | None, what: str) -> Expression | None:
        value = m.get("default")
        if value is None:
            return None
        pos = self.r.pos(m, "default")
        if isinstance(value, YamlTimestamp):
            self.r.error(pos, f"'default' of {what} is the YAML date {value}, which SQL would read as "
                              f"arithmetic; write a date as a string: \"'{value}'\"")
            return None
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            # as written when decimal (0755 is 755 to SQL); else the value, since PostgreSQL 15 reads no 0x
            raw = m.raw.get("default", "")
            text = raw if re.fullmatch(r"[-+]?\d+", raw) else str(value)
        elif isinstance(value, float):
            raw = m.raw.get("default", "")
            if value != value or value in (float("inf"), float("-inf")):
                self.r.error(pos, f"'default' of {what} must be a finite number; write "
                                  f"\"'Infinity'::float8\" for infinity")
                return None
            text = raw if re.fullmatch(r"-?\d+(\.\d*)?([eE][-+]?\d+)?", raw) else repr(value)
        elif isinstance(value, str):
            text = value
        else:
            self.r.error(pos, f"'default' of {what} must be a SQL expression, not a list or mapping")
            return None
        try:
            expression = make_expression(text, ctype, self.user_types)
        except ExpressionProblem as e:
            self.r.error(pos, f"'default' of {what}: {e}")
            return None
        columns = [c for c in expression.columns if c not in VALUE_KEYWORDS]
        if columns:
            if parse_expression(text).key == "column":  # the tree read above, kept by its cache
                self.r.error(pos, f"'default' of {what} is the bare word {text}; a default is a SQL "
                                  f"expression, so write a string as \"'{text}'\"")
            else:
                self.r.error(pos, f"'default' of {what} refers to column {columns[0]}; "
                                  f"a default cannot use columns")
            return None
        self.calls += [SequenceCall(self.r.path, pos, qualified_call(name), what) for name in sequences_called(text)]
        return expression

    def expression(self, m: Mapping, key: str, what: str, t: TableDraft,
                   own_column: str | None = None) -> Expression | None:
        """A SQL expression under `key`, its columns checked against the table read so far."""
        value = m.get(key)
        if value is None:
            return None
        pos = self.r.pos(m, key)
        if isinstance(value, bool | int | float):
            value = m.raw.get(key, str(value))
        if not isinstance(value, str):
            self.r.error(pos, f"'{key}' of {what} must be a SQL expression")
            return None
        return self.expression_text(value, pos, key, what, t, own_column)

    def expression_text(self, value: str, pos: Pos, key: str, what: str, t: TableDraft,
                        own_column: str | None = None) -> Expression | None:
        """A SQL expression's text checked: one expression, columns of this table only."""
        try:
            expression = make_expression(value, user_types=self.user_types)  # `x::extensions.citext` is `x::citext`
        except ExpressionProblem as e:
            self.r.error(pos, f"'{key}' of {what}: {e}")
            return None
        columns = expression.columns
        if isinstance(parse_expression(value), TokenExpression):  # the tree read above, kept by its cache
            columns = ()  # read from its tokens only: PostgreSQL judges its names (verify, apply)
        for c in columns:
            if key == "generated" and c == own_column:
                self.r.error(pos, f"generated column {c} cannot refer to itself")
                return None
            if c not in self.all_columns:
                self.r.error(pos, f"'{key}' refers to {c}, which is not a column of {t.name}"
                                  f"{did_you_mean(c, self.all_columns)}")
                return None
        return expression

