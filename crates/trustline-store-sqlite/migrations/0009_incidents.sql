-- Security incidents: raised by the detection rules or reported by people,
-- each with its response deadline, owner, timeline and, for a personal-data
-- breach, the 72-hour notification clock. `dedup_key` ties the findings of
-- one attack to one open incident.
CREATE TABLE incidents (
    id                    INTEGER PRIMARY KEY,
    tenant_id             INTEGER NOT NULL REFERENCES tenants (id),
    kind                  TEXT    NOT NULL,
    dedup_key             TEXT    NOT NULL,
    severity              TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    title                 TEXT    NOT NULL,
    owner_id              INTEGER REFERENCES users (id),
    opened_at             INTEGER NOT NULL,
    respond_by            INTEGER NOT NULL,
    breach_aware_at       INTEGER,
    notify_by             INTEGER,
    notified_at           INTEGER,
    notification          TEXT,
    root_cause            TEXT    NOT NULL,
    lessons               TEXT    NOT NULL,
    closed_at             INTEGER,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX incidents_open ON incidents (tenant_id, dedup_key) WHERE status <> 'closed';

CREATE TABLE incident_timeline (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    entry       TEXT    NOT NULL
);
CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, id);

-- How far the detection rules have read each tenant's audit chain.
CREATE TABLE detection_cursors (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    last_seq  INTEGER NOT NULL
);
