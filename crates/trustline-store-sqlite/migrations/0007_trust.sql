-- When each account last signed in: dormant accounts are found by it.
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;

-- The runs of scheduled jobs and recorded checks (backups written and
-- verified, retention, server starts), kept as the trust center's evidence.
-- tenant_id is NULL for a run that concerns the whole installation.
CREATE TABLE job_runs (
    id        INTEGER PRIMARY KEY,
    job       TEXT    NOT NULL,
    tenant_id INTEGER REFERENCES tenants (id),
    at        INTEGER NOT NULL,
    ok        BOOLEAN NOT NULL,
    detail    TEXT    NOT NULL
);
CREATE INDEX job_runs_latest ON job_runs (job, at);
