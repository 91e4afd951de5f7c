-- Whether comparisons of built-in types and enums resolve as on a fresh database: false when a
-- comparison operator, or an implicit cast, defined here (not built in) takes one of them, which
-- could make PostgreSQL pick another operator for a constant written bare. Where it is false,
-- expressions are compared as printed, casts and all (see model/implicit_casts.py).
WITH enum_types AS (
    SELECT t.oid FROM pg_type t
    WHERE t.typtype = 'e' OR t.typelem IN (SELECT e.oid FROM pg_type e WHERE e.typtype = 'e'))
SELECT NOT EXISTS (
           SELECT FROM pg_operator o
           WHERE o.oid >= 16384 AND o.oprname IN ('=', '<>', '<', '<=', '>', '>=')
             AND (o.oprleft < 16384 OR o.oprright < 16384
                  OR o.oprleft IN (SELECT oid FROM enum_types) OR o.oprright IN (SELECT oid FROM enum_types)))
       AND NOT EXISTS (
           SELECT FROM pg_cast c
           WHERE c.oid >= 16384 AND c.castcontext = 'i'
             AND (c.castsource < 16384 OR c.castsource IN (SELECT oid FROM enum_types))) AS built_in
