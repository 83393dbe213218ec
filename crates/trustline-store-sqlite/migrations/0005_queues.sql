-- Inbound queues: the number callers dial and the routing settings (the
-- domain's JSON). A number reaches one queue of one tenant.
CREATE TABLE queues (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    number     TEXT    NOT NULL UNIQUE,
    settings   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

-- Each agent's skills with levels (JSON), matched against queues' needs.
CREATE TABLE agent_skills (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    skills     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- When an inbound caller took the callback offer (the call keeps its place).
ALTER TABLE calls ADD COLUMN callback_requested_at INTEGER;
CREATE INDEX calls_waiting ON calls (tenant_id, state) WHERE state IN ('queued', 'callback');
