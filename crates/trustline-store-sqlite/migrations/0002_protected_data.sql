-- Keys, contacts, call lists, imports, retention and the erasure ledger.
-- Personal fields are AES-256-GCM ciphertexts under the contact's own data
-- key; lookups go through keyed blind indexes (HMAC digests), never plaintext.

-- The installation secret (root of the service keys), wrapped by the master
-- key, and the fingerprint of the master key that wraps every key below.
CREATE TABLE installation (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    secret             BLOB    NOT NULL,
    master_fingerprint BLOB    NOT NULL
);

-- Data-subject access requests list who did what to a record.
CREATE INDEX audit_events_by_target ON audit_events (tenant_id, target);

ALTER TABLE tenants ADD COLUMN ended_at INTEGER;
-- The country assumed for phone numbers written without a country code.
ALTER TABLE tenants ADD COLUMN default_region TEXT;

CREATE TABLE tenant_keys (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    version   INTEGER NOT NULL,
    wrapped   BLOB    NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE tenant_index_keys (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    wrapped   BLOB    NOT NULL
);

-- Ids are handed out before rows are written: a field's ciphertext is bound
-- to its row id, so the id must be known when it is encrypted.
CREATE TABLE id_blocks (
    name TEXT    PRIMARY KEY,
    next INTEGER NOT NULL
);
INSERT INTO id_blocks (name, next) VALUES ('contact', 1), ('note', 1);

CREATE TABLE custom_fields (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    name      TEXT    NOT NULL,
    label     TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    required  BOOLEAN NOT NULL,
    choices   TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE contacts (
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    id             INTEGER NOT NULL,
    -- The subject's data key, wrapped by tenant key `key_version`; both NULL
    -- once erased, which leaves every ciphertext below unreadable.
    key_version    INTEGER,
    data_key       BLOB,
    name           BLOB,
    phones         BLOB,
    email          BLOB,
    address        BLOB,
    language       BLOB,
    custom         BLOB,
    -- The blind indexes this row owns (32-byte digests, concatenated), so
    -- that erasure and rectification remove exactly them.
    phone_digests  BLOB,
    email_digests  BLOB,
    -- Country and zone of the first number: what calling windows need, not who.
    region         TEXT,
    time_zone      TEXT,
    consent        TEXT    NOT NULL,
    consent_source TEXT,
    consent_at     INTEGER,
    do_not_contact BOOLEAN NOT NULL,
    dnc_source     TEXT,
    dnc_at         INTEGER,
    restricted     BOOLEAN NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    last_worked_at INTEGER,
    erased_at      INTEGER,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, key_version) REFERENCES tenant_keys (tenant_id, version)
);

-- Blind indexes: one number belongs to one contact of a tenant.
CREATE TABLE contact_phones (
    tenant_id  INTEGER NOT NULL,
    digest     BLOB    NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, digest)
) WITHOUT ROWID;

CREATE TABLE contact_emails (
    tenant_id  INTEGER NOT NULL,
    digest     BLOB    NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, digest, contact_id)
) WITHOUT ROWID;

-- The tenant's do-not-contact list, by blind index of the number. It outlives
-- erasure: an objection must keep being honoured after the data is gone.
CREATE TABLE suppressions (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    digest    BLOB    NOT NULL,
    source    TEXT    NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, digest)
) WITHOUT ROWID;

CREATE TABLE consent_events (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    actor      TEXT    NOT NULL
);
CREATE INDEX consent_events_by_contact ON consent_events (tenant_id, contact_id);

CREATE TABLE contact_notes (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    body       BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
);
CREATE INDEX contact_notes_by_contact ON contact_notes (tenant_id, contact_id);
CREATE INDEX contact_notes_by_age ON contact_notes (tenant_id, created_at);

-- The contact each agent works right now: the one they see unmasked.
CREATE TABLE agent_assignments (
    tenant_id  INTEGER NOT NULL,
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    contact_id INTEGER NOT NULL,
    since      INTEGER NOT NULL
);

CREATE TABLE call_lists (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE list_members (
    list_id    INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    tenant_id  INTEGER NOT NULL,
    PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX list_members_by_contact ON list_members (tenant_id, contact_id);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    list_id     INTEGER NOT NULL REFERENCES call_lists (id),
    file_name   TEXT    NOT NULL,
    file_digest BLOB    NOT NULL,
    mapping     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    -- Where the next chunk starts: committed together with the chunk's rows.
    byte_offset INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    accepted    INTEGER NOT NULL,
    linked      INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    suppressed  INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE UNIQUE INDEX imports_one_running ON imports (tenant_id, list_id, file_digest) WHERE status = 'running';

CREATE TABLE import_rejections (
    import_id INTEGER NOT NULL REFERENCES imports (id),
    line      INTEGER NOT NULL,
    field     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    PRIMARY KEY (import_id, line, field)
) WITHOUT ROWID;

-- Who was erased and when: restores re-apply it, so a backup taken before an
-- erasure cannot bring the subject back. Holds no personal data.
CREATE TABLE erasure_ledger (
    tenant_id  INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    erased_at  INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, contact_id)
);

CREATE TABLE retention_policies (
    tenant_id         INTEGER PRIMARY KEY REFERENCES tenants (id),
    contact_idle_days INTEGER,
    note_days         INTEGER,
    updated_at        INTEGER NOT NULL
);
