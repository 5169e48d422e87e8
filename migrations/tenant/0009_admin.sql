-- What the store admin needs (issue 5): the dashboard's sales figures stay cheap with tens of
-- thousands of orders, and store settings gain the address, the policies and the logo.

-- Sales reports read paid, not cancelled orders by date: this partial index holds exactly those,
-- with the total, so a 30-day window is one index range scan (index-only once vacuumed).
CREATE INDEX orders_sales_created ON orders (created_at) INCLUDE (id, total_minor)
    WHERE financial_status IN ('paid', 'partially_refunded', 'refunded') AND status <> 'cancelled';

-- The reports' cache key: one row whose version moves, through statement triggers, in the same
-- transaction as any change to orders, their lines or their refunds (like storefront_version,
-- which covers what the storefront shows). A worker keeps each store's dashboard figures and
-- checks this row, with the store's date, before using them.
CREATE TABLE reports_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 1
);
INSERT INTO reports_version DEFAULT VALUES;

CREATE FUNCTION bump_reports_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE reports_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_reports_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();
CREATE TRIGGER order_items_reports_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON order_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();
CREATE TRIGGER refunds_reports_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON refunds
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();

-- Store settings edited in the admin: where the business is (shown in emails and policies),
-- its policies (Shopify themes read them as shop.refund_policy and friends) and the logo, a
-- path under the store's media folder (nginx serves it at /media/sf_store_<id>/...).
ALTER TABLE store_settings
    ADD COLUMN address1        text NOT NULL DEFAULT '' CHECK (length(address1) <= 200),
    ADD COLUMN address2        text NOT NULL DEFAULT '' CHECK (length(address2) <= 200),
    ADD COLUMN city            text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
    ADD COLUMN province        text NOT NULL DEFAULT '' CHECK (length(province) <= 100),
    ADD COLUMN postal_code     text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),
    ADD COLUMN phone           text NOT NULL DEFAULT '' CHECK (length(phone) <= 40),
    ADD COLUMN refund_policy   text NOT NULL DEFAULT '' CHECK (length(refund_policy) <= 20000),
    ADD COLUMN privacy_policy  text NOT NULL DEFAULT '' CHECK (length(privacy_policy) <= 20000),
    ADD COLUMN terms_of_service text NOT NULL DEFAULT '' CHECK (length(terms_of_service) <= 20000),
    ADD COLUMN shipping_policy text NOT NULL DEFAULT '' CHECK (length(shipping_policy) <= 20000),
    ADD COLUMN logo_path       text CHECK (logo_path ~ '^[a-z0-9][a-z0-9._-]*$');
