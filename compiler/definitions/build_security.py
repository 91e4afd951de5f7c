"""`rls:`, `policies:` and `grants:` of a table, and `schema:` documents: read and checked.

`grants:` is read the same way for every kind of object that can be granted (`grants(r, body,
kind, ...)`), so any kind of document can take the key by calling it with its kind.
"""
from __future__ import annotations

from ..errors import DefinitionError, did_you_mean
from ..model.expressions import ExpressionProblem
from ..model.policy_expressions import condition_problem, holds_a_subquery, policy_expression
from ..model.schema import Expression
from ..model.security import (
    COLUMN_PRIVILEGES,
    COMMANDS,
    PRIVILEGES,
    PUBLIC,
    ROLE_KEYWORDS,
    TAKES_USING,
    TAKES_WITH_CHECK,
    Grants,
    Namespace,
    Policy,
    Privilege,
    canonical_grants,
)
from .drafts import TableContext, TableDraft
from .load import Document, Mapping, Pos, Sequence
from .reader import Reader

RLS_KEYS = frozenset({"enabled", "forced"})
POLICY_KEYS = frozenset({"name", "command", "roles", "using", "with_check", "permissive", "comment", "renamed_from"})
GRANT_KEYS = frozenset({"role", "privileges", "columns", "with_grant_option"})
SCHEMA_KEYS = frozenset({"schema", "comment", "grants"})


def row_security(r: Reader, body: Mapping, t: TableDraft) -> None:
    """`rls: {enabled: true, forced: false}`."""
    value = body.get("rls")
    what = f"'rls' of table {t.name}"
    if not isinstance(value, Mapping):
        r.error(r.pos(body, "rls"), f"{what} must be a mapping such as {{enabled: true, forced: false}}")
        return
    r.keys(value, RLS_KEYS, what)
    t.row_security = bool(r.flag(value, "enabled", what))
    t.force_row_security = bool(r.flag(value, "forced", what))


def policies(cx: TableContext, t: TableDraft, body: Mapping) -> None:
    r = cx.r
    seen: dict[str, Pos] = {}
    for m, _pos in r.mappings(body, "policies", f"table {t.name}"):
        r.keys(m, POLICY_KEYS, "a policy")
        name = r.name(m, "name", "a policy", required=True)
        if name is None:
            continue
        what = f"policy {name} of {t.name}"
        if name in seen:
            r.error(m.value_pos["name"], f"policy {name} appears twice in {t.name} (first at line {seen[name][0]})")
            continue
        seen[name] = m.value_pos["name"]
        command = (r.choice(m, "command", COMMANDS, what) or "all") if "command" in m else "all"
        roles = _policy_roles(r, m, what)
        using = _clause(cx, t, m, "using", command, TAKES_USING, what)
        with_check = _clause(cx, t, m, "with_check", command, TAKES_WITH_CHECK, what)
        permissive = r.flag(m, "permissive", what) if "permissive" in m else True
        comment = (r.text(m, "comment", what) or None) if "comment" in m else None
        renamed_from = r.name(m, "renamed_from", what) if "renamed_from" in m else None
        t.policies.append(Policy(name, command, roles, using, with_check, permissive is not False, comment,
                                 renamed_from))


def _clause(cx: TableContext, t: TableDraft, m: Mapping, key: str, command: str, allowed: tuple[str, ...],
            what: str) -> Expression | None:
    if m.get(key) is None:
        return None
    if command not in allowed:
        # PostgreSQL: only WITH CHECK expression allowed for INSERT; only USING for SELECT, DELETE
        other = "with_check" if key == "using" else "using"
        cx.r.error(m.key_pos[key], f"{what} is for {command.upper()}, which takes no "
                                   f"{'USING' if key == 'using' else 'WITH CHECK'} expression; "
                                   f"write '{other}' instead")
        return None
    value = m.get(key)
    if isinstance(value, str) and holds_a_subquery(value):
        try:  # its names are PostgreSQL's to judge (verify, apply): a subquery reads other tables
            found: Expression | None = policy_expression(value)
        except ExpressionProblem as e:
            cx.r.error(cx.r.pos(m, key), f"'{key}' of {what}: {e}")
            return None
    else:
        found = cx.expression(m, key, what, t)
    problem = condition_problem(found.text, {c.name: c.type for c in t.columns}) if found is not None else None
    if problem is not None:
        cx.r.error(cx.r.pos(m, key), f"'{key}' of {what} {problem}")
        return None
    return found


def _policy_roles(r: Reader, m: Mapping, what: str) -> tuple[str, ...]:
    if "roles" not in m:
        return (PUBLIC,)
    value = m.get("roles")
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        r.error(r.pos(m, "roles"), f"'roles' of {what} must be a non-empty list of role names")
        return (PUBLIC,)
    names = r.name_list(items, r.pos(m, "roles"), "roles")
    if names is None:
        return (PUBLIC,)
    for i, n in enumerate(names):
        if n.lower() in ROLE_KEYWORDS and n.lower() != PUBLIC:
            # PostgreSQL stores the role it stands for when the policy is made: the one that
            # applied it, which drift (run as another role) would then report as changed
            where = items.item_pos[i] if isinstance(items, Sequence) else r.pos(m, "roles")
            r.error(where, f"'roles' of {what} names {n}, which PostgreSQL resolves to the role that "
                           f"runs the migration; write the role's name")
            return (PUBLIC,)
    roles = tuple(sorted({_role_word(n) for n in names}))
    if PUBLIC in roles and len(roles) > 1:
        # PostgreSQL keeps PUBLIC alone ("ignoring specified roles other than PUBLIC")
        r.error(r.pos(m, "roles"), f"'roles' of {what} lists PUBLIC with other roles; PUBLIC is every role, "
                                   f"so PostgreSQL would keep it alone: list PUBLIC or the roles")
        return (PUBLIC,)
    return roles


def _role_word(name: str) -> str:
    """PUBLIC in any case is the keyword; any other name is a role, exactly as written."""
    return PUBLIC if name.lower() == PUBLIC else name


def grants(r: Reader, body: Mapping, kind: str, what: str, columns: set[str] | None = None) -> Grants:
    """The `grants:` of an object of `kind` (model/security.py PRIVILEGES), `all` expanded as
    PostgreSQL expands it; `columns` names the columns a column privilege may be on."""
    allowed = PRIVILEGES[kind]
    out: list[Privilege] = []
    for m, _pos in r.mappings(body, "grants", what):
        r.keys(m, GRANT_KEYS, "a grant")
        role_name = r.text(m, "role", "a grant", required=True)
        if role_name is None:
            continue
        role = _grant_role(r, m, role_name)
        if role is None:
            continue
        option = bool(r.flag(m, "with_grant_option", "a grant")) if "with_grant_option" in m else False
        if option and role == PUBLIC:
            r.error(m.key_pos["with_grant_option"], "grant options cannot be granted to PUBLIC")
            continue
        privileges = _privileges(r, m, allowed, kind)
        on = None
        if "columns" in m:
            on = _grant_columns(r, m, columns, privileges, kind)
            if on is None:
                continue
        for privilege in privileges:
            if on is None:
                out.append(Privilege(role, privilege, None, option))
            else:
                out += [Privilege(role, privilege, c, option) for c in on]
    return canonical_grants(out)


def _grant_role(r: Reader, m: Mapping, name: str) -> str | None:
    if name.lower() == PUBLIC:
        return PUBLIC
    if name.lower() in ROLE_KEYWORDS:
        r.error(r.pos(m, "role"), f"a grant names a role; {name} is resolved when the statement runs, "
                                  f"so write the role's name")
        return None
    return r.name(m, "role", "a grant")


def _privileges(r: Reader, m: Mapping, allowed: tuple[str, ...], kind: str) -> list[str]:
    value = m.get("privileges")
    items = [value] if isinstance(value, str) else value
    pos = r.pos(m, "privileges")
    if not isinstance(items, list) or not items:
        r.error(pos if "privileges" in m else m.pos, f"a grant needs 'privileges': a list of "
                                                     f"{', '.join(allowed)} or [all]")
        return []
    out: list[str] = []
    for i, item in enumerate(items):
        where = items.item_pos[i] if isinstance(items, Sequence) else pos
        word = " ".join(str(item).lower().split())
        if word in ("all", "all privileges"):
            out += allowed
        elif word in allowed:
            out.append(word)
        else:
            r.error(where, f"'{item}' is not a privilege of a {kind.replace('_', ' ')}; "
                           f"it takes {', '.join(allowed)} or all{did_you_mean(word, allowed)}")
    return list(dict.fromkeys(out))


def _grant_columns(r: Reader, m: Mapping, columns: set[str] | None, privileges: list[str],
                   kind: str) -> list[str] | None:
    pos = r.pos(m, "columns")
    if columns is None:
        r.error(m.key_pos["columns"], f"a {kind.replace('_', ' ')} has no columns to grant privileges on")
        return None
    wrong = [p for p in privileges if p not in COLUMN_PRIVILEGES]
    if wrong:
        r.error(pos, f"{wrong[0]} cannot be granted on columns; only {', '.join(COLUMN_PRIVILEGES)} can")
        return None
    names = r.names(m, "columns", "a grant")
    if names is None:
        return None
    for i, c in enumerate(names):
        if c not in columns:
            seq = m.get("columns")
            where = seq.item_pos[i] if isinstance(seq, Sequence) and i < len(seq.item_pos) else pos
            r.error(where, f"grant column '{c}' is not a column{did_you_mean(c, columns)}")
            return None
    return names


def namespaces(docs: list[Document], errors: list[DefinitionError]) -> dict[str, Namespace]:
    """`schema:` documents: a schema made explicit, with its comment and grants."""
    out: dict[str, Namespace] = {}
    for doc in docs:
        r = Reader(doc.path, errors)
        body = doc.body
        r.keys(body, SCHEMA_KEYS, "a schema")
        name = r.name(body, "schema", "a schema", required=True)
        if name is None:
            continue
        if name in out:
            r.error(body.value_pos["schema"], f"schema {name} is declared twice")
            continue
        what = f"schema {name}"
        comment = (r.text(body, "comment", what) or None) if "comment" in body else None
        out[name] = Namespace(name, comment, grants(r, body, "schema", what) if "grants" in body else ())
    return dict(sorted(out.items()))
