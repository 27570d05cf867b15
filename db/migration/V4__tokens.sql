-- Bearer tokens, stored only as SHA-256 hashes: node credentials issued at registration, tokens created by an
-- admin, and the admin token generated at first start when none is configured.
CREATE TABLE api_tokens (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('admin', 'viewer', 'node', 'bootstrap')),
    node_name   text,
    token_hash  text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK (role <> 'node' OR node_name IS NOT NULL)
);
CREATE INDEX api_tokens_node ON api_tokens (node_name) WHERE node_name IS NOT NULL;
