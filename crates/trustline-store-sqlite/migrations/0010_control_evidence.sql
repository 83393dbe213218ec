-- Evidence attached by hand to controls that no automated check decides
-- (a policy, a plan, an exercise): what it is, where it lives, who attached
-- it and when (its age shows in the report).
CREATE TABLE control_evidence (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    control_id  TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    reference   TEXT    NOT NULL,
    attached_by INTEGER NOT NULL,
    attached_at INTEGER NOT NULL
);
CREATE INDEX control_evidence_latest ON control_evidence (tenant_id, control_id, attached_at);
