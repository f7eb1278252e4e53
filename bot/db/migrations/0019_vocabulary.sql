-- The words of the full-text index and how many papers hold each, for the autocomplete of
-- /follow keyword: suggestions come from the papers, never from what other people follow.
-- fts5vocab reads the index itself, so there is nothing to keep in sync.

CREATE VIRTUAL TABLE papers_vocab USING fts5vocab (papers_fts, 'row');
