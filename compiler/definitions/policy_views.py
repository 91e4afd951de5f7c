"""What compile refuses about the views policies read, against the last compiled state: a view
removed from the definitions while a policy's subquery still reads it. PostgreSQL cannot drop a
view a policy reads, and the policy could not be made again without it.

The places of the policies' USING and WITH CHECK are a side table beside the model, found in
the documents (as called_functions.py finds the places of calls), so the error points at the
expression that still reads the view.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import DefinitionError
from ..model.policy_expressions import holds_a_subquery
from ..model.policy_reads import policy_reads
from ..model.schema import Schema
from .load import Document, Mapping, Sequence

PolicyClause = tuple[str, str, str]  # table key, policy name, 'using' or 'with_check'
Place = tuple[str, int, int]  # path, line, column
CLAUSES = ("using", "with_check")


def policy_places(docs: list[Document]) -> dict[PolicyClause, Place]:
    """Where each policy's USING and WITH CHECK is written."""
    out: dict[PolicyClause, Place] = {}
    for doc in docs:
        body = doc.body
        policies = body.get("policies") if "table" in body else None
        if not isinstance(policies, Sequence):
            continue
        table = f"{_text(body, 'schema') or 'public'}.{_text(body, 'table')}"
        for m in policies:
            if not isinstance(m, Mapping):
                continue
            for clause in CLAUSES:
                if clause in m.value_pos:
                    out[table, _text(m, "name") or "", clause] = (doc.path, *m.value_pos[clause])
    return out


def _text(m: Mapping, key: str) -> str | None:
    """A name as written (YAML may read `on` or `123` as something else)."""
    value = m.get(key)
    return None if value is None else value if isinstance(value, str) else m.raw.get(key, str(value))


def removed_view_problems(old: Schema, new: Schema, places: dict[PolicyClause, Place]) -> list[DefinitionError]:
    """A view (or materialized view) of `old` (the state) gone from `new` while a policy of `new`
    still reads it through a subquery."""
    gone = {k: v for k, v in old.views.items() if k not in new.views and k not in new.tables}
    if not gone:
        return []
    relations = {k: tuple((c.name, c.type) for c in t.columns) for k, t in new.tables.items()}
    relations |= {k: tuple((c.name, c.type or "unknown") for c in v.columns) for k, v in (new.views | gone).items()}
    out = []
    for key, t in new.tables.items():
        for p in t.policies:
            for clause in CLAUSES:
                e = p.using if clause == "using" else p.with_check
                place = places.get((key, p.name, clause))
                if e is None or place is None or not holds_a_subquery(e.text):
                    continue
                alone = replace(p, using=e if clause == "using" else None, with_check=e if clause != "using" else None)
                for view in sorted(policy_reads(alone, t, relations).relations & gone.keys()):
                    v = gone[view]
                    out.append(DefinitionError(*place, f"'{clause}' of policy {p.name} of {key} reads {v.kind} "
                                                       f"{view}, which is removed from the definitions; "
                                                       f"PostgreSQL cannot drop a {v.kind} that a policy reads: "
                                                       f"change the policy first, or keep the {v.kind}"))
    return out
