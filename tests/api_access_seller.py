"""Access rules of the API's seller routes (tests/test_api_access.py).

Only the world's seller works for its shop ("Toko Katering Bu Rini"): every seller route
is theirs alone. Anyone else is refused as the seller centre refuses them: the shop list
with 403 (they work for no shop), a shop, listing or order they do not work for with 404.
"""

from tests.api_access_catalogue import ApiRule

SELLER_ONLY = frozenset({"seller"})
SHOP = {"shop": "seller_shop"}

RULES: dict[str, ApiRule] = {
    "seller-shops": ApiRule(get=SELLER_ONLY, why="the shops the caller works for; 403 for others"),
    "seller-products": ApiRule(
        get=SELLER_ONLY,
        post=SELLER_ONLY,
        kwargs=SHOP,
        data="seller_listing_new",
        why="a shop's listings: only its own people (centre_shops)",
    ),
    "seller-product": ApiRule(
        get=SELLER_ONLY,
        patch=SELLER_ONLY,
        kwargs={**SHOP, "pk": "seller_product"},
        data="seller_listing_edit",
        why="one of the shop's listings",
    ),
    "seller-stock": ApiRule(
        post=SELLER_ONLY, kwargs=SHOP, data="seller_stock_rows", why="the shop's prices and stock"
    ),
    "seller-orders": ApiRule(get=SELLER_ONLY, kwargs=SHOP, why="the shop's orders, official ones included"),
    "seller-order": ApiRule(
        get=SELLER_ONLY, kwargs={**SHOP, "number": "seller_order"}, why="one of the shop's orders"
    ),
    "seller-order-status": ApiRule(
        post=SELLER_ONLY,
        kwargs={**SHOP, "number": "seller_order"},
        data="seller_order_move",
        why="only its seller moves the order (a refused move is a 409: past the rule)",
    ),
}


def world_extend(world: dict) -> None:
    """Add to the access world what the seller routes need: the seller's shop, one of its listings
    (the product on sale) and one of its orders (agency A's received official order)."""
    values = world["values"]
    shop = world["people"]["seller"].partners.get()
    record = shop.stockrecords.get(product_id=values["product_on_sale"])
    values.update(
        {
            "seller_shop": shop.code,
            "seller_product": record.product_id,
            "seller_order": values["order_a"],
            "seller_listing_new": {"title": "Tumpeng Mini"},
            "seller_listing_edit": {"stock": record.num_in_stock},
            "seller_stock_rows": [{"sku": record.partner_sku, "price": "26000", "stock": 40}],
            "seller_order_move": {"status": "Diproses"},
        }
    )
