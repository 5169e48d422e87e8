-- Checkout (issue 7). An order's status page is `/orders/<public_token>`: a random, URL-safe
-- token (never the number, which is guessable), given to the buyer on the confirmation page and
-- in the confirmation email. Orders placed before this migration have none (no status page).
ALTER TABLE orders
    ADD COLUMN public_token text UNIQUE CHECK (public_token ~ '^[A-Za-z0-9_-]{20,64}$');
