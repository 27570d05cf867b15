-- Last heartbeat per node, written in coalesced batches; a node is monitored once its agent has sent one.
CREATE TABLE node_heartbeats (
    node_name      text        PRIMARY KEY,
    last_heartbeat timestamptz NOT NULL,
    unreachable    boolean     NOT NULL DEFAULT false
);

-- Wake-ups for the agents' long-polls on every replica: after any statement that touched pods, one NOTIFY per
-- 25 distinct node names (payloads stay far below the 8000-byte limit). Delivered on commit only; a listener
-- treats them as hints and re-reads the table.
CREATE FUNCTION notify_pod_nodes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    FOR payload IN
        SELECT string_agg(n, ',') FROM (
            SELECT n, (row_number() OVER (ORDER BY n) - 1) / 25 AS grp
            FROM (SELECT DISTINCT node_name AS n FROM changed WHERE kind = 'Pod' AND node_name IS NOT NULL) d
        ) g GROUP BY grp
    LOOP
        PERFORM pg_notify('everynode_pods', payload);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER objects_pods_inserted AFTER INSERT ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_pod_nodes();
CREATE TRIGGER objects_pods_updated AFTER UPDATE ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_pod_nodes();
CREATE TRIGGER objects_pods_deleted AFTER DELETE ON objects
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_pod_nodes();
