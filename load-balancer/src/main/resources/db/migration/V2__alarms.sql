-- The alarms of /whisk.system/alarms (the MVStore's map "alarms"): key ns/trigger, body the alarm as
-- JSON (definition, state, last fire).
CREATE TABLE alarms (
  key text COLLATE "C" PRIMARY KEY,
  body text NOT NULL
);
