-- Which server a bookmark was made in, so /paper top can count "this server's bookmarks".
-- NULL for bookmarks made before this migration or in direct messages: they count for no server.
ALTER TABLE bookmarks ADD COLUMN guild_id INTEGER;
CREATE INDEX bookmarks_guild ON bookmarks (guild_id, created_at);
