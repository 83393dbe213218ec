-- Work only one node may do at a time (a tenant's dialling and
-- switchboard), held by a node until `expires_at` and renewed while it
-- lives (one node, on SQLite; the schema is the same on both engines).
-- `token` grows each time another node takes the lease: a write fenced
-- with an older token is refused.
CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    token      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
