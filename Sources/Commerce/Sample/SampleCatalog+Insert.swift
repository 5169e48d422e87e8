import Postgres

extension SampleCatalog {
    /// Writes a batch of products with a fixed number of statements whatever its size: ids are
    /// reserved from the tables' identity sequences first, so every row can be inserted from
    /// parallel arrays (`unnest`) with its links already known. Products whose handle exists are
    /// skipped. Returns how many were inserted.
    static func insertBatch(_ batch: [Product], into db: Connection) throws -> Int {
        let existing = Set(try db.query("""
            SELECT handle FROM products WHERE handle = ANY(\(batch.map(\.handle)))
            """).map { try $0.decode("handle", as: String.self) })
        let fresh = batch.filter { !existing.contains($0.handle) }
        if fresh.isEmpty { return 0 }

        let withOption = fresh.filter { $0.archetype.option != nil }
        let valueCount = withOption.reduce(0) { $0 + ($1.archetype.option?.values.count ?? 0) }
        let variantCount = fresh.reduce(0) { $0 + $1.variants.count }
        guard let ids = try db.queryFirst("""
            SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('products', 'id'))
                         FROM generate_series(1, \(fresh.count))) AS products,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('product_images', 'id'))
                         FROM generate_series(1, \(fresh.count))) AS images,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('product_options', 'id'))
                         FROM generate_series(1, \(withOption.count))) AS options,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('product_option_values', 'id'))
                         FROM generate_series(1, \(valueCount))) AS option_values,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('variants', 'id'))
                         FROM generate_series(1, \(variantCount))) AS variants
            """) else { throw CommerceError.missingResult("reserving sample catalog ids") }
        let productIds: [Int64] = try ids.decode("products")
        let imageIds: [Int64] = try ids.decode("images")
        var optionIds: [Int64] = try ids.decode("options")
        var valueIds: [Int64] = try ids.decode("option_values")
        var variantIds: [Int64] = try ids.decode("variants")

        try db.execute("""
            INSERT INTO products (id, handle, title, description_html, vendor, product_type, tags,
                                  status, seo_description, created_at, updated_at)
            SELECT x.id, x.handle, x.title, x.description, x.vendor, x.type, string_to_array(x.tags, ','),
                   'active', x.seo, now() - make_interval(mins => x.age), now() - make_interval(mins => x.age)
            FROM unnest(\(productIds)::int8[], \(fresh.map(\.handle))::text[], \(fresh.map(\.title))::text[],
                        \(fresh.map(\.descriptionHTML))::text[], \(fresh.map(\.archetype.vendor))::text[],
                        \(fresh.map(\.archetype.productType))::text[],
                        \(fresh.map { $0.tags.joined(separator: ",") })::text[],
                        \(fresh.map(\.seoDescription))::text[], \(fresh.map(\.ageMinutes))::int4[])
                 AS x (id, handle, title, description, vendor, type, tags, seo, age)
            """)
        try db.execute("""
            INSERT INTO product_images (id, product_id, position, alt, storage_key, content_type, width, height)
            SELECT x.id, x.product_id, 1, x.alt, x.key, 'image/svg+xml', 800, 800
            FROM unnest(\(imageIds)::int8[], \(productIds)::int8[], \(fresh.map(\.imageAlt))::text[],
                        \(fresh.map(\.imageKey))::text[]) AS x (id, product_id, alt, key)
            """)

        // Options and their values, remembering each value's id for the variants' links.
        var option = (ids: [Int64](), products: [Int64](), names: [String]())
        var value = (ids: [Int64](), options: [Int64](), values: [String](), positions: [Int32]())
        var valueIdByProductAndValue: [Int64: [String: (option: Int64, value: Int64)]] = [:]
        for (index, product) in fresh.enumerated() {
            guard let (name, values) = product.archetype.option else { continue }
            let optionId = optionIds.removeFirst()
            option.ids.append(optionId)
            option.products.append(productIds[index])
            option.names.append(name)
            for (position, text) in values.enumerated() {
                let valueId = valueIds.removeFirst()
                value.ids.append(valueId)
                value.options.append(optionId)
                value.values.append(text)
                value.positions.append(Int32(position + 1))
                valueIdByProductAndValue[productIds[index], default: [:]][text] = (optionId, valueId)
            }
        }
        if !option.ids.isEmpty {
            try db.execute("""
                INSERT INTO product_options (id, product_id, name, position)
                SELECT x.id, x.product_id, x.name, 1
                FROM unnest(\(option.ids)::int8[], \(option.products)::int8[], \(option.names)::text[])
                     AS x (id, product_id, name)
                """)
            try db.execute("""
                INSERT INTO product_option_values (id, option_id, value, position)
                SELECT * FROM unnest(\(value.ids)::int8[], \(value.options)::int8[], \(value.values)::text[],
                                     \(value.positions)::int4[])
                """)
        }

        var v = (ids: [Int64](), products: [Int64](), images: [Int64](), titles: [String](), skus: [String](),
                 barcodes: [String](), prices: [Int64](), compareAt: [Int64?](), costs: [Int64](),
                 weights: [Int32](), physical: [Bool](), quantities: [Int32](), policies: [String](),
                 positions: [Int32]())
        var links = (variants: [Int64](), products: [Int64](), options: [Int64](), values: [Int64]())
        for (index, product) in fresh.enumerated() {
            let a = product.archetype
            for (position, variant) in product.variants.enumerated() {
                let variantId = variantIds.removeFirst()
                v.ids.append(variantId)
                v.products.append(productIds[index])
                v.images.append(imageIds[index])
                v.titles.append(variant.title)
                v.skus.append(variant.sku)
                v.barcodes.append(variant.barcode)
                v.prices.append(variant.priceMinor)
                v.compareAt.append(variant.compareAtMinor)
                v.costs.append(variant.costMinor)
                v.weights.append(Int32(a.weightGrams))
                v.physical.append(!a.isDigital)
                v.quantities.append(Int32(variant.quantity))
                v.policies.append(a.sellsWhenSoldOut ? "continue" : "deny")
                v.positions.append(Int32(position + 1))
                if let link = valueIdByProductAndValue[productIds[index]]?[variant.title] {
                    links.variants.append(variantId)
                    links.products.append(productIds[index])
                    links.options.append(link.option)
                    links.values.append(link.value)
                }
            }
        }
        try db.execute("""
            INSERT INTO variants (id, product_id, image_id, title, sku, barcode, price_minor, compare_at_minor,
                                  cost_minor, weight_grams, requires_shipping, taxable, inventory_tracked,
                                  inventory_quantity, inventory_policy, position)
            SELECT x.id, x.product_id, x.image_id, x.title, x.sku, x.barcode, x.price, x.compare_at,
                   x.cost, x.weight, x.physical, x.physical, x.physical, x.quantity, x.policy, x.position
            FROM unnest(\(v.ids)::int8[], \(v.products)::int8[], \(v.images)::int8[], \(v.titles)::text[],
                        \(v.skus)::text[], \(v.barcodes)::text[], \(v.prices)::int8[], \(v.compareAt)::int8[],
                        \(v.costs)::int8[], \(v.weights)::int4[], \(v.physical)::bool[], \(v.quantities)::int4[],
                        \(v.policies)::text[], \(v.positions)::int4[])
                 AS x (id, product_id, image_id, title, sku, barcode, price, compare_at, cost, weight,
                       physical, quantity, policy, position)
            """)
        if !links.variants.isEmpty {
            try db.execute("""
                INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                SELECT * FROM unnest(\(links.variants)::int8[], \(links.products)::int8[],
                                     \(links.options)::int8[], \(links.values)::int8[])
                """)
        }
        try db.execute("""
            INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, actor)
            SELECT id, inventory_quantity, inventory_quantity, 'initial', 'sample-data'
            FROM variants WHERE id = ANY(\(v.ids)) AND inventory_quantity > 0
            """)
        return fresh.count
    }
}
