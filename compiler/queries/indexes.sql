-- Indexes that do not back a constraint: their parts (column or expression) with order and
-- operator class (a type's default class left out, as pg_get_indexdef does), INCLUDE columns,
-- method, storage parameters, predicate and comment.
SELECT x.indrelid AS table_oid, i.relname AS name, x.indisunique AS is_unique, am.amname AS method,
       pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN NULL ELSE a.attname END
             FROM generate_series(1, x.indnkeyatts) k
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]
             ORDER BY k)::text[] AS columns,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k
             ORDER BY k)::text[] AS definitions,
       ARRAY(SELECT x.indoption[k - 1] FROM generate_series(1, x.indnkeyatts) k ORDER BY k)::int[] AS options,
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN NULL
                         WHEN pg_opclass_is_visible(opc.oid) THEN opc.opcname
                         ELSE opn.nspname || '.' || opc.opcname END
             FROM generate_series(1, x.indnkeyatts) k
             JOIN pg_opclass opc ON opc.oid = x.indclass[k - 1]
             JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
             ORDER BY k)::text[] AS opclasses,
       ARRAY(SELECT a.attname FROM generate_series(x.indnkeyatts + 1, x.indnatts) k
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]
             ORDER BY k)::text[] AS include,
       i.reloptions AS storage, x.indnullsnotdistinct AS nulls_not_distinct,
       obj_description(i.oid, 'pg_class') AS comment
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE x.indrelid = ANY(%(tables)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY x.indrelid, i.relname
