-- The contact center: agents at work (each one's current state and every
-- move between states) and outbound campaigns.

CREATE TABLE agent_states (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    state     TEXT    NOT NULL,
    reason    TEXT,
    since     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE agent_state_history (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    at         INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    from_state TEXT    NOT NULL,
    to_state   TEXT    NOT NULL,
    reason     TEXT
);
CREATE INDEX agent_state_history_by_user ON agent_state_history (tenant_id, user_id, id);

-- Outbound campaigns: settings as the domain checked them (JSON), and the
-- call lists they dial.
CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    settings   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE campaign_lists (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    list_id     INTEGER NOT NULL REFERENCES call_lists (id),
    tenant_id   INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, list_id)
);

-- Idempotency keys of API requests that create things: a retried request
-- gets the first answer instead of creating a second thing. Only answers
-- without secrets are kept; keys are forgotten after a day.
CREATE TABLE idempotency_keys (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    status      INTEGER,
    body        BLOB,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
