-- Agents an administrator allowed to call numbers themselves from the desk
-- (roles that may send calls outside always may).
ALTER TABLE users ADD COLUMN manual_calls BOOLEAN NOT NULL DEFAULT FALSE;
