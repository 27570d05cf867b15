-- The watch log: one row per object change, written by triggers in the same transaction as the change, read
-- by watchers from a resourceVersion. xid lets a watcher catch a change that committed after a later one.
CREATE TABLE watch_events (
    resource_version bigint      PRIMARY KEY,
    xid              xid8        NOT NULL,
    kind             text        NOT NULL,
    namespace        text        NOT NULL,
    name             text        NOT NULL,
    event_type       text        NOT NULL,
    uid              uuid        NOT NULL,
    generation       bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    deletion_ts      timestamptz,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    body             jsonb       NOT NULL
);
CREATE INDEX watch_events_kind_rv ON watch_events (kind, resource_version);
CREATE INDEX watch_events_xid ON watch_events (xid);

-- The oldest resourceVersion a watch may still start from (older ones get 410 Gone).
CREATE TABLE watch_horizon (
    id      int    PRIMARY KEY CHECK (id = 1),
    pruned  bigint NOT NULL
);
INSERT INTO watch_horizon VALUES (1, 0);

CREATE FUNCTION record_watch_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO watch_events (resource_version, xid, kind, namespace, name, event_type, uid, generation,
                                  created_at, deletion_ts, body)
        SELECT nextval('resource_version_seq'), pg_current_xact_id(), kind, namespace, name, 'DELETED', uid,
               generation, created_at, deletion_ts, body
        FROM changed;
    ELSE
        INSERT INTO watch_events (resource_version, xid, kind, namespace, name, event_type, uid, generation,
                                  created_at, deletion_ts, body)
        SELECT resource_version, pg_current_xact_id(), kind, namespace, name,
               CASE WHEN TG_OP = 'INSERT' THEN 'ADDED' ELSE 'MODIFIED' END, uid, generation, created_at,
               deletion_ts, body
        FROM changed
        ON CONFLICT (resource_version) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER objects_watch_inserted AFTER INSERT ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_watch_events();
CREATE TRIGGER objects_watch_updated AFTER UPDATE ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_watch_events();
CREATE TRIGGER objects_watch_deleted AFTER DELETE ON objects
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_watch_events();
