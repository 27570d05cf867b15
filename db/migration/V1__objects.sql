-- Every API object is one row: indexed columns for what the server queries, the object itself as jsonb.
CREATE SEQUENCE resource_version_seq;

CREATE TABLE objects (
    kind             text        NOT NULL,
    namespace        text        NOT NULL DEFAULT '',
    name             text        NOT NULL,
    uid              uuid        NOT NULL,
    resource_version bigint      NOT NULL,
    generation       bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    deletion_ts      timestamptz,
    owner_uid        uuid,
    node_name        text,
    revision_hash    text,
    body             jsonb       NOT NULL,
    PRIMARY KEY (kind, namespace, name),
    CONSTRAINT objects_uid_unique UNIQUE (uid)
);

CREATE INDEX objects_kind_rv ON objects (kind, resource_version);
CREATE INDEX objects_owner ON objects (owner_uid) WHERE owner_uid IS NOT NULL;
CREATE INDEX objects_pod_node ON objects (node_name) WHERE kind = 'Pod';

-- At most one live (not terminating) pod of one revision of one DaemonSet per node: a second reconciler that
-- raced past the per-DaemonSet lock fails here instead of creating a duplicate. A surge may add a second pod
-- of a different revision.
CREATE UNIQUE INDEX objects_one_live_daemon_pod ON objects (owner_uid, node_name, revision_hash)
    WHERE kind = 'Pod' AND deletion_ts IS NULL AND owner_uid IS NOT NULL AND node_name IS NOT NULL;

-- Failed-pod backoff per DaemonSet and node (Kubernetes keeps it in memory; we share it between replicas).
CREATE TABLE pod_backoff (
    ds_uid      uuid        NOT NULL,
    node_name   text        NOT NULL,
    generation  bigint      NOT NULL,
    last_update timestamptz NOT NULL,
    delay_ms    bigint      NOT NULL,
    PRIMARY KEY (ds_uid, node_name)
);

INSERT INTO objects (kind, namespace, name, uid, resource_version, created_at, body)
SELECT 'Namespace', '', ns, gen_random_uuid(), nextval('resource_version_seq'), now(),
       jsonb_build_object(
           'kind', 'Namespace', 'apiVersion', 'v1',
           'metadata', jsonb_build_object('name', ns,
                                          'labels', jsonb_build_object('kubernetes.io/metadata.name', ns)),
           'spec', jsonb_build_object('finalizers', jsonb_build_array('kubernetes')),
           'status', jsonb_build_object('phase', 'Active'))
FROM unnest(ARRAY['default', 'kube-system', 'kube-public', 'kube-node-lease']) AS ns;
