-- What a person knows about each bookmark: read or not, a short note, and the version and code
-- link it had when they last heard of it (so a change notice says only what is new).

ALTER TABLE bookmarks ADD COLUMN read_at TEXT;
ALTER TABLE bookmarks ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE bookmarks ADD COLUMN seen_code TEXT;
ALTER TABLE bookmarks ADD COLUMN seen_version INTEGER;
