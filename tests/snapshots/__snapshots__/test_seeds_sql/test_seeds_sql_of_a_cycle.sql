-- generated/seeds.sql: made by 'schemac compile' from seeds/; do not edit, change the seed files.
-- Idempotent: each row is inserted, or set to the seed's values when a row with its key is there;
-- a column a row leaves out is set back to its default (kept: keys and defaults computed per row).
-- Each statement follows the line of the seed file its row is written at.
-- Load with 'schemac seed' (one transaction), or psql -f.
BEGIN;
-- Read alike on every database: a time without a UTC offset is UTC (timestamptz, timetz), and
-- '-1 day 2 hours' is an interval of -22 hours (sql_standard would make the sign apply to both).
SET LOCAL TimeZone = 'UTC';
SET LOCAL IntervalStyle = 'postgres';

-- public.teams: 1 row(s), keyed by (id)
-- seeds/test.yaml:3
INSERT INTO public.teams (id, name, captain_id, coach_id)
VALUES ('1'::bigint, 'Red'::text, NULL, '11'::bigint)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, captain_id = EXCLUDED.captain_id, coach_id = EXCLUDED.coach_id;

-- public.people: 2 row(s), keyed by (id)
-- seeds/test.yaml:7
INSERT INTO public.people (id, email, team_id, mentor_id)
VALUES ('10'::bigint, 'a@x.io'::text, (SELECT id FROM public.teams WHERE name = 'Red'::text), NULL)
ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, team_id = EXCLUDED.team_id, mentor_id = EXCLUDED.mentor_id;
-- seeds/test.yaml:8
INSERT INTO public.people (id, email, team_id, mentor_id)
VALUES ('11'::bigint, 'b@x.io'::text, '1'::bigint, NULL)
ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, team_id = EXCLUDED.team_id, mentor_id = EXCLUDED.mentor_id;

-- public.teams: references to rows loaded after it
-- seeds/test.yaml:3
UPDATE public.teams SET captain_id = (SELECT id FROM public.people WHERE email = 'a@x.io'::text) WHERE id = '1'::bigint;

-- public.people: references to rows loaded after it
-- seeds/test.yaml:7
UPDATE public.people SET mentor_id = (SELECT id FROM public.people WHERE email = 'b@x.io'::text) WHERE id = '10'::bigint;
-- seeds/test.yaml:8
UPDATE public.people SET mentor_id = (SELECT id FROM public.people WHERE email = 'a@x.io'::text) WHERE id = '11'::bigint;

COMMIT;
