"""Access rules of the API's catalogue, account, buyer and report routes (tests/test_api_access.py)."""

from dataclasses import dataclass, field
from decimal import Decimal

from tests.access_world import ALL, SIGNED_IN
from tests.factories import order_create, product_create

# reports.access.report_agencies: city auditors (and staff) read every agency, a PA/KPA and an
# agency admin their own
REPORT_READERS = frozenset({"auditor", "a_pa", "a_admin", "b_pa", "b_admin"})


@dataclass(frozen=True)
class ApiRule:
    """Who may call each method of one route; ``kwargs`` maps URL arguments to world values,
    ``data`` and ``query`` name a world value holding the body or the query string."""

    get: frozenset | None = None
    post: frozenset | None = None
    put: frozenset | None = None
    patch: frozenset | None = None
    delete: frozenset | None = None
    kwargs: dict = field(default_factory=dict)
    data: str | None = None
    query: str | None = None
    why: str = ""


RULES: dict[str, ApiRule] = {
    "categories": ApiRule(get=ALL, why="the catalogue is public"),
    "products": ApiRule(get=ALL, why="the catalogue is public"),
    "product": ApiRule(get=ALL, kwargs={"pk": "product_on_sale"}, why="a product on sale is public"),
    "me": ApiRule(get=SIGNED_IN, why="anyone signed in, with any scope"),
    "buyer-orders": ApiRule(get=SIGNED_IN, why="everyone's own orders (none for most)"),
    "buyer-order": ApiRule(
        get=frozenset({"shopper"}), kwargs={"number": "shopper_order"}, why="its buyer only"
    ),
    "reports-realisation": ApiRule(get=REPORT_READERS),
    "reports-umkm-share": ApiRule(get=REPORT_READERS),
    "reports-spend": ApiRule(get=REPORT_READERS),
}


def world_extend(world: dict) -> None:
    """A shopper's own order."""
    seller_stock = product_create(title="Kerupuk Udang", price=Decimal("15000")).stockrecords.get()
    order = order_create(user=world["people"]["shopper"], lines=[(seller_stock, 2)], number="WARGA-0001")
    world["values"]["shopper_order"] = order.number
