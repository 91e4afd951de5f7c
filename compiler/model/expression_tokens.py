"""An expression as PostgreSQL's lexer sees it, and a reading of it built from its tokens alone.

sqlglot reads most of what PostgreSQL prints, but not all of it: operators it does not know
(`<#>`, `@@@`, `?-|` from extensions and geometric types), `IS NFC NORMALIZED`, `COLLATION FOR`,
`OPERATOR(schema.op)`, and some it reads as something else (`@ n` becomes a parameter). Those
expressions are read from their tokens instead: the normal form is the token sequence, which is
exact for text PostgreSQL printed (already canonical) and stable for text a person wrote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from .catalog_facts import VALUE_FUNCTIONS
from .names import QUOTED_KEYWORDS, quote_ident

# pg_get_keywords() where catcode = 'U' (PostgreSQL 15): keywords quote_ident() leaves bare.
UNRESERVED_KEYWORDS = frozenset("""
abort absolute access action add admin after aggregate also alter always asensitive assertion
assignment at atomic attach attribute backward before begin breadth by cache call called cascade
cascaded catalog chain characteristics checkpoint class close cluster columns comment comments
commit committed compression configuration conflict connection constraints content continue
conversion copy cost csv cube current cursor cycle data database day deallocate declare defaults
deferred definer delete delimiter delimiters depends depth detach dictionary disable discard
document domain double drop each enable encoding encrypted enum escape event exclude excluding
exclusive execute explain expression extension external family filter finalize first following
force forward function functions generated global granted groups handler header hold hour identity
if immediate immutable implicit import include including increment index indexes inherit inherits
inline input insensitive insert instead invoker isolation key label language large last leakproof
level listen load local location lock locked logged mapping match matched materialized maxvalue
merge method minute minvalue mode month move name names new next nfc nfd nfkc nfkd no normalized
nothing notify nowait nulls object of off oids old operator option options ordinality others over
overriding owned owner parallel parameter parser partial partition passing password plans policy
preceding prepare prepared preserve prior privileges procedural procedure procedures program
publication quote range read reassign recheck recursive ref referencing refresh reindex relative
release rename repeatable replace replica reset restart restrict return returns revoke role
rollback rollup routine routines rows rule savepoint schema schemas scroll search second security
sequence sequences serializable server session set sets share show simple skip snapshot sql stable
standalone start statement statistics stdin stdout storage stored strict strip subscription support
sysid system tables tablespace temp template temporary text ties transaction transform trigger
truncate trusted type types uescape unbounded uncommitted unencrypted unknown unlisten unlogged
until update vacuum valid validate validator value varying version view views volatile whitespace
within without work wrapper write xml year yes zone
""".split())
KEYWORDS = UNRESERVED_KEYWORDS | QUOTED_KEYWORDS

# Operators sqlglot reads back as the same operator (or an exact equivalent: ~~ as LIKE), checked
# by tests/unit/test_expression_tokens.py; any other operator sends an expression to the token reading.
SQLGLOT_OPERATORS = frozenset("""
!~ !~* !~~ !~~* # #- #> #>> % & && &< &> * + - -> ->> -|- / < <-> << <= <> <@ = > >= >> ? ?& ?| @>
@? @@ ^ ^@ | || ~ ~* ~~ ~~* |/ ||/ != =>
""".split())
# Forms sqlglot cannot read, which PostgreSQL prints: (word, words one of which comes before it,
# the token that comes after it); None: anything
_UNREAD_WORDS = (("normalized", {"is", "not", "nfc", "nfd", "nfkc", "nfkd"}, None),
                 ("collation", None, "for"), ("operator", None, "("))

_OP_CHARS = "~!@#^&|`?+-*/%<>="
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>--|/\*)
  | (?P<estring>[eE]'(?:\\.|''|[^'\\])*')
  | (?P<string>(?:[bBxXnN]|[uU]&)?'(?:[^']|'')*')
  | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$)
  | (?P<quoted>(?:[uU]&)?"(?:[^"]|"")*")
  | (?P<param>\$\d+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
  | (?P<typecast>::)
  | (?P<op>[~!@#^&|`?+\-*/%<>=]+)
  | (?P<punct>[,()\[\].;:])
""", re.VERBOSE)


class TokenProblem(ValueError):
    """Text PostgreSQL's lexer would refuse, or that holds what an expression must not."""


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word | quoted | string | number | op | punct | typecast | param | comment
    text: str  # as written
    value: str  # words lower-cased, quoted identifiers and strings unescaped


def _operator(run: str) -> str:
    """The operator PostgreSQL's lexer takes from the start of a run of operator characters."""
    for stop in ("--", "/*"):
        if stop in run[1:]:
            run = run[: run.index(stop, 1)] or run
    # a multi-character operator cannot end in + or - unless it holds one of ~!@#%^&|`?
    while len(run) > 1 and run[-1] in "+-" and not any(c in run for c in "~!@#%^&|`?"):
        run = run[:-1]
    return run


def tokens(text: str) -> list[Token]:
    """`text` split the way PostgreSQL's lexer splits it; TokenProblem for a quote left open."""
    out: list[Token] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            what = {"'": "a string", '"': "a quoted name"}.get(text[i])
            raise TokenProblem(f"{what} is not closed" if what else f"cannot read '{text[i]}'")
        group = m.lastgroup or ""  # every alternative of _TOKEN is a named group
        kind = group if group != "tag" else "dollar"
        piece = m.group(0)
        if kind == "comment":  # kept as a token, so a ';' before it is reported first
            end = text.find("\n", i) if piece == "--" else text.find("*/", i + 2)
            end = len(text) if end == -1 else end + (0 if piece == "--" else 2)
            out.append(Token("comment", text[i:end], text[i:end]))
            i = end
            continue
        if kind == "dollar":
            end = text.find(piece, m.end())
            if end == -1:
                raise TokenProblem("a dollar-quoted string is not closed")
            out.append(Token("string", text[i:end + len(piece)], text[m.end():end]))
            i = end + len(piece)
            continue
        if kind == "op":
            piece = _operator(piece)
        i += len(piece)
        if kind == "space":
            continue
        if kind == "estring":
            out.append(Token("string", piece, piece[2:-1]))  # escapes kept: a label test only needs plain text
        elif kind == "string":
            body = piece[piece.index("'") + 1:-1].replace("''", "'")
            out.append(Token(kind, piece, body))
        elif kind == "quoted":
            out.append(Token(kind, piece, piece[piece.index('"') + 1:-1].replace('""', '"')))
        elif kind == "word":
            out.append(Token(kind, piece, piece.lower()))
        else:
            out.append(Token(kind, piece, piece))
    return out


def needs_token_reading(toks: list[Token]) -> bool:
    """True when the expression holds an operator or a form that sqlglot does not read faithfully."""
    for i, t in enumerate(toks):
        if t.kind == "op" and t.value not in SQLGLOT_OPERATORS:
            return True
        if t.kind == "word":
            before = toks[i - 1].value if i else None
            after = toks[i + 1].value if i + 1 < len(toks) else None
            if any(t.value == word and (prev is None or before in prev) and (follow is None or after == follow)
                   for word, prev, follow in _UNREAD_WORDS):
                return True
    return False


class TokenExpression(exp.Expression):
    """An expression read from its tokens: columns as exp.Column, everything else as it reads."""

    arg_types = {"expressions": True}


def token_expression(toks: list[Token]) -> TokenExpression:
    """The token reading of an expression; TokenProblem when it is not one balanced expression."""
    if any(t.kind == "punct" and t.value == ";" for t in toks):
        raise TokenProblem("an expression must be a single SQL expression; ';' starts another statement")
    if any(t.kind == "comment" for t in toks):
        raise TokenProblem("comments are not allowed in an expression")
    depth: list[str] = []
    for t in toks:
        if t.kind == "word" and t.value in ("select", "with", "values", "table"):
            raise TokenProblem("an expression must not contain a statement or a subquery")
        if t.kind == "punct" and t.value in "([":
            depth.append(")" if t.value == "(" else "]")
        elif t.kind == "punct" and t.value in ")]":
            if not depth or depth.pop() != t.value:
                raise TokenProblem(f"unbalanced '{t.value}'")
    if depth:
        raise TokenProblem(f"'{depth[-1]}' is missing")
    if not toks:
        raise TokenProblem("an expression must not be empty")
    columns = _column_positions(toks)
    return TokenExpression(expressions=[_node(t, i in columns) for i, t in enumerate(toks)])


def _node(t: Token, is_column: bool) -> exp.Expression:
    if is_column:
        return exp.Column(this=exp.to_identifier(t.value, quoted=True))
    if t.kind == "string" and t.text.startswith("'"):
        return exp.Literal.string(t.value)
    if t.kind == "number":
        return exp.Literal.number(t.text)
    if t.kind == "quoted":  # "lower" and lower are one name; "Lower" is another
        return exp.Var(this=t.value if quote_ident(t.value) == t.value else quote_ident(t.value))
    return exp.Var(this=t.value if t.kind == "word" else t.text)


def _column_positions(toks: list[Token]) -> set[int]:
    """Tokens that name a column: identifiers that are not keywords, functions, types, collations,
    qualifiers or argument names. Best effort: a word it misses is never reported as unknown."""
    out: set[int] = set()
    skip_type = False
    for i, t in enumerate(toks):
        before = toks[i - 1] if i else None
        after = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind == "typecast":
            skip_type = True
            continue
        if skip_type:
            if t.kind in ("word", "quoted") or (t.kind == "punct" and t.value in "."):
                continue  # double precision, character varying, "Mood", public.mood
            skip_type = False
        if t.kind not in ("word", "quoted") or (t.kind == "word" and t.value in KEYWORDS):
            continue
        if after is not None and ((after.kind == "punct" and after.value in "(.") or after.value == "=>"):
            continue
        if before is not None and ((before.kind == "punct" and before.value == ".")
                                   or (before.kind == "word" and before.value == "collate")):
            continue
        out.add(i)
    return out


def function_calls(text: str) -> tuple[list[str], bool]:
    """Function names as PostgreSQL's lexer reads them (a name before '(', not a type after '::'),
    SQL value functions, and whether a window (OVER) is used."""
    try:
        toks = tokens(text)
    except TokenProblem:
        return [], False
    seen: dict[str, None] = {}
    over = False
    for i, t in enumerate(toks):
        before = toks[i - 1] if i else None
        after = toks[i + 1] if i + 1 < len(toks) else None
        if t.kind == "word" and t.value == "over" and before is not None and before.value == ")":
            over = True
        elif (t.kind in ("word", "quoted") and after is not None and after.kind == "punct" and after.value == "("
              and (before is None or before.kind != "typecast")):
            seen.setdefault(t.value, None)
        elif t.kind == "word" and t.value in VALUE_FUNCTIONS and (before is None or before.value != "."):
            seen.setdefault(t.value, None)
    return list(seen), over
