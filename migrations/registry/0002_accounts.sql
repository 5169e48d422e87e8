-- Merchant accounts: email verification, password reset, two-factor sign-in, session details,
-- log-in throttling, and where an audited action came from (issue 5).
--
-- Every secret is stored as a hash (tokens, recovery codes) or sealed with the keyring (the
-- TOTP secret, which the server must read back). users and sessions carry no row-level
-- security (a person is not an organization's row); the new tables are reached only by the
-- account code, with the narrow grants at the end.

-- Users ---------------------------------------------------------------------------------------

ALTER TABLE users
    ADD COLUMN email_verified_at   timestamptz,
    -- An address the user asked to change to; it replaces `email` when its link is followed.
    ADD COLUMN pending_email       text CHECK (pending_email IS NULL OR position('@' IN pending_email) > 1),
    -- The TOTP secret, sealed with the keyring (`sf1.<kid>...`); set while enrolling, kept
    -- while enabled, cleared on disable.
    ADD COLUMN totp_secret_sealed  text,
    ADD COLUMN totp_enabled        boolean NOT NULL DEFAULT false,
    -- The last time step whose code was accepted: that step and earlier ones are refused, so a
    -- code seen over someone's shoulder cannot be used again.
    ADD COLUMN totp_last_step      bigint,
    ADD COLUMN password_changed_at timestamptz,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT users_totp_enabled_has_secret CHECK (NOT totp_enabled OR totp_secret_sealed IS NOT NULL),
    ADD CONSTRAINT users_email_length CHECK (length(email) <= 254),
    ADD CONSTRAINT users_name_length CHECK (length(name) <= 200);

-- Sessions ------------------------------------------------------------------------------------

ALTER TABLE sessions
    ADD COLUMN ip          text CHECK (ip IS NULL OR length(ip) <= 64),
    ADD COLUMN user_agent  text CHECK (user_agent IS NULL OR length(user_agent) <= 512),
    -- The password was right but the second factor is still owed: such a row signs nobody in.
    -- It lives minutes, and its cookie is not the session cookie.
    ADD COLUMN second_factor_pending  boolean NOT NULL DEFAULT false,
    ADD COLUMN second_factor_failures integer NOT NULL DEFAULT 0 CHECK (second_factor_failures >= 0);

-- One-time tokens sent by mail ------------------------------------------------------------------

CREATE TYPE account_token_purpose AS ENUM ('verify_email', 'reset_password');

-- The link carries the token; only its SHA-256 is kept. A token is used once, before it expires.
-- For verify_email, `email` is the address the link was sent to: following it verifies that
-- address only if it is still the user's (or pending) address.
CREATE TABLE account_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     account_token_purpose NOT NULL,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expiry_idx ON account_tokens (expires_at);

-- Two-factor recovery codes: each a hash of a random code shown once, used at most once.
CREATE TABLE recovery_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    UNIQUE (user_id, code_hash)
);

-- Log-in throttling ---------------------------------------------------------------------------

-- One row per failed attempt (password or second factor), counted over a sliding window per
-- account and per address. `account_key` is the SHA-256 of the lower-cased email typed, so
-- addresses that have no account are not kept in the clear. Rows older than the window are
-- deleted as new ones arrive.
CREATE TABLE login_failures (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    account_key  bytea NOT NULL,
    address      text NOT NULL CHECK (length(address) <= 64)
);
CREATE INDEX login_failures_account_idx ON login_failures (account_key, at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

-- Audit: from where -----------------------------------------------------------------------------

ALTER TABLE audit_log ADD COLUMN address text CHECK (address IS NULL OR length(address) <= 64);

-- Grants ----------------------------------------------------------------------------------------

GRANT SELECT, INSERT, UPDATE, DELETE ON account_tokens, recovery_codes TO storefleet_app;
GRANT SELECT, INSERT, DELETE ON login_failures TO storefleet_app;
