-- Each security control's checks over time: a result is kept when its
-- status changes, and at least daily when it does not, so the trust center shows
-- since when a control has passed and when it failed.
CREATE TABLE control_checks (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    control_id TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    evidence   TEXT    NOT NULL,
    checked_at INTEGER NOT NULL
);
CREATE INDEX control_checks_history ON control_checks (tenant_id, control_id, id);
