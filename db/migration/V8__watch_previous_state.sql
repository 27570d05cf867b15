-- A watch with a label or field selector reports an object that leaves its selection as DELETED and one that
-- enters it as ADDED, as Kubernetes' watch cache does (it keeps the previous object of every change). The watch
-- log keeps the previous document of an update only when something a selector can look at changed: the labels,
-- the spec, or the status fields Kubernetes lets a field selector name (phase, podIP(s), nominatedNodeName). For
-- every other update the previous state selects exactly as the new one, and the column stays NULL, so a status
-- report (the hot path) copies nothing more than before.
ALTER TABLE watch_events ADD COLUMN prev_body jsonb;

CREATE FUNCTION record_watch_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO watch_events (resource_version, xid, kind, namespace, name, event_type, uid, generation,
                              created_at, deletion_ts, body, prev_body)
    SELECT c.resource_version, pg_current_xact_id(), c.kind, c.namespace, c.name, 'MODIFIED', c.uid, c.generation,
           c.created_at, c.deletion_ts, c.body,
           CASE WHEN p.body->'metadata'->'labels' IS DISTINCT FROM c.body->'metadata'->'labels'
                  OR p.body->'spec' IS DISTINCT FROM c.body->'spec'
                  OR p.body->'status'->'phase' IS DISTINCT FROM c.body->'status'->'phase'
                  OR p.body->'status'->'podIP' IS DISTINCT FROM c.body->'status'->'podIP'
                  OR p.body->'status'->'podIPs' IS DISTINCT FROM c.body->'status'->'podIPs'
                  OR p.body->'status'->'nominatedNodeName' IS DISTINCT FROM c.body->'status'->'nominatedNodeName'
                THEN p.body END
    FROM changed c LEFT JOIN previous p ON p.uid = c.uid
    ON CONFLICT (resource_version) DO NOTHING;
    RETURN NULL;
END $$;

DROP TRIGGER objects_watch_updated ON objects;
CREATE TRIGGER objects_watch_updated AFTER UPDATE ON objects
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION record_watch_updates();
