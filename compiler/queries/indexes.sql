-- Indexes that do not back a constraint: their parts (column or expression), method and predicate.
SELECT x.indrelid AS table_oid, i.relname AS name, x.indisunique AS is_unique, am.amname AS method,
       pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN NULL ELSE a.attname END
             FROM generate_series(1, x.indnkeyatts) k
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]
             ORDER BY k)::text[] AS columns,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k
             ORDER BY k)::text[] AS definitions
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE x.indrelid = ANY(%(tables)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY x.indrelid, i.relname
