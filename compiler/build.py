"""Documents -> Schema: every key read and validated, every problem collected with its position."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from . import resolve
from .errors import DefinitionError, DefinitionErrors, did_you_mean
from .load import Document, Mapping, Pos, Sequence, YamlTimestamp
from .model import (
    Check,
    Column,
    Enum,
    Expr,
    Extension,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Unique,
)
from .names import default_name, identifier_problem
from .reader import Reader
from .types import (
    EXTENSION_TYPES,
    KNOWN_TYPE_NAMES,
    SERIAL_TYPES,
    VALUE_KEYWORDS,
    ExpressionProblem,
    TypeProblem,
    canonical_type,
    enum_type_spelling,
    make_expr,
    parse_expression,
    referenced_columns,
)

TABLE_KEYS = frozenset({"table", "schema", "comment", "renamed_from", "columns", "primary_key",
                        "unique", "indexes", "foreign_keys", "checks"})
COLUMN_KEYS = frozenset({"name", "type", "nullable", "primary_key", "unique", "default", "references",
                         "on_delete", "on_update", "check", "comment", "renamed_from", "identity",
                         "generated"})
INDEX_KEYS = frozenset({"name", "columns", "expression", "unique", "using", "where"})
FOREIGN_KEY_KEYS = frozenset({"name", "columns", "references", "on_delete", "on_update"})
REFERENCE_KEYS = frozenset({"table", "schema", "columns"})
CHECK_KEYS = frozenset({"name", "expression"})
UNIQUE_KEYS = frozenset({"name", "columns"})
ENUM_KEYS = frozenset({"enum", "schema", "values"})
EXTENSION_KEYS = frozenset({"extension"})
KINDS = ("table", "enum", "extension")
ACTIONS = ("no action", "restrict", "cascade", "set null", "set default")
INDEX_METHODS = ("btree", "hash", "gist", "gin", "brin", "spgist")
IDENTITY_KINDS = ("always", "by default")
IDENTITY_TYPES = ("smallint", "integer", "bigint")


@dataclass
class PendingForeignKey:
    """A foreign key as written, resolved against all tables once every table is read."""

    name: str | None
    columns: list[str]
    ref_schema: str
    ref_table: str
    ref_columns: list[str] | None  # None: the referenced table's primary key
    on_delete: str
    on_update: str
    pos: Pos
    path: str


@dataclass
class TableDraft:
    schema: str
    name: str
    path: str
    pos: Pos
    columns: list[Column] = field(default_factory=list)
    column_pos: dict[str, Pos] = field(default_factory=dict)
    primary_key: PrimaryKey | None = None
    uniques: list[Unique] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[PendingForeignKey] = field(default_factory=list)
    object_pos: dict[str, list[Pos]] = field(default_factory=dict)  # constraint/index name -> positions
    comment: str | None = None
    renamed_from: str | None = None

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def place(self, name: str, pos: Pos) -> None:
        """Record where a constraint or index called `name` is written."""
        self.object_pos.setdefault(name, []).append(pos)

    def position_of(self, name: str, nth: int = 0) -> Pos:
        """Where the `nth` (0-based, in source order) object called `name` is written."""
        places = sorted(self.object_pos.get(name, []))
        return places[nth] if nth < len(places) else places[-1] if places else self.pos


def build_schema(docs: list[Document], errors: list[DefinitionError] | None = None) -> Schema:
    """Build the Schema the documents describe; raise DefinitionErrors listing every problem."""
    errors = errors if errors is not None else []
    by_kind: dict[str, list[Document]] = {k: [] for k in KINDS}
    for doc in docs:
        kind = _kind(doc, Reader(doc.path, errors))
        if kind:
            by_kind[kind].append(doc)
    extensions = _extensions(by_kind["extension"], errors)
    enums = _enums(by_kind["enum"], errors)
    user_types = {}
    for e in enums.values():
        spelling = enum_type_spelling(e.schema, e.name)
        user_types[f"{e.schema}.{e.name}"] = spelling
        if e.schema == "public":
            user_types[e.name] = spelling
    drafts: dict[str, TableDraft] = {}
    for doc in by_kind["table"]:
        draft = _TableBuilder(doc, errors, user_types, extensions).build()
        if draft is None:
            continue
        if draft.key in drafts:
            first = drafts[draft.key]
            Reader(doc.path, errors).error(draft.pos, f"table {draft.key} is defined twice "
                                                      f"(first in {first.path}:{first.pos[0]})")
            continue
        drafts[draft.key] = draft
    tables = resolve.resolve_tables(drafts, enums, errors)
    if errors:
        raise DefinitionErrors(errors)
    return Schema(tables=dict(sorted(tables.items())), enums=dict(sorted(enums.items())),
                  extensions=dict(sorted(extensions.items())))


def _kind(doc: Document, r: Reader) -> str | None:
    present = [k for k in KINDS if k in doc.body]
    if len(present) > 1:
        r.error(doc.body.key_pos[present[1]], f"a document holds one definition: '{present[0]}' "
                                               f"and '{present[1]}' cannot be together")
        return None
    if not present:
        first = next(iter(doc.body), None)
        if first is None:
            r.error(doc.body.pos, "empty definition")
        else:
            r.error(doc.body.key_pos[first], f"a definition starts with 'table:', 'enum:' or "
                                             f"'extension:', not '{first}:'{did_you_mean(first, KINDS)}")
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
        out[name] = Extension(name)
    return out


def _enums(docs: list[Document], errors: list[DefinitionError]) -> dict[str, Enum]:
    out: dict[str, Enum] = {}
    for doc in docs:
        r, body = Reader(doc.path, errors), doc.body
        r.keys(body, ENUM_KEYS, "an enum")
        name = r.name(body, "enum", "an enum", required=True)
        schema = r.name(body, "schema", "an enum") or "public"
        values = r.get(body, "values", list, f"enum {name}", required=True)
        if name is None or values is None:
            continue
        labels: list[str] = []
        for i, v in enumerate(values):  # type: ignore[arg-type]
            vpos = values.item_pos[i]  # type: ignore[attr-defined]
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
        out[key] = Enum(schema, name, tuple(labels))
    return out


class _TableBuilder:
    """Reads one table document into a TableDraft."""

    def __init__(self, doc: Document, errors: list[DefinitionError], user_types: dict[str, str],
                 extensions: dict[str, Extension]) -> None:
        self.doc, self.r, self.user_types, self.extensions = doc, Reader(doc.path, errors), user_types, extensions

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
        if "columns" not in body or (not cols and isinstance(body.get("columns"), list)):
            r.error(body.value_pos.get("columns", body.pos), f"table {name} needs at least one column")
        # every column name first, so a check may use a column listed after it
        self.all_columns = {str(m.raw.get("name", m.get("name"))) for m, _ in cols if m.get("name") is not None}
        pk_columns: list[str] = []
        for m, pos in cols:
            self.column(t, m, pos, pk_columns)
        self.primary_key(t, body, pk_columns)
        self.uniques(t, body)
        self.checks(t, body)
        self.indexes(t, body)
        self.foreign_keys(t, body)
        return t

    # -- columns
    def column(self, t: TableDraft, m: Mapping, pos: Pos, pk_columns: list[str]) -> None:
        r = self.r
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
        nullable = r.flag(m, "nullable", what)
        is_pk = r.flag(m, "primary_key", what)
        identity = r.choice(m, "identity", IDENTITY_KINDS, what)
        default = self.default(m, ctype, what)
        generated = self.expression(m, "generated", what, t, own_column=name)
        comment = r.text(m, "comment", what) or None  # '' is no comment to PostgreSQL
        renamed_from = r.name(m, "renamed_from", what)
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
        if is_pk:
            if nullable is True:
                r.error(r.pos(m, "nullable"), f"{what} is a primary key, so it cannot be nullable")
            pk_columns.append(name)
        not_null = bool(is_pk or identity or ctype in SERIAL_TYPES or nullable is False)
        t.columns.append(Column(name, ctype, not not_null, default, identity, generated, comment,
                                renamed_from))
        if r.flag(m, "unique", what):
            self.add_unique(t, None, [name], r.pos(m, "unique"))
        if m.get("check") is not None:
            check = self.expression(m, "check", what, t)
            if check is not None:
                self.add_check(t, None, check, r.pos(m, "check"))
        if m.get("references") is not None:
            self.column_reference(t, m, name, what)
        elif m.get("on_delete") is not None or m.get("on_update") is not None:
            key = "on_delete" if m.get("on_delete") is not None else "on_update"
            r.error(m.key_pos[key], f"'{key}' needs 'references' on {what}")

    def type(self, text: str, pos: Pos) -> str | None:
        try:
            ctype = canonical_type(text, self.user_types)
        except TypeProblem as e:
            self.r.error(pos, str(e))
            return None
        except KeyError:
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

    def default(self, m: Mapping, ctype: str | None, what: str) -> Expr | None:
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
            tree = parse_expression(text)
            columns = referenced_columns(text)
        except ExpressionProblem as e:
            self.r.error(pos, f"'default' of {what}: {e}")
            return None
        columns = [c for c in columns if c not in VALUE_KEYWORDS]
        if columns:
            if tree.key == "column":
                self.r.error(pos, f"'default' of {what} is the bare word {text}; a default is a SQL "
                                  f"expression, so write a string as \"'{text}'\"")
            else:
                self.r.error(pos, f"'default' of {what} refers to column {columns[0]}; "
                                  f"a default cannot use columns")
            return None
        return make_expr(text, ctype, self.user_types)

    def expression(self, m: Mapping, key: str, what: str, t: TableDraft,
                   own_column: str | None = None) -> Expr | None:
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
                        own_column: str | None = None) -> Expr | None:
        """A SQL expression's text checked: one expression, columns of this table only."""
        try:
            columns = referenced_columns(value)
        except ExpressionProblem as e:
            self.r.error(pos, f"'{key}' of {what}: {e}")
            return None
        for c in columns:
            if key == "generated" and c == own_column:
                self.r.error(pos, f"generated column {c} cannot refer to itself")
                return None
            if c not in self.all_columns:
                self.r.error(pos, f"'{key}' refers to {c}, which is not a column of {t.name}"
                                  f"{did_you_mean(c, self.all_columns)}")
                return None
        return make_expr(value)

    # -- constraints
    def primary_key(self, t: TableDraft, body: Mapping, pk_columns: list[str]) -> None:
        r = self.r
        value = body.get("primary_key")
        name = None
        if value is None:
            if pk_columns:
                t.primary_key = PrimaryKey(default_name(t.name, [], "pkey"), tuple(pk_columns))
                t.place(t.primary_key.name, t.column_pos[pk_columns[0]])
            return
        pos = body.value_pos["primary_key"]
        if pk_columns:
            r.error(body.key_pos["primary_key"], f"table {t.name} has column-level primary_key on "
                                                 f"{', '.join(pk_columns)}; use one form, not both")
            return
        listed = value
        if isinstance(value, Mapping):
            r.keys(value, UNIQUE_KEYS, "a primary key")
            name = r.name(value, "name", "a primary key")
            columns = r.names(value, "columns", "a primary key", required=True)
            listed = value.get("columns")
        else:
            columns = r.names(body, "primary_key", f"table {t.name}")
        if columns is None or not self.known_columns(t, columns, pos, "primary key", listed):
            return
        t.primary_key = PrimaryKey(name or default_name(t.name, [], "pkey"), tuple(columns))
        t.place(t.primary_key.name, pos)
        t.columns = [Column(c.name, c.type, False, c.default, c.identity, c.generated, c.comment,
                            c.renamed_from) if c.name in columns else c for c in t.columns]
        for c in columns:
            m = self._column_mapping(c)
            if m is not None and m.get("nullable") is True:
                r.error(m.value_pos["nullable"], f"column {t.name}.{c} is in the primary key, "
                                                 f"so it cannot be nullable")

    def _column_mapping(self, name: str) -> Mapping | None:
        for m in self.doc.body.get("columns") or []:
            if isinstance(m, Mapping) and m.get("name") == name:
                return m
        return None

    def known_columns(self, t: TableDraft, columns: list[str], pos: Pos, what: str,
                      listed: object = None) -> bool:
        """Report the first of `columns` that the table lacks, at its own item of `listed` if given."""
        for i, c in enumerate(columns):
            if c not in t.column_pos:
                if isinstance(listed, Sequence) and i < len(listed.item_pos):
                    pos = listed.item_pos[i]
                self.r.error(pos, f"{what} column '{c}' is not a column of {t.name}"
                                  f"{did_you_mean(c, t.column_pos)}")
                return False
        return True

    def add_unique(self, t: TableDraft, name: str | None, columns: list[str], pos: Pos) -> None:
        u = Unique(name or default_name(t.name, columns, "key"), tuple(columns))
        t.uniques.append(u)
        t.place(u.name, pos)

    def add_check(self, t: TableDraft, name: str | None, expression: Expr, pos: Pos) -> None:
        if name is None:
            # PostgreSQL names a check after its column when it uses exactly one
            cols = referenced_columns(expression.text)
            name = default_name(t.name, cols if len(cols) == 1 else [], "check")
        t.checks.append(Check(name, expression))
        t.place(name, pos)

    def uniques(self, t: TableDraft, body: Mapping) -> None:
        r = self.r
        items = r.get(body, "unique", list, f"table {t.name}")
        for i, item in enumerate(items or []):  # type: ignore[arg-type]
            pos = items.item_pos[i]  # type: ignore[union-attr]
            name = None
            if isinstance(item, Mapping):
                r.keys(item, UNIQUE_KEYS, "a unique constraint")
                name = r.name(item, "name", "a unique constraint")
                columns = r.names(item, "columns", "a unique constraint", required=True)
            elif isinstance(item, list):
                columns = r.name_list(item, pos, "unique")  # type: ignore[arg-type]
            else:
                r.error(pos, "each item of 'unique' must be a list of columns or {name, columns}")
                continue
            listed = item.get("columns") if isinstance(item, Mapping) else item
            if columns is not None and self.known_columns(t, columns, pos, "unique", listed):
                self.add_unique(t, name, columns, pos)

    def checks(self, t: TableDraft, body: Mapping) -> None:
        for m, pos in self.r.mappings(body, "checks", f"table {t.name}"):
            self.r.keys(m, CHECK_KEYS, "a check")
            name = self.r.name(m, "name", "a check")
            if m.get("expression") is None:
                self.r.error(pos, "a check needs 'expression'")
                continue
            expression = self.expression(m, "expression", f"check of {t.name}", t)
            if expression is not None:
                self.add_check(t, name, expression, self.r.pos(m, "expression"))

    def indexes(self, t: TableDraft, body: Mapping) -> None:
        r = self.r
        for m, pos in r.mappings(body, "indexes", f"table {t.name}"):
            r.keys(m, INDEX_KEYS, "an index")
            name = r.name(m, "name", "an index")
            has_cols, has_expr = m.get("columns") is not None, m.get("expression") is not None
            if has_cols == has_expr:
                r.error(pos, "an index needs either 'columns' or 'expression'")
                continue
            parts: list[IndexPart] = []
            label: list[str] = []
            if has_cols:
                columns = r.names(m, "columns", "an index")
                if columns is None or not self.known_columns(t, columns, r.pos(m, "columns"), "index",
                                                             m.get("columns")):
                    continue
                parts = [IndexPart(column=c) for c in columns]
                label = columns
            elif isinstance(m.get("expression"), list):
                # several parts, each a column or an expression: [a, "lower(email)"]
                parts, label = self.index_parts(t, m["expression"])
                if not parts:
                    continue
            else:
                expression = self.expression(m, "expression", f"index on {t.name}", t)
                if expression is None:
                    continue
                parts = [IndexPart(expression=expression)]
                label = [_index_expression_label(expression.text)]
            unique = bool(r.flag(m, "unique", "an index"))
            using = r.choice(m, "using", INDEX_METHODS, "an index") or "btree"
            where = self.expression(m, "where", f"index on {t.name}", t)
            if m.get("where") is not None and where is None:
                continue
            index = Index(name or default_name(t.name, label, "idx"), tuple(parts), unique, using, where)
            t.indexes.append(index)
            t.place(index.name, r.pos(m, "name") if name else pos)

    def index_parts(self, t: TableDraft, items: list) -> tuple[list[IndexPart], list[str]]:
        parts: list[IndexPart] = []
        label: list[str] = []
        for i, item in enumerate(items):
            pos = items.item_pos[i]  # type: ignore[attr-defined]
            if isinstance(item, str) and item in self.all_columns:
                parts.append(IndexPart(column=item))
                label.append(item)
                continue
            if not isinstance(item, str):
                self.r.error(pos, "each part of an index 'expression' list must be a column or an expression")
                return [], []
            expression = self.expression_text(item, pos, "expression", f"index on {t.name}", t)
            if expression is None:
                return [], []
            parts.append(IndexPart(expression=expression))
            label.append(_index_expression_label(item))
        if not parts:
            self.r.error(items.pos, "an index 'expression' list must not be empty")  # type: ignore[attr-defined]
        return parts, label

    def foreign_keys(self, t: TableDraft, body: Mapping) -> None:
        r = self.r
        for m, pos in r.mappings(body, "foreign_keys", f"table {t.name}"):
            r.keys(m, FOREIGN_KEY_KEYS, "a foreign key")
            name = r.name(m, "name", "a foreign key")
            columns = r.names(m, "columns", "a foreign key", required=True)
            ref = r.get(m, "references", Mapping, "a foreign key", required=True)
            on_delete = r.choice(m, "on_delete", ACTIONS, "a foreign key") or "no action"
            on_update = r.choice(m, "on_update", ACTIONS, "a foreign key") or "no action"
            if columns is None or ref is None:
                continue
            if not self.known_columns(t, columns, pos, "foreign key", m.get("columns")):
                continue
            r.keys(ref, REFERENCE_KEYS, "a foreign key's references")
            table = r.text(ref, "table", "a foreign key's references", required=True)
            schema = r.name(ref, "schema", "a foreign key's references")
            ref_columns = r.names(ref, "columns", "a foreign key's references")
            if table is None:
                continue
            if schema is None and "." in table:
                schema, table = table.split(".", 1)
            t.foreign_keys.append(PendingForeignKey(name, columns, schema or t.schema, table, ref_columns,
                                                    on_delete, on_update, pos, t.path))

    def column_reference(self, t: TableDraft, m: Mapping, name: str, what: str) -> None:
        r = self.r
        target = r.text(m, "references", what)
        on_delete = r.choice(m, "on_delete", ACTIONS, what) or "no action"
        on_update = r.choice(m, "on_update", ACTIONS, what) or "no action"
        if target is None:
            return
        parts = target.split(".")
        pos = r.pos(m, "references")
        if len(parts) not in (2, 3) or any(identifier_problem(p) for p in parts):
            r.error(pos, f"'references' must be table.column or schema.table.column, not '{target}'")
            return
        schema = parts[0] if len(parts) == 3 else t.schema
        t.foreign_keys.append(PendingForeignKey(None, [name], schema, parts[-2], [parts[-1]],
                                                on_delete, on_update, pos, t.path))


# PostgreSQL's grammar names of types, used when a cast names an index column (FigureColname)
_GRAMMAR_TYPE_NAMES = {"integer": "int4", "int": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
                       "real": "float4", "double precision": "float8", "character varying": "varchar",
                       "character": "bpchar", "char": "bpchar", "decimal": "numeric", "dec": "numeric"}
_FUNCTION_HEAD = re.compile(r'\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s*\(')


def _index_expression_label(text: str) -> str:
    """The column part of PostgreSQL's default index name for an expression (FigureIndexColname)."""
    name, _ = _figure_colname(parse_expression(text), text.strip())
    return name or "expr"


def _figure_colname(node: exp.Expression, text: str) -> tuple[str | None, int]:
    """(name, strength) as PostgreSQL's FigureColnameInternal: 2 for columns and calls, 1 for casts."""
    while isinstance(node, exp.Paren):
        node, text = node.this, text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text
    if isinstance(node, exp.Column):
        ident = node.this
        return (ident.name if ident.quoted else ident.name.lower()), 2
    if isinstance(node, exp.Cast):
        inner_text = text.split("::")[0].strip() if "::" in text else text
        name, strength = _figure_colname(node.this, inner_text)
        if strength <= 1:
            type_text = node.to.sql("postgres").lower().split("(")[0].strip().removesuffix("[]")
            return _GRAMMAR_TYPE_NAMES.get(type_text, type_text.split(".")[-1]), 1
        return name, strength
    if isinstance(node, exp.Case):
        return "case", 1
    if isinstance(node, exp.Array):
        return "array", 2
    if isinstance(node, exp.Binary | exp.Unary | exp.Not | exp.Between | exp.In | exp.Is):
        return None, 0
    if isinstance(node, exp.Func) and (m := _FUNCTION_HEAD.match(text)):
        return (m[1].replace('""', '"') if m[1] else m[2].lower()), 2
    if isinstance(node, exp.Func) and not node.args.get("expressions") and not node.args.get("this"):
        return node.sql("postgres").lower().rstrip("()"), 2  # current_date and friends
    return None, 0
