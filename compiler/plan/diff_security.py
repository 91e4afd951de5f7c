"""The diff's steps for row-level security, policies, privileges and declared schemas.

Pure, like diff.py, which calls `table_security`, `namespaces` and `object_grants` from plan(). Privileges are
compared as whole ACLs (model/security.py): what the definitions grant is all that is granted
on an object schemac manages, so a privilege granted by hand is revoked, and one revoked by
hand is granted again.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from ..model.routines import Routine, routine_key
from ..model.schema import Expression, Schema, Table
from ..model.security import (
    PRIVILEGES,
    PUBLIC,
    PUBLIC_SCHEMA,
    Grants,
    Policy,
    PolicyReads,
    namespace_default,
    public_defaults,
    with_names_renamed,
)
from ..model.standalone_sequences import Sequence
from ..model.view import View
from . import changes as ch
from . import routine_changes as rc
from . import security_changes as sec
from .diff_views import columns_pinned
from .renames import DISPLACED, Renames, rename_steps, renamed_pairs


@dataclass(frozen=True, slots=True)
class _Under:
    """What the planned changes do that PostgreSQL refuses under a policy reading it: columns
    (old table key, old name) retyped or dropped, tables and views dropped (a view too when it is
    created again), routines dropped (by name: a call does not say which overload). And the
    renames, which PostgreSQL follows inside a policy."""

    columns: frozenset[tuple[str, str]]
    relations: frozenset[str]
    routines: frozenset[str]
    renames: Renames

    def refuse(self, reads: PolicyReads) -> bool:
        return (any(reads.uses(t, c) for t, c in self.columns) or bool(reads.relations & self.relations)
                or bool(reads.calls & self.routines))

    def names_moved(self, reads: PolicyReads) -> dict[str, str]:
        """Old name -> new name of the tables and columns a policy's subquery reads that are renamed."""
        names: dict[str, str] = {}
        for key in sorted(reads.relations) if reads.subquery else ():
            now = self.renames.table(key)
            names[key.split(".", 1)[1]] = now.split(".", 1)[1]
            names |= self.renames.columns.get(now, {})
        return names


def _under(old: Schema, renames: Renames, planned: Collection[ch.Change]) -> _Under:
    return _Under(frozenset(columns_pinned(old, renames, list(planned))),
                  frozenset(c.definition.key for c in planned if isinstance(c, ch.DropTable))
                  | frozenset(c.view.key for c in planned if isinstance(c, ch.DropView | ch.DropMaterializedView)),
                  frozenset(c.routine.name for c in planned if isinstance(c, rc.DropFunction | rc.DropProcedure)),
                  renames)


def table_security(old: Schema, new: Schema, renames: Renames, recreated: frozenset[str] = frozenset(),
                   planned: Collection[ch.Change] = ()) -> list[ch.Change]:
    """Row-level security switches, policies and privileges of every table; `recreated`: the
    spellings of enums recreated in this migration, whose columns change type; `planned`: the
    changes to tables and routines, which a policy reading what they change is dropped around."""
    out: list[ch.Change] = []
    matched = {renames.table(k): a for k, a in old.tables.items() if renames.table(k) in new.tables}
    under = _under(old, renames, planned)
    for key, b in new.tables.items():
        a = matched.get(key)
        out += _new_table(b) if a is None else _table(a, b, renames.columns.get(key, {}), recreated, under)
    return out


def _new_table(t: Table) -> list[ch.Change]:
    name = ch.TableName(t.schema, t.name)
    out: list[ch.Change] = []
    if t.row_security:
        out.append(sec.EnableRowSecurity(name))
    if t.force_row_security:
        out.append(sec.ForceRowSecurity(name))
    for p in t.policies:
        out += _create_policy(name, p)
    return out + privilege_changes(sec.GrantTarget("table", t.schema, t.name), (), t.grants)


def _create_policy(table: ch.TableName, p: Policy) -> list[ch.Change]:
    out: list[ch.Change] = [sec.CreatePolicy(table, p)]
    if p.comment is not None:
        out.append(sec.SetPolicyComment(table, p.name, p.comment))
    return out


def _table(a: Table, b: Table, colmap: dict[str, str], recreated: frozenset[str], under: _Under) -> list[ch.Change]:
    now, was = ch.TableName(b.schema, b.name), ch.TableName(a.schema, a.name)  # drops run before renames
    out: list[ch.Change] = []
    if a.row_security != b.row_security:
        out.append(sec.EnableRowSecurity(now) if b.row_security else sec.DisableRowSecurity(now))
    if a.force_row_security != b.force_row_security:
        out.append(sec.ForceRowSecurity(now) if b.force_row_security else sec.NoForceRowSecurity(now))
    # PostgreSQL refuses to drop or retype a column a policy reads: such a policy is dropped
    # first and made again after
    new_types = {c.name: c.type for c in b.columns}
    moved = {c.name for c in a.columns if c.name not in colmap or new_types.get(colmap[c.name]) != c.type
             or c.type.removesuffix("[]") in recreated}
    out += _policies(a, b, now, was, colmap, moved, under)
    columns_kept = {o: n for o, n in colmap.items() if n in new_types}
    old_grants = tuple(p if p.column is None else replace(p, column=columns_kept[p.column]) for p in a.grants
                       if p.column is None or p.column in columns_kept)  # a dropped column's go with it
    return out + privilege_changes(sec.GrantTarget("table", b.schema, b.name), old_grants, b.grants)


def _policies(a: Table, b: Table, now: ch.TableName, was: ch.TableName, colmap: dict[str, str],
              moved: set[str], under: _Under) -> list[ch.Change]:
    out: list[ch.Change] = []
    moves: list[tuple[str, str]] = []
    kept: set[str] = set()  # old names that stay where they are through the renames
    old_by, new_by = {p.name: p for p in a.policies}, {p.name: p for p in b.policies}
    pairs = {o: n for o, n in renamed_pairs(old_by, new_by, lambda p: p.name, lambda p: p.renamed_from).items()
             if n != DISPLACED}
    pairs |= {n: n for n in old_by if n in new_by and n not in pairs and n not in pairs.values()}
    for old_name, p in old_by.items():
        if old_name not in pairs:
            out.append(sec.DropPolicy(was, p))
    for new_name, q in new_by.items():
        found = next((o for o, n in pairs.items() if n == new_name), None)
        if found is None:
            out += _create_policy(now, q)
            continue
        p = old_by[found]
        reads = {c for e in (p.using, p.with_check) if e is not None for c in e.columns}
        # through a subquery or a call it reads other tables and routines, renamed alike
        other = p.reads or PolicyReads(frozenset((a.key, c) for c in reads))  # a model made by hand: its own columns
        names = under.names_moved(other)
        as_now = replace(p, name=q.name,
                         using=_as_renamed(p.using, colmap, names), with_check=_as_renamed(p.with_check, colmap, names))
        # ALTER POLICY changes roles and expressions, but cannot take an expression away
        rebuild = (reads & moved or under.refuse(other) or as_now.rebuilt_form() != q.rebuilt_form()
                   or (p.using is not None and q.using is None) or (p.with_check is not None and q.with_check is None))
        if rebuild:
            out += [sec.DropPolicy(was, p), *_create_policy(now, q)]
            continue
        if p.name != q.name:
            moves.append((p.name, q.name))
        else:
            kept.add(p.name)
        if (as_now.roles, as_now.using, as_now.with_check) != (q.roles, q.using, q.with_check):
            out.append(sec.AlterPolicy(now, q))
        if p.comment != q.comment:
            out.append(sec.SetPolicyComment(now, q.name, q.comment))
    # a swap or a cycle of names goes through a free one, a chain back to front
    return [sec.RenamePolicy(now, o, n) for o, n in rename_steps(moves, kept)] + out


def _as_renamed(e: Expression | None, colmap: dict[str, str], names: dict[str, str]) -> Expression | None:
    return None if e is None else with_names_renamed(e.with_columns_renamed(colmap), names)


def namespaces(old: Schema, new: Schema) -> list[ch.Change]:
    """Comments and privileges of schemas. A schema without a `schema:` document has neither;
    public is left as it is unless a `schema: public` document declares it (and compared with
    public as PostgreSQL makes it where the other side does not declare it)."""
    out: list[ch.Change] = []
    for name in sorted(new.schema_names | set(new.namespaces)):
        b = new.namespaces.get(name)
        if b is None and (name == PUBLIC or name not in old.namespaces):
            continue
        b = b or namespace_default(name)
        a = old.namespaces.get(name) or namespace_default(name)
        if a.comment != b.comment:
            out.append(sec.SetSchemaComment(name, b.comment))
        out += privilege_changes(sec.GrantTarget("schema", name, name), a.grants, b.grants)
    return out


def rollback_target(before: Schema, after: Schema) -> Schema:
    """What the rollback of `before` -> `after` restores: `before`, with public declared as
    PostgreSQL makes it when `after` declares it and `before` does not (public undeclared is left
    as it is, so the rollback would leave the comment and grants the migration gave it)."""
    if PUBLIC not in after.namespaces or PUBLIC in before.namespaces:
        return before
    return replace(before, namespaces=dict(sorted({**before.namespaces, PUBLIC: PUBLIC_SCHEMA}.items())))


def object_grants(old: Schema, new: Schema, changes: list[ch.Change]) -> list[ch.Change]:
    """Privileges of views, materialized views, standalone sequences and routines. One made in
    this migration (new, or dropped and made again: a view around a column whose type changes, a
    function whose signature does) starts from the ACL PostgreSQL gives it, so its grants are made
    again in the same migration; a renamed one keeps its ACL."""
    made = {_made_key(c) for c in changes} - {None}
    was = _renamed_from(old, changes)
    out: list[ch.Change] = []
    pairs: tuple[tuple[Mapping[str, View | Sequence | Routine], Mapping[str, View | Sequence | Routine]], ...] = (
        (old.views, new.views), (old.sequences, new.sequences), (old.routines, new.routines))
    for olds, news in pairs:
        for key, b in news.items():
            target = _target(b)
            a = None if key in made else was.get(key, olds.get(key))
            start = a.grants if a is not None else public_defaults(target.kind)
            out += privilege_changes(target, start, b.grants, made_here=a is None)
    return out


def _target(x: View | Sequence | Routine) -> sec.GrantTarget:
    if isinstance(x, View):
        return sec.GrantTarget("materialized_view" if x.materialized else "view", x.schema, x.name)
    if isinstance(x, Sequence):
        return sec.GrantTarget("sequence", x.schema, x.name)
    return sec.GrantTarget(x.kind, x.schema, x.name, ", ".join(x.input_types))


def _made_key(c: ch.Change) -> str | None:
    if isinstance(c, (ch.CreateView, ch.CreateMaterializedView)):
        return c.view.key
    if isinstance(c, ch.CreateSequence):
        return c.sequence.key
    if isinstance(c, (rc.CreateFunction, rc.CreateProcedure)):
        return c.routine.key
    return None


def _renamed_from(old: Schema, changes: list[ch.Change]) -> dict[str, View | Sequence | Routine]:
    """New key -> the object as it was, for the views, sequences and routines renamed."""
    out: dict[str, View | Sequence | Routine] = {}
    for c in changes:
        if isinstance(c, ch.RenameSequence) and f"{c.schema}.{c.old_name}" in old.sequences:
            out[f"{c.schema}.{c.new_name}"] = old.sequences[f"{c.schema}.{c.old_name}"]
        elif isinstance(c, ch.SetSequenceSchema):  # after its rename, if any: it keeps its ACL too
            moved = out.get(f"{c.schema}.{c.name}") or old.sequences.get(f"{c.schema}.{c.name}")
            if moved is not None:
                out[f"{c.new_schema}.{c.name}"] = moved
        elif isinstance(c, (ch.RenameView, ch.RenameMaterializedView)):
            out[f"{c.view.schema}.{c.new_name}"] = c.view
        elif isinstance(c, (rc.RenameFunction, rc.RenameProcedure)):
            out[routine_key(c.routine.schema, c.new_name, c.routine.input_types)] = c.routine
    return out


def privilege_changes(target: sec.GrantTarget, old: Grants, new: Grants, made_here: bool = False
                      ) -> list[ch.Change]:
    """GRANT and REVOKE statements, one per role (and grant option), that turn the ACL `old` into `new`.

    REVOKE of a privilege on a whole table revokes it on each of its columns too (and so does a
    REVOKE GRANT OPTION FOR): column privileges that should stay are granted again."""
    was = {(p.role, p.privilege, p.column): p.grantable for p in old}
    want = {(p.role, p.privilege, p.column): p.grantable for p in new}
    revoke: dict[str, list[tuple[str, str | None]]] = {}
    revoke_option: dict[str, list[tuple[str, str | None]]] = {}
    for key, grantable in was.items():
        role, privilege, column = key
        if key not in want:
            revoke.setdefault(role, []).append((privilege, column))
        elif grantable and not want[key]:
            revoke_option.setdefault(role, []).append((privilege, column))
    for role, items in revoke.items():
        for privilege, column in items:
            if column is None:  # its column privileges go with it
                was = {k: g for k, g in was.items() if not (k[0] == role and k[1] == privilege and k[2] is not None)}
    for role, items in revoke_option.items():
        for privilege, column in items:
            if column is None:
                was = {k: (g and not (k[0] == role and k[1] == privilege)) for k, g in was.items()}
    grant: dict[tuple[str, bool], list[tuple[str, str | None]]] = {}
    for key, grantable in want.items():
        role, privilege, column = key
        if key not in was or (grantable and not was[key]):
            grant.setdefault((role, grantable), []).append((privilege, column))
    out: list[ch.Change] = []
    for role in sorted(revoke):
        out.append(sec.Revoke(target, role, _listed(target.kind, revoke[role]), made_here=made_here))
    for role in sorted(revoke_option):
        out.append(sec.Revoke(target, role, _listed(target.kind, revoke_option[role]), grant_option_only=True))
    for role, grantable in sorted(grant):
        out.append(sec.Grant(target, role, _listed(target.kind, grant[role, grantable]), grantable))
    return out


def _listed(kind: str, items: list[tuple[str, str | None]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(privilege, column) items as GRANT lists them: each privilege on the whole object, then
    each on its columns, in the kind's order of privileges."""
    order = PRIVILEGES.get(kind, ())

    def rank(privilege: str) -> tuple[int, str]:
        return (order.index(privilege) if privilege in order else len(order), privilege)

    whole = sorted({p for p, c in items if c is None}, key=rank)
    on_columns: dict[str, list[str]] = {}
    for p, c in items:
        if c is not None:
            on_columns.setdefault(p, []).append(c)
    return tuple((p, ()) for p in whole) + tuple((p, tuple(sorted(on_columns[p])))
                                                 for p in sorted(on_columns, key=rank))

