-- Access reviews: each campaign asks owners and admins to confirm or revoke
-- the access of every enabled account as it stood when the campaign began.
CREATE TABLE access_reviews (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    started_by   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    completed_at INTEGER
);

CREATE TABLE access_review_items (
    review_id  INTEGER NOT NULL REFERENCES access_reviews (id),
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL,
    decision   TEXT    NOT NULL,
    decided_by INTEGER,
    decided_at INTEGER,
    PRIMARY KEY (review_id, user_id)
);
