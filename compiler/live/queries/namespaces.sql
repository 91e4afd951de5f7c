-- Schemas schemac may hold a `schema:` document for: public, and every user schema (not an
-- extension's) that has a comment, privileges of its own, or holds nothing at all (a schema that
-- holds only objects schemac does not manage is theirs). Privileges are its ACL but the owner's.
SELECT n.nspname, obj_description(n.oid, 'pg_namespace'),
       ARRAY(SELECT CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END
             FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) x
             WHERE x.grantee <> n.nspowner ORDER BY x.grantee, x.privilege_type),
       ARRAY(SELECT lower(x.privilege_type)
             FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) x
             WHERE x.grantee <> n.nspowner ORDER BY x.grantee, x.privilege_type),
       ARRAY(SELECT x.is_grantable
             FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) x
             WHERE x.grantee <> n.nspowner ORDER BY x.grantee, x.privilege_type)
FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                  AND d.deptype = 'e')
  AND (n.nspname = 'public' OR n.nspacl IS NOT NULL
       OR EXISTS (SELECT 1 FROM pg_description d WHERE d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid)
       OR NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = n.oid))
ORDER BY 1
