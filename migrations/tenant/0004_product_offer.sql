-- Each product carries a summary of its variants' offer — lowest and highest price, and whether
-- anything can be bought — kept current by a statement-level trigger on variants, so that lists
-- can sort and filter by price and availability with an index instead of aggregating variants
-- for every product of a collection or an admin page.

ALTER TABLE products
    ADD COLUMN price_min_minor bigint CHECK (price_min_minor >= 0),
    ADD COLUMN price_max_minor bigint CHECK (price_max_minor >= 0),
    ADD COLUMN available boolean NOT NULL DEFAULT false;

-- Recomputes the summary of the given products; writes a row only when it changed, so selling
-- one unit of a well-stocked variant does not touch its product.
CREATE FUNCTION refresh_product_offer(product_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE products p
    SET price_min_minor = s.price_min, price_max_minor = s.price_max, available = s.available
    FROM (
        SELECT ids.id,
               min(v.price_minor) AS price_min,
               max(v.price_minor) AS price_max,
               coalesce(bool_or(NOT v.inventory_tracked OR v.inventory_policy = 'continue'
                                OR v.inventory_quantity > 0), false) AS available
        FROM unnest(product_ids) AS ids (id)
        LEFT JOIN variants v ON v.product_id = ids.id
        GROUP BY ids.id
    ) s
    WHERE p.id = s.id
      AND (p.price_min_minor, p.price_max_minor, p.available)
          IS DISTINCT FROM (s.price_min, s.price_max, s.available)
$$;

CREATE FUNCTION variants_refresh_product_offer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_product_offer(ARRAY(SELECT DISTINCT product_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM refresh_product_offer(ARRAY(
            SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows));
    ELSE
        PERFORM refresh_product_offer(ARRAY(SELECT DISTINCT product_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER variants_offer_insert AFTER INSERT ON variants
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION variants_refresh_product_offer();
CREATE TRIGGER variants_offer_update AFTER UPDATE ON variants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION variants_refresh_product_offer();
CREATE TRIGGER variants_offer_delete AFTER DELETE ON variants
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION variants_refresh_product_offer();

-- Products that existed before this migration.
SELECT refresh_product_offer(ARRAY(SELECT id FROM products));

-- Storefront lists by price; admin filter "available / sold out".
CREATE INDEX products_active_price ON products (price_min_minor, id) WHERE status = 'active';
CREATE INDEX products_available_updated ON products (available, updated_at DESC, id DESC);
