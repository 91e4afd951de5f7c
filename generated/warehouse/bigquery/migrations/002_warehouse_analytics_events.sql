-- 002_warehouse_analytics_events: BigQuery dataset warehouse, a change to the warehouse alone (no PostgreSQL migration has this number); made by schemac

-- CreateTable warehouse.analytics_events
CREATE TABLE warehouse.analytics_events (
  id STRING NOT NULL,
  event_type STRING(100) NOT NULL,
  user_id STRING,
  payload JSON NOT NULL,
  created_at TIMESTAMP NOT NULL
)
PARTITION BY TIMESTAMP_TRUNC(created_at, DAY)
CLUSTER BY event_type, user_id
OPTIONS (
  description='Product analytics events, one row per tracked action.'
);
