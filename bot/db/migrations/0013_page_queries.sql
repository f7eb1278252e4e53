-- Paged lists (search results, bookmarks, subscriptions) keep their Previous/Next buttons working
-- after a restart: each button's custom id carries the list's query and page. A query too long
-- for Discord's 100-character custom id is kept here and the button carries this row's id.

CREATE TABLE page_queries (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,     -- search, author, category, day, bookmarks, subscriptions
    args       TEXT NOT NULL,     -- the query as a JSON array
    created_at TEXT NOT NULL,     -- ISO, UTC
    UNIQUE (kind, args)
);
