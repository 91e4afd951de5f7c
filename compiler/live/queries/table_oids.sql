-- Every ordinary or partitioned table by oid: an oid survives renames, so it tells a table
-- created by a migration from one it renamed.
SELECT c.oid, n.nspname || '.' || c.relname AS key
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
