"""The sequences an expression calls (nextval('order_numbers')): read from its parse tree, apart from
standalone_sequences.py so that diff and render never load the parser."""
from __future__ import annotations

from sqlglot import exp

from .expressions import ExpressionProblem, read_expression

_CALLS = frozenset({"nextval", "currval", "setval"})


def sequences_called(text: str) -> tuple[str, ...]:
    """The sequences an expression calls nextval, currval or setval of, each as a regclass reads its
    text: 'Orders' is orders, '"Orders"' is Orders, 'app.seq' is app.seq (schema.name, or a bare name)."""
    try:
        tree = read_expression(text)
    except ExpressionProblem:
        return ()
    out: list[str] = []
    for node in tree.walk():
        if not isinstance(node, exp.Anonymous) or str(node.this).lower() not in _CALLS or not node.expressions:
            continue
        arg = node.expressions[0]
        if isinstance(arg, exp.Cast):
            arg = arg.this
        if isinstance(arg, exp.Literal) and arg.is_string:
            name = _regclass_name(arg.this)
            if name is not None:
                out.append(name)
    return tuple(dict.fromkeys(out))


def _regclass_name(text: str) -> str | None:
    """'app."Seq"' -> 'app.Seq': unquoted parts fold to lower case, as regclass input does."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if rest.startswith('"'):
            end = 1
            while True:
                end = rest.find('"', end)
                if end < 0:
                    return None
                if rest[end + 1:end + 2] == '"':
                    end += 2
                    continue
                break
            parts.append(rest[1:end].replace('""', '"'))
            rest = rest[end + 1:]
        else:
            word, _, _ = rest.partition(".")
            parts.append(word.strip().lower())
            rest = rest[len(word):]
        if rest.startswith("."):
            rest = rest[1:]
        elif rest:
            return None
    return ".".join(parts) if 1 <= len(parts) <= 2 and all(parts) else None
