-- One true record per paper (issue 8).
-- Until now the last source to write a paper replaced its whole row. From here on every source's
-- values are kept apart with where they came from (`paper_values`), and the columns of `papers`
-- are only what is shown, computed from them by bot/records.py's precedence: so no source erases
-- what another said, and the arrival order changes nothing. Existing rows are copied into
-- `paper_values` as the values of the source whose day they were taken from; nothing is dropped.

CREATE TABLE paper_values (
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    source   TEXT NOT NULL CHECK (source IN ('arxiv', 'huggingface', 'digest')),
    field    TEXT NOT NULL,
    value    TEXT NOT NULL,  -- JSON
    day      TEXT NOT NULL,  -- the day (arXiv: the version's update time) it is from
    origin   TEXT NOT NULL,  -- the file, URL or feed that said it; (day, origin) picks the newer
    PRIMARY KEY (paper_id, source, field)
) WITHOUT ROWID;

-- Every category a paper is filed under: its arXiv categories and the digest's topic label.
CREATE TABLE paper_tags (
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (tag, paper_id)
) WITHOUT ROWID;
CREATE INDEX paper_tags_paper ON paper_tags (paper_id);

-- What the arXiv API said about each paper it was asked for. An id it does not know is asked
-- again only after `retry_after`, which grows with every answer without it.
CREATE TABLE arxiv_checks (
    paper_id    INTEGER PRIMARY KEY REFERENCES papers (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('found', 'unknown')),
    misses      INTEGER NOT NULL DEFAULT 0,
    checked_at  TEXT NOT NULL,
    retry_after TEXT
);
CREATE INDEX arxiv_checks_retry ON arxiv_checks (status, retry_after);

-- The shown record's new parts. `details` (JSON) holds what only display reads: categories,
-- keywords as a list, dates, version, DOI, journal ref, comment, affiliations, sources.
ALTER TABLE papers ADD COLUMN abstract TEXT NOT NULL DEFAULT '';
ALTER TABLE papers ADD COLUMN primary_category TEXT;
ALTER TABLE papers ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE paper_authors ADD COLUMN alias INTEGER NOT NULL DEFAULT 0; -- 1: a username, not shown

-- Where each existing row's fields came from: the listing of its source_day (a digest unless the
-- key is a Hugging Face day).
CREATE TABLE migration_0006_origin (
    paper_id INTEGER PRIMARY KEY,
    source   TEXT NOT NULL,
    origin   TEXT NOT NULL
);
INSERT INTO migration_0006_origin (paper_id, source, origin)
SELECT p.id,
       CASE WHEN coalesce(l.source, '') LIKE 'hf:%' THEN 'huggingface' ELSE 'digest' END,
       coalesce(l.source, 'migrated')
FROM papers p
LEFT JOIN listings l ON l.paper_id = p.id AND l.day = p.source_day
GROUP BY p.id;

-- Keywords were stored joined with ', ' (some contain commas: this split is the best there is).
CREATE TABLE migration_0006_keywords (
    paper_id INTEGER PRIMARY KEY,
    keywords TEXT NOT NULL
);
INSERT INTO migration_0006_keywords (paper_id, keywords)
WITH RECURSIVE split (paper_id, rest, keyword, n) AS (
    SELECT id, keywords || ', ', NULL, 0 FROM papers WHERE keywords != ''
    UNION ALL
    SELECT paper_id, substr(rest, instr(rest, ', ') + 2), substr(rest, 1, instr(rest, ', ') - 1), n + 1
    FROM split WHERE rest != ''
)
SELECT paper_id, json_group_array(keyword)
FROM (SELECT paper_id, keyword FROM split WHERE keyword IS NOT NULL AND keyword != '' ORDER BY paper_id, n)
GROUP BY paper_id;

INSERT INTO paper_values (paper_id, source, field, value, day, origin)
SELECT p.id, o.source, f.field, f.value, p.source_day, o.origin
FROM papers p
JOIN migration_0006_origin o ON o.paper_id = p.id
JOIN (
    SELECT id, 'title' AS field, json_quote(title) AS value FROM papers WHERE title != ''
    UNION ALL SELECT id, 'summary', json_quote(summary) FROM papers WHERE summary != ''
    UNION ALL SELECT id, 'topic', json_quote(category) FROM papers WHERE category IS NOT NULL
    UNION ALL SELECT id, 'arxiv_url', json_quote(arxiv_url) FROM papers WHERE arxiv_url != ''
    UNION ALL SELECT id, 'hf_url', json_quote(hf_url) FROM papers WHERE hf_url IS NOT NULL
    UNION ALL SELECT id, 'upvotes', json_quote(upvotes) FROM papers WHERE upvotes IS NOT NULL
    UNION ALL SELECT id, 'github', json_quote(github_repo) FROM papers WHERE github_repo IS NOT NULL
    UNION ALL SELECT paper_id, 'keywords', keywords FROM migration_0006_keywords
    UNION ALL
    SELECT paper_id, 'authors', json_group_array(name)
    FROM (
        SELECT pa.paper_id, a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
        ORDER BY pa.paper_id, pa.position
    )
    GROUP BY paper_id
) f ON f.id = p.id;

UPDATE papers SET details = json_object(
    'categories', CASE WHEN category IS NULL THEN json_array() ELSE json_array(category) END,
    'keywords', coalesce((SELECT json(keywords) FROM migration_0006_keywords k WHERE k.paper_id = papers.id), json_array()),
    'sources', json_array((SELECT source FROM migration_0006_origin o WHERE o.paper_id = papers.id))
);
INSERT INTO paper_tags (paper_id, tag) SELECT id, category FROM papers WHERE category IS NOT NULL;

DROP TABLE migration_0006_origin;
DROP TABLE migration_0006_keywords;

-- Until now a source that wrote last erased what others had said, so the rows copied above may
-- hold only one source's view. Forget what each file and URL held: the next poll reads them all
-- again (unchanged bytes are otherwise skipped) and each source's values come back beside the others.
DELETE FROM sources;
DELETE FROM source_state;

-- Positions per day AND source: a digest and the Hugging Face list of one day each keep their
-- own order, so two papers never share a position and neither list overwrites the other.
CREATE TABLE listings_by_source (
    day      TEXT NOT NULL,
    source   TEXT NOT NULL,                 -- the file or feed that listed it (see `sources`)
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('digest', 'huggingface')),
    PRIMARY KEY (day, source, paper_id)
) WITHOUT ROWID;
INSERT INTO listings_by_source (day, source, paper_id, position, kind)
SELECT day, source, paper_id, position,
       CASE WHEN source LIKE 'hf:%' THEN 'huggingface' ELSE 'digest' END
FROM listings;
DROP TABLE listings;
ALTER TABLE listings_by_source RENAME TO listings;
CREATE INDEX listings_paper ON listings (paper_id, day);

-- The index gains the abstract. It is rebuilt from the table, which also drops any row that an
-- old insert trigger had indexed twice.
DROP TRIGGER papers_ad;
DROP TRIGGER papers_au;
DROP TABLE papers_fts;
CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, summary, authors, category, abstract,
    content = 'papers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, summary, authors, category, abstract)
    VALUES ('delete', old.id, old.title, old.summary, old.authors, old.category, old.abstract);
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, summary, authors, category, abstract ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, summary, authors, category, abstract)
    VALUES ('delete', old.id, old.title, old.summary, old.authors, old.category, old.abstract);
    INSERT INTO papers_fts (rowid, title, summary, authors, category, abstract)
    VALUES (new.id, new.title, new.summary, new.authors, new.category, new.abstract);
END;
