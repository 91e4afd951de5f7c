"""Roles are referenced, never created: the ones a schema names must exist on the server before
its grants and policies can be made. apply and verify say which are missing, by name, and refuse a
grant to the role that owns the object (PostgreSQL folds it into the owner's own privileges, which
are never compared, so it would read as missing forever)."""
from __future__ import annotations

from collections.abc import Iterator

import psycopg
from psycopg import errors

from ..errors import DatabaseError
from ..model.names import qualified, quote_ident
from ..model.schema import Schema, Table
from ..model.security import PUBLIC, ROLE_KEYWORDS, Grants, roles_named
from ..model.standalone_sequences import Sequence
from ..model.view import View


def roles_of(schema: Schema) -> set[str]:
    """Every role the schema's grants and policies name (PUBLIC and CURRENT_USER and its kin aside)."""
    names: set[str] = set()
    for t in schema.tables.values():
        names |= roles_named(t.grants)
        names |= {r for p in t.policies for r in p.roles if r not in ROLE_KEYWORDS}
    for _, _, _, grants in granted_objects(schema):
        names |= roles_named(grants)
    return names - {PUBLIC}


def granted_objects(schema: Schema) -> Iterator[tuple[str, str, str, Grants]]:
    """(what, where: relation, routine or schema, its name as PostgreSQL's to_reg* functions read it,
    its grants) of each object that grants to a role or PUBLIC."""
    relations: list[tuple[str, Table | View | Sequence]] = [
        *(("table", t) for t in schema.tables.values()), *((v.kind, v) for v in schema.views.values()),
        *(("sequence", q) for q in schema.sequences.values())]
    for kind, x in relations:
        if x.grants:
            yield f"{kind} {x.schema}.{x.name}", "relation", qualified(x.schema, x.name), x.grants
    for r in schema.routines.values():
        yield f"{r.kind} {r.key}", "routine", f"{qualified(r.schema, r.name)}({', '.join(r.input_types)})", r.grants
    for n in schema.namespaces.values():
        if n.grants:
            yield f"schema {n.name}", "schema", quote_ident(n.name), n.grants


# the owner of an object, or the role running when there is none yet (it will own what it makes)
_OWNER = """
SELECT pg_get_userbyid(coalesce(CASE %(where)s
    WHEN 'relation' THEN (SELECT relowner FROM pg_class WHERE oid = to_regclass(%(name)s))
    WHEN 'routine' THEN (SELECT proowner FROM pg_proc WHERE oid = to_regprocedure(%(name)s))
    ELSE (SELECT nspowner FROM pg_namespace WHERE oid = to_regnamespace(%(name)s)) END,
  (SELECT oid FROM pg_roles WHERE rolname = current_user)))::text"""


def grants_to_owners(conn: psycopg.Connection, schema: Schema) -> list[str]:
    """'<object> to <role>' for each grant to the role that owns the object on the server `conn` is
    connected to (its owner if it exists, else the role running, which will make it), sorted."""
    out = []
    for what, where, name, grants in granted_objects(schema):
        named = roles_named(grants)
        if not named:
            continue
        owner = _owner(conn, what, where, name)
        if owner in named:
            out.append(f"{what} to {owner}")
    return sorted(out)


# What a routine's signature names may be made by the pending migrations: PostgreSQL's
# to_regprocedure returns NULL for a missing function but raises for a missing argument type or
# schema. Either way the object is not there yet, so the role running will own it.
_NOT_THERE_YET = (errors.UndefinedObject, errors.InvalidSchemaName, errors.UndefinedFunction)


def _owner(conn: psycopg.Connection, what: str, where: str, name: str) -> str | None:
    """The role that owns (or, not there yet, will own) the object `name`."""
    try:
        with conn.transaction():  # a savepoint when a transaction is open: a failure here spoils nothing
            row = conn.execute(_OWNER, {"where": where, "name": name}).fetchone()
    except _NOT_THERE_YET:
        row = conn.execute("SELECT current_user::text").fetchone()
    except psycopg.Error as e:
        detail = e.diag.message_primary or str(e)
        raise DatabaseError(f"cannot check whether the grants on {what} are to the role that owns it: "
                            f"{detail}") from None
    return None if row is None else str(row[0])


def grants_to_owners_message(found: list[str]) -> str:
    return (f"the definitions grant privileges on an object to the role that owns it: {'; '.join(found)}; "
            f"PostgreSQL folds an owner's grants into the privileges it holds as owner, which are never "
            f"declared, so they would show as drift forever: remove those grants")


def missing_roles(conn: psycopg.Connection, names: set[str]) -> list[str]:
    """Those of `names` that are no role on the server `conn` is connected to, sorted."""
    if not names:
        return []
    found = {r for (r,) in conn.execute("SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s)",
                                        [sorted(names)]).fetchall()}
    return sorted(names - found)


def missing_roles_message(missing: list[str], where: str) -> str:
    listed = ", ".join(missing)
    return (f"the definitions grant to or make policies for role(s) that do not exist on {where}: {listed}; "
            f"schemac does not create roles: create them first (CREATE ROLE ...)")
