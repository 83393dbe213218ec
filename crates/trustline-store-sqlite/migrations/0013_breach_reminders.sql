-- The last reminder sent as a breach's 72-hour clock runs down, as the
-- hours that were left at its mark (48, 24, 6, 0); NULL before the first.
ALTER TABLE incidents ADD COLUMN reminded_hours INTEGER;
