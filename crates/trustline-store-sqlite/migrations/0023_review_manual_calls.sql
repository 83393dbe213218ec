-- An access review shows each account's right to call numbers from the
-- desk as it was when the review started, beside its role.
ALTER TABLE access_review_items ADD COLUMN manual_calls BOOLEAN NOT NULL DEFAULT FALSE;
