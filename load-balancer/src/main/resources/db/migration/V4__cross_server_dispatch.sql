-- Several servers over one database (issue 24, item 2): the servers' heartbeats and the queue through
-- which an activation accepted by one server runs on a pilot of another. Times are the database's
-- clock (epoch ms), so the servers' clocks need not agree.

-- One row per running server, refreshed every second; a row older than store.postgres.server-stale-ms
-- (or no row) means the server is gone.
CREATE TABLE servers (
  server_id text COLLATE "C" PRIMARY KEY,
  started_ms bigint NOT NULL,
  heartbeat_ms bigint NOT NULL
);

-- Activations whose accepting server (origin) had no free pilot of its own. Unclaimed: claimed_by
-- is null and outcome is null; claimed: claimed_by names the server running it; finished: outcome
-- holds the run's outcome until the origin takes it (and deletes the row). request is the run
-- request (never a per-activation API key: such activations are not queued here). claimed_pilot is
-- the pilot the claiming server sent it to: that pilot (and no other) may deliver its result
-- through any server after its server is lost.
CREATE TABLE dispatch_queue (
  activation_id text COLLATE "C" PRIMARY KEY,
  origin text COLLATE "C" NOT NULL,
  queued_ms bigint NOT NULL,
  retry_safe boolean NOT NULL,
  request text NOT NULL,
  claimed_by text COLLATE "C",
  claimed_pilot text COLLATE "C",
  claimed_ms bigint,
  claims int NOT NULL DEFAULT 0,
  outcome text
);
CREATE INDEX dispatch_queue_unclaimed ON dispatch_queue (queued_ms)
  WHERE claimed_by IS NULL AND outcome IS NULL;
CREATE INDEX dispatch_queue_by_origin ON dispatch_queue (origin);
