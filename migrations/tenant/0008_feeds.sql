-- Shopping feeds, part 2 (issue 8): what regenerating feeds needs beyond the tables of 0003.
--
-- A catalog change marks the store's enabled feeds dirty and, for the first change since the last
-- generation only, writes one `feeds.generate` row to the outbox (moved to the registry's job
-- queue by the relay). Later changes find the feed already dirty and add nothing, so a burst of
-- edits costs one generation; the job waits until `dirty_since` is old enough (the debounce) and
-- clears it when it starts, so a change made while it runs queues the next one.

ALTER TABLE shopping_feeds
    ADD COLUMN warning_count integer NOT NULL DEFAULT 0 CHECK (warning_count >= 0),
    ADD COLUMN file_bytes bigint CHECK (file_bytes >= 0),
    -- When the file now served was written (a failed run leaves it and this as they were).
    ADD COLUMN last_success_at timestamptz;

CREATE FUNCTION shopping_feeds_mark_dirty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH marked AS (
        UPDATE shopping_feeds SET dirty_since = now()
        WHERE enabled AND dirty_since IS NULL
        RETURNING id
    )
    INSERT INTO outbox (topic, payload)
    SELECT 'feeds.generate', jsonb_build_object('reason', 'catalog')
    WHERE EXISTS (SELECT 1 FROM marked);
    RETURN NULL;
END
$$;

CREATE TRIGGER products_feeds_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();
CREATE TRIGGER variants_feeds_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();
CREATE TRIGGER product_images_feeds_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_images
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();
CREATE TRIGGER collection_products_feeds_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON collection_products
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();
CREATE TRIGGER variant_option_values_feeds_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON variant_option_values
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();
CREATE TRIGGER store_settings_feeds_dirty AFTER UPDATE ON store_settings
    FOR EACH STATEMENT EXECUTE FUNCTION shopping_feeds_mark_dirty();

-- One row per channel from the start, disabled, each with its own secret token.
INSERT INTO shopping_feeds (channel) VALUES ('google'), ('meta'), ('tiktok')
ON CONFLICT (channel) DO NOTHING;
