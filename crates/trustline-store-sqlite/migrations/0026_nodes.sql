-- The server processes sharing the database (one, on SQLite). Each beats
-- while it runs; one seen lately is alive. `holds_calls`: it runs the call
-- engine, so calls' audio lives there.
CREATE TABLE nodes (
    id          TEXT    NOT NULL PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    seen_at     INTEGER NOT NULL,
    holds_calls BOOLEAN NOT NULL
);

-- The node holding a call's audio: commands for the call go there.
ALTER TABLE calls ADD COLUMN owner_node TEXT;

-- Commands one node hands another, sealed (never used with one node; the
-- schema is the same on both engines).
CREATE TABLE node_commands (
    id         INTEGER PRIMARY KEY,
    to_node    TEXT    NOT NULL,
    from_node  TEXT    NOT NULL,
    body       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    taken_at   INTEGER,
    reply      BLOB
);
