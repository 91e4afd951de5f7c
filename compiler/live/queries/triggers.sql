-- Triggers of the tables and views read (%(tables)s), made by CREATE [CONSTRAINT] TRIGGER: not the
-- internal ones of foreign keys, nor the clones a partition gets of its parent's; a constraint
-- trigger's FROM table (tgconstrrelid) by schema and name.
SELECT c.oid, t.tgname, t.tgtype, t.tgenabled, fn.nspname, f.proname, t.tgnargs, t.tgargs,
       ARRAY(SELECT a.attname FROM unnest(t.tgattr::int2[]) WITH ORDINALITY AS k(num, i)
             JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.num ORDER BY k.num),
       pg_get_triggerdef(t.oid), t.tgoldtable, t.tgnewtable, t.tgconstraint <> 0, t.tgdeferrable,
       t.tginitdeferred, obj_description(t.oid, 'pg_trigger'), rn.nspname, r.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc f ON f.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
LEFT JOIN pg_class r ON r.oid = t.tgconstrrelid
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND c.oid = ANY(%(tables)s)
ORDER BY c.oid, t.tgname
