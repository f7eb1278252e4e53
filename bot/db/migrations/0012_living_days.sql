-- A day keeps living after it is posted: late papers join it, shown fields are edited in place,
-- and a message left pending past Discord's nonce window is adopted from the channel's history.
-- The ledger learns what each row is, where its message lives and what it showed; subscriptions
-- learn their filter mode, a role to mention, publishing, and their delivery health.

-- header | thread | paper | listed (a paper shown in a compact list) | compact | more | skipped
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'paper';
-- Rows planned together: 0 is the day's first delivery, 1, 2, ... its late papers.
ALTER TABLE deliveries ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;
-- The channel (or thread) the message lives in, for edits and history reads.
ALTER TABLE deliveries ADD COLUMN channel_id INTEGER;
-- A hash of what the message shows, as rendered: a change of any shown field changes it.
ALTER TABLE deliveries ADD COLUMN fingerprint TEXT;
-- When the row became pending (ISO, UTC): past the nonce window, history is read before posting.
ALTER TABLE deliveries ADD COLUMN pending_since TEXT;
-- A moderator deleted the message: it is never edited or posted again.
ALTER TABLE deliveries ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

UPDATE deliveries SET kind = item WHERE item IN ('header', 'thread', 'compact', 'skipped');
UPDATE deliveries SET channel_id = (
    SELECT s.channel_id FROM subscriptions s WHERE s.id = deliveries.subscription_id
) WHERE kind != 'paper';
UPDATE deliveries SET channel_id = coalesce(
    (SELECT t.message_id FROM deliveries t WHERE t.subscription_id = deliveries.subscription_id
        AND t.day = deliveries.day AND t.item = 'thread'),
    (SELECT s.channel_id FROM subscriptions s WHERE s.id = deliveries.subscription_id)
) WHERE kind = 'paper';
-- Compact days posted before: one 'listed' row per paper the list shows, so none counts as late.
INSERT OR IGNORE INTO deliveries
    (subscription_id, day, item, position, nonce, state, message_id, kind, channel_id)
SELECT d.subscription_id, d.day, p.arxiv_id, d.position, d.nonce, 'sent', d.message_id, 'listed',
    d.channel_id
FROM deliveries d JOIN paper_messages m ON m.message_id = d.message_id
JOIN papers p ON p.id = m.paper_id
WHERE d.item = 'compact' AND d.state = 'sent';

CREATE INDEX deliveries_message ON deliveries (channel_id, message_id);

ALTER TABLE subscriptions ADD COLUMN match_mode TEXT NOT NULL DEFAULT 'any';  -- any | all
ALTER TABLE subscriptions ADD COLUMN mention_role INTEGER;  -- pinged by each day's header
ALTER TABLE subscriptions ADD COLUMN publish INTEGER NOT NULL DEFAULT 0;  -- crosspost (announcements)
ALTER TABLE subscriptions ADD COLUMN last_post_at TEXT;  -- ISO, UTC
ALTER TABLE subscriptions ADD COLUMN last_error TEXT;  -- in words, for /subscriptions
