-- Checkout settings notification (issue 7): every checkout step read the store's pricing rules
-- (settings, shipping zones and rates, tax rates), the countries it ships to and its payment
-- methods afresh — 9 of about 42 statements per checkout, for configuration that changes
-- when a merchant edits it. A worker now keeps them per store and drops them when
-- `checkout_settings_changed` is notified, in the transaction that changes any of these tables
-- (a statement trigger: one notification per statement, folded into one per transaction by
-- PostgreSQL, since the payload is always empty).
CREATE FUNCTION notify_checkout_settings_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('checkout_settings_changed', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER store_settings_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON store_settings
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
CREATE TRIGGER shipping_zones_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shipping_zones
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
CREATE TRIGGER shipping_zone_countries_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shipping_zone_countries
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
CREATE TRIGGER shipping_rates_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON shipping_rates
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
CREATE TRIGGER tax_rates_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tax_rates
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
CREATE TRIGGER payment_providers_checkout_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON payment_providers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_checkout_settings_changed();
