-- Status-only pod updates (agents' reports) change nothing an agent acts on: wake long-polls only for inserts,
-- deletes, and updates that change a pod's spec or deletion.
CREATE FUNCTION notify_pod_nodes_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    FOR payload IN
        SELECT string_agg(n, ',') FROM (
            SELECT n, (row_number() OVER (ORDER BY n) - 1) / 25 AS grp
            FROM (SELECT DISTINCT c.node_name AS n
                  FROM changed c JOIN previous p ON p.uid = c.uid
                  WHERE c.kind = 'Pod' AND c.node_name IS NOT NULL
                    AND (c.deletion_ts IS DISTINCT FROM p.deletion_ts OR c.body->'spec' IS DISTINCT FROM p.body->'spec')) d
        ) g GROUP BY grp
    LOOP
        PERFORM pg_notify('everynode_pods', payload);
    END LOOP;
    RETURN NULL;
END $$;

DROP TRIGGER objects_pods_updated ON objects;
CREATE TRIGGER objects_pods_updated AFTER UPDATE ON objects
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION notify_pod_nodes_on_update();

-- Orphan pods of a namespace, for adoption, without scanning the owned ones.
CREATE INDEX objects_orphan_pods ON objects (namespace) WHERE kind = 'Pod' AND owner_uid IS NULL;
