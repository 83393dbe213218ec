-- Calls: every contact offered to an agent, call placed or call taken, and
-- what became of it. Holds no personal data beyond the contact's id.
CREATE TABLE calls (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    direction    TEXT    NOT NULL,
    campaign_id  INTEGER REFERENCES campaigns (id),
    queue_id     INTEGER,
    contact_id   INTEGER,
    agent_id     INTEGER REFERENCES users (id),
    mode         TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    result       TEXT,
    offered_at   INTEGER NOT NULL,
    placed_at    INTEGER,
    answered_at  INTEGER,
    connected_at INTEGER,
    ended_at     INTEGER,
    disposition  TEXT,
    outcome      TEXT,
    disposed_at  INTEGER
);
CREATE INDEX calls_by_time ON calls (tenant_id, offered_at);
CREATE INDEX calls_by_contact ON calls (tenant_id, contact_id);
CREATE INDEX calls_by_agent ON calls (tenant_id, agent_id, state);
CREATE INDEX calls_open ON calls (state) WHERE state <> 'done';

-- Each campaign contact's attempts, as the dialing rules left them: due_at
-- is when it may be dialled next (NULL: never again), open_call the call
-- holding it now.
CREATE TABLE campaign_contacts (
    campaign_id     INTEGER NOT NULL REFERENCES campaigns (id),
    contact_id      INTEGER NOT NULL,
    tenant_id       INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_outcome    TEXT,
    callback_at     INTEGER,
    callback_agent  INTEGER,
    due_at          INTEGER,
    open_call       INTEGER,
    PRIMARY KEY (campaign_id, contact_id)
);
CREATE INDEX campaign_contacts_by_contact ON campaign_contacts (tenant_id, contact_id);
