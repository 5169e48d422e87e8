-- Stock totals without a product write per sale (issue 7). A sale that changes only stock levels
-- (every variant stays buyable, or stays sold out) moved its product's `inventory_total` at once
-- (0017): an update of a products row with 22 indexes, a before-write trigger and two statement
-- triggers, about 1 ms of a 1.4 ms stock update, and a lock on the product held to the order's
-- commit. The only reader of that total is the admin's product list, so the sale now appends
-- its difference to `product_inventory_changes`, and `fold_product_inventory()` moves the
-- waiting differences into `products.inventory_total` — the list calls it first. A product
-- summarised again from its variants (`refresh_product_offer`: a price change, a variant sold
-- out, added or removed) drops its waiting differences in the same statement, since its new
-- total counts them.
CREATE TABLE product_inventory_changes (
    product_id bigint NOT NULL,
    delta bigint NOT NULL
);
CREATE INDEX product_inventory_changes_product ON product_inventory_changes (product_id);

-- Folding is not an edit of the product: its `updated_at` stays.
CREATE OR REPLACE FUNCTION products_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('storefleet.folding_inventory', true) IS DISTINCT FROM 'on' THEN
        NEW.updated_at := now();
    END IF;
    IF NEW.status = 'active' AND NEW.published_at IS NULL THEN
        NEW.published_at := now();
    END IF;
    RETURN NEW;
END
$$;

-- Each waiting difference is taken by exactly one fold (DELETE ... RETURNING; a concurrent fold
-- skips the rows this one deleted), in one statement with the products it moves.
CREATE FUNCTION fold_product_inventory() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('storefleet.folding_inventory', 'on', true);
    WITH drained AS (DELETE FROM product_inventory_changes RETURNING product_id, delta),
         summed AS (SELECT product_id, sum(delta) AS delta FROM drained GROUP BY product_id)
    UPDATE products p SET inventory_total = p.inventory_total + s.delta
    FROM summed s
    WHERE p.id = s.product_id AND s.delta <> 0;
    PERFORM set_config('storefleet.folding_inventory', 'off', true);
END
$$;

CREATE OR REPLACE FUNCTION refresh_product_offer(product_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH counted AS (DELETE FROM product_inventory_changes WHERE product_id = ANY (product_ids))
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
        -- The others: only tracked stock levels moved; their totals wait for the next fold.
        INSERT INTO product_inventory_changes (product_id, delta)
        SELECT n.product_id, sum(n.inventory_quantity - o.inventory_quantity)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.inventory_tracked AND n.product_id <> ALL (changed)
        GROUP BY n.product_id
        HAVING sum(n.inventory_quantity - o.inventory_quantity) <> 0;
    ELSE
        changed := ARRAY(SELECT DISTINCT product_id FROM old_rows);
    END IF;
    IF cardinality(changed) > 0 THEN
        PERFORM refresh_product_offer(changed);
    END IF;
    RETURN NULL;
END
$$;
