-- Every partition below the partitioned tables, at any depth: its parent, its bound as
-- pg_get_expr prints it, its comment, and its own key when it is partitioned too. Parents come
-- before their partitions (by depth), then by schema and name.
WITH RECURSIVE tree AS (
    SELECT i.inhrelid AS oid, i.inhparent AS parent, 1 AS depth
    FROM pg_inherits i WHERE i.inhparent = ANY(%(tables)s)
    UNION ALL
    SELECT i.inhrelid, i.inhparent, t.depth + 1 FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid
)
SELECT t.parent, t.oid, n.nspname AS schema, c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
       obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS key
FROM tree t
JOIN pg_class c ON c.oid = t.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relispartition AND c.relkind IN ('r', 'p')
ORDER BY t.depth, n.nspname, c.relname
