-- Set when a node is marked unreachable (its pods were marked NotReady); cleared once a heartbeat answer has told
-- the agent to report all its pods again.
ALTER TABLE node_heartbeats ADD COLUMN resync_pending boolean NOT NULL DEFAULT false;
