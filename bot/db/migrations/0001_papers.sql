-- Papers, who wrote them and which days listed them, with a full-text index.
-- A paper is one row however many days list it (keyed by arXiv id); `listings` keeps each day and
-- position. Authors are rows of their own so a name can be looked up without scanning every paper;
-- `folded` is the name lower-cased with accents removed, for case- and accent-insensitive lookups.

CREATE TABLE papers (
    id          INTEGER PRIMARY KEY,
    arxiv_id    TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    authors     TEXT NOT NULL,            -- the names joined with ', ', as the index sees them
    category    TEXT,
    arxiv_url   TEXT NOT NULL,
    hf_url      TEXT,
    upvotes     INTEGER,
    github_repo TEXT,
    keywords    TEXT NOT NULL DEFAULT '', -- comma separated, from the Hugging Face API
    source_day  TEXT NOT NULL             -- the day whose listing these fields came from
);
CREATE INDEX papers_category ON papers (category COLLATE NOCASE);

CREATE TABLE authors (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL UNIQUE,
    folded TEXT NOT NULL
);
CREATE INDEX authors_folded ON authors (folded);

CREATE TABLE paper_authors (
    paper_id  INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    PRIMARY KEY (paper_id, position)
) WITHOUT ROWID;
CREATE INDEX paper_authors_author ON paper_authors (author_id, paper_id);

CREATE TABLE listings (
    day      TEXT NOT NULL,
    paper_id INTEGER NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    source   TEXT NOT NULL,                -- the file or feed that listed it (see `sources`)
    PRIMARY KEY (day, paper_id)
) WITHOUT ROWID;
CREATE INDEX listings_paper ON listings (paper_id, day);

-- What each ingested file held last time, so re-reading an unchanged file is a no-op.
CREATE TABLE sources (
    key    TEXT PRIMARY KEY,
    day    TEXT,
    sha256 TEXT NOT NULL
);

-- External-content FTS5 index over papers, kept in sync by PaperStore.ingest and the triggers below.
CREATE VIRTUAL TABLE papers_fts USING fts5 (
    title, summary, authors, category,
    content = 'papers', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- No insert trigger: PaperStore.ingest indexes a day's new rows with one INSERT ... SELECT, which
-- bench/search.py measured 2-3x faster than a trigger firing per row. Updates and deletes use triggers.
CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, summary, authors, category)
    VALUES ('delete', old.id, old.title, old.summary, old.authors, coalesce(old.category, ''));
END;
CREATE TRIGGER papers_au AFTER UPDATE OF title, summary, authors, category ON papers BEGIN
    INSERT INTO papers_fts (papers_fts, rowid, title, summary, authors, category)
    VALUES ('delete', old.id, old.title, old.summary, old.authors, coalesce(old.category, ''));
    INSERT INTO papers_fts (rowid, title, summary, authors, category)
    VALUES (new.id, new.title, new.summary, new.authors, coalesce(new.category, ''));
END;

-- Substring lookups of author names (partial names, usernames) without a scan.
CREATE VIRTUAL TABLE authors_fts USING fts5 (
    folded, content = 'authors', content_rowid = 'id', tokenize = 'trigram'
);
-- New authors are indexed by PaperStore.ingest in one INSERT ... SELECT, like papers_fts.
CREATE TRIGGER authors_ad AFTER DELETE ON authors BEGIN
    INSERT INTO authors_fts (authors_fts, rowid, folded) VALUES ('delete', old.id, old.folded);
END;
