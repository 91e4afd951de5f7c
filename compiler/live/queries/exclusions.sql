-- Exclusion constraints: the operator of each element, the index method, predicate, timing and
-- comment (the elements themselves are the index's key parts, from index_parts.sql).
SELECT k.conrelid AS table_oid, k.conindid AS index_oid, k.conname AS name, am.amname AS method,
       pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       ARRAY(SELECT o.oprname FROM unnest(k.conexclop) WITH ORDINALITY u(op, e)
             JOIN pg_operator o ON o.oid = u.op ORDER BY u.e)::text[] AS operators,
       k.condeferrable AS deferrable, k.condeferred AS initially_deferred,
       obj_description(k.oid, 'pg_constraint') AS comment
FROM pg_constraint k
JOIN pg_index x ON x.indexrelid = k.conindid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE k.conrelid = ANY(%(tables)s) AND k.contype = 'x'
ORDER BY k.conrelid, k.conname
