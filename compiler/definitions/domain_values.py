"""What CREATE DOMAIN or ALTER DOMAIN would refuse in a domain's default and checks, found without a
database by the constant checks tables' columns get (model/literal_input.py, definitions/rules.py):
a default its base type cannot read ('abc' for an integer, a label its enum lacks, a number out of
range) and a check whose value is not true or false (`check: 1`)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import DefinitionError
from ..model.domains import Domain, base_type
from ..model.expression_facts import array_literal_items, expression_facts, not_a_condition
from ..model.literal_input import constant_problem, number_problem
from ..model.schema import Expression
from ..model.types import enum_type_spelling
from .load import Pos


@dataclass(slots=True)
class DomainPlaces:
    """Where a domain's default and checks are written."""

    path: str
    default: Pos | None = None
    checks: dict[str, Pos] = field(default_factory=dict)


def value_problems(domains: Mapping[str, Domain], places: Mapping[str, DomainPlaces],
                   enum_values: Mapping[str, tuple[str, ...]], errors: list[DefinitionError]) -> None:
    """Report each default its base type refuses and each check that is no condition
    (`check: 1`, `check: VALUE` on an integer domain)."""
    by_spelling = {enum_type_spelling(d.schema, d.name): d for d in domains.values()}
    for key, d in domains.items():
        where = places.get(key)
        if where is None:
            continue
        stored = base_type(d.type, by_spelling)
        if d.default is not None and where.default is not None:
            for problem in _default_problems(d.default, stored, enum_values):
                errors.append(DefinitionError(where.path, *where.default,
                                              f"'default' of domain {d.name} {problem}"))
        for check in d.checks:
            pos = where.checks.get(check.name)
            refused = _condition_problem(check.expression, stored)
            if pos is not None and refused is not None:
                errors.append(DefinitionError(where.path, *pos, f"check {check.name} of domain {d.name} {refused}"))


def _default_problems(default: Expression, stored: str, enum_values: Mapping[str, tuple[str, ...]]
                      ) -> Iterator[str]:
    facts = expression_facts(default.text)
    element = stored.removesuffix("[]")
    labels = ([item for label in facts.value_labels for item in array_literal_items(label)]
              if stored.endswith("[]") else list(facts.value_labels))
    if facts.value_number and not stored.endswith("[]") and (problem := number_problem(stored, facts.value_number)):
        yield (f"is {facts.value_number}, {problem}: PostgreSQL accepts the domain, then fails every row "
               f"that takes it")
    for label in labels:
        values = enum_values.get(element)
        if values is not None and label not in values:
            yield f"uses '{label}', which is not a value of enum {element} (its values: {', '.join(values)})"
        elif values is None and (problem := constant_problem(element, label, True)):
            yield f"uses '{label}' for a value of type {element}: {problem}"


def _condition_problem(expression: Expression, stored: str) -> str | None:
    facts = expression_facts(expression.text)
    if facts.arithmetic:
        return "is a number, not a condition; a check must be true or false (for example: VALUE > 0)"
    value = not_a_condition(facts, {"value": stored}, column="VALUE")
    if value is not None:
        return f"is {value}, not a condition; a check must be true or false"
    for label in facts.value_labels:
        if constant_problem("boolean", label, True):
            return f"is the constant '{label}', not a condition; a check must be true or false"
    return None
