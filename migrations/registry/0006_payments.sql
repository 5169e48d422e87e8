-- Payments (issue 7): the platform's Stripe keys, sealed, and which store owns each Stripe
-- Connect account.
--
-- Stripe sends every webhook to the platform's one endpoint (/webhooks/stripe on the platform
-- host). A payment_intent.succeeded names its store in the PaymentIntent's metadata; an
-- account.updated names only the connected account, so the registry keeps account -> store.

-- Platform secrets (the Stripe secret key, webhook signing secrets), sealed with the keyring
-- (AES-256-GCM, the secret's name as associated data). The application role never reads the
-- table: it goes through the two functions below.
CREATE TABLE platform_secrets (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    sealed      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE platform_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_secrets_platform ON platform_secrets TO storefleet_owner USING (true) WITH CHECK (true);

CREATE FUNCTION storefleet_platform_secret(p_name text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT sealed FROM platform_secrets WHERE name = p_name
$$;

CREATE FUNCTION storefleet_put_platform_secret(p_name text, p_sealed text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    INSERT INTO platform_secrets (name, sealed) VALUES (p_name, p_sealed)
    ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()
$$;

-- Connect accounts: one per store at most, one store per account.
CREATE TABLE stripe_accounts (
    account_id  text PRIMARY KEY CHECK (account_id ~ '^acct_[A-Za-z0-9]+$'),
    store_id    bigint NOT NULL UNIQUE REFERENCES stores (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE stripe_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY stripe_accounts_platform ON stripe_accounts TO storefleet_owner USING (true) WITH CHECK (true);
CREATE POLICY stripe_accounts_app ON stripe_accounts TO storefleet_app
    USING (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()))
    WITH CHECK (store_id IN (SELECT s.id FROM stores s WHERE s.org_id = storefleet_current_org()));

-- The webhook's question, asked before any organization is known: which live store owns this
-- account? Routing fields only.
CREATE FUNCTION storefleet_store_for_stripe_account(p_account_id text)
RETURNS TABLE (store_id bigint, slug text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT s.id, s.slug FROM stripe_accounts a JOIN stores s ON s.id = a.store_id
    WHERE a.account_id = p_account_id AND s.status IN ('active', 'suspended')
$$;

REVOKE ALL ON FUNCTION storefleet_platform_secret(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_put_platform_secret(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION storefleet_store_for_stripe_account(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storefleet_platform_secret(text) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_put_platform_secret(text, text) TO storefleet_app;
GRANT EXECUTE ON FUNCTION storefleet_store_for_stripe_account(text) TO storefleet_app;
GRANT SELECT, INSERT, DELETE ON stripe_accounts TO storefleet_app;
