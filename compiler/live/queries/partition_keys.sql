-- The partition key of each partitioned table, as pg_get_partkeydef prints it.
SELECT partrelid AS table_oid, pg_get_partkeydef(partrelid) AS key
FROM pg_partitioned_table
WHERE partrelid = ANY(%(tables)s)
