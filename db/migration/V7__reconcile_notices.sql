-- Reconcile notices for every replica: after a statement that created, deleted or changed a DaemonSet (other
-- than its status) or changed any node, NOTIFY 'everynode_reconcile' with the DaemonSet keys
-- ("namespace/name", up to 50 per notice) or '*' for "nodes changed, plan every DaemonSet". Each replica's
-- listener queues them, so a change accepted by one replica is reconciled by whichever replica takes the
-- DaemonSet's lock first, and nothing waits for the periodic resync when the accepting replica dies.
-- Status-only DaemonSet updates (the reconciler's own writes) are left out, or replicas would wake each other.
CREATE FUNCTION notify_reconcile() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
    i int;
BEGIN
    IF EXISTS (SELECT 1 FROM changed WHERE kind = 'Node') THEN
        PERFORM pg_notify('everynode_reconcile', '*');
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- (PL/pgSQL plans this branch only when it runs, so "previous" exists whenever it is planned.)
        SELECT array_agg(DISTINCT c.namespace || '/' || c.name) INTO keys
        FROM changed c JOIN previous p ON p.uid = c.uid
        WHERE c.kind = 'DaemonSet'
          AND (c.generation <> p.generation
               OR c.deletion_ts IS DISTINCT FROM p.deletion_ts
               OR c.body->'metadata'->'annotations' IS DISTINCT FROM p.body->'metadata'->'annotations'
               OR c.body->'metadata'->'finalizers' IS DISTINCT FROM p.body->'metadata'->'finalizers');
    ELSE
        SELECT array_agg(DISTINCT namespace || '/' || name) INTO keys FROM changed WHERE kind = 'DaemonSet';
    END IF;
    FOR i IN 1 .. COALESCE(array_length(keys, 1), 0) BY 50 LOOP
        PERFORM pg_notify('everynode_reconcile', array_to_string(keys[i:i + 49], ','));
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER objects_reconcile_inserted AFTER INSERT ON objects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile();
CREATE TRIGGER objects_reconcile_updated AFTER UPDATE ON objects
    REFERENCING OLD TABLE AS previous NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile();
CREATE TRIGGER objects_reconcile_deleted AFTER DELETE ON objects
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_reconcile();
