"""The diff steps of standalone sequences and domains (called from diff.plan()).

Sequences change in place (ALTER SEQUENCE) and keep their position. Domains change their default,
NOT NULL and checks in place; a new base type or collation has no ALTER DOMAIN, so the domain is
renamed out of the way, created anew, its columns converted (diff.py's recast, as for a recreated
enum) and the old one dropped; a domain over it is recreated with it.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from ..model.casts import lossy
from ..model.domains import Domain, base_type
from ..model.schema import Schema
from ..model.standalone_sequences import Sequence
from ..model.types import enum_type_spelling
from . import changes as ch
from .renames import Renames, renamed_pairs, temporary_name


def _hint(item: Sequence | Domain) -> str | None:
    """The key `renamed_from` names: `name` in the item's own schema, `schema.name` in another."""
    if not item.renamed_from:
        return None
    return item.renamed_from if "." in item.renamed_from else f"{item.schema}.{item.renamed_from}"


def _key(item: Sequence | Domain) -> str:
    return item.key


# -- sequences

def sequence_changes(old: Schema, new: Schema, renames: Renames) -> list[ch.Change]:
    """Create, alter, rename, own and drop the standalone sequences."""
    pairs = renamed_pairs(old.sequences, new.sequences, _key, _hint)
    matched = {pairs.get(k, k): a for k, a in old.sequences.items() if pairs.get(k, k) in new.sequences}
    out: list[ch.Change] = []
    for key, b in new.sequences.items():
        a = matched.get(key)
        if a is None:
            out.append(ch.CreateSequence(b))  # its comment with it; its owner once the column exists
            if b.owned_by is not None:
                out.append(ch.SetSequenceOwner(b))
            continue
        if a.name != b.name:
            out.append(ch.RenameSequence(a.schema, a.name, b.name))
        if a.schema != b.schema:
            out.append(ch.SetSequenceSchema(a.schema, b.name, b.schema))
        if (a.type, a.options) != (b.type, b.options):
            out.append(ch.AlterSequence(b, a))
        if a.unlogged != b.unlogged:
            out.append(ch.SetSequenceLogged(b))
        # an owner is of the sequence's own schema: a sequence moved away has none (and moves only without one)
        owner = _owner_now(a, new, renames) if a.schema == b.schema else None
        if a.owned_by is not None and (owner is None or b.owned_by is None):
            out.append(ch.DropSequenceOwner(a))  # before a drop of its old owner would take it along
        if b.owned_by is not None and owner != b.owned_by:
            out.append(ch.SetSequenceOwner(b))
        if a.comment != b.comment:
            out.append(ch.SetSequenceComment(b))
    for key, a in old.sequences.items():
        if pairs.get(key, key) not in new.sequences and (a.owned_by is None or _owner_now(a, new, renames)):
            out.append(ch.DropSequence(a))  # one whose owner goes is dropped by PostgreSQL with it
    return out


def _owner_now(seq: Sequence, new: Schema, renames: Renames) -> str | None:
    """The owner of `seq` after this migration's renames, as `table.column`; None when it has none or
    its owner is dropped."""
    if seq.owned_by is None or seq.owner_table is None:
        return None
    table_key = renames.table(seq.owner_table)
    table = new.tables.get(table_key)
    column = seq.owned_by.rsplit(".", 1)[1]
    column = renames.columns.get(table_key, {}).get(column, column) if table is not None else column
    if table is None or table.column(column) is None:
        return None
    return f"{table.name}.{column}"


# -- domains

def domain_changes(old: Schema, new: Schema, remade_types: Collection[str] = ()
                   ) -> tuple[list[ch.Change], dict[str, Domain], dict[str, str]]:
    """The changes of the domains, the domains recreated (by the spelling their columns have now), and
    the renamed ones (old spelling -> new): a column of a renamed domain follows it, no change of its own.
    `remade_types`: the enums this migration makes anew (a domain over one is made anew with it)."""
    pairs = renamed_pairs(old.domains, new.domains, _key, _hint)
    matched = {pairs.get(k, k): a for k, a in old.domains.items() if pairs.get(k, k) in new.domains}
    spelled = {enum_type_spelling(a.schema, a.name): enum_type_spelling(new.domains[n].schema, new.domains[n].name)
               for o, n in pairs.items() for a in (old.domains[o],)}
    recreated = _recreated(matched, new, spelled, remade_types)
    old_bases = {enum_type_spelling(d.schema, d.name): d for d in old.domains.values()}
    new_bases = {enum_type_spelling(d.schema, d.name): d for d in new.domains.values()}
    out: list[ch.Change] = []
    for key in _by_dependency(new.domains):
        b, a = new.domains[key], matched.get(key)
        if a is None:
            out.append(ch.CreateDomain(b))
        elif key in recreated:
            temp = temporary_name(a.name)
            out += [ch.RenameDomain(a, temp, temporary=True), ch.CreateDomain(b)]
        else:
            if a.name != b.name:
                out.append(ch.RenameDomain(a, b.name))
            if a.schema != b.schema:
                out.append(ch.SetDomainSchema(replace(a, name=b.name), b.schema))
            out += _in_place(a, b)
    # drops: over-domains before what they are over, the renamed-away ones with the new in their place
    for key in reversed(_by_dependency(old.domains)):
        a = old.domains[key]
        now = pairs.get(key, key)
        if now in recreated:
            b = new.domains[now]
            narrower = lossy(base_type(a.type, old_bases), base_type(b.type, new_bases))
            out.append(ch.DropDomain(replace(a, name=temporary_name(a.name)), b, narrower))
        elif now not in new.domains:
            out.append(ch.DropDomain(a))
    spellings = {enum_type_spelling(b.schema, b.name): b for k, b in new.domains.items() if k in recreated}
    return out, spellings, {o: n for o, n in spelled.items() if o != n}


def with_domains_renamed(schema: Schema, spelled: dict[str, str]) -> Schema:
    """`schema` with its columns' types as they read once the domains are renamed (ALTER DOMAIN ... RENAME
    carries every column with it)."""
    if not spelled:
        return schema
    tables = {k: replace(t, columns=tuple(replace(c, type=_spelled(c.type, spelled)) for c in t.columns))
              for k, t in schema.tables.items()}
    return replace(schema, tables=tables)


def _recreated(matched: dict[str, Domain], new: Schema, spelled: dict[str, str],
               remade_types: Collection[str]) -> set[str]:
    """Keys of the new domains that must be made anew: a base type or collation changed, or the
    domain or enum they are over is made anew."""
    out = {k for k, a in matched.items()
           if _spelled(a.type, spelled) != new.domains[k].type or a.collation != new.domains[k].collation
           or new.domains[k].type.removesuffix("[]") in remade_types}
    by_spelling = {enum_type_spelling(d.schema, d.name): k for k, d in new.domains.items()}
    grew = True
    while grew:
        grew = False
        for k, d in new.domains.items():
            over = by_spelling.get(d.type.removesuffix("[]"))
            if k in matched and k not in out and over in out:
                out.add(k)
                grew = True
    return out


def _spelled(type_: str, spelled: dict[str, str]) -> str:
    array = "[]" if type_.endswith("[]") else ""
    base = type_.removesuffix("[]")
    return spelled.get(base, base) + array


def _by_dependency(domains: dict[str, Domain]) -> list[str]:
    """Domain keys, each after the domain it is over (by name otherwise)."""
    by_spelling = {enum_type_spelling(d.schema, d.name): k for k, d in domains.items()}
    out: list[str] = []

    def visit(key: str, seen: tuple[str, ...]) -> None:
        if key in out or key in seen:
            return
        over = by_spelling.get(domains[key].type.removesuffix("[]"))
        if over is not None:
            visit(over, (*seen, key))
        out.append(key)

    for key in sorted(domains):
        visit(key, ())
    return out


def _check_renames(a: Domain, b: Domain) -> dict[str, str]:
    """Old check name -> new, by `renamed_from` on either side (a rollback has it on the old)."""
    out = {c.renamed_from: c.name for c in b.checks
           if c.renamed_from and a.check(c.renamed_from) is not None and a.check(c.name) is None}
    out |= {c.name: c.renamed_from for c in a.checks
            if c.renamed_from and b.check(c.renamed_from) is not None and b.check(c.name) is None and c.name not in out}
    return out


def _in_place(a: Domain, b: Domain) -> list[ch.Change]:
    out: list[ch.Change] = []
    if a.default != b.default:
        out.append(ch.SetDomainDefault(b, b.default) if b.default is not None else ch.DropDomainDefault(b))
    if a.not_null != b.not_null:
        out.append(ch.SetDomainNotNull(b) if b.not_null else ch.DropDomainNotNull(b))
    moved = _check_renames(a, b)
    if moved:
        out += [ch.RenameDomainCheck(b, a.check(old), new) for old, new in moved.items()]  # type: ignore[arg-type]
        a = replace(a, checks=tuple(replace(c, name=moved.get(c.name, c.name)) for c in a.checks))
    for check in a.checks:
        now = b.check(check.name)
        if now is None or now.expression != check.expression:
            out.append(ch.DropDomainCheck(b, check))
    for check in b.checks:
        was = a.check(check.name)
        if was is None or was.expression != check.expression:
            out.append(ch.AddDomainCheck(b, check))  # online ones: NOT VALID, validated apart (plan/online.py)
        elif not was.valid:
            out.append(ch.ValidateDomainCheck(b, check))  # added NOT VALID by hand, never validated
    if a.comment != b.comment:
        out.append(ch.SetDomainComment(b))
    return out


def stored_types(schema: Schema) -> dict[str, Domain]:
    """Each domain of `schema` by how a column's type names it (for base_type)."""
    return {enum_type_spelling(d.schema, d.name): d for d in schema.domains.values()}
