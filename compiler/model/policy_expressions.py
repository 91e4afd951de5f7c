"""A policy's USING and WITH CHECK: an expression, which unlike a check may hold a subquery
(`tenant_id IN (SELECT tenant_id FROM members WHERE member = current_user)`).

Without a subquery it is read like any expression (expressions.py), so a column rename maps it.
With one, its normal form is its tokens as PostgreSQL's lexer reads them (whitespace, comments
and keyword case do not count): the columns it reads are not known, and a change to its text is
an ALTER POLICY. PostgreSQL judges the names in it when the policy is made (verify, apply).
"""
from __future__ import annotations

from collections.abc import Mapping

from .catalog_facts import AGGREGATE_FUNCTIONS, SET_RETURNING_FUNCTIONS, WINDOW_FUNCTIONS
from .expression_facts import expression_facts, not_a_condition
from .expression_tokens import TokenProblem, function_calls, tokens
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


# -- what PostgreSQL refuses in USING and WITH CHECK, found without a database

_NOT_ALLOWED = (("aggregate functions", AGGREGATE_FUNCTIONS), ("window functions", WINDOW_FUNCTIONS),
                ("set-returning functions", SET_RETURNING_FUNCTIONS))


def condition_problem(text: str, column_types: Mapping[str, str]) -> str | None:
    """Why PostgreSQL would refuse `text` as a policy's USING or WITH CHECK ("aggregate functions
    are not allowed in policy expressions", "argument of POLICY USING must be type boolean"), or
    None. Only the expression's own level is judged: a subquery in it may aggregate and return
    anything its operator takes. `column_types`: the table's columns and their types."""
    outer = _outside_subqueries(text)
    if outer is None:
        return None
    calls, over = function_calls(outer)
    for kind, names in _NOT_ALLOWED:
        found = next((c for c in calls if c in names), None)
        if found is not None:
            return f"uses {found}(): {kind} are not allowed in policy expressions"
    if over:
        return "uses OVER: window functions are not allowed in policy expressions"
    try:
        value = not_a_condition(expression_facts(outer), column_types)
    except ExpressionProblem:
        return None
    if value is not None:
        return (f"is {value}, not a condition: PostgreSQL takes only a boolean here "
                f"(for example: {text} > 0)" if value.startswith("a number") else
                f"is {value}, not a condition: PostgreSQL takes only a boolean here")
    return None


def _outside_subqueries(text: str) -> str | None:
    """`text` with each subquery's bracket reduced to (NULL): what stands at the policy's own level."""
    try:
        read = [t for t in tokens(text) if t.kind != "comment"]
    except TokenProblem:
        return None
    out: list[str] = []
    i = 0
    while i < len(read):
        t = read[i]
        if t.value == "(" and i + 1 < len(read) and read[i + 1].kind == "word" and read[i + 1].value in _QUERY_WORDS:
            depth = 0
            while i < len(read):
                depth += {"(": 1, ")": -1}.get(read[i].value, 0) if read[i].kind == "punct" else 0
                i += 1
                if depth == 0:
                    break
            out.append("(NULL)")
            continue
        out.append(t.text)
        i += 1
    return " ".join(out)
