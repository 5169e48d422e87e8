-- The storefront's cache key: one row whose version moves in the same transaction as any change
-- to what a storefront page shows. A worker keeps rendered pages per store and checks this row
-- (one trivial query) before serving one, so a cached page is never stale and never outlives the
-- transaction that changed it. Statement-level triggers: a bulk update bumps it once.
CREATE TABLE storefront_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO storefront_version DEFAULT VALUES;

CREATE FUNCTION bump_storefront_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE storefront_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER variants_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER product_images_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_images
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER collections_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON collections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER collection_products_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON collection_products
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER store_settings_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON store_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER theme_settings_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON theme_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER pages_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
