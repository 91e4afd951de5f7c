-- Standalone sequences in user schemas: not an identity column's (deptype 'i'), not a serial column's
-- (owned by an integer column whose default is its nextval, as columns.sql reads a serial), not an
-- extension's. owned_by: the column it is OWNED BY (deptype 'a'), as table.column.
SELECT n.nspname AS schema, c.relname AS name, format_type(q.seqtypid, NULL) AS type,
       ARRAY[q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle::int] AS options,
       (SELECT r.relname || '.' || a.attname FROM pg_depend d
        JOIN pg_class r ON r.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
          AND d.deptype = 'a' LIMIT 1) AS owned_by,
       obj_description(c.oid, 'pg_class') AS comment, c.relpersistence = 'u' AS unlogged
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence q ON q.seqrelid = c.oid
WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND (d.deptype IN ('i', 'e')))
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
        AND d.deptype = 'a' AND a.atttypid IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
        AND pg_get_expr(ad.adbin, ad.adrelid) = format('nextval(%L::regclass)', c.oid::regclass))
ORDER BY 1, 2
