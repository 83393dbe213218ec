-- The call a transferred call came from: the agent handed the person on
-- from that call to this one (in a queue, or with another agent). Reports
-- count a person handed on within the same queue or campaign once.
ALTER TABLE calls ADD COLUMN transferred_from BIGINT;
