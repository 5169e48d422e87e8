import Postgres
import Testing
@testable import Commerce

@Suite("Catalog admin: products")
struct ProductAdminTests {
    static func shirt(sku: String = "TEE-S") -> ProductInput {
        ProductInput(
            title: "Organic Tee", descriptionHTML: "<p onclick=\"x()\">Soft <script>alert(1)</script>cotton</p>",
            vendor: "Acme", productType: "Shirts", tags: ["summer", " cotton ", "Summer"],
            options: [OptionInput(name: "Size")],
            variants: [
                VariantInput(optionValues: ["S"], sku: sku, barcode: "4006381333931", priceMinor: 2500, compareAtMinor: 3000,
                             costMinor: 900, weightGrams: 180, inventoryQuantity: 4),
                VariantInput(optionValues: ["M"], sku: sku + "-M", priceMinor: 2600, inventoryQuantity: 0,
                             inventoryPolicy: .continue),
            ])
    }

    @Test("a product is created with its options and variants, sanitised, audited, and moves the storefront version")
    func create() throws {
        try StoreFixture.run("pa-create") { store in
            let before = try store.storefrontVersion()
            let id = try ProductAdmin.create(Self.shirt(), by: store.actor, on: store.db)
            let record = try #require(try ProductAdmin.load(id, on: store.db))
            #expect(record.handle == "organic-tee")
            #expect(record.descriptionHTML == "<p>Soft cotton</p>")
            #expect(record.tags == ["summer", "cotton"])
            #expect(record.status == .draft)
            #expect(record.options == [OptionInput(name: "Size", values: ["S", "M"])])
            #expect(record.variants.map(\.optionValues) == [["S"], ["M"]])
            #expect(record.variants.map(\.priceMinor) == [2500, 2600])
            #expect(record.variants[1].inventoryPolicy == .continue)
            #expect(try store.storefrontVersion() > before)
            #expect(try store.count("SELECT count(*) FROM audit_log WHERE action = 'product.create'") == 1)
            #expect(try store.count("SELECT count(*) FROM inventory_movements WHERE reason = 'initial'") == 1)
            #expect(try store.count("SELECT inventory_total FROM products") == 4)
        }
    }

    @Test("every bad field is reported at once and nothing is written")
    func validation() throws {
        try StoreFixture.run("pa-invalid") { store in
            var input = Self.shirt()
            input.title = "  "
            input.handle = "Bad Handle!"
            input.variants[0].priceMinor = -1
            input.variants[0].barcode = "4006381333932"        // wrong check digit
            input.variants[1].inventoryQuantity = -3
            input.variants[1].inventoryPolicy = .deny
            input.variants.append(VariantInput(optionValues: ["s"], priceMinor: 100))   // same as S
            let errors = try #require(validationErrors { try ProductAdmin.create(input, by: store.actor, on: store.db) })
            #expect(errors["title"] != nil)
            #expect(errors["handle"] != nil)
            #expect(errors["variants.0.price"] != nil)
            #expect(errors["variants.0.barcode"] != nil)
            #expect(errors["variants.1.inventory_quantity"] != nil)
            #expect(errors["variants.2.options"] != nil)
            #expect(try store.count("SELECT count(*) FROM products") == 0)
            #expect(try store.count("SELECT count(*) FROM audit_log WHERE action LIKE 'product.%'") == 0)
        }
    }

    @Test("handles and SKUs are unique across products")
    func uniqueness() throws {
        try StoreFixture.run("pa-unique") { store in
            _ = try ProductAdmin.create(Self.shirt(), by: store.actor, on: store.db)
            // Same title: a fresh handle is made.
            let second = try ProductAdmin.create(Self.shirt(sku: "OTHER"), by: store.actor, on: store.db)
            #expect(try ProductAdmin.load(second, on: store.db)?.handle == "organic-tee-1")
            // A chosen handle that is taken, and a taken SKU, are field errors.
            var clash = Self.shirt(sku: "TEE-S")
            clash.handle = "organic-tee"
            let errors = try #require(validationErrors { try ProductAdmin.create(clash, by: store.actor, on: store.db) })
            #expect(errors["handle"]?.contains("organic-tee") == true)
            #expect(errors["variants.0.sku"]?.contains("TEE-S") == true)
            #expect(try store.count("SELECT count(*) FROM products") == 2)
        }
    }

    @Test("editing keeps variant ids, records stock changes, and a new handle leaves a redirect")
    func update() throws {
        try StoreFixture.run("pa-update") { store in
            let id = try ProductAdmin.create(Self.shirt(), by: store.actor, on: store.db)
            var input = try #require(try ProductAdmin.load(id, on: store.db)).input
            let ids = input.variants.map(\.id)
            input.handle = "tee"
            input.status = .active
            input.variants[0].inventoryQuantity = 10
            input.variants.remove(at: 1)
            input.variants.append(VariantInput(optionValues: ["L"], sku: "TEE-L", priceMinor: 2700, inventoryQuantity: 2))
            try ProductAdmin.update(id, input, by: store.actor, on: store.db)

            let record = try #require(try ProductAdmin.load(id, on: store.db))
            #expect(record.handle == "tee")
            #expect(record.redirectsFrom == ["organic-tee"])
            #expect(record.variants.count == 2)
            #expect(record.variants[0].id == ids[0])
            #expect(record.variants.map(\.optionValues) == [["S"], ["L"]])
            #expect(record.publishedAt != nil)
            #expect(try store.count("SELECT count(*) FROM inventory_movements WHERE reason = 'adjustment' AND delta = 6") == 1)
            let lookup = try Catalog.activeProduct(handle: "organic-tee", on: store.db)
            #expect(lookup == .moved(toHandle: "tee"))

            // Saving unchanged input changes nothing but the audit log's "changed" list is empty.
            try ProductAdmin.update(id, record.input, by: store.actor, on: store.db)
            let details: String = try store.db.queryFirst(
                "SELECT details::text AS d FROM audit_log WHERE action = 'product.update' ORDER BY id DESC LIMIT 1")!.decode("d")
            #expect(details.contains("\"changed\": []") || details.contains("\"changed\":[]"))
        }
    }
}
