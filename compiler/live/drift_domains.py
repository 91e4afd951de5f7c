"""drift's words for a domain made anew: PostgreSQL has no ALTER DOMAIN for a base type or a
collation, so the plan renames the live domain out of the way, creates it, converts its columns and
drops the old one; none of those steps is the difference, which is the base type or collation."""
from __future__ import annotations

from ..plan import changes as ch


def remade_domains(changes: list[ch.Change]) -> dict[str, ch.DropDomain]:
    """Key of each domain the plan makes anew -> the drop of the live one (which holds it as it is)."""
    return {c.replaced_by.key: c for c in changes if isinstance(c, ch.DropDomain) and c.replaced_by is not None}


def remade_domain_words(change: ch.Change, remade: dict[str, ch.DropDomain]) -> str | None:
    """The line for `change` when it is a step of making a domain anew ('' says nothing); None otherwise."""
    if isinstance(change, ch.RenameDomain) and change.temporary:
        return ""
    if isinstance(change, ch.DropDomain) and change.replaced_by is not None:
        return ""
    if isinstance(change, ch.AlterColumnType) and change.old_type == change.new_type:
        return ""  # a column converted to the domain made anew: the same type by name
    if isinstance(change, ch.CreateDomain) and change.subject in remade:
        live, wanted = remade[change.subject].domain, change.domain
        lines = []
        if live.type != wanted.type:
            lines.append(f"domain {wanted.key} is over {live.type} but should be over {wanted.type}")
        if live.collation != wanted.collation:
            lines.append(f"domain {wanted.key} has the collation {live.collation or 'of its base type'} but "
                         f"should have {wanted.collation or 'that of its base type'}")
        # neither: a domain or enum it is over is made anew
        return "; ".join(lines) or f"domain {wanted.key} is over a type that is made anew"
    return None
