-- 100,000 products for the admin list benchmark (Benchmarks/catalog/run.sh), made with
-- generate_series in a few statements: 50 vendors, 30 types, 80% active / 13% draft / 5% archived,
-- a third with two variants, one in ten sold out, ten collections of about 5,000 products each.
-- Timestamps are spread so that "recently updated" and "newest" orders differ.
INSERT INTO products (handle, title, description_html, vendor, product_type, tags, status, created_at, updated_at)
SELECT 'bench-' || g,
       (ARRAY['Classic','Organic','Vintage','Premium','Everyday','Deluxe','Compact','Rugged'])[1 + g % 8] || ' '
           || (ARRAY['Mug','Tee','Lamp','Chair','Backpack','Scarf','Bottle','Notebook','Candle','Blanket'])[1 + (g / 8) % 10]
           || ' ' || g,
       '<p>Benchmark product ' || g || '.</p>',
       'Vendor ' || (g % 50),
       'Type ' || (g % 30),
       ARRAY['tag' || (g % 100), 'group' || (g % 7)],
       CASE WHEN g % 20 = 0 THEN 'archived' WHEN g % 7 = 0 THEN 'draft' ELSE 'active' END,
       now() - make_interval(mins => 200000 - g),
       now() - make_interval(secs => (g * 7919) % 5000000)
FROM generate_series(1, 100000) AS g;

INSERT INTO variants (product_id, title, sku, price_minor, compare_at_minor, inventory_quantity, position)
SELECT p.id, 'Default Title', 'SKU-' || lpad(p.id::text, 7, '0'), 500 + (p.id * 37) % 20000, NULL,
       CASE WHEN p.id % 10 = 0 THEN 0 ELSE (p.id * 13) % 100 END, 1
FROM products p WHERE p.handle LIKE 'bench-%';

INSERT INTO variants (product_id, title, sku, price_minor, inventory_quantity, position)
SELECT p.id, 'Large', 'SKU-' || lpad(p.id::text, 7, '0') || '-L', 900 + (p.id * 37) % 20000,
       CASE WHEN p.id % 10 = 0 THEN 0 ELSE (p.id * 7) % 50 END, 2
FROM products p WHERE p.handle LIKE 'bench-%' AND p.id % 3 = 0;

INSERT INTO collections (handle, title)
SELECT 'bench-collection-' || c, 'Bench collection ' || c FROM generate_series(0, 9) AS c;

INSERT INTO collection_products (collection_id, product_id, position)
SELECT c.id, p.id, (p.id / 20)::int
FROM collections c
JOIN products p ON p.id % 20 = substring(c.handle FROM 'bench-collection-(\d+)')::int
WHERE c.handle LIKE 'bench-collection-%';
