"""diff's step for the functions tables and domains call (model/routine_uses.py): pure, no I/O, no SQL.

PostgreSQL binds a default, check, index, generated column, partition key or domain to the
function it calls by oid: the function is created before its callers (CreateCalledFunction) and
dropped after them (DropCalledFunction). One that must be dropped and created again while its
callers stay is moved aside to a free name first; the new one takes the name, each caller is set
again so it binds to the new one (SET DEFAULT, a check or an index dropped and added, ...), and
the old one is dropped last. The rollback is the same step run from the other side.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from ..model.domains import Domain
from ..model.routine_uses import (
    CHECK,
    DEFAULT,
    DOMAIN_CHECK,
    DOMAIN_DEFAULT,
    INDEX,
    RoutineUse,
    aside_name,
    called_names,
    replaced_routines,
    routine_uses,
)
from ..model.routines import Routine
from ..model.schema import Enum, Schema
from ..model.types import enum_type_spelling
from . import called_function_changes as cf
from . import changes as ch
from . import routine_changes as rc
from .diff_routines import as_dropped, respelled, temporary_spellings
from .renames import Renames


def called_functions(old: Schema, new: Schema, renames: Renames, changes: list[ch.Change],
                     remade: Mapping[str, Enum | Domain] | None = None,
                     followed: Mapping[str, str] = MappingProxyType({})) -> list[ch.Change]:
    """`changes` with the creations and drops of called functions put where their callers need
    them, and the callers of a replaced function pointed at its successor. `remade`: the enums and
    domains created anew (by spelling): a function over one is dropped under the renamed-away type.
    `followed`: the types renamed or moved (old spelling -> new), whose new names `old`'s routines
    read already: a function is moved aside before they are renamed, under the names they had."""
    before = {n: o for o, n in followed.items()}
    now_called, was_called = called_names(new), called_names(old)
    aside = {r.key for r in replaced_routines(old, new)}
    # a DropFunction names the routine as it is at drop time; moved aside earlier, it has its own signature
    moved_away = temporary_spellings(old, remade or {})
    as_found = {as_dropped(r, moved_away).key: r for r in old.routines.values()}
    moved: set[str] = set()
    out: list[ch.Change] = []
    for c in changes:
        if isinstance(c, rc.CreateFunction) and c.routine.name in now_called:
            over = _over_domain(c.routine, new)
            out.append(cf.CreateCalledFunctionOverDomain(c.routine) if over else cf.CreateCalledFunction(c.routine))
        elif isinstance(c, rc.DropFunction) and (c.routine.key in aside or c.routine.name in now_called):
            # (one no table called yet makes way the same: its successor is created before the tables)
            free = aside_name(c.routine.name)
            now = as_found.get(c.routine.key, c.routine)
            out += [cf.RenameFunctionAside(respelled(now, before), free),
                    _late_drop(replace(c.routine, name=free), now, old, new)]
            moved.add(c.routine.name)
        elif isinstance(c, rc.DropFunction) and c.routine.name in was_called:
            out.append(_late_drop(c.routine, as_found.get(c.routine.key, c.routine), old, new))
        else:
            out.append(c)
    # the callers of one dropped with its domain hold it by oid as much as those of a new signature
    names = {old.routines[k].name for k in aside} | (moved & was_called)
    if names:
        out += repointed_callers(old, new, renames, changes, names)
    return out


def _over_domain(r: Routine, schema: Schema) -> bool:
    """Do the routine's arguments or result have a domain of `schema` as their type?"""
    spellings = {enum_type_spelling(d.schema, d.name) for d in schema.domains.values()}
    return any(t.removesuffix("[]") in spellings for t in (*(a.type for a in r.arguments), r.returns or ""))


def _late_drop(r: Routine, was: Routine, old: Schema, new: Schema) -> ch.Change:
    """The drop of `r` after its callers; `was`: the routine as `old` has it (the types it is over;
    a domain renamed or moved: the routine names it as `new` does by then)."""
    over = _over_domain(was, old) or _over_domain(r, new)
    return cf.DropCalledFunctionOverDomain(r) if over else cf.DropCalledFunction(r)


def repointed_callers(old: Schema, new: Schema, renames: Renames, changes: list[ch.Change],
                      names: set[str]) -> list[ch.Change]:
    """The changes that make each caller of `names` that is kept as it was bind to the function
    of that name created in this migration (a caller the diff changes anyway binds by itself)."""
    before = {new_key: old_key for old_key, new_key in renames.tables.items()}
    touched = {(type(c).__name__, c.subject) for c in changes}
    out: list[ch.Change] = []
    for use in routine_uses(new):
        if not set(use.names) & names:
            continue
        if use.kind in (DOMAIN_DEFAULT, DOMAIN_CHECK):
            out += _domain_caller(old, new, use, touched)
            continue
        table = new.tables[use.owner]
        was = old.tables.get(before.get(use.owner, use.owner))
        if was is None or use.part is None:
            continue  # a new table is created after the function; a partition key: compile refuses
        here, then = ch.TableName(table.schema, table.name), ch.TableName(was.schema, was.name)
        if use.kind == DEFAULT and was.column(renames.columns.get(table.key, {}).get(use.part, use.part)) is not None:
            if ("SetDefault", f"{here.key}.{use.part}") not in touched:
                out.append(ch.SetDefault(here, use.part, use.expression))
        elif use.kind == CHECK:
            check, old_check = (next((k for k in t.checks if k.name == use.part), None) for t in (table, was))
            if check and old_check and ("AddConstraint", f"{here.key}.{use.part}") not in touched:
                out += [ch.DropConstraint(then, old_check), ch.AddConstraint(here, check)]
        elif use.kind == INDEX:
            index, old_index = (next((i for i in t.indexes if i.name == use.part), None) for t in (table, was))
            if index and old_index and ("CreateIndex", f"{here.schema}.{use.part}") not in touched:
                out += [ch.DropIndex(then, old_index), ch.CreateIndex(here, index)]
    return _once(out)


def _domain_caller(old: Schema, new: Schema, use: RoutineUse, touched: set[tuple[str, str]]) -> list[ch.Change]:
    domain, was = new.domains[use.owner], old.domains.get(use.owner)
    if was is None or ("CreateDomain", domain.key) in touched:
        return []
    if use.kind == DOMAIN_DEFAULT:
        return [] if ("SetDomainDefault", domain.key) in touched else [ch.SetDomainDefault(domain, use.expression)]
    check, old_check = domain.check(use.part or ""), was.check(use.part or "")
    if check is None or old_check is None or ("AddDomainCheck", f"{domain.key}.{check.name}") in touched:
        return []
    # a plain ADD CONSTRAINT checks the stored values itself (plan/online.py splits an online one)
    return [ch.DropDomainCheck(domain, old_check), ch.AddDomainCheck(domain, check)]


def _once(changes: list[ch.Change]) -> list[ch.Change]:
    """An index or a check calling two replaced functions is set again once."""
    seen: set[ch.Change] = set()
    out = []
    for c in changes:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out
