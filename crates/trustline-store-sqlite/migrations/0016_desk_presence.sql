-- When the agent's desk (its live feed) was last seen: an agent whose desk
-- is gone is logged out of work instead of being offered calls.
ALTER TABLE agent_states ADD COLUMN desk_seen_at INTEGER;
