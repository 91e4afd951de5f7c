-- generated/seeds.sql: made by 'schemac compile' from seeds/; do not edit, change the seed files.
-- Idempotent: each row is inserted, or set to the seed's values when a row with its key is there;
-- a column a row leaves out is set back to its default (kept: keys and defaults computed per row).
-- Each statement follows the line of the seed file its row is written at.
-- Load with 'schemac seed' (one transaction), or psql -f.
BEGIN;

-- public.users: 2 row(s), keyed by (email)
-- seeds/test.yaml:8
INSERT INTO public.users (email, mood, score, born)
VALUES ('x''); DROP TABLE users; --'::text, 'happy'::mood, '12.50'::numeric(5,2), '2020-02-29'::date)
ON CONFLICT (email) DO UPDATE SET mood = EXCLUDED.mood, score = EXCLUDED.score, born = EXCLUDED.born, tags = DEFAULT, prefs = DEFAULT;
-- seeds/test.yaml:9
INSERT INTO public.users (email, tags, prefs)
VALUES ('b@x.io'::text, E'{"plain","with \\"quote\\"","back\\\\slash","it''s"}'::text[], '{"a": "it''s", "b": [1, 2]}'::jsonb)
ON CONFLICT (email) DO UPDATE SET tags = EXCLUDED.tags, prefs = EXCLUDED.prefs, mood = DEFAULT, score = DEFAULT, born = DEFAULT;

-- public.posts: 2 row(s), keyed by (id)
-- seeds/test.yaml:3
INSERT INTO public.posts (id, author_id, parent_id, title)
VALUES ('2'::bigint, (SELECT id FROM public.users WHERE email = 'b@x.io'::text), NULL, 'Reply'::text)
ON CONFLICT (id) DO UPDATE SET author_id = EXCLUDED.author_id, parent_id = EXCLUDED.parent_id, title = EXCLUDED.title;
-- seeds/test.yaml:4
INSERT INTO public.posts (id, author_id, title)
VALUES ('1'::bigint, (SELECT id FROM public.users WHERE email = 'x''); DROP TABLE users; --'::text), 'First'::text)
ON CONFLICT (id) DO UPDATE SET author_id = EXCLUDED.author_id, title = EXCLUDED.title, parent_id = DEFAULT;

-- public.posts: references to rows loaded after it
-- seeds/test.yaml:3
UPDATE public.posts SET parent_id = (SELECT id FROM public.posts WHERE id = '1'::bigint) WHERE id = '2'::bigint;

COMMIT;
