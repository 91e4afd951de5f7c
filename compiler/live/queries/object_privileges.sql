-- The ACL entries of views, materialized views, sequences and routines but the owner's, one row
-- per (grantee, privilege, grantor), named as introspection names the objects: a relation by
-- schema and name, a routine by schema, name and input types. A NULL ACL is the default
-- (acldefault): nothing for a relation, EXECUTE for PUBLIC on a routine (model/security.py).
SELECT 'relation', n.nspname, c.relname, NULL::text[], NULL::text,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
     aclexplode(coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) x
WHERE c.relkind IN ('v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND x.grantee <> c.relowner
UNION ALL
SELECT 'relation', n.nspname, c.relname, NULL::text[], a.attname::text,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
     aclexplode(a.attacl) x
WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND x.grantee <> c.relowner
UNION ALL
SELECT 'routine', n.nspname, p.proname,
       ARRAY(SELECT format_type(t, NULL)
             FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[]), p.proargmodes) WITH ORDINALITY AS a(t, m, i)
             WHERE m IS NULL OR m IN ('i', 'b', 'v') ORDER BY i),
       NULL::text, CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_get_userbyid(x.grantee)::text END,
       lower(x.privilege_type), x.is_grantable
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace,
     aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
WHERE p.prokind IN ('f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND x.grantee <> p.proowner
