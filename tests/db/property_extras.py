"""The round-trip property's standalone sequences, domains, row-level security, policies and grants.

They hang on the generated tables by id (a policy, RLS and grants belong to a table; a rename or
a drop of the table takes them along) or live on `ledger`, a table of their own in public whose
columns use them: `n<id>` takes a sequence's nextval as its default, `o<id>` owns a sequence
(OWNED BY: a column whose default is its own sequence's nextval would be a serial column),
`d<id>` is of a domain. Policies name roles that every database of the cluster has (PUBLIC,
pg_monitor, pg_read_all_data) or the roles the test makes (ROLES), never CURRENT_USER and the like,
which PostgreSQL resolves to a role when the policy is made.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from hypothesis import strategies as st

# roles of this module's own, made and dropped by the test (roles are cluster-wide: the tag keeps
# parallel runs apart)
TAG = uuid.uuid4().hex[:8]
ROLES = [f"schemac_prop_{TAG}_reader", f"schemac_prop_{TAG}_Writer"]
POLICY_ROLES = [["public"], ["pg_monitor"], ["pg_read_all_data"], ROLES[:1], ROLES, ["pg_monitor", ROLES[1]]]
GRANT_ROLES = ["PUBLIC", "pg_monitor", *ROLES]

SEQUENCE_NAMES = ["counter", "Tickets", 'seq "q"', "nümbers", "Next"]
# every set keeps an unused sequence's position (its start, between 1 and 30000) inside its bounds
SEQUENCE_OPTIONS = [{}, {"start": 100}, {"increment": 10}, {"type": "integer", "cache": 5},
                    {"type": "smallint", "maxvalue": 30000, "cycle": True}, {"unlogged": True}]
DOMAIN_NAMES = ["positive", "Code", 'dom "q"', "ünï"]
DOMAIN_CHECKS = {"integer": ["VALUE > 0", "VALUE < 1000000"], "text": ["VALUE <> ''", "length(VALUE) < 50"]}
DOMAIN_DEFAULTS = {"integer": ["1", "42"], "text": ["'x'", "'it''s'"]}
CHECK_NAMES = ["ok", "Fits", 'c "q"']
POLICY_NAMES = ["own", "Readers", 'p "q"', "select"]
COMMANDS = ["all", "select", "insert", "update", "delete"]
# what a policy's clauses say: plain expressions, a function call, subqueries
USING = ["true", "false", "pg_has_role('pg_monitor', 'member')",
         "EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'nobody')",
         "(SELECT count(*) FROM pg_catalog.pg_namespace) > 0"]
TABLE_PRIVILEGES = ["select", "insert", "update", "delete", "truncate", "references", "trigger"]
SCHEMA_PRIVILEGES = ["usage", "create"]
COMMENTS = ["A comment.", "It's quoted.", ""]
EXTRA_SCHEMA = "Sales Team"
LEDGER = "ledger"


@dataclass
class SeqSpec:
    id: int
    name: str
    options: dict = field(default_factory=dict)
    used: bool = False  # ledger.n<id> takes its nextval
    owned: bool = False  # owned by ledger.o<id>
    comment: str | None = None
    renamed_from: str | None = None
    in_a: bool = False


@dataclass
class DomSpec:
    id: int
    name: str
    base: str  # integer | text
    checks: dict[str, str] = field(default_factory=dict)  # name -> expression
    default: str | None = None
    nullable: bool = True
    used: bool = False  # ledger.d<id> is of it
    comment: str | None = None
    renamed_from: str | None = None
    in_a: bool = False


@dataclass
class PolSpec:
    name: str
    command: str = "all"
    roles: list[str] = field(default_factory=lambda: ["public"])
    using: str | None = "true"
    with_check: str | None = None
    permissive: bool = True
    comment: str | None = None
    renamed_from: str | None = None
    in_a: bool = False


@dataclass
class Extras:
    sequences: list[SeqSpec] = field(default_factory=list)
    domains: list[DomSpec] = field(default_factory=list)
    rls: dict[int, tuple[bool, bool]] = field(default_factory=dict)  # table id -> (enabled, forced)
    policies: dict[int, list[PolSpec]] = field(default_factory=dict)  # table id -> its policies
    grants: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # table id -> role -> privileges
    schema_grants: dict[str, list[str]] = field(default_factory=dict)  # on EXTRA_SCHEMA, declared by them
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def mark_in_a(self) -> None:
        for x in [*self.sequences, *self.domains, *(p for ps in self.policies.values() for p in ps)]:
            x.in_a = True


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fresh(draw, pool: list[str], taken: set[str]) -> str | None:
    free = [n for n in pool if n not in taken]
    return draw(st.sampled_from(free)) if free else None


def _names(x: Extras) -> set[str]:
    """Sequence and domain names either schema had (a new one never takes a name renamed away)."""
    return ({s.name for s in x.sequences} | {s.renamed_from for s in x.sequences if s.renamed_from}
            | {d.name for d in x.domains} | {d.renamed_from for d in x.domains if d.renamed_from})


def draw_sequence(draw, x: Extras) -> None:
    name = _fresh(draw, SEQUENCE_NAMES, _names(x))
    if name is not None:
        used = draw(st.booleans())
        x.sequences.append(SeqSpec(x.new_id(), name, dict(draw(st.sampled_from(SEQUENCE_OPTIONS))), used,
                                   draw(st.booleans()), draw(st.sampled_from([None, *COMMENTS]))))


def draw_domain(draw, x: Extras) -> None:
    name = _fresh(draw, DOMAIN_NAMES, _names(x))
    if name is None:
        return
    base = draw(st.sampled_from(["integer", "text"]))
    d = DomSpec(x.new_id(), name, base, used=draw(st.booleans()), comment=draw(st.sampled_from([None, *COMMENTS])))
    for expression in draw(st.lists(st.sampled_from(DOMAIN_CHECKS[base]), max_size=2, unique=True)):
        d.checks[_fresh(draw, CHECK_NAMES, set(d.checks)) or "spare"] = expression
    d.default = draw(st.sampled_from([None, *DOMAIN_DEFAULTS[base]]))
    d.nullable = d.default is None or draw(st.booleans())
    x.domains.append(d)


def draw_policy(draw, x: Extras, table: int) -> None:
    taken = {p.name for p in x.policies.get(table, [])} | {p.renamed_from for p in x.policies.get(table, [])
                                                             if p.renamed_from}
    name = _fresh(draw, POLICY_NAMES, taken)
    if name is None:
        return
    p = PolSpec(name)
    _draw_policy_body(draw, p)
    p.permissive = draw(st.booleans())
    p.comment = draw(st.sampled_from([None, *COMMENTS]))
    x.policies.setdefault(table, []).append(p)


def _draw_policy_body(draw, p: PolSpec) -> None:
    p.command = draw(st.sampled_from(COMMANDS))
    p.roles = list(draw(st.sampled_from(POLICY_ROLES)))
    p.using = None if p.command == "insert" else draw(st.sampled_from(USING))
    p.with_check = None if p.command in ("select", "delete") else draw(st.sampled_from([None, *USING]))
    if p.using is None and p.with_check is None:
        p.with_check = "true"


def draw_grant(draw, x: Extras, table: int) -> None:
    role = draw(st.sampled_from(GRANT_ROLES))
    x.grants.setdefault(table, {})[role] = sorted(draw(st.lists(st.sampled_from(TABLE_PRIVILEGES), min_size=1,
                                                                max_size=3, unique=True)))


def draw_extras(draw, tables: list[int]) -> Extras:
    x = Extras()
    for _ in range(draw(st.integers(0, 2))):
        draw_sequence(draw, x)
    for _ in range(draw(st.integers(0, 2))):
        draw_domain(draw, x)
    for t in tables:
        if draw(st.integers(0, 2)) == 0:
            x.rls[t] = (draw(st.booleans()), draw(st.booleans()))
        for _ in range(draw(st.integers(0, 1))):
            draw_policy(draw, x, t)
        for _ in range(draw(st.integers(0, 1))):
            draw_grant(draw, x, t)
    if draw(st.integers(0, 3)) == 0:
        x.schema_grants[draw(st.sampled_from(GRANT_ROLES))] = [draw(st.sampled_from(SCHEMA_PRIVILEGES))]
    return x


EXTRA_EDITS = ["add_sequence", "drop_sequence", "rename_sequence", "sequence_options", "sequence_use",
               "add_domain", "drop_domain", "rename_domain", "domain_checks", "domain_default", "domain_use",
               "rls", "add_policy", "drop_policy", "change_policy", "rename_policy", "policy_comment",
               "grant", "revoke", "schema_grant"]


def edit_extras(draw, x: Extras, tables: list[int], kind: str) -> None:  # noqa: C901 - one branch per edit
    if kind == "add_sequence":
        draw_sequence(draw, x)
    elif kind == "add_domain":
        draw_domain(draw, x)
    elif kind.endswith("sequence") or kind.startswith("sequence"):
        if not x.sequences:
            return
        s = draw(st.sampled_from(x.sequences))
        if kind == "drop_sequence":
            x.sequences.remove(s)
        elif kind == "rename_sequence" and s.renamed_from is None:
            name = _fresh(draw, SEQUENCE_NAMES, _names(x))
            if name is not None:
                s.renamed_from, s.name = (s.name if s.in_a else None), name
        elif kind == "sequence_options":
            s.options = dict(draw(st.sampled_from(SEQUENCE_OPTIONS)))
            s.comment = draw(st.sampled_from([None, *COMMENTS]))
        elif kind == "sequence_use":
            s.used, s.owned = draw(st.booleans()), draw(st.booleans())
    elif kind.endswith("domain") or kind.startswith("domain"):
        if not x.domains:
            return
        d = draw(st.sampled_from(x.domains))
        if kind == "drop_domain":
            x.domains.remove(d)
        elif kind == "rename_domain" and d.renamed_from is None:
            name = _fresh(draw, DOMAIN_NAMES, _names(x))
            if name is not None:
                d.renamed_from, d.name = (d.name if d.in_a else None), name
        elif kind == "domain_checks":
            if d.checks and draw(st.booleans()):
                d.checks.pop(draw(st.sampled_from(sorted(d.checks))))
            else:
                free = [e for e in DOMAIN_CHECKS[d.base] if e not in d.checks.values()]
                name = _fresh(draw, CHECK_NAMES, set(d.checks))
                if free and name is not None:
                    d.checks[name] = draw(st.sampled_from(free))
        elif kind == "domain_default":
            d.default = draw(st.sampled_from([None, *DOMAIN_DEFAULTS[d.base]]))
            d.nullable = draw(st.booleans())
            d.comment = draw(st.sampled_from([None, *COMMENTS]))
        elif kind == "domain_use":
            d.used = not d.used
    elif kind == "schema_grant":
        role = draw(st.sampled_from(GRANT_ROLES))
        privileges = draw(st.lists(st.sampled_from(SCHEMA_PRIVILEGES), max_size=2, unique=True))
        if privileges:
            x.schema_grants[role] = sorted(privileges)
        else:
            x.schema_grants.pop(role, None)
    elif tables:
        _edit_table_security(draw, x, draw(st.sampled_from(tables)), kind)


def _edit_table_security(draw, x: Extras, t: int, kind: str) -> None:
    policies = x.policies.get(t, [])
    p = draw(st.sampled_from(policies)) if policies else None
    if kind == "rls":
        x.rls[t] = (draw(st.booleans()), draw(st.booleans()))
    elif kind == "add_policy":
        draw_policy(draw, x, t)
    elif kind == "drop_policy" and p is not None:
        policies.remove(p)
    elif kind == "change_policy" and p is not None:
        _draw_policy_body(draw, p)
        p.permissive = draw(st.booleans())
    elif kind == "rename_policy" and p is not None and p.renamed_from is None:
        taken = {o.name for o in policies} | {o.renamed_from for o in policies if o.renamed_from}
        name = _fresh(draw, POLICY_NAMES, taken)
        if name is not None:
            p.renamed_from, p.name = (p.name if p.in_a else None), name
    elif kind == "policy_comment" and p is not None:
        p.comment = draw(st.sampled_from([None, *COMMENTS]))
    elif kind == "grant":
        draw_grant(draw, x, t)
    elif kind == "revoke" and x.grants.get(t):
        x.grants[t].pop(draw(st.sampled_from(sorted(x.grants[t]))))


# -- YAML

def decorate(doc: dict, x: Extras, table: int) -> dict:
    """A table's document with its RLS, policies and grants."""
    if table in x.rls:
        enabled, forced = x.rls[table]
        doc["rls"] = {"enabled": enabled, "forced": forced}
    policies = []
    for p in x.policies.get(table, []):
        m: dict = {"name": p.name}
        if p.renamed_from:
            m["renamed_from"] = p.renamed_from
        m["command"], m["roles"] = p.command, p.roles
        if p.using is not None:
            m["using"] = p.using
        if p.with_check is not None:
            m["with_check"] = p.with_check
        if not p.permissive:
            m["permissive"] = False
        if p.comment is not None:
            m["comment"] = p.comment
        policies.append(m)
    if policies:
        doc["policies"] = policies
    grants = [{"role": role, "privileges": privileges} for role, privileges in sorted(x.grants.get(table, {}).items())]
    if grants:
        doc["grants"] = grants
    return doc


def extra_docs(x: Extras) -> list[dict]:
    """The sequences, domains, the ledger that uses them, and the schema grants, as documents."""
    docs: list[dict] = []
    for s in x.sequences:
        doc: dict = {"sequence": s.name}
        if s.renamed_from:
            doc["renamed_from"] = s.renamed_from
        doc.update(s.options)
        if s.owned:
            doc["owned_by"] = f"{LEDGER}.o{s.id}"
        if s.comment is not None:
            doc["comment"] = s.comment
        docs.append(doc)
    for d in x.domains:
        doc = {"domain": d.name}
        if d.renamed_from:
            doc["renamed_from"] = d.renamed_from
        doc["type"] = d.base
        if d.default is not None:
            doc["default"] = d.default
        if not d.nullable:
            doc["nullable"] = False
        if d.checks:
            doc["checks"] = [{"name": n, "expression": e} for n, e in d.checks.items()]
        if d.comment is not None:
            doc["comment"] = d.comment
        docs.append(doc)
    columns = [{"name": f"n{s.id}", "type": "bigint", "default": f"nextval({lit(q(s.name))})"}
               for s in x.sequences if s.used]
    columns += [{"name": f"o{s.id}", "type": "bigint"} for s in x.sequences if s.owned]
    columns += [{"name": f"d{d.id}", "type": d.name} for d in x.domains if d.used]
    docs.append({"table": LEDGER, "columns": columns})
    if x.schema_grants:
        docs.append({"schema": EXTRA_SCHEMA, "grants": [{"role": r, "privileges": p}
                                                          for r, p in sorted(x.schema_grants.items())]})
    return docs
