-- The ACL entries of functions and procedures (by oid) but the owner's, one row per (grantee,
-- privilege, grantor). A NULL ACL is the default (acldefault): EXECUTE for PUBLIC, which a routine
-- without `grants:` has (model/security.py PUBLIC_DEFAULTS). Same columns as table_privileges.sql.
SELECT p.oid, NULL::text AS column_name,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
WHERE p.oid = ANY(%(routines)s) AND x.grantee <> p.proowner
