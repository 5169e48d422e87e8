-- Checkout speed (issue 7): what every order paid for in triggers.

-- 1. Selling a unit of a variant re-summarised its product (0004, 0010) on every stock change
-- with an SQL function, planned afresh on each call: about 0.9 ms of a ~1.4 ms stock update.
-- The summary is PL/pgSQL now (planned once per session), and an update whose only change is
-- the stock of variants that stay buyable (or stay sold out) adjusts the product's
-- `inventory_total` by the difference instead of re-aggregating its variants.
CREATE OR REPLACE FUNCTION refresh_product_offer(product_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p
    SET price_min_minor = s.price_min, price_max_minor = s.price_max, available = s.available,
        inventory_total = s.inventory_total
    FROM (
        SELECT ids.id,
               min(v.price_minor) AS price_min,
               max(v.price_minor) AS price_max,
               coalesce(bool_or(NOT v.inventory_tracked OR v.inventory_policy = 'continue'
                                OR v.inventory_quantity > 0), false) AS available,
               coalesce(sum(v.inventory_quantity) FILTER (WHERE v.inventory_tracked), 0) AS inventory_total
        FROM unnest(product_ids) AS ids (id)
        LEFT JOIN variants v ON v.product_id = ids.id
        GROUP BY ids.id
    ) s
    WHERE p.id = s.id
      AND (p.price_min_minor, p.price_max_minor, p.available, p.inventory_total)
          IS DISTINCT FROM (s.price_min, s.price_max, s.available, s.inventory_total);
END
$$;

CREATE OR REPLACE FUNCTION variants_refresh_product_offer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT DISTINCT product_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        -- Products where anything but the stock level moved, or where a variant became buyable
        -- or stopped being so: summarised again from their variants.
        changed := ARRAY(
            SELECT n.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.product_id, n.price_minor, n.inventory_tracked, n.inventory_policy, n.inventory_quantity > 0)
                  IS DISTINCT FROM
                  (o.product_id, o.price_minor, o.inventory_tracked, o.inventory_policy, o.inventory_quantity > 0)
            UNION
            SELECT o.product_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.product_id <> o.product_id);
        -- The others: only tracked stock levels moved, so the total moves by the difference.
        UPDATE products p SET inventory_total = p.inventory_total + d.delta
        FROM (SELECT n.product_id, sum(n.inventory_quantity - o.inventory_quantity) AS delta
              FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE n.inventory_tracked AND n.product_id <> ALL (changed)
              GROUP BY n.product_id) d
        WHERE p.id = d.product_id AND d.delta <> 0;
    ELSE
        changed := ARRAY(SELECT DISTINCT product_id FROM old_rows);
    END IF;
    IF cardinality(changed) > 0 THEN
        PERFORM refresh_product_offer(changed);
    END IF;
    RETURN NULL;
END
$$;

-- 2. The dashboard's `reports_version` (0009, 0016) was bumped by the order's INSERT, early in
-- "Place order", so every order of a store waited for the one before it to commit. The bump now
-- runs at commit (deferred constraint triggers, once per transaction), which keeps the same
-- meaning — the version moves, and `reports_changed` is sent, exactly when the change commits.
CREATE FUNCTION bump_reports_version_at_commit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    IF current_setting('storefleet.reports_bumped', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('storefleet.reports_bumped', 'on', true);   -- until this transaction ends
    UPDATE reports_version SET version = version + 1;
    PERFORM pg_notify('reports_changed', '');
    RETURN NULL;
END
$$;

DROP TRIGGER orders_reports_version ON orders;
DROP TRIGGER order_items_reports_version ON order_items;
DROP TRIGGER refunds_reports_version ON refunds;

CREATE CONSTRAINT TRIGGER orders_reports_version AFTER INSERT OR UPDATE OR DELETE ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reports_version_at_commit();
CREATE CONSTRAINT TRIGGER order_items_reports_version AFTER INSERT OR UPDATE OR DELETE ON order_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reports_version_at_commit();
CREATE CONSTRAINT TRIGGER refunds_reports_version AFTER INSERT OR UPDATE OR DELETE ON refunds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reports_version_at_commit();
-- TRUNCATE has no rows, so no constraint trigger: it keeps the statement-level one.
CREATE TRIGGER orders_reports_version_truncate AFTER TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();
CREATE TRIGGER order_items_reports_version_truncate AFTER TRUNCATE ON order_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();
CREATE TRIGGER refunds_reports_version_truncate AFTER TRUNCATE ON refunds
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reports_version();

-- 3. Every order moved `storefront_version` (its stock change), and with it each worker re-read
-- the store's look (settings, theme, pages, collections: `StorefrontContext`) for the next
-- checkout page, although none of that had changed. The look now has its own counter, moved
-- only by the tables it is built from (together with `version`, which still covers every
-- storefront page), and its own notification, so pages that only need the look — cart,
-- checkout, account — keep it while the catalog sells.
ALTER TABLE storefront_version ADD COLUMN look_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION bump_storefront_look_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    UPDATE storefront_version SET version = version + 1, look_version = look_version + 1;
    PERFORM pg_notify('storefront_changed', '');
    PERFORM pg_notify('storefront_look_changed', '');
    RETURN NULL;
END
$$;

DROP TRIGGER store_settings_storefront_version ON store_settings;
DROP TRIGGER theme_settings_storefront_version ON theme_settings;
DROP TRIGGER pages_storefront_version ON pages;
DROP TRIGGER collections_storefront_version ON collections;
CREATE TRIGGER store_settings_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON store_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_look_version();
CREATE TRIGGER theme_settings_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON theme_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_look_version();
CREATE TRIGGER pages_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_look_version();
CREATE TRIGGER collections_storefront_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON collections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_look_version();
