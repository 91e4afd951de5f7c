"""A comparable picture of a database's schema, read from pg_catalog.

Used to prove that a database migrated step by step equals one built in one step, and that
a rollback restores the catalog exactly. Column order is left out: ADD COLUMN appends.
"""
from __future__ import annotations

import subprocess

import psycopg

_USER_NAMESPACES = """
    n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
"""

QUERIES = {
    "schemas": f"SELECT n.nspname FROM pg_namespace n WHERE {_USER_NAMESPACES} ORDER BY 1",
    "tables": f"""
        SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    # partitioned tables' keys, and each partition's parent and bound
    "partitioning": f"""
        SELECT n.nspname, c.relname, CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               pg_get_expr(c.relpartbound, c.oid), (SELECT i.inhparent::regclass::text FROM pg_inherits i
                                                    WHERE i.inhrelid = c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE (c.relkind = 'p' OR c.relispartition) AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    "columns": f"""
        SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
               col_description(c.oid, a.attnum), a.attcollation::regcollation::text
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {_USER_NAMESPACES}
        ORDER BY 1, 2, 3""",
    "constraints": f"""
        SELECT n.nspname, c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NAMESPACES} ORDER BY 1, 2, 3""",
    "indexes": f"""
        SELECT n.nspname, c.relname, i.relname, pg_get_indexdef(i.oid), x.indisvalid
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NAMESPACES} ORDER BY 1, 2, 3""",
    "enums": f"""
        SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[]
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE {_USER_NAMESPACES} GROUP BY 1, 2 ORDER BY 1, 2""",
    "sequences": f"""
        SELECT n.nspname, c.relname, s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
               s.seqcache, s.seqcycle, obj_description(c.oid, 'pg_class'), c.relpersistence,
               (SELECT d.refobjid::regclass::text || '.' || a.attname || ' ' || d.deptype::text FROM pg_depend d
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid
        WHERE c.relkind = 'S' AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    "domains": f"""
        SELECT n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull,
               pg_get_expr(t.typdefaultbin, 0), t.typcollation::regcollation::text,
               (SELECT array_agg(k.conname || ' ' || pg_get_constraintdef(k.oid) || ' ' || k.convalidated
                                 ORDER BY k.conname)::text[] FROM pg_constraint k WHERE k.contypid = t.oid)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype = 'd' AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    "extensions": "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1",
    "views": f"""
        SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), c.reloptions, c.relispopulated,
               obj_description(c.oid, 'pg_class')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    "view_columns": f"""
        SELECT n.nspname, c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               col_description(c.oid, a.attnum)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND a.attnum > 0 AND {_USER_NAMESPACES} ORDER BY 1, 2, 3""",
    # comments on indexes, constraints and types (tables' and columns' are read above)
    "comments": f"""
        SELECT n.nspname, 'index', c.relname, NULL, d.description
        FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'i' AND {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, 'constraint', r.relname, k.conname, d.description
        FROM pg_description d JOIN pg_constraint k ON d.classoid = 'pg_constraint'::regclass AND d.objoid = k.oid
        JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace WHERE {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, 'type', t.typname, NULL, d.description
        FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
        JOIN pg_namespace n ON n.oid = t.typnamespace WHERE {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, 'schema', NULL, NULL, d.description
        FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid
        WHERE {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, 'policy', r.relname, p.polname, d.description
        FROM pg_description d JOIN pg_policy p ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid
        JOIN pg_class r ON r.oid = p.polrelid JOIN pg_namespace n ON n.oid = r.relnamespace WHERE {_USER_NAMESPACES}
        ORDER BY 1, 2, 3, 4""",
    "row_security": f"""
        SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND (c.relrowsecurity OR c.relforcerowsecurity) AND {_USER_NAMESPACES} ORDER BY 1, 2""",
    "policies": f"""
        SELECT n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
                     FROM unnest(p.polroles) r ORDER BY 1),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_USER_NAMESPACES} ORDER BY 1, 2, 3""",
    # ACLs as aclexplode reads them, NULL and the owner's left out (sorted: an ACL's order is the
    # order of its GRANTs)
    "privileges": f"""
        SELECT n.nspname, c.relname, NULL::name, x.grantee::regrole::text, x.privilege_type, x.is_grantable
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) x
        WHERE x.grantee <> c.relowner AND {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, c.relname, a.attname, x.grantee::regrole::text, x.privilege_type, x.is_grantable
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
             aclexplode(a.attacl) x
        WHERE x.grantee <> c.relowner AND NOT a.attisdropped AND {_USER_NAMESPACES}
        UNION ALL
        SELECT n.nspname, NULL, NULL, x.grantee::regrole::text, x.privilege_type, x.is_grantable
        FROM pg_namespace n, aclexplode(n.nspacl) x WHERE x.grantee <> n.nspowner AND {_USER_NAMESPACES}
        ORDER BY 1, 2, 3, 4, 5""",
    # functions and procedures as pg_get_functiondef prints them (extension members left out), and triggers
    "routines": f"""
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
               obj_description(p.oid, 'pg_proc'),
               ARRAY(SELECT x.grantee::regrole::text || ':' || x.privilege_type || ':' || x.is_grantable
                     FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
                     WHERE x.grantee <> p.proowner ORDER BY 1)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prokind IN ('f', 'p') AND {_USER_NAMESPACES}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype IN ('e', 'i'))
        ORDER BY 1, 2, 3""",
    "triggers": """
        SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled,
               obj_description(t.oid, 'pg_trigger')
        FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1, 2""",
}


def catalog(url: str) -> dict[str, list[tuple]]:
    """Every user schema object, as PostgreSQL itself prints it."""
    with psycopg.connect(url) as conn:
        return {name: [tuple(r) for r in conn.execute(sql).fetchall()] for name, sql in QUERIES.items()}


def run_sql_file(url: str, sql: str) -> None:
    """Run a whole migration file with psql, exactly as the SPEC says a user may."""
    done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"],
                          input=sql, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"psql failed ({done.returncode}):\n{done.stderr}\n--- SQL ---\n{sql}")
