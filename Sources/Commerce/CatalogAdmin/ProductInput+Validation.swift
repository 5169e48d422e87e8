extension ProductInput {
    public static let maximumOptions = 3
    public static let maximumVariants = 250
    public static let maximumTags = 250
    public static let maximumDescriptionBytes = 512 * 1024
    static let maximumAmountMinor: Int64 = 1_000_000_000_000
    static let maximumQuantity = 1_000_000_000

    /// The input cleaned (trimmed, description sanitised, option values completed from the
    /// variants, blank SKUs and barcodes nil) and every problem that needs no database, per field.
    func normalized() -> (ProductInput, CatalogValidation) {
        var p = self
        var errors = CatalogValidation()

        p.title = title.trimmedWhitespace()
        if p.title.isEmpty { errors.add("title", "Enter a title.") }
        else if p.title.count > 255 { errors.add("title", "Title must be at most 255 characters.") }
        else if hasControlCharacters(p.title) { errors.add("title", "Title cannot contain control characters.") }

        p.descriptionHTML = HTMLSanitizer.sanitize(descriptionHTML)
        if p.descriptionHTML.utf8.count > ProductInput.maximumDescriptionBytes {
            errors.add("description_html", "Description is too long (at most 512 KB).")
        }

        p.vendor = vendor.trimmedWhitespace()
        if p.vendor.count > 255 || hasControlCharacters(p.vendor) { errors.add("vendor", "Vendor must be at most 255 characters of text.") }
        p.productType = productType.trimmedWhitespace()
        if p.productType.count > 255 || hasControlCharacters(p.productType) {
            errors.add("product_type", "Product type must be at most 255 characters of text.")
        }

        p.tags = CatalogText.tags(tags.joined(separator: ","))
        if p.tags.count > ProductInput.maximumTags { errors.add("tags", "A product can have at most 250 tags.") }
        if let long = p.tags.first(where: { $0.count > 255 || hasControlCharacters($0) }) {
            errors.add("tags", "Tag “\(long.prefix(40))” must be at most 255 characters of text.")
        }

        p.seoTitle = seoTitle?.trimmedWhitespace()
        if p.seoTitle?.isEmpty == true { p.seoTitle = nil }
        if let t = p.seoTitle, t.count > 255 || hasControlCharacters(t) { errors.add("seo_title", "SEO title must be at most 255 characters.") }
        p.seoDescription = seoDescription?.trimmedWhitespace()
        if p.seoDescription?.isEmpty == true { p.seoDescription = nil }
        if let d = p.seoDescription, d.count > 320 { errors.add("seo_description", "SEO description must be at most 320 characters.") }

        p.handle = handle?.trimmedWhitespace().lowercased()
        if p.handle?.isEmpty == true { p.handle = nil }
        if let h = p.handle, !CatalogText.isValidHandle(h) {
            errors.add("handle", "Use only lower-case letters, digits, dashes and underscores (at most 255), starting with a letter or digit.")
        }

        validateOptionsAndVariants(&p, &errors)
        return (p, errors)
    }

    private func validateOptionsAndVariants(_ p: inout ProductInput, _ errors: inout CatalogValidation) {
        p.options = options.map { OptionInput(name: $0.name.trimmedWhitespace(), values: $0.values.map { $0.trimmedWhitespace() }.filter { !$0.isEmpty }) }
        if p.options.count > ProductInput.maximumOptions { errors.add("options", "A product can have at most three options.") }
        var names: Set<String> = []
        for (i, option) in p.options.enumerated() {
            if option.name.isEmpty { errors.add("options.\(i).name", "Enter the option’s name, like Size or Colour.") }
            else if option.name.count > 255 { errors.add("options.\(i).name", "Option name must be at most 255 characters.") }
            else if !names.insert(option.name.lowercased()).inserted { errors.add("options.\(i).name", "Two options cannot have the same name.") }
        }

        if variants.isEmpty { errors.add("variants", "A product needs at least one variant.") }
        if variants.count > ProductInput.maximumVariants { errors.add("variants", "A product can have at most \(ProductInput.maximumVariants) variants.") }
        var combinations: Set<[String]> = []
        var skus: Set<String> = []
        p.variants = []
        for (i, input) in variants.enumerated() {
            var v = input
            let field = "variants.\(i)"
            v.optionValues = input.optionValues.map { $0.trimmedWhitespace() }
            if v.optionValues.count != p.options.count {
                errors.add("\(field).options", p.options.isEmpty ? "This product has no options to choose values of."
                                                                 : "Choose a value for each option.")
            } else if let blank = v.optionValues.firstIndex(where: \.isEmpty) {
                errors.add("\(field).options", "Choose a value for \(p.options[blank].name).")
            } else if !combinations.insert(v.optionValues.map { $0.lowercased() }).inserted {
                errors.add("\(field).options", "Another variant already has \(v.title).")
            }
            // Values used by variants are values of their options, in first-use order.
            if v.optionValues.count == p.options.count {
                for (o, value) in v.optionValues.enumerated() where !value.isEmpty
                    && !p.options[o].values.contains(where: { $0.lowercased() == value.lowercased() }) {
                    p.options[o].values.append(value)
                }
            }

            v.sku = input.sku?.trimmedWhitespace()
            if v.sku?.isEmpty == true { v.sku = nil }
            if let sku = v.sku {
                if sku.count > 255 || hasControlCharacters(sku) { errors.add("\(field).sku", "SKU must be at most 255 characters of text.") }
                else if !skus.insert(sku).inserted { errors.add("\(field).sku", "Another variant of this product has SKU \(sku).") }
            }
            v.barcode = input.barcode?.trimmedWhitespace()
            if v.barcode?.isEmpty == true { v.barcode = nil }
            if let barcode = v.barcode, !CatalogText.isValidGTIN(barcode) {
                errors.add("\(field).barcode", "Enter a GTIN of 8, 12, 13 or 14 digits with its check digit (UPC, EAN or ISBN).")
            }
            if v.priceMinor < 0 { errors.add("\(field).price", "Price cannot be negative.") }
            else if v.priceMinor > ProductInput.maximumAmountMinor { errors.add("\(field).price", "Price is too large.") }
            if let c = v.compareAtMinor, c < 0 || c > ProductInput.maximumAmountMinor {
                errors.add("\(field).compare_at_price", "Compare-at price cannot be negative.")
            }
            if let c = v.costMinor, c < 0 || c > ProductInput.maximumAmountMinor {
                errors.add("\(field).cost", "Cost cannot be negative.")
            }
            if v.weightGrams < 0 || v.weightGrams > 10_000_000 { errors.add("\(field).weight", "Weight must be between 0 and 10,000 kg.") }
            if abs(v.inventoryQuantity) > ProductInput.maximumQuantity { errors.add("\(field).inventory_quantity", "Quantity is too large.") }
            else if v.inventoryQuantity < 0 && v.inventoryPolicy == .deny {
                errors.add("\(field).inventory_quantity", "Stock cannot be negative unless the variant keeps selling when sold out.")
            }
            p.variants.append(v)
        }
    }

    private func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

extension ProductAdmin {
    /// The problems of `input` that need no database (what `create` and `update` check first), for
    /// a form that already found problems of its own and wants to show them all at once.
    public static func check(_ input: ProductInput) -> CatalogValidation {
        input.normalized().1
    }
}
