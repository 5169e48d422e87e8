import Postgres

/// One condition of an automatic collection (Shopify's smart-collection rules), stored in
/// `collections.rules` as `{"column", "relation", "condition"}` and evaluated in SQL.
public struct CollectionRule: Codable, Sendable, Hashable {
    public enum Column: String, Codable, Sendable, CaseIterable {
        case tag, type, vendor, title
        /// Any variant's price (minor units in the condition are written as a decimal amount).
        case price = "variant_price"
        case compareAtPrice = "variant_compare_at_price"
        case weight = "variant_weight"
        case inventory = "variant_inventory"

        var isNumeric: Bool { [.price, .compareAtPrice, .weight, .inventory].contains(self) }

        public var label: String {
            switch self {
            case .tag: return "Product tag"
            case .type: return "Product type"
            case .vendor: return "Product vendor"
            case .title: return "Product title"
            case .price: return "Price"
            case .compareAtPrice: return "Compare-at price"
            case .weight: return "Weight (grams)"
            case .inventory: return "Inventory stock"
            }
        }

        /// The relations that make sense for the column.
        public var relations: [Relation] {
            switch self {
            case .tag: return [.equals, .notEquals]
            case .type, .vendor, .title: return [.equals, .notEquals, .contains, .notContains, .startsWith, .endsWith]
            case .price, .compareAtPrice, .weight, .inventory: return [.equals, .notEquals, .greaterThan, .lessThan]
            }
        }
    }

    public enum Relation: String, Codable, Sendable, CaseIterable {
        case equals, notEquals = "not_equals", greaterThan = "greater_than", lessThan = "less_than"
        case contains, notContains = "not_contains", startsWith = "starts_with", endsWith = "ends_with"

        public var label: String {
            switch self {
            case .equals: return "is equal to"
            case .notEquals: return "is not equal to"
            case .greaterThan: return "is greater than"
            case .lessThan: return "is less than"
            case .contains: return "contains"
            case .notContains: return "does not contain"
            case .startsWith: return "starts with"
            case .endsWith: return "ends with"
            }
        }
    }

    public var column: Column
    public var relation: Relation
    public var condition: String

    public init(column: Column, relation: Relation, condition: String) {
        self.column = column
        self.relation = relation
        self.condition = condition
    }

    /// The problem with this rule, or nil. Amounts use `currencyDigits` decimals.
    func problem(currencyDigits: Int) -> String? {
        guard column.relations.contains(relation) else { return "\(column.label) cannot be compared with “\(relation.label)”." }
        let text = condition.trimmedWhitespace()
        if text.isEmpty { return "Enter a value to compare with." }
        if text.count > 255 { return "The value must be at most 255 characters." }
        if column.isNumeric, number(currencyDigits: currencyDigits) == nil {
            return column == .price || column == .compareAtPrice ? "Enter an amount like 25 or 19.99." : "Enter a whole number."
        }
        return nil
    }

    private func number(currencyDigits: Int) -> Int64? {
        let text = condition.trimmedWhitespace()
        switch column {
        case .price, .compareAtPrice: return CatalogText.minorUnits(text, digits: currencyDigits)
        default:
            if text.hasPrefix("-"), let n = Int64(text.dropFirst()) { return -n }
            return Int64(text)
        }
    }

    /// The condition over `products p`, every value bound.
    func sql(currencyDigits: Int) -> Query {
        let text = condition.trimmedWhitespace()
        let lowered = text.lowercased()
        func textual(_ column: Query) -> Query {
            switch relation {
            case .equals: return "lower(\(column)) = \(lowered)"
            case .notEquals: return "lower(\(column)) <> \(lowered)"
            case .contains: return "strpos(lower(\(column)), \(lowered)) > 0"
            case .notContains: return "strpos(lower(\(column)), \(lowered)) = 0"
            case .startsWith: return "left(lower(\(column)), \(Int32(lowered.count))) = \(lowered)"
            case .endsWith: return "right(lower(\(column)), \(Int32(lowered.count))) = \(lowered)"
            case .greaterThan, .lessThan: return "false"
            }
        }
        func variant(_ column: Query, _ value: Int64) -> Query {
            let comparison: Query
            switch relation {
            case .equals: comparison = "\(column) = \(value)"
            case .notEquals: comparison = "\(column) <> \(value)"
            case .greaterThan: comparison = "\(column) > \(value)"
            case .lessThan: comparison = "\(column) < \(value)"
            default: comparison = "false"
            }
            return "EXISTS (SELECT 1 FROM variants rv WHERE rv.product_id = p.id AND \(comparison))"
        }
        switch column {
        case .tag:
            let has: Query = "EXISTS (SELECT 1 FROM unnest(p.tags) AS t (tag) WHERE lower(t.tag) = \(lowered))"
            return relation == .notEquals ? "NOT " + has : has
        case .type: return textual("p.product_type")
        case .vendor: return textual("p.vendor")
        case .title: return textual("p.title")
        case .price: return variant("rv.price_minor", number(currencyDigits: currencyDigits) ?? 0)
        case .compareAtPrice: return variant("rv.compare_at_minor", number(currencyDigits: currencyDigits) ?? 0)
        case .weight: return variant("rv.weight_grams", number(currencyDigits: currencyDigits) ?? 0)
        case .inventory: return variant("rv.inventory_quantity", number(currencyDigits: currencyDigits) ?? 0)
        }
    }
}

extension Array where Element == CollectionRule {
    /// All rules (`matchAll`) or any of them, over `products p`.
    func sql(matchAll: Bool, currencyDigits: Int) -> Query {
        guard !isEmpty else { return "false" }
        var q: Query = "("
        for (i, rule) in enumerated() {
            if i > 0 { q = q + (matchAll ? " AND " : " OR ") }
            q = q + "(" + rule.sql(currencyDigits: currencyDigits) + ")"
        }
        return q + ")"
    }
}
