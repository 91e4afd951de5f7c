-- Enum types in user schemas with their labels in order, not owned by an extension.
SELECT n.nspname AS schema, t.typname AS name,
       COALESCE(array_agg(e.enumlabel ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL),
                '{}')::text[] AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t
LEFT JOIN pg_enum e ON e.enumtypid = t.oid  -- an enum may have no labels at all
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                  AND d.deptype = 'e')
GROUP BY 1, 2, t.oid
ORDER BY 1, 2
