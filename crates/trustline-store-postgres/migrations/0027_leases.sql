-- Work only one node may do at a time (a tenant's dialling and
-- switchboard), held by a node until `expires_at` and renewed while it
-- lives. `token` grows each time another node takes the lease: a write
-- fenced with an older token is refused, so a node that lost its lease
-- (paused, cut off) cannot act on it when it comes back.
CREATE TABLE leases (
    name       TEXT   NOT NULL PRIMARY KEY,
    holder     TEXT   NOT NULL,
    token      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
