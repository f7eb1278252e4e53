-- A change log for the derived tantivy index (bot/textindex.py). SQLite stays the store of record:
-- every write that changes what search reads about a paper (its text, days, tags or authors)
-- logs the paper's id here in the same transaction, by trigger, so no write path can forget it
-- and a crash can never commit a paper without its log row. The index applies the rows past the
-- sequence number it last committed, then deletes them.
CREATE TABLE search_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    paper_id INTEGER NOT NULL
);

CREATE TRIGGER search_papers_ai AFTER INSERT ON papers BEGIN
    INSERT INTO search_changes (paper_id) VALUES (new.id);
END;
CREATE TRIGGER search_papers_au AFTER UPDATE OF arxiv_id, title, summary, authors, category, abstract
ON papers BEGIN
    INSERT INTO search_changes (paper_id) VALUES (new.id);
END;
CREATE TRIGGER search_papers_ad AFTER DELETE ON papers BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.id);
END;
CREATE TRIGGER search_listings_ai AFTER INSERT ON listings BEGIN
    INSERT INTO search_changes (paper_id) VALUES (new.paper_id);
END;
CREATE TRIGGER search_listings_au AFTER UPDATE OF day, paper_id ON listings BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.paper_id), (new.paper_id);
END;
CREATE TRIGGER search_listings_ad AFTER DELETE ON listings BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.paper_id);
END;
CREATE TRIGGER search_tags_ai AFTER INSERT ON paper_tags BEGIN
    INSERT INTO search_changes (paper_id) VALUES (new.paper_id);
END;
CREATE TRIGGER search_tags_ad AFTER DELETE ON paper_tags BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.paper_id);
END;
CREATE TRIGGER search_authors_ai AFTER INSERT ON paper_authors BEGIN
    INSERT INTO search_changes (paper_id) VALUES (new.paper_id);
END;
CREATE TRIGGER search_authors_au AFTER UPDATE ON paper_authors BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.paper_id), (new.paper_id);
END;
CREATE TRIGGER search_authors_ad AFTER DELETE ON paper_authors BEGIN
    INSERT INTO search_changes (paper_id) VALUES (old.paper_id);
END;
