-- Objects and properties in user schemas that schemac does not manage, one row each:
-- (schema or NULL, object, what it is or what is not written, skipped: the whole object is left out,
--  the table it leaves out of an import as schema.name, or NULL).
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
),
ext_member AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
),
rel AS (
    SELECT c.*, n.nspname, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS label
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
      AND NOT (n.nspname = 'public' AND c.relname = 'schema_migrations')
)
-- sequences are managed: identity and serial ones by their columns, the rest as `sequence:` documents
SELECT nspname, label, 'foreign table', true, NULL
FROM rel WHERE relkind = 'f'
UNION ALL
-- a partition's indexes and constraints of its own (not made by PostgreSQL from its parent's)
SELECT rel.nspname, quote_ident(i.relname) || ' on partition ' || rel.label, 'index of a partition alone (not written)',
       false, NULL
FROM rel JOIN pg_index x ON x.indrelid = rel.oid JOIN pg_class i ON i.oid = x.indexrelid
WHERE rel.relispartition AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)
UNION ALL
-- a partition's column whose default or NOT NULL is not its parent's (an attached table keeps its own)
SELECT rel.nspname, rel.label || '.' || quote_ident(a.attname),
       'default or NOT NULL of a partition alone (not written)', false, NULL
FROM rel JOIN pg_inherits i ON i.inhrelid = rel.oid
JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_attribute pa ON pa.attrelid = i.inhparent AND pa.attname = a.attname
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
WHERE rel.relispartition AND a.attgenerated = '' AND (a.attnotnull <> pa.attnotnull
      OR pg_get_expr(d.adbin, d.adrelid) IS DISTINCT FROM pg_get_expr(pd.adbin, pd.adrelid))
UNION ALL
SELECT rel.nspname, quote_ident(k.conname) || ' on partition ' || rel.label,
       'constraint of a partition alone (not written)', false, NULL
FROM rel JOIN pg_constraint k ON k.conrelid = rel.oid
WHERE rel.relispartition AND k.conparentid = 0 AND k.conislocal AND k.contype IN ('c', 'f', 'p', 'u', 'x')
UNION ALL
-- a trigger made on one partition alone (a clone of its parent's has tgparentid)
SELECT rel.nspname, quote_ident(t.tgname) || ' on partition ' || rel.label,
       'trigger of a partition alone (not written)', false, NULL
FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid
WHERE rel.relispartition AND NOT t.tgisinternal AND t.tgparentid = 0
UNION ALL
SELECT nspname, label, 'table inheriting from ' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno),
       true, nspname || '.' || relname
FROM rel JOIN pg_inherits i ON i.inhrelid = rel.oid
WHERE NOT rel.relispartition GROUP BY nspname, label, relname
UNION ALL
SELECT nspname, label, 'unlogged (written as a logged table)', false, NULL FROM rel WHERE relkind = 'r' AND relpersistence = 'u'
UNION ALL
SELECT nspname, label, 'table of type ' || reloftype::regtype::text || ' (written as a plain table)', false, NULL
FROM rel WHERE relkind = 'r' AND reloftype <> 0
UNION ALL
SELECT nspname, label, 'storage parameters ' || array_to_string(reloptions, ', ') || ' (not written)', false, NULL
FROM rel WHERE relkind IN ('r', 'p') AND reloptions IS NOT NULL
UNION ALL
SELECT nspname, label, 'tablespace ' || quote_ident(t.spcname) || ' (not written)', false, NULL
FROM rel JOIN pg_tablespace t ON t.oid = rel.reltablespace WHERE relkind IN ('r', 'p', 'i', 'm')
UNION ALL
SELECT rel.nspname, rel.label || '.' || quote_ident(a.attname), 'default of a view column (not written)', false, NULL
FROM rel JOIN pg_attrdef d ON d.adrelid = rel.oid JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
WHERE rel.relkind = 'v'
UNION ALL
SELECT rel.nspname, rel.label || '.' || quote_ident(a.attname),
       concat_ws(', ', CASE WHEN a.attstorage <> t.typstorage THEN 'storage ' || a.attstorage::text END,
                 CASE WHEN a.attstattarget >= 0 THEN 'statistics target ' || a.attstattarget END,
                 CASE WHEN a.attcompression <> '' THEN 'compression ' || a.attcompression::text END) || ' (not written)', false, NULL
FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid JOIN pg_type t ON t.oid = a.atttypid
WHERE rel.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
  AND (a.attstorage <> t.typstorage OR a.attstattarget >= 0 OR a.attcompression <> '')
UNION ALL
SELECT rel.nspname, rel.label, 'privileges granted to ' || string_agg(DISTINCT
           CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END, ', ')
           || ' (not written)', false, NULL
FROM rel, aclexplode(rel.relacl) x
-- a table's (partitioned or not), a view's and a standalone sequence's are written; an identity or serial
-- sequence's are not
WHERE (rel.relkind = 'f' OR (rel.relkind = 'S' AND EXISTS (
          SELECT 1 FROM pg_depend d
          LEFT JOIN pg_attrdef ad ON ad.adrelid = d.refobjid AND ad.adnum = d.refobjsubid
          WHERE d.classid = 'pg_class'::regclass AND d.objid = rel.oid AND d.refclassid = 'pg_class'::regclass
            AND (d.deptype = 'i' OR (d.deptype = 'a' AND pg_get_expr(ad.adbin, ad.adrelid)
                                                         = format('nextval(%L::regclass)', rel.oid::regclass))))))
  AND x.grantee <> rel.relowner
GROUP BY rel.nspname, rel.label
UNION ALL
SELECT rel.nspname, rel.label || '.' || quote_ident(a.attname), 'column privileges (not written)', false, NULL
FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND rel.relkind NOT IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT n.nspname, 'default privileges' || COALESCE(' in schema ' || quote_ident(n.nspname), '')
       || ' for role ' || quote_ident(pg_get_userbyid(d.defaclrole)), 'not written', false, NULL
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(t.typname),
       CASE t.typtype WHEN 'c' THEN 'composite type' WHEN 'r' THEN 'range type'
                      ELSE 'base type' END, true, NULL
FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
WHERE (t.typtype = 'r' OR (t.typtype = 'b' AND t.typelem = 0 AND t.typarray <> 0)
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
                      ELSE CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END
                           || CASE WHEN p.prosqlbody IS NOT NULL THEN ' with a BEGIN ATOMIC body'
                                   ELSE ' in language ' || l.lanname END END, true, NULL
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- a range type's own constructors
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')
  -- functions and procedures in sql or plpgsql with a body of text are managed (queries/routines.sql)
  AND (p.prokind IN ('a', 'w') OR l.lanname NOT IN ('sql', 'plpgsql') OR p.prosqlbody IS NOT NULL)
UNION ALL
-- triggers of tables (partitioned or not) and views are managed (queries/triggers.sql); a foreign table's are not
SELECT rel.nspname, quote_ident(g.tgname) || ' on ' || rel.label, 'trigger on a foreign table', true, NULL
FROM pg_trigger g JOIN rel ON rel.oid = g.tgrelid WHERE NOT g.tgisinternal AND rel.relkind = 'f'
UNION ALL
SELECT rel.nspname, quote_ident(r.rulename) || ' on ' || rel.label, 'rule', true, NULL
FROM pg_rewrite r JOIN rel ON rel.oid = r.ev_class WHERE r.rulename <> '_RETURN'
UNION ALL
SELECT n.nspname, 'schema ' || quote_ident(n.nspname),
       'holds no table, enum, domain, sequence or routine (not written)', false, NULL
FROM user_ns n JOIN pg_namespace s ON s.oid = n.oid
WHERE n.nspname <> 'public'
  AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.relnamespace = n.oid AND rel.relkind IN ('r', 'p', 'S'))
  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid AND t.typtype IN ('e', 'd'))
  AND NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang  -- a routine schemac writes
                  WHERE p.pronamespace = n.oid AND p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql'))
  AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid)
  -- an empty schema, or one with a comment or privileges, is a `schema:` document (queries/namespaces.sql)
  AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = n.oid)
  AND s.nspacl IS NULL AND obj_description(n.oid, 'pg_namespace') IS NULL
UNION ALL
SELECT NULL, quote_ident(e.evtname), 'event trigger', true, NULL
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT 1 FROM ext_member m WHERE m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid)
UNION ALL
SELECT NULL, quote_ident(p.pubname), 'publication', true, NULL FROM pg_publication p
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(c.collname), 'collation', true, NULL
FROM pg_collation c JOIN user_ns n ON n.oid = c.collnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_collation'::regclass AND e.objid = c.oid)
UNION ALL
SELECT NULL, quote_ident(x.extname), concat_ws(', ',
           CASE WHEN x.extconfig IS NOT NULL THEN 'configuration tables (their rows are not written)' END,
           CASE WHEN n.nspname <> 'public' THEN 'installed in schema ' || quote_ident(n.nspname)
                                                || ' (written without it)' END), false, NULL
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' AND (x.extconfig IS NOT NULL OR n.nspname <> 'public')
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || o.oprname || '('
           || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ', '
           || format_type(o.oprright, NULL) || ')', 'operator', true, NULL
FROM pg_operator o JOIN user_ns n ON n.oid = o.oprnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid)
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' using ' || a.amname,
       'operator family', true, NULL
FROM pg_opfamily f JOIN user_ns n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_opfamily'::regclass AND e.objid = f.oid)
UNION ALL
-- a cast belongs to no schema; those PostgreSQL ships have oids below FirstNormalObjectId
SELECT NULL, 'cast (' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')',
       'cast', true, NULL
FROM pg_cast c
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_cast'::regclass AND e.objid = c.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d  -- a range type's own cast to its multirange
                  WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype = 'i')
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(t.cfgname), 'text search configuration', true, NULL
FROM pg_ts_config t JOIN user_ns n ON n.oid = t.cfgnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_ts_config'::regclass AND e.objid = t.oid)
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(t.dictname), 'text search dictionary', true, NULL
FROM pg_ts_dict t JOIN user_ns n ON n.oid = t.dictnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_ts_dict'::regclass AND e.objid = t.oid)
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(t.prsname), 'text search parser', true, NULL
FROM pg_ts_parser t JOIN user_ns n ON n.oid = t.prsnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_ts_parser'::regclass AND e.objid = t.oid)
UNION ALL
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(t.tmplname), 'text search template', true, NULL
FROM pg_ts_template t JOIN user_ns n ON n.oid = t.tmplnamespace
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_ts_template'::regclass AND e.objid = t.oid)
UNION ALL
SELECT NULL, quote_ident(w.fdwname), 'foreign-data wrapper', true, NULL
FROM pg_foreign_data_wrapper w
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_foreign_data_wrapper'::regclass
                  AND e.objid = w.oid)
UNION ALL
SELECT NULL, quote_ident(s.srvname), 'foreign server', true, NULL
FROM pg_foreign_server s
WHERE NOT EXISTS (SELECT 1 FROM ext_member e WHERE e.classid = 'pg_foreign_server'::regclass AND e.objid = s.oid)
UNION ALL
-- (pg_user_mappings: the catalog itself is the superuser's alone, as it may hold passwords)
SELECT NULL, 'user mapping for ' || CASE WHEN m.umuser = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(m.umuser)) END
           || ' on server ' || quote_ident(m.srvname), 'user mapping', true, NULL
FROM pg_user_mappings m
UNION ALL
-- CREATE STATISTICS: the planner's statistics on columns together
SELECT n.nspname, quote_ident(n.nspname) || '.' || quote_ident(x.stxname) || ' on ' || rel.label,
       'extended statistics', true, NULL
FROM pg_statistic_ext x JOIN user_ns n ON n.oid = x.stxnamespace JOIN rel ON rel.oid = x.stxrelid
UNION ALL
SELECT rel.nspname, rel.label, 'replica identity ' || CASE rel.relreplident WHEN 'f' THEN 'full' WHEN 'n' THEN 'nothing'
           ELSE 'using index ' || coalesce((SELECT quote_ident(i.relname) FROM pg_index x
                                            JOIN pg_class i ON i.oid = x.indexrelid
                                            WHERE x.indrelid = rel.oid AND x.indisreplident), '?') END
           || ' (not written)', false, NULL
FROM rel WHERE rel.relkind IN ('r', 'p') AND rel.relreplident <> 'd'
ORDER BY 2, 3
