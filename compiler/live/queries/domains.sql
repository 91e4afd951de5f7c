-- Domains in user schemas, not owned by an extension: base type, default, NOT NULL, collation (when not
-- the base type's), comment, and their checks as (name, expression inside CHECK (...), validated).
SELECT n.nspname AS schema, t.typname AS name, format_type(t.typbasetype, t.typtypmod) AS type,
       pg_get_expr(t.typdefaultbin, 0) AS "default", t.typnotnull AS not_null,
       CASE WHEN t.typcollation <> b.typcollation THEN
            CASE WHEN pg_collation_is_visible(co.oid) THEN co.collname ELSE cn.nspname || '.' || co.collname END
       END AS collation,
       obj_description(t.oid, 'pg_type') AS comment,
       COALESCE((SELECT array_agg(k.conname::text ORDER BY k.conname) FROM pg_constraint k
                 WHERE k.contypid = t.oid AND k.contype = 'c'), '{}') AS check_names,
       COALESCE((SELECT array_agg(pg_get_constraintdef(k.oid) ORDER BY k.conname) FROM pg_constraint k
                 WHERE k.contypid = t.oid AND k.contype = 'c'), '{}') AS check_definitions,
       COALESCE((SELECT array_agg(k.convalidated ORDER BY k.conname) FROM pg_constraint k
                 WHERE k.contypid = t.oid AND k.contype = 'c'), '{}') AS check_valid
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type b ON b.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                  AND d.deptype = 'e')
ORDER BY 1, 2
