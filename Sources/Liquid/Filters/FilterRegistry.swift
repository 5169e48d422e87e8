/// The filter registry: every standard and commerce filter by name. `Environment(filters:)` adds
/// the application's own.
extension Environment {
    static let standardFilters: [String: FilterDefinition] = {
        var all: [String: FilterDefinition] = [:]
        for group in [stringFilters, mathFilters, arrayFilters, dateFilters, commerceFilters] {
            all.merge(group) { a, _ in a }
        }
        return all
    }()
}
