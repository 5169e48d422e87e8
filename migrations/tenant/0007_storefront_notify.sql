-- The storefront's cache key also notifies: a worker LISTENs on its connection to the store and
-- serves a cached page with no query while no `storefront_changed` has arrived. NOTIFY is
-- transactional (sent at commit, never for a rolled-back change) and folds repeats within one
-- transaction into one.
CREATE OR REPLACE FUNCTION bump_storefront_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE storefront_version SET version = version + 1;
    PERFORM pg_notify('storefront_changed', '');
    RETURN NULL;
END
$$;
