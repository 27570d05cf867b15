-- Node changes are no longer notified from the trigger, inside the writing transaction: a NOTIFY takes a
-- database-wide lock at commit and holds it until the commit record is flushed, so every transaction that
-- notifies commits one after another (pgbench on the 2-core development machine, 64 clients, an INSERT per
-- transaction: about 7,000 commits/s without a pg_notify, about 1,900/s with one). Every node registration,
-- node PATCH and lifecycle mark notified '*'. The replica that wrote a node now sends one '*' notice after its
-- commit for all the node writes of the last 50 ms (dev.everynode.change.NodeNotices); DaemonSet keys are still
-- notified here, since DaemonSet writes are few.
CREATE OR REPLACE FUNCTION notify_reconcile() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys text[];
    i int;
BEGIN
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
