-- Speed targets of the store admin (issues 5 and 6).

-- The dashboard's cache key also notifies: a worker LISTENs on its connection to the store and
-- serves the figures it has with no tenant statement while no `reports_changed` arrived (as the
-- storefront does with `storefront_changed`, 0007). NOTIFY is sent at commit, never for a
-- rolled-back change, and repeats within one transaction fold into one. The `notifies` column
-- tells a worker that this schema announces every move of the version (a store not yet migrated
-- to here never would, so its figures are checked on every view).
CREATE OR REPLACE FUNCTION bump_reports_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE reports_version SET version = version + 1;
    PERFORM pg_notify('reports_changed', '');
    RETURN NULL;
END
$$;
ALTER TABLE reports_version ADD COLUMN notifies boolean NOT NULL DEFAULT true CHECK (notifies);

-- The admin product list filtered by type or vendor and sorted by title walks these instead of
-- sorting every product of the type (a few thousand titles by collation per page).
CREATE INDEX products_type_title ON products (product_type, title, id);
CREATE INDEX products_vendor_title ON products (vendor, title, id);
