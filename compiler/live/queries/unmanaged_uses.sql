-- What the tables' own parts use that schemac does not manage: (schema, table, part kind, part name, used).
-- A part kind is 'default', 'generated', 'constraint', 'index', 'policy' (by name), 'partition key' (no name),
-- 'view' (a view's query) or 'type' (a column and its type: a composite, range or base type; a domain over
-- one of those too); for such a domain, `used` ends in the base type after a tab.
WITH user_ns AS (
    SELECT oid FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
),
ext_member AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
unmanaged AS (  -- referenced objects schemac does not write (sequences and domains it does)
    SELECT 'pg_proc'::regclass AS classid, p.oid AS objid FROM pg_proc p
    WHERE p.pronamespace IN (SELECT oid FROM user_ns)
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid FROM pg_type t  -- an array type stands for its element type
    JOIN pg_type e ON e.oid = CASE WHEN t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc
                                   THEN t.typelem ELSE t.oid END
    WHERE e.typtype NOT IN ('e', 'd') AND e.typnamespace IN (SELECT oid FROM user_ns)
      AND NOT (e.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = e.typrelid) <> 'c')
    UNION ALL
    SELECT 'pg_collation'::regclass, c.oid FROM pg_collation c WHERE c.collnamespace IN (SELECT oid FROM user_ns)
    UNION ALL
    SELECT 'pg_operator'::regclass, o.oid FROM pg_operator o WHERE o.oprnamespace IN (SELECT oid FROM user_ns)
),
unmanaged_own AS (
    SELECT u.* FROM unmanaged u
    WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = u.classid AND e.objid = u.objid)
)
SELECT n.nspname, c.relname,
       CASE WHEN a.attgenerated = 's' THEN 'generated' ELSE 'default' END, a.attname,
       pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL
SELECT n.nspname, c.relname, 'constraint', k.conname, pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_constraint k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL
SELECT n.nspname, c.relname, 'index', i.relname, pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_index x ON d.classid = 'pg_class'::regclass AND x.indexrelid = d.objid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL  -- a view or materialized view: its query's own dependencies (the part is the view itself)
SELECT DISTINCT n.nspname, c.relname, 'view', c.relname, pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
JOIN pg_class c ON c.oid = r.ev_class AND c.relkind IN ('v', 'm') JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL
-- a partitioned table depends itself on what its key uses (a function, a collation, an operator class's schema)
SELECT n.nspname, c.relname, 'partition key', '', pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid AND d.objsubid = 0 AND c.relkind = 'p'
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL
SELECT n.nspname, c.relname, 'type', a.attname,
       pg_describe_object('pg_type'::regclass, t.oid, 0)
       || CASE WHEN t.typtype = 'd' THEN E'\t' || format_type(t.typbasetype, t.typtypmod) ELSE '' END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type at ON at.oid = a.atttypid
JOIN pg_type t ON t.oid = CASE WHEN at.typelem <> 0 AND at.typlen = -1 AND at.typsubscript = 'array_subscript_handler'::regproc
                               THEN at.typelem ELSE at.oid END
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND ('pg_type'::regclass, t.oid) IN (SELECT classid, objid FROM unmanaged_own)
UNION ALL
SELECT n.nspname, c.relname, 'policy', p.polname, pg_describe_object(d.refclassid, d.refobjid, 0)
FROM pg_depend d
JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (d.refclassid, d.refobjid) IN (SELECT classid, objid FROM unmanaged_own)
ORDER BY 1, 2, 3, 4, 5
