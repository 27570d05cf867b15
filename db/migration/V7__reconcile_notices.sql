-- Reconcile notices for every replica: after a statement that created, deleted or changed a DaemonSet (other
-- than its status) or changed any node, NOTIFY 'everynode_reconcile' with the DaemonSet keys
-- ("namespace/name", up to 50 per notice) or '*' for "nodes changed, plan every DaemonSet". Each replica's
-- listener queues them, so a change accepted by one replica is reconciled by whichever replica takes the
-- DaemonSet's lock first, and nothing waits for the periodic resync when the accepting replica dies.
CREATE FUNCTION notify_reconcile_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF EXISTS (SELECT 1 FROM changed WHERE kind = 'Node') THEN
        PERFORM pg_notify('everynode_reconcile', '*');
    END IF;
    FOR payload IN
        SELECT string_agg(k, ',') FROM (
            SELECT k, (row_number() OVER (ORDER BY k) - 1) / 50 AS grp
            FROM (SELECT DISTINCT namespace || '/' || name AS k FROM changed WHERE kind = 'DaemonSet') d
        ) g GROUP BY grp
    LOOP
        PERFORM pg_notify('everynode_reconcile', payload);
    END LOOP;
    RETURN NULL;
END $$;

-- Updates: status-only DaemonSet writes (the reconciler's own) are left out, or replicas would wake each other.
CREATE FUNCTION notify_reconcile_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    IF EXISTS (SELECT 1 FROM changed WHERE kind = 'Node') THEN
        PERFORM pg_notify('everynode_reconcile', '*');
    END IF;
    FOR payload IN
        SELECT string_agg(k, ',') FROM (
            SELECT k, (row_number() OVER (ORDER BY k) - 1) / 50 AS grp
            FROM (SELECT DISTINCT c.namespace || '/' || c.name AS k
                  FROM changed c JOIN previous p ON p.uid = c.uid
                  WHERE c.kind = 'DaemonSet'
                    AND (c.generation <> p.generation
                         OR c.deletion_ts IS DISTINCT FROM p.deletion_ts
                         OR c.body->'metadata'->'annotations' IS DISTINCT FROM p.body->'metadata'->'annotations'
                         OR c.body->'metadata'->'finalizers' IS DISTINCT FROM p.body->'metadata'->'finalizers')) d
        ) g GROUP BY grp
    LOOP
        PERFORM pg_notify('everynode_reconcile', payload);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER objects_reconcile_inserted AFTER INSERT ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile_changed();
CREATE TRIGGER objects_reconcile_updated AFTER UPDATE ON objects
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile_updated();
CREATE TRIGGER objects_reconcile_deleted AFTER DELETE ON objects
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile_changed();
