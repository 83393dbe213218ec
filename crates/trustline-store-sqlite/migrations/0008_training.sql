-- Security courses and who completed them when: revealing or exporting
-- personal data needs every required course to be current.
CREATE TABLE courses (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    title         TEXT    NOT NULL,
    validity_days INTEGER NOT NULL,
    required      BOOLEAN NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (tenant_id, title)
);

CREATE TABLE course_completions (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    course_id    INTEGER NOT NULL REFERENCES courses (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    completed_at INTEGER NOT NULL,
    recorded_by  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX course_completions_by_user ON course_completions (tenant_id, user_id);
