-- The orders admin (issue 7). Searching orders by part of an email address matches from the
-- start of the address ("ada" finds ada@example.com) through this index, so the search stays an
-- index scan on a store with many orders; a whole address keeps using orders_email.
CREATE INDEX orders_email_prefix ON orders (lower(email) text_pattern_ops);
