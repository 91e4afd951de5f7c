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

-- public.users: 3 row(s), keyed by (email)
-- seeds/users.yaml:6
INSERT INTO public.users (email, display_name)
VALUES ('test@example.com'::character varying(255), 'Test User'::character varying(100))
ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, status = DEFAULT;
-- seeds/users.yaml:7
INSERT INTO public.users (email, display_name)
VALUES ('admin@example.com'::character varying(255), 'Admin User'::character varying(100))
ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, status = DEFAULT;
-- seeds/users.yaml:8
INSERT INTO public.users (email, display_name, status)
VALUES ('suspended@example.com'::character varying(255), 'Suspended User'::character varying(100), 'suspended'::public.user_status)
ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, status = EXCLUDED.status;

-- public.analytics_events: 4 row(s), keyed by (id)
-- seeds/analytics_events.yaml:4
INSERT INTO public.analytics_events (id, event_type, user_id, payload, created_at)
VALUES ('0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e01'::uuid, 'sign_up'::character varying(100), (SELECT id FROM public.users WHERE email = 'test@example.com'::character varying(255)), '{"plan": "free", "source": "organic"}'::jsonb, '2024-01-15 09:30:00+00'::timestamp with time zone)
ON CONFLICT (id) DO UPDATE SET event_type = EXCLUDED.event_type, user_id = EXCLUDED.user_id, payload = EXCLUDED.payload, created_at = EXCLUDED.created_at;
-- seeds/analytics_events.yaml:9
INSERT INTO public.analytics_events (id, event_type, user_id, payload, created_at)
VALUES ('0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e02'::uuid, 'page_view'::character varying(100), (SELECT id FROM public.users WHERE email = 'test@example.com'::character varying(255)), '{"path": "/dashboard"}'::jsonb, '2024-01-15 09:31:12+00'::timestamp with time zone)
ON CONFLICT (id) DO UPDATE SET event_type = EXCLUDED.event_type, user_id = EXCLUDED.user_id, payload = EXCLUDED.payload, created_at = EXCLUDED.created_at;
-- seeds/analytics_events.yaml:14
INSERT INTO public.analytics_events (id, event_type, user_id, created_at)
VALUES ('0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e03'::uuid, 'sign_in'::character varying(100), (SELECT id FROM public.users WHERE email = 'admin@example.com'::character varying(255)), '2024-01-16 08:00:00+00'::timestamp with time zone)
ON CONFLICT (id) DO UPDATE SET event_type = EXCLUDED.event_type, user_id = EXCLUDED.user_id, created_at = EXCLUDED.created_at, payload = DEFAULT;
-- seeds/analytics_events.yaml:18
INSERT INTO public.analytics_events (id, event_type, payload)
VALUES ('0b6c9d4e-8f51-4b8e-9a0e-6a1f3c2d5e04'::uuid, 'page_view'::character varying(100), '{"anonymous": true, "path": "/pricing"}'::jsonb)
ON CONFLICT (id) DO UPDATE SET event_type = EXCLUDED.event_type, payload = EXCLUDED.payload, user_id = DEFAULT;

COMMIT;
