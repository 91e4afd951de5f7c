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

-- public.users: 2 row(s), keyed by (email)
-- seeds/test.yaml:8
INSERT INTO public.users (email, mood, score, born)
VALUES ('x''); DROP TABLE users; --'::text, 'happy'::public.mood, '12.50'::numeric(5,2), '2020-02-29'::date)
ON CONFLICT (email) DO UPDATE SET mood = EXCLUDED.mood, score = EXCLUDED.score, born = EXCLUDED.born, tags = DEFAULT, prefs = DEFAULT;
-- seeds/test.yaml:9
INSERT INTO public.users (email, tags, prefs)
VALUES ('b@x.io'::text, E'{"plain","with \\"quote\\"","back\\\\slash","it''s"}'::text[], '{"a": "it''s", "b": [1, 2]}'::jsonb)
ON CONFLICT (email) DO UPDATE SET tags = EXCLUDED.tags, prefs = EXCLUDED.prefs, mood = DEFAULT, score = DEFAULT, born = DEFAULT;

-- public.posts: 2 row(s), keyed by (id)
-- seeds/test.yaml:4
INSERT INTO public.posts (id, author_id, title)
VALUES ('1'::bigint, (SELECT id FROM public.users WHERE email = 'x''); DROP TABLE users; --'::text), 'First'::text)
ON CONFLICT (id) DO UPDATE SET author_id = EXCLUDED.author_id, title = EXCLUDED.title, parent_id = DEFAULT;
-- seeds/test.yaml:3
INSERT INTO public.posts (id, author_id, parent_id, title)
VALUES ('2'::bigint, (SELECT id FROM public.users WHERE email = 'b@x.io'::text), (SELECT id FROM public.posts WHERE id = '1'::bigint), 'Reply'::text)
ON CONFLICT (id) DO UPDATE SET author_id = EXCLUDED.author_id, parent_id = EXCLUDED.parent_id, title = EXCLUDED.title;

COMMIT;
