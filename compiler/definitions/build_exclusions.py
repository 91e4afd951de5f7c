"""Reading exclusion constraints: `exclusions: [{name, using, elements: [{column, with}], where}]`."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model.names import default_name
from ..model.schema import Exclusion
from .acknowledgements import ALLOW
from .build_constraints import key_timing
from .index_options import INDEX_PART_KEYS, index_part
from .load import Mapping

if TYPE_CHECKING:
    from .drafts import TableContext, TableDraft

EXCLUSION_KEYS = frozenset({"name", "using", "elements", "where", "deferrable", "initially_deferred", "comment",
                            ALLOW})
ELEMENT_KEYS = INDEX_PART_KEYS | {"with"}
EXCLUSION_METHODS = ("gist", "spgist", "btree", "hash")  # the methods with amgettuple that exclusion needs
# an operator as PostgreSQL's lexer reads one: its characters only (OPERATOR(schema.op) is not taken)
_OPERATOR = re.compile(r"[+\-*/<>=~!@#%^&|`?]{1,63}\Z")


def exclusions(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    r = cx.r
    for m, pos in r.mappings(body, "exclusions", f"table {t.name}"):
        r.keys(m, EXCLUSION_KEYS, "an exclusion")
        name = r.name(m, "name", "an exclusion")
        using = r.choice(m, "using", EXCLUSION_METHODS, "an exclusion") or "gist"
        elements = r.mappings(m, "elements", "an exclusion")
        if m.get("elements") is None or (not elements and isinstance(m.get("elements"), list)):
            r.error(r.pos(m, "elements"), "an exclusion needs 'elements': a list of "
                                          "{column or expression, with: operator}")
            continue
        parts, operators, labels = [], [], []
        for em, epos in elements:
            found = index_part(cx, t, em, epos, ELEMENT_KEYS, "an exclusion element")
            operator = r.text(em, "with", "an exclusion element", required=True)
            if operator is not None and not _OPERATOR.match(operator):
                r.error(r.pos(em, "with"), f"'with' must be an operator such as = or &&, not '{operator}'")
                operator = None
            if found is None or operator is None:
                break
            parts.append(found[0])
            labels.append(found[1])
            operators.append(operator)
        else:
            where = cx.expression(m, "where", f"exclusion on {t.name}", t)
            timing = key_timing(r, m, "an exclusion", allow_match=False)
            comment = r.text(m, "comment", "an exclusion") or None
            if (m.get("where") is not None and where is None) or timing is None or len(parts) != len(elements):
                continue
            if using != "btree" and any(p.order != "asc" or p.nulls is not None for p in parts):
                r.error(r.pos(m, "using"), f"index method {using} does not support 'order' or 'nulls'; "
                                           f"only btree indexes are ordered")
                continue
            exclusion = Exclusion(name or default_name(t.name, labels, "excl"), tuple(parts), tuple(operators),
                                  using, where, timing[0], timing[1], comment)
            t.exclusions.append(exclusion)
            t.place(exclusion.name, r.pos(m, "name") if name else pos)
