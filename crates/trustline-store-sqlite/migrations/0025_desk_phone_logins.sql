-- Agents' desk phone logins: the SIP username a phone registers with (made
-- up, and unique across the installation, since a REGISTER names no
-- organisation) and the digest secrets (HA1s) of its password, sealed. The
-- password itself is shown once and never kept.
CREATE TABLE desk_phone_logins (
    user_id        INTEGER NOT NULL PRIMARY KEY REFERENCES users (id),
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    username       TEXT   NOT NULL UNIQUE,
    sealed_secrets BLOB   NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX desk_phone_logins_by_tenant ON desk_phone_logins (tenant_id);
