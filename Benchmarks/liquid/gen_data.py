"""Writes data/listing.json: a deterministic 50-product collection for the Liquid benchmark.

Run: python3 Benchmarks/liquid/gen_data.py   (the output is committed; rerun only to change it)
"""

import json
import random
from pathlib import Path

rng = random.Random(20261125)

ADJECTIVES = ["Organic", "Classic", "Vintage", "Heavyweight", "Recycled", "Limited", "Everyday",
              "Coastal", "Alpine", "Midnight", "Sunburst", "Harbor"]
NOUNS = ["Cotton Tee", "Hoodie", "Coffee Mug", "Poster", "Beanie", "Tote Bag", "Notebook",
         "Water Bottle", "Cap", "Sweatshirt", "Enamel Pin", "Print"]
TYPES = {"Cotton Tee": "Shirt", "Hoodie": "Shirt", "Sweatshirt": "Shirt", "Coffee Mug": "Mug",
         "Poster": "Poster", "Print": "Poster"}
VENDORS = ["Fleet & Sons", "Northwind Supply", "Acme <Goods>", "Blue Heron Co", "Kettle \"Works\""]
TAGS = ["New", "Sale", "Cotton", "Gift", "Bestseller", "Eco", "Summer", "Winter", "Unisex",
        "Limited Edition", "Handmade"]
WORDS = ("soft durable everyday piece made from responsibly sourced materials that wash well "
         "and keep their shape season after season with a relaxed fit printed in small batches "
         "by our partners & shipped in plastic-free <recycled> packaging").split()
OPTIONS = ["S", "M", "L", "XL", "Black", "White", "Navy", "11oz", "15oz"]


def product(index):
    noun = rng.choice(NOUNS)
    title = f"{rng.choice(ADJECTIVES)} {noun}"
    if index % 7 == 0:
        title += " & Matching Sticker Set <Bundle>"
    handle = "-".join(title.lower().replace("&", "and").replace("<", "").replace(">", "").split()) + f"-{index}"
    price = rng.randrange(500, 20000, 5)
    compare_at = price + rng.randrange(100, 5000, 50) if index % 3 == 0 else None
    word_count = rng.choice([5, 8, 11, 13, 20, 30])
    images = [
        {"src": f"products/{handle}-{n}.jpg", "alt": "" if n % 2 else f"{title} view {n + 1}",
         "width": rng.choice([800, 1024, 2048])}
        for n in range(rng.randrange(0, 5))
    ]
    return {
        "id": 1000 + index,
        "title": title,
        "handle": handle,
        "price": price,
        "compare_at_price": compare_at,
        "vendor": rng.choice(VENDORS),
        "type": TYPES.get(noun, "Accessory"),
        "tags": rng.sample(TAGS, rng.randrange(0, 6)),
        "images": images,
        "description": " ".join(rng.choice(WORDS) for _ in range(word_count)),
        "available": index % 5 != 4,
        "inventory": rng.randrange(0, 250),
        "created_at": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(0, 24):02d}:15:00Z",
        "options": rng.sample(OPTIONS, rng.randrange(0, 4)),
    }


products = [product(i) for i in range(50)]
data = {
    "shop": {
        "name": "Fleet & Sons <Outfitters>",
        "currency": "USD",
        "founded": "2011-06-01",
        "menu": [
            {"title": "Home", "url": "/"},
            {"title": "All products", "url": "/collections/all"},
            {"title": "Sale", "url": "/collections/sale"},
            {"title": "About us", "url": "/pages/about"},
        ],
    },
    "collection": {
        "title": "All products",
        "url": "/collections/all",
        "description": "<p>Everything we make, from <b>tees</b> to mugs &amp; posters, printed in small batches.</p>",
        "all_tags": sorted({tag for p in products for tag in p["tags"]}),
        "updated_at": "2026-11-20T08:30:00Z",
        "products": products,
    },
}

folder = Path(__file__).parent / "data"
(folder / "listing.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")

# The commerce page (Storefleet's own filters) also paginates and shows a cart.
data["paginate"] = {
    "current_page": 2, "pages": 6, "items": 300, "page_size": 50,
    "previous": {"title": "Previous", "url": "/collections/all?page=1", "is_link": True},
    "next": {"title": "Next", "url": "/collections/all?page=3", "is_link": True},
    "parts": [{"title": str(n), "url": f"/collections/all?page={n}", "is_link": n != 2} for n in range(1, 7)],
}
data["cart"] = {"item_count": 3, "total_price": 12345}
(folder / "commerce.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
print(f"wrote listing.json and commerce.json in {folder} ({len(products)} products)")
