// The demo catalog's raw material: a small range of believable products that SampleCatalog
// varies by colour to reach any count.

extension SampleCatalog {
    /// One kind of product; each sample product is an archetype in a colour.
    struct Archetype {
        let title: String
        let vendor: String
        let productType: String
        let tags: [String]
        let description: String
        let priceMinor: Int64
        /// A compare-at price above `priceMinor` puts the product on sale.
        let compareAtMinor: Int64?
        let costMinor: Int64
        let weightGrams: Int
        /// The one option and its values, or nil for a single "Default Title" variant.
        let option: (name: String, values: [String])?
        /// Extra minor units per option value step (bigger sizes cost more), 0 for none.
        let priceStepMinor: Int64
        let image: String
        /// Keeps selling when sold out (pre-orders, made to order).
        let sellsWhenSoldOut: Bool
        /// Not a physical good: no stock to track, nothing to ship.
        let isDigital: Bool

        init(_ title: String, vendor: String, type: String, tags: [String], description: String,
             price: Int64, compareAt: Int64? = nil, cost: Int64, weight: Int,
             option: (name: String, values: [String])? = nil, priceStep: Int64 = 0, image: String,
             sellsWhenSoldOut: Bool = false, isDigital: Bool = false) {
            self.title = title
            self.vendor = vendor
            self.productType = type
            self.tags = tags
            self.description = description
            self.priceMinor = price
            self.compareAtMinor = compareAt
            self.costMinor = cost
            self.weightGrams = weight
            self.option = option
            self.priceStepMinor = priceStep
            self.image = image
            self.sellsWhenSoldOut = sellsWhenSoldOut
            self.isDigital = isDigital
        }
    }

    static let apparelSizes = ["XS", "S", "M", "L", "XL"]
    static let shoeSizes = ["38", "39", "40", "41", "42", "43", "44"]

    static let archetypes: [Archetype] = [
        Archetype("Linen Shirt", vendor: "Harbor & Pine", type: "Shirts",
                  tags: ["linen", "summer", "menswear"],
                  description: "A relaxed shirt in washed European linen that softens with every wear. Mother-of-pearl buttons, a curved hem and a chest pocket.",
                  price: 6_800, cost: 2_400, weight: 240, option: ("Size", apparelSizes), image: "shirt.svg"),
        Archetype("Stoneware Mug", vendor: "Kiln Street", type: "Mugs",
                  tags: ["kitchen", "ceramics", "gift"],
                  description: "Thrown by hand and dipped in a speckled glaze. Holds 350 ml, keeps coffee warm and is happy in the dishwasher.",
                  price: 2_400, cost: 800, weight: 420, image: "mug.svg"),
        Archetype("Trail Runner", vendor: "Northbound", type: "Shoes",
                  tags: ["running", "outdoor", "footwear"],
                  description: "A light trail shoe with a grippy lug sole, a breathable mesh upper and a rock plate where you need it.",
                  price: 12_900, compareAt: 14_900, cost: 5_200, weight: 610,
                  option: ("Size", shoeSizes), image: "sneaker.svg"),
        Archetype("Soy Candle", vendor: "Ember Lane", type: "Candles",
                  tags: ["home", "fragrance", "gift"],
                  description: "Hand-poured soy wax with a cotton wick. Notes of cedar, fig leaf and a little smoke; about 45 hours of burn time.",
                  price: 3_200, cost: 900, weight: 380,
                  option: ("Size", ["Small", "Large"]), priceStep: 1_400, image: "candle.svg"),
        Archetype("Canvas Backpack", vendor: "Northbound", type: "Bags",
                  tags: ["travel", "outdoor", "bags"],
                  description: "Waxed cotton canvas, leather trims and a padded sleeve for a 15-inch laptop. Made to be repaired, not replaced.",
                  price: 11_500, cost: 4_300, weight: 950, image: "backpack.svg", sellsWhenSoldOut: true),
        Archetype("Dot Grid Notebook", vendor: "Paper Harbor", type: "Stationery",
                  tags: ["stationery", "office", "gift"],
                  description: "A5, 192 numbered pages of 100 gsm paper that fountain pens love. Lay-flat binding and two ribbon markers.",
                  price: 1_800, compareAt: 2_200, cost: 500, weight: 310, image: "notebook.svg"),
        Archetype("Merino Beanie", vendor: "Harbor & Pine", type: "Hats",
                  tags: ["wool", "winter", "accessories"],
                  description: "Knitted from soft, itch-free merino with a fold-over cuff. Warm on a cold morning, breathable on the climb.",
                  price: 3_900, cost: 1_200, weight: 90, image: "beanie.svg"),
        Archetype("Pour-Over Coffee Set", vendor: "Kiln Street", type: "Coffee",
                  tags: ["kitchen", "coffee", "gift"],
                  description: "A ceramic dripper, a glass carafe and 100 filters: everything for a clean, bright cup in four minutes.",
                  price: 5_600, cost: 2_100, weight: 1_150, image: "coffee.svg"),
        Archetype("Organic Cotton Tee", vendor: "Harbor & Pine", type: "T-Shirts",
                  tags: ["cotton", "basics", "organic"],
                  description: "The everyday tee: midweight organic cotton, a neat ribbed collar and a cut that holds its shape wash after wash.",
                  price: 2_900, cost: 900, weight: 180, option: ("Size", apparelSizes), image: "tee.svg"),
        Archetype("Gift Card", vendor: "Storefleet Demo", type: "Gift Cards",
                  tags: ["gift"],
                  description: "Can't decide? Send a gift card by email. It never expires and can be spent on anything in the shop.",
                  price: 2_500, cost: 0, weight: 0, option: ("Amount", ["25", "50", "100"]), priceStep: 0,
                  image: "giftcard.svg", isDigital: true),
    ]

    /// The colours an archetype comes in after its first round.
    static let colours = ["Sand", "Charcoal", "Olive", "Indigo", "Rust", "Ivory", "Slate", "Moss",
                          "Ochre", "Clay", "Fern", "Storm"]
}
