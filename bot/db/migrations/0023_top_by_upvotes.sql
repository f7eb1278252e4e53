-- /paper top and the weekly recap rank a period's papers by Hugging Face upvotes (+ this server's
-- bookmarks). Without an index on upvotes, a month at 100k papers read all 30,000 listed papers'
-- rows (about 70 ms). With one, the top is found by walking papers from the most upvoted down
-- and keeping those listed in the period (bot/db/discovery.py, DiscoveryStore.top).
CREATE INDEX papers_by_upvotes ON papers (coalesce(upvotes, 0) DESC, id DESC);
