"""Views and materialized views: a stored query, its columns and options.

A view's query is kept as written (DDL emits it) and compared in a normal form of its tokens:
whitespace, comments and the case of keywords and unquoted names make no difference. Read from a
database, the text is pg_get_viewdef's, so two live forms compare as PostgreSQL prints them.
Views and materialized views share one dict of the Schema: they share the namespace of relations
and one dependency graph (a materialized view may read a view and the other way round).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .names import quote_ident
from .schema import Index
from .security import Grants

# the options of WITH (...) a view takes (PostgreSQL 15); check_option is one of them in the catalog
VIEW_OPTIONS = ("check_option", "security_barrier", "security_invoker")
CHECK_OPTIONS = ("local", "cascaded")


def query_normal(text: str) -> tuple[str, ...]:
    """The tokens of a query as they compare: comments and whitespace gone, words lower-cased
    (keywords and unquoted names fold so in PostgreSQL), a quoted name that needs no quotes bare,
    and a trailing ';' dropped. Text the lexer cannot split compares as its words."""
    from .expression_tokens import TokenProblem, tokens  # here: it loads sqlglot, which a diff need not

    try:
        toks = tokens(text)
    except TokenProblem:
        return tuple(text.lower().split())
    out: list[str] = []
    for t in toks:
        if t.kind == "comment":
            continue
        if t.kind == "quoted":
            out.append(quote_ident(t.value))
        elif t.kind in ("word", "string"):
            out.append(t.value if t.kind == "word" else t.text)
        else:
            out.append(t.text)
    while out and out[-1] == ";":
        out.pop()
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Query:
    """A view's SELECT: `text` as written (or as pg_get_viewdef prints it), `normal` what compares."""

    text: str = field(compare=False)
    normal: tuple[str, ...]

    @staticmethod
    def of(text: str) -> Query:
        """The query of `text`, without the blank space and ';' that may end it."""
        text = text.strip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        return Query(text, query_normal(text))

    @property
    def terminated(self) -> str:
        """The text ended by ';', on a line of its own when the last line ends in a comment."""
        last = self.text.rsplit("\n", 1)[-1]
        return self.text + ("\n;" if "--" in last else ";")

    def with_names_renamed(self, renames: Mapping[str, str]) -> Query:
        """The query as PostgreSQL holds it after tables or columns it reads were renamed (it stores
        the query parsed, so the names follow): the text is kept, the normal form follows."""
        moved = {quote_ident(o): quote_ident(n) for o, n in renames.items() if o != n}
        if not moved or moved.keys().isdisjoint(self.normal):
            return self
        return replace(self, normal=tuple(moved.get(t, t) for t in self.normal))


@dataclass(frozen=True, slots=True)
class OutputColumn:
    name: str
    type: str | None  # known when the query passes a column on as it is
    signature: str  # what decides its type: the type, else the normal form of its expression


@dataclass(frozen=True, slots=True)
class QueryReading:
    """What a view's query reads and gives, read once when the model is built (view_query.py)."""

    problem: str | None = None  # not one SELECT, or sqlglot cannot read it
    missing: tuple[str, ...] = ()  # relations named that do not exist
    unknown_column: str | None = None  # a column no relation it reads has
    relations: tuple[str, ...] = ()  # 'schema.name' of the tables and views it reads
    reads: frozenset[tuple[str, str]] = frozenset()  # (relation, column)
    whole: frozenset[str] = frozenset()  # relations read without telling columns apart
    functions: tuple[str, ...] = ()  # what it calls: a callable is a dependency too
    columns: tuple[OutputColumn, ...] = ()

    def uses(self, relation: str, column: str) -> bool:
        return relation in self.whole or (relation, column) in self.reads


@dataclass(frozen=True, slots=True)
class ViewColumn:
    name: str
    comment: str | None = None
    # as format_type prints it when known (read from a database, or a column the query passes on
    # as it is): for diagrams and for telling whether CREATE OR REPLACE may keep the column
    type: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class View:
    schema: str
    name: str
    query: Query
    columns: tuple[ViewColumn, ...]
    materialized: bool = False
    # WITH (...): a view's check_option, security_barrier, security_invoker; a materialized
    # view's storage parameters; sorted by name, values as the catalog keeps them ('true', 'local')
    options: tuple[tuple[str, str], ...] = ()
    comment: str | None = None
    indexes: tuple[Index, ...] = ()  # materialized views only
    with_data: bool = True  # materialized views only: WITH NO DATA leaves it unscannable until refreshed
    # DDL names the columns (CREATE VIEW v (a, b) AS ...): they were written (`columns:`), or read
    # from the query in full, so the view gets the names the model has whatever PostgreSQL would figure
    named_columns: bool = field(default=False, compare=False)
    renamed_from: str | None = field(default=None, compare=False)
    # what its query reads and gives (view_query.py): a fact of the text, so no part of equality
    reading: QueryReading | None = field(default=None, compare=False, repr=False)
    grants: Grants = ()  # its ACL but the owner's (model/security.py)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def kind(self) -> str:
        return "materialized view" if self.materialized else "view"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def check_option(self) -> str | None:
        return dict(self.options).get("check_option")

