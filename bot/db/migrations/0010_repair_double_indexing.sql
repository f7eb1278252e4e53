-- Repair databases created before 0001 lost its insert triggers (commit 75814a2).
-- Such a file still has papers_ai and authors_ai, so every new paper and author was indexed twice:
-- once by the trigger and once by PaperStore.ingest. FTS5's integrity-check then reports
-- "database disk image is malformed" and search can return a paper twice. Rebuild both indexes
-- from their content tables where the triggers are found (the condition keeps this a no-op on
-- other files, however large), then drop the triggers.
INSERT INTO papers_fts (papers_fts)
SELECT 'rebuild' WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'papers_ai');
INSERT INTO authors_fts (authors_fts)
SELECT 'rebuild' WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'authors_ai');
DROP TRIGGER IF EXISTS papers_ai;
DROP TRIGGER IF EXISTS authors_ai;
