-- Primary key, unique, check and foreign key constraints, columns in key order.
SELECT k.conrelid AS table_oid, k.conname AS name, k.contype AS kind,
       CASE WHEN k.contype = 'c' THEN pg_get_constraintdef(k.oid, true) END AS definition,  -- a check's only
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, i)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.i)::text[] AS columns,
       rn.nspname AS ref_schema, r.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.i)::text[] AS ref_columns,
       k.confdeltype AS on_delete, k.confupdtype AS on_update, k.conindid AS index_oid,
       coalesce((SELECT x.indnullsnotdistinct FROM pg_index x
                 WHERE x.indexrelid = k.conindid AND k.contype = 'u'), false) AS nulls_not_distinct,
       k.condeferrable AS deferrable, k.condeferred AS initially_deferred, k.confmatchtype AS match,
       k.connoinherit AS no_inherit, obj_description(k.oid, 'pg_constraint') AS comment,
       k.convalidated AS valid
FROM pg_constraint k
LEFT JOIN pg_class r ON r.oid = k.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE k.conrelid = ANY(%(tables)s) AND k.contype IN ('p', 'u', 'c', 'f')
  -- a foreign key to a partitioned table has a copy per partition, made by PostgreSQL: the key is its parent
  AND k.conparentid = 0
ORDER BY k.conrelid, k.conname
