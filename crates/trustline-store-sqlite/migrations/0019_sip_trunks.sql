-- A tenant's SIP trunks: where its calls go, the addresses its carrier's
-- calls come from (JSON, each once) and the digest login the carrier may
-- challenge for, its password sealed under the installation's trunk key,
-- and whether the trunk registers with the carrier under it; then how the
-- last registration went (registered, refused, unreachable), and when.
CREATE TABLE sip_trunks (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    name            TEXT    NOT NULL,
    host            TEXT    NOT NULL,
    port            INTEGER NOT NULL,
    sources         TEXT    NOT NULL,
    caller_id       TEXT,
    digest_username TEXT,
    sealed_password BLOB,
    register        BOOLEAN NOT NULL DEFAULT FALSE,
    registration    TEXT,
    registration_detail TEXT,
    registration_at INTEGER,
    created_at      INTEGER NOT NULL,
    CHECK ((digest_username IS NULL) = (sealed_password IS NULL))
);
CREATE INDEX sip_trunks_by_tenant ON sip_trunks (tenant_id);
