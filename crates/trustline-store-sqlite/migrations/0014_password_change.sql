-- An account whose password somebody else chose (an invitation's one-time
-- password) must set its own before it can do anything else.
ALTER TABLE users ADD COLUMN password_must_change BOOLEAN NOT NULL DEFAULT FALSE;
