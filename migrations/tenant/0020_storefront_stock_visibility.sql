-- A sale moves the storefront's cache key only when a shopper could see the difference (issue 7).
-- Every order's stock decrement bumped `storefront_version`: one row that all orders of a store
-- update, whose lock each order held from its stock update to its commit (about 1 ms of waiting
-- per order at 100 orders/s), and a `storefront_changed` that made every worker drop every cached
-- page of the store on every sale.
--
-- What storefront pages show of stock: whether a variant is available (kept on the product by
-- `refresh_product_offer`, whose product update bumps the version itself), its state (in stock,
-- low, sold out, backorder: the low-stock threshold is at most 50) and its exact count only at or
-- below 50 (`stock_quantity`, for "only 3 left"; `ProductPage.exactStockLimit`). So an update of
-- variants that changes nothing but tracked stock levels staying above 50, or the count of an
-- untracked variant, leaves the version alone. Anything else — another column, a row added,
-- removed or moved, a count at or below 50 before or after — bumps it as before.
CREATE FUNCTION variants_bump_storefront_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM new_rows n FULL JOIN old_rows o ON o.id = n.id
        WHERE n.id IS NULL OR o.id IS NULL
           OR (to_jsonb(n) - 'inventory_quantity' - 'updated_at')
              IS DISTINCT FROM (to_jsonb(o) - 'inventory_quantity' - 'updated_at')
           OR (n.inventory_tracked AND n.inventory_quantity <> o.inventory_quantity
               AND least(n.inventory_quantity, o.inventory_quantity) <= 50)
    ) THEN
        RETURN NULL;
    END IF;
    UPDATE storefront_version SET version = version + 1;
    PERFORM pg_notify('storefront_changed', '');
    RETURN NULL;
END
$$;

DROP TRIGGER variants_storefront_version ON variants;
CREATE TRIGGER variants_storefront_version AFTER INSERT OR DELETE OR TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION bump_storefront_version();
CREATE TRIGGER variants_storefront_version_update AFTER UPDATE ON variants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION variants_bump_storefront_version();
