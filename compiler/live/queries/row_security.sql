-- Tables that enforce row-level security (ENABLE, FORCE), by oid.
SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c
WHERE c.oid = ANY(%(tables)s) AND (c.relrowsecurity OR c.relforcerowsecurity)
