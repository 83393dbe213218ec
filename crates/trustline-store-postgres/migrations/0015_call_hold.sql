-- A conversation put on hold: since when (NULL when not on hold), and the
-- hold time of earlier holds, for handle-time reports.
ALTER TABLE calls ADD COLUMN held_since BIGINT;
ALTER TABLE calls ADD COLUMN hold_seconds BIGINT NOT NULL DEFAULT 0;
