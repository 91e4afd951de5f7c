-- Indexes that do not back a constraint: method, INCLUDE columns, storage parameters, predicate
-- comment and validity (their key parts come from index_parts.sql).
SELECT x.indrelid AS table_oid, x.indexrelid AS index_oid, i.relname AS name, x.indisunique AS is_unique,
       am.amname AS method, pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       ARRAY(SELECT a.attname FROM generate_series(x.indnkeyatts + 1, x.indnatts) k
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]
             ORDER BY k)::text[] AS include,
       i.reloptions AS storage, x.indnullsnotdistinct AS nulls_not_distinct,
       obj_description(i.oid, 'pg_class') AS comment, x.indisvalid AS valid
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE x.indrelid = ANY(%(tables)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY x.indrelid, i.relname
