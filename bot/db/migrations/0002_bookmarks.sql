-- Bookmarks, and which messages show which papers.
-- `paper_messages` lives in the database rather than in memory so that reacting to a paper
-- message bookmarks it after a restart and on messages from any past day.

CREATE TABLE bookmarks (
    user_id    INTEGER NOT NULL,
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, paper_id)
) WITHOUT ROWID;

CREATE TABLE paper_messages (
    message_id INTEGER NOT NULL,
    paper_id   INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL,
    guild_id   INTEGER,
    PRIMARY KEY (message_id, paper_id)
) WITHOUT ROWID;
