-- The supplier and risk registers: each entry is the domain's JSON; reviews
-- replace it with its new state (and are audited).
CREATE TABLE register_entries (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    register   TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX register_entries_by_register ON register_entries (tenant_id, register, id);
