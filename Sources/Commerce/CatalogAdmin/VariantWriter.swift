import Postgres

/// Writes a product's options, option values, variants and their links with a fixed number of
/// statements whatever the number of variants: ids are reserved from the identity sequences
/// first, then every table gets one `unnest` insert or update. Stock changes are recorded as
/// inventory movements.
struct VariantWriter {
    let productId: Int64
    let actor: CatalogActor
    let movementReason: String

    func write(options: [OptionInput], variants: [VariantInput], before: [VariantInput], on db: Connection) throws {
        let keptIds = variants.compactMap(\.id)
        try db.execute("DELETE FROM variants WHERE product_id = \(productId) AND NOT (id = ANY(\(keptIds)::int8[]))")
        // Positions and SKUs may be swapped between kept variants: check positions at commit, and
        // clear the kept SKUs before setting them again.
        try db.execute("SET CONSTRAINTS variants_product_position_key DEFERRED")
        if !keptIds.isEmpty {
            try db.execute("UPDATE variants SET sku = NULL WHERE id = ANY(\(keptIds)) AND sku IS NOT NULL")
        }
        try db.execute("DELETE FROM product_options WHERE product_id = \(productId)")

        let valueCount = options.reduce(0) { $0 + $1.values.count }
        let newCount = variants.filter { $0.id == nil }.count
        guard let ids = try db.queryFirst("""
            SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('product_options', 'id'))
                         FROM generate_series(1, \(options.count))) AS options,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('product_option_values', 'id'))
                         FROM generate_series(1, \(valueCount))) AS option_values,
                   ARRAY(SELECT nextval(pg_get_serial_sequence('variants', 'id'))
                         FROM generate_series(1, \(newCount))) AS variants
            """) else { throw CommerceError.missingResult("reserving variant ids") }
        let optionIds: [Int64] = try ids.decode("options")
        var valueIds: [Int64] = try ids.decode("option_values")
        var newIds: [Int64] = try ids.decode("variants")

        // Options and values; remember each value's id by (option index, lower-cased value).
        var valueRows = (ids: [Int64](), options: [Int64](), values: [String](), positions: [Int32]())
        var valueId: [Int: [String: Int64]] = [:]
        for (o, option) in options.enumerated() {
            for (position, value) in option.values.enumerated() {
                let id = valueIds.removeFirst()
                valueRows.ids.append(id)
                valueRows.options.append(optionIds[o])
                valueRows.values.append(value)
                valueRows.positions.append(Int32(position + 1))
                valueId[o, default: [:]][value.lowercased()] = id
            }
        }
        if !options.isEmpty {
            try db.execute("""
                INSERT INTO product_options (id, product_id, name, position)
                SELECT x.id, \(productId), x.name, x.position
                FROM unnest(\(optionIds)::int8[], \(options.map(\.name))::text[],
                            \(options.indices.map { Int32($0 + 1) })::int4[]) AS x (id, name, position)
                """)
            try db.execute("""
                INSERT INTO product_option_values (id, option_id, value, position)
                SELECT * FROM unnest(\(valueRows.ids)::int8[], \(valueRows.options)::int8[], \(valueRows.values)::text[],
                                     \(valueRows.positions)::int4[])
                """)
        }

        var rows = Columns()
        var links = (variants: [Int64](), options: [Int64](), values: [Int64]())
        let previous = Dictionary(uniqueKeysWithValues: before.compactMap { v in v.id.map { ($0, v.inventoryQuantity) } })
        var movements = (variants: [Int64](), deltas: [Int32](), after: [Int32]())
        for (index, v) in variants.enumerated() {
            let id = v.id ?? newIds.removeFirst()
            rows.append(id: id, isNew: v.id == nil, v, position: index + 1)
            for (o, value) in v.optionValues.enumerated() {
                guard let vid = valueId[o]?[value.lowercased()] else { continue }
                links.variants.append(id)
                links.options.append(optionIds[o])
                links.values.append(vid)
            }
            let delta = v.inventoryQuantity - (v.id.flatMap { previous[$0] } ?? 0)
            if delta != 0 {
                movements.variants.append(id)
                movements.deltas.append(Int32(delta))
                movements.after.append(Int32(v.inventoryQuantity))
            }
        }
        try rows.insertNew(productId: productId, on: db)
        try rows.updateKept(on: db)
        if !links.variants.isEmpty {
            try db.execute("""
                INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
                SELECT x.v, \(productId), x.o, x.ov
                FROM unnest(\(links.variants)::int8[], \(links.options)::int8[], \(links.values)::int8[]) AS x (v, o, ov)
                """)
        }
        if !movements.variants.isEmpty {
            try db.execute("""
                INSERT INTO inventory_movements (variant_id, delta, quantity_after, reason, actor)
                SELECT x.v, x.d, x.a, \(movementReason), \(actor.movementLabel)
                FROM unnest(\(movements.variants)::int8[], \(movements.deltas)::int4[], \(movements.after)::int4[]) AS x (v, d, a)
                """)
        }
    }
}

/// Parallel arrays of variant columns, split into new and kept rows.
private struct Columns {
    struct Side {
        var ids: [Int64] = [], titles: [String] = [], skus: [String?] = [], barcodes: [String?] = []
        var prices: [Int64] = [], compareAt: [Int64?] = [], costs: [Int64?] = [], weights: [Int32] = []
        var quantities: [Int32] = [], policies: [String] = [], tracked: [Bool] = [], shipping: [Bool] = []
        var taxable: [Bool] = [], positions: [Int32] = []

        mutating func append(id: Int64, _ v: VariantInput, position: Int) {
            ids.append(id); titles.append(v.title); skus.append(v.sku); barcodes.append(v.barcode)
            prices.append(v.priceMinor); compareAt.append(v.compareAtMinor); costs.append(v.costMinor)
            weights.append(Int32(v.weightGrams)); quantities.append(Int32(v.inventoryQuantity))
            policies.append(v.inventoryPolicy.rawValue); tracked.append(v.inventoryTracked)
            shipping.append(v.requiresShipping); taxable.append(v.taxable); positions.append(Int32(position))
        }

        var unnest: Query {
            """
            unnest(\(ids)::int8[], \(titles)::text[], \(skus)::text[], \(barcodes)::text[], \(prices)::int8[],
                   \(compareAt)::int8[], \(costs)::int8[], \(weights)::int4[], \(quantities)::int4[], \(policies)::text[],
                   \(tracked)::bool[], \(shipping)::bool[], \(taxable)::bool[], \(positions)::int4[])
                AS x (id, title, sku, barcode, price, compare_at, cost, weight, quantity, policy, tracked,
                      shipping, taxable, position)
            """
        }
    }

    var new = Side()
    var kept = Side()

    mutating func append(id: Int64, isNew: Bool, _ v: VariantInput, position: Int) {
        if isNew { new.append(id: id, v, position: position) } else { kept.append(id: id, v, position: position) }
    }

    func insertNew(productId: Int64, on db: Connection) throws {
        guard !new.ids.isEmpty else { return }
        try db.execute("""
            INSERT INTO variants (id, product_id, title, sku, barcode, price_minor, compare_at_minor, cost_minor,
                                  weight_grams, inventory_quantity, inventory_policy, inventory_tracked,
                                  requires_shipping, taxable, position)
            SELECT x.id, \(productId), x.title, x.sku, x.barcode, x.price, x.compare_at, x.cost, x.weight, x.quantity,
                   x.policy, x.tracked, x.shipping, x.taxable, x.position
            FROM \(new.unnest)
            """)
    }

    func updateKept(on db: Connection) throws {
        guard !kept.ids.isEmpty else { return }
        try db.execute("""
            UPDATE variants v SET title = x.title, sku = x.sku, barcode = x.barcode, price_minor = x.price,
                compare_at_minor = x.compare_at, cost_minor = x.cost, weight_grams = x.weight,
                inventory_quantity = x.quantity, inventory_policy = x.policy, inventory_tracked = x.tracked,
                requires_shipping = x.shipping, taxable = x.taxable, position = x.position
            FROM \(kept.unnest)
            WHERE v.id = x.id
            """)
    }
}
