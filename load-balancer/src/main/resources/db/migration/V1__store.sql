-- The PostgreSQL store of HPC-Whisk (store.kind: postgres): what the embedded MVStore keeps.
-- Keys are compared byte-wise (COLLATE "C"), as the embedded store orders them.

-- Actions, packages, triggers and rules by path (ns/name or ns/pkg/name); body is
-- {"type": ..., "entity": {...}} as text (kept exactly as written).
CREATE TABLE entities (
  path text COLLATE "C" PRIMARY KEY,
  body text NOT NULL
);

-- Accepted activations without a terminal record yet.
CREATE TABLE pending_activations (
  activation_id text COLLATE "C" PRIMARY KEY,
  namespace text NOT NULL,
  body text NOT NULL
);

-- Exactly one terminal record per activation: the primary key refuses a second one.
CREATE TABLE activation_records (
  activation_id text COLLATE "C" PRIMARY KEY,
  namespace text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL,
  start_ms bigint NOT NULL,
  end_ms bigint NOT NULL,
  body text NOT NULL
);
CREATE INDEX activation_records_by_namespace
  ON activation_records (namespace, start_ms DESC, activation_id);
CREATE INDEX activation_records_by_end ON activation_records (end_ms);

-- Submission tokens bound to their Slurm jobs.
CREATE TABLE pilot_bindings (
  scope text COLLATE "C" PRIMARY KEY,
  job_id text NOT NULL,
  bound_at_ms bigint NOT NULL,
  time_limit_ms bigint NOT NULL,
  not_after_ms bigint NOT NULL,
  token_file text
);

-- Entries that did not read back, kept as they were.
CREATE TABLE quarantine (
  map text NOT NULL,
  key text NOT NULL,
  body text NOT NULL,
  reason text NOT NULL,
  quarantined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (map, key)
);
