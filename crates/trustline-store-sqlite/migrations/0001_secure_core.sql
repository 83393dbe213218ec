-- Tenants, staff accounts, sessions, API tokens and the audit chain.
-- Times are Unix seconds (UTC). Secrets are stored sealed or as digests only.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    require_mfa BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    username       TEXT    NOT NULL,
    display_name   TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    totp_seed      BLOB,
    totp_pending   BLOB,
    totp_last_step INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE recovery_codes (
    user_id INTEGER NOT NULL REFERENCES users (id),
    digest  BLOB    NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (user_id, digest)
);

CREATE TABLE sessions (
    token_digest BLOB    PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    stage        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_age ON sessions (created_at);

CREATE TABLE login_failures (
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT FALSE,
    digest     BLOB    NOT NULL UNIQUE
);

CREATE TABLE audit_events (
    tenant_id INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    outcome   TEXT    NOT NULL,
    source    TEXT    NOT NULL,
    details   TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    seal      BLOB    NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID; -- stored in chain order: verification reads it sequentially

-- The latest link of each tenant's chain; the row every append locks.
CREATE TABLE audit_heads (
    tenant_id INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL,
    hash      BLOB    NOT NULL
);

CREATE TABLE audit_checkpoints (
    tenant_id INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    hash      BLOB    NOT NULL,
    at        INTEGER NOT NULL,
    signature BLOB    NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
