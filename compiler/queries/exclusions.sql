-- Exclusion constraints: each element (column or expression) with its order, operator class
-- (a type's default class left out) and operator, the index method, predicate, timing and comment.
SELECT k.conrelid AS table_oid, k.conname AS name, am.amname AS method,
       pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
       ARRAY(SELECT CASE WHEN x.indkey[e - 1] = 0 THEN NULL ELSE a.attname END
             FROM generate_series(1, x.indnkeyatts) e
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[e - 1]
             ORDER BY e)::text[] AS columns,
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, e, true) FROM generate_series(1, x.indnkeyatts) e
             ORDER BY e)::text[] AS definitions,
       ARRAY(SELECT x.indoption[e - 1] FROM generate_series(1, x.indnkeyatts) e ORDER BY e)::int[] AS options,
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN NULL
                         WHEN pg_opclass_is_visible(opc.oid) THEN opc.opcname
                         ELSE opn.nspname || '.' || opc.opcname END
             FROM generate_series(1, x.indnkeyatts) e
             JOIN pg_opclass opc ON opc.oid = x.indclass[e - 1]
             JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
             ORDER BY e)::text[] AS opclasses,
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
