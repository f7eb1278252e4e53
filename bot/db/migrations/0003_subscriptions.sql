-- Channels subscribed to the daily digest, each with its own schedule, filters and layout.
-- One subscription per channel. `failures` counts consecutive days that could not be posted;
-- `broken` is set when that reaches the configured limit and cleared when someone edits it.

CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL UNIQUE,
    created_by  INTEGER NOT NULL,
    post_time   TEXT NOT NULL,             -- HH:MM in `timezone`
    timezone    TEXT NOT NULL,             -- IANA name
    weekdays    TEXT NOT NULL,             -- e.g. 'mon,tue,wed,thu,fri'
    categories  TEXT NOT NULL DEFAULT '',  -- filters, comma separated; all empty: every paper
    keywords    TEXT NOT NULL DEFAULT '',
    authors     TEXT NOT NULL DEFAULT '',
    layout      TEXT NOT NULL CHECK (layout IN ('thread', 'channel', 'compact')),
    created_at  TEXT NOT NULL,             -- ISO, UTC
    failures    INTEGER NOT NULL DEFAULT 0,
    broken      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
