-- The ACL entries of the tables and their columns but the owner's, one row per (grantee,
-- privilege, grantor): a NULL ACL is the default (acldefault), which grants no one but the owner.
SELECT c.oid, NULL::text AS column_name,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
WHERE c.oid = ANY(%(tables)s) AND x.grantee <> c.relowner
UNION ALL
SELECT c.oid, a.attname::text,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
     aclexplode(a.attacl) x
WHERE c.oid = ANY(%(tables)s) AND x.grantee <> c.relowner
