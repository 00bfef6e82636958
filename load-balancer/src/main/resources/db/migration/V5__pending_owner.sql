-- Which server accepted a pending activation (its server_id in servers). At start a server recovers
-- only the pending activations of servers that are gone (no fresh heartbeat) and its own earlier runs,
-- taking them over atomically, never those of a live server. NULL: written before this column existed.
ALTER TABLE pending_activations ADD COLUMN owner text COLLATE "C";
CREATE INDEX pending_activations_by_owner ON pending_activations (owner);
