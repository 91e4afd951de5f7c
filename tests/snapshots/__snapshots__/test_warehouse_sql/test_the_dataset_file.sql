-- dataset analytics_prod: BigQuery DDL made by schemac from the definitions; edit the definitions, not this file
-- analytics.events
CREATE TABLE analytics_prod.analytics_events (
  id INT64 NOT NULL,
  user_id STRING NOT NULL,
  mood STRING OPTIONS (
    description='How it felt (allowed values: ["happy", "it\'s fine"])'
  ),
  moods ARRAY<STRING> OPTIONS (
    description='Allowed values: ["happy", "it\'s fine"]'
  ),
  tags ARRAY<STRING>,
  amount NUMERIC(12, 2),
  big_amount BIGNUMERIC(40, 5),
  any_amount BIGNUMERIC,
  ratio FLOAT64,
  score FLOAT64,
  payload JSON,
  raw JSON,
  small INT64,
  count INT64,
  local_time DATETIME,
  at_time TIME,
  took INTERVAL,
  `order` STRING OPTIONS (
    description='A column named by a reserved word'
  ),
  occurred_on DATE NOT NULL
)
PARTITION BY DATE_TRUNC(occurred_on, MONTH)
CLUSTER BY user_id, mood, `order`
OPTIONS (
  description='What users did; one row an event',
  require_partition_filter=TRUE,
  partition_expiration_days=400
);

-- public.counters
CREATE TABLE analytics_prod.counters (
  bucket INT64 NOT NULL,
  `at` DATETIME NOT NULL
)
PARTITION BY RANGE_BUCKET(bucket, GENERATE_ARRAY(0, 1000000, 1000));

-- public.hourly
CREATE TABLE analytics_prod.hourly (
  `at` DATETIME NOT NULL
)
PARTITION BY DATETIME_TRUNC(`at`, HOUR);

-- public.users
CREATE TABLE analytics_prod.users (
  id STRING NOT NULL,
  email STRING NOT NULL OPTIONS (
    description='Their sign-in address'
  ),
  name STRING(80),
  code STRING(3),
  active BOOL NOT NULL,
  born DATE,
  avatar BYTES,
  created_at TIMESTAMP NOT NULL
)
PARTITION BY TIMESTAMP_TRUNC(created_at, DAY)
CLUSTER BY email
OPTIONS (
  description='People who sign in'
);
