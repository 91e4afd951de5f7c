"""A policy's USING and WITH CHECK: an expression, which unlike a check may hold a subquery
(`tenant_id IN (SELECT tenant_id FROM members WHERE member = current_user)`).

Without a subquery it is read like any expression (expressions.py), so a column rename maps it.
With one, its normal form is its tokens as PostgreSQL's lexer reads them (whitespace, comments
and keyword case do not count): the columns it reads are not known, and a change to its text is
an ALTER POLICY. PostgreSQL judges the names in it when the policy is made (verify, apply).
"""
from __future__ import annotations

from .expression_tokens import TokenProblem, tokens
from .expressions import ExpressionProblem, make_expression
from .schema import Expression

_QUERY_WORDS = frozenset({"select", "with", "values", "table"})


def holds_a_subquery(text: str) -> bool:
    try:
        return any(t.kind == "word" and t.value in _QUERY_WORDS for t in tokens(text))
    except TokenProblem:
        return False


def policy_expression(text: str, user_types: dict[str, str] | None = None, lenient: bool = False) -> Expression:
    """The Expression of a policy's clause; ExpressionProblem for what PostgreSQL would refuse
    as one (two statements, an unbalanced bracket)."""
    if not holds_a_subquery(text):
        return make_expression(text, user_types=user_types, lenient=lenient)
    try:
        read = tokens(text)
    except TokenProblem as e:
        raise ExpressionProblem(str(e)) from None
    depth = 0
    for t in read:
        if t.kind == "comment" and not lenient:
            raise ExpressionProblem("comments are not allowed in an expression")
        if t.kind == "punct" and t.value == ";":
            raise ExpressionProblem("an expression must be a single SQL expression; ';' starts another statement")
        depth += {"(": 1, ")": -1}.get(t.value, 0) if t.kind == "punct" else 0
        if depth < 0:
            raise ExpressionProblem("unbalanced ')'")
    if depth:
        raise ExpressionProblem("')' is missing")
    normal = " ".join(f"{t.kind}:{t.value}" for t in read if t.kind != "comment")
    return Expression(text, (normal,))  # one item, at an even place: no column a rename maps
