-- Columns of the tables in tables.sql, in attribute order; serial_default: the default is nextval() of
-- a sequence the column owns, spelled as pg_get_expr spells it (a serial column).
SELECT a.attrelid AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated,
       pg_get_expr(d.adbin, d.adrelid) AS expression, col_description(a.attrelid, a.attnum) AS comment,
       -- (looked up only for a column with a default: a serial column's is its sequence's nextval)
       CASE WHEN d.adbin IS NOT NULL THEN coalesce(pg_get_expr(d.adbin, d.adrelid) = (
        SELECT format('nextval(%%L::regclass)', s.oid::regclass)
        FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
        WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
          AND dep.refobjsubid = a.attnum AND dep.deptype = 'a' AND dep.classid = 'pg_class'::regclass
        LIMIT 1), false) ELSE false END AS serial_default,
       -- the collation only when it is not the type's own default
       CASE WHEN a.attcollation <> t.typcollation THEN
            CASE WHEN pg_collation_is_visible(co.oid) THEN co.collname ELSE cn.nspname || '.' || co.collname END
       END AS collation,
       -- the options of the sequence behind an identity or serial column (one with a default)
       CASE WHEN a.attidentity <> '' OR d.adbin IS NOT NULL THEN (SELECT ARRAY[q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle::int]
        FROM pg_depend dep JOIN pg_sequence q ON q.seqrelid = dep.objid
        WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
          AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype IN ('a', 'i')
        LIMIT 1) END AS sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY(%(tables)s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
