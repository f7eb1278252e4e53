-- The delivery ledger: every message paperboy owes a channel for a day, written BEFORE it is
-- posted (state 'pending', with the nonce it will be posted with) and marked 'sent' with the
-- Discord message id after. See bot/delivery.py for the protocol that makes posting exactly-once.

CREATE TABLE deliveries (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    day             TEXT NOT NULL,
    item            TEXT NOT NULL,       -- 'header', 'thread', 'skipped', 'compact' or an arXiv id
    position        INTEGER NOT NULL,    -- posting order within the day
    nonce           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent')),
    message_id      INTEGER,             -- or the thread id for the 'thread' item
    PRIMARY KEY (subscription_id, day, item)
) WITHOUT ROWID;

-- Days fully handled for a subscription (posted, or nothing to post), so catch-up skips them.
CREATE TABLE delivered_days (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    day             TEXT NOT NULL,
    papers          INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, day)
) WITHOUT ROWID;
