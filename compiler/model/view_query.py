"""What a view's query reads and what it gives: read once with sqlglot (and PostgreSQL's lexer).

- `relations`: the tables and views it reads, as 'schema.name', unqualified names found as the
  search_path the view is created with finds them (its own schema, then public);
- `reads`: (relation, column) pairs it uses, a `*` spelled out; a relation whose columns cannot be
  told apart counts as read whole, so a change under it recreates the view rather than fails;
- `functions`: what it calls, for the kinds that make functions (a callable is a dependency too);
- `columns`: the names PostgreSQL gives its output (FigureColname: a column's name, a function's,
  `case`, `?column?`...), and a type where the query passes a column on as it is.
Pure and cached: a diff asks the same questions of the same text more than once.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.schema import MappingSchema

from .expression_tokens import KEYWORDS, Token, TokenProblem, function_calls, needs_token_reading, tokens
from .schema import Table
from .view import OutputColumn, QueryReading, View

# relation key -> its columns (name, type) in order
Relations = Mapping[str, tuple[tuple[str, str], ...]]


def search_path(schema: str) -> tuple[str, ...]:
    """Where an unqualified name in a view's query is looked for: the view's schema, then public
    (the create_view template sets this search_path around CREATE VIEW)."""
    return (schema,) if schema == "public" else (schema, "public")


def read_query(text: str, schema: str, relations: Relations) -> QueryReading:
    """The reading of a view's query in `schema`, given every relation that exists (tables and views)."""
    return _read(text, schema, tuple(sorted((k, tuple(v)) for k, v in relations.items())))


def read_views(views: Mapping[str, View], tables: Mapping[str, Table]) -> dict[str, View]:
    """`views` (from state.json or a database) with their readings, read in rounds as each one's
    relations exist; a view whose relations never all exist keeps no reading (the diff then
    counts every relation it names as read whole)."""
    relations: dict[str, tuple[tuple[str, str], ...]] = {
        k: tuple((c.name, c.type) for c in t.columns) for k, t in tables.items()}
    out: dict[str, View] = {}
    todo = dict(views)
    while todo:
        ready = {}
        for key, v in todo.items():
            reading = read_query(v.query.text, v.schema, relations)
            if not (reading.missing and any(_named(m, v.schema) in todo for m in reading.missing)):
                ready[key] = reading
        if not ready:
            out |= todo
            break
        for key, reading in ready.items():
            v = todo.pop(key)
            out[key] = replace(v, reading=reading)
            relations[key] = tuple((c.name, c.type or "unknown") for c in v.columns)
    return {k: out[k] for k in views}


def _named(name: str, schema: str) -> str:
    return name if "." in name else f"{schema}.{name}"


def one_select(text: str) -> str | None:
    """Why `text` is not one SELECT (None when it is): a second statement, or another kind of statement."""
    try:
        parsed = [e for e in sqlglot.parse(_body(text), read="postgres") if e is not None]
    except (ParseError, SqlglotError):
        return _one_select_by_tokens(text)
    if len(parsed) != 1:
        return f"a view's query is one SELECT; this text holds {len(parsed)} statements"
    if not isinstance(parsed[0], exp.Query):
        return f"a view's query must be a SELECT, not {parsed[0].key.upper()}"
    return None


def _one_select_by_tokens(text: str) -> str | None:
    """one_select for a text sqlglot cannot read (PostgreSQL judges the rest when it runs it)."""
    try:
        toks = [t for t in tokens(_body(text)) if t.kind != "comment"]
    except TokenProblem as e:
        return f"cannot read the query: {e}"
    depth, statements = 0, 1
    for t in toks:
        depth += (t.value in ("(", "[")) - (t.value in (")", "]"))
        statements += depth == 0 and t.kind == "punct" and t.value == ";"
    if statements > 1:
        return f"a view's query is one SELECT; this text holds {statements} statements"
    first = toks[0].value if toks else ""
    if first not in ("select", "with", "values", "table", "("):
        return f"a view's query must be a SELECT, not {first.upper() or 'nothing'}"
    return None


def _by_tokens(text: str, schema: str, known: Mapping[str, tuple[tuple[str, str], ...]]) -> QueryReading:
    """A reading from the tokens alone, for what sqlglot cannot read or reads otherwise: every relation
    the text names is read whole; the columns are named as the text names them."""
    toks = [t for t in tokens(_body(text)) if t.kind != "comment"]
    found: list[str] = []
    for i, t in enumerate(toks):
        if t.kind not in ("word", "quoted") or (i and toks[i - 1].value == "."):
            continue
        qualified = i + 2 < len(toks) and toks[i + 1].value == "." and toks[i + 2].kind in ("word", "quoted")
        key = _resolve(toks[i + 2].value, t.value, schema, known) if qualified else _resolve(t.value, "", schema, known)
        if key is not None:
            found.append(key)
    names = [n for n in _output_names(text) if n is not None]
    functions = tuple(function_calls(text)[0])
    relations = tuple(dict.fromkeys(found))
    return QueryReading(relations=relations, whole=frozenset(relations), functions=functions,
                        columns=tuple(OutputColumn(n, None, n) for n in names))


def _body(text: str) -> str:
    return text.strip().rstrip(";").strip()


@lru_cache(maxsize=4096)  # a cache: one reading per text and catalog, asked by build and diff alike
def _read(text: str, schema: str, relations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> QueryReading:
    known = dict(relations)
    problem = one_select(text)
    if problem is not None:
        return QueryReading(problem=problem)
    try:
        tree = sqlglot.parse_one(_body(text), read="postgres")
    except (ParseError, SqlglotError):
        return _by_tokens(text, schema, known)
    if needs_token_reading([t for t in tokens(_body(text)) if t.kind != "comment"]):
        return _by_tokens(text, schema, known)  # sqlglot would read it otherwise (IS NFC NORMALIZED, OPERATOR(...))
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    missing: list[str] = []
    found: list[str] = []
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a function in FROM (generate_series(...))
        name, db = _folded(table.this), _folded(table.args.get("db"))
        if not db and name in ctes:
            continue
        key = _resolve(name, db, schema, known)
        if key is None:
            missing.append(f"{db}.{name}" if db else name)
            continue
        found.append(key)
        if not table.alias and table.this.quoted:
            # columns qualified by a quoted table name ("Tbl"."ID", as pg_get_viewdef prints them) refer
            # to it by that name, which qualify would otherwise look up folded
            table.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        table.set("db", exp.to_identifier(key.split(".", 1)[0], quoted=True))
        table.set("this", exp.to_identifier(name, quoted=True))
    functions = tuple(f for f in function_calls(text)[0])
    if missing:
        return QueryReading(missing=tuple(dict.fromkeys(missing)), functions=functions)
    relations_read = tuple(dict.fromkeys(found))
    names = _output_names(text)
    catalog: dict[str, object] = {}
    for key in relations_read:
        s, n = key.split(".", 1)
        tables = catalog.setdefault(s, {})
        assert isinstance(tables, dict)
        tables[n] = {c: "unknown" for c, _ in known[key]}
    try:
        # names as they are: PostgreSQL folds only unquoted names, which sqlglot folds in the query
        names_as_they_are = MappingSchema(catalog, dialect="postgres", normalize=False)
        qualified = qualify(tree, schema=names_as_they_are, dialect="postgres", validate_qualify_columns=True,
                            quote_identifiers=True, identify=True)
    except OptimizeError as e:
        message = str(e).split(". Line")[0]
        if "could not be resolved" in message:
            return QueryReading(unknown_column=message.removeprefix("Column ").split(" could")[0].strip("'"),
                                relations=relations_read, functions=functions)
        return _whole(relations_read, functions, names)
    except SqlglotError:
        return _whole(relations_read, functions, names)
    reads: set[tuple[str, str]] = set()
    for scope in traverse_scope(qualified):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table):
                reads.add((f"{source.db}.{source.name}", column.name))
    outputs = _outputs(qualified, names, known)
    return QueryReading(relations=relations_read, reads=frozenset(reads), functions=functions, columns=outputs)


def _folded(identifier: object) -> str:
    """A name as PostgreSQL reads it: unquoted, lower-cased."""
    if not isinstance(identifier, exp.Identifier):
        return ""
    return identifier.name if identifier.quoted else identifier.name.lower()


def _resolve(name: str, db: str, schema: str, known: Mapping[str, object]) -> str | None:
    if db:
        return f"{db}.{name}" if f"{db}.{name}" in known else None
    return next((f"{s}.{name}" for s in search_path(schema) if f"{s}.{name}" in known), None)


def _whole(relations: tuple[str, ...], functions: tuple[str, ...], names: list[str | None]) -> QueryReading:
    """sqlglot reads the text but cannot resolve it: every column of what it reads counts."""
    columns = tuple(OutputColumn(n, None, n) for n in names if n is not None and n != "*")
    return QueryReading(relations=relations, whole=frozenset(relations), functions=functions, columns=columns)


def _outputs(qualified: exp.Expr, names: list[str | None],
             known: Mapping[str, tuple[tuple[str, str], ...]]) -> tuple[OutputColumn, ...]:
    """The output columns: names as PostgreSQL figures them where the text says (`names`, None
    for a `*`), the rest (a `*` spelled out) as sqlglot qualified them."""
    first: exp.Expr = qualified
    while isinstance(first, exp.SetOperation):
        first = first.left
    if not isinstance(first, exp.Select):
        return ()
    types = {}
    for scope in traverse_scope(first):
        if scope.expression is first:
            for alias, source in scope.sources.items():
                if isinstance(source, exp.Table):
                    types[alias] = dict(known.get(f"{source.db}.{source.name}", ()))
    out = []
    stars = iter(names) if "*" not in names and len(names) == len(first.selects) else None
    for select in first.selects:
        inner = select.unalias()
        column_type = types.get(inner.table, {}).get(inner.name) if isinstance(inner, exp.Column) else None
        column_type = None if column_type == "unknown" else column_type  # a view's column of no known type
        name = next(stars) if stars is not None else None
        if name is None:
            name = select.alias_or_name
        signature = column_type or inner.sql("postgres")
        out.append(OutputColumn(name, column_type, signature))
    return tuple(out)


# -- output names as PostgreSQL gives them (parse_target.c FigureColname), from the tokens

_ENDS_ITEMS = frozenset({"from", "into", "where", "group", "having", "window", "union", "intersect", "except",
                         "order", "limit", "offset", "fetch", "for"})
_NAMED_FORMS = {"case": "case", "array": "array", "row": "row", "exists": "exists", "coalesce": "coalesce",
                "greatest": "greatest", "least": "least", "nullif": "nullif", "grouping": "grouping"}
_VALUE_FUNCTIONS = frozenset({"current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
                              "current_role", "current_user", "user", "session_user", "current_catalog",
                              "current_schema"})
_TYPE_NAMES = {"int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool",
               "real": "float4", "precision": "float8", "float": "float8", "varying": "varchar", "character": "bpchar",
               "char": "bpchar", "decimal": "numeric", "dec": "numeric"}


def _output_names(text: str) -> list[str | None]:
    """Each item of the first SELECT's list: its name, None for a `*`; [] when the list is not found."""
    try:
        toks = [t for t in tokens(_body(text)) if t.kind != "comment"]
    except TokenProblem:
        return []
    i = _main_select(toks)
    if i is None:
        return []
    i += 1
    if i < len(toks) and toks[i].value in ("all", "distinct"):
        distinct = toks[i].value == "distinct"
        i += 1
        if distinct and i < len(toks) and toks[i].value == "on":
            i = _past_brackets(toks, i + 1)
    items: list[list[Token]] = [[]]
    depth = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        elif depth == 0 and t.kind == "word" and t.value in _ENDS_ITEMS:
            break
        if depth == 0 and t.kind == "punct" and t.value == ",":
            items.append([])
        else:
            items[-1].append(t)
        i += 1
    return [_item_name(item) for item in items if item]


def _main_select(toks: list[Token]) -> int | None:
    """Where the top SELECT starts: after a WITH clause's parenthesised queries; skipping brackets around it."""
    depth = 0
    for i, t in enumerate(toks):
        if t.kind == "punct" and t.value == "(":
            depth += 1
        elif t.kind == "punct" and t.value == ")":
            depth -= 1
        elif t.kind == "word" and t.value == "select" and depth == min(depth, _leading_brackets(toks)):
            return i
    return None


def _leading_brackets(toks: list[Token]) -> int:
    n = 0
    while n < len(toks) and toks[n].value == "(":
        n += 1
    return n


def _past_brackets(toks: list[Token], i: int) -> int:
    depth = 0
    while i < len(toks):
        if toks[i].value in ("(", "["):
            depth += 1
        elif toks[i].value in (")", "]"):
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _item_name(item: list[Token]) -> str | None:
    if item[-1].value == "*":
        return None
    if len(item) >= 2 and item[-1].kind in ("word", "quoted"):
        before = item[-2]
        if before.value == "as" and before.kind == "word":
            return item[-1].value
        cast = any(t.kind == "typecast" for t in item)
        alias_like = item[-1].kind == "quoted" or item[-1].value not in KEYWORDS | _RESERVED
        if (alias_like and not cast and before.value not in (".", "::")
                and not (before.kind == "op" or before.value in ("(", ","))):
            return item[-1].value
    return _figure(item)


_RESERVED = frozenset({"end", "null", "true", "false", "and", "or", "not", "is", "in", "like", "between"})


def _figure(item: list[Token]) -> str:
    first = item[0]
    # a cast at the end: the name of what is cast, else of the type
    for j in range(len(item) - 1, 0, -1):
        if item[j].kind == "typecast" and _depth_at(item, j) == 0:
            name = _figure(item[:j])
            if name != "?column?":
                return name
            words = [t.value for t in item[j + 1:] if t.kind in ("word", "quoted")]
            return _TYPE_NAMES.get(words[-1], words[-1]) if words else "?column?"
    if first.kind == "word" and first.value == "cast" and len(item) > 2:
        close = _past_brackets(item, 1)
        inner = item[2:close - 1]
        as_at = max((k for k, t in enumerate(inner) if t.value == "as" and _depth_at(inner, k) == 0), default=None)
        if as_at is not None:
            name = _figure(inner[:as_at])
            if name != "?column?":
                return name
            words = [t.value for t in inner[as_at + 1:] if t.kind in ("word", "quoted")]
            return _TYPE_NAMES.get(words[-1], words[-1]) if words else "?column?"
    if first.kind == "word" and first.value in _NAMED_FORMS:
        return _NAMED_FORMS[first.value]
    if first.kind == "word" and first.value in _VALUE_FUNCTIONS and len(item) == 1:
        return first.value
    # a name: column, table.column, (row).field
    if all(t.kind in ("word", "quoted") or t.value == "." for t in item) and item[-1].kind in ("word", "quoted"):
        return item[-1].value
    # a function call, perhaps with a window, a filter or a subscript after it
    k = 0
    while k + 2 < len(item) and item[k].kind in ("word", "quoted") and item[k + 1].value == ".":
        k += 2
    if item[k].kind in ("word", "quoted") and k + 1 < len(item) and item[k + 1].value == "(":
        end = _past_brackets(item, k + 1)
        rest = [t.value for t in item[end:]]
        if not rest or rest[0] in ("over", "filter", "within", "["):
            return item[k].value
    if first.value == "(" and _past_brackets(item, 0) == len(item):
        inner = item[1:-1]
        if inner and inner[0].value == "select":
            names = _output_names(" ".join(t.text for t in inner))
            return names[0] if names and names[0] else "?column?"
        return _figure(inner) if inner else "?column?"
    if len(item) > 1 and item[-1].value == "]":  # a subscript: the name of what is subscripted
        start = max(k for k, t in enumerate(item) if t.value == "[" and _depth_at(item, k) == 0)
        return _figure(item[:start])
    return "?column?"


def _depth_at(item: list[Token], j: int) -> int:
    depth = 0
    for t in item[:j]:
        if t.value in ("(", "["):
            depth += 1
        elif t.value in (")", "]"):
            depth -= 1
    return depth
