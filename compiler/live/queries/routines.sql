-- Functions and procedures schemac manages: in sql or plpgsql, with a body of text (not BEGIN ATOMIC),
-- in user schemas, not an extension's nor another object's own (a range type's constructors).
-- Aggregates, window functions and routines in other languages are listed by unmanaged.sql.
SELECT n.nspname, p.proname, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, l.lanname, p.prosrc,
       format_type(p.prorettype, NULL), p.proretset, p.provolatile, p.proisstrict, p.prosecdef, p.proparallel,
       p.proleakproof, p.procost, p.prorows, p.proconfig, obj_description(p.oid, 'pg_proc'),
       ARRAY(SELECT format_type(t, NULL) FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[]))
             WITH ORDINALITY AS a(t, i) ORDER BY i),
       p.proargmodes::text[], p.proargnames,
       ARRAY(SELECT pg_get_function_arg_default(p.oid, i)
             FROM generate_series(1, cardinality(COALESCE(p.proallargtypes, p.proargtypes::oid[]))) AS i ORDER BY i)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.deptype IN ('e', 'i'))
ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)
