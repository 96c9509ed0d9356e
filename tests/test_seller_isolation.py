"""Seller A can reach none of seller B's objects through any seller, order or dashboard URL.

The URL names are read from the resolver when the test runs: every ``sellers:centre-*``
name, the whole ``orders`` namespace and Oscar's whole ``dashboard``. Each must have an
entry in the tables below saying how to aim it at seller B's objects; a new URL without
one makes ``test_every_seller_order_and_dashboard_url_has_an_isolation_entry`` fail and
name it. Seller A then requests each one (GET, and POST where the view takes it) and
must get 403 or 404 and never B's product titles, SKUs, order numbers or file names.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, reverse
from oscar.core.loading import get_model

from peken.imports import import_job_start
from peken.models import ImportKind
from sellers.abstract_models import StockUpdateSource
from tests.factories import UserFactory, category_create, order_create, product_create, seller_create
from tests.url_walk import named_patterns

StockUpdate = get_model("partner", "StockUpdate")
Order = get_model("order", "Order")

# How each URL is aimed at B: kwargs and query values name keys of the ``b`` fixture.
# "own" marks a page that only ever shows A's own data (no B object can be named in it):
# it may answer 200, but B's data must not appear.
CENTRE = {
    "sellers:centre-home": {"query": {"toko": "shop"}},
    "sellers:centre-products": {"query": {"toko": "shop"}},
    "sellers:centre-product-create": {"query": {"toko": "shop"}},
    "sellers:centre-product-edit": {"kwargs": {"pk": "product"}},
    "sellers:centre-stock-csv": {"query": {"toko": "shop"}},
    "sellers:centre-stock-upload": {"query": {"toko": "shop"}},
    "sellers:centre-stock-update": {"kwargs": {"pk": "upload"}},
    "sellers:centre-stock-confirm": {"query": {"toko": "shop"}},
    "sellers:centre-stock-job": {"kwargs": {"pk": "import_job"}},
    "sellers:centre-stock-job-status": {"kwargs": {"pk": "import_job"}},
    "sellers:centre-orders": {"query": {"toko": "shop"}},
    "sellers:centre-order-detail": {"kwargs": {"number": "order"}},
    "sellers:centre-order-print": {"kwargs": {"number": "order"}},
    "sellers:centre-sales": {"query": {"toko": "shop"}},
    "sellers:centre-tax": {"query": {"toko": "shop"}},
}
ORDERS = {
    "orders:checkout-group": {"kwargs": {"reference": "checkout_reference"}},
    "orders:transition": {"kwargs": {"number": "order"}},
    "orders:delivery-terms": {"query": {"toko": "shop"}},
}
DASHBOARD = {
    name: {"kwargs": kwargs}
    for name, kwargs in {
        "dashboard:index": {},
        "dashboard:catalogue-product-bulk-action": {},
        "dashboard:catalogue-product": {"pk": "product"},
        "dashboard:catalogue-product-create": {"product_class_slug": "product_class"},
        "dashboard:catalogue-product-create-child": {"parent_pk": "product"},
        "dashboard:catalogue-product-delete": {"pk": "product"},
        "dashboard:catalogue-product-list": {},
        "dashboard:stock-alert-list": {},
        "dashboard:catalogue-product-lookup": {},
        "dashboard:catalogue-category-list": {},
        "dashboard:catalogue-category-detail-list": {"pk": "category"},
        "dashboard:catalogue-category-create": {},
        "dashboard:catalogue-category-create-child": {"parent": "category"},
        "dashboard:catalogue-category-update": {"pk": "category"},
        "dashboard:catalogue-category-delete": {"pk": "category"},
        "dashboard:catalogue-class-create": {},
        "dashboard:catalogue-class-list": {},
        "dashboard:catalogue-class-update": {"pk": "product_class_pk"},
        "dashboard:catalogue-class-delete": {"pk": "product_class_pk"},
        "dashboard:catalogue-attribute-option-group-create": {},
        "dashboard:catalogue-attribute-option-group-list": {},
        "dashboard:catalogue-attribute-option-group-update": {"pk": "any"},
        "dashboard:catalogue-attribute-option-group-delete": {"pk": "any"},
        "dashboard:catalogue-option-list": {},
        "dashboard:catalogue-option-create": {},
        "dashboard:catalogue-option-update": {"pk": "any"},
        "dashboard:catalogue-option-delete": {"pk": "any"},
        "dashboard:reports-index": {},
        "dashboard:order-list": {},
        "dashboard:order-stats": {},
        "dashboard:order-detail": {"number": "order"},
        "dashboard:order-detail-note": {"number": "order", "note_id": "any"},
        "dashboard:order-line-detail": {"number": "order", "line_id": "line"},
        "dashboard:order-shipping-address": {"number": "order"},
        "dashboard:users-index": {},
        "dashboard:user-detail": {"pk": "user"},
        "dashboard:user-password-reset": {"pk": "user"},
        "dashboard:user-alert-list": {},
        "dashboard:user-alert-delete": {"pk": "any"},
        "dashboard:user-alert-update": {"pk": "any"},
        "dashboard:page-list": {},
        "dashboard:page-create": {},
        "dashboard:page-update": {"pk": "any"},
        "dashboard:page-delete": {"pk": "any"},
        "dashboard:partner-list": {},
        "dashboard:partner-create": {},
        "dashboard:partner-manage": {"pk": "shop"},
        "dashboard:partner-delete": {"pk": "shop"},
        "dashboard:partner-user-create": {"partner_pk": "shop"},
        "dashboard:partner-user-select": {"partner_pk": "shop"},
        "dashboard:partner-user-link": {"partner_pk": "shop", "user_pk": "user"},
        "dashboard:partner-user-unlink": {"partner_pk": "shop", "user_pk": "user"},
        "dashboard:partner-user-update": {"partner_pk": "shop", "user_pk": "user"},
        "dashboard:offer-list": {},
        "dashboard:offer-metadata": {"pk": "any"},
        "dashboard:offer-condition": {"pk": "any"},
        "dashboard:offer-benefit": {"pk": "any"},
        "dashboard:offer-restrictions": {"pk": "any"},
        "dashboard:offer-delete": {"pk": "any"},
        "dashboard:offer-detail": {"pk": "any"},
        "dashboard:range-list": {},
        "dashboard:range-create": {},
        "dashboard:range-update": {"pk": "any"},
        "dashboard:range-delete": {"pk": "any"},
        "dashboard:range-products": {"pk": "any"},
        "dashboard:range-reorder": {"pk": "any"},
        "dashboard:reviews-list": {},
        "dashboard:reviews-update": {"pk": "any"},
        "dashboard:reviews-delete": {"pk": "any"},
        "dashboard:voucher-list": {},
        "dashboard:voucher-create": {},
        "dashboard:voucher-update": {"pk": "any"},
        "dashboard:voucher-delete": {"pk": "any"},
        "dashboard:voucher-stats": {"pk": "any"},
        "dashboard:voucher-set-list": {},
        "dashboard:voucher-set-create": {},
        "dashboard:voucher-set-update": {"pk": "any"},
        "dashboard:voucher-set-detail": {"pk": "any"},
        "dashboard:voucher-set-download": {"pk": "any"},
        "dashboard:voucher-set-delete": {"pk": "any"},
        "dashboard:comms-list": {},
        "dashboard:comms-update": {"slug": "comms_code"},
        "dashboard:shipping-method-list": {},
        "dashboard:shipping-method-create": {},
        "dashboard:shipping-method-detail": {"pk": "any"},
        "dashboard:shipping-method-edit": {"pk": "any"},
        "dashboard:shipping-method-delete": {"pk": "any"},
        "dashboard:shipping-method-band-edit": {"method_pk": "any", "pk": "any"},
        "dashboard:shipping-method-band-delete": {"method_pk": "any", "pk": "any"},
    }.items()
}
# Oscar's dashboard sign-in and sign-out pages show no data; signing out is harmless here
# because every request below signs seller A in afresh.
DASHBOARD["dashboard:login"] = {"kwargs": {}, "own": True}
DASHBOARD["dashboard:logout"] = {"kwargs": {}, "own": True}
TABLE = {**CENTRE, **ORDERS, **DASHBOARD}


def guarded_urls() -> dict[str, list[URLPattern]]:
    """Every URL pattern the isolation promise covers, by its full name (a name may have several)."""
    found: dict[str, list[URLPattern]] = {}
    for name, pattern in named_patterns():
        if name.startswith(("sellers:centre-", "orders:", "dashboard:")):
            found.setdefault(name, []).append(pattern)
    return found


def _parameters(pattern: URLPattern) -> set[str]:
    regex = pattern.pattern.regex
    return set(regex.groupindex)


@pytest.fixture
def a_client(db):
    shop = seller_create(name="Toko A Sejahtera", email="a@contoh.id")
    product_create(title="Kerupuk Udang Toko A", partner=shop)
    user = shop.users.get()
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def b(db):
    """Seller B's objects: shop, owner, product, stock record, order with a line, upload, checkout."""
    shop = seller_create(name="Toko B Rahasia", email="b@contoh.id")
    product = product_create(
        title="Sambal Rahasia Toko B", partner=shop, category=category_create("Bumbu Rahasia")
    )
    record = product.stockrecords.get()
    buyer = UserFactory(email="pembeli-b@contoh.id")
    order = order_create(user=buyer, lines=[(record, 2)], number="RAHASIA-B-0001")
    Order.objects.filter(pk=order.pk).update(checkout_reference="CHK-RAHASIA-B")
    upload = StockUpdate.objects.create(
        seller=shop,
        actor=shop.users.get(),
        source=StockUpdateSource.CSV,
        file_name="stok-rahasia-b.csv",
        rows_applied=1,
        changes=[{"sku": record.partner_sku, "title": product.title}],
    )
    job = import_job_start(
        kind=ImportKind.STOCK_CSV,
        owner=shop,
        actor=shop.users.get(),
        file_name="stok-besar-rahasia-b.csv",
        content=b"",
        rows_total=600,
        params={},
    )
    return {
        "shop": shop.pk,
        "user": shop.users.get().pk,
        "product": product.pk,
        "stockrecord": record.pk,
        "order": order.number,
        "line": order.lines.get().pk,
        "upload": upload.pk,
        "import_job": job.pk,
        "checkout_reference": "CHK-RAHASIA-B",
        "category": product.categories.get().pk,
        "product_class": product.product_class.slug,
        "product_class_pk": product.product_class.pk,
        "comms_code": "ORDER_PLACED",
        "any": 1,
        # what must never show up in A's pages
        "secrets": [
            "Sambal Rahasia Toko B",
            record.partner_sku,
            order.number,
            "stok-rahasia-b.csv",
            "stok-besar-rahasia-b.csv",
            "Toko B Rahasia",
            "pembeli-b@contoh.id",
        ],
    }


def test_every_seller_order_and_dashboard_url_has_an_isolation_entry():
    missing = sorted(set(guarded_urls()) - set(TABLE))
    assert not missing, (
        f"URL names without an isolation entry in tests/test_seller_isolation.py: {', '.join(missing)}. "
        "Add each to the table with how to aim it at seller B's objects."
    )
    # and the centre is really there to be walked
    assert set(CENTRE) <= set(guarded_urls())


def _requests(b):
    for name, patterns in sorted(guarded_urls().items()):
        entry = TABLE.get(name)
        if entry is None:
            continue  # reported by the test above
        for pattern in patterns:
            needed = _parameters(pattern)
            kwargs = {k: b[v] for k, v in entry.get("kwargs", {}).items() if k in needed}
            url = reverse(name, kwargs=kwargs)
            query = {k: b[v] for k, v in entry.get("query", {}).items()}
            yield name, url, query, entry.get("own", False)


def test_seller_a_gets_403_or_404_for_every_url_aimed_at_seller_bs_objects(a_client, b):
    # given seller A signed in, and seller B with products, stock, an order, an upload and a checkout
    assert not a_client.user.has_perm("partner.dashboard_access")
    checked = set()
    for name, url, query, own in _requests(b):
        statuses = {}
        for method in ("get", "post"):
            # when A asks for it (signed in afresh: one of the URLs signs out)
            a_client.force_login(a_client.user)
            target = f"{url}?{urlencode(query)}" if query else url
            response = getattr(a_client, method)(target, {} if method == "get" else {**query, "status": "x"})
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            # then none of B's data is in the answer
            leaked = [secret for secret in b["secrets"] if secret in body]
            assert not leaked, f"{method.upper()} {url} ({name}) shows seller B's data: {leaked}"
            statuses[method] = response.status_code
        # and it is a refusal (405: the view does not take that method)
        if own:
            assert set(statuses.values()) <= {200, 302, 403, 404, 405}, (name, statuses)
            continue
        assert set(statuses.values()) <= {403, 404, 405} and set(statuses.values()) - {405}, (
            f"{url}?{query} ({name}) answered {statuses}, not 403/404"
        )
        checked.add(name)
    # and every name in the table was really requested (a stale entry names no URL)
    assert checked == {name for name, entry in TABLE.items() if not entry.get("own")}
    print(f"isolation: {len(checked)} URL names refused seller A")


def test_seller_as_own_pages_list_none_of_bs_products_orders_or_uploads(a_client, b):
    for name in (
        "centre-home",
        "centre-products",
        "centre-orders",
        "centre-sales",
        "centre-stock-upload",
        "centre-stock-csv",
    ):
        response = a_client.get(reverse(f"sellers:{name}"))
        assert response.status_code == 200, name
        body = response.content.decode()
        # the template is a CSV of A's own products; every other page names A's shop
        assert ("Kerupuk Udang Toko A" if name == "centre-stock-csv" else "Toko A Sejahtera") in body, name
        assert not [secret for secret in b["secrets"] if secret in body], name
    assert "Kerupuk Udang Toko A" in a_client.get(reverse("sellers:centre-products")).content.decode()


def test_granting_oscars_partner_dashboard_permission_is_what_would_open_the_dashboard(a_client, b):
    # Oscar lets partner users holding partner.dashboard_access into its order and catalogue
    # dashboards; Peken never grants it (see peken/demo.py), which is why sellers get 403 above.
    assert a_client.get(reverse("dashboard:order-list")).status_code == 403
    a_client.user.user_permissions.add(Permission.objects.get(codename="dashboard_access"))
    user = type(a_client.user).objects.get(pk=a_client.user.pk)
    a_client.force_login(user)
    assert a_client.get(reverse("dashboard:order-list")).status_code == 200
