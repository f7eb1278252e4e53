-- Readers: what each person follows, when their personal digest comes, and its DM ledger.
-- `follows` holds up to the configured number of rows per person (the service enforces it).
-- `readers` holds one person's digest settings; `paused` is why their digest stopped (DMs closed,
-- Discord error 50007) and `told` whether a command has since told them; `delivered_through` is
-- the last listing day their digest covered, so a restart neither repeats nor skips a day.
-- `dm_deliveries` is the same ledger as `deliveries` (see bot/delivery.py), keyed by person:
-- `item` names the arXiv ids a message carries, so a re-run never lists a paper twice.

CREATE TABLE follows (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('author', 'keyword', 'category', 'search')),
    value      TEXT NOT NULL,
    folded     TEXT NOT NULL,              -- how duplicates are told apart (case, accents)
    created_at TEXT NOT NULL,
    UNIQUE (user_id, kind, folded)
);
CREATE INDEX follows_kind ON follows (kind, folded);

CREATE TABLE readers (
    user_id           INTEGER PRIMARY KEY,
    post_time         TEXT NOT NULL,       -- HH:MM in `timezone`
    timezone          TEXT NOT NULL,       -- IANA name
    weekdays          TEXT NOT NULL,       -- e.g. 'mon,tue,wed,thu,fri'
    notify_changes    INTEGER NOT NULL DEFAULT 0,
    paused            TEXT,                -- NULL: active; else why the digest stopped
    told              INTEGER NOT NULL DEFAULT 0,
    delivered_through TEXT,                -- ISO day
    created_at        TEXT NOT NULL
);

CREATE TABLE dm_deliveries (
    user_id    INTEGER NOT NULL,
    day        TEXT NOT NULL,              -- the last listing day the message covers
    item       TEXT NOT NULL,              -- 'digest:<ids>', 'changes:<keys>'
    position   INTEGER NOT NULL,
    nonce      TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
    message_id INTEGER,
    PRIMARY KEY (user_id, day, item)
) WITHOUT ROWID;
