-- Subscriptions may also post a weekly recap: the week's top papers (Hugging Face upvotes and
-- this server's bookmarks, see bot/discover.py) on the last of the subscription's weekdays.
ALTER TABLE subscriptions ADD COLUMN weekly INTEGER NOT NULL DEFAULT 0;
