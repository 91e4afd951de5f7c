-- The key parts of every index of the tables, in order: the column (NULL for an expression),
-- the expression as PostgreSQL prints it (NULL for a column), indoption (bit 1 DESC, bit 2 NULLS FIRST) and the
-- operator class (a type's default class left out, as pg_get_indexdef does).
SELECT x.indexrelid AS index_oid, x.indexrelid::regclass::text AS index_name,
       ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN NULL ELSE a.attname END
             FROM generate_series(1, x.indnkeyatts) k
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]
             ORDER BY k)::text[] AS columns,
       ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN pg_get_indexdef(x.indexrelid, k, true) END
             FROM generate_series(1, x.indnkeyatts) k ORDER BY k)::text[] AS definitions,
       ARRAY(SELECT x.indoption[k - 1] FROM generate_series(1, x.indnkeyatts) k ORDER BY k)::int[] AS options,
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN NULL
                         WHEN pg_opclass_is_visible(opc.oid) THEN opc.opcname
                         ELSE opn.nspname || '.' || opc.opcname END
             FROM generate_series(1, x.indnkeyatts) k
             JOIN pg_opclass opc ON opc.oid = x.indclass[k - 1]
             JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
             ORDER BY k)::text[] AS opclasses
FROM pg_index x
WHERE x.indrelid = ANY(%(tables)s)
