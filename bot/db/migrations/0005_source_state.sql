-- What each polled URL answered last time, so a restart does not fetch everything again:
-- the validators for a conditional GET (ETag / Last-Modified) and when it was last checked.

CREATE TABLE source_state (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    status        INTEGER,
    checked_at    TEXT NOT NULL
);
