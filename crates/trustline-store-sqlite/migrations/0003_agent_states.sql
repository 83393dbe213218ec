-- Agents at work: each agent's current state, and every move between states.

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
